/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PCI_MSIX_H
#define LKVM_PCI_MSIX_H

#include <pthread.h>

#include "pci.h"

#define MSIX_MAX_VECTORS	64
#define MSIX_NO_VECTOR		0xffff

struct msix_entry {
	u32 addr_lo;
	u32 addr_hi;
	u32 data;
	u32 ctrl;			/* bit 0: masked */
};

/*
 * MSI-X for one function: the guest programs the table in a BAR; each
 * vector becomes a KVM GSI route fed by its own irqfd.
 */
struct msix {
	struct pci_dev *pdev;
	pthread_mutex_t lock;
	u8 cap;				/* capability offset in config space */
	unsigned int nr;
	struct msix_entry table[MSIX_MAX_VECTORS];
	u64 pending;			/* the PBA */
	u32 gsi[MSIX_MAX_VECTORS];
	int fd[MSIX_MAX_VECTORS];	/* irqfd, -1 until first routed */
	bool routed[MSIX_MAX_VECTORS];
};

/* Adds the capability: table and PBA at the given offsets of BAR bar. */
int msix_init(struct msix *m, struct pci_dev *d, unsigned int nr, u8 bar, u32 table_off,
	      u32 pba_off);
void msix_destroy(struct msix *m);
void msix_table_read(struct msix *m, u64 offset, void *data, u32 len);
void msix_table_write(struct msix *m, u64 offset, const void *data, u32 len);
void msix_pba_read(struct msix *m, u64 offset, void *data, u32 len);
/* Config space around the capability changed (enable, function mask). */
void msix_cfg_written(struct msix *m, u32 offset, u32 len);
bool msix_enabled(const struct msix *m);
/* Sends vector, or leaves it pending while masked. */
void msix_signal(struct msix *m, u16 vector);

#endif
