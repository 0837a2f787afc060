// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"

static const char *const io_names[] = {
	[DISK_IO_AUTO] = "auto",
	[DISK_IO_AIO] = "aio",
	[DISK_IO_URING] = "uring",
	[DISK_IO_SYNC] = "sync",
};

const char *disk_io_name(enum disk_io io)
{
	return (unsigned int)io < ARRAY_SIZE(io_names) ? io_names[io] : "?";
}

static bool serial_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/* One sub-option, NUL-terminated; exact names only. */
static int parse_sub(char *o, struct disk_config *c, struct err_msg *e)
{
	const char *path = c->path;
	unsigned int i;

	if (!strcmp(o, "ro")) {
		c->ro = true;
		return 0;
	}
	if (!strcmp(o, "direct")) {
		c->direct = true;
		return 0;
	}
	if (!strncmp(o, "serial=", 7)) {
		if (strlen(o + 7) > DISK_SERIAL_MAX || !serial_ok(o + 7))
			return err_usage(e, "disk '%s': serial '%s' must be 1-%d printable characters without spaces",
					 path, o + 7, DISK_SERIAL_MAX);
		if (!o[7])
			return err_usage(e, "disk '%s': serial= is empty; give an ID like serial=disk0 or leave it out",
					 path);
		strcpy(c->serial, o + 7);
		return 0;
	}
	if (!strncmp(o, "io=", 3)) {
		for (i = 0; i < ARRAY_SIZE(io_names); i++) {
			if (!strcmp(o + 3, io_names[i])) {
				c->io = i;
				return 0;
			}
		}
		return err_usage(e, "disk '%s': io '%s' is not a backend; use io=auto, aio, uring or sync",
				 path, o + 3);
	}
	if (!*o)
		return err_usage(e, "disk '%s': empty sub-option (stray ','); remove it", path);
	return err_usage(e, "disk '%s': unknown sub-option '%s'; use ro, direct, serial=ID or io=aio|uring|sync",
			 path, o);
}

int disk_config_parse(const char *arg, struct disk_config *c, struct err_msg *e)
{
	char buf[sizeof(c->path) + 128], *o, *next;
	size_t n = strcspn(arg, ",");

	memset(c, 0, sizeof(*c));
	if (!n)
		return err_usage(e, "disk '%s': no image path before the options; give PATH[,ro][,direct]...",
				 arg);
	if (n >= sizeof(c->path))
		return err_usage(e, "disk path '%.40s...' is longer than %zu bytes; use a shorter path",
				 arg, sizeof(c->path) - 1);
	memcpy(c->path, arg, n);
	if (!arg[n])
		return 0;
	if (strlen(arg + n + 1) >= sizeof(buf))
		return err_usage(e, "disk '%s': the options are too long; give ro, direct, serial=ID, io=...",
				 c->path);
	strcpy(buf, arg + n + 1);
	for (o = buf; o; o = next) {
		int ret;

		next = strchr(o, ',');
		if (next)
			*next++ = '\0';
		ret = parse_sub(o, c, e);
		if (ret)
			return ret;
	}
	return 0;
}

static int disk_lock(struct disk *d, struct err_msg *e)
{
	struct flock fl = {
		.l_type = d->ro ? F_RDLCK : F_WRLCK,
		.l_whence = SEEK_SET,
	};

	if (!fcntl(d->fd, F_OFD_SETLK, &fl)) {
		d->locked = true;
		return 0;
	}
	/* Some filesystems (old NFS, FUSE) have no locks: run unprotected. */
	if (errno == ENOLCK || errno == EOPNOTSUPP || errno == EINVAL)
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return err_usage(e, "disk '%s' is in use by another process (locked); stop the VM using it or give this one a copy",
				 d->path);
	return err_set(e, errno, "disk '%s': cannot lock it: %s", d->path, strerror(errno));
}

