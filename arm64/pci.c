// SPDX-License-Identifier: GPL-2.0
/* Where the arm64 machine puts its PCI host, and how MSIs reach the GIC. */
#include <errno.h>
#include <string.h>
#include <linux/kvm.h>

#include "../core/arch.h"
#include "../core/vm.h"
#include "memmap.h"

#define V2M_SETSPI_NS		0x40	/* the v2m frame register an MSI writes */

void arch_pci_layout(struct vm *vm, struct pci_host_desc *p, bool *ports)
{
	(void)vm;
	*p = (struct pci_host_desc){
		.ecam_base = ARM64_PCI_ECAM_BASE,
		.ecam_size = 1ULL << 20,		/* bus 0 */
		.bus_start = 0,
		.bus_end = 0,
		.io_base = ARM64_PCI_IO_BASE,
		.io_pci_base = 0,
		.io_size = ARM64_PCI_IO_SIZE,
		.mem32_base = ARM64_PCI_MEM32_BASE,
		.mem32_size = ARM64_PCI_MEM32_SIZE,
		.mem64_base = ARM64_PCI_MEM64_BASE,
		.mem64_size = ARM64_PCI_MEM64_SIZE,
		.intx_irq = { ARM64_PCI_INTX_SPI, ARM64_PCI_INTX_SPI + 1,
			      ARM64_PCI_INTX_SPI + 2, ARM64_PCI_INTX_SPI + 3 },
	};
	*ports = false;
}

/* KVM's default: GSI n is SPI n. */
unsigned int arch_irq_default_routes(struct vm *vm, struct kvm_irq_routing_entry *r,
				     unsigned int max)
{
	unsigned int spi, n = 0;

	(void)vm;
	for (spi = 0; spi < ARM64_GIC_NR_IRQS - 32 && n < max; spi++)
		r[n++] = (struct kvm_irq_routing_entry){
			.gsi = spi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = 0, .pin = spi },
		};
	return n;
}

int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *r)
{
	switch (vm->arch.gic.kind) {
	case IRQCHIP_GICV3_ITS:
		/* The ITS translates by device ID: the PCI requester ID. */
		*r = (struct kvm_irq_routing_entry){
			.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI, .flags = KVM_MSI_VALID_DEVID,
			.u.msi = { .address_lo = (u32)addr, .address_hi = addr >> 32,
				   .data = data, .devid = devid },
		};
		return 0;
	case IRQCHIP_GICV2:
		/* GICv2m: the MSI's data is the SPI's INTID. */
		if (addr != ARM64_GIC_V2M_BASE + V2M_SETSPI_NS || data < 32 ||
		    data >= ARM64_GIC_NR_IRQS)
			return -EINVAL;
		*r = (struct kvm_irq_routing_entry){
			.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = 0, .pin = data - 32 },
		};
		return 0;
	default:
		return -EINVAL;
	}
}
