// SPDX-License-Identifier: GPL-2.0
/* The virtio-mmio transport, version 2 (virtio 1.x, section 4.2). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/virtio_mmio.h>

#include "../core/vm.h"
#include "mmio.h"

#define MMIO_MAGIC		0x74726976	/* "virt" */
#define MMIO_VERSION		2
#define MMIO_VENDOR		0x4d564b4c	/* "LKVM" */

static struct virtq *selected_vq(struct virtio_mmio *m)
{
	if (m->queue_sel >= m->dev->ops->nr_queues)
		return NULL;
	return &m->dev->vqs[m->queue_sel];
}

static u32 read_reg(struct virtio_mmio *m, u64 offset)
{
	struct virtio_dev *dev = m->dev;
	struct virtq *vq = selected_vq(m);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return m->device_features_sel > 1 ? 0 :
		       (u32)(dev->host_features >> (32 * m->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? vq->max_size : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return __atomic_load_n(&dev->isr, __ATOMIC_ACQUIRE);
	case VIRTIO_MMIO_STATUS:
		return dev->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->config_generation;
	default:
		return 0;
	}
}

static void set_addr_half(u64 *addr, bool high, u32 v)
{
	if (high)
		*addr = (*addr & 0xffffffffULL) | ((u64)v << 32);
	else
		*addr = (*addr & ~0xffffffffULL) | v;
}

/* Queue registers may only change while the queue is off (spec 4.2.2.2). */
static void write_queue_reg(struct virtio_mmio *m, struct virtq *vq, u64 offset, u32 v)
{
	if (!vq)
		return;
	if (offset == VIRTIO_MMIO_QUEUE_READY) {
		if (v && !vq->ready)
			virtio_queue_enable(m->dev, vq);
		else if (!v)
			virtq_unmap(vq);
		return;
	}
	if (vq->ready)
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		/* Checked when the queue goes ready; a 0 never passes. */
		vq->size = v > 0xffff ? 0 : v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_addr_half(&vq->desc_gpa, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_addr_half(&vq->avail_gpa, offset == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_addr_half(&vq->used_gpa, offset == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	}
}

static void write_reg(struct virtio_mmio *m, u64 offset, u32 v)
{
	struct virtio_dev *dev = m->dev;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (m->driver_features_sel < 2 && !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_addr_half(&dev->guest_features, m->driver_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Only when KVM did not take it on an ioeventfd. */
		if (v < dev->ops->nr_queues)
			virtio_kick(&dev->vqs[v]);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		__atomic_fetch_and(&dev->isr, ~v, __ATOMIC_ACQ_REL);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_set_status(dev, v);
		break;
	default:
		write_queue_reg(m, selected_vq(m), offset, v);
		break;
	}
}

static void mmio_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct virtio_mmio *m = opaque;
	struct virtio_dev *dev = m->dev;
	u32 v;

	memset(data, 0, len);
	pthread_mutex_lock(&dev->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		virtio_config_read(dev, offset - VIRTIO_MMIO_CONFIG, data, len);
	} else if (len == 4 && !(offset & 3)) {
		v = read_reg(m, offset);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&dev->lock);
}

static void mmio_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct virtio_mmio *m = opaque;
	struct virtio_dev *dev = m->dev;
	u32 v;

	pthread_mutex_lock(&dev->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		virtio_config_write(dev, offset - VIRTIO_MMIO_CONFIG, data, len);
	} else if (len == 4 && !(offset & 3)) {
		memcpy(&v, data, 4);
		write_reg(m, offset, v);
	}
	pthread_mutex_unlock(&dev->lock);
}

static const struct io_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

static void raise_irq(struct virtio_mmio *m, u32 bit)
{
	u64 one = 1;

	__atomic_fetch_or(&m->dev->isr, bit, __ATOMIC_ACQ_REL);
	if (m->irq_fd >= 0) {
		if (write(m->irq_fd, &one, sizeof(one)) < 0)
			return;	/* saturated: an interrupt is pending */
		return;
	}
	/* An edge on the line, for hosts without irqfd. */
	vm_irq_line(m->dev->vm, m->desc.irq, true);
	vm_irq_line(m->dev->vm, m->desc.irq, false);
}

static void mmio_signal_queue(struct virtio_dev *dev, struct virtq *vq)
{
	(void)vq;
	raise_irq(dev->transport_priv, VIRTIO_MMIO_INT_VRING);
}

static void mmio_signal_config(struct virtio_dev *dev)
{
	dev->config_generation++;
	raise_irq(dev->transport_priv, VIRTIO_MMIO_INT_CONFIG);
}

static const struct virtio_transport_ops mmio_transport = {
	.signal_queue = mmio_signal_queue,
	.signal_config = mmio_signal_config,
};

static void setup_irqfd(struct virtio_mmio *m, struct vm *vm)
{
	struct kvm_irqfd irqfd = { .gsi = m->desc.irq };

	m->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->irq_fd < 0)
		return;
	irqfd.fd = m->irq_fd;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd)) {
		close(m->irq_fd);
		m->irq_fd = -1;
	}
}

static void setup_ioeventfds(struct virtio_mmio *m, struct vm *vm)
{
	unsigned int i;

	m->ioeventfd = true;
	for (i = 0; i < m->dev->ops->nr_queues; i++) {
		struct kvm_ioeventfd io = {
			.datamatch = i,
			.addr = m->desc.base + VIRTIO_MMIO_QUEUE_NOTIFY,
			.len = 4,
			.fd = m->dev->vqs[i].kick_fd,
			.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
		};

		if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io))
			m->ioeventfd = false;	/* that queue's kicks come by MMIO exit */
	}
}

int virtio_mmio_add(struct virtio_mmio *m, struct vm *vm, struct virtio_dev *dev,
		    struct err_msg *e)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->dev = dev;
	dev->transport = &mmio_transport;
	dev->transport_priv = m;
	ret = vm_place_mmio_device(vm, "VR", VIRTIO_MMIO_WINDOW, &m->desc, e);
	if (ret)
		return ret;
	ret = io_bus_register(&vm->mmio, m->desc.base, VIRTIO_MMIO_WINDOW, &mmio_ops, m);
	if (ret)
		return err_set(e, ret, "cannot map virtio-mmio at 0x%llx",
			       (unsigned long long)m->desc.base);
	setup_irqfd(m, vm);
	setup_ioeventfds(m, vm);
	return 0;
}
