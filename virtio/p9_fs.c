// SPDX-License-Identifier: GPL-2.0
/*
 * The 9P2000.L server behind virtio-9p: one host directory, the share.
 *
 * Confinement: a fid holds an O_PATH fd of its file, never a path. A walk
 * opens one validated name at a time under the previous fd with openat2()
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (a symlink is the walk's end, never
 * followed: the guest resolves its targets itself); ".." at the share's
 * root stays there. Everything else acts through a fid's fd or on one
 * name in a directory fid with the *at() calls, and never follows a final
 * symlink. Opening a fid's file for I/O goes through /proc/self/fd, which
 * reopens that very inode (checked) and refuses a symlink with ELOOP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "p9_fs.h"
#include "p9_proto.h"

#ifndef SYS_openat2
#define SYS_openat2		437	/* the same on every architecture */
#endif

#define FID_BUCKETS		256
#define NO_ID			((u32)-1)	/* fchownat(): leave as is */

struct p9_fid {
	u32 id;
	int fd;			/* O_PATH: which file */
	int open_fd;		/* after Tlopen/Tlcreate, else -1 */
	u32 uid;		/* from Tattach: owner of what this fid creates */
	mode_t type;		/* S_IFMT */
	dev_t dev;
	ino_t ino;
	struct p9_fid *next;
};

struct p9_fs {
	int root_fd;		/* O_PATH of the share */
	int proc_fd;		/* /proc/self/fd */
	dev_t root_dev;
	ino_t root_ino;
	bool ro;
	bool chown;		/* running as root: new files get the guest's owner */
	u32 max_msize;
	u32 msize;		/* 0 until Tversion */
	unsigned int nr_fids;
	struct p9_fid *fids[FID_BUCKETS];
};

typedef int (*p9_handler)(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o);

/* --- fds and names ----------------------------------------------------- */

static int resolve(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = flags | O_NOFOLLOW | O_CLOEXEC,
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

static int dup_fd(int fd)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return nfd < 0 ? -errno : nfd;
}

/* The name of fd inside /proc/self/fd. */
static void fd_name(int fd, char buf[16])
{
	snprintf(buf, 16, "%d", fd);
}

/* One name the guest gave for a directory entry: no "", ".", ".." or '/'. */
static int get_name(const struct p9_str *s, char name[NAME_MAX + 1])
{
	if (!s->len || memchr(s->s, '/', s->len))
		return -EINVAL;
	if (s->len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s->s, s->len);
	name[s->len] = '\0';
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	return 0;
}

static bool is_root(const struct p9_fs *fs, dev_t dev, ino_t ino)
{
	return dev == fs->root_dev && ino == fs->root_ino;
}

static void qid_of(const struct stat *st, struct p9_qid *q)
{
	q->type = S_ISDIR(st->st_mode) ? P9_QTDIR :
		  S_ISLNK(st->st_mode) ? P9_QTSYMLINK : P9_QTFILE;
	q->version = 0;
	q->path = st->st_ino;
}

static int put_qid_of_fd(struct p9_out *o, int fd)
{
	struct stat st;
	struct p9_qid q;

	if (fstat(fd, &st))
		return -errno;
	qid_of(&st, &q);
	p9_put_qid(o, &q);
	return 0;
}

/* --- fids --------------------------------------------------------------- */

static struct p9_fid *fid_find(struct p9_fs *fs, u32 id)
{
	struct p9_fid *f;

	for (f = fs->fids[id % FID_BUCKETS]; f; f = f->next)
		if (f->id == id)
			return f;
	return NULL;
}

