// SPDX-License-Identifier: GPL-2.0
/* Builds the virtio devices the configuration asks for, on its transport. */
#include <errno.h>
#include <stdlib.h>

#include "../core/vm.h"
#include "../pci/pci.h"
#include "blk.h"
#include "mmio.h"
#include "net.h"
#include "pci.h"
#include "setup.h"

#define PCI_CLASS_STORAGE_OTHER	0x018000
#define PCI_CLASS_NETWORK_ETHERNET	0x020000

/* A device model with its transport, torn down together. */
struct virtio_slot {
	struct virtio_blk *blk;
	struct virtio_net *net;
	bool on_pci;
	union {
		struct virtio_mmio mmio;
		struct virtio_pci pci;
	};
};

static void slot_destroy(void *obj)
{
	struct virtio_slot *s = obj;

	if (s->on_pci)
		virtio_pci_destroy(&s->pci);
	if (s->blk)
		virtio_blk_destroy(s->blk);
	if (s->net)
		virtio_net_destroy(s->net);
	free(s);
}

static void host_destroy(void *obj)
{
	pci_host_destroy(obj);
	free(obj);
}

/* The bridge comes with the first PCI device. */
static struct pci_host *pci_host(struct vm *vm, struct err_msg *e)
{
	struct pci_host *h;

	if (vm->pci_host)
		return vm->pci_host;
	h = calloc(1, sizeof(*h));
	if (!h) {
		err_set(e, ENOMEM, "out of memory for the PCI host");
		return NULL;
	}
	if (pci_host_init(h, vm, e) || vm_add_device(vm, h, host_destroy)) {
		free(h);
		return NULL;
	}
	vm->pci_host = h;
	return h;
}

static int attach(struct vm *vm, struct virtio_slot *s, struct virtio_dev *dev, u32 class_code,
		  struct err_msg *e)
{
	struct pci_host *h;

	if (vm->cfg.transport == VIRTIO_TRANSPORT_MMIO)
		return virtio_mmio_add(&s->mmio, vm, dev, e);
	h = pci_host(vm, e);
	if (!h)
		return -EINVAL;
	s->on_pci = true;
	return virtio_pci_add(&s->pci, h, dev, class_code, e);
}

static int add_disk(struct vm *vm, const struct disk_config *c, struct err_msg *e)
{
	struct virtio_slot *s = calloc(1, sizeof(*s));

	if (!s)
		return err_set(e, ENOMEM, "out of memory for a disk");
	s->blk = virtio_blk_create(vm, c, e);
	if (!s->blk) {
		free(s);
		return -EINVAL;
	}
	if (vm_add_device(vm, s, slot_destroy)) {
		slot_destroy(s);
		return err_usage(e, "too many devices; use fewer");
	}
	return attach(vm, s, virtio_blk_dev(s->blk), PCI_CLASS_STORAGE_OTHER, e);
}

static int add_nic(struct vm *vm, const struct net_config *c, unsigned int index,
		   struct err_msg *e)
{
	struct virtio_slot *s = calloc(1, sizeof(*s));

	if (!s)
		return err_set(e, ENOMEM, "out of memory for a NIC");
	s->net = virtio_net_create(vm, c, index, e);
	if (!s->net) {
		free(s);
		return -EINVAL;
	}
	if (vm_add_device(vm, s, slot_destroy)) {
		slot_destroy(s);
		return err_usage(e, "too many devices; use fewer");
	}
	return attach(vm, s, virtio_net_dev(s->net), PCI_CLASS_NETWORK_ETHERNET, e);
}

int virtio_devices_create(struct vm *vm, struct err_msg *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->cfg.nr_disks; i++) {
		ret = add_disk(vm, &vm->cfg.disks[i], e);
		if (ret)
			return ret;
	}
	for (i = 0; i < vm->cfg.nr_nets; i++) {
		if (vm->cfg.nets[i].mode == NET_MODE_NONE)
			continue;
		ret = add_nic(vm, &vm->cfg.nets[i], i, e);
		if (ret)
			return ret;
	}
	return 0;
}
