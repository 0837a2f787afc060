// SPDX-License-Identifier: GPL-2.0
/*
 * io=uring: every operation is an io_uring request; completions ring the
 * disk's eventfd.  The submission side is used under disk->lock (I/O
 * thread, or the event loop refilling freed slots), the completion side
 * only by the event loop.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"

struct uring_ctx {
	struct io_uring ring;
	bool has_fallocate;	/* IORING_OP_FALLOCATE (Linux 5.6) */
	bool no_zero_range;	/* the file refused FALLOC_FL_ZERO_RANGE */
};

static const int needed_ops[] = { IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC };

static int uring_probe(struct uring_ctx *u)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(&u->ring);
	unsigned int i;
	int ret = 0;

	if (!p)
		return -EOPNOTSUPP;
	for (i = 0; i < ARRAY_SIZE(needed_ops); i++)
		if (!io_uring_opcode_supported(p, needed_ops[i]))
			ret = -EOPNOTSUPP;
	u->has_fallocate = io_uring_opcode_supported(p, IORING_OP_FALLOCATE);
	io_uring_free_probe(p);
	return ret;
}

static int uring_init(struct disk *d, struct err_msg *e)
{
	struct uring_ctx *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return err_set(e, ENOMEM, "disk '%s': out of memory", d->path);
	/* The completion ring is twice this: it cannot overflow. */
	ret = io_uring_queue_init(DISK_QUEUE_DEPTH, &u->ring, 0);
	if (ret < 0) {
		free(u);
		return err_set(e, ret, "disk '%s': io=uring: this host has no usable io_uring (%s); use io=aio or io=sync",
			       d->path, strerror(-ret));
	}
	ret = uring_probe(u);
	if (!ret)
		ret = io_uring_register_eventfd(&u->ring, d->efd);
	if (ret < 0) {
		io_uring_queue_exit(&u->ring);
		free(u);
		return err_set(e, ret, "disk '%s': io=uring: the host's io_uring is too old (%s); use io=aio or io=sync",
			       d->path, strerror(-ret));
	}
	d->priv = u;
	return 0;
}

static void uring_prep(struct disk *d, struct io_uring_sqe *sqe, struct disk_request *req)
{
	switch (req->op) {
	case DISK_READ:
		io_uring_prep_readv(sqe, d->fd, req->iov, req->iovcnt, req->offset);
		break;
	case DISK_WRITE:
		io_uring_prep_writev(sqe, d->fd, req->iov, req->iovcnt, req->offset);
		break;
	case DISK_FLUSH:
		io_uring_prep_fsync(sqe, d->fd, IORING_FSYNC_DATASYNC);
		break;
	case DISK_DISCARD:
		io_uring_prep_fallocate(sqe, d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					req->offset, req->len);
		break;
	case DISK_WRITE_ZEROES:
		io_uring_prep_fallocate(sqe, d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
					req->offset, req->len);
		break;
	}
	io_uring_sqe_set_data(sqe, req);
}

static void uring_wake(struct disk *d)
{
	u64 one = 1;

	if (write(d->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: a wake-up is already pending. */
	}
}

/* Entries the kernel has not consumed after a failed io_uring_enter. */
static void uring_retry(struct disk *d)
{
	struct uring_ctx *u = d->priv;

	pthread_mutex_lock(&d->lock);
	if (io_uring_sq_ready(&u->ring) && io_uring_submit(&u->ring) < 0)
		uring_wake(d);
	pthread_mutex_unlock(&d->lock);
}

/* d->lock held. */
static int uring_submit(struct disk *d, struct disk_request *req)
{
	struct uring_ctx *u = d->priv;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	int ret;

	if (!sqe)
		return -EAGAIN;	/* cannot happen: each request is sent at once */
	uring_prep(d, sqe, req);
	do {
		ret = io_uring_submit(&u->ring);
	} while (ret == -EINTR);
	/*
	 * The entry is in the kernel's queue even if io_uring_enter failed
	 * (-EAGAIN, -ENOMEM): never report it as not taken; wake the event
	 * loop, which submits it again (uring_retry).
	 */
	if (ret < 0)
		uring_wake(d);
	return 0;
}

/* Fallbacks run here, on the event loop: rare, and once per disk. */
static long uring_result(struct disk *d, struct disk_request *req, long res)
{
	struct uring_ctx *u = d->priv;

	switch (req->op) {
	case DISK_READ:
	case DISK_WRITE:
		if (res < 0 || (u64)res == disk_req_bytes(req))
			return res;
		return disk_sync_rw_rest(d, req, res);
	case DISK_DISCARD:
		return res == -EOPNOTSUPP ? 0 : res;
	case DISK_WRITE_ZEROES:
		if (res != -EOPNOTSUPP && res != -EINVAL)
			return res;
		__atomic_store_n(&u->no_zero_range, true, __ATOMIC_RELAXED);
		return disk_sync_exec(d, req);
	default:
		return res;
	}
}

static void uring_reap(struct disk *d)
{
	struct uring_ctx *u = d->priv;
	struct io_uring_cqe *cqe;

	uring_retry(d);
	while (!io_uring_peek_cqe(&u->ring, &cqe)) {
		struct disk_request *req = io_uring_cqe_get_data(cqe);
		long res = cqe->res;

		io_uring_cqe_seen(&u->ring, cqe);
		disk_finish(d, req, uring_result(d, req, res));
	}
}

static bool uring_can_async(struct disk *d, const struct disk_request *req)
{
	struct uring_ctx *u = d->priv;

	switch (req->op) {
	case DISK_READ:
	case DISK_WRITE:
		return disk_aligned(d, req);
	case DISK_FLUSH:
		return true;
	case DISK_DISCARD:
		return u->has_fallocate;
	case DISK_WRITE_ZEROES:
		return u->has_fallocate && !__atomic_load_n(&u->no_zero_range, __ATOMIC_RELAXED);
	}
	return false;
}

static void uring_exit(struct disk *d)
{
	struct uring_ctx *u = d->priv;

	io_uring_queue_exit(&u->ring);
	free(u);
	d->priv = NULL;
}

const struct disk_backend_ops disk_uring_ops = {
	.io = DISK_IO_URING,
	.init = uring_init,
	.submit = uring_submit,
	.reap = uring_reap,
	.can_async = uring_can_async,
	.exit = uring_exit,
};