/* Points f at the file of fd (taking fd over). */
static int fid_set_fd(struct p9_fid *f, int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	f->type = st.st_mode & S_IFMT;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

/* A new fid for the O_PATH fd, which it takes over even on failure. */
static int fid_new(struct p9_fs *fs, u32 id, int fd, u32 uid)
{
	struct p9_fid *f;
	int ret;

	if (id == P9_NOFID || fid_find(fs, id)) {
		ret = -EINVAL;
		goto err;
	}
	if (fs->nr_fids >= P9_MAX_FIDS) {
		ret = -EMFILE;
		goto err;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		ret = -ENOMEM;
		goto err;
	}
	f->id = id;
	f->fd = -1;
	f->open_fd = -1;
	f->uid = uid;
	ret = fid_set_fd(f, fd);
	if (ret) {
		free(f);
		return ret;
	}
	f->next = fs->fids[id % FID_BUCKETS];
	fs->fids[id % FID_BUCKETS] = f;
	fs->nr_fids++;
	return 0;
err:
	close(fd);
	return ret;
}

static void fid_free(struct p9_fs *fs, struct p9_fid *f)
{
	struct p9_fid **pp = &fs->fids[f->id % FID_BUCKETS];

	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	close(f->fd);
	if (f->open_fd >= 0)
		close(f->open_fd);
	free(f);
	fs->nr_fids--;
}

/* A fid that must name a directory (the parent of a name in the request). */
static int dir_fid(struct p9_fs *fs, u32 id, struct p9_fid **out)
{
	struct p9_fid *f = fid_find(fs, id);

	if (!f)
		return -EBADF;
	if (f->type != S_IFDIR)
		return -ENOTDIR;
	*out = f;
	return 0;
}

/*
 * Reopens f's own inode for I/O through /proc/self/fd: no name is looked
 * up again, so nothing can have been swapped in; the inode is checked all
 * the same. Symlinks give ELOOP; fifos open non-blocking (the server's
 * only thread must not wait for a writer); host device nodes are refused.
 */
static int reopen(struct p9_fs *fs, const struct p9_fid *f, int flags)
{
	char name[16];
	struct stat st;
	int fd;

	switch (f->type) {
	case S_IFREG:
	case S_IFDIR:
		break;
	case S_IFLNK:
		return -ELOOP;
	case S_IFIFO:
		flags |= O_NONBLOCK;
		break;
	default:
		return -EPERM;
	}
	fd_name(f->fd, name);
	fd = openat(fs->proc_fd, name, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != f->dev || st.st_ino != f->ino) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* /proc/self/fd/N's target: where the kernel says fd's file is now. */
static int fd_path(struct p9_fs *fs, int fd, char path[PATH_MAX])
{
	char name[16];
	ssize_t n;

	fd_name(fd, name);
	n = readlinkat(fs->proc_fd, name, path, PATH_MAX);
	if (n < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	path[n] = '\0';
	return n;
}

/*
 * The directory entry naming f's file, for the requests that give a fid
 * but act on a name (Trename, Tremove, Tlink). The kernel's path for the
 * fd is only a hint: its directory is resolved again beneath the share's
 * root, and the entry must still be f's inode.
 */
static int fid_locate(struct p9_fs *fs, const struct p9_fid *f, int *dirfd,
		      char name[NAME_MAX + 1])
{
	char root[PATH_MAX], path[PATH_MAX], *rel, *slash;
	struct p9_str leaf;
	struct stat st;
	int rlen, ret, fd;

	if (is_root(fs, f->dev, f->ino))
		return -EBUSY;
	rlen = fd_path(fs, fs->root_fd, root);
	ret = fd_path(fs, f->fd, path);
	if (rlen < 0 || ret < 0)
		return rlen < 0 ? rlen : ret;
	if (rlen == 1)
		rlen = 0;	/* the share is "/" */
	if (strncmp(path, root, rlen) || path[rlen] != '/')
		return -ENOENT;
	rel = path + rlen + 1;
	slash = strrchr(rel, '/');
	leaf.s = slash ? slash + 1 : rel;
	leaf.len = strlen(leaf.s);
	if (get_name(&leaf, name))
		return -ENOENT;
	if (slash) {
		*slash = '\0';
		fd = resolve(fs->root_fd, rel, O_PATH | O_DIRECTORY, 0);
	} else {
		fd = dup_fd(fs->root_fd);
	}
	if (fd < 0)
		return fd == -ENOMEM || fd == -EMFILE ? fd : -ENOENT;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) || st.st_dev != f->dev ||
	    st.st_ino != f->ino) {
		close(fd);
		return -ENOENT;
	}
	*dirfd = fd;
	return 0;
}

/* --- session ------------------------------------------------------------ */

static void clunk_all(struct p9_fs *fs)
{
	unsigned int i;

	for (i = 0; i < FID_BUCKETS; i++)
		while (fs->fids[i])
			fid_free(fs, fs->fids[i]);
}

static int do_version(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	u32 msize = MIN(r->version.msize, fs->max_msize);

	/* A new session: whatever the old one left is gone. */
	clunk_all(fs);
	fs->msize = 0;
	if (!p9_str_eq(&r->version.version, P9_VERSION_L)) {
		p9_put32(o, msize);
		p9_put_cstr(o, "unknown");
		return 0;
	}
	if (msize < P9_MIN_MSIZE)
		return -EINVAL;
	fs->msize = msize;
	p9_put32(o, msize);
	p9_put_cstr(o, P9_VERSION_L);
	return 0;
}

static int do_attach(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	int fd = dup_fd(fs->root_fd), ret;

	if (fd < 0)
		return fd;
	/* The share is the only tree: aname is not looked at. */
	ret = fid_new(fs, r->attach.fid, fd, r->attach.n_uname);
	if (ret)
		return ret;
	return put_qid_of_fd(o, fid_find(fs, r->attach.fid)->fd);
}

static int do_auth(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	(void)fs;
	(void)r;
	(void)o;
	return -EOPNOTSUPP;	/* no authentication: Tattach with afid = NOFID */
}

static int do_flush(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	/* Requests are served in order: the flushed one was answered already. */
	(void)fs;
	(void)r;
	(void)o;
	return 0;
}

/* ".." from dirfd: one level up, except at the share's root. */
static int walk_up(struct p9_fs *fs, int dirfd)
{
	struct stat st;
	int fd;

	if (fstat(dirfd, &st))
		return -errno;
	if (is_root(fs, st.st_dev, st.st_ino))
		return dup_fd(dirfd);
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/*
	 * RESOLVE_BENEATH would refuse "..": the plain lookup goes one level
	 * up from a directory below the root, which is still in the share.
	 */
	fd = openat(dirfd, "..", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int walk_one(struct p9_fs *fs, int dirfd, const struct p9_str *s)
{
	char name[NAME_MAX + 1];
	int ret;

	if (p9_str_eq(s, ".."))
		return walk_up(fs, dirfd);
	ret = get_name(s, name);
	if (ret)
		return ret;
	return resolve(dirfd, name, O_PATH, 0);
}

static int do_walk(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->walk.fid);
	struct p9_qid qids[P9_MAXWELEM];
	struct stat st;
	unsigned int i, n;
	int fd, next, ret = 0;

	if (!f)
		return -EBADF;
	if (r->walk.newfid != r->walk.fid &&
	    (r->walk.newfid == P9_NOFID || fid_find(fs, r->walk.newfid)))
		return -EINVAL;
	if (r->walk.newfid == r->walk.fid && r->walk.nwname && f->open_fd >= 0)
		return -EBUSY;
	fd = dup_fd(f->fd);
	if (fd < 0)
		return fd;
	for (i = 0; i < r->walk.nwname; i++) {
		next = walk_one(fs, fd, &r->walk.wname[i]);
		if (next < 0) {
			ret = next;
			break;
		}
		close(fd);
		fd = next;
		if (fstat(fd, &st)) {
			ret = -errno;
			break;
		}
		qid_of(&st, &qids[i]);
	}
	if (ret && !i) {
		close(fd);
		return ret;
	}
	p9_put16(o, i);
	for (n = 0; n < i; n++)
		p9_put_qid(o, &qids[n]);
	if (ret) {
		/* A partial walk: the qids so far, and no new fid. */
		close(fd);
		return 0;
	}
	if (r->walk.newfid == r->walk.fid)
		return fid_set_fd(f, fd);
	return fid_new(fs, r->walk.newfid, fd, f->uid);
}

/* --- opening and creating ----------------------------------------------- */

/* Tlopen/Tlcreate flags in host terms (the guest's arch may number them otherwise). */
static int open_flags(struct p9_fs *fs, u32 dotl, int *flags)
{
	static const struct { u32 dotl; int host; } map[] = {
		{ P9_DOTL_TRUNC, O_TRUNC },
		{ P9_DOTL_APPEND, O_APPEND },
		{ P9_DOTL_NONBLOCK, O_NONBLOCK },
		{ P9_DOTL_DSYNC, O_DSYNC },
		{ P9_DOTL_DIRECTORY, O_DIRECTORY },
		{ P9_DOTL_SYNC, O_SYNC },
	};
	u32 acc = dotl & P9_DOTL_ACCMODE;
	unsigned int i;

	if (acc == P9_DOTL_ACCMODE)
		return -EINVAL;
	if (fs->ro && (acc != P9_DOTL_RDONLY || (dotl & P9_DOTL_TRUNC)))
		return -EROFS;
	*flags = acc == P9_DOTL_WRONLY ? O_WRONLY : acc == P9_DOTL_RDWR ? O_RDWR : O_RDONLY;
	/* O_DIRECT, O_NOATIME and the like are hints for the guest's own cache. */
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (dotl & map[i].dotl)
			*flags |= map[i].host;
	return 0;
}

static int do_lopen(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->lopen.fid);
	int flags, fd, ret;

	if (!f)
		return -EBADF;
	if (f->open_fd >= 0)
		return -EBUSY;
	ret = open_flags(fs, r->lopen.flags, &flags);
	if (ret)
		return ret;
	fd = reopen(fs, f, flags);
	if (fd < 0)
		return fd;
	f->open_fd = fd;
	ret = put_qid_of_fd(o, fd);
	p9_put32(o, 0);		/* iounit: msize decides */
	return ret;
}

/*
 * A freshly created file takes the guest's owner when lkvm is root (else
 * lkvm's own), and exactly the guest's mode: lkvm's umask must not apply
 * on top of the guest's.
 */
static int settle_new(struct p9_fs *fs, int fd, u32 uid, u32 gid, u32 mode)
{
	char name[16];
	struct stat st;
	mode_t want;

	if (fs->chown && fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (fstat(fd, &st))
		return -errno;
	if (S_ISLNK(st.st_mode))
		return 0;
	want = (st.st_mode & 07000) | (mode & 0777);
	if ((st.st_mode & 07777) == want)
		return 0;
	fd_name(fd, name);
	return fchmodat(fs->proc_fd, name, want, 0) ? -errno : 0;
}

/* An O_PATH fd for the file open as fd. */
static int path_fd_of(struct p9_fs *fs, int fd)
{
	char name[16];
	int pfd;

	fd_name(fd, name);
	pfd = openat(fs->proc_fd, name, O_PATH | O_CLOEXEC);
	return pfd < 0 ? -errno : pfd;
}

/* Tlcreate without EXCL on a name that exists: opens it as Tlopen would. */
static int open_existing(struct p9_fs *fs, struct p9_fid *d, const char *name, int flags,
			 int *pfd)
{
	struct p9_fid tmp = { .fd = -1, .open_fd = -1 };
	int fd = resolve(d->fd, name, O_PATH, 0), ret;

	if (fd < 0)
		return fd;
	ret = fid_set_fd(&tmp, fd);
	if (ret)
		return ret;
	fd = reopen(fs, &tmp, flags);
	if (fd < 0) {
		close(tmp.fd);
		return fd;
	}
	*pfd = tmp.fd;
	return fd;
}

/* Creates name in d; returns its open fd and puts an O_PATH one in *pfd. */
static int create_file(struct p9_fs *fs, struct p9_fid *d, const char *name,
		       const struct p9_req *r, int flags, int *pfd)
{
	int fd, ret;

	fd = resolve(d->fd, name, flags | O_CREAT | O_EXCL, r->lcreate.mode & 07777);
	if (fd == -EEXIST && !(r->lcreate.flags & P9_DOTL_EXCL))
		return open_existing(fs, d, name, flags, pfd);
	if (fd < 0)
		return fd;
	ret = settle_new(fs, fd, d->uid, r->lcreate.gid, r->lcreate.mode);
	if (!ret) {
		*pfd = path_fd_of(fs, fd);
		if (*pfd >= 0)
			return fd;
		ret = *pfd;
	}
	close(fd);
	unlinkat(d->fd, name, 0);
	return ret;
}

static int do_lcreate(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char name[NAME_MAX + 1];
	struct p9_fid *d;
	int flags, fd, pfd = -1, ret;

	ret = dir_fid(fs, r->lcreate.fid, &d);
	if (ret)
		return ret;
	if (d->open_fd >= 0)
		return -EBUSY;
	if (fs->ro)
		return -EROFS;
	ret = get_name(&r->lcreate.name, name);
	if (!ret)
		ret = open_flags(fs, r->lcreate.flags, &flags);
	if (ret)
		return ret;
	fd = create_file(fs, d, name, r, flags, &pfd);
	if (fd < 0)
		return fd;
	/* The directory fid becomes the new file, opened. */
	ret = fid_set_fd(d, pfd);
	if (ret) {
		close(fd);
		return ret;
	}
	d->open_fd = fd;
	ret = put_qid_of_fd(o, fd);
	p9_put32(o, 0);
	return ret;
}

/* The O_PATH fd of a name just created in d, settled as settle_new() says. */
static int finish_new(struct p9_fs *fs, struct p9_fid *d, const char *name, u32 gid, u32 mode,
		      struct p9_out *o)
{
	int fd = resolve(d->fd, name, O_PATH, 0), ret;

	if (fd < 0)
		return fd;
	ret = settle_new(fs, fd, d->uid, gid, mode);
	if (!ret)
		ret = put_qid_of_fd(o, fd);
	close(fd);
	return ret;
}

/* The directory fid and the validated name of a create-like request. */
static int new_entry(struct p9_fs *fs, u32 dfid, const struct p9_str *s, struct p9_fid **d,
		     char name[NAME_MAX + 1])
{
	int ret = dir_fid(fs, dfid, d);

	if (ret)
		return ret;
	if (fs->ro)
		return -EROFS;
	return get_name(s, name);
}

static int do_mkdir(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char name[NAME_MAX + 1];
	struct p9_fid *d;
	int ret = new_entry(fs, r->mknod.dfid, &r->mknod.name, &d, name);

	if (ret)
		return ret;
	if (mkdirat(d->fd, name, r->mknod.mode & 07777))
		return -errno;
	ret = finish_new(fs, d, name, r->mknod.gid, r->mknod.mode, o);
	if (ret)
		unlinkat(d->fd, name, AT_REMOVEDIR);
	return ret;
}

static int do_mknod(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char name[NAME_MAX + 1];
	struct p9_fid *d;
	mode_t type = r->mknod.mode & S_IFMT;
	int ret = new_entry(fs, r->mknod.dfid, &r->mknod.name, &d, name);

	if (ret)
		return ret;
	if (!type)
		type = S_IFREG;
	/* Device nodes would hand the guest the host's devices. */
	if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK)
		return -EPERM;
	if (mknodat(d->fd, name, type | (r->mknod.mode & 07777), 0))
		return -errno;
	ret = finish_new(fs, d, name, r->mknod.gid, r->mknod.mode, o);
	if (ret)
		unlinkat(d->fd, name, 0);
	return ret;
}

static int do_symlink(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char name[NAME_MAX + 1], target[PATH_MAX];
	struct p9_fid *d;
	int ret = new_entry(fs, r->symlink.fid, &r->symlink.name, &d, name);

	if (ret)
		return ret;
	if (!r->symlink.target.len)
		return -ENOENT;
	if (r->symlink.target.len >= PATH_MAX)
		return -ENAMETOOLONG;
	/* Stored as given: the server never follows it. */
	memcpy(target, r->symlink.target.s, r->symlink.target.len);
	target[r->symlink.target.len] = '\0';
	if (symlinkat(target, d->fd, name))
		return -errno;
	ret = finish_new(fs, d, name, r->symlink.gid, 0, o);
	if (ret)
		unlinkat(d->fd, name, 0);
	return ret;
}

/* --- I/O on open fids ---------------------------------------------------- */

static int open_fid(struct p9_fs *fs, u32 id, struct p9_fid **out)
{
	struct p9_fid *f = fid_find(fs, id);

	if (!f || f->open_fd < 0)
		return -EBADF;
	*out = f;
	return 0;
}

static int do_read(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f;
	u32 start = o->pos, count;
	ssize_t n;
	u8 *p;
	int ret = open_fid(fs, r->io.fid, &f);

	if (ret)
		return ret;
	if (r->io.offset > INT64_MAX)
		return -EINVAL;
	if (o->cap - o->pos < 4)
		return -EMSGSIZE;
	/* As much as was asked and fits the reply. */
	count = MIN(r->io.count, o->cap - o->pos - 4);
	p = p9_put_space(o, 4 + count);
	if (!p)
		return -EMSGSIZE;
	n = pread(f->open_fd, p + 4, count, r->io.offset);
	if (n < 0)
		return -errno;
	o->pos = start;
	p9_put32(o, n);
	o->pos += n;
	return 0;
}

static int do_write(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f;
	ssize_t n;
	int ret = open_fid(fs, r->io.fid, &f);

	if (ret)
		return ret;
	if (fs->ro)
		return -EROFS;
	if (r->io.offset > INT64_MAX)
		return -EINVAL;
	n = pwrite(f->open_fd, r->io.data, r->io.count, r->io.offset);
	if (n < 0)
		return -errno;
	p9_put32(o, n);
	return 0;
}

/* The kernel's getdents64 record. */
struct dirent_k {
	u64 ino;
	s64 off;
	u16 reclen;
	u8 type;
	char name[];
};

/* Packs the entries read from buf; false when the reply is full. */
static bool pack_dirents(struct p9_out *o, u32 end, const u8 *buf, long n)
{
	long pos = 0;

	while (pos < n) {
		const struct dirent_k *d = (const void *)(buf + pos);
		size_t len = strlen(d->name);
		struct p9_qid q = {
			.type = d->type == DT_DIR ? P9_QTDIR : d->type == DT_LNK ? P9_QTSYMLINK : 0,
			.path = d->ino,
		};

		if (o->pos + P9_QID_SIZE + 8 + 1 + 2 + len > end)
			return false;
		p9_put_qid(o, &q);
		p9_put64(o, d->off);
		p9_put8(o, d->type);
		p9_put_str(o, d->name, len);
		pos += d->reclen;
	}
	return true;
}

static int do_readdir(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	u8 buf[8192] __attribute__((aligned(8)));
	struct p9_fid *f;
	u32 start, end;
	long n;
	int ret = open_fid(fs, r->io.fid, &f);

	if (ret)
		return ret;
	if (f->type != S_IFDIR)
		return -ENOTDIR;
	if (r->io.offset > INT64_MAX)
		return -EINVAL;
	start = o->pos;
	p9_put32(o, 0);
	if (o->full)
		return -EMSGSIZE;
	end = o->pos + MIN(r->io.count, o->cap - o->pos);
	/* The guest's offset is the d_off of the last entry it got. */
	if (lseek(f->open_fd, r->io.offset, SEEK_SET) < 0)
		return -errno;
	do {
		n = syscall(SYS_getdents64, f->open_fd, buf, sizeof(buf));
		if (n < 0)
			return -errno;
	} while (n > 0 && pack_dirents(o, end, buf, n));
	end = o->pos;
	o->pos = start;
	p9_put32(o, end - start - 4);
	o->pos = end;
	return 0;
}

static int do_fsync(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f;
	int ret = open_fid(fs, r->fsync.fid, &f);

	(void)o;
	if (ret)
		return ret;
	ret = r->fsync.datasync ? fdatasync(f->open_fd) : fsync(f->open_fd);
	return ret ? -errno : 0;
}

static int lock_type(u8 type, short *host)
{
	switch (type) {
	case P9_LOCK_TYPE_RDLCK:
		*host = F_RDLCK;
		return 0;
	case P9_LOCK_TYPE_WRLCK:
		*host = F_WRLCK;
		return 0;
	case P9_LOCK_TYPE_UNLCK:
		*host = F_UNLCK;
		return 0;
	}
	return -EINVAL;
}

/* The guest's byte-range lock as an open-file-description lock of the fid's open file. */
static int lock_of(const struct p9_req *r, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	if (r->lock.start > INT64_MAX || r->lock.length > INT64_MAX)
		return -EINVAL;
	fl->l_whence = SEEK_SET;
	fl->l_start = r->lock.start;
	fl->l_len = r->lock.length;
	return lock_type(r->lock.type, &fl->l_type);
}

static int do_lock(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f;
	struct flock fl;
	u8 status = P9_LOCK_SUCCESS;
	int ret = open_fid(fs, r->lock.fid, &f);

	if (ret)
		return ret;
	/*
	 * Never waits, even for P9_LOCK_FLAGS_BLOCK: the server has one
	 * thread, and the guest polls again on BLOCKED.
	 */
	if (lock_of(r, &fl))
		status = P9_LOCK_ERROR;
	else if (fcntl(f->open_fd, F_OFD_SETLK, &fl))
		status = errno == EAGAIN || errno == EACCES ? P9_LOCK_BLOCKED : P9_LOCK_ERROR;
	p9_put8(o, status);
	return 0;
}

static int do_getlock(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f;
	struct flock fl;
	int ret = open_fid(fs, r->lock.fid, &f);

	if (ret)
		return ret;
	ret = lock_of(r, &fl);
	if (ret)
		return ret;
	if (fcntl(f->open_fd, F_OFD_GETLK, &fl))
		return -errno;
	p9_put8(o, fl.l_type == F_RDLCK ? P9_LOCK_TYPE_RDLCK :
		   fl.l_type == F_WRLCK ? P9_LOCK_TYPE_WRLCK : P9_LOCK_TYPE_UNLCK);
	p9_put64(o, fl.l_start);
	p9_put64(o, fl.l_len);
	/* An OFD lock has no pid: the holder is "someone else". */
	p9_put32(o, fl.l_type == F_UNLCK ? r->lock.proc_id : 0);
	p9_put_str(o, r->lock.client_id.s, r->lock.client_id.len);
	return 0;
}

/* --- attributes ----------------------------------------------------------- */

static int do_getattr(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->getattr.fid);
	struct stat st;
	struct p9_qid q;

	if (!f)
		return -EBADF;
	if (fstat(f->fd, &st))
		return -errno;
	qid_of(&st, &q);
	p9_put64(o, P9_GETATTR_BASIC);
	p9_put_qid(o, &q);
	p9_put32(o, st.st_mode);
	p9_put32(o, st.st_uid);
	p9_put32(o, st.st_gid);
	p9_put64(o, st.st_nlink);
	p9_put64(o, st.st_rdev);
	p9_put64(o, st.st_size);
	p9_put64(o, st.st_blksize);
	p9_put64(o, st.st_blocks);
	p9_put64(o, st.st_atim.tv_sec);
	p9_put64(o, st.st_atim.tv_nsec);
	p9_put64(o, st.st_mtim.tv_sec);
	p9_put64(o, st.st_mtim.tv_nsec);
	p9_put64(o, st.st_ctim.tv_sec);
	p9_put64(o, st.st_ctim.tv_nsec);
	p9_put64(o, 0);		/* btime, gen, data_version: not in the BASIC mask */
	p9_put64(o, 0);
	p9_put64(o, 0);
	p9_put64(o, 0);
	return 0;
}

