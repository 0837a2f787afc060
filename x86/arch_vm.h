/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_ARCH_VM_H
#define LKVM_X86_ARCH_VM_H

#include "../core/util.h"
#include "../devices/uart8250.h"
#include "../devices/rtc_cmos.h"

struct kvm_cpuid2;

struct arch_vm {
	struct kvm_cpuid2 *cpuid;	/* what KVM supports, patched per vCPU */
	u64 entry;			/* where the boot CPU starts */
	bool real_mode;			/* a raw payload, entered in real mode */
	struct uart8250 com1;
	struct rtc_cmos rtc;
	struct vm *vm;
};

struct arch_vcpu {
	int unused;
};

#endif
