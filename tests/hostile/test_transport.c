// SPDX-License-Identifier: GPL-2.0
/*
 * A guest on the local /dev/kvm abusing the transports: device config
 * space and transport registers read and written at every offset with
 * every width (past their ends too) on virtio-mmio and virtio-pci; PCI
 * config space of a virtio function, of the host bridge and of empty
 * slots written the same way, through ECAM and ports 0xcf8/0xcfc; BARs
 * moved over RAM, over each other and over the platform's devices; MSI-X
 * entries pointing anywhere, masked and unmasked in a loop; 100k
 * notifications while another device keeps serving; lies in feature
 * negotiation and nonsense device status. lkvm must stay up, the other
 * devices must keep working and the victim must recover after a reset.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_pci.h>

#include "pci/pci.h"
#include "tests/hostile/rig.h"
#include "virtio/mmio.h"
#include "x86/memmap.h"

#define CF8_PORT	0xcf8
#define CFC_PORT	0xcfc
#define CF8_ENABLE	0x80000000u

static const unsigned int widths[] = { 1, 2, 4, 8 };	/* GOP_R8 + i, GOP_W8 + i */

/* Every width at every offset of [from, to): reads, then writes of ones, then of zeroes. */
static void sweep(struct rig *r, u64 from, u64 to, bool write)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(widths); i++)
		g_op(r, GOP_R8 + i, from, 0, to - from, 1);
	for (i = 0; write && i < ARRAY_SIZE(widths); i++) {
		g_op(r, GOP_W8 + i, from, ~0ULL, to - from, 1);
		g_op(r, GOP_W8 + i, from, 0, to - from, 1);
	}
	rig_run(r);
}

static u64 cfg_base(struct rdev *d)
{
	return d->base + (d->rig->pci ? PCI_DEVICE_OFF : VIRTIO_MMIO_CONFIG);
}

/* What each device's config space must still say after the guest scribbled over it. */
static void check_config(struct rig *r)
{
	struct rdev *blk = rig_dev(r, VIRTIO_ID_BLOCK, 0), *p9 = rig_dev(r, VIRTIO_ID_9P, 0);
	unsigned int cap64, cap32, byte1, tag, past;

	cap64 = g_r(r, 8, cfg_base(blk));
	cap32 = g_r(r, 4, cfg_base(blk));
	byte1 = g_r(r, 1, cfg_base(blk) + 1);
	tag = g_r(r, 8, cfg_base(p9));
	past = g_r(r, 4, cfg_base(blk) + 0xf0);
	rig_run(r);
	ck_assert_uint_eq(g_result(r, cap64), RIG_DISK_SIZE / 512);
	ck_assert_uint_eq(g_result(r, cap32), RIG_DISK_SIZE / 512);
	ck_assert_uint_eq(g_result(r, byte1), (RIG_DISK_SIZE / 512) >> 8);
	/* le16 length 7, then "hostile" */
	ck_assert_uint_eq(g_result(r, tag), 7 | (u64)'h' << 16 | (u64)'o' << 24 |
			  (u64)'s' << 32 | (u64)'t' << 40 | (u64)'i' << 48 | (u64)'l' << 56);
	ck_assert_uint_eq(g_result(r, past), 0);
}

START_TEST(test_config_every_offset_and_width)
{
	struct rig *r = rig_new(_i);
	unsigned int i;

	check_config(r);
	for (i = 0; i < r->nr_devs; i++) {
		struct rdev *d = &r->devs[i];

		/*
		 * The whole window and 16 bytes past it; on virtio-pci the
		 * first 256 bytes of the 4 KiB region (every config space
		 * lies there), then reads across its end.
		 */
		if (r->pci) {
			sweep(r, cfg_base(d), cfg_base(d) + 0x100, true);
			sweep(r, cfg_base(d) + 0xff0, cfg_base(d) + 0x1010, false);
		} else {
			sweep(r, cfg_base(d), d->base + VIRTIO_MMIO_WINDOW + 16, true);
		}
	}
	check_config(r);
	for (i = 0; i < r->nr_devs; i++)
		assert_recovers(&r->devs[i]);
	rig_end_healthy(r, NULL);
}
END_TEST

