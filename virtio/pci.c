// SPDX-License-Identifier: GPL-2.0
/*
 * The modern virtio-pci transport: one 32-bit memory BAR holding the
 * common, ISR, device and notify structures and the MSI-X table, each
 * announced by a vendor capability; plus the PCI_CFG window capability.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/virtio_pci.h>

#include "../core/vm.h"
#include "pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040
#define BAR_SIZE		0x8000
#define COMMON_OFF		0x0000
#define ISR_OFF			0x1000
#define DEVICE_OFF		0x2000
#define NOTIFY_OFF		0x3000
#define NOTIFY_MULT		4
#define MSIX_TABLE_OFF		0x4000
#define MSIX_PBA_OFF		0x5000
#define REGION_SIZE		0x1000
#define ISR_QUEUE		0x1	/* spec 4.1.4.5; the uapi names only the config bit */

static struct virtq *selected_vq(struct virtio_pci *vp)
{
	if (vp->queue_sel >= vp->dev->ops->nr_queues)
		return NULL;
	return &vp->dev->vqs[vp->queue_sel];
}

static void common_snapshot(struct virtio_pci *vp, struct virtio_pci_common_cfg *c)
{
	struct virtio_dev *dev = vp->dev;
	struct virtq *vq = selected_vq(vp);

	memset(c, 0, sizeof(*c));
	c->device_feature_select = vp->device_features_sel;
	c->device_feature = vp->device_features_sel > 1 ? 0 :
			    (u32)(dev->host_features >> (32 * vp->device_features_sel));
	c->guest_feature_select = vp->driver_features_sel;
	c->guest_feature = vp->driver_features_sel > 1 ? 0 :
			   (u32)(dev->guest_features >> (32 * vp->driver_features_sel));
	c->msix_config = vp->config_vector;
	c->num_queues = dev->ops->nr_queues;
	c->device_status = dev->status;
	c->config_generation = dev->config_generation;
	c->queue_select = vp->queue_sel;
	if (!vq)
		return;
	c->queue_size = vq->size;
	c->queue_msix_vector = vp->queue_vector[vp->queue_sel];
	c->queue_enable = vq->ready;
	c->queue_notify_off = vp->queue_sel;
	c->queue_desc_lo = (u32)vq->desc_gpa;
	c->queue_desc_hi = vq->desc_gpa >> 32;
	c->queue_avail_lo = (u32)vq->avail_gpa;
	c->queue_avail_hi = vq->avail_gpa >> 32;
	c->queue_used_lo = (u32)vq->used_gpa;
	c->queue_used_hi = vq->used_gpa >> 32;
}

#define FIELD(f)	offsetof(struct virtio_pci_common_cfg, f)
#define TOUCHES(f)	(off < FIELD(f) + sizeof(c->f) && off + len > FIELD(f))

static u16 valid_vector(struct virtio_pci *vp, u16 v)
{
	return v < vp->msix.nr ? v : MSIX_NO_VECTOR;
}

static void set_half(u64 *a, u32 lo, u32 hi)
{
	*a = ((u64)hi << 32) | lo;
}

/* Queue fields change only while the queue is off (spec 4.1.4.3.2). */
static void common_write_queue(struct virtio_pci *vp, const struct virtio_pci_common_cfg *c,
			       u32 off, u32 len)
{
	struct virtq *vq = selected_vq(vp);

	if (!vq)
		return;
	if (TOUCHES(queue_msix_vector))
		vp->queue_vector[vp->queue_sel] = valid_vector(vp, c->queue_msix_vector);
	if (TOUCHES(queue_enable) && c->queue_enable == 1 && !vq->ready)
		virtio_queue_enable(vp->dev, vq);
	if (vq->ready)
		return;
	if (TOUCHES(queue_size))
		vq->size = c->queue_size;
	if (TOUCHES(queue_desc_lo) || TOUCHES(queue_desc_hi))
		set_half(&vq->desc_gpa, c->queue_desc_lo, c->queue_desc_hi);
	if (TOUCHES(queue_avail_lo) || TOUCHES(queue_avail_hi))
		set_half(&vq->avail_gpa, c->queue_avail_lo, c->queue_avail_hi);
	if (TOUCHES(queue_used_lo) || TOUCHES(queue_used_hi))
		set_half(&vq->used_gpa, c->queue_used_lo, c->queue_used_hi);
}

