// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile tests' rig (rig.h): a VM on the local /dev/kvm with every
 * virtio device lkvm has, and its guest, which runs scripts of MMIO and
 * port accesses. The driver's side is in rig_driver.c, the per-device
 * requests in rig_devices.c.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_9p.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>

#include "pci/pci.h"
#include "tests/hostile/rig.h"
#include "virtio/mmio.h"
#include "virtio/pci.h"

/*
 * The guest, loaded at RIG_CODE_GPA: it enters flat 32-bit protected mode
 * (no paging: every address is physical), then waits for the mailbox's
 * seq to move past done, runs the script at RIG_SCRIPT_GPA up to GOP_END,
 * publishes done = seq and waits again. Each step repeats 'count' times,
 * adding 'stride' to the address; reads leave their last value in the
 * step's val. 8-byte accesses go through MMX, which KVM's emulator
 * decodes for MMIO. The current step's address is left at mailbox + 8 for
 * a test that times out to report.
 */
extern const u8 rig_guest_start[], rig_guest_end[];
asm(".pushsection .rodata.rig_guest, \"a\"\n"
"	.globl rig_guest_start\n"
"	.globl rig_guest_end\n"
"rig_guest_start:\n"
"	.code16\n"
"	cli\n"
"	lgdtl (0x1000 + rg_gdtr - rig_guest_start)\n"
"	mov %cr0, %eax\n"
"	or $1, %eax\n"
"	mov %eax, %cr0\n"
"	ljmpl $0x08, $(0x1000 + rg_pm32 - rig_guest_start)\n"
"	.code32\n"
"rg_pm32:\n"
"	mov $0x10, %ax\n"
"	mov %ax, %ds\n"
"	mov %ax, %es\n"
"	mov %ax, %fs\n"
"	mov %ax, %gs\n"
"	mov %ax, %ss\n"
"	mov $0x8000, %esp\n"
"rg_idle:\n"
"	mov 0xf00, %eax\n"
"	cmp 0xf04, %eax\n"
"	jne rg_run\n"
"	inb $0x12, %al\n"
"	jmp rg_idle\n"
"rg_run:\n"
"	mov $0x10000, %esi\n"
"rg_next:\n"
"	mov %esi, 0xf08\n"
"	mov (%esi), %eax\n"
"	cmp $15, %eax\n"
"	ja rg_end\n"
"	mov 4(%esi), %ebx\n"
"	mov 8(%esi), %ecx\n"
"	test %ecx, %ecx\n"
"	jnz 1f\n"
"	inc %ecx\n"
"1:	mov 16(%esi), %edx\n"
"	jmp *(0x1000 + rg_table - rig_guest_start)(,%eax,4)\n"
"rg_w8:	movb %dl, (%ebx)\n"
"	add 12(%esi), %ebx\n"
"	loop rg_w8\n"
"	jmp rg_adv\n"
"rg_w16:	movw %dx, (%ebx)\n"
"	add 12(%esi), %ebx\n"
"	loop rg_w16\n"
"	jmp rg_adv\n"
"rg_w32:	movl %edx, (%ebx)\n"
"	add 12(%esi), %ebx\n"
"	loop rg_w32\n"
"	jmp rg_adv\n"
"rg_w64:	movq 16(%esi), %mm0\n"
"2:	movq %mm0, (%ebx)\n"
"	add 12(%esi), %ebx\n"
"	loop 2b\n"
"	jmp rg_adv\n"
"rg_r8:	movzbl (%ebx), %eax\n"
"	add 12(%esi), %ebx\n"
"	loop rg_r8\n"
"	jmp rg_store\n"
"rg_r16:	movzwl (%ebx), %eax\n"
"	add 12(%esi), %ebx\n"
"	loop rg_r16\n"
"	jmp rg_store\n"
"rg_r32:	movl (%ebx), %eax\n"
"	add 12(%esi), %ebx\n"
"	loop rg_r32\n"
"	jmp rg_store\n"
"rg_r64:	movq (%ebx), %mm0\n"
"	add 12(%esi), %ebx\n"
"	loop rg_r64\n"
"	movq %mm0, 16(%esi)\n"
"	jmp rg_adv\n"
"rg_out8:	mov %edx, %eax\n"
"	mov %ebx, %edx\n"
"3:	outb %al, %dx\n"
"	add 12(%esi), %edx\n"
"	loop 3b\n"
"	jmp rg_adv\n"
"rg_out16:	mov %edx, %eax\n"
"	mov %ebx, %edx\n"
"4:	outw %ax, %dx\n"
"	add 12(%esi), %edx\n"
"	loop 4b\n"
"	jmp rg_adv\n"
"rg_out32:	mov %edx, %eax\n"
"	mov %ebx, %edx\n"
"5:	outl %eax, %dx\n"
"	add 12(%esi), %edx\n"
"	loop 5b\n"
"	jmp rg_adv\n"
"rg_in8:	xor %eax, %eax\n"
"	mov %ebx, %edx\n"
"6:	inb %dx, %al\n"
"	add 12(%esi), %edx\n"
"	loop 6b\n"
"	jmp rg_store\n"
"rg_in16:	xor %eax, %eax\n"
"	mov %ebx, %edx\n"
"7:	inw %dx, %ax\n"
"	add 12(%esi), %edx\n"
"	loop 7b\n"
"	jmp rg_store\n"
"rg_in32:	mov %ebx, %edx\n"
"8:	inl %dx, %eax\n"
"	add 12(%esi), %edx\n"
"	loop 8b\n"
"	jmp rg_store\n"
"rg_off:	mov $0x34, %al\n"
"	mov $0x600, %dx\n"
"	outb %al, %dx\n"
"	jmp .\n"
"rg_store:\n"
"	mov %eax, 16(%esi)\n"
"	movl $0, 20(%esi)\n"
"rg_adv:	add $24, %esi\n"
"	jmp rg_next\n"
"rg_end:	mov 0xf00, %eax\n"
"	mov %eax, 0xf04\n"
"	jmp rg_idle\n"
"	.p2align 2\n"
"rg_table:\n"
"	.long 0x1000 + rg_end - rig_guest_start\n"
"	.long 0x1000 + rg_w8 - rig_guest_start\n"
"	.long 0x1000 + rg_w16 - rig_guest_start\n"
"	.long 0x1000 + rg_w32 - rig_guest_start\n"
"	.long 0x1000 + rg_w64 - rig_guest_start\n"
"	.long 0x1000 + rg_r8 - rig_guest_start\n"
"	.long 0x1000 + rg_r16 - rig_guest_start\n"
"	.long 0x1000 + rg_r32 - rig_guest_start\n"
"	.long 0x1000 + rg_r64 - rig_guest_start\n"
"	.long 0x1000 + rg_out8 - rig_guest_start\n"
"	.long 0x1000 + rg_out16 - rig_guest_start\n"
"	.long 0x1000 + rg_out32 - rig_guest_start\n"
"	.long 0x1000 + rg_in8 - rig_guest_start\n"
"	.long 0x1000 + rg_in16 - rig_guest_start\n"
"	.long 0x1000 + rg_in32 - rig_guest_start\n"
"	.long 0x1000 + rg_off - rig_guest_start\n"
"	.p2align 3\n"
"rg_gdt:	.quad 0\n"
"	.quad 0x00cf9a000000ffff\n"	/* 0x08: flat 32-bit code */
"	.quad 0x00cf92000000ffff\n"	/* 0x10: flat data */
"rg_gdtr:	.word 23\n"
"	.long 0x1000 + rg_gdt - rig_guest_start\n"
"rig_guest_end:\n"
"	.code64\n"
"	.popsection\n");