/*
 * Every transport register of the rng read and written at every width; on
 * virtio-pci each region of BAR 0, and across its end into the next BAR.
 */
START_TEST(test_registers_every_offset_and_width)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);

	if (r->pci) {
		sweep(r, d->base, d->base + 0x40, true);
		sweep(r, d->base + 0xff0, d->base + 0x1010, true);		/* common end, ISR */
		sweep(r, d->base + PCI_NOTIFY_OFF, d->base + PCI_NOTIFY_OFF + 0x20, true);
		sweep(r, d->base + PCI_MSIX_TABLE_OFF, d->base + PCI_MSIX_TABLE_OFF + 0x40, true);
		sweep(r, d->base + PCI_MSIX_PBA_OFF, d->base + PCI_MSIX_PBA_OFF + 0x10, true);
		sweep(r, d->base + PCI_BAR_SIZE - 0x10, d->base + PCI_BAR_SIZE + 0x10, true);
	} else {
		sweep(r, d->base, d->base + VIRTIO_MMIO_CONFIG, true);
	}
	rig_end_recovered(r, d);
}
END_TEST

/* Selectors and indexes past what the device has. */
START_TEST(test_registers_out_of_range)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BLOCK, 0);
	unsigned int feat, num;

	if (r->pci) {
		g_w(r, 4, d->base + COMMON(device_feature_select), 0xffffffff);
		feat = g_r(r, 4, d->base + COMMON(device_feature));
		g_w(r, 2, d->base + COMMON(queue_select), 0xffff);
		num = g_r(r, 2, d->base + COMMON(queue_size));
		g_w(r, 2, d->base + COMMON(queue_enable), 1);
		g_w(r, 2, d->base + COMMON(queue_msix_vector), 0x7ff);
		g_w(r, 2, d->base + PCI_NOTIFY_OFF + 0x7fc, 0);
	} else {
		g_w(r, 4, d->base + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
		feat = g_r(r, 4, d->base + VIRTIO_MMIO_DEVICE_FEATURES);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
		num = g_r(r, 4, d->base + VIRTIO_MMIO_QUEUE_NUM_MAX);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_NUM, 0x10);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_READY, 1);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
		g_w(r, 4, d->base + VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffff);
	}
	rig_run(r);
	ck_assert_uint_eq(g_result(r, feat), 0);
	ck_assert_uint_eq(g_result(r, num), 0);
	/* Queue 0 was never touched: it still serves. */
	assert_running(d);
	blk_roundtrip(d, 0);
	rig_end_healthy(r, d);
}
END_TEST

/* Every width (8 too) at every offset of one function's config space through ECAM. */
static void ecam_sweep(struct rig *r, unsigned int slot)
{
	sweep(r, ecam(r, slot, 0), ecam(r, slot, PCI_CFG_SIZE), true);
}

