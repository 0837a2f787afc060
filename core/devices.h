/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_DEVICES_H
#define LKVM_DEVICES_H

#include "util.h"

/*
 * The device inventory: what each device needs, declared once. The arch
 * layer renders it as ACPI tables (x86) or a device tree (arm64); devices
 * never write firmware tables themselves.
 */

#define INVENTORY_MAX_DEVS	64

enum dev_kind {
	DEV_VIRTIO_MMIO,	/* DT "virtio,mmio", ACPI LNRO0005 */
};

struct dev_desc {
	enum dev_kind kind;
	char name[8];		/* unique short name: ACPI name segment, DT label */
	u64 base;		/* MMIO window */
	u64 size;
	u32 irq;		/* platform interrupt: x86 GSI, arm64 SPI number */
	bool edge;		/* else level-triggered, active high */
};

/* A generic ECAM PCI host bridge, as both DT and ACPI describe it. */
struct pci_host_desc {
	bool present;
	u64 ecam_base;
	u64 ecam_size;
	u8 bus_start;
	u8 bus_end;
	u64 io_base;		/* CPU address of the I/O window (arm64), or 0 */
	u64 io_pci_base;	/* PCI address the I/O window starts at */
	u64 io_size;
	u64 mem32_base;		/* non-prefetchable 32-bit window, identity-mapped */
	u64 mem32_size;
	u64 mem64_base;		/* prefetchable 64-bit window, identity-mapped */
	u64 mem64_size;
	u32 intx_irq[4];	/* INTA..INTD of slot 0; slot s pin p gets [(s + p) % 4] */
	unsigned int nr_slots;
};

struct dev_inventory {
	struct dev_desc devs[INVENTORY_MAX_DEVS];
	unsigned int nr;
	struct pci_host_desc pci;
};

/* -ENOSPC when full, -EEXIST for a name already there. */
int inventory_add(struct dev_inventory *inv, const struct dev_desc *d);

#endif
