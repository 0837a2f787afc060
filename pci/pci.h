/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PCI_H
#define LKVM_PCI_H

#include <pthread.h>
#include <linux/pci_regs.h>

#include "../core/io_bus.h"
#include "../core/util.h"

#define PCI_CFG_SIZE		4096	/* ECAM: 4 KiB per function */
#define PCI_MAX_SLOTS		32
#define PCI_NR_BARS		6

struct vm;
struct pci_host;

struct pci_bar {
	u64 size;			/* 0: unused */
	bool is64;
	u64 addr;			/* where it is mapped now */
	bool mapped;
	const struct io_ops *ops;
	void *opaque;
};

/* One PCI function (type 0 header) on bus 0. */
struct pci_dev {
	struct pci_host *host;
	u8 slot;
	u8 cfg[PCI_CFG_SIZE];
	u8 wmask[PCI_CFG_SIZE];		/* bits the guest may write */
	u8 cap_end;			/* where the next capability goes */
	u8 last_cap;
	struct pci_bar bars[PCI_NR_BARS];
	/* Called after the guest wrote [offset, offset + len) of config space. */
	void (*cfg_written)(struct pci_dev *d, u32 offset, u32 len);
	/* Called before a config read, to refresh volatile fields. */
	void (*cfg_reading)(struct pci_dev *d, u32 offset, u32 len);
	/* Called after BAR n was mapped at bars[n].addr or unmapped. */
	void (*bar_moved)(struct pci_dev *d, unsigned int n);
	void *priv;
};

/* The host bridge: ECAM config space, and on x86 the 0xcf8/0xcfc ports too. */
struct pci_host {
	struct vm *vm;
	pthread_mutex_t lock;		/* config space of every function */
	struct pci_dev *slots[PCI_MAX_SLOTS];
	struct pci_dev bridge;		/* slot 0: guests probing type-1 access look for it */
	u32 cf8;			/* the port-I/O config address latch */
	u64 mem32_next;			/* BAR placement, like firmware would */
	u64 mem64_next;
};

void pci_dev_init(struct pci_dev *d, u16 vendor, u16 device, u32 class_code, u8 revision,
		  u16 subsys_vendor, u16 subsys);
/* Declares BAR n; its address is chosen when the device joins the host. */
void pci_dev_set_bar(struct pci_dev *d, unsigned int n, u64 size, bool is64,
		     const struct io_ops *ops, void *opaque);
/* Appends a capability (body starts with its ID byte); returns its offset or 0 if full. */
u8 pci_dev_add_cap(struct pci_dev *d, const void *body, u8 len);

/* Emulated by host.c: the bridge and its ECAM window, listed in the inventory. */
int pci_host_init(struct pci_host *h, struct vm *vm, struct err_msg *e);
int pci_host_add(struct pci_host *h, struct pci_dev *d, struct err_msg *e);
void pci_host_destroy(struct pci_host *h);

/* Config space access for one function; also what the unit tests drive. */
void pci_cfg_read(struct pci_dev *d, u32 offset, void *data, u32 len);
void pci_cfg_write(struct pci_dev *d, u32 offset, const void *data, u32 len);

/* The legacy INTx pin, asserted or released, after the standard swizzle. */
void pci_intx(struct pci_dev *d, bool level);

#endif
