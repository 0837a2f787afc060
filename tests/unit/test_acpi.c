// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the ACPI table builder and the AML writer. Field offsets
 * are written out from the ACPI 6.x tables rather than taken from the
 * builder's structs, so a layout slip in acpi.c shows up here.
 *
 * cc -Wall -Wextra -Werror -I. tests/unit/test_acpi.c acpi/acpi.c \
 *	acpi/aml.c core/util.c $(pkg-config --cflags --libs check)
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "acpi/aml.h"

#define GPA		0xe0000ULL
#define BUF_SIZE	0x10000

/* FADT offsets (ACPI 6.3, table 5.34). */
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_PM1A_CNT_BLK	64
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR		131
#define FADT_X_DSDT		140
#define FADT_SLEEP_CONTROL	244
#define FADT_SLEEP_STATUS	256
#define FADT_HYPERVISOR_ID	268

static const struct acpi_mmio_dev test_devs[] = {
	{ "VR00", "LNRO0005", 0, 0xd0000000, 0x200, 5, false },
	{ "VR01", "LNRO0005", 1, 0xd0000200, 0x200, 6, false },
	{ "VR02", "LNRO0005", 2, 0xd0000400, 0x200, 7, true },
	{ "VR03", "LNRO0005", 3, 0x100000000ULL, 0x1000, 8, false },
};

static struct acpi_platform test_platform(unsigned int nr_cpus)
{
	struct acpi_platform p = {
		.nr_cpus = nr_cpus,
		.lapic_addr = 0xfee00000,
		.ioapic_addr = 0xfec00000,
		.ioapic_id = 0xfe,
		.ioapic_gsi_base = 0,
		.sleep_ctl_port = 0x600,
		.sleep_sts_port = 0x601,
		.reset_port = 0x604,
		.reset_value = 0x42,
		.s5_slp_typ = 5,
		.uart_port = 0x3f8,
		.rtc_port = 0x70,
		.uart_irq = 4,
		.mmio_devs = test_devs,
		.nr_mmio_devs = 4,
	};

	return p;
}

