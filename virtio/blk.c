// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio 1.x, section 5.2) over the disk layer. Requests are
 * parsed on the I/O thread and handed to the disk backend; they complete
 * on the event loop, which writes the status byte and returns the chain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "../core/vm.h"
#include "blk.h"

#define BLK_QUEUE_SIZE		256
#define BLK_HDR_SIZE		16
#define BLK_SEG_MAX		(VIRTQ_MAX_IOV - 2)
#define BLK_MAX_DISCARD_SECTORS	(1u << 22)	/* 2 GiB per segment */

struct virtio_blk {
	struct virtio_dev vdev;
	struct disk disk;
	struct virtio_blk_config config;
	u64 epoch;			/* bumped by reset: late completions are dropped */
	unsigned int inflight;
};

struct blk_req {
	struct virtio_blk *blk;
	struct virtq *vq;
	u64 epoch;
	u8 *status;
	u32 written;			/* bytes the device wrote into the chain */
	struct disk_request dreq;
	struct virtio_blk_discard_write_zeroes seg;
	struct iovec data[VIRTQ_MAX_IOV];
	struct virtq_elem elem;
};

/* Copies up to len bytes from the start of an iovec array. */
static size_t iov_read(const struct iovec *iov, unsigned int n, size_t skip, void *buf, size_t len)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		l = MIN(l - skip, len - done);
		memcpy((u8 *)buf + done, (u8 *)iov[i].iov_base + skip, l);
		done += l;
		skip = 0;
	}
	return done;
}

/* dst = src without its first 'skip' and last 'trim' bytes; returns the count. */
static unsigned int iov_slice(const struct iovec *src, unsigned int n, size_t skip, size_t trim,
			      struct iovec *dst)
{
	size_t total = 0, keep, l;
	unsigned int i, out = 0;

	for (i = 0; i < n; i++)
		total += src[i].iov_len;
	if (skip + trim > total)
		return 0;
	keep = total - skip - trim;
	for (i = 0; i < n && keep; i++) {
		l = src[i].iov_len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		l = MIN(l - skip, keep);
		dst[out++] = (struct iovec){ .iov_base = (u8 *)src[i].iov_base + skip, .iov_len = l };
		keep -= l;
		skip = 0;
	}
	return out;
}

static u8 status_of(long result)
{
	if (result >= 0)
		return VIRTIO_BLK_S_OK;
	return result == -EOPNOTSUPP ? VIRTIO_BLK_S_UNSUPP : VIRTIO_BLK_S_IOERR;
}

static void blk_finish(struct blk_req *r, u8 status)
{
	struct virtio_blk *b = r->blk;

	pthread_mutex_lock(&b->vdev.lock);
	b->inflight--;
	if (r->epoch == b->epoch) {
		*r->status = status;
		virtio_queue_complete(&b->vdev, r->vq, r->elem.head, r->written + 1);
	}
	pthread_mutex_unlock(&b->vdev.lock);
	free(r);
}

static void blk_disk_done(struct disk_request *dreq, long result)
{
	struct blk_req *r = dreq->opaque;

	if (result < 0)
		r->written = 0;
	blk_finish(r, status_of(result));
}

static int prepare_rw(struct blk_req *r, enum disk_op op, u64 sector)
{
	const struct virtq_elem *e = &r->elem;
	unsigned int n;

	if (op == DISK_WRITE)
		n = iov_slice(e->iov, e->n_out, BLK_HDR_SIZE, 0, r->data);
	else
		n = iov_slice(e->iov + e->n_out, e->n_in, 0, 1, r->data);
	if (!n || sector > UINT64_MAX / 512)
		return -EINVAL;
	r->dreq.iov = r->data;
	r->dreq.iovcnt = n;
	r->dreq.offset = sector * 512;
	if (op == DISK_READ)
		r->written = disk_req_bytes(&r->dreq);
	return 0;
}

/* One segment only (max_discard_seg = 1), as the config space says. */
static int prepare_range(struct blk_req *r)
{
	const struct virtq_elem *e = &r->elem;

	if (iov_read(e->iov, e->n_out, BLK_HDR_SIZE, &r->seg, sizeof(r->seg)) != sizeof(r->seg))
		return -EINVAL;
	if (r->seg.sector > UINT64_MAX / 512 || r->seg.num_sectors > BLK_MAX_DISCARD_SECTORS)
		return -EINVAL;
	r->dreq.offset = r->seg.sector * 512;
	r->dreq.len = (u64)r->seg.num_sectors * 512;
	return 0;
}

static size_t blk_get_id(struct blk_req *r)
{
	const struct virtq_elem *e = &r->elem;
	const char *serial = r->blk->disk.serial;
	size_t len = MIN(strlen(serial), (size_t)VIRTIO_BLK_ID_BYTES);
	size_t room, done = 0;
	unsigned int i;

	for (i = e->n_out; i < e->n_out + e->n_in && done < len; i++) {
		room = e->iov[i].iov_len;
		if (i == e->n_out + e->n_in - 1)
			room--;		/* the status byte */
		room = MIN(room, len - done);
		memcpy(e->iov[i].iov_base, serial + done, room);
		done += room;
	}
	return done;
}

