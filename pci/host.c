// SPDX-License-Identifier: GPL-2.0
/*
 * The generic PCI host bridge: one bus whose functions' config spaces are
 * reached through an ECAM window (and, on x86, ports 0xcf8/0xcfc). BARs
 * are placed in the 32-bit window up front, as firmware would, so the
 * guest finds working addresses; it may move them.
 */
#include <errno.h>
#include <string.h>

#include "../core/arch.h"
#include "../core/vm.h"
#include "pci.h"

#define CF8_PORT	0xcf8
#define CFC_PORT	0xcfc
#define CF8_ENABLE	0x80000000u

static struct pci_dev *lookup(struct pci_host *h, u32 bus, u32 slot, u32 fn)
{
	if (bus != h->vm->inventory.pci.bus_start || fn || slot >= PCI_MAX_SLOTS)
		return NULL;
	return h->slots[slot];
}

static void cfg_access(struct pci_host *h, u32 bdf_off, void *data, u32 len, bool write)
{
	struct pci_dev *d = lookup(h, bdf_off >> 20, (bdf_off >> 15) & 0x1f, (bdf_off >> 12) & 7);
	u32 reg = bdf_off & 0xfff;

	/* Naturally aligned 1, 2 or 4 bytes only, as PCI config cycles are. */
	if (!d || (len != 1 && len != 2 && len != 4) || (reg & (len - 1))) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&h->lock);
	if (write)
		pci_cfg_write(d, reg, data, len);
	else
		pci_cfg_read(d, reg, data, len);
	pthread_mutex_unlock(&h->lock);
}

static void ecam_read(void *opaque, u64 offset, void *data, u32 len)
{
	cfg_access(opaque, offset, data, len, false);
}

static void ecam_write(void *opaque, u64 offset, const void *data, u32 len)
{
	cfg_access(opaque, offset, (void *)data, len, true);
}

static const struct io_ops ecam_ops = { .read = ecam_read, .write = ecam_write };

/* 0xcf8 holds bus/device/function/register; 0xcfc-0xcff move the data. */
static u32 cf8_to_ecam(u32 cf8, u64 byte)
{
	return (((cf8 >> 16) & 0xff) << 20) | (((cf8 >> 11) & 0x1f) << 15) |
	       (((cf8 >> 8) & 7) << 12) | (cf8 & 0xfc) | ((cf8 >> 16) & 0xf00) | byte;
}

static void cf8_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct pci_host *h = opaque;

	memset(data, 0xff, len);
	if (offset == 0 && len == 4)
		memcpy(data, &h->cf8, 4);
}

static void cf8_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct pci_host *h = opaque;

	if (offset == 0 && len == 4)
		memcpy(&h->cf8, data, 4);
}

static void cfc_access(struct pci_host *h, u64 offset, void *data, u32 len, bool write)
{
	if (!(h->cf8 & CF8_ENABLE)) {
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	cfg_access(h, cf8_to_ecam(h->cf8, offset), data, len, write);
}

static void cfc_read(void *opaque, u64 offset, void *data, u32 len)
{
	cfc_access(opaque, offset, data, len, false);
}

static void cfc_write(void *opaque, u64 offset, const void *data, u32 len)
{
	cfc_access(opaque, offset, (void *)data, len, true);
}

static const struct io_ops cf8_ops = { .read = cf8_read, .write = cf8_write };
static const struct io_ops cfc_ops = { .read = cfc_read, .write = cfc_write };

int pci_host_init(struct pci_host *h, struct vm *vm, struct err_msg *e)
{
	struct pci_host_desc *p = &vm->inventory.pci;
	bool ports = false;
	int ret;

	memset(h, 0, sizeof(*h));
	h->vm = vm;
	pthread_mutex_init(&h->lock, NULL);
	arch_pci_layout(vm, p, &ports);
	p->present = true;
	/* Red Hat's ID for a generic host bridge; class 06/00/00. */
	pci_dev_init(&h->bridge, 0x1b36, 0x0008, 0x060000, 0, 0x1b36, 0x0008);
	h->bridge.cfg[PCI_INTERRUPT_PIN] = 0;
	h->bridge.host = h;
	h->slots[0] = &h->bridge;
	h->mem32_next = p->mem32_base;
	h->mem64_next = p->mem64_base;
	ret = io_bus_register(&vm->mmio, p->ecam_base, p->ecam_size, &ecam_ops, h);
	if (!ret && ports)
		ret = io_bus_register(&vm->pio, CF8_PORT, 4, &cf8_ops, h);
	if (!ret && ports)
		ret = io_bus_register(&vm->pio, CFC_PORT, 4, &cfc_ops, h);
	if (ret)
		return err_set(e, ret, "cannot map the PCI host bridge");
	return 0;
}

static int place_bars(struct pci_host *h, struct pci_dev *d, struct err_msg *e)
{
	const struct pci_host_desc *p = &h->vm->inventory.pci;
	unsigned int n;

	for (n = 0; n < PCI_NR_BARS; n++) {
		struct pci_bar *b = &d->bars[n];
		u32 off = PCI_BASE_ADDRESS_0 + 4 * n;
		u64 addr = ALIGN_UP(h->mem32_next, b->size);
		u32 lo;

		if (!b->size)
			continue;
		if (addr + b->size > p->mem32_base + p->mem32_size)
			return err_usage(e, "too many PCI devices for the 32-bit PCI window; use fewer");
		h->mem32_next = addr + b->size;
		lo = (u32)addr | (d->cfg[off] & 0xf);
		memcpy(d->cfg + off, &lo, 4);
		if (b->is64)
			memset(d->cfg + off + 4, 0, 4);
	}
	return 0;
}

int pci_host_add(struct pci_host *h, struct pci_dev *d, struct err_msg *e)
{
	struct pci_host_desc *p = &h->vm->inventory.pci;
	unsigned int slot;

	for (slot = 1; slot < PCI_MAX_SLOTS && h->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS)
		return err_usage(e, "too many PCI devices: bus 0 has %u slots; use fewer",
				 PCI_MAX_SLOTS - 1);
	d->host = h;
	d->slot = slot;
	if (place_bars(h, d, e))
		return -EINVAL;
	h->slots[slot] = d;
	if (slot + 1 > p->nr_slots)
		p->nr_slots = slot + 1;
	return 0;
}

void pci_host_destroy(struct pci_host *h)
{
	pthread_mutex_destroy(&h->lock);
}
