/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_CPUID_H
#define LKVM_X86_CPUID_H

#include <linux/kvm.h>

#include "../core/util.h"

/* What KVM can offer on this host; NULL and e filled on failure. */
struct kvm_cpuid2 *x86_cpuid_supported(int kvm_fd, struct err_msg *e);

/*
 * Rewrites the topology leaves so that vCPU 'id' of 'nr' sees one socket
 * of nr cores, one thread each, with APIC ID == id.
 */
void x86_cpuid_patch(struct kvm_cpuid2 *c, unsigned int id, unsigned int nr);

#endif
