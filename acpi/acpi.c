// SPDX-License-Identifier: GPL-2.0
/*
 * x86 ACPI tables for a hardware-reduced platform (ACPI 6.3 layouts):
 * no PM1/GPE blocks and no SCI, power-off and reset through the FADT's
 * sleep and reset registers, devices described only in the DSDT.
 *
 * Layout in the caller's buffer, every table 8-byte aligned:
 *   RSDP | XSDT -> (FADT, MADT[, MCFG]) | FADT -> DSDT | MADT | [MCFG] | DSDT
 * MCFG and the DSDT's PCI0 are there only when the platform has a PCI host.
 */
#include <errno.h>
#include <string.h>

#include "acpi.h"
#include "aml.h"

#ifndef __packed
#define __packed		__attribute__((packed))
#endif

/* The structs below are the tables' own byte layout, stored as-is. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian; add byte swapping");

#define ACPI_OEM_ID		"LKVM  "
#define ACPI_OEM_TABLE_ID	"LKVMVM  "
#define ACPI_CREATOR_ID		"LKVM"
#define ACPI_REVISION_1		1

#define RSDP_V1_LEN		20	/* what the first checksum covers */
#define TABLE_ALIGN		8

#define FADT_REVISION		6
#define FADT_MINOR_REVISION	3
#define MADT_REVISION		5
#define MCFG_REVISION		1
#define DSDT_REVISION		2	/* 64-bit AML integers */

#define FADT_F_WBINVD		(1u << 0)
#define FADT_F_PWR_BUTTON	(1u << 4)	/* no fixed-feature button */
#define FADT_F_SLP_BUTTON	(1u << 5)
#define FADT_F_RESET_REG_SUP	(1u << 10)
#define FADT_F_HW_REDUCED_ACPI	(1u << 20)

#define IAPC_LEGACY_DEVICES	(1u << 0)	/* COM1 sits on "ISA" ports */
#define IAPC_VGA_NOT_PRESENT	(1u << 2)

#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1

#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_ENABLED	(1u << 0)
#define MADT_ALL_CPUS		0xff
#define MPS_POLARITY_HIGH	0x1
#define MPS_TRIGGER_EDGE	(0x1 << 2)

#define MAX_XAPIC_CPUS		255	/* IDs 0..254; 0xff is broadcast */
#define SLP_TYP_MAX		7	/* a 3-bit field in SLEEP_CONTROL_REG */

#define PCI_CONFIG_PORT		0xcf8	/* type 1 address, then data at 0xcfc */
#define PCI_CONFIG_PORTS	8
#define PCI_MAX_SLOTS		32
#define PCI_INTX_PINS		4
#define PCI_ECAM_BUS_SHIFT	20	/* 1 MiB of config space per bus */
#define PCI_PRT_ALL_FUNCS	0xffff	/* _PRT address: any function of a slot */

struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum;
	u8 reserved[3];
} __packed;

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

#define XSDT_MAX_ENTRIES	3	/* FADT, MADT, MCFG */

struct acpi_xsdt {
	struct acpi_header h;
	u64 entry[XSDT_MAX_ENTRIES];
} __packed;

struct acpi_fadt {
	struct acpi_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_revision;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm_blocks[8];	/* PM1a/b EVT, CNT, PM2, TMR, GPE0/1 */
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;

struct acpi_madt {
	struct acpi_header h;
	u32 lapic_addr;
	u32 flags;
} __packed;

struct madt_lapic {
	u8 type;
	u8 length;
	u8 uid;
	u8 apic_id;
	u32 flags;
} __packed;

struct madt_ioapic {
	u8 type;
	u8 length;
	u8 id;
	u8 reserved;
	u32 addr;
	u32 gsi_base;
} __packed;

struct madt_iso {
	u8 type;
	u8 length;
	u8 bus;
	u8 source;
	u32 gsi;
	u16 flags;
} __packed;

struct madt_lapic_nmi {
	u8 type;
	u8 length;
	u8 uid;
	u16 flags;
	u8 lint;
} __packed;

struct acpi_mcfg {
	struct acpi_header h;
	u64 reserved;
} __packed;

/* One ECAM range; its base is where bus 0 of the segment would be. */
struct mcfg_alloc {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __packed;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct acpi_header) == 36, "header layout");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT layout");
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG layout");
_Static_assert(sizeof(struct mcfg_alloc) == 16, "MCFG entry layout");

