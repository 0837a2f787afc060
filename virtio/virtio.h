/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_H
#define LKVM_VIRTIO_H

#include <pthread.h>
#include <sys/uio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "../core/event_loop.h"
#include "../core/mem.h"
#include "../core/util.h"

#define VIRTQ_MAX_SIZE		1024
#define VIRTQ_MAX_IOV		1024	/* buffers in one chain, direct and indirect */

struct virtio_dev;

/* One split virtqueue, as the driver set it up. */
struct virtq {
	struct virtio_dev *dev;
	unsigned int index;
	u16 max_size;
	u16 size;
	bool ready;
	bool broken;			/* the driver broke the ring: stop using it */
	u64 desc_gpa, avail_gpa, used_gpa;

	/* Host views, checked against guest RAM when the queue goes ready. */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	u16 last_avail;			/* next avail entry the device takes */
	u16 used_idx;			/* the device's copy of used->idx */
	u16 signalled_used;
	bool signalled_valid;
	bool event_idx;

	int kick_fd;			/* eventfd the driver's notifications land on */
	struct event_handler kick;
};

/* One chain taken from a queue: readable buffers, then writable ones. */
struct virtq_elem {
	u16 head;
	unsigned int n_out;		/* device-readable */
	unsigned int n_in;		/* device-writable */
	struct iovec iov[VIRTQ_MAX_IOV];	/* out first, then in */
};

#define VIRTIO_MAX_QUEUES	8

struct vm;

/* What a device model implements; transports wrap any device unchanged. */
struct virtio_dev_ops {
	const char *name;
	u32 device_id;			/* VIRTIO_ID_* */
	unsigned int nr_queues;
	u16 queue_size;
	u64 (*features)(struct virtio_dev *dev);	/* besides VERSION_1 & ring features */
	u32 config_size;
	void (*config_read)(struct virtio_dev *dev, u32 offset, void *data, u32 len);
	void (*config_write)(struct virtio_dev *dev, u32 offset, const void *data, u32 len);
	/* A kick arrived for vq (on the I/O thread, with dev->lock held). */
	void (*queue_notify)(struct virtio_dev *dev, struct virtq *vq);
	/* The driver reset the device: drop in-flight state (dev->lock held). */
	void (*reset)(struct virtio_dev *dev);
};

/* How a device raises interrupts; provided by the transport. */
struct virtio_transport_ops {
	void (*signal_queue)(struct virtio_dev *dev, struct virtq *vq);
	void (*signal_config)(struct virtio_dev *dev);
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	void *priv;
	struct vm *vm;
	const struct virtio_transport_ops *transport;
	void *transport_priv;

	pthread_mutex_t lock;		/* transport registers vs. the I/O thread */
	u64 host_features;
	u64 guest_features;
	u8 status;
	u32 config_generation;
	u32 isr;			/* VIRTIO_MMIO_INT_* / PCI ISR bits */
	struct virtq vqs[VIRTIO_MAX_QUEUES];
};

/* Sets up the common state; features are fixed from here on. */
int virtio_dev_init(struct virtio_dev *dev, struct vm *vm, const struct virtio_dev_ops *ops,
		    void *priv);

/* Driver status writes and feature negotiation, shared by the transports. */
void virtio_set_status(struct virtio_dev *dev, u8 status);
void virtio_reset(struct virtio_dev *dev);
/* Starts serving vq: maps its rings and watches its kick eventfd. */
void virtio_queue_enable(struct virtio_dev *dev, struct virtq *vq);
/* The device found the driver misbehaving (spec 2.1.2). */
void virtio_set_needs_reset(struct virtio_dev *dev);
/* Pushes and interrupts if the driver asked to be told. */
void virtio_queue_complete(struct virtio_dev *dev, struct virtq *vq, u16 head, u32 len);
void virtio_kick(struct virtq *vq);
/*
 * The device's config space as both transports expose it: accesses that
 * do not fit inside it read as zeroes (data is cleared first) and are
 * dropped on write, and never reach the device.
 */
void virtio_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len);
void virtio_config_write(struct virtio_dev *dev, u32 offset, const void *data, u32 len);

/* Binds a queue to guest memory; false (queue unusable) if the rings are outside RAM. */
bool virtq_map(struct virtq *vq, const struct guest_mem *mem);

/*
 * Takes the next available chain. Returns 1 with e filled, 0 when the
 * ring is empty, -EINVAL when the driver's chain is malformed (loop, too
 * long, outside RAM, zero length, readable after writable, nested
 * indirect); the queue is then marked broken.
 */
int virtq_pop(struct virtq *vq, const struct guest_mem *mem, struct virtq_elem *e);

/*
 * Gives back the last n chains virtq_pop() took, unused (a device that
 * found too few buffers for a packet), and asks for a kick when more come.
 * True when more came meanwhile: try again rather than wait for that kick.
 */
bool virtq_unpop(struct virtq *vq, u16 n);

/* Returns a chain with 'len' bytes written into its writable buffers. */
void virtq_push(struct virtq *vq, u16 head, u32 len);
/*
 * The same for several chains that the driver must see at once (one
 * mergeable RX packet): fill used slots offset 0, 1, ... then flush them
 * with one index update.
 */
void virtq_fill(struct virtq *vq, u16 head, u32 len, u16 offset);
void virtq_flush(struct virtq *vq, u16 n);

/* Whether the driver wants an interrupt for what was pushed since the last one. */
bool virtq_need_notify(struct virtq *vq);

/*
 * The driver switched the queue off: it may now resize or move the rings,
 * so requests still in flight complete into none (not the old ones with
 * the new size).
 */
void virtq_unmap(struct virtq *vq);

/* Stops taking notifications and forgets the rings (device reset). */
void virtq_reset(struct virtq *vq);

/* Bytes in the writable part of e (saturating). */
u64 virtq_elem_in_len(const struct virtq_elem *e);

#endif
