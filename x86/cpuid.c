// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "cpuid.h"

#define CPUID_MAX_ENTRIES	256

#define LEAF1_ECX_HYPERVISOR	(1u << 31)
#define LEAF1_EDX_HTT		(1u << 28)
#define EXT1_ECX_CMP_LEGACY	(1u << 1)
#define EXT1_ECX_TOPOEXT	(1u << 22)

struct kvm_cpuid2 *x86_cpuid_supported(int kvm_fd, struct err_msg *e)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c) {
		err_set(e, ENOMEM, "out of memory for CPUID");
		return NULL;
	}
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
		err_set(e, errno, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		return NULL;
	}
	return c;
}

/* Bits needed to number n cores: the x2APIC ID shift of the core level. */
static unsigned int id_bits(unsigned int n)
{
	unsigned int b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

static void patch_ext_topology(struct kvm_cpuid_entry2 *ent, unsigned int id,
			       unsigned int nr)
{
	ent->edx = id;
	switch (ent->index) {
	case 0:			/* SMT level: one thread per core */
		ent->eax = 0;
		ent->ebx = 1;
		ent->ecx = (1 << 8) | 0;
		break;
	case 1:			/* core level: nr cores per package */
		ent->eax = id_bits(nr);
		ent->ebx = nr;
		ent->ecx = (2 << 8) | 1;
		break;
	default:		/* no further levels */
		ent->eax = 0;
		ent->ebx = 0;
		ent->ecx = ent->index;
		break;
	}
}

static void patch_entry(struct kvm_cpuid_entry2 *ent, unsigned int id, unsigned int nr)
{
	switch (ent->function) {
	case 1:
		ent->ebx = (ent->ebx & 0x0000ffff) | (id << 24) | (MIN(nr, 255u) << 16);
		/* KVM leaves this to the VMM; without it Linux never finds kvmclock. */
		ent->ecx |= LEAF1_ECX_HYPERVISOR;
		if (nr > 1)
			ent->edx |= LEAF1_EDX_HTT;
		else
			ent->edx &= ~LEAF1_EDX_HTT;
		break;
	case 4:
		ent->eax = (ent->eax & 0x3fff) | ((MIN(nr, 64u) - 1) << 26);
		break;
	case 0xb:
	case 0x1f:
		patch_ext_topology(ent, id, nr);
		break;
	case 0x80000001:
		/* No AMD extended topology leaf: 0xb and 0x80000008 say it all. */
		ent->ecx &= ~(EXT1_ECX_TOPOEXT | EXT1_ECX_CMP_LEGACY);
		break;
	case 0x80000008:
		ent->ecx = (id_bits(nr) << 12) | (MIN(nr, 256u) - 1);
		break;
	default:
		break;
	}
}

void x86_cpuid_patch(struct kvm_cpuid2 *c, unsigned int id, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		patch_entry(&c->entries[i], id, nr);
}