static void set_time(struct timespec *ts, u32 valid, u32 change, u32 given, u64 sec, u64 nsec)
{
	if (!(valid & change))
		ts->tv_nsec = UTIME_OMIT;
	else if (!(valid & given))
		ts->tv_nsec = UTIME_NOW;
	else
		*ts = (struct timespec){ .tv_sec = sec, .tv_nsec = nsec };
}

static int set_size(struct p9_fs *fs, struct p9_fid *f, u64 size)
{
	int fd = f->open_fd, ret = 0;

	if (f->type == S_IFDIR)
		return -EISDIR;
	if (size > INT64_MAX)
		return -EINVAL;
	/* ftruncate() on the guest's own open file works whatever the mode is now. */
	if (fd < 0 || (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY)
		fd = reopen(fs, f, O_WRONLY);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, size))
		ret = -errno;
	if (fd != f->open_fd)
		close(fd);
	return ret;
}

static int do_setattr(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->setattr.fid);
	u32 valid = r->setattr.valid;
	struct timespec ts[2];
	char name[16];

	(void)o;
	if (!f)
		return -EBADF;
	/* ctime alone changes with anything else done here. */
	if (fs->ro && (valid & ~P9_SETATTR_CTIME))
		return -EROFS;
	/*
	 * In the order that leaves each as asked: truncating moves mtime,
	 * chown clears setuid bits.
	 */
	if (valid & P9_SETATTR_SIZE) {
		int ret = set_size(fs, f, r->setattr.size);

		if (ret)
			return ret;
	}
	if ((valid & (P9_SETATTR_UID | P9_SETATTR_GID)) &&
	    fchownat(f->fd, "", valid & P9_SETATTR_UID ? r->setattr.uid : NO_ID,
		     valid & P9_SETATTR_GID ? r->setattr.gid : NO_ID,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	fd_name(f->fd, name);
	if ((valid & P9_SETATTR_MODE) && fchmodat(fs->proc_fd, name, r->setattr.mode & 07777, 0))
		return -errno;
	if (valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)) {
		set_time(&ts[0], valid, P9_SETATTR_ATIME, P9_SETATTR_ATIME_SET,
			 r->setattr.atime_sec, r->setattr.atime_nsec);
		set_time(&ts[1], valid, P9_SETATTR_MTIME, P9_SETATTR_MTIME_SET,
			 r->setattr.mtime_sec, r->setattr.mtime_nsec);
		/* The magic link lands on the fid's inode, a symlink itself included. */
		if (utimensat(fs->proc_fd, name, ts, 0))
			return -errno;
	}
	return 0;
}

