// SPDX-License-Identifier: GPL-2.0
/* MSI-X (PCI local bus spec 6.8.2) with vectors delivered by irqfd. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/vm.h"
#include "msix.h"

#define ENTRY_MASKED	1u

static u16 msg_ctrl(const struct msix *m)
{
	u16 v;

	memcpy(&v, m->pdev->cfg + m->cap + PCI_MSIX_FLAGS, 2);
	return v;
}

bool msix_enabled(const struct msix *m)
{
	return msg_ctrl(m) & PCI_MSIX_FLAGS_ENABLE;
}

/* While MSI-X is off the function may not send: the vector waits in the PBA. */
static bool vector_masked(const struct msix *m, unsigned int v)
{
	return !msix_enabled(m) || (msg_ctrl(m) & PCI_MSIX_FLAGS_MASKALL) ||
	       (m->table[v].ctrl & ENTRY_MASKED);
}

int msix_init(struct msix *m, struct pci_dev *d, unsigned int nr, u8 bar, u32 table_off,
	      u32 pba_off)
{
	u8 cap[12] = { PCI_CAP_ID_MSIX };
	u16 ctrl = nr - 1;
	u32 t = table_off | bar, p = pba_off | bar;
	unsigned int i;

	if (!nr || nr > MSIX_MAX_VECTORS)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->pdev = d;
	m->nr = nr;
	pthread_mutex_init(&m->lock, NULL);
	for (i = 0; i < nr; i++) {
		m->table[i].ctrl = ENTRY_MASKED;	/* masked at reset, per spec */
		m->fd[i] = -1;
	}
	memcpy(cap + PCI_MSIX_FLAGS, &ctrl, 2);
	memcpy(cap + PCI_MSIX_TABLE, &t, 4);
	memcpy(cap + PCI_MSIX_PBA, &p, 4);
	m->cap = pci_dev_add_cap(d, cap, sizeof(cap));
	if (!m->cap)
		return -ENOSPC;
	/* Only enable and function mask are the guest's to write. */
	d->wmask[m->cap + PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	return 0;
}

void msix_destroy(struct msix *m)
{
	unsigned int i;

	for (i = 0; i < m->nr; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
}

static u32 devid(const struct msix *m)
{
	return (u32)m->pdev->slot << 3;		/* bus 0, function 0 */
}

/* Gives vector v a GSI and irqfd the first time, then points it at its entry. */
static void route_vector(struct msix *m, unsigned int v)
{
	struct vm *vm = m->pdev->host->vm;
	const struct msix_entry *e = &m->table[v];
	struct kvm_irqfd irqfd = { 0 };

	if (m->fd[v] < 0) {
		if (irq_route_alloc(vm, &m->gsi[v]))
			return;
		m->fd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (m->fd[v] < 0)
			return;
	}
	if (irq_route_msi(vm, m->gsi[v], ((u64)e->addr_hi << 32) | e->addr_lo, e->data, devid(m)))
		return;
	if (!m->routed[v]) {
		irqfd.fd = m->fd[v];
		irqfd.gsi = m->gsi[v];
		if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd))
			return;
		m->routed[v] = true;
	}
}

static void deliver(struct msix *m, unsigned int v)
{
	u64 one = 1;

	if (!m->routed[v])
		return;
	if (write(m->fd[v], &one, sizeof(one)) < 0)
		return;	/* saturated: an interrupt is on its way anyway */
}

/* Sends what was held back while masked. Lock held. */
static void flush_pending(struct msix *m)
{
	unsigned int v;

	if (!msix_enabled(m))
		return;
	for (v = 0; v < m->nr; v++) {
		if (!(m->pending & (1ULL << v)) || vector_masked(m, v))
			continue;
		m->pending &= ~(1ULL << v);
		deliver(m, v);
	}
}

void msix_table_read(struct msix *m, u64 offset, void *data, u32 len)
{
	memset(data, 0, len);
	if (offset >= m->nr * sizeof(struct msix_entry) ||
	    len > m->nr * sizeof(struct msix_entry) - offset)
		return;
	pthread_mutex_lock(&m->lock);
	memcpy(data, (u8 *)m->table + offset, len);
	pthread_mutex_unlock(&m->lock);
}

void msix_table_write(struct msix *m, u64 offset, const void *data, u32 len)
{
	unsigned int v = offset / sizeof(struct msix_entry);
	struct msix_entry before;

	/* Spec: dword or qword accesses, naturally aligned, within one entry. */
	if ((len != 4 && len != 8) || (offset & (len - 1)) || v >= m->nr)
		return;
	pthread_mutex_lock(&m->lock);
	before = m->table[v];
	memcpy((u8 *)m->table + offset, data, len);
	m->table[v].ctrl &= ENTRY_MASKED;
	if (memcmp(&before, &m->table[v], offsetof(struct msix_entry, ctrl)) || !m->routed[v])
		route_vector(m, v);
	flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

void msix_pba_read(struct msix *m, u64 offset, void *data, u32 len)
{
	memset(data, 0, len);
	if (offset >= 8 || len > 8 - offset)
		return;
	pthread_mutex_lock(&m->lock);
	memcpy(data, (u8 *)&m->pending + offset, len);
	pthread_mutex_unlock(&m->lock);
}

void msix_cfg_written(struct msix *m, u32 offset, u32 len)
{
	u32 flags = m->cap + PCI_MSIX_FLAGS;

	if (offset > flags + 1 || offset + len <= flags)
		return;
	pthread_mutex_lock(&m->lock);
	flush_pending(m);
	pthread_mutex_unlock(&m->lock);
}

void msix_signal(struct msix *m, u16 vector)
{
	if (vector >= m->nr)
		return;
	pthread_mutex_lock(&m->lock);
	if (vector_masked(m, vector))
		m->pending |= 1ULL << vector;
	else
		deliver(m, vector);
	pthread_mutex_unlock(&m->lock);
}
