// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI host, config space, BARs, MSI-X and the virtio-pci transport,
 * driven through the ECAM window and ports 0xcf8/0xcfc of a VM built by
 * hand without KVM: vm_fd is -1, so routing MSI-X vectors and assigning
 * ioeventfds fail harmlessly and nothing is ever delivered.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_pci.h>

#include "core/vm.h"
#include "pci/msix.h"
#include "pci/pci.h"
#include "virtio/pci.h"

#define RAM_SIZE	0x20000ULL
#define CF8_ENABLE	0x80000000u

#define PLAIN_VENDOR	0x1234
#define PLAIN_DEVICE	0x5678
#define PLAIN_CLASS	0x018000	/* mass storage, other */
#define PLAIN_REV	7
#define PLAIN_BAR_SIZE	0x8000ULL

#define CMD_WRITABLE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
			 PCI_COMMAND_INTX_DISABLE)

/* Config mechanisms: the guest's two, and pci_cfg_*() under the host lock. */
enum { VIA_ECAM, VIA_PORTS, VIA_DIRECT };

/*
 * Writes that map or unmap a BAR go through the ports as x86 Linux sends
 * them (or straight in elsewhere): through ECAM they deadlock today, which
 * test_ecam_remaps_bars shows on its own without hanging the suite.
 */
#ifdef __x86_64__
#define NR_MECHANISMS	2
#define VIA_REMAP	VIA_PORTS
#else
#define NR_MECHANISMS	1
#define VIA_REMAP	VIA_DIRECT
#endif

struct bench {
	struct vm vm;
	struct pci_host host;
};

/* A function whose BAR 0 records what reaches it. */
struct plain {
	struct pci_dev pdev;
	u64 off;
	u32 len;
	u32 written;
	unsigned int reads, writes;
	unsigned int moved;
};

static struct bench *bench_new(void)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct err_msg e;

	ck_assert_ptr_nonnull(b);
	b->vm.kvm_fd = -1;
	b->vm.vm_fd = -1;
	b->vm.stop_fd = -1;
	io_bus_init(&b->vm.mmio);
	io_bus_init(&b->vm.pio);
	irq_routes_init(&b->vm.routes);
	ck_assert_int_eq(event_loop_init(&b->vm.loop), 0);
	ck_assert_int_eq(guest_mem_alloc(&b->vm.mem, RAM_SIZE, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(&b->vm.mem, 0, RAM_SIZE, &e), 0);
	ck_assert_int_eq(pci_host_init(&b->host, &b->vm, &e), 0);
	b->vm.pci_host = &b->host;
	return b;
}

static void bench_free(struct bench *b)
{
	pci_host_destroy(&b->host);
	irq_routes_destroy(&b->vm.routes);
	event_loop_destroy(&b->vm.loop);
	io_bus_destroy(&b->vm.mmio);
	io_bus_destroy(&b->vm.pio);
	guest_mem_free(&b->vm.mem);
	free(b);
}

static const struct pci_host_desc *layout(struct bench *b)
{
	return &b->vm.inventory.pci;
}

static u64 ecam(struct bench *b, u32 slot, u32 fn, u32 reg)
{
	return layout(b)->ecam_base + ((u64)slot << 15) + ((u64)fn << 12) + reg;
}

static void set_cf8(struct bench *b, u32 v)
{
	ck_assert(io_bus_write(&b->vm.pio, 0xcf8, &v, 4));
}

static struct pci_dev *slot_dev(struct bench *b, u32 slot)
{
	ck_assert_uint_lt(slot, PCI_MAX_SLOTS);
	ck_assert_ptr_nonnull(b->host.slots[slot]);
	return b->host.slots[slot];
}

static u32 cfg_rd(struct bench *b, int via, u32 slot, u32 reg, u32 len)
{
	u32 v = 0;

	if (via == VIA_DIRECT) {
		pthread_mutex_lock(&b->host.lock);
		pci_cfg_read(slot_dev(b, slot), reg, &v, len);
		pthread_mutex_unlock(&b->host.lock);
		return v;
	}
	if (via == VIA_ECAM) {
		ck_assert(io_bus_read(&b->vm.mmio, ecam(b, slot, 0, reg), &v, len));
		return v;
	}
	set_cf8(b, CF8_ENABLE | slot << 11 | (reg & 0xfc));
	ck_assert(io_bus_read(&b->vm.pio, 0xcfc + (reg & 3), &v, len));
	return v;
}

static void cfg_wr(struct bench *b, int via, u32 slot, u32 reg, u32 len, u32 v)
{
	if (via == VIA_DIRECT) {
		pthread_mutex_lock(&b->host.lock);
		pci_cfg_write(slot_dev(b, slot), reg, &v, len);
		pthread_mutex_unlock(&b->host.lock);
		return;
	}
	if (via == VIA_ECAM) {
		ck_assert(io_bus_write(&b->vm.mmio, ecam(b, slot, 0, reg), &v, len));
		return;
	}
	set_cf8(b, CF8_ENABLE | slot << 11 | (reg & 0xfc));
	ck_assert(io_bus_write(&b->vm.pio, 0xcfc + (reg & 3), &v, len));
}

static u32 ones(u32 len)
{
	return len == 4 ? 0xffffffff : (1u << (8 * len)) - 1;
}

static void plain_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct plain *p = opaque;

	p->reads++;
	p->off = offset;
	p->len = len;
	memset(data, 0xa5, len);
}

static void plain_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct plain *p = opaque;

	p->writes++;
	p->off = offset;
	p->len = len;
	p->written = 0;
	memcpy(&p->written, data, len < 4 ? len : 4);
}

static const struct io_ops plain_ops = { .read = plain_read, .write = plain_write };

static void plain_moved(struct pci_dev *d, unsigned int n)
{
	struct plain *p = d->priv;

	ck_assert_uint_eq(n, 0);
	p->moved++;
}

static const u8 vndr_cap[8] = { PCI_CAP_ID_VNDR, 0xee, 8, 'l', 'k', 'v', 'm', 0 };
static const u8 pm_cap[8] = { PCI_CAP_ID_PM, 0xee, 0x03, 0x00 };

/* Sets p up with one BAR of size and the two capabilities above, unplugged. */
static void plain_init(struct plain *p, u64 size, bool is64)
{
	pci_dev_init(&p->pdev, PLAIN_VENDOR, PLAIN_DEVICE, PLAIN_CLASS, PLAIN_REV, 0xabcd, 0x0042);
	p->pdev.priv = p;
	p->pdev.bar_moved = plain_moved;
	pci_dev_set_bar(&p->pdev, 0, size, is64, &plain_ops, p);
	ck_assert_uint_eq(pci_dev_add_cap(&p->pdev, vndr_cap, sizeof(vndr_cap)), 0x40);
	ck_assert_uint_eq(pci_dev_add_cap(&p->pdev, pm_cap, sizeof(pm_cap)), 0x48);
}

static struct plain *plain_add(struct bench *b, u64 size, bool is64)
{
	struct plain *p = calloc(1, sizeof(*p));
	struct err_msg e;

	ck_assert_ptr_nonnull(p);
	plain_init(p, size, is64);
	ck_assert_int_eq(pci_host_add(&b->host, &p->pdev, &e), 0);
	return p;
}

/* ---- Config space through the host ---- */