static int disk_get_size(struct disk *d, struct err_msg *e)
{
	struct stat st;

	if (fstat(d->fd, &st))
		return err_set(e, errno, "disk '%s': %s", d->path, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		d->size = st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(d->fd, BLKGETSIZE64, &d->size))
			return err_set(e, errno, "disk '%s': cannot read the block device's size: %s",
				       d->path, strerror(errno));
	} else {
		return err_usage(e, "disk '%s' is not a regular file or a block device; give a raw image",
				 d->path);
	}
	if (!d->size)
		return err_usage(e, "disk '%s' is empty (0 bytes); give it a size, e.g. truncate -s 1G '%s'",
				 d->path, d->path);
	if (d->size % DISK_SECTOR_SIZE)
		return err_usage(e, "disk '%s' is %llu bytes, not a multiple of 512; round it up, e.g. truncate -s %llu '%s'",
				 d->path, (unsigned long long)d->size,
				 (unsigned long long)ALIGN_UP(d->size, DISK_SECTOR_SIZE), d->path);
	return 0;
}

/* The smallest of 512 and 4096 that an O_DIRECT read accepts here. */
static int disk_probe_align(struct disk *d, struct err_msg *e)
{
	static const u32 sizes[] = { 512, 4096 };
	unsigned int i;
	int err = EINVAL;
	void *buf;

	d->align = 1;
	if (!d->direct)
		return 0;
	if (posix_memalign(&buf, 8192, 8192))
		return err_set(e, ENOMEM, "disk '%s': out of memory", d->path);
	for (i = 0; i < ARRAY_SIZE(sizes) && sizes[i] <= d->size; i++) {
		/* buf + a is aligned to a but not to the next size up. */
		if (pread(d->fd, (u8 *)buf + sizes[i], sizes[i], 0) == (ssize_t)sizes[i]) {
			d->align = sizes[i];
			break;
		}
		err = errno;
		if (err != EINVAL)
			break;
	}
	free(buf);
	if (d->align > 1)
		return 0;
	if (err != EINVAL)
		return err_set(e, err, "disk '%s': cannot read it: %s", d->path, strerror(err));
	return err_usage(e, "disk '%s': direct I/O refuses 512- and 4096-byte blocks here; drop ',direct'",
			 d->path);
}

static int disk_open_fd(struct disk *d, struct err_msg *e)
{
	int flags = (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC;

	if (d->direct)
		flags |= O_DIRECT;
	d->fd = open(d->path, flags);
	if (d->fd >= 0)
		return 0;
	if (errno == EINVAL && d->direct)
		return err_usage(e, "disk '%s': this filesystem does not support O_DIRECT (tmpfs?); drop ',direct'",
				 d->path);
	if (errno == EROFS || (errno == EACCES && !d->ro))
		return err_usage(e, "disk '%s': %s; add ',ro' to use it read-only",
				 d->path, strerror(errno));
	return err_usage(e, "disk '%s': %s; check the path", d->path, strerror(errno));
}

static const struct disk_backend_ops *const backends[] = {
	[DISK_IO_AIO] = &disk_aio_ops,
	[DISK_IO_URING] = &disk_uring_ops,
	[DISK_IO_SYNC] = &disk_sync_ops,
};

static int disk_init_one(struct disk *d, enum disk_io io, struct err_msg *e)
{
	if ((unsigned int)io >= ARRAY_SIZE(backends) || !backends[io])
		return err_usage(e, "disk '%s': no backend io=%d; use io=auto, aio, uring or sync",
				 d->path, io);
	d->ops = backends[io];
	d->io = io;
	return d->ops->init(d, e);
}

/* AUTO: io_uring where the host has it, else Linux AIO, else threads. */
static int disk_init_backend(struct disk *d, enum disk_io want, struct err_msg *e)
{
	if (want != DISK_IO_AUTO)
		return disk_init_one(d, want, e);
	if (!disk_init_one(d, DISK_IO_URING, e) || !disk_init_one(d, DISK_IO_AIO, e))
		return 0;
	return disk_init_one(d, DISK_IO_SYNC, e);
}

static void disk_init_struct(struct disk *d, const struct disk_config *c)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->efd = -1;
	d->ro = c->ro;
	d->direct = c->direct;
	strcpy(d->path, c->path);
	strcpy(d->serial, c->serial);
	d->seccomp = c->seccomp;
	d->pending_tail = &d->pending;
	d->finished_tail = &d->finished;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->done_lock, NULL);
}