/* Buses 0-1, so the bus window and MCFG range are not just one bus. */
static const struct pci_host_desc test_pci = {
	.present = true,
	.ecam_base = 0xe0000000,
	.ecam_size = 0x200000,
	.bus_start = 0,
	.bus_end = 1,
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

static struct acpi_platform test_pci_platform(const struct pci_host_desc *pci)
{
	struct acpi_platform p = test_platform(2);

	p.pci = pci;
	return p;
}

static u8 buf[BUF_SIZE];
static struct err_msg err;

static u64 le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static long build_at(const struct acpi_platform *p, u64 gpa)
{
	long n;

	memset(buf, 0xa5, sizeof(buf));
	memset(&err, 0, sizeof(err));
	n = acpi_build(p, buf, sizeof(buf), gpa, &err);
	ck_assert_msg(n > 0, "acpi_build: %ld (%s)", n, err.text);
	return n;
}

static long build(unsigned int nr_cpus)
{
	struct acpi_platform p = test_platform(nr_cpus);

	return build_at(&p, GPA);
}

/* Follows a guest-physical pointer back into buf, checking it stays inside. */
static const u8 *table_at(u64 addr, u64 gpa, long used)
{
	ck_assert_uint_ge(addr, gpa);
	ck_assert_uint_le(addr - gpa + 36, (u64)used);
	ck_assert_uint_eq((addr - gpa) % 8, 0);
	ck_assert_uint_le(addr - gpa + le(buf + (addr - gpa) + 4, 4), (u64)used);
	return buf + (addr - gpa);
}

static const u8 *xsdt_entry(unsigned int i, long used)
{
	const u8 *xsdt = table_at(le(buf + 24, 8), GPA, used);

	return table_at(le(xsdt + 36 + 8 * i, 8), GPA, used);
}

static const u8 *find_bytes(const u8 *hay, size_t n, const void *needle,
			    size_t m)
{
	size_t i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

static const u8 *dsdt(long used, size_t *len)
{
	const u8 *fadt = xsdt_entry(0, used);
	const u8 *t = table_at(le(fadt + FADT_X_DSDT, 8), GPA, used);

	ck_assert_mem_eq(t, "DSDT", 4);
	*len = le(t + 4, 4);
	return t;
}

static void assert_in_dsdt(long used, const void *needle, size_t m)
{
	size_t len;
	const u8 *t = dsdt(used, &len);

	ck_assert_msg(find_bytes(t + 36, len - 36, needle, m),
		      "%zu-byte sequence starting %02x not in DSDT", m,
		      ((const u8 *)needle)[0]);
}

static void assert_not_in_dsdt(long used, const void *needle, size_t m)
{
	size_t len;
	const u8 *t = dsdt(used, &len);

	ck_assert_msg(!find_bytes(t + 36, len - 36, needle, m),
		      "%zu-byte sequence starting %02x is in the DSDT", m,
		      ((const u8 *)needle)[0]);
}

static void assert_table_header(const u8 *t, const char *sig, u8 revision)
{
	ck_assert_mem_eq(t, sig, 4);
	ck_assert_uint_eq(t[8], revision);
	ck_assert_mem_eq(t + 10, "LKVM  ", 6);
	ck_assert_mem_eq(t + 16, "LKVMVM  ", 8);
	ck_assert_uint_eq(acpi_checksum(t, le(t + 4, 4)), 0);
}

START_TEST(test_rsdp)
{
	long used = build(4);

	ck_assert_mem_eq(buf, "RSD PTR ", 8);
	ck_assert_uint_eq(acpi_checksum(buf, 20), 0);
	ck_assert_uint_eq(acpi_checksum(buf, 36), 0);
	ck_assert_mem_eq(buf + 9, "LKVM  ", 6);
	ck_assert_uint_eq(buf[15], 2);			/* revision */
	ck_assert_uint_eq(le(buf + 16, 4), 0);		/* no RSDT */
	ck_assert_uint_eq(le(buf + 20, 4), 36);		/* length */
	ck_assert_mem_eq(table_at(le(buf + 24, 8), GPA, used), "XSDT", 4);
}
END_TEST

START_TEST(test_xsdt)
{
	long used = build(2);
	const u8 *xsdt = table_at(le(buf + 24, 8), GPA, used);

	assert_table_header(xsdt, "XSDT", 1);
	ck_assert_uint_eq(le(xsdt + 4, 4), 36 + 2 * 8);
	ck_assert_mem_eq(xsdt_entry(0, used), "FACP", 4);
	ck_assert_mem_eq(xsdt_entry(1, used), "APIC", 4);
	/* Pointers are gpa + offset into buf, nothing else. */
	ck_assert_uint_eq(le(xsdt + 36, 8), GPA + (xsdt_entry(0, used) - buf));
	ck_assert_uint_eq(le(xsdt + 44, 8), GPA + (xsdt_entry(1, used) - buf));
}
END_TEST

static void assert_gas_io8(const u8 *gas, u16 port)
{
	ck_assert_uint_eq(gas[0], 1);			/* SystemIO */
	ck_assert_uint_eq(gas[1], 8);			/* bit width */
	ck_assert_uint_eq(gas[2], 0);			/* bit offset */
	ck_assert_uint_eq(gas[3], 1);			/* byte access */
	ck_assert_uint_eq(le(gas + 4, 8), port);
}

START_TEST(test_fadt)
{
	long used = build(4);
	const u8 *f = xsdt_entry(0, used);
	u32 flags = le(f + FADT_FLAGS, 4);
	u16 boot = le(f + FADT_IAPC_BOOT_ARCH, 2);
	size_t dsdt_len;

	assert_table_header(f, "FACP", 6);
	ck_assert_uint_eq(le(f + 4, 4), 276);
	ck_assert_uint_eq(f[FADT_MINOR], 3);
	ck_assert(flags & (1u << 20));			/* HW_REDUCED_ACPI */
	ck_assert(flags & (1u << 10));			/* RESET_REG_SUP */
	ck_assert(flags & (1u << 4));			/* PWR_BUTTON */
	ck_assert(flags & (1u << 5));			/* SLP_BUTTON */
	ck_assert(boot & (1u << 2));			/* VGA not present */
	ck_assert(!(boot & (1u << 1)));			/* no 8042 */
	ck_assert(!(boot & (1u << 3)));			/* MSI works */
	ck_assert(!(boot & (1u << 5)));			/* CMOS RTC present */
	ck_assert_uint_eq(le(f + FADT_SCI_INT, 2), 0);
	ck_assert_uint_eq(le(f + FADT_PM1A_CNT_BLK, 4), 0);
	assert_gas_io8(f + FADT_RESET_REG, 0x604);
	ck_assert_uint_eq(f[FADT_RESET_VALUE], 0x42);
	assert_gas_io8(f + FADT_SLEEP_CONTROL, 0x600);
	assert_gas_io8(f + FADT_SLEEP_STATUS, 0x601);
	ck_assert_mem_eq(f + FADT_HYPERVISOR_ID, "LKVM", 4);
	ck_assert_uint_eq(le(f + FADT_DSDT, 4), le(f + FADT_X_DSDT, 8));
	ck_assert_uint_eq(le(f + FADT_X_DSDT, 8),
			  GPA + (dsdt(used, &dsdt_len) - buf));
}
END_TEST

/* Above 4G only X_DSDT can hold the address; the 32-bit field stays 0. */
START_TEST(test_fadt_high_gpa)
{
	struct acpi_platform p = test_platform(1);
	u64 gpa = 0x100000000ULL;
	long used = build_at(&p, gpa);
	const u8 *f = table_at(le(table_at(le(buf + 24, 8), gpa, used) + 36, 8),
			       gpa, used);

	ck_assert_mem_eq(f, "FACP", 4);
	ck_assert_uint_eq(le(f + FADT_DSDT, 4), 0);
	ck_assert_mem_eq(table_at(le(f + FADT_X_DSDT, 8), gpa, used), "DSDT", 4);
}
END_TEST

static const unsigned int madt_cpus[] = { 1, 2, 4, 64 };

static void assert_madt_others(const u8 *e)
{
	switch (e[0]) {
	case 1:						/* IO APIC */
		ck_assert_uint_eq(e[1], 12);
		ck_assert_uint_eq(e[2], 0xfe);
		ck_assert_uint_eq(le(e + 4, 4), 0xfec00000);
		ck_assert_uint_eq(le(e + 8, 4), 0);
		break;
	case 2:						/* ISO */
		ck_assert_uint_eq(e[1], 10);
		ck_assert_uint_eq(e[2], 0);		/* ISA */
		ck_assert_uint_eq(e[3], 0);		/* IRQ0 */
		ck_assert_uint_eq(le(e + 4, 4), 2);	/* -> GSI 2 */
		ck_assert_uint_eq(le(e + 8, 2), 0x5);	/* edge, high */
		break;
	case 4:						/* LAPIC NMI */
		ck_assert_uint_eq(e[1], 6);
		ck_assert_uint_eq(e[2], 0xff);
		ck_assert_uint_eq(e[5], 1);		/* LINT1 */
		break;
	default:
		ck_abort_msg("unexpected MADT entry type %u", e[0]);
	}
}

START_TEST(test_madt)
{
	unsigned int n = madt_cpus[_i], cpus = 0, seen[5] = { 0 };
	long used = build(n);
	const u8 *m = xsdt_entry(1, used), *e;
	u32 len = le(m + 4, 4);

	assert_table_header(m, "APIC", 5);
	ck_assert_uint_eq(le(m + 36, 4), 0xfee00000);
	for (e = m + 44; e < m + len; e += e[1]) {
		ck_assert_uint_ge(e[1], 2);
		if (e[0] == 0) {
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], cpus);	/* processor UID */
			ck_assert_uint_eq(e[3], cpus);	/* APIC ID */
			ck_assert_uint_eq(le(e + 4, 4), 1);	/* enabled */
			cpus++;
			continue;
		}
		assert_madt_others(e);
		seen[e[0]]++;
	}
	ck_assert_ptr_eq(e, m + len);
	ck_assert_uint_eq(cpus, n);
	ck_assert_uint_eq(seen[1], 1);
	ck_assert_uint_eq(seen[2], 1);
	ck_assert_uint_eq(seen[4], 1);
}
END_TEST

