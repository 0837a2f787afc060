// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-9p's server without a guest: 9P2000.L messages built here, fed to
 * p9_fs_handle() over a scratch share, and the replies decoded. Hostile
 * messages must get an Rlerror, and nothing may leave the share.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <linux/virtio_9p.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>

#include "core/vm.h"
#include "virtio/mmio.h"
#include "virtio/p9.h"
#include "virtio/p9_fs.h"
#include "virtio/p9_proto.h"

#define ROOT		1	/* the attach fid */
#define MSIZE		(256 * 1024)
#define SECRET		"host-secret\n"

static char base[64];	/* holds the share and, beside it, the secret */
static char share[96];
static struct p9_fs *fs;
static u8 req[P9_MAX_MSIZE + 64];
static u8 reply[P9_MAX_MSIZE];
static struct p9_in rin;	/* the last reply, after its header */
static u16 next_tag = 1;
static u16 cur_tag;
static struct p9_out out;

/* --- the scratch share ----------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void in_base(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", base, name);
}

static void in_share(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", share, name);
}

/*
 * base/secret, and in base/share: sub/, abs -> /, etc -> /etc,
 * rel -> ../../.., up -> .., esc -> base/secret.
 */
static void make_tree(void)
{
	char p[PATH_MAX];

	snprintf(base, sizeof(base), "/tmp/lkvm-p9-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(share, sizeof(share), "%s/share", base);
	ck_assert_int_eq(mkdir(share, 0755), 0);
	in_base(p, "secret");
	write_file(p, SECRET);
	ck_assert_int_eq(chmod(p, 0644), 0);
	in_share(p, "sub");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	in_share(p, "abs");
	ck_assert_int_eq(symlink("/", p), 0);
	in_share(p, "etc");
	ck_assert_int_eq(symlink("/etc", p), 0);
	in_share(p, "rel");
	ck_assert_int_eq(symlink("../../..", p), 0);
	in_share(p, "up");
	ck_assert_int_eq(symlink("..", p), 0);
	in_base(p, "secret");
	{
		char l[PATH_MAX];

		in_share(l, "esc");
		ck_assert_int_eq(symlink(p, l), 0);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Nothing but the share and an intact secret beside it. */
static void check_outside(void)
{
	char p[PATH_MAX], buf[64] = "";
	struct stat st;
	int fd, n = 0;
	DIR *d;

	in_base(p, "secret");
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	ck_assert_str_eq(buf, SECRET);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_uint_eq(st.st_nlink, 1);
	d = opendir(base);
	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	ck_assert_int_eq(n, 4);		/* ., .., secret, share */
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int fds_before;

static void fixture_tree(void)
{
	umask(077);		/* the server must not apply its own umask */
	make_tree();
	fds_before = count_fds();
}

static void fixture_clean(void)
{
	if (fs)
		p9_fs_destroy(fs);
	fs = NULL;
	ck_assert_int_eq(count_fds(), fds_before);	/* every fid's fds closed */
	check_outside();
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- requests and replies ------------------------------------------------- */

static struct p9_out *begin(u8 type)
{
	cur_tag = next_tag++;
	if (next_tag == P9_NOTAG)
		next_tag = 1;
	p9_out_begin(&out, req, sizeof(req), type, cur_tag);
	return &out;
}

/* Decodes the reply's header: 0 (rin at the body), or -ecode of an Rlerror. */
static int check_reply(u32 rlen, u8 type, u16 tag)
{
	u8 rtype;
	int ecode;

	ck_assert_uint_ge(rlen, P9_HDR_SIZE);
	p9_in_init(&rin, reply, rlen);
	ck_assert_uint_eq(p9_get32(&rin), rlen);
	rtype = p9_get8(&rin);
	ck_assert_uint_eq(p9_get16(&rin), tag);
	if (rtype == P9_RLERROR) {
		ecode = p9_get32(&rin);
		ck_assert_int_eq(rin.err, 0);
		ck_assert_uint_eq(rin.pos, rlen);
		ck_assert_int_gt(ecode, 0);
		return -ecode;
	}
	ck_assert_uint_eq(rtype, type + 1);
	return 0;
}

static int send_raw(const void *msg, u32 len, u8 type, u16 tag)
{
	u32 rlen = p9_fs_handle(fs, msg, len, reply, sizeof(reply));

	return check_reply(rlen, type, tag);
}

static int send(void)
{
	u32 len = p9_out_end(&out);

	ck_assert_uint_gt(len, 0);
	return send_raw(req, len, req[4], cur_tag);
}

/* The reply's body was read exactly. */
static void done(void)
{
	ck_assert_int_eq(rin.err, 0);
	ck_assert_uint_eq(rin.pos, rin.len);
}

static int t_version(u32 msize, const char *version, u32 *got)
{
	struct p9_str v;
	int ret;

	p9_put32(begin(P9_TVERSION), msize);
	p9_put_cstr(&out, version);
	ret = send();
	if (ret)
		return ret;
	*got = p9_get32(&rin);
	p9_get_str(&rin, &v);
	done();
	return p9_str_eq(&v, P9_VERSION_L) ? 0 : -EPROTONOSUPPORT;
}

static int t_attach(u32 fid, u32 n_uname, struct p9_qid *q)
{
	int ret;

	p9_put32(begin(P9_TATTACH), fid);
	p9_put32(&out, P9_NOFID);
	p9_put_cstr(&out, "user");
	p9_put_cstr(&out, "");
	p9_put32(&out, n_uname);
	ret = send();
	if (!ret) {
		p9_get_qid(&rin, q);
		done();
	}
	return ret;
}

static void session(bool ro)
{
	struct err_msg e;
	struct p9_qid q;
	u32 msize;

	fs = p9_fs_create(share, ro, 0, &e);
	ck_assert_msg(fs, "%s", e.text);
	ck_assert_int_eq(t_version(MSIZE, P9_VERSION_L, &msize), 0);
	ck_assert_uint_eq(msize, MSIZE);
	ck_assert_int_eq(t_attach(ROOT, 0, &q), 0);
	ck_assert_uint_eq(q.type, P9_QTDIR);
}

/* Twalk of n names (NULL-terminated list); the count of qids, or -errno. */
static int t_walkv(u32 fid, u32 newfid, struct p9_qid *qids, const char *const *names)
{
	unsigned int n = 0, i;
	u16 nwqid;
	int ret;

	while (names[n])
		n++;
	p9_put32(begin(P9_TWALK), fid);
	p9_put32(&out, newfid);
	p9_put16(&out, n);
	for (i = 0; i < n; i++)
		p9_put_cstr(&out, names[i]);
	ret = send();
	if (ret)
		return ret;
	nwqid = p9_get16(&rin);
	ck_assert_uint_le(nwqid, n);
	for (i = 0; i < nwqid; i++) {
		struct p9_qid q;

		p9_get_qid(&rin, &q);
		if (qids)
			qids[i] = q;
	}
	done();
	return nwqid;
}

#define t_walk(fid, newfid, qids, ...) \
	t_walkv(fid, newfid, qids, (const char *const[]){ __VA_ARGS__, NULL })

static int t_clone(u32 fid, u32 newfid)
{
	return t_walkv(fid, newfid, NULL, (const char *const[]){ NULL });
}

static int t_fid_only(u8 type, u32 fid)
{
	int ret;

	p9_put32(begin(type), fid);
	ret = send();
	if (!ret && type != P9_TREADLINK && type != P9_TSTATFS)
		done();
	return ret;
}

static int t_clunk(u32 fid)
{
	return t_fid_only(P9_TCLUNK, fid);
}

static int t_lopen(u32 fid, u32 flags)
{
	struct p9_qid q;
	int ret;

	p9_put32(begin(P9_TLOPEN), fid);
	p9_put32(&out, flags);
	ret = send();
	if (!ret) {
		p9_get_qid(&rin, &q);
		ck_assert_uint_eq(p9_get32(&rin), 0);
		done();
	}
	return ret;
}

static int t_lcreate(u32 fid, const char *name, u32 flags, u32 mode, u32 gid)
{
	struct p9_qid q;
	int ret;

	p9_put32(begin(P9_TLCREATE), fid);
	p9_put_cstr(&out, name);
	p9_put32(&out, flags);
	p9_put32(&out, mode);
	p9_put32(&out, gid);
	ret = send();
	if (!ret) {
		p9_get_qid(&rin, &q);
		ck_assert_uint_eq(q.type, P9_QTFILE);
		p9_get32(&rin);
		done();
	}
	return ret;
}

static int t_write(u32 fid, u64 off, const void *data, u32 len)
{
	int ret;

	p9_put32(begin(P9_TWRITE), fid);
	p9_put64(&out, off);
	p9_put32(&out, len);
	p9_put_data(&out, data, len);
	ret = send();
	if (ret)
		return ret;
	ret = p9_get32(&rin);
	done();
	return ret;
}

/* Tread into buf; the count, or -errno. */
static int t_read(u32 fid, u64 off, u32 count, void *buf, u32 size)
{
	const u8 *p;
	u32 n;
	int ret;

	p9_put32(begin(P9_TREAD), fid);
	p9_put64(&out, off);
	p9_put32(&out, count);
	ret = send();
	if (ret)
		return ret;
	n = p9_get32(&rin);
	p = p9_get_data(&rin, n);
	done();
	if (buf)
		memcpy(buf, p, MIN(n, size));
	return n;
}

static int t_mkdir(u32 dfid, const char *name, u32 mode, struct p9_qid *q)
{
	int ret;

	p9_put32(begin(P9_TMKDIR), dfid);
	p9_put_cstr(&out, name);
	p9_put32(&out, mode);
	p9_put32(&out, 0);
	ret = send();
	if (!ret) {
		p9_get_qid(&rin, q);
		done();
	}
	return ret;
}

static int t_symlink(u32 dfid, const char *name, const char *target)
{
	struct p9_qid q;
	int ret;

	p9_put32(begin(P9_TSYMLINK), dfid);
	p9_put_cstr(&out, name);
	p9_put_cstr(&out, target);
	p9_put32(&out, 0);
	ret = send();
	if (!ret) {
		p9_get_qid(&rin, &q);
		ck_assert_uint_eq(q.type, P9_QTSYMLINK);
		done();
	}
	return ret;
}

static int t_mknod(u32 dfid, const char *name, u32 mode)
{
	struct p9_qid q;
	int ret;

	p9_put32(begin(P9_TMKNOD), dfid);
	p9_put_cstr(&out, name);
	p9_put32(&out, mode);
	p9_put32(&out, 1);
	p9_put32(&out, 3);
	p9_put32(&out, 0);
	ret = send();
	if (!ret) {
		p9_get_qid(&rin, &q);
		done();
	}
	return ret;
}

static int t_unlinkat(u32 dfid, const char *name, u32 flags)
{
	int ret;

	p9_put32(begin(P9_TUNLINKAT), dfid);
	p9_put_cstr(&out, name);
	p9_put32(&out, flags);
	ret = send();
	if (!ret)
		done();
	return ret;
}

static int t_renameat(u32 odfid, const char *oldname, u32 ndfid, const char *newname)
{
	int ret;

	p9_put32(begin(P9_TRENAMEAT), odfid);
	p9_put_cstr(&out, oldname);
	p9_put32(&out, ndfid);
	p9_put_cstr(&out, newname);
	ret = send();
	if (!ret)
		done();
	return ret;
}

/* Trename and Tlink: (fid, dfid, name) and (dfid, fid, name). */
static int t_rename(u32 fid, u32 dfid, const char *name)
{
	int ret;

	p9_put32(begin(P9_TRENAME), fid);
	p9_put32(&out, dfid);
	p9_put_cstr(&out, name);
	ret = send();
	if (!ret)
		done();
	return ret;
}

static int t_link(u32 dfid, u32 fid, const char *name)
{
	int ret;

	p9_put32(begin(P9_TLINK), dfid);
	p9_put32(&out, fid);
	p9_put_cstr(&out, name);
	ret = send();
	if (!ret)
		done();
	return ret;
}

static int t_readlink(u32 fid, char *buf, size_t size)
{
	struct p9_str s;
	int ret = t_fid_only(P9_TREADLINK, fid);

	if (ret)
		return ret;
	p9_get_str(&rin, &s);
	done();
	ck_assert_uint_lt(s.len, size);
	memcpy(buf, s.s, s.len);
	buf[s.len] = '\0';
	return 0;
}

struct attr {
	struct p9_qid qid;
	u32 mode, uid, gid;
	u64 nlink, size, atime, mtime, mtime_nsec;
};

static int t_getattr(u32 fid, struct attr *a)
{
	int ret;

	p9_put32(begin(P9_TGETATTR), fid);
	p9_put64(&out, P9_GETATTR_BASIC);
	ret = send();
	if (ret)
		return ret;
	ck_assert_uint_eq(p9_get64(&rin), P9_GETATTR_BASIC);
	p9_get_qid(&rin, &a->qid);
	a->mode = p9_get32(&rin);
	a->uid = p9_get32(&rin);
	a->gid = p9_get32(&rin);
	a->nlink = p9_get64(&rin);
	p9_get64(&rin);			/* rdev */
	a->size = p9_get64(&rin);
	p9_get64(&rin);			/* blksize */
	p9_get64(&rin);			/* blocks */
	a->atime = p9_get64(&rin);
	p9_get64(&rin);
	a->mtime = p9_get64(&rin);
	a->mtime_nsec = p9_get64(&rin);
	p9_get_data(&rin, 6 * 8);	/* ctime, btime, gen, data_version */
	done();
	return 0;
}

static int t_setattr(u32 fid, u32 valid, u32 mode, u64 size, u64 mtime)
{
	int ret;

	p9_put32(begin(P9_TSETATTR), fid);
	p9_put32(&out, valid);
	p9_put32(&out, mode);
	p9_put32(&out, 0);
	p9_put32(&out, 0);
	p9_put64(&out, size);
	p9_put64(&out, mtime);
	p9_put64(&out, 0);
	p9_put64(&out, mtime);
	p9_put64(&out, 5);
	ret = send();
	if (!ret)
		done();
	return ret;
}

static int t_lock(u32 fid, u8 type, u8 *status)
{
	int ret;

	p9_put32(begin(P9_TLOCK), fid);
	p9_put8(&out, type);
	p9_put32(&out, 0);
	p9_put64(&out, 0);
	p9_put64(&out, 0);
	p9_put32(&out, 77);
	p9_put_cstr(&out, "guest");
	ret = send();
	if (!ret) {
		*status = p9_get8(&rin);
		done();
	}
	return ret;
}

static int t_getlock(u32 fid, u8 *type)
{
	struct p9_str s;
	int ret;

	p9_put32(begin(P9_TGETLOCK), fid);
	p9_put8(&out, P9_LOCK_TYPE_WRLCK);
	p9_put64(&out, 0);
	p9_put64(&out, 0);
	p9_put32(&out, 78);
	p9_put_cstr(&out, "guest");
	ret = send();
	if (!ret) {
		*type = p9_get8(&rin);
		p9_get64(&rin);
		p9_get64(&rin);
		p9_get32(&rin);
		p9_get_str(&rin, &s);
		ck_assert(p9_str_eq(&s, "guest"));
		done();
	}
	return ret;
}

/* Every name Treaddir gives from offset 0 on, count bytes at a time, joined by '/'. */
static void t_readdir_all(u32 fid, u32 count, char *names, size_t size)
{
	u64 off = 0;
	u32 n;

	names[0] = '\0';
	for (;;) {
		struct p9_in body;

		p9_put32(begin(P9_TREADDIR), fid);
		p9_put64(&out, off);
		p9_put32(&out, count);
		ck_assert_int_eq(send(), 0);
		n = p9_get32(&rin);
		ck_assert_uint_le(n, count);
		p9_in_init(&body, p9_get_data(&rin, n), n);
		done();
		if (!n)
			break;
		while (body.pos < body.len) {
			struct p9_qid q;
			struct p9_str s;

			p9_get_qid(&body, &q);
			off = p9_get64(&body);
			p9_get8(&body);
			p9_get_str(&body, &s);
			ck_assert_int_eq(body.err, 0);
			ck_assert_uint_lt(strlen(names) + s.len + 2, size);
			strcat(names, "/");
			strncat(names, s.s, s.len);
		}
	}
	strcat(names, "/");
}

/* --- p9_config_parse ------------------------------------------------------ */

START_TEST(test_config_good)
{
	struct p9_config c;
	struct err_msg e;

	ck_assert_int_eq(p9_config_parse("/srv/data", &c, &e), 0);
	ck_assert_str_eq(c.dir, "/srv/data");
	ck_assert_str_eq(c.tag, P9_DEFAULT_TAG);
	ck_assert(!c.ro);
	ck_assert_int_eq(p9_config_parse("/srv/data,mytag", &c, &e), 0);
	ck_assert_str_eq(c.tag, "mytag");
	ck_assert(!c.ro);
	ck_assert_int_eq(p9_config_parse("rel/dir,t,ro", &c, &e), 0);
	ck_assert_str_eq(c.dir, "rel/dir");
	ck_assert_str_eq(c.tag, "t");
	ck_assert(c.ro);
	ck_assert_int_eq(p9_config_parse("/x,ro", &c, &e), 0);
	ck_assert_str_eq(c.tag, P9_DEFAULT_TAG);
	ck_assert(c.ro);
	ck_assert_int_eq(p9_config_parse("/x,abcdefghijklmnopqrstuvwxyz01234", &c, &e), 0);
	ck_assert_str_eq(c.tag, "abcdefghijklmnopqrstuvwxyz01234");
	/* Pure: a directory that does not exist is create's business. */
	ck_assert_int_eq(p9_config_parse("/does/not/exist", &c, &e), 0);
}
END_TEST

static void expect_bad(const char *arg, const char *needle)
{
	struct p9_config c;
	struct err_msg e = { 0 };

	ck_assert_int_eq(p9_config_parse(arg, &c, &e), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, needle), "'%s' not in '%s'", needle, e.text);
	ck_assert(!strchr(e.text, '\n'));
}

START_TEST(test_config_bad)
{
	char longdir[PATH_MAX + 10];

	expect_bad("", "''");
	expect_bad(",tag", "',tag'");
	expect_bad("/x,", "empty tag");
	expect_bad("/x,,ro", "empty tag");
	expect_bad("/x,t,rw", "'rw'");
	expect_bad("/x,t,ro,more", "'ro,more'");
	expect_bad("/x,t,", "''");
	expect_bad("/x,abcdefghijklmnopqrstuvwxyz012345", "'abcdefghijklmnopqrstuvwxyz012345'");
	expect_bad("/x,abcdefghijklmnopqrstuvwxyz012345", "31");
	expect_bad("/x,a b", "'a b'");
	expect_bad("/x,t\x01", "non-ASCII");
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[sizeof(longdir) - 1] = '\0';
	expect_bad(longdir, "shorter path");
}
END_TEST

START_TEST(test_create_errors)
{
	struct err_msg e = { 0 };
	char p[PATH_MAX];

	ck_assert_ptr_null(p9_fs_create("/does/not/exist", false, 0, &e));
	ck_assert(e.usage);
	ck_assert(strstr(e.text, "'/does/not/exist'"));
	ck_assert(strstr(e.text, "does not exist"));
	in_base(p, "secret");
	memset(&e, 0, sizeof(e));
	ck_assert_ptr_null(p9_fs_create(p, false, 0, &e));
	ck_assert(e.usage);
	ck_assert(strstr(e.text, p));
	ck_assert(strstr(e.text, "not a directory"));
}
END_TEST

/* --- the wire format ------------------------------------------------------ */

/* Builds a message by hand and parses it. */
static int parse_built(struct p9_req *r)
{
	u32 len = p9_out_end(&out);

	ck_assert_uint_gt(len, 0);
	return p9_parse(req, len, r);
}

START_TEST(test_parse_each)
{
	struct p9_req r;

	p9_put32(begin(P9_TVERSION), 8192);
	p9_put_cstr(&out, "9P2000.L");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.type, P9_TVERSION);
	ck_assert_uint_eq(r.tag, cur_tag);
	ck_assert_uint_eq(r.version.msize, 8192);
	ck_assert(p9_str_eq(&r.version.version, "9P2000.L"));

	p9_put32(begin(P9_TATTACH), 5);
	p9_put32(&out, P9_NOFID);
	p9_put_cstr(&out, "root");
	p9_put_cstr(&out, "/x");
	p9_put32(&out, 1000);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.attach.fid, 5);
	ck_assert_uint_eq(r.attach.afid, P9_NOFID);
	ck_assert(p9_str_eq(&r.attach.uname, "root") && p9_str_eq(&r.attach.aname, "/x"));
	ck_assert_uint_eq(r.attach.n_uname, 1000);

	p9_put32(begin(P9_TAUTH), 6);
	p9_put_cstr(&out, "u");
	p9_put_cstr(&out, "");
	p9_put32(&out, 7);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.attach.fid, 6);
	ck_assert_uint_eq(r.attach.n_uname, 7);

	p9_put16(begin(P9_TFLUSH), 42);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.flush.oldtag, 42);

	p9_put32(begin(P9_TWALK), 1);
	p9_put32(&out, 2);
	p9_put16(&out, 2);
	p9_put_cstr(&out, "a");
	p9_put_cstr(&out, "bc");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.walk.fid, 1);
	ck_assert_uint_eq(r.walk.newfid, 2);
	ck_assert_uint_eq(r.walk.nwname, 2);
	ck_assert(p9_str_eq(&r.walk.wname[0], "a") && p9_str_eq(&r.walk.wname[1], "bc"));

	p9_put32(begin(P9_TLOPEN), 3);
	p9_put32(&out, P9_DOTL_RDWR | P9_DOTL_TRUNC);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.lopen.fid, 3);
	ck_assert_uint_eq(r.lopen.flags, P9_DOTL_RDWR | P9_DOTL_TRUNC);

	p9_put32(begin(P9_TLCREATE), 3);
	p9_put_cstr(&out, "new");
	p9_put32(&out, 1);
	p9_put32(&out, 0644);
	p9_put32(&out, 100);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert(p9_str_eq(&r.lcreate.name, "new"));
	ck_assert_uint_eq(r.lcreate.flags, 1);
	ck_assert_uint_eq(r.lcreate.mode, 0644);
	ck_assert_uint_eq(r.lcreate.gid, 100);

	p9_put32(begin(P9_TREAD), 4);
	p9_put64(&out, 1ULL << 40);
	p9_put32(&out, 4096);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.io.fid, 4);
	ck_assert_uint_eq(r.io.offset, 1ULL << 40);
	ck_assert_uint_eq(r.io.count, 4096);
	ck_assert_ptr_null(r.io.data);

	p9_put32(begin(P9_TWRITE), 4);
	p9_put64(&out, 9);
	p9_put32(&out, 3);
	p9_put_data(&out, "xyz", 3);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.io.count, 3);
	ck_assert(!memcmp(r.io.data, "xyz", 3));

	p9_put32(begin(P9_TREADDIR), 4);
	p9_put64(&out, 77);
	p9_put32(&out, 100);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.io.offset, 77);
	ck_assert_uint_eq(r.io.count, 100);

	p9_put32(begin(P9_TSYMLINK), 3);
	p9_put_cstr(&out, "l");
	p9_put_cstr(&out, "../t");
	p9_put32(&out, 5);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert(p9_str_eq(&r.symlink.name, "l") && p9_str_eq(&r.symlink.target, "../t"));
	ck_assert_uint_eq(r.symlink.gid, 5);

	p9_put32(begin(P9_TMKNOD), 3);
	p9_put_cstr(&out, "n");
	p9_put32(&out, S_IFIFO | 0600);
	p9_put32(&out, 8);
	p9_put32(&out, 9);
	p9_put32(&out, 10);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.mknod.mode, S_IFIFO | 0600);
	ck_assert_uint_eq(r.mknod.major, 8);
	ck_assert_uint_eq(r.mknod.minor, 9);
	ck_assert_uint_eq(r.mknod.gid, 10);

	p9_put32(begin(P9_TMKDIR), 3);
	p9_put_cstr(&out, "d");
	p9_put32(&out, 0755);
	p9_put32(&out, 11);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.mknod.dfid, 3);
	ck_assert_uint_eq(r.mknod.mode, 0755);
	ck_assert_uint_eq(r.mknod.gid, 11);

	p9_put32(begin(P9_TRENAME), 3);
	p9_put32(&out, 4);
	p9_put_cstr(&out, "to");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.rename.fid, 3);
	ck_assert_uint_eq(r.rename.dfid, 4);
	ck_assert(p9_str_eq(&r.rename.name, "to"));

	p9_put32(begin(P9_TGETATTR), 3);
	p9_put64(&out, 0x3fff);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.getattr.mask, 0x3fff);

	p9_put32(begin(P9_TSETATTR), 3);
	p9_put32(&out, 0x1ff);
	p9_put32(&out, 0600);
	p9_put32(&out, 1);
	p9_put32(&out, 2);
	p9_put64(&out, 3);
	p9_put64(&out, 4);
	p9_put64(&out, 5);
	p9_put64(&out, 6);
	p9_put64(&out, 7);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.setattr.valid, 0x1ff);
	ck_assert_uint_eq(r.setattr.mode, 0600);
	ck_assert_uint_eq(r.setattr.uid + r.setattr.gid, 3);
	ck_assert_uint_eq(r.setattr.size, 3);
	ck_assert_uint_eq(r.setattr.atime_sec, 4);
	ck_assert_uint_eq(r.setattr.atime_nsec, 5);
	ck_assert_uint_eq(r.setattr.mtime_sec, 6);
	ck_assert_uint_eq(r.setattr.mtime_nsec, 7);

	p9_put32(begin(P9_TXATTRWALK), 3);
	p9_put32(&out, 4);
	p9_put_cstr(&out, "user.x");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.xattrwalk.newfid, 4);
	ck_assert(p9_str_eq(&r.xattrwalk.name, "user.x"));

	p9_put32(begin(P9_TXATTRCREATE), 3);
	p9_put_cstr(&out, "user.y");
	p9_put64(&out, 12);
	p9_put32(&out, 1);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.xattrcreate.size, 12);
	ck_assert_uint_eq(r.xattrcreate.flags, 1);

	p9_put32(begin(P9_TFSYNC), 3);
	p9_put32(&out, 1);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.fsync.datasync, 1);
	p9_put32(begin(P9_TFSYNC), 3);		/* older clients: no datasync */
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.fsync.fid, 3);
	ck_assert_uint_eq(r.fsync.datasync, 0);

	p9_put32(begin(P9_TLOCK), 3);
	p9_put8(&out, P9_LOCK_TYPE_WRLCK);
	p9_put32(&out, P9_LOCK_FLAGS_BLOCK);
	p9_put64(&out, 10);
	p9_put64(&out, 20);
	p9_put32(&out, 99);
	p9_put_cstr(&out, "cid");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.lock.type, P9_LOCK_TYPE_WRLCK);
	ck_assert_uint_eq(r.lock.flags, P9_LOCK_FLAGS_BLOCK);
	ck_assert_uint_eq(r.lock.start, 10);
	ck_assert_uint_eq(r.lock.length, 20);
	ck_assert_uint_eq(r.lock.proc_id, 99);
	ck_assert(p9_str_eq(&r.lock.client_id, "cid"));

	p9_put32(begin(P9_TGETLOCK), 3);
	p9_put8(&out, P9_LOCK_TYPE_RDLCK);
	p9_put64(&out, 1);
	p9_put64(&out, 2);
	p9_put32(&out, 3);
	p9_put_cstr(&out, "c");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.lock.flags, 0);
	ck_assert_uint_eq(r.lock.start, 1);
	ck_assert_uint_eq(r.lock.length, 2);
	ck_assert_uint_eq(r.lock.proc_id, 3);

	p9_put32(begin(P9_TLINK), 3);
	p9_put32(&out, 4);
	p9_put_cstr(&out, "hard");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.link.dfid, 3);
	ck_assert_uint_eq(r.link.fid, 4);
	ck_assert(p9_str_eq(&r.link.name, "hard"));

	p9_put32(begin(P9_TRENAMEAT), 3);
	p9_put_cstr(&out, "a");
	p9_put32(&out, 4);
	p9_put_cstr(&out, "b");
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.renameat.olddirfid, 3);
	ck_assert_uint_eq(r.renameat.newdirfid, 4);
	ck_assert(p9_str_eq(&r.renameat.oldname, "a") && p9_str_eq(&r.renameat.newname, "b"));

	p9_put32(begin(P9_TUNLINKAT), 3);
	p9_put_cstr(&out, "gone");
	p9_put32(&out, P9_DOTL_AT_REMOVEDIR);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert(p9_str_eq(&r.unlinkat.name, "gone"));
	ck_assert_uint_eq(r.unlinkat.flags, P9_DOTL_AT_REMOVEDIR);

	p9_put32(begin(P9_TSTATFS), 8);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.fid.fid, 8);
	p9_put32(begin(P9_TREADLINK), 8);
	ck_assert_int_eq(parse_built(&r), 0);
	p9_put32(begin(P9_TCLUNK), 8);
	ck_assert_int_eq(parse_built(&r), 0);
	p9_put32(begin(P9_TREMOVE), 9);
	ck_assert_int_eq(parse_built(&r), 0);
	ck_assert_uint_eq(r.fid.fid, 9);
}
END_TEST