START_TEST(test_identity)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	int via = _i;

	ck_assert(layout(b)->present);
	ck_assert_uint_eq(layout(b)->nr_slots, 2);
	ck_assert_uint_eq(p->pdev.slot, 1);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_VENDOR_ID, 4), PLAIN_DEVICE << 16 | PLAIN_VENDOR);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_VENDOR_ID, 2), PLAIN_VENDOR);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_DEVICE_ID, 2), PLAIN_DEVICE);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_CLASS_REVISION, 4), PLAIN_CLASS << 8 | PLAIN_REV);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_CLASS_DEVICE, 2), PLAIN_CLASS >> 8);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x0042abcd);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_INTERRUPT_PIN, 1), 1);
	/* Slot 0: the host bridge, with no interrupt pin. */
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_VENDOR_ID, 4), 0x00081b36);
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_CLASS_REVISION, 4) >> 8, 0x060000);
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_INTERRUPT_PIN, 1), 0);
	/* Empty slots: no device answers. */
	ck_assert_uint_eq(cfg_rd(b, via, 2, PCI_VENDOR_ID, 4), 0xffffffff);
	ck_assert_uint_eq(cfg_rd(b, via, 31, PCI_VENDOR_ID, 2), 0xffff);
	ck_assert_uint_eq(cfg_rd(b, via, 31, PCI_CLASS_REVISION, 4), 0xffffffff);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_bad_accesses)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	static const struct { u32 reg, len; } bad[] = {
		{ 0x01, 2 }, { 0x01, 4 }, { 0x02, 4 }, { 0x05, 2 },
		{ 0x00, 3 }, { 0x04, 3 },
	};
	int via = _i;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		u32 reg = bad[i].reg, len = bad[i].len;

		/* Ports: an access running past 0xcff is not even ours. */
		if (via == VIA_PORTS && (reg & 3) + len > 4)
			continue;
		ck_assert_uint_eq(cfg_rd(b, via, 1, reg, len), ones(len));
		/* Writing all ones there would have set the command bits. */
		cfg_wr(b, via, 1, reg, len, 0xffffffff);
		ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_COMMAND, 2), 0);
	}
	ck_assert_uint_eq(p->moved, 0);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_bad_addresses)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	u64 v = 0;
	u32 w = 0;

	/* ECAM: other functions of a present device, and 8-byte accesses. */
	ck_assert(io_bus_read(&b->vm.mmio, ecam(b, 1, 1, 0), &w, 4));
	ck_assert_uint_eq(w, 0xffffffff);
	ck_assert(io_bus_read(&b->vm.mmio, ecam(b, 1, 0, 0), &v, 8));
	ck_assert_uint_eq(v, ~0ULL);
	w = CMD_WRITABLE;
	ck_assert(io_bus_write(&b->vm.mmio, ecam(b, 1, 7, PCI_COMMAND), &w, 2));
	v = ~0ULL;
	ck_assert(io_bus_write(&b->vm.mmio, ecam(b, 1, 0, PCI_COMMAND), &v, 8));
	ck_assert_uint_eq(p->pdev.cfg[PCI_COMMAND], 0);
#ifdef __x86_64__
	/* Ports: without the enable bit, or another function. */
	set_cf8(b, 1 << 11);
	ck_assert(io_bus_read(&b->vm.pio, 0xcfc, &w, 4));
	ck_assert_uint_eq(w, 0xffffffff);
	set_cf8(b, 1 << 11 | PCI_COMMAND);
	w = CMD_WRITABLE;
	ck_assert(io_bus_write(&b->vm.pio, 0xcfc, &w, 2));
	set_cf8(b, CF8_ENABLE | 1 << 11 | 3 << 8);
	ck_assert(io_bus_read(&b->vm.pio, 0xcfc, &w, 4));
	ck_assert_uint_eq(w, 0xffffffff);
	ck_assert_uint_eq(cfg_rd(b, VIA_PORTS, 1, PCI_COMMAND, 2), 0);
	/* Another bus. */
	set_cf8(b, CF8_ENABLE | 1 << 16 | 1 << 11);
	ck_assert(io_bus_read(&b->vm.pio, 0xcfc, &w, 4));
	ck_assert_uint_eq(w, 0xffffffff);
#endif
	bench_free(b);
	free(p);
}
END_TEST

#ifdef __x86_64__
START_TEST(test_cf8_latch)
{
	struct bench *b = bench_new();
	u32 w = 0;
	u8 byte = 0;

	set_cf8(b, CF8_ENABLE | 3 << 11 | 0x10);
	ck_assert(io_bus_read(&b->vm.pio, 0xcf8, &w, 4));
	ck_assert_uint_eq(w, CF8_ENABLE | 3 << 11 | 0x10);
	/* Only dword accesses reach the latch. */
	byte = 0x44;
	ck_assert(io_bus_write(&b->vm.pio, 0xcf8, &byte, 1));
	ck_assert(io_bus_read(&b->vm.pio, 0xcf8, &byte, 1));
	ck_assert_uint_eq(byte, 0xff);
	ck_assert(io_bus_read(&b->vm.pio, 0xcf8, &w, 4));
	ck_assert_uint_eq(w, CF8_ENABLE | 3 << 11 | 0x10);
	/* The data port picks the byte lanes of the latched dword. */
	set_cf8(b, CF8_ENABLE | PCI_VENDOR_ID);
	ck_assert(io_bus_read(&b->vm.pio, 0xcfe, &w, 2));
	ck_assert_uint_eq(w & 0xffff, 0x0008);
	ck_assert(io_bus_read(&b->vm.pio, 0xcfd, &byte, 1));
	ck_assert_uint_eq(byte, 0x1b);
	bench_free(b);
}
END_TEST
#endif

START_TEST(test_read_only_fields)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	int via = _i;
	u32 reg;

	for (reg = 0; reg < 0x40; reg += 4) {
		u32 before = cfg_rd(b, via, 1, reg, 4);

		if (reg == PCI_COMMAND || reg == PCI_CACHE_LINE_SIZE || reg == PCI_INTERRUPT_LINE ||
		    (reg >= PCI_BASE_ADDRESS_0 && reg <= PCI_BASE_ADDRESS_5))
			continue;
		cfg_wr(b, via, 1, reg, 4, ~before);
		ck_assert_msg(cfg_rd(b, via, 1, reg, 4) == before, "register %#x changed", reg);
	}
	/* Status in its own right, byte and word wide. */
	cfg_wr(b, via, 1, PCI_STATUS, 2, 0);
	cfg_wr(b, via, 1, PCI_STATUS + 1, 1, 0xff);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	cfg_wr(b, via, 1, PCI_VENDOR_ID, 2, 0);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_VENDOR_ID, 2), PLAIN_VENDOR);
	cfg_wr(b, via, 1, PCI_CAPABILITY_LIST, 1, 0x80);
	cfg_wr(b, via, 1, PCI_HEADER_TYPE, 1, 0x80);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_CAPABILITY_LIST, 1), 0x40);
	/* The bridge too. */
	cfg_wr(b, via, 0, PCI_CLASS_REVISION, 4, 0);
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_CLASS_REVISION, 4) >> 8, 0x060000);
	/* Interrupt line and cache line size are scratch registers; the pin is not. */
	cfg_wr(b, via, 1, PCI_INTERRUPT_LINE, 2, 0x040b);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_INTERRUPT_LINE, 2), 0x010b);
	cfg_wr(b, via, 1, PCI_CACHE_LINE_SIZE, 1, 0x10);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_CACHE_LINE_SIZE, 1), 0x10);
	ck_assert_uint_eq(p->moved, 0);
	bench_free(b);
	free(p);
}
END_TEST