START_TEST(test_all_checksums)
{
	long used = build(4);
	const u8 *t[] = { xsdt_entry(0, used), xsdt_entry(1, used), NULL,
			  table_at(le(buf + 24, 8), GPA, used) };
	size_t len, i;

	t[2] = dsdt(used, &len);
	ck_assert_uint_eq(acpi_checksum(buf, 20), 0);
	ck_assert_uint_eq(acpi_checksum(buf, 36), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(acpi_checksum(t[i], le(t[i] + 4, 4)), 0);
		ck_assert_uint_eq((t[i] - buf) % 8, 0);
	}
	assert_table_header(t[2], "DSDT", 2);
	/* The last table ends exactly at the returned size. */
	ck_assert_uint_eq(t[2] - buf + len, (size_t)used);
}
END_TEST

START_TEST(test_dsdt_names)
{
	long used = build(2);
	/* Name(\_S5, Package(4){5, 5, 0, 0}) */
	static const u8 s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08,
				 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	static const u8 pnp0501[] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };
	static const u8 pnp0b00[] = { 0x0c, 0x41, 0xd0, 0x0b, 0x00 };
	/* IO(Decode16, 0x70, 0x70, 1, 2) */
	static const u8 rtc_io[] = { 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02 };
	static const u8 hid[] = "\x0dLNRO0005";	/* with its NUL */
	unsigned int i;

	assert_in_dsdt(used, s5, sizeof(s5));
	assert_in_dsdt(used, "\\_SB_", 5);
	assert_in_dsdt(used, "COM1", 4);
	assert_in_dsdt(used, pnp0501, sizeof(pnp0501));
	assert_in_dsdt(used, "RTC0", 4);
	assert_in_dsdt(used, pnp0b00, sizeof(pnp0b00));
	assert_in_dsdt(used, rtc_io, sizeof(rtc_io));
	assert_in_dsdt(used, hid, sizeof(hid));
	assert_in_dsdt(used, "_CCA\x01", 5);
	for (i = 0; i < 4; i++)
		assert_in_dsdt(used, test_devs[i].name, 4);
}
END_TEST

/* Sum-to-zero EndTag for a template whose other bytes are in t[0..n). */
static u8 end_checksum(const u8 *t, size_t n)
{
	return -(acpi_checksum(t, n) + 0x79);
}

START_TEST(test_dsdt_com1_crs)
{
	long used = build(1);
	u8 crs[] = { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		     0x22, 0x10, 0x00, 0x79, 0 };

	crs[12] = end_checksum(crs, 11);
	assert_in_dsdt(used, crs, sizeof(crs));
}
END_TEST

START_TEST(test_dsdt_mmio_crs)
{
	long used = build(1);
	/* VR00: Memory32Fixed(RW, 0xd0000000, 0x200), level-high GSI 5 */
	u8 vr00[] = { 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xd0,
		      0x00, 0x02, 0x00, 0x00, 0x89, 0x06, 0x00, 0x01,
		      0x01, 0x05, 0x00, 0x00, 0x00, 0x79, 0 };
	/* VR02: edge GSI 7 */
	static const u8 vr02_irq[] = { 0x89, 0x06, 0x00, 0x03, 0x01, 0x07 };
	/* VR03 is above 4G: QWordMemory, min 4G, max 4G + 0xfff, len 0x1000 */
	static const u8 vr03_mem[] = {
		0x8a, 0x2b, 0x00, 0x00, 0x0d, 0x01,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0,
		0xff, 0x0f, 0x00, 0x00, 0x01, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x10, 0, 0, 0, 0, 0, 0,
	};

	vr00[22] = end_checksum(vr00, 21);
	assert_in_dsdt(used, vr00, sizeof(vr00));
	assert_in_dsdt(used, vr02_irq, sizeof(vr02_irq));
	assert_in_dsdt(used, vr03_mem, sizeof(vr03_mem));
}
END_TEST

