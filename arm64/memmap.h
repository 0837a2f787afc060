/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARM64_MEMMAP_H
#define LKVM_ARM64_MEMMAP_H

/*
 * The arm64 guest-physical memory map and interrupt numbers: the one place
 * these numbers live (docs/memory-map.md describes them). Everything but
 * RAM and the 64-bit PCI window sits below 2 GiB; RAM starts at 2 GiB so
 * that it can grow past 4 GiB without meeting a device.
 */

/* Interrupt controller. KVM wants 64 KiB alignment for hosts with 64 KiB pages. */
#define ARM64_GIC_DIST_BASE		0x08000000ULL
#define ARM64_GIC_DIST_SIZE		0x00010000ULL
#define ARM64_GIC_CPU_BASE		0x08010000ULL	/* GICv2 CPU interface */
#define ARM64_GIC_CPU_SIZE		0x00010000ULL
#define ARM64_GIC_V2M_BASE		0x08020000ULL	/* GICv2m MSI frame */
#define ARM64_GIC_V2M_SIZE		0x00001000ULL
#define ARM64_GIC_ITS_BASE		0x08080000ULL
#define ARM64_GIC_ITS_SIZE		0x00020000ULL
#define ARM64_GIC_REDIST_BASE		0x080a0000ULL	/* GICv3: 128 KiB per vCPU */
#define ARM64_GIC_REDIST_END		0x09000000ULL
#define ARM64_GIC_REDIST_STRIDE		0x00020000ULL

/* Platform devices. */
#define ARM64_UART_BASE			0x09000000ULL	/* PL011 */
#define ARM64_UART_SIZE			0x00001000ULL
#define ARM64_RTC_BASE			0x09010000ULL	/* PL031 */
#define ARM64_RTC_SIZE			0x00001000ULL
#define ARM64_VIRTIO_MMIO_BASE		0x0a000000ULL	/* virtio-mmio slots */
#define ARM64_VIRTIO_MMIO_SIZE		0x01000000ULL
#define ARM64_VIRTIO_MMIO_STRIDE	0x00001000ULL	/* one 4 KiB slot per device */

/* The generic ECAM PCI host bridge and its windows. */
#define ARM64_PCI_IO_BASE		0x0b000000ULL	/* CPU address of PCI I/O port 0 */
#define ARM64_PCI_IO_SIZE		0x00010000ULL
#define ARM64_PCI_ECAM_BASE		0x10000000ULL	/* 1 MiB per bus: buses 0-255 */
#define ARM64_PCI_ECAM_SIZE		0x10000000ULL
#define ARM64_PCI_MEM32_BASE		0x40000000ULL
#define ARM64_PCI_MEM32_SIZE		0x40000000ULL
#define ARM64_PCI_MEM64_BASE		0x8000000000ULL	/* 512 GiB, past the largest RAM */
#define ARM64_PCI_MEM64_SIZE		0x8000000000ULL	/* ends at 1 TiB: KVM's default 40-bit IPA */

/* RAM: from 2 GiB up to the 64-bit PCI window. */
#define ARM64_RAM_BASE			0x80000000ULL
#define ARM64_RAM_MAX			(ARM64_PCI_MEM64_BASE - ARM64_RAM_BASE)

/*
 * Interrupts, as SPI numbers (the GIC's INTID minus 32). lkvm names every
 * arm64 interrupt this way: in the inventory, vm_irq_line() and irqfd GSIs.
 */
#define ARM64_UART_SPI			1
#define ARM64_RTC_SPI			2
#define ARM64_PCI_INTX_SPI		4	/* INTA..INTD: SPIs 4-7 */
#define ARM64_VIRTIO_MMIO_SPI		16	/* virtio-mmio devices: SPIs 16-47 */
#define ARM64_VIRTIO_MMIO_SPIS		32
#define ARM64_V2M_SPI_BASE		96	/* MSIs through the GICv2m frame */
#define ARM64_V2M_SPI_COUNT		128
#define ARM64_GIC_NR_IRQS		256	/* INTIDs 0-255: SGIs, PPIs, SPIs 0-223 */

#define ARM64_GICV2_MAX_CPUS		8
#define ARM64_GICV3_MAX_CPUS \
	((ARM64_GIC_REDIST_END - ARM64_GIC_REDIST_BASE) / ARM64_GIC_REDIST_STRIDE)

#endif