/*
 * In a SANITIZE=1 build, undefined behaviour in lkvm fails the test as a
 * crash would, instead of a line in the log nobody reads.
 */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

struct mailbox {
	u32 seq;
	u32 done;
	u32 step;
};

/* The numbers the guest's code spells out. */
_Static_assert(RIG_CODE_GPA == 0x1000 && RIG_MAILBOX_GPA == 0xf00 && RIG_SCRIPT_GPA == 0x10000 &&
	       RIG_SLEEP_PORT == 0x12, "rig.h and the guest disagree on the layout");
_Static_assert(sizeof(struct gop) == 24 && offsetof(struct gop, val) == 16 &&
	       GOP_POWEROFF == 15, "rig.h and the guest disagree on a step");

/* The guest idles here between scripts: a short sleep keeps it off the CPU. */
static void sleep_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct timespec ts = { 0, 50 * 1000 };

	(void)opaque;
	(void)offset;
	nanosleep(&ts, NULL);
	memset(data, 0, len);
}

static void sleep_write(void *opaque, u64 offset, const void *data, u32 len)
{
	(void)opaque;
	(void)offset;
	(void)data;
	(void)len;
}

static const struct io_ops sleep_ops = { .read = sleep_read, .write = sleep_write };

void *rig_ptr(struct rig *r, u64 gpa, u64 len)
{
	void *p = guest_ptr(&r->vm.mem, gpa, len);

	ck_assert_msg(p, "0x%llx+%llu is not guest RAM", (unsigned long long)gpa,
		      (unsigned long long)len);
	return p;
}