/* XSDT entry 2 is the MCFG, with one allocation for segment 0. */
static const u8 *mcfg(long used)
{
	const u8 *xsdt = table_at(le(buf + 24, 8), GPA, used);
	const u8 *m;

	ck_assert_uint_eq(le(xsdt + 4, 4), 36 + 3 * 8);
	m = xsdt_entry(2, used);
	assert_table_header(m, "MCFG", 1);
	ck_assert_uint_eq(le(m + 4, 4), 44 + 16);
	ck_assert_uint_eq(le(m + 36, 8), 0);		/* reserved */
	ck_assert_uint_eq(le(m + 52, 2), 0);		/* segment */
	ck_assert_uint_eq(le(m + 56, 4), 0);		/* reserved */
	return m;
}

START_TEST(test_pci_mcfg)
{
	struct acpi_platform p = test_pci_platform(&test_pci);
	long used = build_at(&p, GPA);
	const u8 *m = mcfg(used);

	ck_assert_mem_eq(xsdt_entry(0, used), "FACP", 4);
	ck_assert_mem_eq(xsdt_entry(1, used), "APIC", 4);
	ck_assert_uint_eq(le(m + 44, 8), 0xe0000000);
	ck_assert_uint_eq(m[54], 0);
	ck_assert_uint_eq(m[55], 1);
}
END_TEST

/* The MCFG base is where bus 0 would be, so it sits below bus_start's. */
START_TEST(test_pci_mcfg_bus_offset)
{
	struct pci_host_desc h = test_pci;
	struct acpi_platform p = test_pci_platform(&h);
	static const u8 bbn[] = { 0x08, '_', 'B', 'B', 'N', 0x0a, 0x02 };
	/* WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 2, 3, 0, 2) */
	static const u8 bus[] = { 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0,
				  0x02, 0x00, 0x03, 0x00, 0, 0, 0x02, 0x00 };
	long used;
	const u8 *m;

	h.bus_start = 2;
	h.bus_end = 3;
	h.ecam_base = 0xe0200000;
	used = build_at(&p, GPA);
	m = mcfg(used);
	ck_assert_uint_eq(le(m + 44, 8), 0xe0000000);
	ck_assert_uint_eq(m[54], 2);
	ck_assert_uint_eq(m[55], 3);
	assert_in_dsdt(used, bbn, sizeof(bbn));
	assert_in_dsdt(used, bus, sizeof(bus));
}
END_TEST

START_TEST(test_pci_checksums)
{
	struct acpi_platform p = test_pci_platform(&test_pci);
	long used = build_at(&p, GPA);
	size_t len, i;
	const u8 *d = dsdt(used, &len);

	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(acpi_checksum(xsdt_entry(i, used),
						le(xsdt_entry(i, used) + 4, 4)), 0);
	assert_table_header(d, "DSDT", 2);
	ck_assert_uint_eq(d - buf + len, (size_t)used);
}
END_TEST