/*
 * Each request's fields, in order: b u8, w u16, d u32, q u64, s a string;
 * W is Twalk's count (2) and S a walk name, D Twrite's count (4) and data.
 */
static const struct { u8 type; const char *fields; } layouts[] = {
	{ P9_TSTATFS, "d" },		{ P9_TLOPEN, "dd" },
	{ P9_TLCREATE, "dsddd" },	{ P9_TSYMLINK, "dssd" },
	{ P9_TMKNOD, "dsdddd" },	{ P9_TRENAME, "dds" },
	{ P9_TREADLINK, "d" },		{ P9_TGETATTR, "dq" },
	{ P9_TSETATTR, "dddddqqqqq" },	{ P9_TXATTRWALK, "dds" },
	{ P9_TXATTRCREATE, "dsqd" },	{ P9_TREADDIR, "dqd" },
	{ P9_TFSYNC, "dd" },		{ P9_TLOCK, "dbdqqds" },
	{ P9_TGETLOCK, "dbqqds" },	{ P9_TLINK, "dds" },
	{ P9_TMKDIR, "dsdd" },		{ P9_TRENAMEAT, "dsds" },
	{ P9_TUNLINKAT, "dsd" },	{ P9_TVERSION, "ds" },
	{ P9_TAUTH, "dssd" },		{ P9_TATTACH, "ddssd" },
	{ P9_TFLUSH, "w" },		{ P9_TWALK, "ddWSS" },
	{ P9_TREAD, "dqd" },		{ P9_TWRITE, "dqD" },
	{ P9_TCLUNK, "d" },		{ P9_TREMOVE, "d" },
};

