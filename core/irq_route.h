/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IRQ_ROUTE_H
#define LKVM_IRQ_ROUTE_H

#include <pthread.h>

#include "util.h"

struct vm;
struct kvm_irq_routing_entry;

/*
 * KVM's GSI routing table, which MSI-X vectors join: KVM only takes the
 * whole table at once, so lkvm keeps it, irqchip pins included.
 */
struct irq_routes {
	pthread_mutex_t lock;
	struct kvm_irq_routing_entry *entries;
	unsigned int nr;
	unsigned int nr_default;
	u32 next_gsi;
};

void irq_routes_init(struct irq_routes *r);
void irq_routes_destroy(struct irq_routes *r);
/* A GSI of its own for one MSI source; -ENOSPC when the table is full. */
int irq_route_alloc(struct vm *vm, u32 *gsi);
/* Points gsi at the MSI (addr, data) from device devid, and tells KVM. */
int irq_route_msi(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid);

#endif
