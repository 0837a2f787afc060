/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_PCI_H
#define LKVM_VIRTIO_PCI_H

#include "../pci/msix.h"
#include "../pci/pci.h"
#include "virtio.h"

/* The modern virtio-pci transport (virtio 1.x, section 4.1) for one device. */
struct virtio_pci {
	struct virtio_dev *dev;
	struct pci_dev pdev;
	struct msix msix;
	u32 device_features_sel;
	u32 driver_features_sel;
	u16 queue_sel;
	u16 config_vector;
	u16 queue_vector[VIRTIO_MAX_QUEUES];
	u8 cfg_cap;			/* VIRTIO_PCI_CAP_PCI_CFG offset */
	bool ioeventfd[VIRTIO_MAX_QUEUES];
	u64 ioeventfd_addr;
};

int virtio_pci_add(struct virtio_pci *vp, struct pci_host *host, struct virtio_dev *dev,
		   u32 class_code, struct err_msg *e);
void virtio_pci_destroy(struct virtio_pci *vp);

#endif