/* What firmware set up, back in place: BAR 0, decoding, MSI-X off. */
static void pci_restore(struct rdev *d)
{
	struct rig *r = d->rig;
	u8 msix = rig_pci_cap(d, PCI_CAP_ID_MSIX, 0);

	g_w(r, 2, ecam(r, d->slot, PCI_COMMAND), 0);
	g_w(r, 4, ecam(r, d->slot, PCI_BASE_ADDRESS_0), d->base);
	g_w(r, 2, ecam(r, d->slot, msix + PCI_MSIX_FLAGS), 0);
	g_w(r, 2, ecam(r, d->slot, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	rig_run(r);
}

/* rig_end_recovered(), with what firmware set up back in place before d recovers. */
static void end_restored(struct rig *r, struct rdev *d)
{
	assert_healthy(r, d);
	pci_restore(d);
	assert_recovers(d);
	rig_end(r);
}

START_TEST(test_pci_config_space_function)
{
	struct rig *r = rig_new(true);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	unsigned int vendor;

	ecam_sweep(r, d->slot);
	/* Read-only fields stayed. */
	vendor = g_r(r, 4, ecam(r, d->slot, PCI_VENDOR_ID));
	rig_run(r);
	ck_assert_uint_eq(g_result(r, vendor), 0x1af4 | (0x1040 + VIRTIO_ID_RNG) << 16);
	end_restored(r, d);
}
END_TEST

/* cf8 = enable | bus | slot | fn | register; then every width at each of 0xcfc..0xcff. */
static void ports_sweep(struct rig *r, unsigned int bus, unsigned int slot, unsigned int fn)
{
	unsigned int reg, k;

	for (reg = 0; reg < 0x100; reg += 4) {
		g_op(r, GOP_OUT32, CF8_PORT,
		     CF8_ENABLE | bus << 16 | slot << 11 | fn << 8 | reg, 1, 0);
		for (k = 0; k < 3; k++) {
			g_op(r, GOP_IN8 + k, CFC_PORT, 0, 4, 1);
			g_op(r, GOP_OUT8 + k, CFC_PORT, ~0u, 4, 1);
			g_op(r, GOP_OUT8 + k, CFC_PORT, 0, 4, 1);
		}
	}
	/* Without the enable bit, and odd widths at the address latch itself. */
	g_op(r, GOP_OUT32, CF8_PORT, slot << 11, 1, 0);
	g_op(r, GOP_OUT32, CFC_PORT, ~0u, 1, 0);
	g_op(r, GOP_OUT8, CF8_PORT, 0xff, 4, 1);
	g_op(r, GOP_OUT16, CF8_PORT + 1, 0xffff, 1, 0);
	g_op(r, GOP_IN16, CF8_PORT + 2, 0, 1, 0);
	rig_run(r);
}

START_TEST(test_pci_config_space_bridge_and_empty)
{
	struct rig *r = rig_new(true);
	unsigned int i, bridge, empty, fn;

	/* The host bridge, an empty slot, function 3 of a device, and bus 7. */
	ecam_sweep(r, 0);
	ecam_sweep(r, 30);
	sweep(r, ecam(r, 1, 3 << 12), ecam(r, 1, 3 << 12) + 0x100, true);
	ports_sweep(r, 0, 0, 0);
	ports_sweep(r, 0, 31, 0);
	ports_sweep(r, 0, 1, 5);
	ports_sweep(r, 7, 1, 0);
	bridge = g_r(r, 4, ecam(r, 0, PCI_VENDOR_ID));
	empty = g_r(r, 4, ecam(r, 30, PCI_VENDOR_ID));
	fn = g_r(r, 4, ecam(r, 1, (3 << 12) | PCI_VENDOR_ID));
	rig_run(r);
	ck_assert_uint_eq(g_result(r, bridge), 0x1b36 | 0x0008 << 16);
	ck_assert_uint_eq(g_result(r, empty), 0xffffffff);
	ck_assert_uint_eq(g_result(r, fn), 0xffffffff);
	for (i = 0; i < r->nr_devs; i++)
		assert_recovers(&r->devs[i]);
	rig_end(r);
}
END_TEST

/* The virtio function's config space through the ports, as x86 Linux reaches it. */
START_TEST(test_pci_config_space_ports)
{
	struct rig *r = rig_new(true);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BLOCK, 0);

	ports_sweep(r, 0, d->slot, 0);
	end_restored(r, d);
}
END_TEST

/* Points the VIRTIO_PCI_CAP_PCI_CFG window (spec 4.1.4.9) at bar/offset/length. */
static void window(struct rdev *d, u8 cap, u8 bar, u32 off, u32 len)
{
	struct rig *r = d->rig;

	g_w(r, 1, ecam(r, d->slot, cap + VIRTIO_PCI_CAP_BAR), bar);
	g_w(r, 4, ecam(r, d->slot, cap + VIRTIO_PCI_CAP_OFFSET), off);
	g_w(r, 4, ecam(r, d->slot, cap + VIRTIO_PCI_CAP_LENGTH), len);
}

/* Odd lengths, past the BAR, other BARs, the MSI-X table: read and written through. */
static void bad_windows(struct rdev *d, u8 cap, u64 data)
{
	static const struct { u8 bar; u32 off, len; } bad[] = {
		{ 0, 0, 3 }, { 0, 0, 8 }, { 0, 0, 0 }, { 0, PCI_BAR_SIZE - 2, 4 },
		{ 0, 0xffffffff, 4 }, { 0, 0xfffffffe, 2 }, { 1, 0, 4 }, { 5, 0, 4 },
		{ 0xff, 0, 4 }, { 0, PCI_MSIX_TABLE_OFF, 4 }, { 0, PCI_MSIX_PBA_OFF + 4, 4 },
		{ 0, PCI_ISR_OFF, 1 }, { 0, PCI_DEVICE_OFF + 0xffc, 4 },
	};
	struct rig *r = d->rig;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		window(d, cap, bad[i].bar, bad[i].off, bad[i].len);
		g_op(r, GOP_R8, data, 0, 4, 1);
		g_op(r, GOP_R32, data, 0, 1, 0);
		g_op(r, GOP_W32, data, ~0u, 1, 0);
		g_op(r, GOP_W16, data + 2, 0, 1, 0);
	}
	rig_run(r);
}