/* Parses one chain and starts it; returns the status for an immediate answer, or -1. */
static int blk_start(struct blk_req *r)
{
	struct virtio_blk_outhdr hdr;
	const struct virtq_elem *e = &r->elem;
	struct iovec *last;
	int ret = 0;

	if (!e->n_in || iov_read(e->iov, e->n_out, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return -EINVAL;
	last = (struct iovec *)&e->iov[e->n_out + e->n_in - 1];
	r->status = (u8 *)last->iov_base + last->iov_len - 1;
	r->dreq = (struct disk_request){ .done = blk_disk_done, .opaque = r };
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		r->dreq.op = DISK_READ;
		ret = prepare_rw(r, DISK_READ, hdr.sector);
		break;
	case VIRTIO_BLK_T_OUT:
		r->dreq.op = DISK_WRITE;
		ret = prepare_rw(r, DISK_WRITE, hdr.sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		r->dreq.op = DISK_FLUSH;
		break;
	case VIRTIO_BLK_T_DISCARD:
		r->dreq.op = DISK_DISCARD;
		ret = prepare_range(r);
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		r->dreq.op = DISK_WRITE_ZEROES;
		ret = prepare_range(r);
		break;
	case VIRTIO_BLK_T_GET_ID:
		r->written = blk_get_id(r);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
	if (ret)
		return VIRTIO_BLK_S_IOERR;
	return disk_submit(&r->blk->disk, &r->dreq) ? VIRTIO_BLK_S_IOERR : -1;
}

static void blk_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_blk *b = dev->priv;
	struct blk_req *r;
	int ret, status;

	for (;;) {
		r = malloc(sizeof(*r));
		if (!r)
			return;	/* retried on the next kick */
		ret = virtq_pop(vq, &dev->vm->mem, &r->elem);
		if (ret <= 0) {
			free(r);
			if (ret < 0)
				virtio_set_needs_reset(dev);
			return;
		}
		r->blk = b;
		r->vq = vq;
		r->epoch = b->epoch;
		r->written = 0;
		b->inflight++;
		status = blk_start(r);
		if (status == -EINVAL) {
			/* No status byte to answer in: return the chain unanswered. */
			b->inflight--;
			virtio_queue_complete(dev, vq, r->elem.head, 0);
			free(r);
		} else if (status >= 0) {
			pthread_mutex_unlock(&dev->lock);
			blk_finish(r, status);
			pthread_mutex_lock(&dev->lock);
		}
	}
}

static u64 blk_features(struct virtio_dev *dev)
{
	struct virtio_blk *b = dev->priv;
	u64 f = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		(1ULL << VIRTIO_BLK_F_FLUSH);

	if (b->disk.ro)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	else
		f |= (1ULL << VIRTIO_BLK_F_DISCARD) | (1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static void blk_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct virtio_blk *b = dev->priv;

	memcpy(data, (u8 *)&b->config + offset, len);
}

static void blk_reset(struct virtio_dev *dev)
{
	struct virtio_blk *b = dev->priv;

	b->epoch++;
}

static const struct virtio_dev_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.queue_size = BLK_QUEUE_SIZE,
	.features = blk_features,
	.config_size = sizeof(struct virtio_blk_config),
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
};

static void fill_config(struct virtio_blk *b)
{
	struct virtio_blk_config *c = &b->config;

	c->capacity = b->disk.size / 512;
	c->seg_max = BLK_SEG_MAX;
	c->blk_size = 512;
	c->max_discard_sectors = BLK_MAX_DISCARD_SECTORS;
	c->max_discard_seg = 1;
	c->discard_sector_alignment = 1;
	c->max_write_zeroes_sectors = BLK_MAX_DISCARD_SECTORS;
	c->max_write_zeroes_seg = 1;
	c->write_zeroes_may_unmap = 1;
}

struct virtio_blk *virtio_blk_create(struct vm *vm, const struct disk_config *c,
				     struct err_msg *e)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	struct disk_config dc = *c;
	int ret;

	if (!b) {
		err_set(e, ENOMEM, "out of memory for a disk");
		return NULL;
	}
	dc.seccomp = !vm->cfg.no_seccomp;
	ret = disk_open(&b->disk, &dc, e);
	if (ret)
		goto err_free;
	ret = disk_attach(&b->disk, &vm->loop);
	if (ret) {
		err_set(e, ret, "disk '%s': cannot watch its completions", c->path);
		goto err_close;
	}
	fill_config(b);
	ret = virtio_dev_init(&b->vdev, vm, &blk_ops, b);
	if (ret) {
		err_set(e, ret, "disk '%s': cannot set up its queue", c->path);
		goto err_close;
	}
	return b;
err_close:
	disk_close(&b->disk);
err_free:
	free(b);
	return NULL;
}

struct virtio_dev *virtio_blk_dev(struct virtio_blk *b)
{
	return &b->vdev;
}

const struct disk *virtio_blk_disk(const struct virtio_blk *b)
{
	return &b->disk;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	disk_close(&b->disk);
	free(b);
}