/* Where each table goes, as offsets from buf[0]. */
struct acpi_layout {
	size_t xsdt;
	size_t xsdt_len;
	size_t fadt;
	size_t madt;
	size_t mcfg;		/* 0: no MCFG */
	size_t dsdt;
	size_t dsdt_len;
	size_t end;
};

u8 acpi_checksum(const void *buf, size_t len)
{
	const u8 *p = buf;
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

static void header_init(struct acpi_header *h, const char *sig, size_t len,
			u8 revision)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = len;
	h->revision = revision;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_REVISION_1;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_REVISION_1;
}

/* Last step for every table, once all of its bytes are in place. */
static void table_seal(u8 *table)
{
	struct acpi_header h;
	u8 *sum = table + offsetof(struct acpi_header, checksum);

	memcpy(&h, table, sizeof(h));
	*sum = 0;
	*sum = -acpi_checksum(table, h.length);
}

static struct acpi_gas gas_io8(u16 port)
{
	return (struct acpi_gas) {
		.space_id = GAS_SYSTEM_IO,
		.bit_width = 8,
		.access_size = GAS_ACCESS_BYTE,
		.address = port,
	};
}

static void dsdt_com1(struct aml *a, const struct acpi_platform *p)
{
	aml_device_begin(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name_integer(a, "_UID", 0);
	aml_name_integer(a, "_STA", 0x0f);	/* present, enabled, shown, works */
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io16(a, p->uart_port, p->uart_port, 1, 8);
	aml_res_irq_noflags(a, p->uart_irq);
	aml_restemplate_end(a);
	aml_device_end(a);
}

/* Without an IRQ: the clock is read, never alarmed. */
static void dsdt_rtc(struct aml *a, const struct acpi_platform *p)
{
	aml_device_begin(a, "RTC0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0B00");
	aml_name_integer(a, "_STA", 0x0f);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io16(a, p->rtc_port, p->rtc_port, 1, 2);
	aml_restemplate_end(a);
	aml_device_end(a);
}

/* Memory32Fixed wherever it fits: the form every OS parses. */
static void res_mmio(struct aml *a, u64 base, u64 size)
{
	if (size <= 0xffffffffULL && base + size - 1 <= 0xffffffffULL)
		aml_res_memory32_fixed(a, true, base, size);
	else
		aml_res_qword_memory(a, true, base, size);
}

/* Linux's virtio-mmio binds LNRO0005 through exactly this _CRS shape. */
static void dsdt_mmio_dev(struct aml *a, const struct acpi_mmio_dev *d)
{
	aml_device_begin(a, d->name);
	aml_name_string(a, "_HID", d->hid);
	aml_name_integer(a, "_UID", d->uid);
	aml_name_integer(a, "_CCA", 1);		/* DMA is cache-coherent */
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	res_mmio(a, d->base, d->size);
	aml_res_interrupt(a, d->edge ? AML_IRQ_EDGE : 0, d->gsi);
	aml_restemplate_end(a);
	aml_device_end(a);
}

static const struct pci_host_desc *pci_host(const struct acpi_platform *p)
{
	return p->pci && p->pci->present ? p->pci : NULL;
}

/*
 * What the bridge decodes: its buses, the type 1 config ports (consumed
 * by the bridge itself, so not a window; Linux drops them from its list)
 * and the windows that BARs get placed in.
 */
static void dsdt_pci_crs(struct aml *a, const struct pci_host_desc *h)
{
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_bus_window(a, h->bus_start, h->bus_end);
	aml_res_io16(a, PCI_CONFIG_PORT, PCI_CONFIG_PORT, 1, PCI_CONFIG_PORTS);
	if (h->io_size)
		aml_res_io_window(a, h->io_pci_base, h->io_size);
	if (h->mem32_size)
		aml_res_mem_window(a, false, h->mem32_base, h->mem32_size);
	if (h->mem64_size)
		aml_res_mem_window(a, true, h->mem64_base, h->mem64_size);
	aml_restemplate_end(a);
}

/*
 * Package(){ address, pin, source, index }: a Zero source makes index a
 * GSI, which Linux programs level-triggered, active-low as PCI wants.
 */
static void dsdt_prt_entry(struct aml *a, unsigned int slot, unsigned int pin,
			   u32 gsi)
{
	aml_package_begin(a, 4);
	aml_integer(a, (slot << 16) | PCI_PRT_ALL_FUNCS);
	aml_integer(a, pin);
	aml_integer(a, 0);
	aml_integer(a, gsi);
	aml_package_end(a);
}

/*
 * INTx, for guests without MSI-X. Slot s pin p (0 = INTA) raises
 * intx_irq[(s + p) % 4], the swizzle a PCI-to-PCI bridge applies.
 */
static void dsdt_pci_prt(struct aml *a, const struct pci_host_desc *h)
{
	unsigned int slot, pin;

	aml_name(a, "_PRT");
	aml_package_begin(a, h->nr_slots * PCI_INTX_PINS);
	for (slot = 0; slot < h->nr_slots; slot++)
		for (pin = 0; pin < PCI_INTX_PINS; pin++)
			dsdt_prt_entry(a, slot, pin,
				       h->intx_irq[(slot + pin) % PCI_INTX_PINS]);
	aml_package_end(a);
}

/*
 * PNP0A08 is a PCI Express root (ECAM); PNP0A03 lets older code bind it.
 * No _ADR: a device has a _HID or an _ADR, and iasl warns about both.
 */
static void dsdt_pci(struct aml *a, const struct pci_host_desc *h)
{
	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A08");
	aml_name(a, "_CID");
	aml_eisaid(a, "PNP0A03");
	aml_name_integer(a, "_SEG", 0);		/* the MCFG's segment */
	aml_name_integer(a, "_UID", 0);
	aml_name_integer(a, "_BBN", h->bus_start);
	aml_name_integer(a, "_STA", 0x0f);
	aml_name_integer(a, "_CCA", 1);
	dsdt_pci_crs(a, h);
	if (h->nr_slots)
		dsdt_pci_prt(a, h);
	aml_device_end(a);
}

/*
 * Linux uses the MCFG's ECAM area only once a motherboard resource (or
 * E820) reserves it, and otherwise falls back to the 0xcf8 ports.
 */
static void dsdt_ecam_reservation(struct aml *a, const struct pci_host_desc *h)
{
	aml_device_begin(a, "RES0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C02");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	res_mmio(a, h->ecam_base, h->ecam_size);
	aml_restemplate_end(a);
	aml_device_end(a);
}

static void dsdt_body(struct aml *a, const struct acpi_platform *p)
{
	const struct pci_host_desc *pci = pci_host(p);
	unsigned int i;

	/* Hardware-reduced S5: the OS writes SLP_TYP to SLEEP_CONTROL_REG. */
	aml_name(a, "\\_S5");
	aml_package_begin(a, 4);
	aml_integer(a, p->s5_slp_typ);
	aml_integer(a, p->s5_slp_typ);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_package_end(a);

	aml_scope_begin(a, "\\_SB");
	dsdt_com1(a, p);
	if (p->rtc_port)
		dsdt_rtc(a, p);
	for (i = 0; i < p->nr_mmio_devs; i++)
		dsdt_mmio_dev(a, &p->mmio_devs[i]);
	if (pci) {
		dsdt_pci(a, pci);
		dsdt_ecam_reservation(a, pci);
	}
	aml_scope_end(a);
}

static size_t madt_len(const struct acpi_platform *p)
{
	return sizeof(struct acpi_madt) +
	       p->nr_cpus * sizeof(struct madt_lapic) +
	       sizeof(struct madt_ioapic) + sizeof(struct madt_iso) +
	       sizeof(struct madt_lapic_nmi);
}

static size_t mcfg_len(void)
{
	return sizeof(struct acpi_mcfg) + sizeof(struct mcfg_alloc);
}

static bool hid_valid(const char *hid)
{
	size_t i, n = hid ? strlen(hid) : 0;

	/* A PNP ID (AAA####) or an ACPI ID (NNNN####). */
	if (n != 7 && n != 8)
		return false;
	for (i = 0; i < n; i++)
		if (!((hid[i] >= 'A' && hid[i] <= 'Z') ||
		      (hid[i] >= '0' && hid[i] <= '9')))
			return false;
	return true;
}

/* The names of the DSDT's own devices. */
static bool name_taken(const char *name)
{
	static const char *const fixed[] = { "COM1", "RTC0", "PCI0", "RES0" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		if (!strcmp(name, fixed[i]))
			return true;
	return false;
}

/* size bytes from base, none of them past limit. */
static bool range_within(u64 base, u64 size, u64 limit)
{
	return size && base <= limit && size - 1 <= limit - base;
}

static int check_pci_windows(const struct pci_host_desc *h, struct err_msg *e)
{
	if (h->nr_slots > PCI_MAX_SLOTS)
		return err_set(e, EINVAL, "ACPI: %u PCI slots, a bus has %u",
			       h->nr_slots, PCI_MAX_SLOTS);
	/* x86 tables describe port I/O, not an MMIO-mapped I/O window. */
	if (h->io_size && (h->io_base ||
			   !range_within(h->io_pci_base, h->io_size, 0xffff)))
		return err_set(e, EINVAL, "ACPI: PCI I/O window is not in ports 0-0xffff");
	if (h->mem32_size &&
	    !range_within(h->mem32_base, h->mem32_size, 0xffffffffULL))
		return err_set(e, EINVAL, "ACPI: PCI 32-bit window is not below 4G");
	if (h->mem64_size && !range_within(h->mem64_base, h->mem64_size, ~0ULL))
		return err_set(e, EINVAL, "ACPI: PCI 64-bit window wraps");
	return 0;
}

/*
 * ecam_base is bus_start's config space, as in the device tree; the MCFG
 * wants bus 0's, which must not fall below address 0.
 */
static int check_pci(const struct pci_host_desc *h, struct err_msg *e)
{
	u64 skipped = (u64)h->bus_start << PCI_ECAM_BUS_SHIFT;
	u64 need = ((u64)h->bus_end - h->bus_start + 1) << PCI_ECAM_BUS_SHIFT;

	if (h->bus_end < h->bus_start)
		return err_set(e, EINVAL, "ACPI: PCI bus range %u-%u is empty",
			       h->bus_start, h->bus_end);
	if (h->ecam_base % SZ_1M || h->ecam_base < skipped ||
	    h->ecam_size < need ||
	    !range_within(h->ecam_base, h->ecam_size, ~0ULL))
		return err_set(e, EINVAL, "ACPI: ECAM %#llx+%#llx does not fit buses %u-%u",
			       (unsigned long long)h->ecam_base,
			       (unsigned long long)h->ecam_size,
			       h->bus_start, h->bus_end);
	return check_pci_windows(h, e);
}

static int check_mmio_dev(const struct acpi_platform *p, unsigned int i,
			  struct err_msg *e)
{
	const struct acpi_mmio_dev *d = &p->mmio_devs[i];
	unsigned int j;

	if (d->name[4] || !aml_nameseg_valid(d->name) || name_taken(d->name))
		return err_set(e, EINVAL, "ACPI: bad device name '%.4s'", d->name);
	for (j = 0; j < i; j++)
		if (!strcmp(d->name, p->mmio_devs[j].name))
			return err_set(e, EINVAL, "ACPI: device name %s used twice",
				       d->name);
	if (!hid_valid(d->hid))
		return err_set(e, EINVAL, "ACPI: %s has a bad _HID", d->name);
	if (!d->size || d->base + d->size - 1 < d->base)
		return err_set(e, EINVAL, "ACPI: %s has a bad MMIO window",
			       d->name);
	return 0;
}

static int check_platform(const struct acpi_platform *p, u64 gpa,
			  struct err_msg *e)
{
	unsigned int i;
	int ret;

	if (gpa % 16)
		return err_set(e, EINVAL, "ACPI: RSDP address %#llx is not 16-byte aligned",
			       (unsigned long long)gpa);
	if (!p->nr_cpus || p->nr_cpus > MAX_XAPIC_CPUS)
		return err_set(e, EINVAL, "ACPI: %u CPUs, MADT supports 1..%u",
			       p->nr_cpus, MAX_XAPIC_CPUS);
	if (p->lapic_addr > 0xffffffffULL || p->ioapic_addr > 0xffffffffULL)
		return err_set(e, EINVAL, "ACPI: APIC addresses must be below 4G");
	if (p->uart_irq > 15)
		return err_set(e, EINVAL, "ACPI: COM1 IRQ %u is not an ISA IRQ",
			       p->uart_irq);
	if (p->s5_slp_typ > SLP_TYP_MAX)
		return err_set(e, EINVAL, "ACPI: SLP_TYP %u does not fit 3 bits",
			       p->s5_slp_typ);
	if (p->nr_mmio_devs && !p->mmio_devs)
		return err_set(e, EINVAL, "ACPI: no device list");
	for (i = 0; i < p->nr_mmio_devs; i++) {
		ret = check_mmio_dev(p, i, e);
		if (ret)
			return ret;
	}
	return pci_host(p) ? check_pci(p->pci, e) : 0;
}

/* A measuring pass over the DSDT, so nothing is written unless it all fits. */
static int plan_layout(const struct acpi_platform *p, struct acpi_layout *l,
		       struct err_msg *e)
{
	struct aml a;

	aml_init(&a, NULL, 0);
	dsdt_body(&a, p);
	if (aml_status(&a) == -EINVAL)
		return err_set(e, EINVAL, "ACPI: DSDT has an invalid AML object");

	l->xsdt = ALIGN_UP(sizeof(struct acpi_rsdp), TABLE_ALIGN);
	l->xsdt_len = sizeof(struct acpi_header) +
		      sizeof(u64) * (pci_host(p) ? 3 : 2);
	l->fadt = ALIGN_UP(l->xsdt + l->xsdt_len, TABLE_ALIGN);
	l->madt = ALIGN_UP(l->fadt + sizeof(struct acpi_fadt), TABLE_ALIGN);
	l->dsdt = ALIGN_UP(l->madt + madt_len(p), TABLE_ALIGN);
	if (pci_host(p)) {
		l->mcfg = l->dsdt;
		l->dsdt = ALIGN_UP(l->mcfg + mcfg_len(), TABLE_ALIGN);
	}
	l->dsdt_len = sizeof(struct acpi_header) + a.len;
	l->end = l->dsdt + l->dsdt_len;
	return 0;
}

static int write_dsdt(const struct acpi_platform *p, u8 *t, size_t len,
		      struct err_msg *e)
{
	struct acpi_header h = { 0 };
	struct aml a;

	header_init(&h, "DSDT", len, DSDT_REVISION);
	memcpy(t, &h, sizeof(h));
	aml_init(&a, t + sizeof(h), len - sizeof(h));
	dsdt_body(&a, p);
	if (aml_status(&a) || a.len != len - sizeof(h))
		return err_set(e, EFAULT, "ACPI: DSDT changed size between passes");
	table_seal(t);
	return 0;
}

static u8 *put(u8 *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	return dst + len;
}

static void write_madt(const struct acpi_platform *p, u8 *t)
{
	struct acpi_madt m = { .lapic_addr = p->lapic_addr };
	struct madt_ioapic io = {
		.type = MADT_IOAPIC, .length = sizeof(io), .id = p->ioapic_id,
		.addr = p->ioapic_addr, .gsi_base = p->ioapic_gsi_base,
	};
	/* The PIT's IRQ0 is wired to IOAPIC pin 2 on PC-compatibles. */
	struct madt_iso iso = {
		.type = MADT_ISO, .length = sizeof(iso), .bus = 0, .source = 0,
		.gsi = 2, .flags = MPS_POLARITY_HIGH | MPS_TRIGGER_EDGE,
	};
	struct madt_lapic_nmi nmi = {
		.type = MADT_LAPIC_NMI, .length = sizeof(nmi),
		.uid = MADT_ALL_CPUS, .lint = 1,
	};
	u8 *q = t;
	unsigned int i;

	header_init(&m.h, "APIC", madt_len(p), MADT_REVISION);
	q = put(q, &m, sizeof(m));
	for (i = 0; i < p->nr_cpus; i++) {
		struct madt_lapic l = {
			.type = MADT_LAPIC, .length = sizeof(l), .uid = i,
			.apic_id = i, .flags = MADT_LAPIC_ENABLED,
		};

		q = put(q, &l, sizeof(l));
	}
	q = put(q, &io, sizeof(io));
	q = put(q, &iso, sizeof(iso));
	put(q, &nmi, sizeof(nmi));
	table_seal(t);
}

static void write_fadt(const struct acpi_platform *p, u8 *t, u64 dsdt)
{
	struct acpi_fadt f = { 0 };

	header_init(&f.h, "FACP", sizeof(f), FADT_REVISION);
	f.minor_revision = FADT_MINOR_REVISION;
	f.flags = FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
		  FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI;
	/* 8042 and "no CMOS RTC" stay clear: the RTC is real, i8042 is not. */
	f.iapc_boot_arch = IAPC_LEGACY_DEVICES | IAPC_VGA_NOT_PRESENT;
	f.x_dsdt = dsdt;
	/* The 32-bit copy must match X_DSDT when both are set. */
	if (dsdt <= 0xffffffffULL)
		f.dsdt = dsdt;
	f.reset_reg = gas_io8(p->reset_port);
	f.reset_value = p->reset_value;
	f.sleep_control_reg = gas_io8(p->sleep_ctl_port);
	f.sleep_status_reg = gas_io8(p->sleep_sts_port);
	if (p->rtc_port)
		f.century = 0x32;	/* the CMOS byte that holds the century */
	memcpy(&f.hypervisor_vendor_id, "LKVM\0\0\0\0", 8);
	memcpy(t, &f, sizeof(f));
	table_seal(t);
}

static void write_mcfg(const struct pci_host_desc *h, u8 *t)
{
	struct acpi_mcfg m = { 0 };
	struct mcfg_alloc ecam = {
		.base = h->ecam_base -
			((u64)h->bus_start << PCI_ECAM_BUS_SHIFT),
		.segment = 0,
		.bus_start = h->bus_start,
		.bus_end = h->bus_end,
	};

	header_init(&m.h, "MCFG", mcfg_len(), MCFG_REVISION);
	put(put(t, &m, sizeof(m)), &ecam, sizeof(ecam));
	table_seal(t);
}

static void write_xsdt(u8 *t, const struct acpi_layout *l, u64 gpa)
{
	struct acpi_xsdt x = { .entry = { gpa + l->fadt, gpa + l->madt } };

	if (l->mcfg)
		x.entry[2] = gpa + l->mcfg;
	header_init(&x.h, "XSDT", l->xsdt_len, ACPI_REVISION_1);
	memcpy(t, &x, l->xsdt_len);
	table_seal(t);
}

/* No RSDT: revision 2 lets the OS go straight to the XSDT. */
static void write_rsdp(u8 *t, u64 xsdt)
{
	struct acpi_rsdp r = {
		.revision = 2,
		.length = sizeof(r),
		.xsdt_address = xsdt,
	};

	memcpy(r.signature, "RSD PTR ", sizeof(r.signature));
	memcpy(r.oem_id, ACPI_OEM_ID, sizeof(r.oem_id));
	r.checksum = -acpi_checksum(&r, RSDP_V1_LEN);
	r.ext_checksum = -acpi_checksum(&r, sizeof(r));
	memcpy(t, &r, sizeof(r));
}

long acpi_build(const struct acpi_platform *p, void *buf, size_t size, u64 gpa,
		struct err_msg *e)
{
	struct acpi_layout l = { 0 };
	u8 *b = buf;
	int ret;

	ret = check_platform(p, gpa, e);
	if (ret)
		return ret;
	ret = plan_layout(p, &l, e);
	if (ret)
		return ret;
	if (!buf || l.end > size)
		return err_set(e, ENOSPC, "ACPI tables need %zu bytes, only %zu reserved",
			       l.end, buf ? size : 0);

	memset(b, 0, l.end);
	ret = write_dsdt(p, b + l.dsdt, l.dsdt_len, e);
	if (ret)
		return ret;
	write_madt(p, b + l.madt);
	if (l.mcfg)
		write_mcfg(p->pci, b + l.mcfg);
	write_fadt(p, b + l.fadt, gpa + l.dsdt);
	write_xsdt(b + l.xsdt, &l, gpa);
	write_rsdp(b, gpa + l.xsdt);
	return l.end;
}
