/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARM64_ARCH_VM_H
#define LKVM_ARM64_ARCH_VM_H

#include "../core/util.h"

struct arch_vm {
	u64 entry;
};

struct arch_vcpu {
	int unused;
};

#endif
