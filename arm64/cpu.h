/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARM64_CPU_H
#define LKVM_ARM64_CPU_H

#include "../core/util.h"

struct vm;
struct vcpu;

/*
 * KVM_ARM_VCPU_INIT on every vCPU with PSCI 0.2: vCPU 0 starts running,
 * the others wait powered off for the guest's PSCI CPU_ON, which KVM
 * handles itself. Fills mpidr[] (one per vCPU) for the device tree.
 */
int arm64_vcpus_init(struct vm *vm, u64 *mpidr, struct err_msg *e);

/* The boot protocol's entry state: x0 = DTB, x1-x3 = 0, EL1h with DAIF masked. */
int arm64_vcpu_boot_regs(struct vcpu *vcpu, u64 entry, u64 dtb, struct err_msg *e);

#endif
