// SPDX-License-Identifier: GPL-2.0
/* arm64's part of the control plane: register dumps; no NMI, no console break yet. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../core/arch.h"
#include "../core/vm.h"

#define CORE_REG(field) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 KVM_REG_ARM_CORE_REG(field))

static int one_reg(struct vcpu *vcpu, u64 id, u64 *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (unsigned long)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &r) ? -errno : 0;
}

int arch_vcpu_dump(struct vcpu *vcpu, char *buf, size_t len)
{
	u64 pc, sp, pstate, x[31];
	size_t off;
	int i, ret;

	ret = one_reg(vcpu, CORE_REG(regs.pc), &pc);
	if (!ret)
		ret = one_reg(vcpu, CORE_REG(sp_el1), &sp);
	if (!ret)
		ret = one_reg(vcpu, CORE_REG(regs.pstate), &pstate);
	for (i = 0; !ret && i < 31; i++)
		ret = one_reg(vcpu, CORE_REG(regs.regs[i]), &x[i]);
	if (ret) {
		snprintf(buf, len, "cannot read the registers: %s\n", strerror(-ret));
		return ret;
	}
	off = snprintf(buf, len, "pc %016llx sp_el1 %016llx pstate %08llx\n",
		       (unsigned long long)pc, (unsigned long long)sp, (unsigned long long)pstate);
	for (i = 0; i < 31 && off < len; i++)
		off += snprintf(buf + off, len - off, "x%-2d %016llx%s", i, (unsigned long long)x[i],
				i % 4 == 3 || i == 30 ? "\n" : " ");
	return 0;
}

int arch_vcpu_nmi(struct vcpu *vcpu)
{
	(void)vcpu;
	return -EOPNOTSUPP;
}

void arch_vcpu_pause(struct vcpu *vcpu)
{
	(void)vcpu;
}

/* The arch timer's counter is virtualized by KVM; nothing to save here yet. */
u64 arch_vm_pause(struct vm *vm)
{
	(void)vm;
	return 0;
}

int arch_vm_resume(struct vm *vm, u64 state, struct err_msg *e)
{
	(void)vm;
	(void)state;
	(void)e;
	return 0;
}

int arch_console_sysrq(struct vm *vm, u8 key, struct err_msg *e)
{
	(void)vm;
	(void)key;
	return err_set(e, EOPNOTSUPP, "SysRq over the console needs a break, which lkvm's PL011 cannot send yet; use x86 or 'echo %c > /proc/sysrq-trigger' in the guest",
		       key);
}
