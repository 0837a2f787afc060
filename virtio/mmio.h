/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_MMIO_H
#define LKVM_VIRTIO_MMIO_H

#include "../core/devices.h"
#include "virtio.h"

#define VIRTIO_MMIO_WINDOW	0x200

struct virtio_mmio {
	struct virtio_dev *dev;
	struct dev_desc desc;
	u32 device_features_sel;
	u32 driver_features_sel;
	u32 queue_sel;
	int irq_fd;			/* irqfd, or -1 to pulse the line instead */
	bool ioeventfd;			/* notifications bypass the vCPU thread */
};

/*
 * Gives dev a virtio-mmio (version 2) window and an interrupt from the
 * platform's device space and lists it in the inventory.
 */
int virtio_mmio_add(struct virtio_mmio *m, struct vm *vm, struct virtio_dev *dev,
		    struct err_msg *e);

#endif