/* Buffers for the tests; the top MiB of RAM stays free for tests that straddle its end. */
u64 rig_alloc(struct rig *r, u64 len)
{
	u64 gpa = ALIGN_UP(r->next_data, 64);

	ck_assert_uint_le(gpa + len, RIG_RAM_END - SZ_1M);
	r->next_data = gpa + len;
	memset(rig_ptr(r, gpa, len), 0, len);
	return gpa;
}

static struct mailbox *mailbox(struct rig *r)
{
	return rig_ptr(r, RIG_MAILBOX_GPA, sizeof(struct mailbox));
}

static struct gop *script(struct rig *r)
{
	return rig_ptr(r, RIG_SCRIPT_GPA, RIG_SCRIPT_MAX * sizeof(struct gop));
}

unsigned int g_op(struct rig *r, u32 op, u64 addr, u64 val, u32 count, u32 stride)
{
	ck_assert_uint_lt(r->nops + 1, RIG_SCRIPT_MAX);
	ck_assert_uint_le(addr, 0xffffffffULL);
	script(r)[r->nops] = (struct gop){
		.op = op, .addr = addr, .count = count, .stride = stride, .val = val,
	};
	return r->nops++;
}

void g_w(struct rig *r, unsigned int width, u64 addr, u64 val)
{
	static const u32 ops[] = { [1] = GOP_W8, [2] = GOP_W16, [4] = GOP_W32, [8] = GOP_W64 };

	g_op(r, ops[width], addr, val, 1, 0);
}

unsigned int g_r(struct rig *r, unsigned int width, u64 addr)
{
	static const u32 ops[] = { [1] = GOP_R8, [2] = GOP_R16, [4] = GOP_R32, [8] = GOP_R64 };

	return g_op(r, ops[width], addr, 0, 1, 0);
}

u64 g_result(struct rig *r, unsigned int idx)
{
	return script(r)[idx].val;
}

void rig_run_async(struct rig *r)
{
	g_op(r, GOP_END, 0, 0, 1, 0);
	r->nops = 0;
	__atomic_store_n(&mailbox(r)->seq, ++r->seq, __ATOMIC_RELEASE);
}

double rig_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether the guest got to the end of the script rig_run_async() started. */
static bool script_done(struct rig *r)
{
	return __atomic_load_n(&mailbox(r)->done, __ATOMIC_ACQUIRE) == r->seq;
}

void rig_wait(struct rig *r, int timeout_ms)
{
	struct timespec ts = { 0, 20 * 1000 };
	double end = rig_now() + timeout_ms / 1000.0;

	while (!script_done(r)) {
		ck_assert_msg(!vm_stopping(&r->vm), "the VM stopped: %s", r->vm.exit_reason);
		ck_assert_msg(rig_now() < end, "the guest's script did not end within %d ms (at step %u)",
			      timeout_ms, (mailbox(r)->step - RIG_SCRIPT_GPA) /
			      (unsigned int)sizeof(struct gop));
		nanosleep(&ts, NULL);
	}
}