static int do_statfs(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->fid.fid);
	struct statfs s;
	u64 fsid;

	if (!f)
		return -EBADF;
	if (fstatfs(f->fd, &s))
		return -errno;
	memcpy(&fsid, &s.f_fsid, sizeof(fsid));
	p9_put32(o, s.f_type);
	p9_put32(o, s.f_bsize);
	p9_put64(o, s.f_blocks);
	p9_put64(o, s.f_bfree);
	p9_put64(o, s.f_bavail);
	p9_put64(o, s.f_files);
	p9_put64(o, s.f_ffree);
	p9_put64(o, fsid);
	p9_put32(o, s.f_namelen);
	return 0;
}

static int do_readlink(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->fid.fid);
	char target[PATH_MAX];
	ssize_t n;

	if (!f)
		return -EBADF;
	if (f->type != S_IFLNK)
		return -EINVAL;
	n = readlinkat(f->fd, "", target, sizeof(target));
	if (n < 0)
		return -errno;
	p9_put_str(o, target, n);
	return 0;
}

static int do_xattrwalk(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	(void)o;
	if (!fid_find(fs, r->xattrwalk.fid))
		return -EBADF;
	/* The guest takes this as "no extended attributes here". */
	return -EOPNOTSUPP;
}

static int do_xattrcreate(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	(void)o;
	if (!fid_find(fs, r->xattrcreate.fid))
		return -EBADF;
	return fs->ro ? -EROFS : -EOPNOTSUPP;
}