static void command_checks(struct bench *b, int via, u32 slot)
{
	ck_assert_uint_eq(cfg_rd(b, via, slot, PCI_COMMAND, 2), 0);
	cfg_wr(b, via, slot, PCI_COMMAND, 2, 0xffff);
	ck_assert_uint_eq(cfg_rd(b, via, slot, PCI_COMMAND, 2), CMD_WRITABLE);
	/* A dword write also hits status, which stays. */
	cfg_wr(b, via, slot, PCI_COMMAND, 4, PCI_COMMAND_MASTER | 0xffff0000u);
	ck_assert_uint_eq(cfg_rd(b, via, slot, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	/* The high byte alone: INTx disable. */
	cfg_wr(b, via, slot, PCI_COMMAND + 1, 1, 0xff);
	ck_assert_uint_eq(cfg_rd(b, via, slot, PCI_COMMAND, 2),
			  PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	cfg_wr(b, via, slot, PCI_COMMAND, 2, PCI_COMMAND_SPECIAL | PCI_COMMAND_SERR);
	ck_assert_uint_eq(cfg_rd(b, via, slot, PCI_COMMAND, 2), 0);
}

START_TEST(test_command_register)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	int via = _i;

	/* The bridge has no BARs: any mechanism may turn decode on there. */
	command_checks(b, via, 0);
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_STATUS, 2), 0);
	command_checks(b, VIA_REMAP, 1);
	ck_assert_uint_eq(cfg_rd(b, via, 1, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	ck_assert_uint_eq(p->moved, 2);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_capability_walk)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	static const u8 want[] = { PCI_CAP_ID_VNDR, PCI_CAP_ID_PM };
	int via = _i;
	unsigned int n = 0;
	u32 pos;

	ck_assert(cfg_rd(b, via, 1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (pos = cfg_rd(b, via, 1, PCI_CAPABILITY_LIST, 1); pos; n++) {
		ck_assert_uint_lt(n, ARRAY_SIZE(want));
		ck_assert_uint_ge(pos, 0x40);
		ck_assert_uint_eq(pos & 3, 0);
		ck_assert_uint_eq(cfg_rd(b, via, 1, pos, 1), want[n]);
		/* The next pointers belong to the device. */
		cfg_wr(b, via, 1, pos + 1, 1, 0x80);
		pos = cfg_rd(b, via, 1, pos + 1, 1);
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	/* The bodies came through as given. */
	ck_assert_uint_eq(cfg_rd(b, via, 1, 0x42, 2), 'l' << 8 | 8);
	ck_assert_uint_eq(cfg_rd(b, via, 1, 0x44, 4), 'k' | 'v' << 8 | 'm' << 16);
	ck_assert_uint_eq(cfg_rd(b, via, 1, 0x4a, 2), 0x0003);
	/* The bridge has none. */
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	ck_assert_uint_eq(cfg_rd(b, via, 0, PCI_CAPABILITY_LIST, 1), 0);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_capability_space_runs_out)
{
	struct pci_dev *d = calloc(1, sizeof(*d));
	u8 body[0x40] = { PCI_CAP_ID_VNDR };

	ck_assert_ptr_nonnull(d);
	pci_dev_init(d, 1, 2, 0, 0, 0, 0);
	ck_assert_uint_eq(pci_dev_add_cap(d, body, 1), 0);
	ck_assert_uint_eq(d->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST, 0);
	ck_assert_uint_eq(pci_dev_add_cap(d, body, 0x3e), 0x40);
	ck_assert_uint_eq(pci_dev_add_cap(d, body, 0x40), 0x80);
	ck_assert_uint_eq(pci_dev_add_cap(d, body, 0x40), 0xc0);
	/* Standard config space ends at 0x100. */
	ck_assert_uint_eq(pci_dev_add_cap(d, body, 4), 0);
	ck_assert_uint_eq(d->cfg[0xc1], 0);
	ck_assert_uint_eq(d->cfg[0x81], 0xc0);
	free(d);
}
END_TEST

/* ---- BARs ---- */

static u32 bar_rd(struct bench *b, u32 slot, unsigned int n)
{
	return cfg_rd(b, VIA_ECAM, slot, PCI_BASE_ADDRESS_0 + 4 * n, 4);
}

static void bar_wr(struct bench *b, u32 slot, unsigned int n, u32 v)
{
	cfg_wr(b, VIA_REMAP, slot, PCI_BASE_ADDRESS_0 + 4 * n, 4, v);
}

static void set_command(struct bench *b, u32 slot, u16 cmd)
{
	cfg_wr(b, VIA_REMAP, slot, PCI_COMMAND, 2, cmd);
}

/* The address BAR n of slot decodes, 64-bit BARs included. */
static u64 bar_addr(struct bench *b, u32 slot, unsigned int n)
{
	u32 lo = bar_rd(b, slot, n);
	u64 a = lo & PCI_BASE_ADDRESS_MEM_MASK;

	if (lo & PCI_BASE_ADDRESS_MEM_TYPE_64)
		a |= (u64)bar_rd(b, slot, n + 1) << 32;
	return a;
}

static bool in_window(struct bench *b, u64 addr, u64 size)
{
	const struct pci_host_desc *l = layout(b);

	return addr >= l->mem32_base && addr + size <= l->mem32_base + l->mem32_size;
}

START_TEST(test_bar_sizing_32)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	u32 orig = bar_rd(b, 1, 0);
	unsigned int n;

	ck_assert_uint_eq(orig & ~PCI_BASE_ADDRESS_MEM_MASK, PCI_BASE_ADDRESS_MEM_TYPE_32);
	bar_wr(b, 1, 0, 0xffffffff);
	ck_assert_uint_eq(bar_rd(b, 1, 0), (u32)~(PLAIN_BAR_SIZE - 1));
	bar_wr(b, 1, 0, orig);
	ck_assert_uint_eq(bar_rd(b, 1, 0), orig);
	/* The low bits are not addresses. */
	bar_wr(b, 1, 0, orig | 0x7ff0 | 0xf);
	ck_assert_uint_eq(bar_rd(b, 1, 0), orig);
	/* Unused BARs read as zero and size as zero. */
	for (n = 1; n < PCI_NR_BARS; n++) {
		bar_wr(b, 1, n, 0xffffffff);
		ck_assert_uint_eq(bar_rd(b, 1, n), 0);
	}
	ck_assert_uint_eq(p->moved, 0);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_bar_sizing_64)
{
	const u64 size = 0x100000;
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, size, true);
	u32 lo = bar_rd(b, 1, 0), hi = bar_rd(b, 1, 1);
	u64 mask;

	ck_assert_uint_eq(lo & ~PCI_BASE_ADDRESS_MEM_MASK, PCI_BASE_ADDRESS_MEM_TYPE_64);
	ck_assert_uint_eq(hi, 0);
	ck_assert(in_window(b, bar_addr(b, 1, 0), size));
	ck_assert_uint_eq(bar_addr(b, 1, 0) % size, 0);
	bar_wr(b, 1, 0, 0xffffffff);
	bar_wr(b, 1, 1, 0xffffffff);
	ck_assert_uint_eq(bar_rd(b, 1, 0), (u32)~(size - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64);
	ck_assert_uint_eq(bar_rd(b, 1, 1), 0xffffffff);
	mask = (u64)bar_rd(b, 1, 1) << 32 | (bar_rd(b, 1, 0) & PCI_BASE_ADDRESS_MEM_MASK);
	ck_assert_uint_eq(~mask + 1, size);
	/* Placed anywhere in 64-bit space. */
	bar_wr(b, 1, 0, 0x40000000 | PCI_BASE_ADDRESS_MEM_TYPE_64);
	bar_wr(b, 1, 1, 0x40);
	ck_assert_uint_eq(bar_addr(b, 1, 0), 0x4040000000ULL);
	bar_wr(b, 1, 0, lo);
	bar_wr(b, 1, 1, hi);
	ck_assert_uint_eq(bar_rd(b, 1, 0), lo);
	ck_assert_uint_eq(bar_rd(b, 1, 1), 0);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_bar_placement)
{
	struct bench *b = bench_new();
	struct plain *small = plain_add(b, 0x1000, false);
	struct plain *big = plain_add(b, 0x100000, false);
	struct plain *wide = plain_add(b, 0x4000, true);
	u64 a1 = bar_addr(b, 1, 0), a2 = bar_addr(b, 2, 0), a3 = bar_addr(b, 3, 0);

	ck_assert_uint_eq(layout(b)->nr_slots, 4);
	ck_assert(in_window(b, a1, 0x1000));
	ck_assert(in_window(b, a2, 0x100000));
	ck_assert(in_window(b, a3, 0x4000));
	ck_assert_uint_eq(a1 % 0x1000, 0);
	ck_assert_uint_eq(a2 % 0x100000, 0);
	ck_assert_uint_eq(a3 % 0x4000, 0);
	ck_assert(a1 + 0x1000 <= a2 || a2 + 0x100000 <= a1);
	ck_assert(a1 + 0x1000 <= a3 || a3 + 0x4000 <= a1);
	ck_assert(a2 + 0x100000 <= a3 || a3 + 0x4000 <= a2);
	/* Nothing is decoded until the guest turns memory space on. */
	ck_assert(!small->pdev.bars[0].mapped && !big->pdev.bars[0].mapped);
	ck_assert(!wide->pdev.bars[0].mapped);
	bench_free(b);
	free(small);
	free(big);
	free(wide);
}
END_TEST

START_TEST(test_bar_window_full)
{
	struct bench *b = bench_new();
	u64 size = layout(b)->mem32_size;
	struct plain *p1 = plain_add(b, size / 2, false);
	struct plain *p2 = calloc(1, sizeof(*p2));
	struct err_msg e;

	ck_assert_uint_eq(bar_addr(b, 1, 0), layout(b)->mem32_base);
	ck_assert_ptr_nonnull(p2);
	plain_init(p2, size, false);
	ck_assert_int_ne(pci_host_add(&b->host, &p2->pdev, &e), 0);
	ck_assert(e.usage);
	/* The refused device took no slot. */
	ck_assert_uint_eq(layout(b)->nr_slots, 2);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, 2, PCI_VENDOR_ID, 4), 0xffffffff);
	bench_free(b);
	free(p1);
	free(p2);
}
END_TEST

static bool mmio_hits(struct bench *b, u64 addr)
{
	u32 v = 0;

	return io_bus_read(&b->vm.mmio, addr, &v, 4);
}

START_TEST(test_bar_follows_decode)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	u64 addr = bar_addr(b, 1, 0), moved_to = addr + 0x100000;
	u32 v = 0;

	ck_assert(!mmio_hits(b, addr));
	ck_assert(!mmio_hits(b, addr + 0x124));
	ck_assert_uint_eq(p->reads, 0);
	set_command(b, 1, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(p->moved, 1);
	ck_assert(p->pdev.bars[0].mapped);
	ck_assert_uint_eq(p->pdev.bars[0].addr, addr);
	ck_assert(io_bus_read(&b->vm.mmio, addr + 0x124, &v, 4));
	ck_assert_uint_eq(v, 0xa5a5a5a5);
	ck_assert_uint_eq(p->off, 0x124);
	ck_assert_uint_eq(p->len, 4);
	v = 0x1234;
	ck_assert(io_bus_write(&b->vm.mmio, addr + PLAIN_BAR_SIZE - 2, &v, 2));
	ck_assert_uint_eq(p->off, PLAIN_BAR_SIZE - 2);
	ck_assert_uint_eq(p->written, 0x1234);
	ck_assert(!mmio_hits(b, addr + PLAIN_BAR_SIZE));
	/* I/O decode alone does not map a memory BAR. */
	set_command(b, 1, PCI_COMMAND_IO);
	ck_assert_uint_eq(p->moved, 2);
	ck_assert(!p->pdev.bars[0].mapped);
	ck_assert(!mmio_hits(b, addr));
	/* The guest moves it with decode off: nothing anywhere until it turns it on. */
	bar_wr(b, 1, 0, (u32)moved_to);
	ck_assert(!mmio_hits(b, addr) && !mmio_hits(b, moved_to));
	ck_assert_uint_eq(p->moved, 2);
	set_command(b, 1, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(p->moved, 3);
	ck_assert_uint_eq(p->pdev.bars[0].addr, moved_to);
	ck_assert(!mmio_hits(b, addr));
	ck_assert(io_bus_read(&b->vm.mmio, moved_to + 8, &v, 4));
	ck_assert_uint_eq(p->off, 8);
	/* Rewriting the same command leaves the mapping alone. */
	set_command(b, 1, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ck_assert_uint_eq(p->moved, 3);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_bar_moves_while_decoding)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	u64 addr = bar_addr(b, 1, 0), moved_to = addr + 0x200000;

	set_command(b, 1, PCI_COMMAND_MEMORY);
	ck_assert(mmio_hits(b, addr));
	/* Sizing with decode on: the all-ones pattern is not an address. */
	bar_wr(b, 1, 0, 0xffffffff);
	ck_assert(!p->pdev.bars[0].mapped);
	ck_assert(!mmio_hits(b, addr));
	ck_assert(!mmio_hits(b, (u32)~(PLAIN_BAR_SIZE - 1)));
	bar_wr(b, 1, 0, (u32)moved_to);
	ck_assert(!mmio_hits(b, addr));
	ck_assert(mmio_hits(b, moved_to));
	ck_assert_uint_eq(p->pdev.bars[0].addr, moved_to);
	/* unmap (sizing) + map (new address) on top of the first map */
	ck_assert_uint_eq(p->moved, 3);
	set_command(b, 1, 0);
	ck_assert(!mmio_hits(b, moved_to));
	ck_assert_uint_eq(p->moved, 4);
	bench_free(b);
	free(p);
}
END_TEST

START_TEST(test_bar_64_follows_decode)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, 0x4000, true);
	u64 addr = bar_addr(b, 1, 0), high = 0x4000000000ULL;

	set_command(b, 1, PCI_COMMAND_MEMORY);
	ck_assert(mmio_hits(b, addr + 0x3ffc));
	ck_assert_uint_eq(p->off, 0x3ffc);
	set_command(b, 1, 0);
	bar_wr(b, 1, 0, (u32)high | PCI_BASE_ADDRESS_MEM_TYPE_64);
	bar_wr(b, 1, 1, high >> 32);
	set_command(b, 1, PCI_COMMAND_MEMORY);
	ck_assert(!mmio_hits(b, addr));
	ck_assert(mmio_hits(b, high + 0x10));
	ck_assert_uint_eq(p->off, 0x10);
	ck_assert_uint_eq(p->pdev.bars[0].addr, high);
	ck_assert_uint_eq(p->moved, 3);
	bench_free(b);
	free(p);
}
END_TEST

