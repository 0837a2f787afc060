// SPDX-License-Identifier: GPL-2.0
/* A PCI function's configuration space: header, BARs, capabilities. */
#include <string.h>

#include "../core/vm.h"
#include "pci.h"

static void put16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

void pci_dev_init(struct pci_dev *d, u16 vendor, u16 device, u32 class_code, u8 revision,
		  u16 subsys_vendor, u16 subsys)
{
	memset(d, 0, sizeof(*d));
	put16(d->cfg + PCI_VENDOR_ID, vendor);
	put16(d->cfg + PCI_DEVICE_ID, device);
	d->cfg[PCI_REVISION_ID] = revision;
	d->cfg[PCI_CLASS_PROG] = class_code & 0xff;
	put16(d->cfg + PCI_CLASS_DEVICE, class_code >> 8);
	d->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put16(d->cfg + PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	put16(d->cfg + PCI_SUBSYSTEM_ID, subsys);
	d->cfg[PCI_INTERRUPT_PIN] = 1;		/* INTA */
	/* What a driver may change: decode enables, bus mastering, INTx disable. */
	put16(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->cap_end = 0x40;
}

void pci_dev_set_bar(struct pci_dev *d, unsigned int n, u64 size, bool is64,
		     const struct io_ops *ops, void *opaque)
{
	u32 off = PCI_BASE_ADDRESS_0 + 4 * n;
	u64 mask = ~(size - 1);

	d->bars[n] = (struct pci_bar){ .size = size, .is64 = is64, .ops = ops, .opaque = opaque };
	d->cfg[off] = is64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : PCI_BASE_ADDRESS_MEM_TYPE_32;
	/* Sizing works by writing all ones: only the address bits above the size stick. */
	put32(d->wmask + off, (u32)mask & PCI_BASE_ADDRESS_MEM_MASK);
	if (is64)
		put32(d->wmask + off + 4, mask >> 32);
}

u8 pci_dev_add_cap(struct pci_dev *d, const void *body, u8 len)
{
	u8 off = d->cap_end;

	if (len < 2 || off + len > 0x100)
		return 0;
	memcpy(d->cfg + off, body, len);
	d->cfg[off + 1] = 0;
	if (d->last_cap)
		d->cfg[d->last_cap + 1] = off;
	else
		d->cfg[PCI_CAPABILITY_LIST] = off;
	d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	d->last_cap = off;
	d->cap_end = ALIGN_UP(off + len, 4);
	return off;
}

static u64 bar_addr(const struct pci_dev *d, unsigned int n)
{
	u32 off = PCI_BASE_ADDRESS_0 + 4 * n;
	u64 a = get32(d->cfg + off) & PCI_BASE_ADDRESS_MEM_MASK;

	if (d->bars[n].is64)
		a |= (u64)get32(d->cfg + off + 4) << 32;
	return a;
}

/* Maps or unmaps a BAR to follow the memory-decode bit and its address. */
static void bar_update(struct pci_dev *d, unsigned int n)
{
	struct pci_bar *b = &d->bars[n];
	struct io_bus *bus = &d->host->vm->mmio;
	bool decode = d->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY;
	u64 addr = bar_addr(d, n);

	if (!b->size)
		return;
	if (b->mapped && (!decode || addr != b->addr)) {
		io_bus_unregister(bus, b->addr);
		b->mapped = false;
		if (d->bar_moved)
			d->bar_moved(d, n);
	}
	/* A BAR being sized (all ones) or not yet placed stays unmapped. */
	if (decode && !b->mapped && addr && addr + b->size > addr &&
	    addr != (~(b->size - 1) & (b->is64 ? ~0ULL : 0xffffffffULL) & ~0xfULL)) {
		if (!io_bus_register(bus, addr, b->size, b->ops, b->opaque)) {
			b->addr = addr;
			b->mapped = true;
			if (d->bar_moved)
				d->bar_moved(d, n);
		}
	}
}

static void bars_update(struct pci_dev *d)
{
	unsigned int n;

	for (n = 0; n < PCI_NR_BARS; n++)
		bar_update(d, n);
}

void pci_cfg_read(struct pci_dev *d, u32 offset, void *data, u32 len)
{
	if (offset >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - offset) {
		memset(data, 0xff, len);
		return;
	}
	if (d->cfg_reading)
		d->cfg_reading(d, offset, len);
	memcpy(data, d->cfg + offset, len);
}

void pci_cfg_write(struct pci_dev *d, u32 offset, const void *data, u32 len)
{
	const u8 *src = data;
	u32 i;

	if (offset >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - offset)
		return;
	for (i = 0; i < len; i++) {
		u8 m = d->wmask[offset + i];

		d->cfg[offset + i] = (d->cfg[offset + i] & ~m) | (src[i] & m);
	}
	if (offset < PCI_BASE_ADDRESS_5 + 4 && offset + len > PCI_COMMAND)
		bars_update(d);
	if (d->cfg_written)
		d->cfg_written(d, offset, len);
}

void pci_intx(struct pci_dev *d, bool level)
{
	const struct pci_host_desc *p = &d->host->vm->inventory.pci;
	u8 pin = d->cfg[PCI_INTERRUPT_PIN];

	if (!pin)
		return;
	if (level && (d->cfg[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8)))
		return;
	vm_irq_line(d->host->vm, p->intx_irq[(d->slot + pin - 1) % 4], level);
}