/* --- names ------------------------------------------------------------------ */

static int do_unlinkat(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char name[NAME_MAX + 1];
	struct p9_fid *d;
	int ret = new_entry(fs, r->unlinkat.dirfid, &r->unlinkat.name, &d, name);

	(void)o;
	if (ret)
		return ret;
	if (r->unlinkat.flags & ~P9_DOTL_AT_REMOVEDIR)
		return -EINVAL;
	if (unlinkat(d->fd, name, r->unlinkat.flags & P9_DOTL_AT_REMOVEDIR ? AT_REMOVEDIR : 0))
		return -errno;
	return 0;
}

static int do_renameat(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char oldname[NAME_MAX + 1], newname[NAME_MAX + 1];
	struct p9_fid *od, *nd;
	int ret = new_entry(fs, r->renameat.olddirfid, &r->renameat.oldname, &od, oldname);

	(void)o;
	if (!ret)
		ret = new_entry(fs, r->renameat.newdirfid, &r->renameat.newname, &nd, newname);
	if (ret)
		return ret;
	return renameat(od->fd, oldname, nd->fd, newname) ? -errno : 0;
}

static int do_rename(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char oldname[NAME_MAX + 1], newname[NAME_MAX + 1];
	struct p9_fid *f = fid_find(fs, r->rename.fid), *nd;
	int ret, odir;

	(void)o;
	if (!f)
		return -EBADF;
	ret = new_entry(fs, r->rename.dfid, &r->rename.name, &nd, newname);
	if (!ret)
		ret = fid_locate(fs, f, &odir, oldname);
	if (ret)
		return ret;
	ret = renameat(odir, oldname, nd->fd, newname) ? -errno : 0;
	close(odir);
	return ret;
}