void rig_run(struct rig *r)
{
	rig_run_async(r);
	rig_wait(r, 20000);
}

/* --- the VM ------------------------------------------------------------------ */

struct rdev *rig_dev(struct rig *r, u32 id, unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < r->nr_devs; i++)
		if (r->devs[i].id == id && !nth--)
			return &r->devs[i];
	ck_abort_msg("the rig has no device %u #%u", id, nth);
	return NULL;
}

struct virtio_dev *rig_virtio_dev(struct rdev *d)
{
	struct io_bus *bus = &d->rig->vm.mmio;
	void *opaque = NULL;
	unsigned int i;

	pthread_rwlock_rdlock(&bus->lock);
	for (i = 0; i < bus->nr; i++)
		if (bus->ranges[i].base == d->base)
			opaque = bus->ranges[i].opaque;
	pthread_rwlock_unlock(&bus->lock);
	ck_assert_ptr_nonnull(opaque);
	if (d->rig->pci)
		return ((struct virtio_pci *)opaque)->dev;
	return ((struct virtio_mmio *)opaque)->dev;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void make_files(struct rig *r)
{
	static u8 buf[RIG_DISK_SIZE];
	char path[64];
	unsigned int d, i;
	int fd;

	for (d = 0; d < 2; d++) {
		snprintf(r->disk[d], sizeof(r->disk[d]), "/tmp/lkvm-hostile-XXXXXX");
		fd = mkstemp(r->disk[d]);
		ck_assert_int_ge(fd, 0);
		close(fd);
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = rig_disk_byte(d, i);
		write_file(r->disk[d], buf, sizeof(buf));
	}
	snprintf(r->share, sizeof(r->share), "/tmp/lkvm-hostile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->share));
	snprintf(path, sizeof(path), "%s/hello", r->share);
	write_file(path, "hello\n", 6);
	snprintf(path, sizeof(path), "%s/big", r->share);
	write_file(path, buf, 256 * 1024);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_files(struct rig *r)
{
	unlink(r->disk[0]);
	unlink(r->disk[1]);
	nftw(r->share, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A failed assertion ends the test's process without rig_end(): clean up then. */
static struct rig *live_rig;

static void remove_live_files(void)
{
	if (live_rig)
		remove_files(live_rig);
}

static void fill_config(struct rig *r, struct vm_config *cfg, const char *payload)
{
	unsigned int d;

	config_init(cfg);
	snprintf(cfg->name, sizeof(cfg->name), "hostile-%d", (int)getpid());
	cfg->kernel = payload;
	cfg->mem_mib = RIG_MEM_MIB;
	cfg->raw_payload = true;
	cfg->raw_load_addr = RIG_CODE_GPA;
	cfg->transport = r->pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO;
	for (d = 0; d < 2; d++)
		snprintf(cfg->disks[d].path, sizeof(cfg->disks[d].path), "%s", r->disk[d]);
	strcpy(cfg->disks[0].serial, "hostile0");
	cfg->nr_disks = 2;
#ifdef LKVM_SLIRP
	cfg->nets[0].mode = NET_MODE_USER;
	cfg->nr_nets = 1;
#endif
	snprintf(cfg->shares[0].dir, sizeof(cfg->shares[0].dir), "%s", r->share);
	strcpy(cfg->shares[0].tag, "hostile");
	cfg->nr_shares = 1;
	cfg->rng = true;
	cfg->balloon = true;
}

/* Queues and the features a Linux driver would take, per device. */
static void describe(struct rdev *d)
{
	d->features = F_VERSION_1;
	switch (d->id) {
	case VIRTIO_ID_BLOCK:
		d->nr_queues = 1;
		d->max_size = 256;
		d->features |= 1ULL << VIRTIO_BLK_F_FLUSH;
		break;
	case VIRTIO_ID_NET:
		d->nr_queues = 2;
		d->max_size = 256;
		d->features |= 1ULL << VIRTIO_NET_F_MAC;
		break;
	case VIRTIO_ID_9P:
		d->nr_queues = 1;
		d->max_size = 128;
		d->features |= 1ULL << VIRTIO_9P_MOUNT_TAG;
		break;
	case VIRTIO_ID_RNG:
		d->nr_queues = 1;
		d->max_size = 64;
		break;
	case VIRTIO_ID_BALLOON:
		d->nr_queues = 3;
		d->max_size = 128;
		d->features |= 1ULL << VIRTIO_BALLOON_F_STATS_VQ;
		break;
	default:
		ck_abort_msg("unexpected device %u", d->id);
	}
}

static void find_pci_devices(struct rig *r)
{
	struct pci_host *h = r->vm.pci_host;
	unsigned int s;
	u16 dev_id;
	u32 bar;

	ck_assert_ptr_nonnull(h);
	for (s = 1; s < PCI_MAX_SLOTS && h->slots[s]; s++) {
		struct rdev *d = &r->devs[r->nr_devs++];

		memcpy(&dev_id, h->slots[s]->cfg + PCI_DEVICE_ID, 2);
		memcpy(&bar, h->slots[s]->cfg + PCI_BASE_ADDRESS_0, 4);
		*d = (struct rdev){ .rig = r, .id = dev_id - 0x1040, .slot = s, .base = bar & ~0xfu };
		describe(d);
	}
}

static void find_mmio_devices(struct rig *r)
{
	const struct dev_inventory *inv = &r->vm.inventory;
	unsigned int i;
	u32 id;

	for (i = 0; i < inv->nr; i++) {
		struct rdev *d = &r->devs[r->nr_devs++];

		ck_assert(io_bus_read(&r->vm.mmio, inv->devs[i].base + VIRTIO_MMIO_DEVICE_ID, &id, 4));
		*d = (struct rdev){ .rig = r, .id = id, .base = inv->devs[i].base };
		describe(d);
	}
}

static void *vm_thread(void *arg)
{
	struct rig *r = arg;
	struct err_msg e = { 0 };

	r->status = vm_run(&r->vm, &e);
	return NULL;
}

static void create_vm(struct rig *r)
{
	char payload[] = "/tmp/lkvm-hostile-XXXXXX";
	struct vm_config cfg;
	struct err_msg e = { 0 };
	int fd = mkstemp(payload), ret;

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(payload, rig_guest_start, rig_guest_end - rig_guest_start);
	fill_config(r, &cfg, payload);
	ret = vm_create(&r->vm, &cfg, &e);
	unlink(payload);
	ck_assert_msg(ret == 0, "vm_create: %s", e.text);
	r->vm.term.in_fd = -1;
	r->vm.term.out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_eq(io_bus_register(&r->vm.pio, RIG_SLEEP_PORT, 1, &sleep_ops, r), 0);
}

struct rig *rig_new(bool pci)
{
	struct rig *r = calloc(1, sizeof(*r));
	unsigned int i;

	ck_assert_ptr_nonnull(r);
	r->pci = pci;
	r->next_data = RIG_DATA_GPA;
	make_files(r);
	if (!live_rig)
		atexit(remove_live_files);
	live_rig = r;
	create_vm(r);
	if (pci)
		find_pci_devices(r);
	else
		find_mmio_devices(r);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, vm_thread, r), 0);
	/* Memory decoding and bus mastering, as firmware leaves them. */
	for (i = 0; pci && i < r->nr_devs; i++)
		g_w(r, 2, ecam(r, r->devs[i].slot, PCI_COMMAND),
		    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	rig_run(r);
	for (i = 0; i < r->nr_devs; i++)
		rig_dev_up(&r->devs[i]);
	return r;
}

void rig_end(struct rig *r)
{
	g_op(r, GOP_POWEROFF, 0, 0, 1, 0);
	rig_run_async(r);
	pthread_join(r->thread, NULL);
	ck_assert_str_eq(r->vm.exit_reason, "the guest powered off");
	ck_assert_int_eq(r->status, VM_EXIT_OK);
	vm_destroy(&r->vm);
	remove_files(r);
	live_rig = NULL;
	free(r);
}

int rig_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (access("/dev/kvm", R_OK | W_OK)) {
		puts("SKIP: /dev/kvm is not usable here");
		srunner_free(sr);
		return 77;
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