START_TEST(test_pci_dsdt_ids)
{
	struct acpi_platform p = test_pci_platform(&test_pci);
	long used = build_at(&p, GPA);
	static const u8 hid[] = { 0x08, '_', 'H', 'I', 'D',
				  0x0c, 0x41, 0xd0, 0x0a, 0x08 };
	static const u8 cid[] = { 0x08, '_', 'C', 'I', 'D',
				  0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	static const u8 seg[] = { 0x08, '_', 'S', 'E', 'G', 0x00 };
	static const u8 bbn[] = { 0x08, '_', 'B', 'B', 'N', 0x00 };
	static const u8 pnp0c02[] = { 0x0c, 0x41, 0xd0, 0x0c, 0x02 };
	/* RES0: Memory32Fixed(ReadWrite, 0xe0000000, 0x200000) */
	u8 res0[] = { 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe0,
		      0x00, 0x00, 0x20, 0x00, 0x79, 0 };

	res0[13] = end_checksum(res0, 12);
	assert_in_dsdt(used, "PCI0", 4);
	assert_in_dsdt(used, hid, sizeof(hid));
	assert_in_dsdt(used, cid, sizeof(cid));
	assert_in_dsdt(used, seg, sizeof(seg));
	assert_in_dsdt(used, bbn, sizeof(bbn));
	assert_in_dsdt(used, "_CCA\x01", 5);
	assert_in_dsdt(used, "RES0", 4);
	assert_in_dsdt(used, pnp0c02, sizeof(pnp0c02));
	assert_in_dsdt(used, res0, sizeof(res0));
}
END_TEST

/*
 * The PCI0 _CRS, whole: buses 0-1, the 0xcf8 ports, then WordIO,
 * DWordMemory and QWordMemory windows (producer, MinFixed, MaxFixed).
 */
static const u8 pci_crs_bus[] = {
	0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0,
	0x00, 0x00, 0x01, 0x00, 0, 0, 0x02, 0x00,
};
static const u8 pci_crs_cf8[] = {
	0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
};
static const u8 pci_crs_io[] = {			/* EntireRange */
	0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0,
	0x00, 0x10, 0xff, 0xff, 0, 0, 0x00, 0xf0,
};
static const u8 pci_crs_mem32[] = {		/* NonCacheable, RW */
	0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0,
	0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xcf,
	0, 0, 0, 0, 0x00, 0x00, 0x00, 0x10,
};
static const u8 pci_crs_mem64[] = {		/* Prefetchable, RW */
	0x8a, 0x2b, 0x00, 0x00, 0x0c, 0x07, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0x8f, 0x00, 0x00, 0x00,
	0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
};

static size_t append(u8 *dst, size_t at, const u8 *src, size_t n)
{
	memcpy(dst + at, src, n);
	return at + n;
}

/*
 * Name(_CRS, Buffer(){ descriptors, EndTag }), with the Buffer's PkgLength
 * in its one- or two-byte form (it counts its own bytes).
 */
static void assert_pci_crs(long used, bool io, bool mem64)
{
	u8 res[128], t[160] = { 0x08, '_', 'C', 'R', 'S', 0x11 };
	size_t n = 0, body, at = 6;

	n = append(res, n, pci_crs_bus, sizeof(pci_crs_bus));
	n = append(res, n, pci_crs_cf8, sizeof(pci_crs_cf8));
	if (io)
		n = append(res, n, pci_crs_io, sizeof(pci_crs_io));
	n = append(res, n, pci_crs_mem32, sizeof(pci_crs_mem32));
	if (mem64)
		n = append(res, n, pci_crs_mem64, sizeof(pci_crs_mem64));
	res[n] = 0x79;
	res[n + 1] = end_checksum(res, n);
	n += 2;
	ck_assert_uint_lt(n, 0x100);

	body = 2 + n;				/* BytePrefix size, then bytes */
	if (body + 1 < 0x40) {
		t[at++] = body + 1;
	} else {
		t[at++] = 0x40 | ((body + 2) & 0xf);
		t[at++] = (body + 2) >> 4;
	}
	t[at++] = 0x0a;
	t[at++] = n;
	at = append(t, at, res, n);
	assert_in_dsdt(used, t, at);
}

START_TEST(test_pci_crs)
{
	struct pci_host_desc h = test_pci;
	struct acpi_platform p = test_pci_platform(&h);

	assert_pci_crs(build_at(&p, GPA), true, true);
	/* Without them, no I/O and no 64-bit window. */
	h.io_size = 0;
	h.mem64_size = 0;
	assert_pci_crs(build_at(&p, GPA), false, false);
}
END_TEST

/* Package(4){ (slot << 16) | 0xffff, pin, Zero, gsi }, shortest integers. */
static size_t prt_entry(u8 *e, unsigned int slot, unsigned int pin, u8 gsi)
{
	size_t n = 3;

	e[0] = 0x12;
	e[2] = 4;
	if (slot) {
		e[n++] = 0x0c;
		e[n++] = 0xff;
		e[n++] = 0xff;
		e[n++] = slot;
		e[n++] = 0;
	} else {
		e[n++] = 0x0b;
		e[n++] = 0xff;
		e[n++] = 0xff;
	}
	if (pin > 1)
		e[n++] = 0x0a;
	e[n++] = pin;
	e[n++] = 0x00;				/* no link device: a GSI */
	e[n++] = 0x0a;
	e[n++] = gsi;
	e[1] = n - 1;
	return n;
}

START_TEST(test_pci_prt_entries)
{
	struct acpi_platform p = test_pci_platform(&test_pci);
	long used = build_at(&p, GPA);
	/* Slot 0 INTA -> 20, INTC -> 22; slot 1 INTA -> 21, INTD -> 20. */
	static const u8 s0a[] = { 0x12, 0x09, 0x04, 0x0b, 0xff, 0xff,
				  0x00, 0x00, 0x0a, 0x14 };
	static const u8 s0c[] = { 0x12, 0x0a, 0x04, 0x0b, 0xff, 0xff,
				  0x0a, 0x02, 0x00, 0x0a, 0x16 };
	static const u8 s1a[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x01,
				  0x00, 0x00, 0x00, 0x0a, 0x15 };
	static const u8 s1d[] = { 0x12, 0x0c, 0x04, 0x0c, 0xff, 0xff, 0x01,
				  0x00, 0x0a, 0x03, 0x00, 0x0a, 0x14 };
	/* Slot 31 INTB -> intx_irq[(31 + 1) % 4] = 20 */
	static const u8 s31b[] = { 0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x1f,
				   0x00, 0x01, 0x00, 0x0a, 0x14 };

	assert_in_dsdt(used, s0a, sizeof(s0a));
	assert_in_dsdt(used, s0c, sizeof(s0c));
	assert_in_dsdt(used, s1a, sizeof(s1a));
	assert_in_dsdt(used, s1d, sizeof(s1d));
	assert_in_dsdt(used, s31b, sizeof(s31b));
}
END_TEST

/* Name(_PRT, Package(128){ ... }): every slot and pin, in order. */
START_TEST(test_pci_prt_table)
{
	struct acpi_platform p = test_pci_platform(&test_pci);
	long used = build_at(&p, GPA);
	static u8 want[4096];
	size_t n = 9, len;
	unsigned int slot, pin;

	memcpy(want, "\x08_PRT\x12", 6);
	want[8] = 128;
	for (slot = 0; slot < 32; slot++)
		for (pin = 0; pin < 4; pin++)
			n += prt_entry(want + n, slot, pin,
				       test_pci.intx_irq[(slot + pin) % 4]);
	len = n - 6;				/* PkgLength's two bytes too */
	ck_assert_uint_ge(len, 0x40);
	ck_assert_uint_lt(len, 0x1000);
	want[6] = 0x40 | (len & 0xf);
	want[7] = len >> 4;
	assert_in_dsdt(used, want, n);
}
END_TEST

START_TEST(test_pci_absent)
{
	struct pci_host_desc h = test_pci;
	struct acpi_platform p = test_pci_platform(NULL);
	const u8 *xsdt;
	long used;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		used = build_at(&p, GPA);
		xsdt = table_at(le(buf + 24, 8), GPA, used);
		ck_assert_uint_eq(le(xsdt + 4, 4), 36 + 2 * 8);
		assert_not_in_dsdt(used, "PCI0", 4);
		assert_not_in_dsdt(used, "RES0", 4);
		assert_not_in_dsdt(used, "_PRT", 4);
		ck_assert(!find_bytes(buf, used, "MCFG", 4));
		/* A host that is not present counts as none. */
		h.present = false;
		p.pci = &h;
	}
}
END_TEST

