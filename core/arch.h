/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARCH_H
#define LKVM_ARCH_H

#include "util.h"

struct vm;
struct vcpu;

/* What each architecture provides to the core, called in this order. */

/* Checks cfg against what the platform can do (e.g. a CPU limit). */
int arch_check_config(struct vm *vm, struct err_msg *e);
/* Lays guest RAM out (guest_mem_add_region), before slots are registered. */
int arch_mem_layout(struct vm *vm, struct err_msg *e);
/* Interrupt controller, timers and platform devices, before vCPUs exist. */
int arch_vm_setup(struct vm *vm, struct err_msg *e);
/* Kernel, initrd, command line, firmware tables. */
int arch_load_guest(struct vm *vm, struct err_msg *e);
/* Registers and CPU identity, after the guest is loaded. */
int arch_vcpu_setup(struct vcpu *vcpu, struct err_msg *e);
/* Exits the core does not know; false if unhandled (a fatal error). */
bool arch_handle_exit(struct vcpu *vcpu);
void arch_vm_teardown(struct vm *vm);

#endif