static void reset_vectors(struct virtio_pci *vp)
{
	unsigned int i;

	vp->config_vector = MSIX_NO_VECTOR;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->queue_vector[i] = MSIX_NO_VECTOR;
}

static void common_write(struct virtio_pci *vp, u32 off, const void *data, u32 len)
{
	struct virtio_pci_common_cfg snap, *c = &snap;
	struct virtio_dev *dev = vp->dev;

	common_snapshot(vp, c);
	memcpy((u8 *)c + off, data, len);
	if (TOUCHES(device_feature_select))
		vp->device_features_sel = c->device_feature_select;
	if (TOUCHES(guest_feature_select))
		vp->driver_features_sel = c->guest_feature_select;
	if (TOUCHES(guest_feature) && vp->driver_features_sel < 2 &&
	    !(dev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		u32 sh = 32 * vp->driver_features_sel;

		dev->guest_features = (dev->guest_features & ~(0xffffffffULL << sh)) |
				      ((u64)c->guest_feature << sh);
	}
	if (TOUCHES(msix_config))
		vp->config_vector = valid_vector(vp, c->msix_config);
	if (TOUCHES(queue_select))
		vp->queue_sel = c->queue_select;
	else
		common_write_queue(vp, c, off, len);
	if (TOUCHES(device_status)) {
		virtio_set_status(dev, c->device_status);
		if (!c->device_status)
			reset_vectors(vp);
	}
}

static void notify_write(struct virtio_pci *vp, u64 off)
{
	u64 q = off / NOTIFY_MULT;

	/* Only reached when KVM did not take the write on an ioeventfd. */
	if (q < vp->dev->ops->nr_queues)
		virtio_kick(&vp->dev->vqs[q]);
}

static u8 isr_read(struct virtio_pci *vp)
{
	u8 v = __atomic_exchange_n(&vp->dev->isr, 0, __ATOMIC_ACQ_REL);

	/* Reading the ISR acknowledges INTx (spec 4.1.4.5). */
	if (v)
		pci_intx(&vp->pdev, false);
	return v;
}

static void bar_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct virtio_pci *vp = opaque;
	struct virtio_dev *dev = vp->dev;
	struct virtio_pci_common_cfg c;
	u64 off = offset % REGION_SIZE;

	memset(data, 0, len);
	if (offset >= MSIX_TABLE_OFF) {
		if (offset < MSIX_PBA_OFF)
			msix_table_read(&vp->msix, off, data, len);
		else if (offset < MSIX_PBA_OFF + REGION_SIZE)
			msix_pba_read(&vp->msix, off, data, len);
		return;
	}
	pthread_mutex_lock(&dev->lock);
	switch (offset / REGION_SIZE * REGION_SIZE) {
	case COMMON_OFF:
		if (off + len <= sizeof(c)) {
			common_snapshot(vp, &c);
			memcpy(data, (u8 *)&c + off, len);
		}
		break;
	case ISR_OFF:
		if (off == 0)
			*(u8 *)data = isr_read(vp);
		break;
	case DEVICE_OFF:
		virtio_config_read(dev, off, data, len);
		break;
	}
	pthread_mutex_unlock(&dev->lock);
}

