/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ACPI_H
#define LKVM_ACPI_H

#include "../core/devices.h"
#include "../core/util.h"

/*
 * A device on the platform as the firmware tables describe it. The device
 * inventory (one list, owned by struct vm) is rendered into ACPI on x86 and
 * into a device tree on arm64; devices never write tables themselves.
 */
struct acpi_mmio_dev {
	char name[5];		/* AML name segment, e.g. "VR00" (4 chars) */
	const char *hid;	/* _HID, e.g. "LNRO0005" for virtio-mmio */
	u32 uid;		/* _UID */
	u64 base;		/* MMIO window */
	u64 size;
	u32 gsi;		/* interrupt, level/active-high unless edge */
	bool edge;
};

struct acpi_platform {
	unsigned int nr_cpus;	/* local APIC IDs 0 .. nr_cpus - 1 */
	u64 lapic_addr;		/* 0xfee00000 */
	u64 ioapic_addr;	/* 0xfec00000 */
	u8 ioapic_id;
	u32 ioapic_gsi_base;

	/* Hardware-reduced ACPI: these ports end the VM (see x86/pm.c). */
	u16 sleep_ctl_port;	/* FADT SLEEP_CONTROL_REG, 8-bit I/O */
	u16 sleep_sts_port;	/* FADT SLEEP_STATUS_REG, 8-bit I/O */
	u16 reset_port;		/* FADT RESET_REG, 8-bit I/O */
	u8 reset_value;
	u8 s5_slp_typ;		/* SLP_TYP value the DSDT's \_S5 hands the OS */

	/* Legacy COM1 as the console (described in the DSDT as PNP0501). */
	u16 uart_port;
	u8 uart_irq;

	/* CMOS RTC index/data ports (PNP0B00), or 0 for none. */
	u16 rtc_port;

	const struct acpi_mmio_dev *mmio_devs;
	unsigned int nr_mmio_devs;

	/*
	 * An ECAM PCI host bridge (MCFG, \_SB.PCI0 and a PNP0C02 reservation
	 * of the ECAM area), or NULL or !present for none. ecam_base is the
	 * config space of bus_start. Port I/O only: io_base must be 0, the
	 * ports are io_pci_base .. io_pci_base + io_size - 1.
	 */
	const struct pci_host_desc *pci;
};

/*
 * Writes RSDP, XSDT, FADT, DSDT, MADT and, with PCI, MCFG into buf, which
 * the guest sees at guest-physical address gpa. The RSDP comes first
 * (16-byte aligned, so a guest that scans 0xe0000..0xfffff finds it).
 * Returns the number of bytes used, or -errno (-ENOSPC if size is too
 * small) with e filled.
 */
long acpi_build(const struct acpi_platform *p, void *buf, size_t size, u64 gpa,
		struct err_msg *e);

/* Sum of bytes, for checksum fields and for tests. */
u8 acpi_checksum(const void *buf, size_t len);

#endif
