/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_MEMMAP_H
#define LKVM_X86_MEMMAP_H

/*
 * The x86 guest-physical memory map and port map: the one place these
 * numbers live (docs/memory-map.md describes them).
 */

/* Low memory, used while booting. */
#define X86_BOOT_GDT		0x00000500ULL
#define X86_BOOT_PARAMS		0x00007000ULL
#define X86_BOOT_STACK		0x00008ff0ULL
#define X86_BOOT_PML4		0x00009000ULL
#define X86_BOOT_PDPT		0x0000a000ULL
#define X86_BOOT_PD		0x0000b000ULL	/* 4 pages: identity-maps 4 GiB */
#define X86_BOOT_CMDLINE	0x00020000ULL
#define X86_BOOT_CMDLINE_MAX	0x00010000ULL
#define X86_EBDA_START		0x0009fc00ULL
#define X86_BIOS_START		0x000e0000ULL	/* ACPI tables live here */
#define X86_BIOS_END		0x00100000ULL
#define X86_KERNEL_LOW		0x00100000ULL	/* non-relocatable kernels */
#define X86_RESET_VECTOR	0x000ffff0ULL	/* F000:FFF0, where a reset jumps */

/* RAM above this runs on past 4 GiB; the hole holds MMIO. */
#define X86_MMIO_HOLE		0xc0000000ULL
#define X86_MMIO_HOLE_END	0x100000000ULL
#define X86_PCI_MEM32_BASE	0xc0000000ULL	/* 32-bit BARs */
#define X86_PCI_MEM32_SIZE	0x10000000ULL
#define X86_PCI_ECAM_BASE	0xe0000000ULL	/* bus 0 only */
#define X86_PCI_ECAM_SIZE	0x00100000ULL
#define X86_PCI_MEM64_BASE	0x4000000000ULL	/* 256 GiB: past any -m lkvm takes */
#define X86_PCI_MEM64_SIZE	0x4000000000ULL
#define X86_PCI_INTX_GSI	20		/* INTA..INTD on GSIs 20-23 */
#define X86_VIRTIO_MMIO_BASE	0xd0000000ULL	/* one 4 KiB slot per device */
#define X86_VIRTIO_MMIO_SIZE	0x01000000ULL
#define X86_VIRTIO_MMIO_STRIDE	0x1000ULL
#define X86_IOAPIC_ADDR		0xfec00000ULL
#define X86_LAPIC_ADDR		0xfee00000ULL
#define X86_IDENT_MAP_ADDR	0xfffbc000ULL	/* KVM's (VMX) identity map page */
#define X86_TSS_ADDR		0xfffbd000ULL	/* KVM's (VMX) real-mode TSS, 3 pages */

/* Ports. */
#define X86_RTC_PORT		0x0070
#define X86_I8042_CMD_PORT	0x0064
#define X86_COM1_PORT		0x03f8
#define X86_COM1_IRQ		4
#define X86_PM_SLEEP_CTL_PORT	0x0600
#define X86_PM_SLEEP_STS_PORT	0x0601
#define X86_PM_RESET_PORT	0x0602
#define X86_PM_RESET_VALUE	0x01
#define X86_PM_S5_SLP_TYP	5

#define X86_IOAPIC_PINS		24
#define X86_MAX_CPUS		255	/* xAPIC IDs in the MADT */

#endif
