// SPDX-License-Identifier: GPL-2.0
/* Builds the virtio devices the configuration asks for, on its transport. */
#include <errno.h>
#include <stdlib.h>

#include "../core/vm.h"
#include "../pci/pci.h"
#include "balloon.h"
#include "blk.h"
#include "console.h"
#include "mmio.h"
#include "net.h"
#include "p9.h"
#include "pci.h"
#include "rng.h"
#include "setup.h"
#include "vsock.h"

#define PCI_CLASS_STORAGE_OTHER	0x018000
#define PCI_CLASS_NETWORK_ETHERNET	0x020000

#define PCI_CLASS_COMM_OTHER	0x078000
#define PCI_CLASS_OTHER		0xff0000

/* A device model with its transport, torn down together. */
struct virtio_slot {
	void *model;
	void (*model_destroy)(void *model);
	bool on_pci;
	union {
		struct virtio_mmio mmio;
		struct virtio_pci pci;
	};
};

static void slot_destroy(void *obj)
{
	struct virtio_slot *s = obj;

	/* The model's threads may still signal through the transport until joined. */
	if (s->model)
		s->model_destroy(s->model);
	if (s->on_pci)
		virtio_pci_destroy(&s->pci);
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

/* Hands a new device model to the VM, on the configured transport. */
static int add_model(struct vm *vm, void *model, void (*destroy)(void *),
		     struct virtio_dev *dev, u32 class_code, struct err_msg *e)
{
	struct virtio_slot *s = calloc(1, sizeof(*s));

	if (!s) {
		destroy(model);
		return err_set(e, ENOMEM, "out of memory for a device");
	}
	s->model = model;
	s->model_destroy = destroy;
	if (vm_add_device(vm, s, slot_destroy)) {
		slot_destroy(s);
		return err_usage(e, "too many devices; use fewer");
	}
	return attach(vm, s, dev, class_code, e);
}

static void blk_destroy(void *p)
{
	virtio_blk_destroy(p);
}

static void net_destroy(void *p)
{
	virtio_net_destroy(p);
}

static void p9_destroy(void *p)
{
	virtio_9p_destroy(p);
}

static void rng_destroy(void *p)
{
	virtio_rng_destroy(p);
}

static void console_destroy(void *p)
{
	virtio_console_destroy(p);
}

static void balloon_destroy(void *p)
{
	virtio_balloon_destroy(p);
}

static void vsock_destroy(void *p)
{
	virtio_vsock_destroy(p);
}

static int add_disk(struct vm *vm, const struct disk_config *c, struct err_msg *e)
{
	struct virtio_blk *b = virtio_blk_create(vm, c, e);

	if (!b)
		return -EINVAL;
	return add_model(vm, b, blk_destroy, virtio_blk_dev(b), PCI_CLASS_STORAGE_OTHER, e);
}

static int add_nic(struct vm *vm, const struct net_config *c, unsigned int index,
		   struct err_msg *e)
{
	struct virtio_net *n = virtio_net_create(vm, c, index, e);

	if (!n)
		return -EINVAL;
	return add_model(vm, n, net_destroy, virtio_net_dev(n), PCI_CLASS_NETWORK_ETHERNET, e);
}

static int add_share(struct vm *vm, const struct p9_config *c, struct err_msg *e)
{
	struct virtio_9p *p = virtio_9p_create(vm, c, e);

	if (!p)
		return -EINVAL;
	return add_model(vm, p, p9_destroy, virtio_9p_dev(p), PCI_CLASS_STORAGE_OTHER, e);
}

static int add_console(struct vm *vm, struct err_msg *e)
{
	struct virtio_console *c;

	if (vm->cfg.console != CONSOLE_VIRTIO)
		return 0;
	c = virtio_console_create(vm, e);
	if (!c)
		return -EINVAL;
	return add_model(vm, c, console_destroy, virtio_console_dev(c), PCI_CLASS_COMM_OTHER, e);
}

static int add_rng(struct vm *vm, struct err_msg *e)
{
	struct virtio_rng *r;

	if (!vm->cfg.rng)
		return 0;
	r = virtio_rng_create(vm, e);
	if (!r)
		return -EINVAL;
	return add_model(vm, r, rng_destroy, virtio_rng_dev(r), PCI_CLASS_OTHER, e);
}

static int add_balloon(struct vm *vm, struct err_msg *e)
{
	struct virtio_balloon *b;
	int ret;

	if (!vm->cfg.balloon)
		return 0;
	b = virtio_balloon_create(vm, e);
	if (!b)
		return -EINVAL;
	ret = add_model(vm, b, balloon_destroy, virtio_balloon_dev(b), PCI_CLASS_OTHER, e);
	if (!ret)
		vm->balloon = b;
	return ret;
}

static int add_vsock(struct vm *vm, struct err_msg *e)
{
	struct virtio_vsock *s;

	if (!vm->cfg.vsock_cid)
		return 0;
	s = virtio_vsock_create(vm, vm->cfg.vsock_cid, e);
	if (!s)
		return -EINVAL;
	return add_model(vm, s, vsock_destroy, virtio_vsock_dev(s), PCI_CLASS_OTHER, e);
}

/*
 * Like kvmtool, a VM without -n gets one user-mode NIC; --nodefaults (or a
 * build without libslirp) leaves it out.
 */
static int add_default_nic(struct vm *vm, struct err_msg *e)
{
	struct net_config c = { .mode = NET_MODE_USER };

	if (vm->cfg.nodefaults || vm->cfg.raw_payload || vm->cfg.nr_nets)
		return 0;
#ifdef LKVM_SLIRP
	return add_nic(vm, &c, 0, e);
#else
	(void)c;
	(void)e;
	return 0;
#endif
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
	for (i = 0; i < vm->cfg.nr_shares; i++) {
		ret = add_share(vm, &vm->cfg.shares[i], e);
		if (ret)
			return ret;
	}
	ret = add_default_nic(vm, e);
	if (!ret)
		ret = add_console(vm, e);
	if (!ret)
		ret = add_rng(vm, e);
	if (!ret)
		ret = add_balloon(vm, e);
	if (!ret)
		ret = add_vsock(vm, e);
	return ret;
}
