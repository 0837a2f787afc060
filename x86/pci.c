// SPDX-License-Identifier: GPL-2.0
/* Where the x86 machine puts its PCI host, and how its interrupts route. */
#include <string.h>
#include <linux/kvm.h>

#include "../core/arch.h"
#include "../core/vm.h"
#include "memmap.h"

void arch_pci_layout(struct vm *vm, struct pci_host_desc *p, bool *ports)
{
	(void)vm;
	*p = (struct pci_host_desc){
		.ecam_base = X86_PCI_ECAM_BASE,
		.ecam_size = X86_PCI_ECAM_SIZE,
		.bus_start = 0,
		.bus_end = 0,
		.mem32_base = X86_PCI_MEM32_BASE,
		.mem32_size = X86_PCI_MEM32_SIZE,
		.mem64_base = X86_PCI_MEM64_BASE,
		.mem64_size = X86_PCI_MEM64_SIZE,
		.intx_irq = { X86_PCI_INTX_GSI, X86_PCI_INTX_GSI + 1,
			      X86_PCI_INTX_GSI + 2, X86_PCI_INTX_GSI + 3 },
	};
	*ports = true;
}

/* KVM's own defaults: every GSI to its IOAPIC pin, the ISA ones to the PIC too. */
unsigned int arch_irq_default_routes(struct vm *vm, struct kvm_irq_routing_entry *r,
				     unsigned int max)
{
	unsigned int gsi, n = 0;

	(void)vm;
	for (gsi = 0; gsi < X86_IOAPIC_PINS && n + 2 <= max; gsi++) {
		r[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi },
		};
		if (gsi >= 16)
			continue;
		r[n++] = (struct kvm_irq_routing_entry){
			.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = {
				.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
				.pin = gsi % 8,
			},
		};
	}
	return n;
}

int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *r)
{
	(void)vm;
	(void)devid;
	*r = (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (u32)addr, .address_hi = addr >> 32, .data = data },
	};
	return 0;
}
