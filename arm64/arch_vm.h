/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARM64_ARCH_VM_H
#define LKVM_ARM64_ARCH_VM_H

#include "../core/util.h"
#include "../devices/pl011.h"
#include "../devices/pl031.h"
#include "gic.h"

struct arch_vm {
	u64 entry;		/* where vCPU 0 starts: the Image's first byte */
	u64 dtb_addr;		/* x0 at entry */
	struct arm64_gic gic;
	struct pl011 uart;
	struct pl031 rtc;
};

struct arch_vcpu {
	int unused;
};

#endif