int disk_open(struct disk *d, const struct disk_config *c, struct err_msg *e)
{
	int ret;

	disk_init_struct(d, c);
	ret = disk_open_fd(d, e);
	if (ret)
		goto err;
	ret = disk_lock(d, e);
	if (ret)
		goto err_fd;
	ret = disk_get_size(d, e);
	if (ret)
		goto err_fd;
	ret = disk_probe_align(d, e);
	if (ret)
		goto err_fd;
	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0) {
		ret = err_set(e, errno, "disk '%s': eventfd: %s", d->path, strerror(errno));
		goto err_fd;
	}
	ret = disk_init_backend(d, c->io, e);
	if (ret)
		goto err_efd;
	return 0;
err_efd:
	close(d->efd);
err_fd:
	close(d->fd);	/* drops the OFD lock too */
err:
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->done_lock);
	d->fd = d->efd = -1;
	return ret;
}

/* Called with d->lock held: a request was given to the backend. */
static void disk_account(struct disk *d, struct disk_request *req)
{
	req->counted = true;
	d->inflight++;
}

/* Any thread: the result is delivered later by the event loop. */
void disk_post(struct disk *d, struct disk_request *req, long result)
{
	u64 one = 1;

	req->result = result;
	req->next = NULL;
	pthread_mutex_lock(&d->done_lock);
	*d->finished_tail = req;
	d->finished_tail = &req->next;
	pthread_mutex_unlock(&d->done_lock);
	if (write(d->efd, &one, sizeof(one)) < 0) {
		/* Only EAGAIN at 2^64-1 pending wake-ups: one is already due. */
	}
}

/* Event-loop thread, no lock held: give the slot back and tell the owner. */
void disk_finish(struct disk *d, struct disk_request *req, long result)
{
	if (req->counted) {
		pthread_mutex_lock(&d->lock);
		d->inflight--;
		pthread_mutex_unlock(&d->lock);
		req->counted = false;
	}
	req->done(req, result);
}

u64 disk_req_bytes(const struct disk_request *req)
{
	u64 total = 0;
	unsigned int i;

	if (req->op != DISK_READ && req->op != DISK_WRITE)
		return req->op == DISK_FLUSH ? 0 : req->len;
	for (i = 0; i < req->iovcnt; i++)
		total += req->iov[i].iov_len;	/* bounded by disk_check first */
	return total;
}

/* Sums the iovecs without wrapping; false if they exceed max. */
static bool iov_total(const struct disk_request *req, u64 max, u64 *total)
{
	unsigned int i;

	*total = 0;
	for (i = 0; i < req->iovcnt; i++) {
		if (req->iov[i].iov_len > max - *total)
			return false;
		*total += req->iov[i].iov_len;
	}
	return true;
}

bool disk_aligned(const struct disk *d, const struct disk_request *req)
{
	unsigned int i;

	if (d->align <= 1)
		return true;
	for (i = 0; i < req->iovcnt; i++)
		if (((uintptr_t)req->iov[i].iov_base | req->iov[i].iov_len) & (d->align - 1))
			return false;
	return true;
}

/* Guest-controlled values: 0 or the -errno the request completes with. */
static long disk_check(const struct disk *d, const struct disk_request *req)
{
	u64 len;

	if (req->op != DISK_READ && req->op != DISK_FLUSH && d->ro)
		return -EROFS;
	if (req->op == DISK_FLUSH)
		return 0;
	if (req->op == DISK_READ || req->op == DISK_WRITE) {
		if (req->iovcnt > IOV_MAX || (req->iovcnt && !req->iov))
			return -EINVAL;
		if (!iov_total(req, d->size, &len))
			return -EINVAL;
	} else {
		len = req->len;
	}
	if (req->offset > d->size || len > d->size - req->offset)
		return -EINVAL;
	/* O_DIRECT refuses these; discard and write-zeroes go by sector. */
	if (req->op == DISK_READ || req->op == DISK_WRITE)
		if ((req->offset | len) & (d->align - 1))
			return -EINVAL;
	return 0;
}