/* No slots: the bridge is there, but there is nothing to route. */
START_TEST(test_pci_no_slots)
{
	struct pci_host_desc h = test_pci;
	struct acpi_platform p = test_pci_platform(&h);
	long used;

	h.nr_slots = 0;
	used = build_at(&p, GPA);
	assert_in_dsdt(used, "PCI0", 4);
	assert_not_in_dsdt(used, "_PRT", 4);
}
END_TEST

static long build_pci(const struct pci_host_desc *h)
{
	struct acpi_platform p = test_pci_platform(h);

	return acpi_build(&p, buf, sizeof(buf), GPA, &err);
}

START_TEST(test_pci_einval)
{
	struct pci_host_desc h = test_pci;
	struct acpi_mmio_dev dev = test_devs[0];
	struct acpi_platform p = test_pci_platform(&test_pci);

	ck_assert_int_gt(build_pci(&h), 0);
	h.bus_end = 2;				/* ECAM covers buses 0-1 only */
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h.bus_start = 3;
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h = test_pci;
	h.ecam_base += 0x1000;
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h = test_pci;
	h.nr_slots = 33;
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h = test_pci;
	h.io_base = 0x3eff0000;			/* an arm64-style MMIO window */
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h = test_pci;
	h.io_size = 0xf001;
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h = test_pci;
	h.mem32_base = 0xf8000000;
	ck_assert_int_eq(build_pci(&h), -EINVAL);
	h = test_pci;
	h.mem64_base = ~0ULL - 0xfff;
	ck_assert_int_eq(build_pci(&h), -EINVAL);

	memcpy(dev.name, "PCI0", 5);
	p.mmio_devs = &dev;
	p.nr_mmio_devs = 1;
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
	memcpy(dev.name, "RES0", 5);
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
}
END_TEST

START_TEST(test_enospc)
{
	struct acpi_platform p = test_platform(4);
	long need = build(4);
	size_t sizes[] = { 0, 1, 35, 36, 200, need - 1 };
	unsigned int i;
	size_t j;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0xa5, sizeof(buf));
		err.text[0] = 0;
		ck_assert_int_eq(acpi_build(&p, buf, sizes[i], GPA, &err),
				 -ENOSPC);
		ck_assert_msg(strstr(err.text, "bytes"), "message: '%s'",
			      err.text);
		for (j = 0; j < sizeof(buf); j++)
			ck_assert_uint_eq(buf[j], 0xa5);
	}
	ck_assert_int_eq(acpi_build(&p, buf, need, GPA, &err), need);
}
END_TEST

START_TEST(test_einval)
{
	struct acpi_mmio_dev devs[2] = { test_devs[0], test_devs[1] };
	struct acpi_platform p = test_platform(4);

	p.mmio_devs = devs;
	p.nr_mmio_devs = 2;
	ck_assert_int_gt(acpi_build(&p, buf, sizeof(buf), GPA, &err), 0);
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA + 8, &err),
			 -EINVAL);

	p.nr_cpus = 0;
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
	p.nr_cpus = 256;
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
	p.nr_cpus = 255;
	ck_assert_int_gt(acpi_build(&p, buf, sizeof(buf), GPA, &err), 0);

	memcpy(devs[1].name, "vr01", 5);
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
	memcpy(devs[1].name, "VR00", 5);
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.text, "VR00"));
	memcpy(devs[1].name, "VR01", 5);
	devs[1].hid = "virtio";
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
	devs[1].hid = "LNRO0005";
	p.uart_irq = 16;
	ck_assert_int_eq(acpi_build(&p, buf, sizeof(buf), GPA, &err), -EINVAL);
}
END_TEST

