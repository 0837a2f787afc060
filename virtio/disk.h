/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_DISK_H
#define LKVM_VIRTIO_DISK_H

#include <pthread.h>
#include <sys/uio.h>

#include "../core/event_loop.h"
#include "../core/util.h"

/*
 * The disk layer under virtio-blk: a raw image file or a block device,
 * served by io_uring, Linux AIO or a small pool of threads doing plain
 * preadv/pwritev.
 *
 * Threads: disk_submit() is meant for the device's I/O thread, but it
 * locks, so any thread may call it.  done() runs on the event-loop thread
 * the disk was attached to, exactly once per accepted request, never with
 * a disk lock held, so it may call disk_submit() again.  READ/WRITE go to
 * the backend and never wait on the disk (but buffered io=aio waits inside
 * io_submit() on most filesystems); a direct READ/WRITE whose buffers are
 * not aligned, and DISCARD/WRITE_ZEROES on io=aio, run on the calling
 * thread.
 */

#define DISK_SERIAL_MAX		20	/* virtio-blk's ID string, no NUL */
#define DISK_SECTOR_SIZE	512
#define DISK_QUEUE_DEPTH	128	/* requests in the backend at once */

enum disk_io { DISK_IO_AUTO, DISK_IO_AIO, DISK_IO_URING, DISK_IO_SYNC };

/*
 * One -d/--disk argument: PATH[,ro][,direct][,serial=ID][,io=auto|aio|uring|sync]
 * (PATH cannot contain a comma).
 */
struct disk_config {
	char path[4096];
	bool ro;
	bool direct;
	char serial[DISK_SERIAL_MAX + 1];
	enum disk_io io;
	/* Not part of -d: io=sync workers filter their system calls (virtio-blk sets it). */
	bool seccomp;
};

int disk_config_parse(const char *arg, struct disk_config *c, struct err_msg *e);
const char *disk_io_name(enum disk_io io);

enum disk_op { DISK_READ, DISK_WRITE, DISK_FLUSH, DISK_DISCARD, DISK_WRITE_ZEROES };

/*
 * The caller owns the request and everything it points to until done().
 * result: READ/WRITE the whole length in bytes (never a short count),
 * FLUSH/DISCARD/WRITE_ZEROES 0; or -errno (-EROFS on a read-only disk,
 * -EINVAL out of range or misaligned for a direct disk, -EIO...).
 */
struct disk_request {
	enum disk_op op;
	u64 offset;			/* bytes */
	struct iovec *iov;		/* READ/WRITE */
	unsigned int iovcnt;
	u64 len;			/* DISCARD/WRITE_ZEROES, bytes */
	void (*done)(struct disk_request *req, long result);
	void *opaque;

	/* Private to the disk layer. */
	struct disk_request *next;
	long result;
	bool counted;			/* holds one of the backend's slots */
};

struct disk;

/* One per backend file; all calls but reap are made with disk->lock held. */
struct disk_backend_ops {
	enum disk_io io;
	int (*init)(struct disk *d, struct err_msg *e);
	/* 0: the backend owns req and will finish it; -errno: it did not take it */
	int (*submit)(struct disk *d, struct disk_request *req);
	/* event-loop thread, lock not held: finish what has completed */
	void (*reap)(struct disk *d);
	/* false: disk.c runs req inline on the submitting thread instead */
	bool (*can_async)(struct disk *d, const struct disk_request *req);
	void (*exit)(struct disk *d);
};

struct disk {
	int fd;
	u64 size;			/* bytes, a multiple of 512 */
	u32 align;			/* direct: 512 or 4096, the block size to
					 * advertise; 1 when not direct */
	bool ro;
	bool direct;
	bool locked;			/* false where the filesystem has no locks */
	bool seccomp;			/* worker threads install SECCOMP_DISK_IO */
	enum disk_io io;		/* the backend in use, never AUTO */
	char path[4096];
	char serial[DISK_SERIAL_MAX + 1];
	const struct disk_backend_ops *ops;
	void *priv;

	int efd;			/* completion eventfd */
	struct event_handler ev;
	struct event_loop *loop;

	pthread_mutex_t lock;		/* pending, inflight, backend submission */
	struct disk_request *pending, **pending_tail;
	unsigned int inflight;

	pthread_mutex_t done_lock;	/* finished requests waiting for done() */
	struct disk_request *finished, **finished_tail;
};

/* The backend keeps pointers to d: it must not move until disk_close(). */
int disk_open(struct disk *d, const struct disk_config *c, struct err_msg *e);
/* Registers the completion eventfd; done() then runs on loop's thread. */
int disk_attach(struct disk *d, struct event_loop *loop);
/* 0 and done() will follow, or -EINVAL/-ENODEV for a malformed call (no done()). */
int disk_submit(struct disk *d, struct disk_request *req);
/*
 * Waits for every request (calling their done() on this thread) and frees
 * the disk.  Stop the event loop (but do not destroy it yet), or call
 * from its thread, first.
 */
void disk_close(struct disk *d);

/* For the backends (virtio/disk_*.c) only. */
extern const struct disk_backend_ops disk_sync_ops;
extern const struct disk_backend_ops disk_aio_ops;
extern const struct disk_backend_ops disk_uring_ops;

void disk_finish(struct disk *d, struct disk_request *req, long result);
void disk_post(struct disk *d, struct disk_request *req, long result);
long disk_sync_exec(struct disk *d, struct disk_request *req);
long disk_sync_rw_rest(struct disk *d, struct disk_request *req, u64 done);
u64 disk_req_bytes(const struct disk_request *req);
bool disk_aligned(const struct disk *d, const struct disk_request *req);

#endif