static int do_link(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char oldname[NAME_MAX + 1], newname[NAME_MAX + 1];
	struct p9_fid *f = fid_find(fs, r->link.fid), *nd;
	int ret, odir;

	(void)o;
	if (!f)
		return -EBADF;
	ret = new_entry(fs, r->link.dfid, &r->link.name, &nd, newname);
	if (ret)
		return ret;
	if (f->type == S_IFDIR)
		return -EPERM;
	/* Both ends are a directory of the share and one name in it. */
	ret = fid_locate(fs, f, &odir, oldname);
	if (ret)
		return ret;
	ret = linkat(odir, oldname, nd->fd, newname, 0) ? -errno : 0;
	close(odir);
	return ret;
}

static int do_remove(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	char name[NAME_MAX + 1];
	struct p9_fid *f = fid_find(fs, r->fid.fid);
	int ret, dir;

	(void)o;
	if (!f)
		return -EBADF;
	ret = fs->ro ? -EROFS : fid_locate(fs, f, &dir, name);
	if (!ret) {
		if (unlinkat(dir, name, f->type == S_IFDIR ? AT_REMOVEDIR : 0))
			ret = -errno;
		close(dir);
	}
	/* The fid is gone whether or not the file is. */
	fid_free(fs, f);
	return ret;
}

