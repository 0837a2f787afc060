// SPDX-License-Identifier: GPL-2.0
/* x86's part of the control plane: register dumps, NMIs, kvmclock across a pause, SysRq. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../core/arch.h"
#include "../core/vm.h"

static int seg_line(char *buf, size_t len, const char *name, const struct kvm_segment *s)
{
	return snprintf(buf, len, "%-3s %04x base %016llx limit %08x type %x dpl %u%s\n", name,
			s->selector, (unsigned long long)s->base, s->limit, s->type, s->dpl,
			s->l ? " 64-bit" : "");
}

/* Appends to buf like snprintf, never past len. */
#define APPEND(buf, len, off, ...) \
	((off) += snprintf((buf) + MIN((off), (len)), (len) - MIN((off), (len)), __VA_ARGS__))

int arch_vcpu_dump(struct vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	size_t off = 0;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) || ioctl(vcpu->fd, KVM_GET_SREGS, &s)) {
		snprintf(buf, len, "cannot read the registers: %s\n", strerror(errno));
		return -errno;
	}
	APPEND(buf, len, off, "rip %016llx rsp %016llx rflags %08llx\n",
	       r.rip, r.rsp, r.rflags);
	APPEND(buf, len, off, "rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
	       r.rax, r.rbx, r.rcx, r.rdx);
	APPEND(buf, len, off, "rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n",
	       r.rsi, r.rdi, r.rbp, r.r8);
	APPEND(buf, len, off, "r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n",
	       r.r9, r.r10, r.r11, r.r12);
	APPEND(buf, len, off, "r13 %016llx r14 %016llx r15 %016llx\n", r.r13, r.r14, r.r15);
	APPEND(buf, len, off, "cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx\n",
	       s.cr0, s.cr2, s.cr3, s.cr4);
	APPEND(buf, len, off, "efer %016llx apic_base %016llx\n", s.efer, s.apic_base);
	off += seg_line(buf + MIN(off, len), len - MIN(off, len), "cs", &s.cs);
	off += seg_line(buf + MIN(off, len), len - MIN(off, len), "ss", &s.ss);
	off += seg_line(buf + MIN(off, len), len - MIN(off, len), "ds", &s.ds);
	return 0;
}

int arch_vcpu_nmi(struct vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_NMI, 0) ? -errno : 0;
}

void arch_vcpu_pause(struct vcpu *vcpu)
{
	/* Tells a kvmclock guest that the stall was ours (no soft-lockup report); EINVAL without kvmclock. */
	ioctl(vcpu->fd, KVM_KVMCLOCK_CTRL, 0);
}

u64 arch_vm_pause(struct vm *vm)
{
	struct kvm_clock_data c = { 0 };

	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &c))
		return 0;
	return c.clock;
}

/* The guest's clock goes on from where it stopped: it never jumps, forwards or back. */
int arch_vm_resume(struct vm *vm, u64 state, struct err_msg *e)
{
	struct kvm_clock_data c = { .clock = state };

	if (state && ioctl(vm->vm_fd, KVM_SET_CLOCK, &c))
		return err_set(e, errno, "KVM_SET_CLOCK failed: %s", strerror(errno));
	return 0;
}

int arch_console_sysrq(struct vm *vm, u8 key, struct err_msg *e)
{
	(void)e;
	uart8250_break(&vm->arch.com1, key);
	return 0;
}