static void bar_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct virtio_pci *vp = opaque;
	struct virtio_dev *dev = vp->dev;
	u64 off = offset % REGION_SIZE;

	if (offset >= MSIX_TABLE_OFF) {
		if (offset < MSIX_PBA_OFF)
			msix_table_write(&vp->msix, off, data, len);
		return;
	}
	pthread_mutex_lock(&dev->lock);
	switch (offset / REGION_SIZE * REGION_SIZE) {
	case COMMON_OFF:
		if (off + len <= sizeof(struct virtio_pci_common_cfg))
			common_write(vp, off, data, len);
		break;
	case DEVICE_OFF:
		virtio_config_write(dev, off, data, len);
		break;
	case NOTIFY_OFF:
		notify_write(vp, off);
		break;
	}
	pthread_mutex_unlock(&dev->lock);
}

static const struct io_ops bar_ops = { .read = bar_read, .write = bar_write };

static void vp_raise(struct virtio_pci *vp, u16 vector, u32 isr_bit)
{
	if (msix_enabled(&vp->msix)) {
		if (vector != MSIX_NO_VECTOR)
			msix_signal(&vp->msix, vector);
		return;
	}
	__atomic_fetch_or(&vp->dev->isr, isr_bit, __ATOMIC_ACQ_REL);
	pci_intx(&vp->pdev, true);
}

static void pci_signal_queue(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_pci *vp = dev->transport_priv;

	vp_raise(vp, vp->queue_vector[vq->index], ISR_QUEUE);
}

static void pci_signal_config(struct virtio_dev *dev)
{
	struct virtio_pci *vp = dev->transport_priv;

	dev->config_generation++;
	vp_raise(vp, vp->config_vector, VIRTIO_PCI_ISR_CONFIG);
}

static const struct virtio_transport_ops pci_transport = {
	.signal_queue = pci_signal_queue,
	.signal_config = pci_signal_config,
};

/* Notifications go straight to the queues' eventfds wherever the BAR sits now. */
static void set_ioeventfds(struct virtio_pci *vp, u64 base, bool assign)
{
	struct vm *vm = vp->dev->vm;
	unsigned int i;

	for (i = 0; i < vp->dev->ops->nr_queues; i++) {
		struct kvm_ioeventfd io = {
			.addr = base + NOTIFY_OFF + NOTIFY_MULT * i,
			.len = 2,
			.fd = vp->dev->vqs[i].kick_fd,
			.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
		};

		if (assign == vp->ioeventfd[i])
			continue;
		if (!ioctl(vm->vm_fd, KVM_IOEVENTFD, &io))
			vp->ioeventfd[i] = assign;
	}
}

static void bar_moved(struct pci_dev *d, unsigned int n)
{
	struct virtio_pci *vp = d->priv;

	if (n != 0)
		return;
	set_ioeventfds(vp, vp->ioeventfd_addr, false);
	if (d->bars[0].mapped) {
		vp->ioeventfd_addr = d->bars[0].addr;
		set_ioeventfds(vp, vp->ioeventfd_addr, true);
	}
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG: a window into the BAR through config space. The
 * capability sits in cfg[] at no particular alignment: its fields are
 * reached by offset, never through a struct pointer.
 */
#define CFG_CAP(f)	offsetof(struct virtio_pci_cfg_cap, f)

static u8 *cfg_cap_field(struct virtio_pci *vp, size_t off)
{
	return vp->pdev.cfg + vp->cfg_cap + off;
}

static bool window_access(struct virtio_pci *vp, u32 offset, u32 len, u32 *bar_off, u32 *n)
{
	u32 data = vp->cfg_cap + CFG_CAP(pci_cfg_data);

	if (offset >= data + 4 || offset + len <= data)
		return false;
	memcpy(n, cfg_cap_field(vp, CFG_CAP(cap.length)), 4);
	memcpy(bar_off, cfg_cap_field(vp, CFG_CAP(cap.offset)), 4);
	return *cfg_cap_field(vp, CFG_CAP(cap.bar)) == 0 && (*n == 1 || *n == 2 || *n == 4) &&
	       *bar_off < BAR_SIZE && *n <= BAR_SIZE - *bar_off;
}

static void cfg_reading(struct pci_dev *d, u32 offset, u32 len)
{
	struct virtio_pci *vp = d->priv;
	u32 bar_off, n;

	if (window_access(vp, offset, len, &bar_off, &n))
		bar_read(vp, bar_off, cfg_cap_field(vp, CFG_CAP(pci_cfg_data)), n);
}

static void cfg_written(struct pci_dev *d, u32 offset, u32 len)
{
	struct virtio_pci *vp = d->priv;
	u32 bar_off, n;

	msix_cfg_written(&vp->msix, offset, len);
	if (window_access(vp, offset, len, &bar_off, &n))
		bar_write(vp, bar_off, cfg_cap_field(vp, CFG_CAP(pci_cfg_data)), n);
}

static u8 add_vendor_cap(struct pci_dev *d, u8 type, u32 off, u32 len, bool notify)
{
	struct virtio_pci_notify_cap c = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR,
			.cap_len = notify ? sizeof(c) : sizeof(c.cap),
			.cfg_type = type,
			.bar = 0,
			.offset = off,
			.length = len,
		},
		.notify_off_multiplier = NOTIFY_MULT,
	};

	return pci_dev_add_cap(d, &c, c.cap.cap_len);
}