static int do_clunk(struct p9_fs *fs, const struct p9_req *r, struct p9_out *o)
{
	struct p9_fid *f = fid_find(fs, r->fid.fid);

	(void)o;
	if (!f)
		return -EBADF;
	fid_free(fs, f);
	return 0;
}

static const p9_handler handlers[] = {
	[P9_TSTATFS] = do_statfs,
	[P9_TLOPEN] = do_lopen,
	[P9_TLCREATE] = do_lcreate,
	[P9_TSYMLINK] = do_symlink,
	[P9_TMKNOD] = do_mknod,
	[P9_TRENAME] = do_rename,
	[P9_TREADLINK] = do_readlink,
	[P9_TGETATTR] = do_getattr,
	[P9_TSETATTR] = do_setattr,
	[P9_TXATTRWALK] = do_xattrwalk,
	[P9_TXATTRCREATE] = do_xattrcreate,
	[P9_TREADDIR] = do_readdir,
	[P9_TFSYNC] = do_fsync,
	[P9_TLOCK] = do_lock,
	[P9_TGETLOCK] = do_getlock,
	[P9_TLINK] = do_link,
	[P9_TMKDIR] = do_mkdir,
	[P9_TRENAMEAT] = do_renameat,
	[P9_TUNLINKAT] = do_unlinkat,
	[P9_TVERSION] = do_version,
	[P9_TAUTH] = do_auth,
	[P9_TATTACH] = do_attach,
	[P9_TFLUSH] = do_flush,
	[P9_TWALK] = do_walk,
	[P9_TREAD] = do_read,
	[P9_TWRITE] = do_write,
	[P9_TCLUNK] = do_clunk,
	[P9_TREMOVE] = do_remove,
};

