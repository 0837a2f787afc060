// SPDX-License-Identifier: GPL-2.0
/* Device status, feature negotiation and queue plumbing common to every
 * virtio device and transport. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../core/vm.h"
#include "virtio.h"

#define RING_FEATURES	((1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
			 (1ULL << VIRTIO_RING_F_EVENT_IDX) | \
			 (1ULL << VIRTIO_F_VERSION_1))

static void kick_ready(struct event_handler *h, u32 events)
{
	struct virtq *vq = h->opaque;
	struct virtio_dev *dev = vq->dev;
	u64 n;

	(void)events;
	if (read(vq->kick_fd, &n, sizeof(n)) < 0)
		return;
	pthread_mutex_lock(&dev->lock);
	if (vq->ready && !vq->broken && (dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		dev->ops->queue_notify(dev, vq);
	pthread_mutex_unlock(&dev->lock);
}

int virtio_dev_init(struct virtio_dev *dev, struct vm *vm, const struct virtio_dev_ops *ops,
		    void *priv)
{
	unsigned int i;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->priv = priv;
	dev->vm = vm;
	dev->host_features = ops->features(dev) | RING_FEATURES;
	pthread_mutex_init(&dev->lock, NULL);
	for (i = 0; i < ops->nr_queues; i++) {
		struct virtq *vq = &dev->vqs[i];

		vq->dev = dev;
		vq->index = i;
		vq->max_size = ops->queue_size;
		vq->size = ops->queue_size;
		vq->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vq->kick_fd < 0)
			return -errno;
		vq->kick = (struct event_handler){
			.fd = vq->kick_fd, .fn = kick_ready, .opaque = vq,
		};
		ret = event_loop_add(&vm->loop, &vq->kick, EPOLLIN);
		if (ret)
			return ret;
	}
	return 0;
}

void virtio_kick(struct virtq *vq)
{
	u64 one = 1;

	if (write(vq->kick_fd, &one, sizeof(one)) < 0)
		return;	/* counter saturated: a kick is pending anyway */
}

static bool config_fits(const struct virtio_dev *dev, u32 offset, u32 len)
{
	return offset < dev->ops->config_size && len <= dev->ops->config_size - offset;
}

void virtio_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	memset(data, 0, len);
	if (dev->ops->config_read && config_fits(dev, offset, len))
		dev->ops->config_read(dev, offset, data, len);
}

void virtio_config_write(struct virtio_dev *dev, u32 offset, const void *data, u32 len)
{
	if (dev->ops->config_write && config_fits(dev, offset, len))
		dev->ops->config_write(dev, offset, data, len);
}

void virtio_reset(struct virtio_dev *dev)
{
	unsigned int i;

	if (dev->ops->reset)
		dev->ops->reset(dev);
	for (i = 0; i < dev->ops->nr_queues; i++)
		virtq_reset(&dev->vqs[i]);
	dev->status = 0;
	dev->guest_features = 0;
	dev->isr = 0;
}

/* FEATURES_OK stands only for a subset of what we offered, with VERSION_1. */
static bool features_acceptable(const struct virtio_dev *dev)
{
	return !(dev->guest_features & ~dev->host_features) &&
	       (dev->guest_features & (1ULL << VIRTIO_F_VERSION_1));
}

void virtio_set_status(struct virtio_dev *dev, u8 status)
{
	unsigned int i;

	if (!status) {
		virtio_reset(dev);
		return;
	}
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) && !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !features_acceptable(dev))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	dev->status = status;
	for (i = 0; i < dev->ops->nr_queues; i++)
		dev->vqs[i].event_idx = dev->guest_features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	/* Buffers queued before DRIVER_OK were not served yet. */
	if (status & VIRTIO_CONFIG_S_DRIVER_OK)
		for (i = 0; i < dev->ops->nr_queues; i++)
			if (dev->vqs[i].ready)
				virtio_kick(&dev->vqs[i]);
}

void virtio_set_needs_reset(struct virtio_dev *dev)
{
	if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		dev->transport->signal_config(dev);
}

void virtio_queue_enable(struct virtio_dev *dev, struct virtq *vq)
{
	vq->ready = virtq_map(vq, &dev->vm->mem);
	vq->event_idx = dev->guest_features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	if (!vq->ready)
		virtio_set_needs_reset(dev);
}

void virtio_queue_complete(struct virtio_dev *dev, struct virtq *vq, u16 head, u32 len)
{
	virtq_push(vq, head, len);
	if (virtq_need_notify(vq))
		dev->transport->signal_queue(dev, vq);
}
