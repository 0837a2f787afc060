// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-vsock through /dev/vhost-vsock: the kernel serves the rx and tx
 * queues and routes the guest's sockets to the host's AF_VSOCK; lkvm only
 * sets the guest's CID and holds the event queue (it never has an event
 * to post: there is no live migration that would reset the transport).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <linux/vhost.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_vsock.h>

#include "../core/vm.h"
#include "vhost.h"
#include "vsock.h"

#define VSOCK_RXQ		0
#define VSOCK_TXQ		1
#define VSOCK_KERNEL_QUEUES	2	/* rx and tx; the event queue stays here */
#define VSOCK_QUEUE_SIZE	256
#define VHOST_VSOCK_PATH	"/dev/vhost-vsock"

struct virtio_vsock {
	struct virtio_dev vdev;
	struct vhost_dev vhost;
	u64 vhost_features;
	u64 cid;
	bool running;			/* the kernel serves rx/tx */
};

static void kicks_to_loop(struct virtio_vsock *s, bool on)
{
	struct event_loop *loop = &s->vdev.vm->loop;
	unsigned int i;

	for (i = 0; i < VSOCK_KERNEL_QUEUES; i++) {
		if (on)
			event_loop_add(loop, &s->vdev.vqs[i].kick, EPOLLIN);
		else
			event_loop_del(loop, &s->vdev.vqs[i].kick);
	}
}

/* Once both data queues are set up, the kernel takes them; their kicks go to it. */
static void vsock_start(struct virtio_vsock *s)
{
	struct virtio_dev *dev = &s->vdev;
	u64 features = dev->guest_features & s->vhost_features;
	int on = 1;
	unsigned int i;

	if (s->running || !dev->vqs[VSOCK_RXQ].ready || !dev->vqs[VSOCK_TXQ].ready)
		return;
	kicks_to_loop(s, false);
	if (vhost_start(&s->vhost, dev, features) ||
	    ioctl(s->vhost.fd, VHOST_VSOCK_SET_RUNNING, &on)) {
		vhost_stop(&s->vhost);
		kicks_to_loop(s, true);
		virtio_set_needs_reset(dev);
		return;
	}
	s->running = true;
	/* The kick that brought us here was consumed: repeat it for the kernel. */
	for (i = 0; i < VSOCK_KERNEL_QUEUES; i++)
		virtio_kick(&dev->vqs[i]);
}

static void vsock_stop(struct virtio_vsock *s)
{
	int off = 0;

	if (!s->running)
		return;
	ioctl(s->vhost.fd, VHOST_VSOCK_SET_RUNNING, &off);
	vhost_stop(&s->vhost);
	kicks_to_loop(s, true);
	s->running = false;
}

static void vsock_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_vsock *s = dev->priv;

	/* Event-queue buffers wait here for an event that never comes. */
	if (vq->index != 2)
		vsock_start(s);
}

static u64 vsock_features(struct virtio_dev *dev)
{
	struct virtio_vsock *s = dev->priv;

	return s->vhost_features & (1ULL << VIRTIO_VSOCK_F_SEQPACKET);
}

static void vsock_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct virtio_vsock *s = dev->priv;
	struct virtio_vsock_config c = { .guest_cid = s->cid };

	memcpy(data, (u8 *)&c + offset, len);
}

static void vsock_reset(struct virtio_dev *dev)
{
	vsock_stop(dev->priv);
}

static const struct virtio_dev_ops vsock_ops = {
	.name = "vsock",
	.device_id = VIRTIO_ID_VSOCK,
	.nr_queues = 3,
	.queue_size = VSOCK_QUEUE_SIZE,
	.features = vsock_features,
	.config_size = sizeof(struct virtio_vsock_config),
	.config_read = vsock_config_read,
	.queue_notify = vsock_queue_notify,
	.reset = vsock_reset,
};

static int open_vhost(struct virtio_vsock *s, struct vm *vm, struct err_msg *e)
{
	int ret = vhost_open(&s->vhost, VHOST_VSOCK_PATH, VSOCK_KERNEL_QUEUES, &vm->loop);

	if (ret == -ENOENT || ret == -ENODEV)
		return err_usage(e, "--vsock: %s is missing; load the vhost_vsock module (modprobe vhost_vsock)",
				 VHOST_VSOCK_PATH);
	if (ret)
		return err_usage(e, "--vsock: cannot use %s: %s; check its permissions",
				 VHOST_VSOCK_PATH, strerror(-ret));
	ret = vhost_get_features(&s->vhost, &s->vhost_features);
	if (ret)
		return err_set(e, -ret, "--vsock: vhost-vsock features: %s", strerror(-ret));
	if (ioctl(s->vhost.fd, VHOST_VSOCK_SET_GUEST_CID, &s->cid)) {
		if (errno == EADDRINUSE)
			return err_usage(e, "--vsock %llu: another VM on this host has that CID; give another",
					 (unsigned long long)s->cid);
		return err_usage(e, "--vsock %llu: the kernel refused the CID: %s",
				 (unsigned long long)s->cid, strerror(errno));
	}
	return 0;
}

struct virtio_vsock *virtio_vsock_create(struct vm *vm, u32 cid, struct err_msg *e)
{
	struct virtio_vsock *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		err_set(e, ENOMEM, "out of memory for vsock");
		return NULL;
	}
	s->cid = cid;
	vhost_init(&s->vhost);
	if (open_vhost(s, vm, e))
		goto fail;
	ret = virtio_dev_init(&s->vdev, vm, &vsock_ops, s);
	if (ret) {
		err_set(e, -ret, "cannot set up vsock: %s", strerror(-ret));
		goto fail;
	}
	return s;
fail:
	vhost_close(&s->vhost);
	free(s);
	return NULL;
}

struct virtio_dev *virtio_vsock_dev(struct virtio_vsock *s)
{
	return &s->vdev;
}

void virtio_vsock_destroy(struct virtio_vsock *s)
{
	vsock_stop(s);
	vhost_close(&s->vhost);
	free(s);
}
