/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_VHOST_H
#define LKVM_VIRTIO_VHOST_H

#include "virtio.h"

/*
 * A vhost character device (/dev/vhost-vsock, ...) serving some of a virtio
 * device's queues in the kernel. Kicks go straight from the guest's
 * ioeventfd to the kernel; the kernel's "call" eventfds come back through
 * the event loop, which raises the queue's interrupt on the transport.
 */
struct vhost_dev {
	int fd;
	unsigned int nr_queues;		/* served by the kernel: queues 0 .. nr_queues-1 */
	int call_fd[VIRTIO_MAX_QUEUES];
	struct event_handler call_ev[VIRTIO_MAX_QUEUES];
	struct virtio_dev *dev;		/* set while the kernel serves the queues */
	struct event_loop *loop;
};

/* Closed and empty: vhost_close() on it does nothing. */
void vhost_init(struct vhost_dev *v);
/* Opens path and claims it (VHOST_SET_OWNER); -errno with the fd closed. */
int vhost_open(struct vhost_dev *v, const char *path, unsigned int nr_queues,
	       struct event_loop *loop);
int vhost_get_features(struct vhost_dev *v, u64 *features);
/*
 * Hands queues 0 .. nr_queues-1 of dev to the kernel with these features:
 * guest memory table, ring addresses, kick and call eventfds. The queues'
 * kick handlers must be out of the event loop first. -errno on failure.
 */
int vhost_start(struct vhost_dev *v, struct virtio_dev *dev, u64 features);
/* Takes the queues back (device reset); the rings' positions are kept. */
void vhost_stop(struct vhost_dev *v);
void vhost_close(struct vhost_dev *v);

#endif
