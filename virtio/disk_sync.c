// SPDX-License-Identifier: GPL-2.0
/*
 * Plain system calls: the helpers every backend falls back on, and the
 * io=sync backend, a few worker threads that run them so the I/O thread
 * never waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/seccomp.h"
#include "disk.h"

#define SYNC_WORKERS		8
#define BOUNCE_SIZE		SZ_1M
#define ZERO_CHUNK		(64 * 1024)

/* Steps over the first n bytes of an iovec array, in place. */
static void iov_advance(struct iovec **iov, unsigned int *cnt, u64 n)
{
	while (*cnt && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*cnt)--;
	}
	if (*cnt) {
		(*iov)->iov_base = (u8 *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}

/* Copies between a flat buffer and the iovecs from byte pos on. */
static void iov_copy(const struct iovec *iov, unsigned int cnt, u64 pos,
		     u8 *buf, u64 len, bool to_iov)
{
	unsigned int i;

	for (i = 0; i < cnt && len; i++) {
		u64 n;
		u8 *p;

		if (pos >= iov[i].iov_len) {
			pos -= iov[i].iov_len;
			continue;
		}
		n = MIN(len, iov[i].iov_len - pos);
		p = (u8 *)iov[i].iov_base + pos;
		if (to_iov)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		buf += n;
		len -= n;
		pos = 0;
	}
}

/* The whole of [off, off + len), through an aligned buffer: 0 or -errno. */
static long pio_full(int fd, bool write, u8 *buf, u64 len, u64 off)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Direct I/O with guest buffers O_DIRECT refuses: copy through our own. */
static long rw_bounce(struct disk *d, struct disk_request *req, u64 done, u64 total)
{
	bool write = req->op == DISK_WRITE;
	long ret = 0;
	u64 pos;
	void *buf;

	if (posix_memalign(&buf, SZ_4K, BOUNCE_SIZE))
		return -ENOMEM;
	for (pos = done; pos < total && !ret; pos += BOUNCE_SIZE) {
		u64 n = MIN(BOUNCE_SIZE, total - pos);

		if (write)
			iov_copy(req->iov, req->iovcnt, pos, buf, n, false);
		ret = pio_full(d->fd, write, buf, n, req->offset + pos);
		if (!ret && !write)
			iov_copy(req->iov, req->iovcnt, pos, buf, n, true);
	}
	free(buf);
	return ret ? ret : (long)total;
}

static long rw_vec(struct disk *d, bool write, struct iovec *iov, unsigned int cnt, u64 off)
{
	while (cnt) {
		int nr = MIN(cnt, IOV_MAX);
		ssize_t n = write ? pwritev(d->fd, iov, nr, off) : preadv(d->fd, iov, nr, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += n;
		iov_advance(&iov, &cnt, n);
	}
	return 0;
}

/*
 * READ/WRITE from byte done to the end (done > 0 finishes a short
 * asynchronous transfer).  Returns the whole length or -errno.
 */
long disk_sync_rw_rest(struct disk *d, struct disk_request *req, u64 done)
{
	u64 total = disk_req_bytes(req);
	struct iovec *iov, *cur;
	unsigned int cnt = req->iovcnt;
	long ret;

	if (done >= total)
		return total;
	if (!disk_aligned(d, req))
		return rw_bounce(d, req, done, total);
	iov = malloc(sizeof(*iov) * (cnt ? cnt : 1));
	if (!iov)
		return -ENOMEM;
	memcpy(iov, req->iov, sizeof(*iov) * cnt);
	cur = iov;
	iov_advance(&cur, &cnt, done);
	ret = rw_vec(d, req->op == DISK_WRITE, cur, cnt, req->offset + done);
	free(iov);
	return ret ? ret : (long)total;
}

static long write_zeroes_slow(struct disk *d, u64 off, u64 len)
{
	long ret = 0;
	void *buf;

	if (posix_memalign(&buf, SZ_4K, ZERO_CHUNK))
		return -ENOMEM;
	memset(buf, 0, ZERO_CHUNK);
	while (len && !ret) {
		u64 n = MIN(len, ZERO_CHUNK);

		ret = pio_full(d->fd, true, buf, n, off);
		off += n;
		len -= n;
	}
	free(buf);
	return ret;
}

static bool not_supported(int err)
{
	return err == EOPNOTSUPP || err == ENOSYS || err == ENOTTY || err == ENODEV;
}

static long do_write_zeroes(struct disk *d, struct disk_request *req)
{
	int mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;

	if (!fallocate(d->fd, mode, req->offset, req->len))
		return 0;
	if (!not_supported(errno) && errno != EINVAL)
		return -errno;
	return write_zeroes_slow(d, req->offset, req->len);
}

static long do_discard(struct disk *d, struct disk_request *req)
{
	int mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;

	/* Advisory: a filesystem without holes just keeps the data. */
	if (!fallocate(d->fd, mode, req->offset, req->len) || not_supported(errno))
		return 0;
	return -errno;
}

/* Runs req to the end on this thread; the result for done(). */
long disk_sync_exec(struct disk *d, struct disk_request *req)
{
	if (!req->len && (req->op == DISK_DISCARD || req->op == DISK_WRITE_ZEROES))
		return 0;
	switch (req->op) {
	case DISK_READ:
	case DISK_WRITE:
		return disk_sync_rw_rest(d, req, 0);
	case DISK_FLUSH:
		return fdatasync(d->fd) ? -errno : 0;
	case DISK_DISCARD:
		return do_discard(d, req);
	case DISK_WRITE_ZEROES:
		return do_write_zeroes(d, req);
	}
	return -EINVAL;
}

/* io=sync: a queue and a few threads draining it. */
struct sync_pool {
	struct disk *disk;
	pthread_t threads[SYNC_WORKERS];
	unsigned int nr_threads;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct disk_request *head, **tail;
	bool quit;
};

static struct disk_request *pool_pop(struct sync_pool *p)
{
	struct disk_request *req;

	pthread_mutex_lock(&p->lock);
	while (!p->head && !p->quit)
		pthread_cond_wait(&p->cond, &p->lock);
	req = p->head;
	if (req) {
		p->head = req->next;
		if (!p->head)
			p->tail = &p->head;
	}
	pthread_mutex_unlock(&p->lock);
	return req;
}

static void *sync_worker(void *arg)
{
	struct sync_pool *p = arg;
	struct disk_request *req;

	while ((req = pool_pop(p)))
		disk_post(p->disk, req, disk_sync_exec(p->disk, req));
	return NULL;
}

static void sync_stop(struct sync_pool *p)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nr_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int sync_init(struct disk *d, struct err_msg *e)
{
	const struct seccomp_target filter = { .type = SECCOMP_DISK_IO, .vm_fd = -1, .vcpu_fd = -1 };
	struct sync_pool *p = calloc(1, sizeof(*p));
	int ret = 0;

	if (!p)
		return err_set(e, ENOMEM, "disk '%s': out of memory", d->path);
	p->disk = d;
	p->tail = &p->head;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (; p->nr_threads < SYNC_WORKERS; p->nr_threads++) {
		ret = seccomp_thread_create(&p->threads[p->nr_threads],
					    d->seccomp ? &filter : NULL, sync_worker, p);
		if (ret)
			break;
	}
	if (ret && !p->nr_threads) {
		sync_stop(p);
		return err_set(e, -ret, "disk '%s': cannot start I/O threads: %s%s",
			       d->path, strerror(-ret),
			       d->seccomp ? " (rerun with --no-seccomp if their filter is the cause)" : "");
	}
	d->priv = p;
	return 0;
}

static int sync_submit(struct disk *d, struct disk_request *req)
{
	struct sync_pool *p = d->priv;

	req->next = NULL;
	pthread_mutex_lock(&p->lock);
	*p->tail = req;
	p->tail = &req->next;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* Workers post their results; the common code delivers them. */
static void sync_reap(struct disk *d __unused)
{
}

static bool sync_can_async(struct disk *d __unused, const struct disk_request *req __unused)
{
	return true;
}

static void sync_exit(struct disk *d)
{
	sync_stop(d->priv);
	d->priv = NULL;
}

const struct disk_backend_ops disk_sync_ops = {
	.io = DISK_IO_SYNC,
	.init = sync_init,
	.submit = sync_submit,
	.reap = sync_reap,
	.can_async = sync_can_async,
	.exit = sync_exit,
};