START_TEST(test_pci_cfg_window)
{
	struct rig *r = rig_new(true);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	u8 cap = rig_pci_cap(d, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_PCI_CFG);
	u64 data = ecam(r, d->slot, cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data));
	u64 buf = rig_alloc(r, 64);
	unsigned int status;
	u32 id, len;

	ck_assert_uint_ne(cap, 0);
	/* The device status, read through the window. */
	window(d, cap, 0, COMMON(device_status), 1);
	status = g_r(r, 1, data);
	rig_run(r);
	ck_assert_uint_eq(g_result(r, status), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	/* A kick through the window. */
	post(d, 0, &(struct seg){ buf, 64, true }, 1);
	window(d, cap, 0, PCI_NOTIFY_OFF, 2);
	g_w(r, 2, data, 0);
	rig_run(r);
	ck_assert(wait_used(d, 0, &id, &len, 5000));
	ck_assert_uint_eq(len, 64);
	bad_windows(d, cap, data);
	end_restored(r, d);
}
END_TEST

static void set_bar(struct rdev *d, u32 addr)
{
	g_w(d->rig, 4, ecam(d->rig, d->slot, PCI_BASE_ADDRESS_0), addr);
}

START_TEST(test_bar_over_ram)
{
	struct rig *r = rig_new(true);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BLOCK, 0);
	const u64 ram = RIG_SCRATCH_GPA;
	unsigned int back, status;

	/* A BAR over RAM: the guest's accesses there are RAM's, KVM never exits. */
	set_bar(d, ram);
	g_w(r, 4, ram + COMMON(device_status), 0x11223344);
	back = g_r(r, 4, ram + COMMON(device_status));
	rig_run(r);
	ck_assert_uint_eq(g_result(r, back), 0x11223344);
	/* The BAR is back: the device never saw those writes. */
	set_bar(d, d->base);
	status = g_r(r, 1, d->base + COMMON(device_status));
	rig_run(r);
	ck_assert_uint_eq(g_result(r, status), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	blk_roundtrip(d, 0);
	/* At 0 (unplaced), over the guest's stack and script, at the top of RAM. */
	set_bar(d, 0);
	set_bar(d, PCI_BAR_SIZE);
	set_bar(d, RIG_RAM_END - PCI_BAR_SIZE);
	set_bar(d, d->base);
	rig_run(r);
	blk_roundtrip(d, 0);
	rig_end_healthy(r, d);
}
END_TEST

