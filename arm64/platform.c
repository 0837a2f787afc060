// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 machine (mach-virt with a run-time device tree) is not built
 * yet: the arm64 binary builds and links, and says so when asked to run.
 */
#include <errno.h>

#include "../core/arch.h"
#include "../core/vm.h"

int arch_check_config(struct vm *vm, struct err_msg *e)
{
	(void)vm;
	return err_set(e, ENOSYS, "this lkvm build cannot boot arm64 guests yet; the arm64 machine is still being written");
}

int arch_mem_layout(struct vm *vm, struct err_msg *e)
{
	return guest_mem_add_region(&vm->mem, 0x80000000ULL, vm->mem.size, e);
}

int arch_vm_setup(struct vm *vm, struct err_msg *e)
{
	(void)vm;
	(void)e;
	return 0;
}

int arch_load_guest(struct vm *vm, struct err_msg *e)
{
	(void)vm;
	return err_set(e, ENOSYS, "arm64 guests cannot be loaded yet");
}

int arch_vcpu_setup(struct vcpu *vcpu, struct err_msg *e)
{
	(void)vcpu;
	(void)e;
	return 0;
}

bool arch_handle_exit(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void arch_vm_teardown(struct vm *vm)
{
	(void)vm;
}
