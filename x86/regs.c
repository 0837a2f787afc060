// SPDX-License-Identifier: GPL-2.0
/* The state each vCPU starts in: CPUID, local APIC wiring, FPU and, for the
 * boot CPU, the registers the Linux 64-bit boot protocol asks for. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../core/arch.h"
#include "../core/vm.h"
#include "cpuid.h"
#include "memmap.h"

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_MODE_NMI	0x4
#define APIC_MODE_EXTINT 0x7

static int set_cpuid(struct vcpu *vcpu, struct err_msg *e)
{
	const struct kvm_cpuid2 *sup = vcpu->vm->arch.cpuid;
	size_t size = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	int ret = 0;

	if (!c)
		return err_set(e, ENOMEM, "out of memory for CPUID");
	memcpy(c, sup, size);
	x86_cpuid_patch(c, vcpu->id, vcpu->vm->nr_vcpus);
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, c))
		ret = err_set(e, errno, "KVM_SET_CPUID2 on vCPU %u: %s", vcpu->id, strerror(errno));
	free(c);
	return ret;
}

static void lvt_set_mode(struct kvm_lapic_state *l, unsigned int reg, u32 mode)
{
	u32 v;

	memcpy(&v, &l->regs[reg], 4);
	v = (v & ~0x700u) | (mode << 8);
	memcpy(&l->regs[reg], &v, 4);
}

/* LINT0 takes the legacy PIC's ExtINT and LINT1 the NMI, as firmware would set them. */
static int set_lapic(struct vcpu *vcpu, struct err_msg *e)
{
	struct kvm_lapic_state l;

	if (vcpu->vm->cfg.no_irqchip)
		return 0;
	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &l))
		return err_set(e, errno, "KVM_GET_LAPIC: %s", strerror(errno));
	lvt_set_mode(&l, APIC_LVT0, APIC_MODE_EXTINT);
	lvt_set_mode(&l, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &l))
		return err_set(e, errno, "KVM_SET_LAPIC: %s", strerror(errno));
	return 0;
}

static int set_fpu(struct vcpu *vcpu, struct err_msg *e)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu))
		return err_set(e, errno, "KVM_SET_FPU: %s", strerror(errno));
	return 0;
}

static void seg_flat(struct kvm_segment *s, u16 sel, u8 type, bool code64)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

static void sregs_long_mode(struct kvm_sregs *s)
{
	seg_flat(&s->cs, 0x10, 0xb, true);
	seg_flat(&s->ds, 0x18, 0x3, false);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->tr = (struct kvm_segment){
		.base = 0, .limit = 0xfff, .selector = 0x20, .type = 0xb, .present = 1,
	};
	s->gdt.base = X86_BOOT_GDT;
	s->gdt.limit = 5 * 8 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	s->cr3 = X86_BOOT_PML4;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

/* A raw payload starts in real mode at entry, with CS:IP = 0:entry. */
static void sregs_real_mode(struct kvm_sregs *s)
{
	s->cs.base = 0;
	s->cs.selector = 0;
	s->ds.base = s->es.base = s->ss.base = 0;
	s->ds.selector = s->es.selector = s->ss.selector = 0;
}

static int set_boot_regs(struct vcpu *vcpu, struct err_msg *e)
{
	struct arch_vm *a = &vcpu->vm->arch;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rflags = 0x2, .rip = a->entry };

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return err_set(e, errno, "KVM_GET_SREGS: %s", strerror(errno));
	if (a->real_mode) {
		sregs_real_mode(&sregs);
		regs.rsp = X86_BOOT_STACK;
	} else {
		sregs_long_mode(&sregs);
		regs.rsi = X86_BOOT_PARAMS;
		regs.rsp = X86_BOOT_STACK;
	}
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs))
		return err_set(e, errno, "KVM_SET_SREGS: %s", strerror(errno));
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		return err_set(e, errno, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

int arch_vcpu_setup(struct vcpu *vcpu, struct err_msg *e)
{
	int ret;

	ret = set_cpuid(vcpu, e);
	if (!ret)
		ret = set_lapic(vcpu, e);
	if (!ret)
		ret = set_fpu(vcpu, e);
	/* The others wait for INIT/SIPI from the boot CPU, in the kernel's LAPIC. */
	if (!ret && vcpu->id == 0)
		ret = set_boot_regs(vcpu, e);
	return ret;
}