START_TEST(test_bar_over_each_other)
{
	struct rig *r = rig_new(true);
	struct rdev *rng = rig_dev(r, VIRTIO_ID_RNG, 0);
	struct rdev *blk = rig_dev(r, VIRTIO_ID_BLOCK, 1);
	static const u32 places[] = {
		X86_PCI_ECAM_BASE, X86_IOAPIC_ADDR, X86_LAPIC_ADDR, 0xffff0000,
		0xffff8000 /* what sizing reads back */, X86_VIRTIO_MMIO_BASE,
	};
	unsigned int i, gone;

	/* Onto the second disk's BAR: refused, the disk keeps its window. */
	set_bar(rng, blk->base);
	rig_run(r);
	blk_roundtrip(blk, 1);
	gone = g_r(r, 4, rng->base + COMMON(device_status));
	rig_run(r);
	ck_assert_uint_eq(g_result(r, gone), 0xffffffff);
	/* Half over it. */
	set_bar(rng, blk->base + PCI_BAR_SIZE / 2);
	rig_run(r);
	blk_roundtrip(blk, 1);
	/* Over the platform's windows and devices, and the top of the 32-bit space. */
	for (i = 0; i < ARRAY_SIZE(places); i++) {
		set_bar(rng, places[i]);
		g_op(r, GOP_R32, places[i], 0, 4, 4);
		g_op(r, GOP_W8, places[i] + PCI_NOTIFY_OFF, 0, 1, 0);
	}
	rig_run(r);
	/* Sized the way firmware sizes it, with decoding on. */
	set_bar(rng, 0xffffffff);
	gone = g_r(r, 4, ecam(r, rng->slot, PCI_BASE_ADDRESS_0));
	/* Decoding off and on again. */
	g_w(r, 2, ecam(r, rng->slot, PCI_COMMAND), 0);
	set_bar(rng, rng->base);
	g_w(r, 2, ecam(r, rng->slot, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	rig_run(r);
	ck_assert_uint_eq(g_result(r, gone), (u32)~(PCI_BAR_SIZE - 1));
	rng_roundtrip(rng);
	rig_end_healthy(r, NULL);
}
END_TEST

/* Writes MSI-X table entry v of d: address, data and control. */
static void msix_entry(struct rdev *d, unsigned int v, u64 addr, u32 data, u32 ctrl)
{
	u64 e = d->base + PCI_MSIX_TABLE_OFF + 16 * v;

	g_w(d->rig, 4, e, (u32)addr);
	g_w(d->rig, 4, e + 4, addr >> 32);
	g_w(d->rig, 4, e + 8, data);
	g_w(d->rig, 4, e + 12, ctrl);
}

START_TEST(test_msix_anywhere)
{
	struct rig *r = rig_new(true);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	u64 flags = ecam(r, d->slot, rig_pci_cap(d, PCI_CAP_ID_MSIX, 0) + PCI_MSIX_FLAGS);
	u64 entry0 = d->base + PCI_MSIX_TABLE_OFF, buf = rig_alloc(r, 64 * 32);
	unsigned int i, vec, pba;
	u32 id, len;

	/* MSI-X on, vectors nowhere sensible: address 0, past the MSI window, garbage data. */
	g_w(r, 2, flags, PCI_MSIX_FLAGS_ENABLE);
	msix_entry(d, 0, 0, 0, 0);
	msix_entry(d, 1, 0x123456789abcdef0ULL, 0xffffffff, 0);
	g_w(r, 2, d->base + COMMON(queue_select), 0);
	g_w(r, 2, d->base + COMMON(queue_msix_vector), 0);
	g_w(r, 2, d->base + COMMON(msix_config), 1);
	/* Out of range: must read back as NO_VECTOR. */
	g_w(r, 2, d->base + COMMON(queue_msix_vector), 0x7ff);
	vec = g_r(r, 2, d->base + COMMON(queue_msix_vector));
	g_w(r, 2, d->base + COMMON(queue_msix_vector), 0);
	rig_run(r);
	ck_assert_uint_eq(g_result(r, vec), 0xffff);

	/* Requests complete while the guest masks and unmasks, entry and function, 2000 times. */
	for (i = 0; i < 32; i++)
		post(d, 0, &(struct seg){ buf + 64 * i, 64, true }, 1);
	drv_kick(d, 0);
	for (i = 0; i < 1000; i++) {
		g_w(r, 4, entry0 + 12, 1);
		g_w(r, 4, entry0 + 12, 0);
		g_w(r, 2, flags, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		g_w(r, 2, flags, PCI_MSIX_FLAGS_ENABLE);
	}
	/* And moves the entry 200 times (each a new GSI route). */
	for (i = 0; i < 200; i++)
		g_w(r, 4, entry0, 0xfee00000 + (i << 12));
	/* Odd accesses: 8 bytes, unaligned, past the table, the PBA written. */
	g_w(r, 8, entry0, 0xfee00000);
	g_w(r, 4, entry0 + 2, ~0u);
	g_w(r, 2, entry0 + 12, 0);
	g_op(r, GOP_W32, entry0 + 32, ~0u, 64, 4);
	g_w(r, 8, d->base + PCI_MSIX_PBA_OFF, ~0ULL);
	pba = g_r(r, 8, d->base + PCI_MSIX_PBA_OFF);
	rig_run(r);
	for (i = 0; i < 32; i++)
		ck_assert(wait_used(d, 0, &id, &len, 5000));
	(void)g_result(r, pba);

	/* A sane entry again, then MSI-X off: INTx. */
	msix_entry(d, 0, 0xfee00000, 0x30, 0);
	rig_run(r);
	rng_roundtrip(d);
	pci_restore(d);
	rng_roundtrip(d);
	rig_end_healthy(r, d);
}
END_TEST

struct hammer {
	struct rig *r;
	unsigned int served;
};

/* Another vCPU's driver: reads from the second disk, kicked through the bus directly. */
static void host_read(struct rdev *d)
{
	u64 data = RIG_SCRATCH_GPA + 0x10000, st;
	u32 q = 0, id, len;

	blk_post_read(d, 1, data, 512, &st);
	ck_assert(io_bus_write(&d->rig->vm.mmio, drv_notify_addr(d, 0), &q, d->rig->pci ? 2 : 4));
	ck_assert_msg(wait_used(d, 0, &id, &len, 5000), "a disk read stalled during the hammering");
	ck_assert_uint_eq(*(u8 *)rig_ptr(d->rig, st, 1), VIRTIO_BLK_S_OK);
}

START_TEST(test_notify_hammer)
{
	struct rig *r = rig_new(_i);
	struct rdev *rng = rig_dev(r, VIRTIO_ID_RNG, 0);
	struct rdev *blk = rig_dev(r, VIRTIO_ID_BLOCK, 1);
	u64 buf = rig_alloc(r, 64 * 16);
	unsigned int i, served = 0;
	u32 id, len;

	for (i = 0; i < 16; i++)
		post(rng, 0, &(struct seg){ buf + 64 * i, 64, true }, 1);
	/* 100k kicks KVM takes on the ioeventfd, 10k for a queue the device lacks. */
	g_op(r, r->pci ? GOP_W16 : GOP_W32, drv_notify_addr(rng, 0), 0, 100000, 0);
	if (r->pci)
		g_op(r, GOP_W16, drv_notify_addr(rng, 7), 7, 10000, 0);
	else
		g_op(r, GOP_W32, drv_notify_addr(rng, 0), 7, 10000, 0);
	rig_run_async(r);
	while (__atomic_load_n((u32 *)rig_ptr(r, RIG_MAILBOX_GPA + 4, 4), __ATOMIC_ACQUIRE) != r->seq) {
		host_read(blk);
		served++;
	}
	rig_wait(r, 30000);
	for (i = 0; i < 16; i++)
		ck_assert(wait_used(rng, 0, &id, &len, 5000));
	ck_assert_uint_gt(served, 0);
	rng_roundtrip(rng);
	rig_end_healthy(r, NULL);
}
END_TEST

/* The driver's half of feature negotiation with f; returns the status read back. */
static u8 negotiate(struct rdev *d, u64 f)
{
	drv_status(d, 0);
	drv_status(d, S_ACK | S_DRIVER);
	drv_features(d, f);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
	return drv_read_status(d);
}

/* DRIVER_OK without FEATURES_OK, every feature claimed: it may serve, it must not fall over. */
static void driver_ok_without_features_ok(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 data = rig_alloc(r, 512), st;
	u32 id, len;

	negotiate(d, ~0ULL);
	memset(rig_ptr(r, RIG_SCRATCH_GPA, 0x3000), 0, 0x3000);
	drv_queue(d, 0, 256, RIG_SCRATCH_GPA, RIG_SCRATCH_GPA + 0x1000, RIG_SCRATCH_GPA + 0x2000);
	drv_status(d, S_ACK | S_DRIVER | S_DRIVER_OK);
	rig_run(r);
	blk_post_read(d, 0, data, 512, &st);
	drv_kick(d, 0);
	rig_run(r);
	wait_used(d, 0, &id, &len, 200);
}

START_TEST(test_feature_lies)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BLOCK, 0);
	unsigned int f;

	/* Bits the device never offered, and no VERSION_1: FEATURES_OK does not stick. */
	ck_assert_uint_eq(negotiate(d, d->features | 1ULL << 50), S_ACK | S_DRIVER);
	ck_assert_uint_eq(negotiate(d, d->features | 1ULL << VIRTIO_F_RING_PACKED),
			  S_ACK | S_DRIVER);
	ck_assert_uint_eq(negotiate(d, ~0ULL), S_ACK | S_DRIVER);
	ck_assert_uint_eq(negotiate(d, d->features & ~F_VERSION_1), S_ACK | S_DRIVER);
	/* Accepted, then changed behind FEATURES_OK: the change is ignored. */
	ck_assert_uint_eq(negotiate(d, d->features), S_ACK | S_DRIVER | S_FEATURES_OK);
	drv_features(d, ~0ULL);
	if (r->pci) {
		g_w(r, 4, d->base + COMMON(guest_feature_select), 1);
		f = g_r(r, 4, d->base + COMMON(guest_feature));
		rig_run(r);
		ck_assert_uint_eq(g_result(r, f), F_VERSION_1 >> 32);
	} else {
		/* Selectors past the two words. */
		g_w(r, 4, d->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 7);
		g_w(r, 4, d->base + VIRTIO_MMIO_DRIVER_FEATURES, ~0u);
		rig_run(r);
	}
	driver_ok_without_features_ok(d);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_status_nonsense)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	u64 buf = rig_alloc(r, 64);
	unsigned int v;

	/* Every status byte in turn, with a request waiting and kicks in between. */
	post(d, 0, &(struct seg){ buf, 64, true }, 1);
	for (v = 255; v > 0; v--) {
		drv_status(d, v);
		if (v % 16 == 0)
			drv_kick(d, 0);
	}
	/* DRIVER_OK alone, then NEEDS_RESET set by the driver itself. */
	drv_status(d, S_DRIVER_OK);
	drv_kick(d, 0);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK | S_NEEDS_RESET);
	drv_kick(d, 0);
	rig_run(r);
	rig_end_recovered(r, d);
}
END_TEST