static int add_caps(struct virtio_pci *vp)
{
	struct pci_dev *d = &vp->pdev;
	struct virtio_pci_cfg_cap cfg = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR,
			.cap_len = sizeof(cfg),
			.cfg_type = VIRTIO_PCI_CAP_PCI_CFG,
		},
	};
	u32 w;

	if (!add_vendor_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFF,
			    sizeof(struct virtio_pci_common_cfg), false) ||
	    !add_vendor_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFF,
			    NOTIFY_MULT * vp->dev->ops->nr_queues, true) ||
	    !add_vendor_cap(d, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFF, 1, false))
		return -ENOSPC;
	if (vp->dev->ops->config_size &&
	    !add_vendor_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFF, vp->dev->ops->config_size, false))
		return -ENOSPC;
	vp->cfg_cap = pci_dev_add_cap(d, &cfg, sizeof(cfg));
	if (!vp->cfg_cap)
		return -ENOSPC;
	/* The driver picks bar, offset and length, and moves data through the window. */
	d->wmask[vp->cfg_cap + offsetof(struct virtio_pci_cap, bar)] = 0xff;
	w = 0xffffffff;
	memcpy(d->wmask + vp->cfg_cap + offsetof(struct virtio_pci_cap, offset), &w, 4);
	memcpy(d->wmask + vp->cfg_cap + offsetof(struct virtio_pci_cap, length), &w, 4);
	memcpy(d->wmask + vp->cfg_cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), &w, 4);
	return msix_init(&vp->msix, d, vp->dev->ops->nr_queues + 1, 0, MSIX_TABLE_OFF, MSIX_PBA_OFF);
}

int virtio_pci_add(struct virtio_pci *vp, struct pci_host *host, struct virtio_dev *dev,
		   u32 class_code, struct err_msg *e)
{
	struct pci_dev *d = &vp->pdev;
	int ret;

	memset(vp, 0, sizeof(*vp));
	vp->dev = dev;
	dev->transport = &pci_transport;
	dev->transport_priv = vp;
	reset_vectors(vp);
	pci_dev_init(d, VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BASE + dev->ops->device_id,
		     class_code, 1, VIRTIO_PCI_VENDOR, dev->ops->device_id);
	d->priv = vp;
	d->cfg_written = cfg_written;
	d->cfg_reading = cfg_reading;
	d->bar_moved = bar_moved;
	pci_dev_set_bar(d, 0, BAR_SIZE, false, &bar_ops, vp);
	ret = add_caps(vp);
	if (ret)
		return err_set(e, ret, "%s: no room for its PCI capabilities", dev->ops->name);
	return pci_host_add(host, d, e);
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	msix_destroy(&vp->msix);
}
