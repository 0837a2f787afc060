// SPDX-License-Identifier: GPL-2.0
#include <asm/ptrace.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../core/vm.h"
#include "cpu.h"

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(x))
#define MPIDR_EL1	ARM64_SYS_REG(3, 0, 0, 0, 5)
#define BOOT_PSTATE	(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)

static bool has_cap(struct vm *vm, long cap)
{
	return ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

/* Pointer authentication comes in two halves that KVM enables together or not at all. */
static void add_optional_features(struct vm *vm, struct kvm_vcpu_init *init)
{
	if (has_cap(vm, KVM_CAP_ARM_PTRAUTH_ADDRESS) && has_cap(vm, KVM_CAP_ARM_PTRAUTH_GENERIC)) {
		init->features[0] |= 1U << KVM_ARM_VCPU_PTRAUTH_ADDRESS;
		init->features[0] |= 1U << KVM_ARM_VCPU_PTRAUTH_GENERIC;
	}
}

static int get_reg(struct vcpu *vcpu, u64 id, u64 *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (u64)(unsigned long)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg) ? -errno : 0;
}

static int set_reg(struct vcpu *vcpu, u64 id, u64 val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (u64)(unsigned long)&val };

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) ? -errno : 0;
}

int arm64_vcpus_init(struct vm *vm, u64 *mpidr, struct err_msg *e)
{
	struct kvm_vcpu_init base, init;
	unsigned int i;

	memset(&base, 0, sizeof(base));
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &base))
		return err_set(e, errno, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
	if (!has_cap(vm, KVM_CAP_ARM_PSCI_0_2))
		return err_set(e, ENOTSUP, "KVM on this host has no PSCI 0.2, which lkvm needs to start CPUs");
	base.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	add_optional_features(vm, &base);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		init = base;
		if (i)
			init.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
		if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init))
			return err_set(e, errno, "KVM_ARM_VCPU_INIT on vCPU %u: %s", i, strerror(errno));
		if (get_reg(vcpu, MPIDR_EL1, &mpidr[i]))
			return err_set(e, errno, "cannot read the MPIDR of vCPU %u: %s", i, strerror(errno));
	}
	return 0;
}

int arm64_vcpu_boot_regs(struct vcpu *vcpu, u64 entry, u64 dtb, struct err_msg *e)
{
	unsigned int i;
	int ret;

	ret = set_reg(vcpu, CORE_REG(regs.pstate), BOOT_PSTATE);
	for (i = 0; !ret && i < 4; i++)
		ret = set_reg(vcpu, CORE_REG(regs.regs[i]), i ? 0 : dtb);
	if (!ret)
		ret = set_reg(vcpu, CORE_REG(regs.pc), entry);
	if (ret)
		return err_set(e, -ret, "cannot set the boot registers of vCPU %u: %s", vcpu->id,
			       strerror(-ret));
	return 0;
}