/* PkgLength values as the ACPI spec encodes them (they count themselves). */
START_TEST(test_aml_pkglen)
{
	static const struct {
		size_t len;
		unsigned int n;
		u8 bytes[4];
	} cases[] = {
		{ 0, 1, { 0x00 } },
		{ 63, 1, { 0x3f } },
		{ 64, 2, { 0x40, 0x04 } },
		{ 4095, 2, { 0x4f, 0xff } },
		{ 4096, 3, { 0x80, 0x00, 0x01 } },
		{ 0xfffff, 3, { 0x8f, 0xff, 0xff } },
		{ 0x100000, 4, { 0xc0, 0x00, 0x00, 0x01 } },
		{ 0xfffffff, 4, { 0xcf, 0xff, 0xff, 0xff } },
	};
	unsigned int i;
	u8 out[4];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 0xee, sizeof(out));
		ck_assert_uint_eq(aml_pkglen_encode(out, cases[i].len),
				  cases[i].n);
		ck_assert_mem_eq(out, cases[i].bytes, cases[i].n);
	}
	ck_assert_uint_eq(aml_pkglen_encode(out, 0x10000000), 0);

	/* Body sizes at which the length itself needs one more byte. */
	ck_assert_uint_eq(aml_pkglen_bytes(62), 1);
	ck_assert_uint_eq(aml_pkglen_bytes(63), 2);
	ck_assert_uint_eq(aml_pkglen_bytes(4093), 2);
	ck_assert_uint_eq(aml_pkglen_bytes(4094), 3);
	ck_assert_uint_eq(aml_pkglen_bytes(0xfffffff - 4), 4);
	ck_assert_uint_eq(aml_pkglen_bytes(0xfffffff - 3), 0);
}
END_TEST

/* Scope(\_SB){body}: the PkgLength is slid in once the body is known. */
static void check_scope_body(size_t body, const u8 *pkglen, unsigned int n)
{
	static u8 fill[8192], out[8192 + 16];
	struct aml a;

	memset(fill, 0x5a, sizeof(fill));
	aml_init(&a, out, sizeof(out));
	aml_scope_begin(&a, "\\_SB");
	aml_raw(&a, fill, body - 5);	/* the name takes 5 of body */
	aml_scope_end(&a);
	ck_assert_int_eq(aml_status(&a), 0);
	ck_assert_uint_eq(a.len, 1 + n + body);
	ck_assert_uint_eq(out[0], 0x10);
	ck_assert_mem_eq(out + 1, pkglen, n);
	ck_assert_mem_eq(out + 1 + n, "\\_SB_", 5);
	ck_assert_uint_eq(out[a.len - 1], 0x5a);
}

START_TEST(test_aml_pkglen_nested)
{
	check_scope_body(62, (const u8 *)"\x3f", 1);		/* 63 */
	check_scope_body(63, (const u8 *)"\x41\x04", 2);	/* 65 */
	check_scope_body(4093, (const u8 *)"\x4f\xff", 2);	/* 4095 */
	check_scope_body(4094, (const u8 *)"\x81\x00\x01", 3);	/* 4097 */
}
END_TEST

static void check_aml(void (*emit)(struct aml *a), const u8 *want, size_t n)
{
	u8 out[64];
	struct aml a;

	aml_init(&a, out, sizeof(out));
	emit(&a);
	ck_assert_int_eq(aml_status(&a), 0);
	ck_assert_uint_eq(a.len, n);
	ck_assert_mem_eq(out, want, n);
}

static void emit_integers(struct aml *a)
{
	aml_integer(a, 0);
	aml_integer(a, 1);
	aml_integer(a, 0xff);
	aml_integer(a, 0x100);
	aml_integer(a, 0x12345678);
	aml_integer(a, 0x100000000ULL);
}

START_TEST(test_aml_integers)
{
	static const u8 want[] = {
		0x00, 0x01, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		0x0c, 0x78, 0x56, 0x34, 0x12,
		0x0e, 0, 0, 0, 0, 1, 0, 0, 0,
	};

	check_aml(emit_integers, want, sizeof(want));
}
END_TEST

static void emit_names(struct aml *a)
{
	aml_namestring(a, "_S5");
	aml_namestring(a, "\\_SB.COM1");
	aml_namestring(a, "\\_SB.PCI0.S08");
	aml_namestring(a, "^FOO");
}

START_TEST(test_aml_names)
{
	static const u8 want[] = "_S5_"
		"\\\x2e_SB_COM1"
		"\\\x2f\x03_SB_PCI0S08_"
		"^FOO_";
	struct aml a;

	check_aml(emit_names, want, sizeof(want) - 1);
	ck_assert(aml_nameseg_valid("VR00"));
	ck_assert(!aml_nameseg_valid("VR0"));
	ck_assert(!aml_nameseg_valid("0VR0"));
	ck_assert(!aml_nameseg_valid("vr00"));

	aml_init(&a, NULL, 0);
	aml_namestring(&a, "\\_SB.TOOLONG");
	ck_assert_int_eq(aml_status(&a), -EINVAL);
}
END_TEST

