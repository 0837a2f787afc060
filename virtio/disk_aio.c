// SPDX-License-Identifier: GPL-2.0
/*
 * io=aio: Linux native AIO (libaio).  Reads, writes and flushes go to the
 * kernel; discard and write-zeroes run inline on the I/O thread (disk.c).
 * Only truly asynchronous with ',direct': buffered AIO is done inside
 * io_submit() by most filesystems.
 */
#include <errno.h>
#include <libaio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"

struct aio_ctx {
	io_context_t ctx;
	struct iocb iocbs[DISK_QUEUE_DEPTH];
	unsigned int free[DISK_QUEUE_DEPTH];	/* stack of free iocb slots */
	unsigned int nr_free;
	bool no_fdsync;		/* the kernel refused IOCB_CMD_FDSYNC */
};

static int aio_init(struct disk *d, struct err_msg *e)
{
	struct aio_ctx *a = calloc(1, sizeof(*a));
	unsigned int i;
	int ret;

	if (!a)
		return err_set(e, ENOMEM, "disk '%s': out of memory", d->path);
	ret = io_setup(DISK_QUEUE_DEPTH, &a->ctx);
	if (ret < 0) {
		free(a);
		return err_set(e, ret, "disk '%s': io=aio: io_setup: %s; raise fs.aio-max-nr or use io=sync",
			       d->path, strerror(-ret));
	}
	for (i = 0; i < DISK_QUEUE_DEPTH; i++)
		a->free[i] = DISK_QUEUE_DEPTH - 1 - i;
	a->nr_free = DISK_QUEUE_DEPTH;
	d->priv = a;
	return 0;
}

static void aio_prep(struct disk *d, struct iocb *cb, struct disk_request *req)
{
	switch (req->op) {
	case DISK_READ:
		io_prep_preadv(cb, d->fd, req->iov, req->iovcnt, req->offset);
		break;
	case DISK_WRITE:
		io_prep_pwritev(cb, d->fd, req->iov, req->iovcnt, req->offset);
		break;
	default:
		io_prep_fdsync(cb, d->fd);
		break;
	}
	cb->data = req;
	io_set_eventfd(cb, d->efd);
}

/* d->lock held, so the slot stack is ours. */
static int aio_submit(struct disk *d, struct disk_request *req)
{
	struct aio_ctx *a = d->priv;
	unsigned int slot;
	struct iocb *cb;
	int ret;

	if (!a->nr_free)
		return -EAGAIN;	/* cannot happen: disk.c keeps to the depth */
	slot = a->free[--a->nr_free];
	cb = &a->iocbs[slot];
	aio_prep(d, cb, req);
	ret = io_submit(a->ctx, 1, &cb);
	if (ret == 1)
		return 0;
	a->free[a->nr_free++] = slot;
	if (req->op == DISK_FLUSH && ret == -EINVAL) {
		__atomic_store_n(&a->no_fdsync, true, __ATOMIC_RELAXED);
		disk_post(d, req, disk_sync_exec(d, req));
		return 0;
	}
	return ret < 0 ? ret : -EIO;
}

static void aio_put_slot(struct disk *d, struct iocb *cb)
{
	struct aio_ctx *a = d->priv;

	pthread_mutex_lock(&d->lock);
	a->free[a->nr_free++] = cb - a->iocbs;
	pthread_mutex_unlock(&d->lock);
}

static long aio_result(struct disk *d, struct disk_request *req, long res)
{
	struct aio_ctx *a = d->priv;
	u64 want;

	if (req->op == DISK_FLUSH) {
		if (res != -EINVAL)
			return res < 0 ? res : 0;
		__atomic_store_n(&a->no_fdsync, true, __ATOMIC_RELAXED);
		return disk_sync_exec(d, req);
	}
	want = disk_req_bytes(req);
	if (res < 0 || (u64)res == want)
		return res;
	return disk_sync_rw_rest(d, req, res);	/* short: finish it here */
}

static void aio_reap(struct disk *d)
{
	struct aio_ctx *a = d->priv;
	struct io_event evs[32];
	struct timespec zero = { 0, 0 };
	int i, n;

	do {
		n = io_getevents(a->ctx, 0, ARRAY_SIZE(evs), evs, &zero);
		for (i = 0; i < n; i++) {
			struct disk_request *req = evs[i].data;
			long res = (long)evs[i].res;

			aio_put_slot(d, evs[i].obj);
			disk_finish(d, req, aio_result(d, req, res));
		}
	} while (n == ARRAY_SIZE(evs));
}

static bool aio_can_async(struct disk *d, const struct disk_request *req)
{
	struct aio_ctx *a = d->priv;

	switch (req->op) {
	case DISK_READ:
	case DISK_WRITE:
		return disk_aligned(d, req);
	case DISK_FLUSH:
		return !__atomic_load_n(&a->no_fdsync, __ATOMIC_RELAXED);
	default:
		return false;
	}
}

static void aio_exit(struct disk *d)
{
	struct aio_ctx *a = d->priv;

	io_destroy(a->ctx);
	free(a);
	d->priv = NULL;
}

const struct disk_backend_ops disk_aio_ops = {
	.io = DISK_IO_AIO,
	.init = aio_init,
	.submit = aio_submit,
	.reap = aio_reap,
	.can_async = aio_can_async,
	.exit = aio_exit,
};