struct ecam_write {
	struct bench *b;
	u32 slot, reg, len, val;
};

static void *ecam_write_fn(void *arg)
{
	struct ecam_write *w = arg;

	io_bus_write(&w->b->vm.mmio, ecam(w->b, w->slot, 0, w->reg), &w->val, w->len);
	return NULL;
}

/* One config write through ECAM, from a thread that may never come back. */
static bool ecam_write_returns(struct bench *b, u32 slot, u32 reg, u32 len, u32 val)
{
	static struct ecam_write w;	/* outlives a stuck writer */
	struct timespec ts;
	pthread_t t;

	w = (struct ecam_write){ .b = b, .slot = slot, .reg = reg, .len = len, .val = val };
	ck_assert_int_eq(pthread_create(&t, NULL, ecam_write_fn, &w), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

/*
 * Where arm64 guests (and any ECAM user) turn decode on and move BARs:
 * the write comes in under the MMIO bus's lock and maps a BAR on that bus.
 */
START_TEST(test_ecam_remaps_bars)
{
	struct bench *b = bench_new();
	struct plain *p = plain_add(b, PLAIN_BAR_SIZE, false);
	u64 addr = bar_addr(b, 1, 0), to = addr + 0x100000;

	/* On a deadlock the writer keeps the bus locked: leak the bench to it. */
	ck_assert_msg(ecam_write_returns(b, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY),
		      "an ECAM write setting COMMAND.MEM deadlocked on the MMIO bus lock");
	ck_assert(mmio_hits(b, addr));
	ck_assert(ecam_write_returns(b, 1, PCI_COMMAND, 2, 0));
	ck_assert(!mmio_hits(b, addr));
	ck_assert(ecam_write_returns(b, 1, PCI_BASE_ADDRESS_0, 4, (u32)to));
	ck_assert(ecam_write_returns(b, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY));
	ck_assert(!mmio_hits(b, addr));
	ck_assert(mmio_hits(b, to));
	ck_assert_uint_eq(p->moved, 3);
	bench_free(b);
	free(p);
}
END_TEST

/* ---- MSI-X ---- */

#define MX_VECTORS	5
#define MX_TABLE_OFF	0x0000
#define MX_PBA_OFF	0x1000
#define MX_BAR_SIZE	0x2000

struct mxdev {
	struct pci_dev pdev;
	struct msix msix;
};

static void mx_bar_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct mxdev *m = opaque;

	if (offset < MX_PBA_OFF)
		msix_table_read(&m->msix, offset - MX_TABLE_OFF, data, len);
	else
		msix_pba_read(&m->msix, offset - MX_PBA_OFF, data, len);
}

static void mx_bar_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct mxdev *m = opaque;

	if (offset < MX_PBA_OFF)
		msix_table_write(&m->msix, offset - MX_TABLE_OFF, data, len);
}

static const struct io_ops mx_ops = { .read = mx_bar_read, .write = mx_bar_write };

static void mx_cfg_written(struct pci_dev *d, u32 offset, u32 len)
{
	struct mxdev *m = d->priv;

	msix_cfg_written(&m->msix, offset, len);
}

/* A device with MSI-X in BAR 0, memory decode on. */
static struct mxdev *mx_add(struct bench *b)
{
	struct mxdev *m = calloc(1, sizeof(*m));
	struct err_msg e;