/* A well-formed message of the i-th layout, tag 7; its length. */
static u32 build_sample(unsigned int i, u8 *buf, u32 cap)
{
	struct p9_out o;
	const char *f;

	p9_out_begin(&o, buf, cap, layouts[i].type, 7);
	for (f = layouts[i].fields; *f; f++) {
		switch (*f) {
		case 'b':
			p9_put8(&o, 1);
			break;
		case 'w':
			p9_put16(&o, 5);
			break;
		case 'W':
			p9_put16(&o, 2);
			break;
		case 'd':
			p9_put32(&o, 1);
			break;
		case 'q':
			p9_put64(&o, 2);
			break;
		case 's':
		case 'S':
			p9_put_cstr(&o, "nm");
			break;
		case 'D':
			p9_put32(&o, 4);
			p9_put_data(&o, "data", 4);
			break;
		}
	}
	return p9_out_end(&o);
}

static unsigned int layout_of(u8 type)
{
	unsigned int i;

	for (i = 0; layouts[i].type != type; i++)
		;
	return i;
}

START_TEST(test_parse_hostile)
{
	u8 msg[512] = { 0 }, copy[512];
	struct p9_req r;
	unsigned int i;
	u32 len, cut;

	/* Shorter than a header: no tag to answer with. */
	ck_assert_int_eq(p9_parse(msg, 0, &r), -EPROTO);
	ck_assert_uint_eq(r.tag, P9_NOTAG);
	len = build_sample(layout_of(P9_TCLUNK), msg, sizeof(msg));
	ck_assert_int_eq(p9_parse(msg, 6, &r), -EPROTO);
	ck_assert_uint_eq(r.tag, P9_NOTAG);
	/* The size field larger than the buffer, or smaller than a header. */
	ck_assert_int_eq(p9_parse(msg, len - 1, &r), -EPROTO);
	ck_assert_uint_eq(r.tag, 7);
	msg[0] = 6;
	ck_assert_int_eq(p9_parse(msg, len, &r), -EPROTO);
	msg[0] = 0xff;
	msg[3] = 0xff;
	ck_assert_int_eq(p9_parse(msg, len, &r), -EPROTO);
	/* A buffer longer than the size field says is fine: the rest is ignored. */
	len = build_sample(layout_of(P9_TCLUNK), msg, sizeof(msg));
	ck_assert_int_eq(p9_parse(msg, sizeof(msg), &r), 0);

	/*
	 * Every type, cut anywhere: the size field says where the message
	 * ends, and no field may be read past it (valgrind sees the copy).
	 */
	for (i = 0; i < ARRAY_SIZE(layouts); i++) {
		len = build_sample(i, msg, sizeof(msg));
		ck_assert_int_eq(p9_parse(msg, len, &r), 0);
		ck_assert_uint_eq(r.type, layouts[i].type);
		for (cut = P9_HDR_SIZE; cut < len; cut++) {
			int ret;

			memcpy(copy, msg, cut);
			copy[0] = cut;
			copy[1] = copy[2] = copy[3] = 0;
			ret = p9_parse(copy, cut, &r);
			if (layouts[i].type == P9_TFSYNC && cut >= P9_HDR_SIZE + 4)
				ck_assert_int_eq(ret, 0);	/* datasync is optional */
			else
				ck_assert_msg(ret == -EPROTO, "type %u cut at %u: %d",
					      layouts[i].type, cut, ret);
		}
	}
	/* Random messages in buffers of exactly their length. */
	srandom(99);
	for (i = 0; i < 20000; i++) {
		u32 n = random() % 48, j;
		u8 *m = malloc(n ? n : 1);

		for (j = 0; j < n; j++)
			m[j] = random();
		if (n >= 4 && random() % 2) {
			m[0] = n - random() % 2;
			m[1] = m[2] = m[3] = 0;
		}
		if (n >= 5)
			m[4] = layouts[random() % ARRAY_SIZE(layouts)].type;
		p9_parse(m, n, &r);
		free(m);
	}

	/* A string's length running past the end. */
	p9_put32(begin(P9_TATTACH), 1);
	p9_put32(&out, P9_NOFID);
	p9_put16(&out, 200);
	p9_put_data(&out, "abc", 3);
	ck_assert_int_eq(parse_built(&r), -EPROTO);
	/* A NUL inside a string. */
	p9_put32(begin(P9_TWALK), 1);
	p9_put32(&out, 2);
	p9_put16(&out, 1);
	p9_put_str(&out, "a\0b", 3);
	ck_assert_int_eq(parse_built(&r), -EINVAL);
	/* 17 names. */
	p9_put32(begin(P9_TWALK), 1);
	p9_put32(&out, 2);
	p9_put16(&out, 17);
	for (i = 0; i < 17; i++)
		p9_put_cstr(&out, "a");
	ck_assert_int_eq(parse_built(&r), -EINVAL);
	/* 65535 names claimed, none there. */
	p9_put32(begin(P9_TWALK), 1);
	p9_put32(&out, 2);
	p9_put16(&out, 0xffff);
	ck_assert_int_eq(parse_built(&r), -EINVAL);
	/* Twrite's count beyond its data. */
	p9_put32(begin(P9_TWRITE), 1);
	p9_put64(&out, 0);
	p9_put32(&out, 0xffffffff);
	p9_put_data(&out, "abc", 3);
	ck_assert_int_eq(parse_built(&r), -EPROTO);
	/* Types this server does not know, replies among them. */
	begin(P9_RLERROR);
	ck_assert_int_eq(parse_built(&r), -EOPNOTSUPP);
	begin(112);		/* 9P2000 Topen */
	ck_assert_int_eq(parse_built(&r), -EOPNOTSUPP);
	begin(255);
	ck_assert_int_eq(parse_built(&r), -EOPNOTSUPP);
}
END_TEST

