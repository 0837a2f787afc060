// SPDX-License-Identifier: GPL-2.0
/*
 * Builds the ACPI tables for a sample platform and writes each one to its
 * own file (rsdp.dat, xsdt.dat, facp.dat, apic.dat, mcfg.dat, dsdt.dat) in
 * the given directory, found the way a guest finds them: RSDP -> XSDT ->
 * FADT -> DSDT.
 * acpi_iasl.sh feeds the files to "iasl -d".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acpi/acpi.h"

#define GPA		0xe0000ULL
#define BUF_SIZE	0x10000

static const struct acpi_mmio_dev sample_devs[] = {
	{ "VR00", "LNRO0005", 0, 0xd0000000, 0x200, 5, false },
	{ "VR01", "LNRO0005", 1, 0xd0000200, 0x200, 6, false },
	{ "VR02", "LNRO0005", 2, 0xd0000400, 0x200, 7, false },
	/* Past 4G, so the QWordMemory form gets disassembled too. */
	{ "VR03", "LNRO0005", 3, 0x100000000ULL, 0x200, 8, true },
};

/* A PCI host laid out like the x86 one, INTA-D of slot 0 on GSIs 20-23. */
static const struct pci_host_desc sample_pci = {
	.present = true,
	.ecam_base = 0xe0000000,
	.ecam_size = 0x100000,
	.bus_start = 0,
	.bus_end = 0,
	.io_base = 0,
	.io_pci_base = 0x1000,
	.io_size = 0xf000,
	.mem32_base = 0xc0000000,
	.mem32_size = 0x10000000,
	.mem64_base = 0x8000000000ULL,
	.mem64_size = 0x1000000000ULL,
	.intx_irq = { 20, 21, 22, 23 },
	.nr_slots = 32,
};

static const struct acpi_platform sample = {
	.nr_cpus = 4,
	.lapic_addr = 0xfee00000,
	.ioapic_addr = 0xfec00000,
	.ioapic_id = 4,
	.ioapic_gsi_base = 0,
	.sleep_ctl_port = 0x600,
	.sleep_sts_port = 0x601,
	.reset_port = 0x602,
	.reset_value = 0x01,
	.s5_slp_typ = 5,
	.uart_port = 0x3f8,
	.rtc_port = 0x70,
	.uart_irq = 4,
	.mmio_devs = sample_devs,
	.nr_mmio_devs = sizeof(sample_devs) / sizeof(sample_devs[0]),
	.pci = &sample_pci,
};

static unsigned char buf[BUF_SIZE];

static u64 get_le(const unsigned char *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* Bounds-checked: a broken pointer must fail the test, not crash it. */
static const unsigned char *at(u64 addr, size_t len, long used)
{
	if (addr < GPA || addr - GPA + len > (u64)used)
		return NULL;
	return buf + (addr - GPA);
}

static int dump(const char *dir, const char *file, const unsigned char *p,
		size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	ok = fwrite(p, 1, len, f) == len;
	if (fclose(f) || !ok) {
		perror(path);
		return -1;
	}
	return 0;
}

static int dump_table(const char *dir, const char *file, u64 addr, long used)
{
	const unsigned char *t = at(addr, 36, used);

	if (!t || !at(addr, get_le(t + 4, 4), used)) {
		fprintf(stderr, "%s: table at %#llx is out of bounds\n", file,
			(unsigned long long)addr);
		return -1;
	}
	return dump(dir, file, t, get_le(t + 4, 4));
}

static int dump_xsdt_entries(const char *dir, const unsigned char *xsdt,
			     long used)
{
	u32 i, n = (get_le(xsdt + 4, 4) - 36) / 8;
	const unsigned char *t;
	char file[16];
	u64 addr;

	for (i = 0; i < n; i++) {
		addr = get_le(xsdt + 36 + 8 * i, 8);
		t = at(addr, 36, used);
		if (!t) {
			fprintf(stderr, "XSDT entry %u is out of bounds\n", i);
			return -1;
		}
		snprintf(file, sizeof(file), "%c%c%c%c.dat", t[0] | 0x20,
			 t[1] | 0x20, t[2] | 0x20, t[3] | 0x20);
		if (dump_table(dir, file, addr, used))
			return -1;
		if (!memcmp(t, "FACP", 4) &&
		    dump_table(dir, "dsdt.dat", get_le(t + 140, 8), used))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct err_msg e = { 0 };
	const unsigned char *xsdt;
	long used;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	used = acpi_build(&sample, buf, sizeof(buf), GPA, &e);
	if (used < 0) {
		fprintf(stderr, "acpi_build: %s\n", e.text);
		return 1;
	}
	if (dump(argv[1], "rsdp.dat", buf, 36))
		return 1;
	xsdt = at(get_le(buf + 24, 8), 36, used);
	if (!xsdt || dump_table(argv[1], "xsdt.dat", get_le(buf + 24, 8), used))
		return 1;
	return dump_xsdt_entries(argv[1], xsdt, used) ? 1 : 0;
}