/* Called with d->lock held and a free slot. */
static void disk_to_backend(struct disk *d, struct disk_request *req)
{
	int ret;

	disk_account(d, req);
	ret = d->ops->submit(d, req);
	if (ret) {
		d->inflight--;
		req->counted = false;
		disk_post(d, req, ret);
	}
}

/* Event-loop thread: move queued requests into freed slots. */
static void disk_kick(struct disk *d)
{
	struct disk_request *req;

	pthread_mutex_lock(&d->lock);
	while (d->pending && d->inflight < DISK_QUEUE_DEPTH) {
		req = d->pending;
		d->pending = req->next;
		if (!d->pending)
			d->pending_tail = &d->pending;
		disk_to_backend(d, req);
	}
	pthread_mutex_unlock(&d->lock);
}

int disk_submit(struct disk *d, struct disk_request *req)
{
	long res;

	if (!req->done || (unsigned int)req->op > DISK_WRITE_ZEROES)
		return -EINVAL;
	if (!d->loop)
		return -ENODEV;
	req->counted = false;
	req->next = NULL;
	res = disk_check(d, req);
	if (res) {
		disk_post(d, req, res);
		return 0;
	}
	if (!d->ops->can_async(d, req) || (req->op != DISK_FLUSH && !disk_req_bytes(req))) {
		/* Empty, rare or unsupported here: done on this (I/O) thread. */
		disk_post(d, req, disk_sync_exec(d, req));
		return 0;
	}
	pthread_mutex_lock(&d->lock);
	if (d->pending || d->inflight >= DISK_QUEUE_DEPTH) {
		*d->pending_tail = req;
		d->pending_tail = &req->next;
	} else {
		disk_to_backend(d, req);
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static void disk_deliver_posted(struct disk *d)
{
	struct disk_request *req, *next;

	pthread_mutex_lock(&d->done_lock);
	req = d->finished;
	d->finished = NULL;
	d->finished_tail = &d->finished;
	pthread_mutex_unlock(&d->done_lock);
	for (; req; req = next) {
		next = req->next;
		disk_finish(d, req, req->result);
	}
}

static void disk_event(struct event_handler *h, u32 events __unused)
{
	struct disk *d = h->opaque;
	u64 cnt;

	/* Read first: a completion after this point signals again. */
	if (read(d->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return;
	d->ops->reap(d);
	disk_deliver_posted(d);
	disk_kick(d);
}

int disk_attach(struct disk *d, struct event_loop *loop)
{
	int ret;

	d->ev.fd = d->efd;
	d->ev.fn = disk_event;
	d->ev.opaque = d;
	ret = event_loop_add(loop, &d->ev, EPOLLIN);
	if (ret)
		return ret;
	d->loop = loop;
	return 0;
}

static bool disk_busy(struct disk *d)
{
	bool busy;

	pthread_mutex_lock(&d->lock);
	busy = d->inflight || d->pending;
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_lock(&d->done_lock);
	busy = busy || d->finished;
	pthread_mutex_unlock(&d->done_lock);
	return busy;
}

/* Serves the eventfd on this thread until nothing is outstanding. */
static void disk_drain(struct disk *d)
{
	struct pollfd p = { .fd = d->efd, .events = POLLIN };

	while (disk_busy(d)) {
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		disk_event(&d->ev, POLLIN);
	}
}

void disk_close(struct disk *d)
{
	if (d->fd < 0)
		return;
	if (d->loop)
		event_loop_del(d->loop, &d->ev);
	d->ev.opaque = d;
	disk_drain(d);
	d->ops->exit(d);
	close(d->efd);
	close(d->fd);
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->done_lock);
	d->fd = d->efd = -1;
	d->loop = NULL;
}