static void emit_device(struct aml *a)
{
	aml_device_begin(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_method_begin(a, "_STA", 0, false);
	aml_return(a);
	aml_integer(a, 0x0f);
	aml_method_end(a);
	aml_device_end(a);
}

START_TEST(test_aml_device_method)
{
	static const u8 want[] = {
		0x5b, 0x82, 0x19, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f,
	};

	check_aml(emit_device, want, sizeof(want));
}
END_TEST

static void emit_restemplate(struct aml *a)
{
	aml_restemplate_begin(a);
	aml_res_io16(a, 0x3f8, 0x3f8, 1, 8);
	aml_res_irq_noflags(a, 4);
	aml_restemplate_end(a);
}

START_TEST(test_aml_restemplate)
{
	u8 want[] = {
		0x11, 0x10, 0x0a, 0x0d,			/* Buffer(13) */
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0,				/* EndTag */
	};

	want[16] = end_checksum(want + 4, 11);
	check_aml(emit_restemplate, want, sizeof(want));
	/* The whole template, EndTag included, sums to zero. */
	ck_assert_uint_eq(acpi_checksum(want + 4, 13), 0);
}
END_TEST

static void emit_ext_irq(struct aml *a)
{
	aml_res_interrupt(a, AML_IRQ_EDGE | AML_IRQ_ACTIVE_LOW | AML_IRQ_SHARED,
			  0x123);
	aml_res_memory32_fixed(a, false, 0xfed00000, 0x400);
}

START_TEST(test_aml_descriptors)
{
	static const u8 want[] = {
		0x89, 0x06, 0x00, 0x0f, 0x01, 0x23, 0x01, 0x00, 0x00,
		0x86, 0x09, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe,
		0x00, 0x04, 0x00, 0x00,
	};

	check_aml(emit_ext_irq, want, sizeof(want));
}
END_TEST

static void emit_windows(struct aml *a)
{
	aml_res_bus_window(a, 0, 0xff);
	aml_res_io_window(a, 0xd000, 0x1000);
	aml_res_mem_window(a, false, 0xfe000000, 0x1000000);
}

static void emit_window_above_4g(struct aml *a)
{
	aml_res_mem_window(a, true, 0xffff0000, 0x20000);	/* crosses 4G */
}

START_TEST(test_aml_windows)
{
	static const u8 want[] = {
		0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0,
		0x00, 0x00, 0xff, 0x00, 0, 0, 0x00, 0x01,
		0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0, 0,
		0x00, 0xd0, 0xff, 0xdf, 0, 0, 0x00, 0x10,
		0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xfe,
		0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01,
	};
	static const u8 want64[] = {
		0x8a, 0x2b, 0x00, 0x00, 0x0c, 0x07, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct aml a;

	check_aml(emit_windows, want, sizeof(want));
	check_aml(emit_window_above_4g, want64, sizeof(want64));

	aml_init(&a, NULL, 0);
	aml_res_io_window(&a, 0xf000, 0x1001);	/* past port 0xffff */
	ck_assert_int_eq(aml_status(&a), -EINVAL);
	aml_init(&a, NULL, 0);
	aml_res_bus_window(&a, 2, 1);
	ck_assert_int_eq(aml_status(&a), -EINVAL);
	aml_init(&a, NULL, 0);
	aml_res_mem_window(&a, false, 0x1000, 0);
	ck_assert_int_eq(aml_status(&a), -EINVAL);
}
END_TEST

/* A full buffer stops storing but keeps counting, and never writes past. */
START_TEST(test_aml_overflow)
{
	u8 out[32];
	struct aml a;
	size_t full;
	unsigned int i;

	aml_init(&a, NULL, 0);
	emit_device(&a);
	ck_assert_int_eq(aml_status(&a), -ENOSPC);
	full = a.len;
	ck_assert_uint_eq(full, 27);

	memset(out, 0xa5, sizeof(out));
	aml_init(&a, out, 16);
	emit_device(&a);
	ck_assert_int_eq(aml_status(&a), -ENOSPC);
	ck_assert_uint_eq(a.len, full);
	for (i = 16; i < sizeof(out); i++)
		ck_assert_uint_eq(out[i], 0xa5);

	aml_init(&a, out, sizeof(out));
	aml_scope_end(&a);
	ck_assert_int_eq(aml_status(&a), -EINVAL);
}
END_TEST

static Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tables = tcase_create("tables");
	TCase *aml = tcase_create("aml");

	tcase_add_test(tables, test_rsdp);
	tcase_add_test(tables, test_xsdt);
	tcase_add_test(tables, test_fadt);
	tcase_add_test(tables, test_fadt_high_gpa);
	tcase_add_loop_test(tables, test_madt, 0,
			    sizeof(madt_cpus) / sizeof(madt_cpus[0]));
	tcase_add_test(tables, test_all_checksums);
	tcase_add_test(tables, test_dsdt_names);
	tcase_add_test(tables, test_dsdt_com1_crs);
	tcase_add_test(tables, test_dsdt_mmio_crs);
	tcase_add_test(tables, test_pci_mcfg);
	tcase_add_test(tables, test_pci_mcfg_bus_offset);
	tcase_add_test(tables, test_pci_checksums);
	tcase_add_test(tables, test_pci_dsdt_ids);
	tcase_add_test(tables, test_pci_crs);
	tcase_add_test(tables, test_pci_prt_entries);
	tcase_add_test(tables, test_pci_prt_table);
	tcase_add_test(tables, test_pci_absent);
	tcase_add_test(tables, test_pci_no_slots);
	tcase_add_test(tables, test_pci_einval);
	tcase_add_test(tables, test_enospc);
	tcase_add_test(tables, test_einval);
	suite_add_tcase(s, tables);

	tcase_add_test(aml, test_aml_pkglen);
	tcase_add_test(aml, test_aml_pkglen_nested);
	tcase_add_test(aml, test_aml_integers);
	tcase_add_test(aml, test_aml_names);
	tcase_add_test(aml, test_aml_device_method);
	tcase_add_test(aml, test_aml_restemplate);
	tcase_add_test(aml, test_aml_descriptors);
	tcase_add_test(aml, test_aml_windows);
	tcase_add_test(aml, test_aml_overflow);
	suite_add_tcase(s, aml);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(acpi_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