	ck_assert_ptr_nonnull(m);
	pci_dev_init(&m->pdev, PLAIN_VENDOR, 0x1111, 0xff0000, 0, 0, 0);
	m->pdev.priv = m;
	m->pdev.cfg_written = mx_cfg_written;
	pci_dev_set_bar(&m->pdev, 0, MX_BAR_SIZE, false, &mx_ops, m);
	ck_assert_uint_eq(pci_dev_add_cap(&m->pdev, pm_cap, sizeof(pm_cap)), 0x40);
	ck_assert_int_eq(msix_init(&m->msix, &m->pdev, MX_VECTORS, 0, MX_TABLE_OFF, MX_PBA_OFF), 0);
	ck_assert_int_eq(pci_host_add(&b->host, &m->pdev, &e), 0);
	set_command(b, m->pdev.slot, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return m;
}

static void mx_free(struct mxdev *m)
{
	msix_destroy(&m->msix);
	pthread_mutex_destroy(&m->msix.lock);
	free(m);
}

/* Walks the list from 0x34 through config space for a capability id. */
static u32 find_cap(struct bench *b, u32 slot, u8 id)
{
	u32 pos = cfg_rd(b, VIA_ECAM, slot, PCI_CAPABILITY_LIST, 1);
	unsigned int hops = 0;

	for (; pos && hops < 48; hops++) {
		if (cfg_rd(b, VIA_ECAM, slot, pos, 1) == id)
			return pos;
		pos = cfg_rd(b, VIA_ECAM, slot, pos + 1, 1);
	}
	return 0;
}

static u32 tbl_rd(struct bench *b, struct mxdev *m, u64 off)
{
	u32 v = 0xdeadbeef;

	ck_assert(io_bus_read(&b->vm.mmio, m->pdev.bars[0].addr + MX_TABLE_OFF + off, &v, 4));
	return v;
}

static void tbl_wr(struct bench *b, struct mxdev *m, u64 off, u32 v)
{
	ck_assert(io_bus_write(&b->vm.mmio, m->pdev.bars[0].addr + MX_TABLE_OFF + off, &v, 4));
}

static u64 pba(struct bench *b, struct mxdev *m)
{
	u64 v = 0, direct = 0;

	ck_assert(io_bus_read(&b->vm.mmio, m->pdev.bars[0].addr + MX_PBA_OFF, &v, 8));
	msix_pba_read(&m->msix, 0, &direct, 8);
	ck_assert_uint_eq(v, direct);
	return v;
}

static void mx_ctrl(struct bench *b, struct mxdev *m, u16 flags)
{
	cfg_wr(b, VIA_ECAM, m->pdev.slot, m->msix.cap + PCI_MSIX_FLAGS, 2, flags);
}

START_TEST(test_msix_capability)
{
	struct bench *b = bench_new();
	struct mxdev *m = mx_add(b);
	u32 slot = m->pdev.slot, cap = find_cap(b, slot, PCI_CAP_ID_MSIX);
	u32 flags;

	ck_assert_uint_eq(cap, m->msix.cap);
	ck_assert_uint_eq(cap, 0x48);
	flags = cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_FLAGS, 2);
	ck_assert_uint_eq(flags & PCI_MSIX_FLAGS_QSIZE, MX_VECTORS - 1);
	ck_assert_uint_eq(flags & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL), 0);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_TABLE, 4), MX_TABLE_OFF | 0);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_PBA, 4), MX_PBA_OFF | 0);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + 1, 1), 0);
	ck_assert(!msix_enabled(&m->msix));
	/* Only enable and function mask are writable; table size and offsets are not. */
	mx_ctrl(b, m, 0xffff);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_FLAGS, 2),
			  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (MX_VECTORS - 1));
	ck_assert(msix_enabled(&m->msix));
	cfg_wr(b, VIA_ECAM, slot, cap + PCI_MSIX_FLAGS, 2, 0);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_FLAGS, 2), MX_VECTORS - 1);
	ck_assert(!msix_enabled(&m->msix));
	cfg_wr(b, VIA_ECAM, slot, cap + PCI_MSIX_TABLE, 4, 0xffffffff);
	cfg_wr(b, VIA_ECAM, slot, cap + PCI_MSIX_PBA, 4, 0x3000 | 2);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_TABLE, 4), MX_TABLE_OFF);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_PBA, 4), MX_PBA_OFF);
	/* The byte holding enable and function mask, on its own. */
	cfg_wr(b, VIA_ECAM, slot, cap + PCI_MSIX_FLAGS + 1, 1, 0xff);
	ck_assert_uint_eq(cfg_rd(b, VIA_ECAM, slot, cap + PCI_MSIX_FLAGS, 2),
			  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (MX_VECTORS - 1));
	bench_free(b);
	mx_free(m);
}
END_TEST