START_TEST(test_build_bounds)
{
	u8 buf[32];
	struct p9_out o;
	struct p9_in in;

	ck_assert_uint_eq(p9_build_lerror(buf, P9_RLERROR_SIZE - 1, 1, EIO), 0);
	ck_assert_uint_eq(p9_build_lerror(buf, P9_RLERROR_SIZE, 0x1234, EIO), P9_RLERROR_SIZE);
	p9_in_init(&in, buf, P9_RLERROR_SIZE);
	ck_assert_uint_eq(p9_get32(&in), P9_RLERROR_SIZE);
	ck_assert_uint_eq(p9_get8(&in), P9_RLERROR);
	ck_assert_uint_eq(p9_get16(&in), 0x1234);
	ck_assert_uint_eq(p9_get32(&in), EIO);
	/* Past the end: zeroes and a sticky error. */
	ck_assert_uint_eq(p9_get64(&in), 0);
	ck_assert_int_eq(in.err, -EPROTO);
	ck_assert_ptr_null(p9_get_data(&in, 1));
	/* A reply that does not fit is not a message. */
	p9_out_begin(&o, buf, sizeof(buf), P9_RREADLINK, 1);
	p9_put_cstr(&o, "0123456789012345678901234567890123456789");
	ck_assert(o.full);
	ck_assert_uint_eq(p9_out_end(&o), 0);
	ck_assert_ptr_null(p9_put_space(&o, 1));
}
END_TEST

/* --- the server: hostile requests ---------------------------------------- */

START_TEST(test_session_rules)
{
	struct err_msg e;
	struct p9_qid q;
	struct attr a;
	u32 msize;
	u8 small[16];

	fs = p9_fs_create(share, false, 0, &e);
	ck_assert_msg(fs, "%s", e.text);
	/* Nothing before Tversion. */
	ck_assert_int_eq(t_attach(ROOT, 0, &q), -EPROTO);
	ck_assert_int_eq(t_version(MSIZE, "9P2000", &msize), -EPROTONOSUPPORT);
	ck_assert_int_eq(t_attach(ROOT, 0, &q), -EPROTO);
	ck_assert_int_eq(t_version(1024, P9_VERSION_L, &msize), -EINVAL);
	/* msize: what the guest asks, capped by what the buffers allow. */
	ck_assert_int_eq(t_version(0xffffffff, P9_VERSION_L, &msize), 0);
	ck_assert_uint_eq(msize, P9_MAX_MSIZE);
	ck_assert_int_eq(t_version(8192, P9_VERSION_L, &msize), 0);
	ck_assert_uint_eq(msize, 8192);
	ck_assert_int_eq(t_attach(ROOT, 0, &q), 0);
	/* fid reuse, NOFID, unknown fids */
	ck_assert_int_eq(t_attach(ROOT, 0, &q), -EINVAL);
	ck_assert_int_eq(t_attach(P9_NOFID, 0, &q), -EINVAL);
	ck_assert_int_eq(t_clone(ROOT, ROOT + 1), 0);
	ck_assert_int_eq(t_clone(ROOT, ROOT + 1), -EINVAL);
	ck_assert_int_eq(t_clone(ROOT, P9_NOFID), -EINVAL);
	ck_assert_int_eq(t_clone(99, 100), -EBADF);
	ck_assert_int_eq(t_getattr(99, &a), -EBADF);
	ck_assert_int_eq(t_lopen(99, 0), -EBADF);
	ck_assert_int_eq(t_read(99, 0, 10, NULL, 0), -EBADF);
	ck_assert_int_eq(t_write(99, 0, "x", 1), -EBADF);
	ck_assert_int_eq(t_clunk(99), -EBADF);
	ck_assert_int_eq(t_fid_only(P9_TSTATFS, 99), -EBADF);
	ck_assert_int_eq(t_fid_only(P9_TREMOVE, 99), -EBADF);
	ck_assert_int_eq(t_mkdir(99, "d", 0755, &q), -EBADF);
	/* I/O on a fid that was never opened. */
	ck_assert_int_eq(t_read(ROOT, 0, 10, NULL, 0), -EBADF);
	ck_assert_uint_eq(p9_fs_nr_fids(fs), 2);
	ck_assert_int_eq(t_clunk(ROOT + 1), 0);
	ck_assert_int_eq(t_clunk(ROOT + 1), -EBADF);
	/* A new Tversion ends the session: its fids are gone. */
	ck_assert_int_eq(t_version(MSIZE, P9_VERSION_L, &msize), 0);
	ck_assert_uint_eq(p9_fs_nr_fids(fs), 0);
	ck_assert_int_eq(t_getattr(ROOT, &a), -EBADF);
	ck_assert_int_eq(t_attach(ROOT, 0, &q), 0);
	/* Replies larger than the room given: an Rlerror, or nothing under 11 bytes. */
	p9_put32(begin(P9_TGETATTR), ROOT);
	p9_put64(&out, P9_GETATTR_BASIC);
	ck_assert_uint_eq(p9_fs_handle(fs, req, p9_out_end(&out), small, 10), 0);
	ck_assert_uint_eq(p9_fs_handle(fs, req, out.pos, small, sizeof(small)), P9_RLERROR_SIZE);
	ck_assert_uint_eq(small[4], P9_RLERROR);
	ck_assert_uint_eq(small[7], EMSGSIZE);
	/* Tauth, Tflush, xattrs. */
	p9_put32(begin(P9_TAUTH), 9);
	p9_put_cstr(&out, "u");
	p9_put_cstr(&out, "");
	p9_put32(&out, 0);
	ck_assert_int_eq(send(), -EOPNOTSUPP);
	p9_put16(begin(P9_TFLUSH), 3);
	ck_assert_int_eq(send(), 0);
	done();
	p9_put32(begin(P9_TXATTRWALK), ROOT);
	p9_put32(&out, 50);
	p9_put_cstr(&out, "security.capability");
	ck_assert_int_eq(send(), -EOPNOTSUPP);
	p9_put32(begin(P9_TXATTRWALK), ROOT);
	p9_put32(&out, 50);
	p9_put_cstr(&out, "");
	ck_assert_int_eq(send(), -EOPNOTSUPP);
	ck_assert_int_eq(t_getattr(50, &a), -EBADF);
	p9_put32(begin(P9_TXATTRCREATE), ROOT);
	p9_put_cstr(&out, "user.a");
	p9_put64(&out, 1);
	p9_put32(&out, 0);
	ck_assert_int_eq(send(), -EOPNOTSUPP);
	/* A reply's type for a request. */
	p9_put32(begin(P9_RCLUNK), ROOT);
	ck_assert_int_eq(send(), -EOPNOTSUPP);
	/* Reset: no fids, no session. */
	p9_fs_reset(fs);
	ck_assert_uint_eq(p9_fs_nr_fids(fs), 0);
	ck_assert_int_eq(t_getattr(ROOT, &a), -EPROTO);
}
END_TEST