u32 p9_fs_handle(struct p9_fs *fs, const void *req, u32 req_len, void *reply, u32 reply_cap)
{
	struct p9_req r;
	struct p9_out o;
	u32 cap = reply_cap, len;
	int ret;

	if (reply_cap < P9_RLERROR_SIZE)
		return 0;
	ret = p9_parse(req, req_len, &r);
	if (ret)
		goto err;
	if (r.type >= ARRAY_SIZE(handlers) || !handlers[r.type]) {
		ret = -EOPNOTSUPP;
		goto err;
	}
	if (r.type != P9_TVERSION) {
		ret = -EPROTO;
		if (!fs->msize)
			goto err;	/* no session: Tversion first */
		cap = MIN(cap, fs->msize);
	}
	p9_out_begin(&o, reply, cap, r.type + 1, r.tag);
	ret = handlers[r.type](fs, &r, &o);
	if (!ret) {
		len = p9_out_end(&o);
		if (len)
			return len;
		ret = -EMSGSIZE;
	}
err:
	return p9_build_lerror(reply, reply_cap, r.tag, -ret);
}

void p9_fs_reset(struct p9_fs *fs)
{
	clunk_all(fs);
	fs->msize = 0;
}

unsigned int p9_fs_nr_fids(const struct p9_fs *fs)
{
	return fs->nr_fids;
}

static int open_root(struct p9_fs *fs, const char *dir, struct err_msg *e)
{
	struct stat st;
	int fd;

	fs->root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0) {
		if (errno == ENOENT)
			return err_usage(e, "9p share '%s' does not exist; give an existing host directory",
					 dir);
		if (errno == ENOTDIR)
			return err_usage(e, "9p share '%s' is not a directory; give a host directory",
					 dir);
		if (errno == EACCES || errno == ELOOP)
			return err_usage(e, "9p share '%s': %s; give a directory lkvm can open",
					 dir, strerror(errno));
		return err_set(e, errno, "9p share '%s': %s", dir, strerror(errno));
	}
	if (fstat(fs->root_fd, &st))
		return err_set(e, errno, "9p share '%s': %s", dir, strerror(errno));
	fs->root_dev = st.st_dev;
	fs->root_ino = st.st_ino;
	fd = resolve(fs->root_fd, ".", O_PATH, 0);
	if (fd == -ENOSYS)
		return err_set(e, ENOSYS, "9p share '%s': this host kernel has no openat2(2), which keeps the guest inside the share; use Linux 5.6 or later",
			       dir);
	if (fd < 0)
		return err_set(e, -fd, "9p share '%s': openat2: %s", dir, strerror(-fd));
	close(fd);
	return 0;
}

struct p9_fs *p9_fs_create(const char *dir, bool ro, u32 max_msize, struct err_msg *e)
{
	struct p9_fs *fs = calloc(1, sizeof(*fs));

	if (!fs) {
		err_set(e, ENOMEM, "out of memory for 9p share '%s'", dir);
		return NULL;
	}
	fs->root_fd = fs->proc_fd = -1;
	if (open_root(fs, dir, e))
		goto err;
	fs->proc_fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->proc_fd < 0) {
		err_set(e, errno, "9p share '%s': cannot open /proc/self/fd (%s); mount /proc",
			dir, strerror(errno));
		goto err;
	}
	fs->ro = ro;
	fs->chown = geteuid() == 0;
	fs->max_msize = !max_msize || max_msize > P9_MAX_MSIZE ? P9_MAX_MSIZE : max_msize;
	return fs;
err:
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	free(fs);
	return NULL;
}

void p9_fs_destroy(struct p9_fs *fs)
{
	if (!fs)
		return;
	clunk_all(fs);
	close(fs->proc_fd);
	close(fs->root_fd);
	free(fs);
}