START_TEST(test_msix_bir_and_limits)
{
	struct pci_dev *d = calloc(1, sizeof(*d));
	struct msix *m = calloc(1, sizeof(*m));
	u32 t, p;
	u16 flags;

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(m);
	pci_dev_init(d, 1, 2, 0, 0, 0, 0);
	ck_assert_int_eq(msix_init(m, d, 0, 2, 0x800, 0x1000), -EINVAL);
	ck_assert_int_eq(msix_init(m, d, MSIX_MAX_VECTORS + 1, 2, 0x800, 0x1000), -EINVAL);
	ck_assert_uint_eq(d->cfg[PCI_CAPABILITY_LIST], 0);
	ck_assert_int_eq(msix_init(m, d, MSIX_MAX_VECTORS, 2, 0x800, 0x1000), 0);
	memcpy(&flags, d->cfg + m->cap + PCI_MSIX_FLAGS, 2);
	memcpy(&t, d->cfg + m->cap + PCI_MSIX_TABLE, 4);
	memcpy(&p, d->cfg + m->cap + PCI_MSIX_PBA, 4);
	ck_assert_uint_eq(flags, MSIX_MAX_VECTORS - 1);
	ck_assert_uint_eq(t & PCI_MSIX_TABLE_BIR, 2);
	ck_assert_uint_eq(t & PCI_MSIX_TABLE_OFFSET, 0x800);
	ck_assert_uint_eq(p & PCI_MSIX_PBA_BIR, 2);
	ck_assert_uint_eq(p & PCI_MSIX_PBA_OFFSET, 0x1000);
	ck_assert_uint_eq(m->table[MSIX_MAX_VECTORS - 1].ctrl, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	msix_destroy(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
	free(d);
}
END_TEST

START_TEST(test_msix_table)
{
	struct bench *b = bench_new();
	struct mxdev *m = mx_add(b);
	const u64 e2 = 2 * PCI_MSIX_ENTRY_SIZE, past = MX_VECTORS * PCI_MSIX_ENTRY_SIZE;
	u64 q;
	unsigned int v;

	/* Masked at reset, everything else zero. */
	for (v = 0; v < MX_VECTORS; v++) {
		u64 e = v * PCI_MSIX_ENTRY_SIZE;

		ck_assert_uint_eq(tbl_rd(b, m, e + PCI_MSIX_ENTRY_LOWER_ADDR), 0);
		ck_assert_uint_eq(tbl_rd(b, m, e + PCI_MSIX_ENTRY_UPPER_ADDR), 0);
		ck_assert_uint_eq(tbl_rd(b, m, e + PCI_MSIX_ENTRY_DATA), 0);
		ck_assert_uint_eq(tbl_rd(b, m, e + PCI_MSIX_ENTRY_VECTOR_CTRL),
				  PCI_MSIX_ENTRY_CTRL_MASKBIT);
	}
	/* Dwords. */
	tbl_wr(b, m, e2 + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee01000);
	tbl_wr(b, m, e2 + PCI_MSIX_ENTRY_UPPER_ADDR, 0x1);
	tbl_wr(b, m, e2 + PCI_MSIX_ENTRY_DATA, 0x4041);
	tbl_wr(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_LOWER_ADDR), 0xfee01000);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_UPPER_ADDR), 0x1);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_DATA), 0x4041);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	/* Neighbours untouched. */
	ck_assert_uint_eq(tbl_rd(b, m, e2 - 4), PCI_MSIX_ENTRY_CTRL_MASKBIT);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + 16), 0);
	/* Qwords: address, then data and control together. */
	q = 0x00000002fee02000ULL;
	ck_assert(io_bus_write(&b->vm.mmio, m->pdev.bars[0].addr + 16, &q, 8));
	q = (u64)PCI_MSIX_ENTRY_CTRL_MASKBIT << 32 | 0x55;
	ck_assert(io_bus_write(&b->vm.mmio, m->pdev.bars[0].addr + 24, &q, 8));
	ck_assert_uint_eq(m->msix.table[1].addr_lo, 0xfee02000);
	ck_assert_uint_eq(m->msix.table[1].addr_hi, 2);
	ck_assert_uint_eq(m->msix.table[1].data, 0x55);
	ck_assert_uint_eq(m->msix.table[1].ctrl, 1);
	q = 0;
	ck_assert(io_bus_read(&b->vm.mmio, m->pdev.bars[0].addr + 16, &q, 8));
	ck_assert_uint_eq(q, 0x00000002fee02000ULL);
	/* Misaligned, odd-sized, and straddling writes are dropped. */
	q = ~0ULL;
	msix_table_write(&m->msix, e2 + 2, &q, 4);
	msix_table_write(&m->msix, e2 + 4, &q, 8);
	msix_table_write(&m->msix, e2 + 8, &q, 2);
	msix_table_write(&m->msix, e2 + 8, &q, 1);
	msix_table_write(&m->msix, e2 + 12, &q, 3);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_LOWER_ADDR), 0xfee01000);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_UPPER_ADDR), 0x1);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_DATA), 0x4041);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	/* Past the table: ignored, reads zero. */
	tbl_wr(b, m, past, 0x12345678);
	msix_table_write(&m->msix, past + 8, &q, 8);
	ck_assert_uint_eq(tbl_rd(b, m, past), 0);
	ck_assert_uint_eq(tbl_rd(b, m, past + 12), 0);
	ck_assert_uint_eq(tbl_rd(b, m, past - 4), PCI_MSIX_ENTRY_CTRL_MASKBIT);
	/* Reserved control bits do not stick. */
	tbl_wr(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0xfffffffe);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	tbl_wr(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0xffffffff);
	ck_assert_uint_eq(tbl_rd(b, m, e2 + PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	/* Without KVM no vector got routed. */
	for (v = 0; v < MX_VECTORS; v++)
		ck_assert(!m->msix.routed[v]);
	bench_free(b);
	mx_free(m);
}
END_TEST

START_TEST(test_msix_pending)
{
	struct bench *b = bench_new();
	struct mxdev *m = mx_add(b);
	const u64 ctrl1 = PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL;

	mx_ctrl(b, m, PCI_MSIX_FLAGS_ENABLE);
	ck_assert(msix_enabled(&m->msix));
	ck_assert_uint_eq(pba(b, m), 0);
	/* A masked vector is held in the PBA... */
	msix_signal(&m->msix, 1);
	msix_signal(&m->msix, 3);
	ck_assert_uint_eq(pba(b, m), 1 << 1 | 1 << 3);
	/* ...and unmasking sends it. */
	tbl_wr(b, m, ctrl1, 0);
	ck_assert_uint_eq(pba(b, m), 1 << 3);
	/* An unmasked vector goes out at once. */
	msix_signal(&m->msix, 1);
	ck_assert_uint_eq(pba(b, m), 1 << 3);
	/* Vectors past the table are ignored. */
	msix_signal(&m->msix, MX_VECTORS);
	msix_signal(&m->msix, 63);
	ck_assert_uint_eq(pba(b, m), 1 << 3);

	/* The function mask holds back unmasked vectors too. */
	mx_ctrl(b, m, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	msix_signal(&m->msix, 1);
	ck_assert_uint_eq(pba(b, m), 1 << 1 | 1 << 3);
	tbl_wr(b, m, ctrl1, 0);		/* still function-masked */
	ck_assert_uint_eq(pba(b, m), 1 << 1 | 1 << 3);
	mx_ctrl(b, m, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_uint_eq(pba(b, m), 1 << 3);

	/* With MSI-X off, nothing is sent: it waits for the enable. */
	mx_ctrl(b, m, 0);
	msix_signal(&m->msix, 1);
	ck_assert_uint_eq(pba(b, m), 1 << 1 | 1 << 3);
	tbl_wr(b, m, ctrl1, 0);
	ck_assert_uint_eq(pba(b, m), 1 << 1 | 1 << 3);
	mx_ctrl(b, m, PCI_MSIX_FLAGS_ENABLE);
	ck_assert_uint_eq(pba(b, m), 1 << 3);

	/* The PBA is read-only. */
	{
		u64 q = 0;

		ck_assert(io_bus_write(&b->vm.mmio, m->pdev.bars[0].addr + MX_PBA_OFF, &q, 8));
		ck_assert_uint_eq(pba(b, m), 1 << 3);
	}
	bench_free(b);
	mx_free(m);
}
END_TEST

/* ---- The virtio-pci transport ---- */

#define FAKE_ID		18
#define FAKE_QUEUES	2
#define FAKE_QSIZE	64
#define FAKE_CFG_SIZE	16
#define FAKE_CLASS	0x010000
#define FAKE_FEATURES	((1ULL << 0) | (1ULL << 3))
#define F_VERSION_1	(1ULL << VIRTIO_F_VERSION_1)

#define DESC_GPA	0x1000ULL
#define AVAIL_GPA	0x3000ULL
#define USED_GPA	0x4000ULL

#define COMMON(f)	offsetof(struct virtio_pci_common_cfg, f)

struct fake {
	struct virtio_dev dev;
	u8 config[FAKE_CFG_SIZE];
};

static u64 fake_features(struct virtio_dev *dev)
{
	(void)dev;
	return FAKE_FEATURES;
}

static void fake_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct fake *f = dev->priv;

	ck_assert_uint_le(offset + len, FAKE_CFG_SIZE);
	memcpy(data, f->config + offset, len);
}

static const struct virtio_dev_ops fake_ops = {
	.name = "fake",
	.device_id = FAKE_ID,
	.nr_queues = FAKE_QUEUES,
	.queue_size = FAKE_QSIZE,
	.features = fake_features,
	.config_size = FAKE_CFG_SIZE,
	.config_read = fake_config_read,
};

struct vbench {
	struct bench *b;
	struct fake fake;
	struct virtio_pci vp;
	u32 slot;
	u64 bar;
};

static struct vbench *vbench_new(void)
{
	struct vbench *v = calloc(1, sizeof(*v));
	struct err_msg e;
	unsigned int i;

	ck_assert_ptr_nonnull(v);
	v->b = bench_new();
	ck_assert_int_eq(virtio_dev_init(&v->fake.dev, &v->b->vm, &fake_ops, &v->fake), 0);
	for (i = 0; i < FAKE_CFG_SIZE; i++)
		v->fake.config[i] = 0xc0 + i;
	ck_assert_int_eq(virtio_pci_add(&v->vp, &v->b->host, &v->fake.dev, FAKE_CLASS, &e), 0);
	v->slot = v->vp.pdev.slot;
	v->bar = bar_addr(v->b, v->slot, 0);
	set_command(v->b, v->slot, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return v;
}

static void vbench_free(struct vbench *v)
{
	unsigned int i;

	virtio_pci_destroy(&v->vp);
	pthread_mutex_destroy(&v->vp.msix.lock);
	for (i = 0; i < FAKE_QUEUES; i++)
		close(v->fake.dev.vqs[i].kick_fd);
	pthread_mutex_destroy(&v->fake.dev.lock);
	bench_free(v->b);
	free(v);
}

static u32 vrd(struct vbench *v, u64 off, u32 len)
{
	u32 x = 0;

	ck_assert(io_bus_read(&v->b->vm.mmio, v->bar + off, &x, len));
	return x;
}

static void vwr(struct vbench *v, u64 off, u32 len, u32 x)
{
	ck_assert(io_bus_write(&v->b->vm.mmio, v->bar + off, &x, len));
}

static u32 vcfg_rd(struct vbench *v, u32 reg, u32 len)
{
	return cfg_rd(v->b, VIA_ECAM, v->slot, reg, len);
}

static void vcfg_wr(struct vbench *v, u32 reg, u32 len, u32 x)
{
	cfg_wr(v->b, VIA_ECAM, v->slot, reg, len, x);
}

START_TEST(test_vp_identity)
{
	struct vbench *v = vbench_new();

	ck_assert_uint_eq(v->slot, 1);
	ck_assert_uint_eq(vcfg_rd(v, PCI_VENDOR_ID, 2), 0x1af4);
	ck_assert_uint_eq(vcfg_rd(v, PCI_DEVICE_ID, 2), 0x1040 + FAKE_ID);
	ck_assert_uint_eq(vcfg_rd(v, PCI_REVISION_ID, 1), 1);
	ck_assert_uint_eq(vcfg_rd(v, PCI_CLASS_REVISION, 4) >> 8, FAKE_CLASS);
	ck_assert_uint_eq(vcfg_rd(v, PCI_SUBSYSTEM_ID, 2), FAKE_ID);
	ck_assert(in_window(v->b, v->bar, 0x8000));
	ck_assert_uint_eq(v->vp.pdev.bars[0].size, 0x8000);
	ck_assert(v->vp.pdev.bars[0].mapped);
	/* The queue notifications could not go to ioeventfds without KVM. */
	ck_assert(!v->vp.ioeventfd[0] && !v->vp.ioeventfd[1]);
	vbench_free(v);
}
END_TEST

START_TEST(test_vp_capabilities)
{
	static const struct { u8 type; u32 off, len; } want[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, 0x0000, sizeof(struct virtio_pci_common_cfg) },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, 0x3000, 4 * FAKE_QUEUES },
		{ VIRTIO_PCI_CAP_ISR_CFG, 0x1000, 1 },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, 0x2000, FAKE_CFG_SIZE },
		{ VIRTIO_PCI_CAP_PCI_CFG, 0, 0 },
	};
	struct vbench *v = vbench_new();
	unsigned int n = 0;
	bool msix = false;
	u32 pos;

	for (pos = vcfg_rd(v, PCI_CAPABILITY_LIST, 1); pos; pos = vcfg_rd(v, pos + 1, 1)) {
		u32 id = vcfg_rd(v, pos, 1);

		if (id == PCI_CAP_ID_MSIX) {
			ck_assert_uint_eq(vcfg_rd(v, pos + PCI_MSIX_FLAGS, 2), FAKE_QUEUES);
			ck_assert_uint_eq(vcfg_rd(v, pos + PCI_MSIX_TABLE, 4), 0x4000);
			ck_assert_uint_eq(vcfg_rd(v, pos + PCI_MSIX_PBA, 4), 0x5000);
			msix = true;
			continue;
		}
		ck_assert_uint_eq(id, PCI_CAP_ID_VNDR);
		ck_assert_uint_lt(n, ARRAY_SIZE(want));
		ck_assert_uint_eq(vcfg_rd(v, pos + offsetof(struct virtio_pci_cap, cfg_type), 1),
				  want[n].type);
		ck_assert_uint_eq(vcfg_rd(v, pos + offsetof(struct virtio_pci_cap, bar), 1), 0);
		ck_assert_uint_eq(vcfg_rd(v, pos + offsetof(struct virtio_pci_cap, offset), 4),
				  want[n].off);
		ck_assert_uint_eq(vcfg_rd(v, pos + offsetof(struct virtio_pci_cap, length), 4),
				  want[n].len);
		switch (want[n].type) {
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			ck_assert_uint_eq(vcfg_rd(v, pos + 2, 1),
					  sizeof(struct virtio_pci_notify_cap));
			ck_assert_uint_eq(vcfg_rd(v, pos + offsetof(struct virtio_pci_notify_cap,
								     notify_off_multiplier), 4), 4);
			break;
		case VIRTIO_PCI_CAP_PCI_CFG:
			ck_assert_uint_eq(vcfg_rd(v, pos + 2, 1), sizeof(struct virtio_pci_cfg_cap));
			ck_assert_uint_eq(pos, v->vp.cfg_cap);
			break;
		default:
			ck_assert_uint_eq(vcfg_rd(v, pos + 2, 1), sizeof(struct virtio_pci_cap));
		}
		/* The structure lies inside BAR 0. */
		ck_assert_uint_le(want[n].off + want[n].len, 0x8000);
		n++;
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	ck_assert(msix);
	/* The standard caps are read-only to the driver. */
	vcfg_wr(v, 0x40 + offsetof(struct virtio_pci_cap, offset), 4, 0x7000);
	ck_assert_uint_eq(vcfg_rd(v, 0x40 + offsetof(struct virtio_pci_cap, offset), 4), 0);
	vbench_free(v);
}
END_TEST

START_TEST(test_vp_common_cfg)
{
	struct vbench *v = vbench_new();
	u64 host = FAKE_FEATURES | F_VERSION_1;
	u32 status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	ck_assert_uint_eq(vrd(v, COMMON(num_queues), 2), FAKE_QUEUES);
	ck_assert_uint_eq(vrd(v, COMMON(device_status), 1), 0);
	/* Device features, both halves. */
	vwr(v, COMMON(device_feature_select), 4, 0);
	ck_assert_uint_eq(vrd(v, COMMON(device_feature), 4) & (u32)host, (u32)host);
	vwr(v, COMMON(device_feature_select), 4, 1);
	ck_assert_uint_eq(vrd(v, COMMON(device_feature), 4) & (u32)(host >> 32),
			  (u32)(host >> 32));
	vwr(v, COMMON(device_feature_select), 4, 2);
	ck_assert_uint_eq(vrd(v, COMMON(device_feature), 4), 0);
	/* Without VERSION_1 the device refuses FEATURES_OK. */
	vwr(v, COMMON(device_status), 1, status);
	vwr(v, COMMON(guest_feature_select), 4, 0);
	vwr(v, COMMON(guest_feature), 4, 1);
	vwr(v, COMMON(device_status), 1, status | VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert_uint_eq(vrd(v, COMMON(device_status), 1), status);
	vwr(v, COMMON(guest_feature_select), 4, 1);
	vwr(v, COMMON(guest_feature), 4, F_VERSION_1 >> 32);
	ck_assert_uint_eq(vrd(v, COMMON(guest_feature), 4), F_VERSION_1 >> 32);
	vwr(v, COMMON(device_status), 1, status | VIRTIO_CONFIG_S_FEATURES_OK);
	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	ck_assert_uint_eq(vrd(v, COMMON(device_status), 1), status);
	ck_assert_uint_eq(v->fake.dev.guest_features, 1 | F_VERSION_1);
	/* Features are fixed once accepted. */
	vwr(v, COMMON(guest_feature_select), 4, 0);
	vwr(v, COMMON(guest_feature), 4, 8);
	ck_assert_uint_eq(v->fake.dev.guest_features, 1 | F_VERSION_1);

	/* Queues. */
	vwr(v, COMMON(queue_select), 2, 1);
	ck_assert_uint_eq(vrd(v, COMMON(queue_select), 2), 1);
	ck_assert_uint_eq(vrd(v, COMMON(queue_size), 2), FAKE_QSIZE);
	ck_assert_uint_eq(vrd(v, COMMON(queue_notify_off), 2), 1);
	ck_assert_uint_eq(vrd(v, COMMON(queue_msix_vector), 2), MSIX_NO_VECTOR);
	vwr(v, COMMON(queue_size), 2, 16);
	vwr(v, COMMON(queue_desc_lo), 4, DESC_GPA);
	vwr(v, COMMON(queue_desc_hi), 4, 0);
	vwr(v, COMMON(queue_avail_lo), 4, AVAIL_GPA);
	vwr(v, COMMON(queue_avail_hi), 4, 0);
	vwr(v, COMMON(queue_used_lo), 4, USED_GPA);
	vwr(v, COMMON(queue_used_hi), 4, 0);
	vwr(v, COMMON(queue_msix_vector), 2, 2);
	ck_assert_uint_eq(vrd(v, COMMON(queue_size), 2), 16);
	ck_assert_uint_eq(vrd(v, COMMON(queue_desc_lo), 4), DESC_GPA);
	ck_assert_uint_eq(vrd(v, COMMON(queue_used_lo), 4), USED_GPA);
	ck_assert_uint_eq(vrd(v, COMMON(queue_msix_vector), 2), 2);
	ck_assert_uint_eq(vrd(v, COMMON(queue_enable), 2), 0);
	vwr(v, COMMON(queue_enable), 2, 1);
	ck_assert_uint_eq(vrd(v, COMMON(queue_enable), 2), 1);
	ck_assert(v->fake.dev.vqs[1].ready);
	ck_assert(!v->fake.dev.vqs[0].ready);
	/* Locked while enabled. */
	vwr(v, COMMON(queue_size), 2, 32);
	ck_assert_uint_eq(vrd(v, COMMON(queue_size), 2), 16);
	/* A vector past the table reads as NO_VECTOR: the driver sees the refusal. */
	vwr(v, COMMON(msix_config), 2, 0);
	ck_assert_uint_eq(vrd(v, COMMON(msix_config), 2), 0);
	vwr(v, COMMON(msix_config), 2, FAKE_QUEUES + 1);
	ck_assert_uint_eq(vrd(v, COMMON(msix_config), 2), MSIX_NO_VECTOR);
	/* No such queue. */
	vwr(v, COMMON(queue_select), 2, FAKE_QUEUES);
	ck_assert_uint_eq(vrd(v, COMMON(queue_size), 2), 0);
	ck_assert_uint_eq(vrd(v, COMMON(queue_enable), 2), 0);

	/* Device config and notifications. */
	ck_assert_uint_eq(vrd(v, 0x2000 + 4, 4), 0xc7c6c5c4);
	ck_assert_uint_eq(vrd(v, 0x2000 + FAKE_CFG_SIZE, 4), 0);
	vwr(v, 0x3000 + 4 * 1, 2, 1);
	{
		u64 kicks = 0;

		ck_assert_int_eq(read(v->fake.dev.vqs[1].kick_fd, &kicks, 8), 8);
		ck_assert_uint_eq(kicks, 1);
		ck_assert_int_eq(read(v->fake.dev.vqs[0].kick_fd, &kicks, 8), -1);
	}
	/* Reset clears the device and the vectors. */
	vwr(v, COMMON(device_status), 1, 0);
	ck_assert_uint_eq(vrd(v, COMMON(device_status), 1), 0);
	ck_assert_uint_eq(vrd(v, COMMON(msix_config), 2), MSIX_NO_VECTOR);
	vwr(v, COMMON(queue_select), 2, 1);
	ck_assert_uint_eq(vrd(v, COMMON(queue_enable), 2), 0);
	ck_assert_uint_eq(vrd(v, COMMON(queue_msix_vector), 2), MSIX_NO_VECTOR);
	vbench_free(v);
}
END_TEST

START_TEST(test_vp_pci_cfg_window)
{
	struct vbench *v = vbench_new();
	u32 cap = v->vp.cfg_cap;
	u32 bar = cap + offsetof(struct virtio_pci_cap, bar);
	u32 off = cap + offsetof(struct virtio_pci_cap, offset);
	u32 len = cap + offsetof(struct virtio_pci_cap, length);
	u32 data = cap + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

	/* Reads: num_queues, then the device config, through config space alone. */
	vcfg_wr(v, bar, 1, 0);
	vcfg_wr(v, off, 4, COMMON(num_queues));
	vcfg_wr(v, len, 4, 2);
	ck_assert_uint_eq(vcfg_rd(v, off, 4), COMMON(num_queues));
	ck_assert_uint_eq(vcfg_rd(v, len, 4), 2);
	ck_assert_uint_eq(vcfg_rd(v, data, 4) & 0xffff, FAKE_QUEUES);
	vcfg_wr(v, off, 4, 0x2000 + 8);
	vcfg_wr(v, len, 4, 4);
	ck_assert_uint_eq(vcfg_rd(v, data, 4), 0xcbcac9c8);
	/* Works with memory decode off, as it is meant to. */
	set_command(v->b, v->slot, 0);
	ck_assert(!mmio_hits(v->b, v->bar));
	vcfg_wr(v, off, 4, COMMON(num_queues));
	vcfg_wr(v, len, 4, 2);
	ck_assert_uint_eq(vcfg_rd(v, data, 2), FAKE_QUEUES);
	/* Writes: select device feature word 1 through the window. */
	vcfg_wr(v, off, 4, COMMON(device_feature_select));
	vcfg_wr(v, len, 4, 4);
	vcfg_wr(v, data, 4, 1);
	ck_assert_uint_eq(v->vp.device_features_sel, 1);
	vcfg_wr(v, off, 4, COMMON(device_feature));
	ck_assert_uint_eq(vcfg_rd(v, data, 4), F_VERSION_1 >> 32);
	/* A bad length or another BAR moves nothing. */
	vcfg_wr(v, off, 4, COMMON(device_feature_select));
	vcfg_wr(v, len, 4, 3);
	vcfg_wr(v, data, 4, 0);
	ck_assert_uint_eq(v->vp.device_features_sel, 1);
	vcfg_wr(v, len, 4, 4);
	vcfg_wr(v, bar, 1, 1);
	vcfg_wr(v, data, 4, 0);
	ck_assert_uint_eq(v->vp.device_features_sel, 1);
	vcfg_wr(v, off, 4, 0x8000 - 2);
	vcfg_wr(v, bar, 1, 0);
	vcfg_wr(v, data, 4, 0);
	ck_assert_uint_eq(v->vp.device_features_sel, 1);
	vbench_free(v);
}
END_TEST

START_TEST(test_vp_bar_moves)
{
	struct vbench *v = vbench_new();
	u64 to = v->bar + 0x100000;

	ck_assert_uint_eq(v->vp.ioeventfd_addr, v->bar);
	set_command(v->b, v->slot, 0);
	bar_wr(v->b, v->slot, 0, (u32)to);
	set_command(v->b, v->slot, PCI_COMMAND_MEMORY);
	ck_assert(!mmio_hits(v->b, v->bar));
	v->bar = to;
	ck_assert_uint_eq(vrd(v, COMMON(num_queues), 2), FAKE_QUEUES);
	ck_assert_uint_eq(v->vp.ioeventfd_addr, to);
	vbench_free(v);
}
END_TEST

START_TEST(test_vp_msix_pending)
{
	struct vbench *v = vbench_new();
	u32 cap = v->vp.msix.cap;

	/* Queue 0 on vector 1; MSI-X on; the vector still masked. */
	vwr(v, COMMON(queue_select), 2, 0);
	vwr(v, COMMON(queue_msix_vector), 2, 1);
	vcfg_wr(v, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	v->fake.dev.transport->signal_queue(&v->fake.dev, &v->fake.dev.vqs[0]);
	ck_assert_uint_eq(vrd(v, 0x5000, 4), 1 << 1);
	ck_assert_uint_eq(vrd(v, 0x1000, 1), 0);	/* no ISR with MSI-X */
	vwr(v, 0x4000 + PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
	ck_assert_uint_eq(vrd(v, 0x5000, 4), 0);
	ck_assert_uint_eq(vrd(v, 0x4000 + PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), 0);
	vbench_free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pci");
	TCase *cfg = tcase_create("config");
	TCase *bars = tcase_create("bars");
	TCase *msix = tcase_create("msix");
	TCase *vp = tcase_create("virtio_pci");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(cfg, test_identity, 0, NR_MECHANISMS);
	tcase_add_loop_test(cfg, test_bad_accesses, 0, NR_MECHANISMS);
	tcase_add_test(cfg, test_bad_addresses);
#ifdef __x86_64__
	tcase_add_test(cfg, test_cf8_latch);
#endif
	tcase_add_loop_test(cfg, test_read_only_fields, 0, NR_MECHANISMS);
	tcase_add_loop_test(cfg, test_command_register, 0, NR_MECHANISMS);
	tcase_add_loop_test(cfg, test_capability_walk, 0, NR_MECHANISMS);
	tcase_add_test(cfg, test_capability_space_runs_out);
	tcase_add_test(bars, test_bar_sizing_32);
	tcase_add_test(bars, test_bar_sizing_64);
	tcase_add_test(bars, test_bar_placement);
	tcase_add_test(bars, test_bar_window_full);
	tcase_add_test(bars, test_bar_follows_decode);
	tcase_add_test(bars, test_bar_moves_while_decoding);
	tcase_add_test(bars, test_bar_64_follows_decode);
	tcase_add_test(bars, test_ecam_remaps_bars);
	tcase_add_test(msix, test_msix_capability);
	tcase_add_test(msix, test_msix_bir_and_limits);
	tcase_add_test(msix, test_msix_table);
	tcase_add_test(msix, test_msix_pending);
	tcase_add_test(vp, test_vp_identity);
	tcase_add_test(vp, test_vp_capabilities);
	tcase_add_test(vp, test_vp_common_cfg);
	tcase_add_test(vp, test_vp_pci_cfg_window);
	tcase_add_test(vp, test_vp_bar_moves);
	tcase_add_test(vp, test_vp_msix_pending);
	suite_add_tcase(s, cfg);
	suite_add_tcase(s, bars);
	suite_add_tcase(s, msix);
	suite_add_tcase(s, vp);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