START_TEST(test_hostile_messages)
{
	struct p9_qid q;
	struct attr a;
	u8 msg[64];
	u32 len;
	int n;

	session(false);
	/* Bad names in a walk; a failed first step creates no fid. */
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "sub/.."), -EINVAL);
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, ""), -EINVAL);
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "."), -EINVAL);
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "/etc"), -EINVAL);
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "nothere"), -ENOENT);
	ck_assert_int_eq(t_getattr(2, &a), -EBADF);
	/* 16 names is the most. */
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "..", "..", "..", "..", "..", "..", "..", "..",
				"..", "..", "..", "..", "..", "..", "..", ".."), 16);
	ck_assert_int_eq(t_clunk(2), 0);
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "..", "..", "..", "..", "..", "..", "..", "..",
				"..", "..", "..", "..", "..", "..", "..", "..", ".."), -EINVAL);
	/* A name with a NUL in it. */
	p9_put32(begin(P9_TWALK), ROOT);
	p9_put32(&out, 2);
	p9_put16(&out, 1);
	p9_put_str(&out, "sub\0", 4);
	ck_assert_int_eq(send(), -EINVAL);
	/* Names over NAME_MAX. */
	{
		char longname[300];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		ck_assert_int_eq(t_walk(ROOT, 2, NULL, longname), -ENAMETOOLONG);
		ck_assert_int_eq(t_mkdir(ROOT, longname, 0755, &q), -ENAMETOOLONG);
	}
	/* Size fields that lie, through the server. */
	len = build_sample(layout_of(P9_TGETATTR), msg, sizeof(msg));
	ck_assert_uint_eq(len, P9_HDR_SIZE + 12);
	ck_assert_int_eq(send_raw(msg, len - 1, P9_TGETATTR, 7), -EPROTO);
	msg[0] = 3;
	ck_assert_int_eq(send_raw(msg, len, P9_TGETATTR, 7), -EPROTO);
	ck_assert_uint_eq(p9_fs_handle(fs, msg, 5, reply, sizeof(reply)), P9_RLERROR_SIZE);
	ck_assert_uint_eq(reply[5] | reply[6] << 8, P9_NOTAG);
	/* Absurd counts: clamped to what fits the reply. */
	ck_assert_int_eq(t_lcreate(ROOT, "big", P9_DOTL_RDWR, 0644, 0), 0);
	{
		static u8 data[MSIZE];

		memset(data, 'x', sizeof(data));
		ck_assert_int_eq(t_write(ROOT, 0, data, MSIZE - 23), MSIZE - 23);
		ck_assert_int_eq(t_write(ROOT, MSIZE - 23, data, MSIZE - 23), MSIZE - 23);
	}
	n = t_read(ROOT, 0, 0xffffffff, NULL, 0);
	ck_assert_int_eq(n, MSIZE - P9_IOHDR_SIZE);
	ck_assert_int_eq(t_read(ROOT, 1ULL << 40, 100, NULL, 0), 0);
	ck_assert_int_eq(t_read(ROOT, 1ULL << 63, 100, NULL, 0), -EINVAL);
	ck_assert_int_eq(t_write(ROOT, 1ULL << 63, "x", 1), -EINVAL);
	p9_put32(begin(P9_TWRITE), ROOT);
	p9_put64(&out, 0);
	p9_put32(&out, 0xffffffff);
	p9_put_data(&out, "abc", 3);
	ck_assert_int_eq(send(), -EPROTO);
	ck_assert_int_eq(t_clunk(ROOT), 0);
	ck_assert_int_eq(t_attach(ROOT, 0, &q), 0);
	ck_assert_int_eq(t_clone(ROOT, 3), 0);
	ck_assert_int_eq(t_lopen(3, P9_DOTL_RDONLY | P9_DOTL_DIRECTORY), 0);
	{
		p9_put32(begin(P9_TREADDIR), 3);
		p9_put64(&out, 0);
		p9_put32(&out, 0xffffffff);
		ck_assert_int_eq(send(), 0);
		n = p9_get32(&rin);
		ck_assert_int_gt(n, 0);
		ck_assert_uint_le(n, MSIZE - P9_IOHDR_SIZE);
		p9_get_data(&rin, n);
		done();
		/* An offset no directory has. */
		p9_put32(begin(P9_TREADDIR), 3);
		p9_put64(&out, 1ULL << 63);
		p9_put32(&out, 100);
		ck_assert_int_eq(send(), -EINVAL);
		/* Readdir on a file, read on a directory. */
		ck_assert_int_eq(t_read(3, 0, 10, NULL, 0), -EISDIR);
	}
	/* Opening twice, walking an open fid in place. */
	ck_assert_int_eq(t_lopen(3, P9_DOTL_RDONLY), -EBUSY);
	ck_assert_int_eq(t_walk(3, 3, NULL, "sub"), -EBUSY);
	ck_assert_int_eq(t_lopen(ROOT, 3), -EINVAL);	/* accmode 3 */
	/* Device nodes may not be made. */
	ck_assert_int_eq(t_mknod(ROOT, "dev", S_IFCHR | 0600), -EPERM);
	ck_assert_int_eq(t_mknod(ROOT, "blk", S_IFBLK | 0600), -EPERM);
	/* Unknown unlinkat flags; the share's root cannot go. */
	ck_assert_int_eq(t_unlinkat(ROOT, "big", 0x100), -EINVAL);
	ck_assert_int_eq(t_clone(ROOT, 4), 0);
	ck_assert_int_eq(t_fid_only(P9_TREMOVE, 4), -EBUSY);
	ck_assert_int_eq(t_getattr(4, &a), -EBADF);	/* clunked all the same */
	ck_assert_int_eq(t_rename(ROOT, ROOT, "x"), -EBUSY);
}
END_TEST

START_TEST(test_too_many_fids)
{
	struct rlimit rl;
	unsigned int i;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < P9_MAX_FIDS + 64)
		return;		/* cannot hold that many fds here */
	rl.rlim_cur = P9_MAX_FIDS + 64;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	session(false);
	for (i = 2; i <= P9_MAX_FIDS; i++)
		ck_assert_int_eq(t_clone(ROOT, i), 0);
	ck_assert_uint_eq(p9_fs_nr_fids(fs), P9_MAX_FIDS);
	ck_assert_int_eq(t_clone(ROOT, i), -EMFILE);
	ck_assert_int_eq(t_walk(ROOT, i, NULL, "sub"), -EMFILE);
	ck_assert_int_eq(t_clunk(2), 0);
	ck_assert_int_eq(t_walk(ROOT, i, NULL, "sub"), 1);
	p9_fs_destroy(fs);	/* closes them all */
	fs = NULL;
}
END_TEST

/* Random bytes after a valid header: any reply is a well-formed one. */
START_TEST(test_fuzz)
{
	static const u8 types[] = { P9_TWALK, P9_TLOPEN, P9_TLCREATE, P9_TREAD,
		P9_TREADDIR, P9_TGETATTR, P9_TMKDIR, P9_TSYMLINK, P9_TRENAMEAT, P9_TLINK,
		P9_TUNLINKAT, P9_TSETATTR, P9_TCLUNK, P9_TLOCK, P9_TREADLINK, P9_TRENAME };
	u8 msg[96];
	unsigned int i, j;
	u32 len, rlen;

	session(false);
	srandom(1234);
	for (i = 0; i < 20000; i++) {
		len = P9_HDR_SIZE + random() % (sizeof(msg) - P9_HDR_SIZE);
		for (j = 0; j < len; j++)
			msg[j] = random();
		/* Small fids and short names, so that some requests do something. */
		for (j = P9_HDR_SIZE; j + 4 <= len && j < 19; j += 4) {
			msg[j] = random() % 4;
			msg[j + 1] = msg[j + 2] = msg[j + 3] = 0;
		}
		if (len > 21 && random() % 2) {
			msg[15] = 1 + random() % 3;
			msg[16] = 0;
			for (j = 17; j < 20; j++)
				msg[j] = 'a' + random() % 3;
		}
		msg[0] = len;
		msg[1] = msg[2] = msg[3] = 0;
		msg[4] = types[random() % ARRAY_SIZE(types)];
		if (i % 500 == 0)
			msg[4] = P9_TATTACH;
		rlen = p9_fs_handle(fs, msg, len, reply, MSIZE);
		ck_assert_uint_ge(rlen, P9_RLERROR_SIZE - 4);
		ck_assert_uint_eq(reply[0] | reply[1] << 8 | reply[2] << 16 | (u32)reply[3] << 24,
				  rlen);
		ck_assert(reply[4] == P9_RLERROR || reply[4] == msg[4] + 1);
		ck_assert_uint_le(p9_fs_nr_fids(fs), P9_MAX_FIDS);
	}
}
END_TEST

/* --- the server: confinement ------------------------------------------------ */

START_TEST(test_dotdot_stays)
{
	struct p9_qid root, qs[16];
	struct attr a;

	session(false);
	ck_assert_int_eq(t_getattr(ROOT, &a), 0);
	root = a.qid;
	ck_assert_int_eq(t_walk(ROOT, 2, qs, ".."), 1);
	ck_assert_uint_eq(qs[0].path, root.path);
	ck_assert_int_eq(t_walk(ROOT, 3, qs, "..", "..", "sub", "..", ".."), 5);
	ck_assert_uint_eq(qs[2].type, P9_QTDIR);
	ck_assert_uint_eq(qs[4].path, root.path);
	/* The secret beside the share is not there however it is asked for. */
	ck_assert_int_eq(t_walk(ROOT, 4, qs, "..", "secret"), 1);
	ck_assert_int_eq(t_getattr(4, &a), -EBADF);
	ck_assert_int_eq(t_walk(ROOT, 4, qs, "..", "..", "share", "secret"), 2);
	ck_assert_int_eq(t_walk(2, 4, qs, "secret"), -ENOENT);
	/* ".." in create-like names is refused outright. */
	ck_assert_int_eq(t_mkdir(ROOT, "..", 0755, &qs[0]), -EINVAL);
	ck_assert_int_eq(t_lcreate(2, "..", P9_DOTL_RDWR, 0644, 0), -EINVAL);
	ck_assert_int_eq(t_lcreate(2, "../escaped", P9_DOTL_RDWR, 0644, 0), -EINVAL);
	ck_assert_int_eq(t_symlink(ROOT, "../l", "x"), -EINVAL);
	ck_assert_int_eq(t_mknod(ROOT, "../n", S_IFIFO | 0600), -EINVAL);
	ck_assert_int_eq(t_unlinkat(ROOT, "..", AT_REMOVEDIR), -EINVAL);
	ck_assert_int_eq(t_unlinkat(ROOT, "../secret", 0), -EINVAL);
}
END_TEST

START_TEST(test_symlinks_stay)
{
	struct p9_qid qs[16];
	struct attr a, b;
	char target[PATH_MAX], p[PATH_MAX];
	struct stat st;
	u8 status;

	session(false);
	/* A walk ends on a symlink and never goes through it. */
	ck_assert_int_eq(t_walk(ROOT, 2, qs, "abs"), 1);
	ck_assert_uint_eq(qs[0].type, P9_QTSYMLINK);
	ck_assert_int_eq(t_walk(ROOT, 3, qs, "abs", "etc"), 1);	/* partial */
	ck_assert_int_eq(t_getattr(3, &a), -EBADF);
	ck_assert_int_eq(t_walk(ROOT, 3, qs, "etc", "passwd"), 1);
	ck_assert_int_eq(t_walk(ROOT, 3, qs, "rel", "secret"), 1);
	ck_assert_int_eq(t_walk(ROOT, 3, qs, "up", "secret"), 1);
	ck_assert_int_eq(t_walk(ROOT, 3, qs, "sub", "..", "rel", ".."), 3);
	ck_assert_int_eq(t_walk(2, 3, qs, ".."), -ENOTDIR);
	ck_assert_int_eq(t_walk(2, 3, qs, "etc"), -ENOTDIR);
	/* Its own attributes, its target as stored. */
	ck_assert_int_eq(t_getattr(2, &a), 0);
	ck_assert_uint_eq(a.mode & S_IFMT, S_IFLNK);
	ck_assert_int_eq(t_readlink(2, target, sizeof(target)), 0);
	ck_assert_str_eq(target, "/");
	ck_assert_int_eq(t_walk(ROOT, 4, qs, "rel"), 1);
	ck_assert_int_eq(t_readlink(4, target, sizeof(target)), 0);
	ck_assert_str_eq(target, "../../..");
	ck_assert_int_eq(t_readlink(ROOT, target, sizeof(target)), -EINVAL);
	/* Opening a symlink for I/O is ELOOP, never its target. */
	ck_assert_int_eq(t_walk(ROOT, 5, qs, "esc"), 1);
	ck_assert_int_eq(t_lopen(5, P9_DOTL_RDONLY), -ELOOP);
	ck_assert_int_eq(t_lopen(5, P9_DOTL_RDWR | P9_DOTL_TRUNC), -ELOOP);
	ck_assert_int_eq(t_lopen(2, P9_DOTL_RDONLY | P9_DOTL_DIRECTORY), -ELOOP);
	ck_assert_int_eq(t_read(5, 0, 100, NULL, 0), -EBADF);
	/* Creating over it does not write through it. */
	ck_assert_int_eq(t_clone(ROOT, 6), 0);
	ck_assert_int_eq(t_lcreate(6, "esc", P9_DOTL_RDWR | P9_DOTL_TRUNC, 0644, 0), -ELOOP);
	ck_assert_int_eq(t_lcreate(6, "esc", P9_DOTL_RDWR | P9_DOTL_EXCL, 0644, 0), -EEXIST);
	ck_assert_int_eq(t_mkdir(ROOT, "esc", 0755, &qs[0]), -EEXIST);
	/* Its attributes are its own: the target outside keeps its own. */
	in_base(p, "secret");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(t_setattr(5, P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET, 0, 0, 1000), 0);
	ck_assert_int_eq(t_getattr(5, &b), 0);
	ck_assert_uint_eq(b.mtime, 1000);
	ck_assert_int_eq(t_setattr(5, P9_SETATTR_MODE, 0777, 0, 0), -EOPNOTSUPP);
	ck_assert_int_eq(t_setattr(5, P9_SETATTR_SIZE, 0, 0, 0), -ELOOP);
	{
		struct stat st2;

		ck_assert_int_eq(stat(p, &st2), 0);
		ck_assert_int_eq(st2.st_mtime, st.st_mtime);
	}
	/* Locks need an open file, which a symlink never is. */
	ck_assert_int_eq(t_lock(5, P9_LOCK_TYPE_WRLCK, &status), -EBADF);
	/* A hard link to it is a link to the symlink, inside the share. */
	ck_assert_int_eq(t_link(ROOT, 5, "esc2"), 0);
	in_share(p, "esc2");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_uint_eq(st.st_nlink, 2);
	/* Removing it removes the link only. */
	ck_assert_int_eq(t_fid_only(P9_TREMOVE, 5), 0);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_uint_eq(st.st_nlink, 1);
}
END_TEST

