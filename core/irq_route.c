// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "arch.h"
#include "irq_route.h"
#include "vm.h"

#define ROUTES_MAX		1024
#define MSI_GSI_FIRST		256	/* clear of every irqchip pin */

void irq_routes_init(struct irq_routes *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->next_gsi = MSI_GSI_FIRST;
}

void irq_routes_destroy(struct irq_routes *r)
{
	free(r->entries);
	r->entries = NULL;
	pthread_mutex_destroy(&r->lock);
}

/* The defaults are only fetched once an MSI needs a table at all. */
static int ensure_table(struct vm *vm, struct irq_routes *r)
{
	if (r->entries)
		return 0;
	r->entries = calloc(ROUTES_MAX, sizeof(*r->entries));
	if (!r->entries)
		return -ENOMEM;
	r->nr_default = arch_irq_default_routes(vm, r->entries, ROUTES_MAX / 2);
	r->nr = r->nr_default;
	return 0;
}

int irq_route_alloc(struct vm *vm, u32 *gsi)
{
	struct irq_routes *r = &vm->routes;
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = ensure_table(vm, r);
	if (!ret && r->next_gsi - MSI_GSI_FIRST >= ROUTES_MAX / 2)
		ret = -ENOSPC;
	if (!ret)
		*gsi = r->next_gsi++;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static int commit(struct vm *vm, struct irq_routes *r)
{
	struct kvm_irq_routing *t;
	int ret = 0;

	t = calloc(1, sizeof(*t) + r->nr * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	t->nr = r->nr;
	memcpy(t->entries, r->entries, r->nr * sizeof(t->entries[0]));
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, t))
		ret = -errno;
	free(t);
	return ret;
}

int irq_route_msi(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid)
{
	struct irq_routes *r = &vm->routes;
	struct kvm_irq_routing_entry e;
	unsigned int i;
	int ret;

	memset(&e, 0, sizeof(e));
	ret = arch_msi_route(vm, gsi, addr, data, devid, &e);
	if (ret)
		return ret;
	pthread_mutex_lock(&r->lock);
	ret = ensure_table(vm, r);
	if (ret)
		goto out;
	for (i = r->nr_default; i < r->nr && r->entries[i].gsi != gsi; i++)
		;
	if (i == r->nr) {
		if (r->nr == ROUTES_MAX) {
			ret = -ENOSPC;
			goto out;
		}
		r->nr++;
	}
	r->entries[i] = e;
	ret = commit(vm, r);
out:
	pthread_mutex_unlock(&r->lock);
	return ret;
}
