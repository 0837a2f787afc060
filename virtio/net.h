/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_NET_H
#define LKVM_VIRTIO_NET_H

#include "net_config.h"
#include "net_hdr.h"
#include "virtio.h"

struct vm;
struct virtio_net;

/* Creates a virtio-net device for one -n; its transport is chosen by the caller. */
struct virtio_net *virtio_net_create(struct vm *vm, const struct net_config *c,
				     unsigned int index, struct err_msg *e);
struct virtio_dev *virtio_net_dev(struct virtio_net *n);
void virtio_net_destroy(struct virtio_net *n);

/*
 * The network backends under virtio-net (one file each: net_slirp.c,
 * net_tap.c). A frame crosses this interface with its virtio-net header
 * beside it, already checked against the negotiated features: a backend
 * either hands the header on (a tap with IFF_VNET_HDR) or does what it
 * asks itself (net_hdr.c). Every op runs on the event-loop thread with the
 * device lock held.
 */
struct net_backend;

struct net_backend_ops {
	/*
	 * One frame from the guest; the backend may change it in place (to
	 * finish checksums) or drop it (the network is lossy).
	 */
	void (*send)(struct net_backend *be, const struct virtio_net_hdr_v1 *hdr,
		     u8 *frame, size_t len);
	/* The guest's TX batch is done (slirp then looks at new sockets). Optional. */
	void (*flush)(struct net_backend *be);
	/* net_rx_frame() said no earlier; the guest has buffers again. */
	void (*rx_resume)(struct net_backend *be);
	/*
	 * The driver is ready with these features (0 after a reset): offloads
	 * on frames for the guest must follow its GUEST_* bits. Optional.
	 */
	void (*set_features)(struct net_backend *be, u64 features);
	/* vhost: hand the queues to the kernel (0), or -errno to stay in userspace. */
	int (*vhost_start)(struct net_backend *be, struct virtio_dev *dev);
	void (*vhost_stop)(struct net_backend *be, struct virtio_dev *dev);
	void (*close)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	struct virtio_net *net;
	struct vm *vm;
	u64 offloads;			/* VIRTIO_NET_F_* offloads it serves (open sets them) */
	bool vhost;			/* the queues run in the kernel once the driver is ready */
	void *priv;
};

int net_slirp_open(struct net_backend *be, const struct net_config *c, struct err_msg *e);
int net_tap_open(struct net_backend *be, const struct net_config *c, struct err_msg *e);

/*
 * For the backends. net_rx_frame() (device lock held) gives the guest one
 * frame, with its header or NULL for a plain one; false means it was
 * queued or dropped because the guest has no buffers: produce nothing more
 * until rx_resume().
 */
bool net_rx_frame(struct virtio_net *n, const struct virtio_net_hdr_v1 *hdr,
		  const void *frame, size_t len);
void net_lock(struct virtio_net *n);
void net_unlock(struct virtio_net *n);

#endif
