// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI table generation (acpi/) from a platform the input describes: CPUs,
 * APICs, the power and reset ports, COM1, the RTC, up to 64 virtio-mmio
 * devices and a PCI host bridge, into a buffer of a size the input picks
 * (exactly that size). Whatever it writes must hold together: the RSDP's
 * two checksums, and every table the XSDT and the FADT point to inside
 * the buffer, with its length and a checksum of zero.
 */
#include "acpi/acpi.h"
#include "tests/fuzz/fuzz.h"

#define GPA		0xe0000ULL
#define BUF_MAX		0x20000		/* the x86 BIOS area */
#define MAX_DEVS	64

static const char *const hids[] = { "LNRO0005", "PNP0501", "", "ACPI0007", "LNRO000" };
static struct acpi_mmio_dev devs[MAX_DEVS];
static struct pci_host_desc pci;

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/* The table at guest address gpa: inside the tables, its own length, summing to zero. */
static u32 check_table(const u8 *buf, long n, u64 gpa, const char *what)
{
	u64 off = gpa - GPA;
	u32 len;

	FUZZ_CHECK(gpa >= GPA && off + 36 <= (u64)n, "%s at 0x%llx is outside the tables", what,
		   (unsigned long long)gpa);
	len = get32(buf + off + 4);
	FUZZ_CHECK(len >= 36 && off + len <= (u64)n, "%s: length %u runs past the tables", what, len);
	FUZZ_CHECK(acpi_checksum(buf + off, len) == 0, "%s %.4s: checksum", what,
		   (const char *)buf + off);
	return len;
}

static void check_tables(const u8 *buf, long n)
{
	u64 xsdt, entry;
	u32 len, i;

	FUZZ_CHECK(n >= 36 && !memcmp(buf, "RSD PTR ", 8), "no RSDP first");
	FUZZ_CHECK(acpi_checksum(buf, 20) == 0, "RSDP checksum");
	FUZZ_CHECK(acpi_checksum(buf, 36) == 0, "RSDP extended checksum");
	xsdt = get64(buf + 24);
	len = check_table(buf, n, xsdt, "XSDT");
	for (i = 36; i + 8 <= len; i += 8) {
		entry = get64(buf + (xsdt - GPA) + i);
		check_table(buf, n, entry, "XSDT entry");
		if (!memcmp(buf + (entry - GPA), "FACP", 4)) {
			check_table(buf, n, get32(buf + (entry - GPA) + 40), "FADT DSDT");
			check_table(buf, n, get64(buf + (entry - GPA) + 140), "FADT X_DSDT");
		}
	}
}

static void platform(struct fuzz_in *in, struct acpi_platform *p)
{
	unsigned int i;

	p->nr_cpus = take_u16(in) % 300;
	p->lapic_addr = take_u8(in) & 1 ? take_u64(in) : 0xfee00000;
	p->ioapic_addr = take_u8(in) & 1 ? take_u64(in) : 0xfec00000;
	p->ioapic_id = take_u8(in);
	p->ioapic_gsi_base = take_u32(in);
	p->sleep_ctl_port = take_u16(in);
	p->sleep_sts_port = take_u16(in);
	p->reset_port = take_u16(in);
	p->reset_value = take_u8(in);
	p->s5_slp_typ = take_u8(in) % 10;
	p->uart_port = take_u16(in);
	p->uart_irq = take_u8(in) % 20;
	p->rtc_port = take_u16(in);
	p->nr_mmio_devs = take_u8(in) % (MAX_DEVS + 1);
	for (i = 0; i < p->nr_mmio_devs; i++) {
		take(in, devs[i].name, 4);
		devs[i].name[4] = '\0';
		devs[i].hid = hids[take_u8(in) % ARRAY_SIZE(hids)];
		devs[i].uid = take_u32(in);
		devs[i].base = take_u64(in);
		devs[i].size = take_u64(in);
		devs[i].gsi = take_u32(in);
		devs[i].edge = take_u8(in) & 1;
	}
	p->mmio_devs = take_u8(in) == 0xff ? NULL : devs;
}

static void pci_host(struct fuzz_in *in, struct acpi_platform *p)
{
	unsigned int i;

	pci.present = take_u8(in) & 1;
	pci.ecam_base = take_u64(in);
	pci.ecam_size = take_u64(in);
	pci.bus_start = take_u8(in);
	pci.bus_end = take_u8(in);
	pci.io_base = take_u8(in) & 1 ? take_u64(in) : 0;
	pci.io_pci_base = take_u64(in);
	pci.io_size = take_u64(in);
	pci.mem32_base = take_u64(in);
	pci.mem32_size = take_u64(in);
	pci.mem64_base = take_u64(in);
	pci.mem64_size = take_u64(in);
	for (i = 0; i < 4; i++)
		pci.intx_irq[i] = take_u32(in);
	pci.nr_slots = take_u8(in) % 40;
	p->pci = take_u8(in) & 1 ? NULL : &pci;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct acpi_platform p = { 0 };
	struct err_msg e;
	size_t buf_size;
	long n;
	u8 *buf;

	buf_size = take_u32(&in) % (BUF_MAX + 1);
	platform(&in, &p);
	pci_host(&in, &p);
	buf = malloc(buf_size ? buf_size : 1);
	if (!buf)
		return 0;
	n = acpi_build(&p, buf, buf_size, GPA, &e);
	if (n >= 0) {
		FUZZ_CHECK((size_t)n <= buf_size, "%ld bytes of tables in %zu", n, buf_size);
		check_tables(buf, n);
	} else {
		FUZZ_CHECK(e.text[0], "refused without a message");
	}
	free(buf);
	return 0;
}
