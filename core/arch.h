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
/* Where devices go: a window for MMIO devices and the interrupts they may take. */
struct arch_dev_space {
	u64 mmio_base;
	u64 mmio_size;
	u64 mmio_stride;		/* one device per stride */
	const u32 *irqs;
	unsigned int nr_irqs;
};

void arch_dev_space(struct vm *vm, struct arch_dev_space *s);

struct pci_host_desc;
/* The PCI host's ECAM and windows; *ports: config space also at 0xcf8/0xcfc. */
void arch_pci_layout(struct vm *vm, struct pci_host_desc *p, bool *ports);

struct kvm_irq_routing_entry;
/*
 * The routes KVM has by default (irqchip pins), which a routing table that
 * adds MSIs must keep. Fills at most max entries; returns how many.
 */
unsigned int arch_irq_default_routes(struct vm *vm, struct kvm_irq_routing_entry *r,
				     unsigned int max);
/* Turns an MSI a device would write into a route for gsi; -EINVAL if it goes nowhere. */
int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *r);
/* Drives an in-kernel irqchip input: an x86 GSI, or an arm64 SPI number. */
int arch_irq_line(struct vm *vm, u32 irq, bool level);

/* The control plane's hooks (x86/debug.c, arm64/debug.c). */
/* On the vCPU's own thread, outside KVM_RUN: its registers as text. */
int arch_vcpu_dump(struct vcpu *vcpu, char *buf, size_t len);
/* On the vCPU's own thread: injects an NMI; -EOPNOTSUPP where there is none. */
int arch_vcpu_nmi(struct vcpu *vcpu);
/* On the vCPU's own thread, parked by a pause: tells the guest (kvmclock). */
void arch_vcpu_pause(struct vcpu *vcpu);
/* Every vCPU is parked: returns what arch_vm_resume needs to hide the pause from the guest's clock. */
u64 arch_vm_pause(struct vm *vm);
int arch_vm_resume(struct vm *vm, u64 state, struct err_msg *e);
/* A break on the console, then key: the Linux serial driver's magic SysRq. */
int arch_console_sysrq(struct vm *vm, u8 key, struct err_msg *e);

#endif