/* Interrupt status read and acknowledged 20000 times while requests complete. */
START_TEST(test_isr_hammer)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	u64 buf = rig_alloc(r, 64 * 32);
	unsigned int i;
	u32 id, len;

	for (i = 0; i < 32; i++)
		post(d, 0, &(struct seg){ buf + 64 * i, 64, true }, 1);
	drv_kick(d, 0);
	if (r->pci) {
		g_op(r, GOP_R8, d->base + PCI_ISR_OFF, 0, 20000, 0);
		g_op(r, GOP_R32, d->base + PCI_ISR_OFF, 0, 1000, 0);
	} else {
		for (i = 0; i < 2000; i++) {
			g_w(r, 4, d->base + VIRTIO_MMIO_INTERRUPT_ACK, ~0u);
			g_r(r, 4, d->base + VIRTIO_MMIO_INTERRUPT_STATUS);
		}
	}
	rig_run(r);
	for (i = 0; i < 32; i++)
		ck_assert(wait_used(d, 0, &id, &len, 5000));
	rng_roundtrip(d);
	rig_end_healthy(r, d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile transports (local /dev/kvm)");
	TCase *both = tcase_create("both transports");
	TCase *pci = tcase_create("pci");

	tcase_set_timeout(both, 60);
	tcase_set_timeout(pci, 60);
	tcase_add_loop_test(both, test_config_every_offset_and_width, 0, 2);
	tcase_add_loop_test(both, test_registers_every_offset_and_width, 0, 2);
	tcase_add_loop_test(both, test_registers_out_of_range, 0, 2);
	tcase_add_loop_test(both, test_notify_hammer, 0, 2);
	tcase_add_loop_test(both, test_feature_lies, 0, 2);
	tcase_add_loop_test(both, test_status_nonsense, 0, 2);
	tcase_add_loop_test(both, test_isr_hammer, 0, 2);
	tcase_add_test(pci, test_pci_config_space_function);
	tcase_add_test(pci, test_pci_config_space_bridge_and_empty);
	tcase_add_test(pci, test_pci_config_space_ports);
	tcase_add_test(pci, test_pci_cfg_window);
	tcase_add_test(pci, test_bar_over_ram);
	tcase_add_test(pci, test_bar_over_each_other);
	tcase_add_test(pci, test_msix_anywhere);
	suite_add_tcase(s, both);
	suite_add_tcase(s, pci);
	return rig_main(s);
}