START_TEST(test_names_stay)
{
	struct p9_qid q;
	char p[PATH_MAX];
	struct stat st;

	session(false);
	ck_assert_int_eq(t_walk(ROOT, 2, &q, "sub"), 1);
	ck_assert_int_eq(t_clone(2, 3), 0);
	ck_assert_int_eq(t_lcreate(3, "f", P9_DOTL_RDWR, 0644, 0), 0);
	/* Every target name is one component of a directory of the share. */
	ck_assert_int_eq(t_renameat(2, "f", ROOT, "../moved"), -EINVAL);
	ck_assert_int_eq(t_renameat(2, "f", ROOT, ".."), -EINVAL);
	ck_assert_int_eq(t_renameat(2, "f", ROOT, "."), -EINVAL);
	ck_assert_int_eq(t_renameat(2, "f", ROOT, ""), -EINVAL);
	ck_assert_int_eq(t_renameat(2, "../secret", ROOT, "stolen"), -EINVAL);
	ck_assert_int_eq(t_rename(3, ROOT, "../moved"), -EINVAL);
	ck_assert_int_eq(t_rename(3, ROOT, "/tmp/moved"), -EINVAL);
	ck_assert_int_eq(t_link(ROOT, 3, "../linked"), -EINVAL);
	ck_assert_int_eq(t_link(ROOT, 3, ".."), -EINVAL);
	/* Through symlinked directories neither: those fids are not directories. */
	ck_assert_int_eq(t_walk(ROOT, 4, &q, "abs"), 1);
	ck_assert_int_eq(t_renameat(2, "f", 4, "moved"), -ENOTDIR);
	ck_assert_int_eq(t_rename(3, 4, "moved"), -ENOTDIR);
	ck_assert_int_eq(t_link(4, 3, "linked"), -ENOTDIR);
	ck_assert_int_eq(t_lcreate(4, "new", P9_DOTL_RDWR, 0644, 0), -ENOTDIR);
	ck_assert_int_eq(t_mkdir(4, "new", 0755, &q), -ENOTDIR);
	ck_assert_int_eq(t_symlink(4, "new", "x"), -ENOTDIR);
	ck_assert_int_eq(t_unlinkat(4, "etc", 0), -ENOTDIR);
	/* A symlink inside may point anywhere: stored, not followed. */
	ck_assert_int_eq(t_symlink(2, "out", "/etc/passwd"), 0);
	in_share(p, "sub/out");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	/* Renaming onto it replaces the link, nothing outside. */
	ck_assert_int_eq(t_renameat(2, "f", 2, "out"), 0);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* Trename follows the fid wherever it went. */
	ck_assert_int_eq(t_rename(3, ROOT, "top"), 0);
	in_share(p, "top");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
}
END_TEST

/* --- the server: round trips ------------------------------------------------ */

START_TEST(test_file_roundtrip)
{
	char buf[64], p[PATH_MAX];
	struct attr a;
	struct stat st;

	session(false);
	ck_assert_int_eq(t_clone(ROOT, 2), 0);
	ck_assert_int_eq(t_lcreate(2, "f", P9_DOTL_RDWR, 0640, 0), 0);
	ck_assert_int_eq(t_write(2, 0, "hello world", 11), 11);
	ck_assert_int_eq(t_read(2, 6, 100, buf, sizeof(buf)), 5);
	ck_assert(!memcmp(buf, "world", 5));
	ck_assert_int_eq(t_read(2, 11, 100, buf, sizeof(buf)), 0);
	p9_put32(begin(P9_TFSYNC), 2);
	p9_put32(&out, 1);
	ck_assert_int_eq(send(), 0);
	done();
	p9_put32(begin(P9_TFSYNC), 2);
	p9_put32(&out, 0);
	ck_assert_int_eq(send(), 0);
	done();
	/* The guest's mode exactly, whatever lkvm's umask (077 here). */
	ck_assert_int_eq(t_getattr(2, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0640);
	ck_assert_uint_eq(a.size, 11);
	ck_assert_uint_eq(a.nlink, 1);
	ck_assert_uint_eq(a.qid.type, P9_QTFILE);
	in_share(p, "f");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(a.qid.path, st.st_ino);
	/* Setattr: mode, size, mtime; the file is open read-write. */
	ck_assert_int_eq(t_setattr(2, P9_SETATTR_MODE | P9_SETATTR_SIZE | P9_SETATTR_MTIME |
				   P9_SETATTR_MTIME_SET | P9_SETATTR_CTIME, 0604, 5, 12345), 0);
	ck_assert_int_eq(t_getattr(2, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0604);
	ck_assert_uint_eq(a.size, 5);
	ck_assert_uint_eq(a.mtime, 12345);
	ck_assert_uint_eq(a.mtime_nsec, 5);
	/* Truncating through an unopened fid, and an atime of now. */
	ck_assert_int_eq(t_walk(ROOT, 3, NULL, "f"), 1);
	ck_assert_int_eq(t_setattr(3, P9_SETATTR_SIZE | P9_SETATTR_ATIME, 0, 2, 0), 0);
	ck_assert_int_eq(t_getattr(3, &a), 0);
	ck_assert_uint_eq(a.size, 2);
	ck_assert_uint_gt(a.atime, 12345);
	ck_assert_int_eq(t_setattr(ROOT, P9_SETATTR_SIZE, 0, 0, 0), -EISDIR);
	/* An existing name without EXCL opens it; with EXCL it is EEXIST. */
	ck_assert_int_eq(t_clone(ROOT, 4), 0);
	ck_assert_int_eq(t_lcreate(4, "f", P9_DOTL_RDONLY, 0600, 0), 0);
	ck_assert_int_eq(t_read(4, 0, 10, buf, sizeof(buf)), 2);
	ck_assert(!memcmp(buf, "he", 2));
	ck_assert_int_eq(t_clone(ROOT, 5), 0);
	ck_assert_int_eq(t_lcreate(5, "f", P9_DOTL_RDWR | P9_DOTL_EXCL, 0600, 0), -EEXIST);
	ck_assert_int_eq(t_lcreate(5, "sub", P9_DOTL_RDWR, 0600, 0), -EISDIR);
	/* Tlopen with TRUNC, APPEND. */
	ck_assert_int_eq(t_lopen(3, P9_DOTL_WRONLY | P9_DOTL_APPEND), 0);
	ck_assert_int_eq(t_write(3, 0, "!!", 2), 2);
	ck_assert_int_eq(t_read(4, 0, 10, buf, sizeof(buf)), 4);
	ck_assert(!memcmp(buf, "he!!", 4));
	ck_assert_int_eq(t_read(3, 0, 10, buf, sizeof(buf)), -EBADF);	/* write-only */
	ck_assert_int_eq(t_clone(ROOT, 6), 0);
	ck_assert_int_eq(t_walk(6, 6, NULL, "f"), 1);
	ck_assert_int_eq(t_lopen(6, P9_DOTL_RDWR | P9_DOTL_TRUNC), 0);
	ck_assert_int_eq(t_getattr(6, &a), 0);
	ck_assert_uint_eq(a.size, 0);
	/* Tremove: the file and the fid go. */
	ck_assert_int_eq(t_fid_only(P9_TREMOVE, 6), 0);
	ck_assert_int_eq(stat(p, &st), -1);
	ck_assert_int_eq(t_getattr(6, &a), -EBADF);
	/* The other fids still see the unlinked file; Tremove of it now fails. */
	ck_assert_int_eq(t_getattr(3, &a), 0);
	ck_assert_uint_eq(a.nlink, 0);
	ck_assert_int_eq(t_fid_only(P9_TREMOVE, 3), -ENOENT);
}
END_TEST

START_TEST(test_dir_roundtrip)
{
	char names[4096], target[64];
	struct p9_qid q;
	struct attr a;
	u8 status, type;
	unsigned int i;

	session(false);
	ck_assert_int_eq(t_mkdir(ROOT, "d", 02750, &q), 0);
	ck_assert_uint_eq(q.type, P9_QTDIR);
	ck_assert_int_eq(t_walk(ROOT, 2, NULL, "d"), 1);
	ck_assert_int_eq(t_getattr(2, &a), 0);
	ck_assert_uint_eq(a.mode & 0777, 0750);
	ck_assert_uint_eq(a.mode & S_IFMT, S_IFDIR);
	for (i = 0; i < 40; i++) {
		char name[32];

		snprintf(name, sizeof(name), "file-%02u-with-a-longer-name", i);
		ck_assert_int_eq(t_clone(2, 100 + i), 0);
		ck_assert_int_eq(t_lcreate(100 + i, name, P9_DOTL_WRONLY, 0600, 0), 0);
		ck_assert_int_eq(t_clunk(100 + i), 0);
	}
	/* Symlinks, fifos, hard links. */
	ck_assert_int_eq(t_symlink(2, "l", "file-00-with-a-longer-name"), 0);
	ck_assert_int_eq(t_walk(2, 3, NULL, "l"), 1);
	ck_assert_int_eq(t_readlink(3, target, sizeof(target)), 0);
	ck_assert_str_eq(target, "file-00-with-a-longer-name");
	ck_assert_int_eq(t_mknod(2, "fifo", S_IFIFO | 0620), 0);
	ck_assert_int_eq(t_walk(2, 4, NULL, "fifo"), 1);
	ck_assert_int_eq(t_getattr(4, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFIFO | 0620);
	ck_assert_int_eq(t_lopen(4, P9_DOTL_RDONLY), 0);	/* does not wait for a writer */
	ck_assert_int_eq(t_mknod(2, "plain", 0644), 0);
	ck_assert_int_eq(t_walk(2, 5, NULL, "file-01-with-a-longer-name"), 1);
	ck_assert_int_eq(t_link(2, 5, "hard"), 0);
	ck_assert_int_eq(t_getattr(5, &a), 0);
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_int_eq(t_link(2, ROOT, "dirlink"), -EPERM);
	/* Readdir, whole and in small pieces, gives the same names. */
	ck_assert_int_eq(t_clone(2, 6), 0);
	ck_assert_int_eq(t_lopen(6, P9_DOTL_RDONLY | P9_DOTL_DIRECTORY), 0);
	t_readdir_all(6, 64, names, sizeof(names));
	{
		char whole[4096];
		unsigned int n = 0;
		const char *s;

		t_readdir_all(6, 65536, whole, sizeof(whole));
		ck_assert_uint_eq(strlen(whole), strlen(names));
		for (s = names; (s = strchr(s + 1, '/')); )
			n++;
		ck_assert_uint_eq(n, 40 + 6);	/* ., .., l, fifo, plain, hard */
		ck_assert(strstr(names, "/./") && strstr(names, "/../"));
		ck_assert(strstr(names, "/file-39-with-a-longer-name/"));
		ck_assert(strstr(names, "/hard/") && strstr(names, "/fifo/"));
	}
	/* A reply too small for one entry is empty, not cut. */
	p9_put32(begin(P9_TREADDIR), 6);
	p9_put64(&out, 0);
	p9_put32(&out, 10);
	ck_assert_int_eq(send(), 0);
	ck_assert_uint_eq(p9_get32(&rin), 0);
	done();
	ck_assert_int_eq(t_walk(ROOT, 7, NULL, "sub"), 1);
	p9_put32(begin(P9_TREADDIR), 7);	/* not open */
	p9_put64(&out, 0);
	p9_put32(&out, 100);
	ck_assert_int_eq(send(), -EBADF);
	/* renameat, Trename, unlinkat. */
	ck_assert_int_eq(t_renameat(2, "hard", 7, "moved"), 0);
	ck_assert_int_eq(t_walk(ROOT, 8, NULL, "sub", "moved"), 2);
	ck_assert_int_eq(t_rename(8, 2, "back"), 0);
	ck_assert_int_eq(t_walk(2, 9, NULL, "back"), 1);
	ck_assert_int_eq(t_renameat(2, "nothere", 7, "x"), -ENOENT);
	ck_assert_int_eq(t_unlinkat(ROOT, "d", AT_REMOVEDIR), -ENOTEMPTY);
	ck_assert_int_eq(t_unlinkat(2, "back", 0), 0);
	ck_assert_int_eq(t_unlinkat(ROOT, "sub", 0), -EISDIR);
	ck_assert_int_eq(t_unlinkat(ROOT, "sub", AT_REMOVEDIR), 0);
	/* statfs */
	ck_assert_int_eq(t_fid_only(P9_TSTATFS, 2), 0);
	p9_get32(&rin);
	ck_assert_uint_gt(p9_get32(&rin), 0);		/* bsize */
	p9_get_data(&rin, 6 * 8);
	ck_assert_uint_eq(p9_get32(&rin), 255);		/* namelen */
	done();
	/* Locks: OFD locks of each fid's open file. */
	ck_assert_int_eq(t_walk(2, 10, NULL, "plain"), 1);
	ck_assert_int_eq(t_lopen(10, P9_DOTL_RDWR), 0);
	ck_assert_int_eq(t_walk(2, 11, NULL, "plain"), 1);
	ck_assert_int_eq(t_lopen(11, P9_DOTL_RDWR), 0);
	ck_assert_int_eq(t_lock(10, P9_LOCK_TYPE_WRLCK, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_SUCCESS);
	ck_assert_int_eq(t_lock(11, P9_LOCK_TYPE_RDLCK, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_BLOCKED);
	ck_assert_int_eq(t_getlock(11, &type), 0);
	ck_assert_uint_eq(type, P9_LOCK_TYPE_WRLCK);
	ck_assert_int_eq(t_getlock(10, &type), 0);
	ck_assert_uint_eq(type, P9_LOCK_TYPE_UNLCK);
	ck_assert_int_eq(t_lock(10, P9_LOCK_TYPE_UNLCK, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_SUCCESS);
	ck_assert_int_eq(t_lock(11, P9_LOCK_TYPE_RDLCK, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_SUCCESS);
	ck_assert_int_eq(t_lock(11, 7, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_ERROR);
	/* Clunking the open fid drops its lock. */
	ck_assert_int_eq(t_clunk(11), 0);
	ck_assert_int_eq(t_lock(10, P9_LOCK_TYPE_WRLCK, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_SUCCESS);
}
END_TEST

START_TEST(test_ownership)
{
	struct p9_qid q;
	struct attr a;

	if (geteuid())
		return;		/* not root: new files stay lkvm's, silently */
	session(false);
	ck_assert_int_eq(t_attach(20, 4321, &q), 0);
	ck_assert_int_eq(t_clone(20, 21), 0);
	ck_assert_int_eq(t_lcreate(21, "owned", P9_DOTL_RDWR, 0600, 1234), 0);
	ck_assert_int_eq(t_getattr(21, &a), 0);
	ck_assert_uint_eq(a.uid, 4321);
	ck_assert_uint_eq(a.gid, 1234);
	p9_put32(begin(P9_TMKDIR), 20);
	p9_put_cstr(&out, "odir");
	p9_put32(&out, 0755);
	p9_put32(&out, 99);
	ck_assert_int_eq(send(), 0);
	ck_assert_int_eq(t_walk(20, 22, NULL, "odir"), 1);
	ck_assert_int_eq(t_getattr(22, &a), 0);
	ck_assert_uint_eq(a.uid, 4321);
	ck_assert_uint_eq(a.gid, 99);
	/* Setattr's uid/gid. */
	p9_put32(begin(P9_TSETATTR), 22);
	p9_put32(&out, P9_SETATTR_UID | P9_SETATTR_GID);
	p9_put32(&out, 0);
	p9_put32(&out, 7);
	p9_put32(&out, 8);
	p9_put_data(&out, (u8[40]){ 0 }, 40);
	ck_assert_int_eq(send(), 0);
	ck_assert_int_eq(t_getattr(22, &a), 0);
	ck_assert_uint_eq(a.uid, 7);
	ck_assert_uint_eq(a.gid, 8);
	/* n_uname unknown: lkvm's own owner. */
	ck_assert_int_eq(t_attach(30, P9_NONUNAME, &q), 0);
	ck_assert_int_eq(t_symlink(30, "sl", "x"), 0);
	ck_assert_int_eq(t_walk(30, 31, NULL, "sl"), 1);
	ck_assert_int_eq(t_getattr(31, &a), 0);
	ck_assert_uint_eq(a.uid, 0);
}
END_TEST

START_TEST(test_read_only)
{
	char p[PATH_MAX];
	struct p9_qid q;
	struct attr a;
	char buf[16];
	u8 status;

	in_share(p, "f");
	write_file(p, "data");
	session(true);
	ck_assert_int_eq(t_clone(ROOT, 2), 0);
	ck_assert_int_eq(t_lcreate(2, "new", P9_DOTL_RDWR, 0644, 0), -EROFS);
	ck_assert_int_eq(t_mkdir(ROOT, "d", 0755, &q), -EROFS);
	ck_assert_int_eq(t_symlink(ROOT, "s", "x"), -EROFS);
	ck_assert_int_eq(t_mknod(ROOT, "n", S_IFIFO | 0600), -EROFS);
	ck_assert_int_eq(t_walk(ROOT, 3, NULL, "f"), 1);
	ck_assert_int_eq(t_lopen(3, P9_DOTL_WRONLY), -EROFS);
	ck_assert_int_eq(t_lopen(3, P9_DOTL_RDWR), -EROFS);
	ck_assert_int_eq(t_lopen(3, P9_DOTL_RDONLY | P9_DOTL_TRUNC), -EROFS);
	ck_assert_int_eq(t_setattr(3, P9_SETATTR_MODE, 0777, 0, 0), -EROFS);
	ck_assert_int_eq(t_setattr(3, P9_SETATTR_SIZE, 0, 0, 0), -EROFS);
	ck_assert_int_eq(t_setattr(3, P9_SETATTR_MTIME, 0, 0, 0), -EROFS);
	ck_assert_int_eq(t_unlinkat(ROOT, "f", 0), -EROFS);
	ck_assert_int_eq(t_renameat(ROOT, "f", ROOT, "g"), -EROFS);
	ck_assert_int_eq(t_rename(3, ROOT, "g"), -EROFS);
	ck_assert_int_eq(t_link(ROOT, 3, "g"), -EROFS);
	p9_put32(begin(P9_TXATTRCREATE), 3);
	p9_put_cstr(&out, "user.a");
	p9_put64(&out, 1);
	p9_put32(&out, 0);
	ck_assert_int_eq(send(), -EROFS);
	/* Reading, and read locks, work. */
	ck_assert_int_eq(t_lopen(3, P9_DOTL_RDONLY), 0);
	ck_assert_int_eq(t_read(3, 0, 16, buf, sizeof(buf)), 4);
	ck_assert(!memcmp(buf, "data", 4));
	ck_assert_int_eq(t_write(3, 0, "x", 1), -EROFS);
	ck_assert_int_eq(t_lock(3, P9_LOCK_TYPE_RDLCK, &status), 0);
	ck_assert_uint_eq(status, P9_LOCK_SUCCESS);
	ck_assert_int_eq(t_getattr(3, &a), 0);
	ck_assert_uint_eq(a.size, 4);
	/* Tremove refuses, and clunks. */
	ck_assert_int_eq(t_fid_only(P9_TREMOVE, 3), -EROFS);
	ck_assert_int_eq(t_getattr(3, &a), -EBADF);
	ck_assert_int_eq(access(p, F_OK), 0);
}
END_TEST

/* --- the virtio device, on a VM built by hand without KVM ------------------ */

#define RAM_SIZE	0x200000ULL
#define QSIZE		16
#define DESC_GPA	0x1000ULL
#define AVAIL_GPA	0x2000ULL
#define USED_GPA	0x3000ULL
#define OUT_GPA		0x10000ULL	/* requests */
#define IN_GPA		0x100000ULL	/* replies */

struct dbench {
	struct vm vm;
	struct virtio_9p *p;
	struct virtio_mmio m;
	u64 base;
	u16 avail_idx, used_seen;
};

struct dbuf {
	u64 gpa;
	u32 len;
	bool writable;
};

static u32 mmio_rd(struct dbench *b, u64 reg, unsigned int size)
{
	u32 v = 0;

	ck_assert(io_bus_read(&b->vm.mmio, b->base + reg, &v, size));
	return v;
}

static void mmio_wr(struct dbench *b, u64 reg, u32 v)
{
	ck_assert(io_bus_write(&b->vm.mmio, b->base + reg, &v, 4));
}

static void *gpa(struct dbench *b, u64 addr)
{
	void *p = guest_ptr(&b->vm.mem, addr, 1);

	ck_assert_ptr_nonnull(p);
	return p;
}

static struct dbench *dbench_new(const char *arg)
{
	struct dbench *b = calloc(1, sizeof(*b));
	struct p9_config c;
	struct err_msg e;

	ck_assert_ptr_nonnull(b);
	b->vm.kvm_fd = b->vm.vm_fd = b->vm.stop_fd = -1;
	io_bus_init(&b->vm.mmio);
	ck_assert_int_eq(event_loop_init(&b->vm.loop), 0);
	ck_assert_int_eq(guest_mem_alloc(&b->vm.mem, RAM_SIZE, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(&b->vm.mem, 0, RAM_SIZE, &e), 0);
	ck_assert_int_eq(p9_config_parse(arg, &c, &e), 0);
	b->p = virtio_9p_create(&b->vm, &c, &e);
	ck_assert_msg(b->p, "%s", e.text);
	ck_assert_int_eq(virtio_mmio_add(&b->m, &b->vm, virtio_9p_dev(b->p), &e), 0);
	b->base = b->m.desc.base;
	return b;
}

static void dbench_free(struct dbench *b)
{
	virtio_9p_destroy(b->p);
	event_loop_destroy(&b->vm.loop);
	io_bus_destroy(&b->vm.mmio);
	guest_mem_free(&b->vm.mem);
	free(b);
}

static void driver_up(struct dbench *b)
{
	u32 s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	/* Fresh rings, as a driver allocates them. */
	b->avail_idx = b->used_seen = 0;
	memset(gpa(b, DESC_GPA), 0, OUT_GPA - DESC_GPA);
	mmio_wr(b, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	mmio_wr(b, VIRTIO_MMIO_STATUS, s);
	mmio_wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_wr(b, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_9P_MOUNT_TAG);
	mmio_wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_wr(b, VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	mmio_wr(b, VIRTIO_MMIO_STATUS, s);
	ck_assert_uint_eq(mmio_rd(b, VIRTIO_MMIO_STATUS, 4), s);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(mmio_rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX, 4), 128);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_GPA);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_GPA);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_USED_LOW, USED_GPA);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
	mmio_wr(b, VIRTIO_MMIO_STATUS, s | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Serves the event loop's side on this thread. */
static void run_loop(struct dbench *b)
{
	struct epoll_event ev[8];
	int i, n;

	do {
		n = epoll_wait(b->vm.loop.epfd, ev, ARRAY_SIZE(ev), 0);
		for (i = 0; i < n; i++) {
			struct event_handler *h = ev[i].data.ptr;

			if (h)
				h->fn(h, ev[i].events);
		}
	} while (n > 0);
}

/* Posts a chain at descriptor 'first' and kicks. */
static void post(struct dbench *b, u16 first, const struct dbuf *bufs, unsigned int n)
{
	struct vring_desc *desc = gpa(b, DESC_GPA);
	struct vring_avail *avail = gpa(b, AVAIL_GPA);
	unsigned int i;

	for (i = 0; i < n; i++)
		desc[first + i] = (struct vring_desc){
			.addr = bufs[i].gpa,
			.len = bufs[i].len,
			.flags = (bufs[i].writable ? VRING_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			.next = first + i + 1,
		};
	avail->ring[b->avail_idx++ % QSIZE] = first;
	__atomic_store_n(&avail->idx, b->avail_idx, __ATOMIC_RELEASE);
	mmio_wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	run_loop(b);
}

/* Waits for the device's thread to return the next chain; its used length. */
static u32 wait_used(struct dbench *b, u16 head)
{
	struct vring_used *u = gpa(b, USED_GPA);
	struct vring_used_elem *el;
	int i;

	for (i = 0; i < 5000; i++) {
		if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) != b->used_seen)
			break;
		usleep(1000);
	}
	ck_assert_uint_ne(u->idx, b->used_seen);
	el = &u->ring[b->used_seen++ % QSIZE];
	ck_assert_uint_eq(el->id, head);
	return el->len;
}

/* One request in one buffer, the reply in another of room bytes: the reply's result. */
static int dev_call(struct dbench *b, u32 room)
{
	u32 len = p9_out_end(&out), rlen;
	const struct dbuf bufs[] = { { OUT_GPA, len, false }, { IN_GPA, room, true } };

	ck_assert_int_eq(guest_write(&b->vm.mem, OUT_GPA, req, len), 0);
	memset(gpa(b, IN_GPA), 0xee, room);
	post(b, 0, bufs, 2);
	rlen = wait_used(b, 0);
	ck_assert_uint_le(rlen, room);
	memcpy(reply, gpa(b, IN_GPA), rlen);
	return check_reply(rlen, req[4], cur_tag);
}

START_TEST(test_device)
{
	struct dbench *b;
	char arg[PATH_MAX + 16];
	struct p9_qid q;
	u32 msize;
	unsigned int i;

	snprintf(arg, sizeof(arg), "%s,mytag", share);
	b = dbench_new(arg);
	ck_assert_uint_eq(mmio_rd(b, VIRTIO_MMIO_DEVICE_ID, 4), VIRTIO_ID_9P);
	mmio_wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert(mmio_rd(b, VIRTIO_MMIO_DEVICE_FEATURES, 4) & (1u << VIRTIO_9P_MOUNT_TAG));
	/* Config space: tag_len, then the tag. */
	ck_assert_uint_eq(mmio_rd(b, VIRTIO_MMIO_CONFIG, 2), 5);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(mmio_rd(b, VIRTIO_MMIO_CONFIG + 2 + i, 1), (u8)"mytag"[i]);
	driver_up(b);

	p9_put32(begin(P9_TVERSION), 0xffffffff);
	p9_put_cstr(&out, P9_VERSION_L);
	ck_assert_int_eq(dev_call(b, 64), 0);
	msize = p9_get32(&rin);
	ck_assert_uint_eq(msize, P9_MAX_MSIZE);
	p9_put32(begin(P9_TATTACH), ROOT);
	p9_put32(&out, P9_NOFID);
	p9_put_cstr(&out, "");
	p9_put_cstr(&out, "");
	p9_put32(&out, 0);
	ck_assert_int_eq(dev_call(b, 64), 0);
	p9_get_qid(&rin, &q);
	ck_assert_uint_eq(q.type, P9_QTDIR);
	/* A reply with too little room: an Rlerror, or nothing at all. */
	p9_put32(begin(P9_TGETATTR), ROOT);
	p9_put64(&out, P9_GETATTR_BASIC);
	ck_assert_int_eq(dev_call(b, P9_RLERROR_SIZE), -EMSGSIZE);
	{
		const struct dbuf bufs[] = { { OUT_GPA, out.pos, false }, { IN_GPA, 8, true } };

		post(b, 0, bufs, 2);
		ck_assert_uint_eq(wait_used(b, 0), 0);
	}
	/* A request and its reply split over several buffers. */
	{
		static u8 data[100000];
		struct dbuf bufs[8];
		u32 len, rlen, off;

		for (i = 0; i < sizeof(data); i++)
			data[i] = i * 7;
		p9_put32(begin(P9_TLCREATE), ROOT);
		p9_put_cstr(&out, "big");
		p9_put32(&out, P9_DOTL_RDWR);
		p9_put32(&out, 0644);
		p9_put32(&out, 0);
		ck_assert_int_eq(dev_call(b, 64), 0);
		p9_put32(begin(P9_TWRITE), ROOT);
		p9_put64(&out, 0);
		p9_put32(&out, sizeof(data));
		p9_put_data(&out, data, sizeof(data));
		len = p9_out_end(&out);
		ck_assert_int_eq(guest_write(&b->vm.mem, OUT_GPA, req, len), 0);
		bufs[0] = (struct dbuf){ OUT_GPA, 5, false };
		bufs[1] = (struct dbuf){ OUT_GPA + 5, 20, false };
		bufs[2] = (struct dbuf){ OUT_GPA + 25, len - 25, false };
		bufs[3] = (struct dbuf){ IN_GPA, 3, true };
		bufs[4] = (struct dbuf){ IN_GPA + 3, 100, true };
		post(b, 0, bufs, 5);
		rlen = wait_used(b, 0);
		memcpy(reply, gpa(b, IN_GPA), rlen);
		ck_assert_int_eq(check_reply(rlen, P9_TWRITE, cur_tag), 0);
		ck_assert_uint_eq(p9_get32(&rin), sizeof(data));
		/* Read back through a header buffer of 11 and pages, as Linux does. */
		p9_put32(begin(P9_TREAD), ROOT);
		p9_put64(&out, 0);
		p9_put32(&out, sizeof(data));
		len = p9_out_end(&out);
		ck_assert_int_eq(guest_write(&b->vm.mem, OUT_GPA, req, len), 0);
		bufs[0] = (struct dbuf){ OUT_GPA, len, false };
		bufs[1] = (struct dbuf){ IN_GPA, P9_IOHDR_SIZE, true };
		for (i = 2, off = P9_IOHDR_SIZE; i < 8; i++, off += 0x4000)
			bufs[i] = (struct dbuf){ IN_GPA + off + 64, 0x4000, true };
		post(b, 0, bufs, 8);
		rlen = wait_used(b, 0);
		ck_assert_uint_eq(rlen, P9_IOHDR_SIZE + 6 * 0x4000);
		ck_assert(!memcmp(gpa(b, IN_GPA + P9_IOHDR_SIZE + 64), data, 0x4000));
		ck_assert(!memcmp(gpa(b, IN_GPA + P9_IOHDR_SIZE + 0x4000 + 64), data + 0x4000,
				  0x4000));
	}
	/* Reset: the fids and the session are gone. */
	mmio_wr(b, VIRTIO_MMIO_STATUS, 0);
	driver_up(b);
	p9_put32(begin(P9_TGETATTR), ROOT);
	p9_put64(&out, P9_GETATTR_BASIC);
	ck_assert_int_eq(dev_call(b, 256), -EPROTO);
	p9_put32(begin(P9_TVERSION), 8192);
	p9_put_cstr(&out, P9_VERSION_L);
	ck_assert_int_eq(dev_call(b, 64), 0);
	p9_put32(begin(P9_TGETATTR), ROOT);
	p9_put64(&out, P9_GETATTR_BASIC);
	ck_assert_int_eq(dev_call(b, 256), -EBADF);
	/* A reset with requests in flight: nothing is written back after it. */
	p9_put32(begin(P9_TVERSION), 8192);
	p9_put_cstr(&out, P9_VERSION_L);
	{
		u32 len = p9_out_end(&out);
		const struct dbuf bufs[] = { { OUT_GPA, len, false }, { IN_GPA, 64, true } };
		struct vring_used *u = gpa(b, USED_GPA);
		u16 idx;

		ck_assert_int_eq(guest_write(&b->vm.mem, OUT_GPA, req, len), 0);
		for (i = 0; i < 8; i++)
			post(b, 0, bufs, 2);
		mmio_wr(b, VIRTIO_MMIO_STATUS, 0);
		idx = u->idx;
		memset(gpa(b, IN_GPA), 0xee, 64);
		usleep(50000);
		ck_assert_uint_eq(u->idx, idx);
		ck_assert_uint_eq(*(u8 *)gpa(b, IN_GPA), 0xee);
	}
	dbench_free(b);
}
END_TEST

START_TEST(test_device_errors)
{
	struct p9_config c;
	struct vm vm = { 0 };
	struct err_msg e = { 0 };

	ck_assert_int_eq(p9_config_parse("/does/not/exist,t", &c, &e), 0);
	ck_assert_ptr_null(virtio_9p_create(&vm, &c, &e));
	ck_assert(e.usage);
	ck_assert(strstr(e.text, "'/does/not/exist'"));
}
END_TEST

/* valgrind before 3.21 has no openat2(2), and the server needs it. */
static bool have_openat2(void)
{
	struct open_how how = { .flags = O_PATH };
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}

START_TEST(test_no_openat2)
{
	struct err_msg e = { 0 };

	ck_assert_ptr_null(p9_fs_create(share, false, 0, &e));
	ck_assert(strstr(e.text, "openat2"));
	ck_assert(strstr(e.text, share));
}
END_TEST

static Suite *p9_suite(void)
{
	Suite *s = suite_create("p9");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, fixture_tree, fixture_clean);
	tcase_add_test(tc, test_config_good);
	tcase_add_test(tc, test_config_bad);
	tcase_add_test(tc, test_create_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("proto");
	tcase_add_test(tc, test_parse_each);
	tcase_add_test(tc, test_parse_hostile);
	tcase_add_test(tc, test_build_bounds);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, fixture_tree, fixture_clean);
	if (!have_openat2()) {
		fprintf(stderr, "p9: no openat2(2) here (valgrind?): server tests skipped\n");
		tcase_add_test(tc, test_no_openat2);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_test(tc, test_session_rules);
	tcase_add_test(tc, test_hostile_messages);
	tcase_add_test(tc, test_too_many_fids);
	tcase_add_test(tc, test_fuzz);
	tcase_add_test(tc, test_dotdot_stays);
	tcase_add_test(tc, test_symlinks_stay);
	tcase_add_test(tc, test_names_stay);
	tcase_add_test(tc, test_file_roundtrip);
	tcase_add_test(tc, test_dir_roundtrip);
	tcase_add_test(tc, test_ownership);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_device);
	tcase_add_test(tc, test_device_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(p9_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
