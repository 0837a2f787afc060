// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng, virtio-console and virtio-balloon driven as a guest driver
 * would, through a virtio-mmio window on a VM built by hand without KVM
 * (vm_fd -1: interrupts only show in InterruptStatus), with the rings
 * and buffers in the fake guest memory.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_console.h>
#include <linux/virtio_mmio.h>

#include "core/vm.h"
#include "virtio/balloon.h"
#include "virtio/console.h"
#include "virtio/mmio.h"
#include "virtio/rng.h"

/* RAM: [0, 1M) and [2M, 3M); the hole between is not RAM. */
#define RAM0_SIZE	0x100000ULL
#define RAM1_GPA	0x200000ULL
#define RAM1_SIZE	0x100000ULL
#define QSIZE		16
#define DESC_GPA(q)	(0x1000ULL + (q) * 0x4000ULL)
#define AVAIL_GPA(q)	(0x2000ULL + (q) * 0x4000ULL)
#define USED_GPA(q)	(0x3000ULL + (q) * 0x4000ULL)
#define DATA_GPA	0x10000ULL	/* buffers from here on */
#define PAGE		4096ULL

#define S_ACK		VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER	VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK	VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK	VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET	VIRTIO_CONFIG_S_NEEDS_RESET
#define S_RUNNING	(S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
#define F_VERSION_1	(1ULL << VIRTIO_F_VERSION_1)
#define F_RING		((1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC))
#define F_STATS		(1ULL << VIRTIO_BALLOON_F_STATS_VQ)
#define F_OOM		(1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM)

enum kind { RNG, CONSOLE, BALLOON };

struct bench {
	struct vm vm;
	enum kind kind;
	void *obj;
	struct virtio_dev *dev;
	struct virtio_mmio m;
	u64 base;
	int out[2];			/* the terminal's output: a pipe */
	u16 avail_idx[3], used_seen[3], next_desc[3];
};

struct buf {
	u64 gpa;
	u32 len;
	bool writable;
};

static void mem_setup(struct guest_mem *mem)
{
	struct err_msg e;

	ck_assert_int_eq(guest_mem_alloc(mem, RAM0_SIZE + RAM1_SIZE, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(mem, 0, RAM0_SIZE, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(mem, RAM1_GPA, RAM1_SIZE, &e), 0);
}

static struct bench *bench_new(enum kind kind)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct err_msg e;

	ck_assert_ptr_nonnull(b);
	b->kind = kind;
	b->vm.kvm_fd = -1;
	b->vm.vm_fd = -1;
	b->vm.stop_fd = -1;
	io_bus_init(&b->vm.mmio);
	ck_assert_int_eq(event_loop_init(&b->vm.loop), 0);
	mem_setup(&b->vm.mem);
	ck_assert_int_eq(pipe2(b->out, O_CLOEXEC | O_NONBLOCK), 0);
	term_init(&b->vm.term, &b->vm, -1, b->out[1]);
	switch (kind) {
	case RNG:
		b->obj = virtio_rng_create(&b->vm, &e);
		ck_assert_ptr_nonnull(b->obj);
		b->dev = virtio_rng_dev(b->obj);
		break;
	case CONSOLE:
		b->obj = virtio_console_create(&b->vm, &e);
		ck_assert_ptr_nonnull(b->obj);
		b->dev = virtio_console_dev(b->obj);
		break;
	case BALLOON:
		b->obj = virtio_balloon_create(&b->vm, &e);
		ck_assert_ptr_nonnull(b->obj);
		b->dev = virtio_balloon_dev(b->obj);
		break;
	}
	ck_assert_int_eq(virtio_mmio_add(&b->m, &b->vm, b->dev, &e), 0);
	b->base = b->m.desc.base;
	return b;
}

static void bench_free(struct bench *b)
{
	switch (b->kind) {
	case RNG:
		virtio_rng_destroy(b->obj);
		break;
	case CONSOLE:
		virtio_console_destroy(b->obj);
		ck_assert_ptr_null(b->vm.term.sink);
		break;
	case BALLOON:
		virtio_balloon_destroy(b->obj);
		break;
	}
	event_loop_destroy(&b->vm.loop);
	io_bus_destroy(&b->vm.mmio);
	guest_mem_free(&b->vm.mem);
	pthread_mutex_destroy(&b->vm.term.out_lock);
	close(b->out[0]);
	close(b->out[1]);
	free(b);
}

static void *gp(struct bench *b, u64 gpa)
{
	void *p = guest_ptr(&b->vm.mem, gpa, 1);

	ck_assert_ptr_nonnull(p);
	return p;
}

static u32 rd(struct bench *b, u64 reg)
{
	u32 v = 0xdeadbeef;

	ck_assert(io_bus_read(&b->vm.mmio, b->base + reg, &v, 4));
	return v;
}

static void wr(struct bench *b, u64 reg, u32 v)
{
	ck_assert(io_bus_write(&b->vm.mmio, b->base + reg, &v, 4));
}

static u32 cfg_rd32(struct bench *b, u32 off)
{
	u32 v = 0xdeadbeef;

	ck_assert(io_bus_read(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + off, &v, 4));
	return le32toh(v);
}

static void cfg_wr32(struct bench *b, u32 off, u32 v)
{
	v = htole32(v);
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + off, &v, 4));
}

static u64 device_features(struct bench *b)
{
	u64 f;

	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = rd(b, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (u64)rd(b, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

/* Serves whatever the I/O thread would have, until nothing is left. */
static void run_loop(struct bench *b)
{
	struct epoll_event ev[8];
	int i, n;

	do {
		n = epoll_wait(b->vm.loop.epfd, ev, ARRAY_SIZE(ev), 0);
		for (i = 0; i < n; i++) {
			struct event_handler *h = ev[i].data.ptr;

			if (h)
				h->fn(h, ev[i].events);
		}
	} while (n > 0);
}

/* The driver's side of probing: features, nqueues queues at the usual places, DRIVER_OK. */
static void driver_up(struct bench *b, u64 features, unsigned int nqueues)
{
	unsigned int q;

	wr(b, VIRTIO_MMIO_STATUS, S_ACK);
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, (u32)features);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(features >> 32));
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
	for (q = 0; q < nqueues; q++) {
		wr(b, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(b, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
		wr(b, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC_GPA(q));
		wr(b, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
		wr(b, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL_GPA(q));
		wr(b, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
		wr(b, VIRTIO_MMIO_QUEUE_USED_LOW, USED_GPA(q));
		wr(b, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
		wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
		ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 1);
	}
	wr(b, VIRTIO_MMIO_STATUS, S_RUNNING);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS), S_RUNNING);
	run_loop(b);
}

/* Posts one chain on queue q (without kicking); returns its head. */
static u16 post(struct bench *b, unsigned int q, const struct buf *bufs, unsigned int n)
{
	struct vring_desc *desc = gp(b, DESC_GPA(q));
	struct vring_avail *avail = gp(b, AVAIL_GPA(q));
	u16 head = b->next_desc[q] % QSIZE;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u16 cur = (head + i) % QSIZE;

		desc[cur] = (struct vring_desc){
			.addr = bufs[i].gpa,
			.len = bufs[i].len,
			.flags = (bufs[i].writable ? VRING_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			.next = (cur + 1) % QSIZE,
		};
	}
	b->next_desc[q] += n;
	avail->ring[b->avail_idx[q] % QSIZE] = head;
	b->avail_idx[q]++;
	__atomic_store_n(&avail->idx, b->avail_idx[q], __ATOMIC_RELEASE);
	return head;
}

static void kick(struct bench *b, unsigned int q)
{
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	run_loop(b);
}

/* Takes the next used element of queue q; false if there is none. */
static bool used(struct bench *b, unsigned int q, u32 *id, u32 *len)
{
	struct vring_used *u = gp(b, USED_GPA(q));
	struct vring_used_elem *el;

	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == b->used_seen[q])
		return false;
	el = &u->ring[b->used_seen[q]++ % QSIZE];
	*id = el->id;
	*len = el->len;
	return true;
}

static void expect_used(struct bench *b, unsigned int q, u16 head, u32 len)
{
	u32 id, l;

	ck_assert_msg(used(b, q, &id, &l), "queue %u: nothing used", q);
	ck_assert_uint_eq(id, head);
	ck_assert_uint_eq(l, len);
}

static void ack_irq(struct bench *b)
{
	wr(b, VIRTIO_MMIO_INTERRUPT_ACK, rd(b, VIRTIO_MMIO_INTERRUPT_STATUS));
}

/* ---- virtio-rng ---- */

/* Random-looking: few zeroes, most byte values present. */
static void assert_random(const u8 *p, size_t len)
{
	unsigned int seen[256] = { 0 }, distinct = 0, i;
	size_t k;

	for (k = 0; k < len; k++)
		seen[p[k]]++;
	for (i = 0; i < 256; i++)
		distinct += seen[i] != 0;
	ck_assert_uint_gt(distinct, 200);
	ck_assert_uint_lt(seen[0], len / 256 * 3 + 8);
}

START_TEST(test_rng_identity)
{
	struct bench *b = bench_new(RNG);

	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_ID), 4);
	ck_assert_uint_eq(device_features(b), F_VERSION_1 | F_RING);
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(cfg_rd32(b, 0), 0);
	bench_free(b);
}
END_TEST

START_TEST(test_rng_fills)
{
	struct bench *b = bench_new(RNG);
	const u64 small = DATA_GPA, big = DATA_GPA + 0x10000;
	u8 *p;
	u16 h;
	size_t k;

	driver_up(b, F_VERSION_1, 1);
	h = post(b, 0, &(struct buf){ small, 4096, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 4096);
	assert_random(gp(b, small), 4096);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	ack_irq(b);

	/* 128 KiB asked: 64 KiB given, the used length says so, the rest untouched. */
	p = gp(b, big);
	memset(p, 0x5a, 128 * 1024);
	h = post(b, 0, &(struct buf){ big, 128 * 1024, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 64 * 1024);
	assert_random(p, 64 * 1024);
	for (k = 64 * 1024; k < 128 * 1024; k++)
		ck_assert_uint_eq(p[k], 0x5a);
	bench_free(b);
}
END_TEST

START_TEST(test_rng_chains)
{
	struct bench *b = bench_new(RNG);
	const struct buf mixed[] = {
		{ DATA_GPA, 64, false },		/* readable: left alone */
		{ DATA_GPA + 0x1000, 100, true },
		{ DATA_GPA + 0x2000, 200, true },
	};
	u8 *ro = gp(b, DATA_GPA);
	u16 h[3];
	unsigned int i;

	driver_up(b, F_VERSION_1, 1);
	memset(ro, 0x11, 64);
	h[0] = post(b, 0, mixed, ARRAY_SIZE(mixed));
	/* Only readable: nothing to fill. */
	h[1] = post(b, 0, &(struct buf){ DATA_GPA + 0x3000, 32, false }, 1);
	h[2] = post(b, 0, &(struct buf){ DATA_GPA + 0x4000, 1, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h[0], 300);
	expect_used(b, 0, h[1], 0);
	expect_used(b, 0, h[2], 1);
	for (i = 0; i < 64; i++)
		ck_assert_uint_eq(ro[i], 0x11);
	/* More chains than one turn serves: the device comes back for the rest. */
	for (i = 0; i < QSIZE; i++)
		post(b, 0, &(struct buf){ DATA_GPA + 0x5000 + i * 16, 16, true }, 1);
	kick(b, 0);
	for (i = 0; i < QSIZE; i++)
		ck_assert(used(b, 0, &(u32){ 0 }, &(u32){ 0 }));
	bench_free(b);
}
END_TEST

START_TEST(test_rng_zero_length)
{
	struct bench *b = bench_new(RNG);

	driver_up(b, F_VERSION_1, 1);
	post(b, 0, &(struct buf){ DATA_GPA, 0, true }, 1);
	kick(b, 0);
	ck_assert_uint_ne(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
	ck_assert(!used(b, 0, &(u32){ 0 }, &(u32){ 0 }));
	/* A broken queue is left alone from then on. */
	post(b, 0, &(struct buf){ DATA_GPA, 16, true }, 1);
	kick(b, 0);
	ck_assert(!used(b, 0, &(u32){ 0 }, &(u32){ 0 }));
	bench_free(b);
}
END_TEST

/* ---- virtio-console ---- */

static size_t term_output(struct bench *b, char *buf, size_t len)
{
	ssize_t n = read(b->out[0], buf, len);

	return n > 0 ? (size_t)n : 0;
}

static void type(struct bench *b, const char *s, size_t len)
{
	ck_assert_ptr_nonnull(b->vm.term.sink);
	/* On the event loop thread, as term.c calls it. */
	b->vm.term.sink(b->vm.term.sink_opaque, (const u8 *)s, len);
}

START_TEST(test_console_identity)
{
	struct bench *b = bench_new(CONSOLE);
	u16 v;

	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_ID), 3);
	ck_assert_uint_eq(device_features(b),
			  (1ULL << VIRTIO_CONSOLE_F_SIZE) | F_VERSION_1 | F_RING);
	/* Not a tty: 80x25. */
	ck_assert_uint_eq(cfg_rd32(b, 0), 80 | 25 << 16);
	ck_assert(io_bus_read(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + 2, &v, 2));
	ck_assert_uint_eq(v, 25);
	/* max_nr_ports belongs to MULTIPORT, not offered. */
	ck_assert_uint_eq(cfg_rd32(b, 4), 0);
	ck_assert_ptr_eq(b->vm.term.sink_opaque, b->obj);
	bench_free(b);
}
END_TEST

START_TEST(test_console_transmit)
{
	struct bench *b = bench_new(CONSOLE);
	const struct buf chain[] = {
		{ DATA_GPA, 7, false },
		{ DATA_GPA + 0x100, 6, false },
		{ DATA_GPA + 0x200, 16, true },		/* no use for it */
	};
	char out[64];
	u16 h;

	driver_up(b, F_VERSION_1 | (1ULL << VIRTIO_CONSOLE_F_SIZE), 2);
	memcpy(gp(b, DATA_GPA), "hello, ", 7);
	memcpy(gp(b, DATA_GPA + 0x100), "world\n", 6);
	h = post(b, 1, chain, ARRAY_SIZE(chain));
	kick(b, 1);
	expect_used(b, 1, h, 0);
	ck_assert_uint_eq(term_output(b, out, sizeof(out)), 13);
	ck_assert_mem_eq(out, "hello, world\n", 13);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	/* Nothing reaches the terminal from the receive queue. */
	post(b, 0, &(struct buf){ DATA_GPA + 0x300, 8, false }, 1);
	kick(b, 0);
	ck_assert_uint_eq(term_output(b, out, sizeof(out)), 0);
	bench_free(b);
}
END_TEST

START_TEST(test_console_receive)
{
	struct bench *b = bench_new(CONSOLE);
	char *in = gp(b, DATA_GPA);
	u16 h;

	/* Typed before the driver is up: held. */
	type(b, "abc", 3);
	driver_up(b, F_VERSION_1, 2);
	ck_assert(!used(b, 0, &(u32){ 0 }, &(u32){ 0 }));
	h = post(b, 0, &(struct buf){ DATA_GPA, 2, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 2);
	ck_assert_mem_eq(in, "ab", 2);
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x100, 64, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 1);
	ck_assert_mem_eq(in + 0x100, "c", 1);
	/* A buffer waits: keystrokes go straight in, no kick needed. */
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x200, 64, true }, 1);
	kick(b, 0);
	ck_assert(!used(b, 0, &(u32){ 0 }, &(u32){ 0 }));
	ack_irq(b);
	type(b, "xyz", 3);
	expect_used(b, 0, h, 3);
	ck_assert_mem_eq(in + 0x200, "xyz", 3);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	/* Split across two writable buffers of one chain. */
	type(b, "0123456789", 10);
	h = post(b, 0, (const struct buf[]){ { DATA_GPA + 0x300, 4, true },
					     { DATA_GPA + 0x400, 16, true } }, 2);
	kick(b, 0);
	expect_used(b, 0, h, 10);
	ck_assert_mem_eq(in + 0x300, "0123", 4);
	ck_assert_mem_eq(in + 0x400, "456789", 6);
	bench_free(b);
}
END_TEST

START_TEST(test_console_receive_overflow)
{
	struct bench *b = bench_new(CONSOLE);
	char typed[5000], *in = gp(b, DATA_GPA);
	u32 id, len, total = 0;
	unsigned int i;

	for (i = 0; i < sizeof(typed); i++)
		typed[i] = 'a' + i % 26;
	driver_up(b, F_VERSION_1, 2);
	type(b, typed, sizeof(typed));
	for (i = 0; i < 3; i++)
		post(b, 0, &(struct buf){ DATA_GPA + i * 0x1000, 0x1000, true }, 1);
	kick(b, 0);
	while (used(b, 0, &id, &len))
		total += len;
	/* The first 4 KiB are kept, the rest was dropped. */
	ck_assert_uint_eq(total, 4096);
	ck_assert_mem_eq(in, typed, 4096);
	bench_free(b);
}
END_TEST

START_TEST(test_console_hostile)
{
	struct bench *b = bench_new(CONSOLE);
	char *in = gp(b, DATA_GPA + 0x100);
	u16 h;

	driver_up(b, F_VERSION_1, 2);
	/* A receive chain with nothing writable comes back empty; the input waits. */
	type(b, "k", 1);
	h = post(b, 0, &(struct buf){ DATA_GPA, 8, false }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 0);
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x100, 8, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 1);
	ck_assert_int_eq(in[0], 'k');
	/* A transmit chain with nothing readable writes nothing. */
	h = post(b, 1, &(struct buf){ DATA_GPA, 8, true }, 1);
	kick(b, 1);
	expect_used(b, 1, h, 0);
	ck_assert_uint_eq(term_output(b, in, 8), 0);
	/* A zero-length buffer breaks the queue, not the device model. */
	post(b, 1, &(struct buf){ DATA_GPA, 0, false }, 1);
	kick(b, 1);
	ck_assert_uint_ne(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
	/* A reset keeps what the user typed for the next driver. */
	type(b, "z", 1);
	wr(b, VIRTIO_MMIO_STATUS, 0);
	memset(b->avail_idx, 0, sizeof(b->avail_idx));
	memset(b->used_seen, 0, sizeof(b->used_seen));
	memset(gp(b, 0), 0, 0xc000);
	driver_up(b, F_VERSION_1, 2);
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x100, 8, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 1);
	ck_assert_int_eq(in[0], 'z');
	bench_free(b);
}
END_TEST

/* ---- virtio-balloon ---- */

static void fill_page(struct bench *b, u64 pfn, u8 v)
{
	memset(guest_ptr(&b->vm.mem, pfn * PAGE, PAGE), v, PAGE);
}

static bool page_is(struct bench *b, u64 pfn, u8 v)
{
	const u8 *p = guest_ptr(&b->vm.mem, pfn * PAGE, PAGE);
	u64 i;

	for (i = 0; i < PAGE; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Writes PFNs (little-endian u32) at gpa; returns their size in bytes. */
static u32 put_pfns(struct bench *b, u64 gpa, const u32 *pfns, unsigned int n)
{
	u32 *p = gp(b, gpa);
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = htole32(pfns[i]);
	return n * 4;
}

START_TEST(test_balloon_identity)
{
	struct bench *b = bench_new(BALLOON);
	u64 target, actual;

	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_ID), 5);
	ck_assert_uint_eq(device_features(b), F_STATS | F_OOM | F_VERSION_1 | F_RING);
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 2);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX), 128);
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 3);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(cfg_rd32(b, 0), 0);
	ck_assert_uint_eq(cfg_rd32(b, 4), 0);
	/* Past num_pages and actual: free-page hints and poison are not offered. */
	ck_assert_uint_eq(cfg_rd32(b, 8), 0);
	virtio_balloon_info(b->obj, &target, &actual);
	ck_assert_uint_eq(target, 0);
	ck_assert_uint_eq(actual, 0);
	bench_free(b);
}
END_TEST

START_TEST(test_balloon_inflate)
{
	static const u32 pfns[] = {
		0x20, 0x21, 0x22, 0x23,		/* one run */
		0x210,				/* the second region */
		0x25,				/* alone */
		0x100, 0x1ff,			/* the hole: ignored */
		0x300, 0xffffffff,		/* past RAM: ignored */
	};
	struct bench *b = bench_new(BALLOON);
	u64 pfn;
	u16 h;
	u32 len;

	for (pfn = 0x20; pfn < 0x27; pfn++)
		fill_page(b, pfn, 0xab);
	fill_page(b, 0x210, 0xcd);
	fill_page(b, 0x211, 0xcd);
	driver_up(b, F_VERSION_1 | F_STATS, 3);
	len = put_pfns(b, DATA_GPA, pfns, ARRAY_SIZE(pfns));
	h = post(b, 0, &(struct buf){ DATA_GPA, len, false }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 0);
	for (pfn = 0x20; pfn < 0x24; pfn++)
		ck_assert_msg(page_is(b, pfn, 0), "pfn 0x%llx kept its data",
			      (unsigned long long)pfn);
	ck_assert(page_is(b, 0x24, 0xab));
	ck_assert(page_is(b, 0x25, 0));
	ck_assert(page_is(b, 0x26, 0xab));
	ck_assert(page_is(b, 0x210, 0));
	ck_assert(page_is(b, 0x211, 0xcd));
	/* The PFN list itself was not in the balloon. */
	ck_assert_uint_eq(*(u32 *)gp(b, DATA_GPA), 0x20);

	/* Deflating gives pages back as they are: nothing is zeroed. */
	fill_page(b, 0x20, 0x77);
	len = put_pfns(b, DATA_GPA, (const u32[]){ 0x20, 0x26 }, 2);
	h = post(b, 1, &(struct buf){ DATA_GPA, len, false }, 1);
	kick(b, 1);
	expect_used(b, 1, h, 0);
	ck_assert(page_is(b, 0x20, 0x77));
	ck_assert(page_is(b, 0x26, 0xab));
	bench_free(b);
}
END_TEST

START_TEST(test_balloon_inflate_ragged)
{
	struct bench *b = bench_new(BALLOON);
	u8 *p = gp(b, DATA_GPA);
	u32 two[2] = { htole32(0x30), htole32(0x31) }, one = htole32(0x32);
	u64 pfn;
	u16 h;

	for (pfn = 0x30; pfn < 0x36; pfn++)
		fill_page(b, pfn, 0xee);
	driver_up(b, F_VERSION_1, 2);
	/* Two PFNs cut across buffers at 2 and 6 bytes. */
	memcpy(p, two, 2);
	memcpy(p + 0x100, (u8 *)two + 2, 6);
	h = post(b, 0, (const struct buf[]){ { DATA_GPA, 2, false },
					     { DATA_GPA + 0x100, 6, false } }, 2);
	kick(b, 0);
	expect_used(b, 0, h, 0);
	ck_assert(page_is(b, 0x30, 0));
	ck_assert(page_is(b, 0x31, 0));
	/* One PFN and two stray bytes: the tail is ignored. */
	memcpy(p + 0x200, &one, 4);
	memcpy(p + 0x204, "\x33\x00", 2);
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x200, 6, false }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 0);
	ck_assert(page_is(b, 0x32, 0));
	ck_assert(page_is(b, 0x33, 0xee));
	/* Write-only where PFNs should be read: nothing is taken. */
	put_pfns(b, DATA_GPA + 0x300, (const u32[]){ 0x34 }, 1);
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x300, 4, true }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 0);
	ck_assert(page_is(b, 0x34, 0xee));
	/* Fewer than four bytes. */
	h = post(b, 0, &(struct buf){ DATA_GPA + 0x300, 3, false }, 1);
	kick(b, 0);
	expect_used(b, 0, h, 0);
	ck_assert(page_is(b, 0x34, 0xee));
	/* A zero-length buffer breaks the queue, nothing else. */
	post(b, 0, &(struct buf){ DATA_GPA, 0, false }, 1);
	kick(b, 0);
	ck_assert_uint_ne(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
	ck_assert(page_is(b, 0x35, 0xee));
	bench_free(b);
}
END_TEST

START_TEST(test_balloon_target)
{
	struct bench *b = bench_new(BALLOON);
	u64 target, actual;
	u32 gen;

	/* Before the driver runs: the config changes, no interrupt. */
	ck_assert_int_eq(virtio_balloon_set_target(b->obj, 2), 0);
	ck_assert_uint_eq(cfg_rd32(b, 0), 512);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	driver_up(b, F_VERSION_1 | F_STATS, 3);
	gen = rd(b, VIRTIO_MMIO_CONFIG_GENERATION);
	ck_assert_int_eq(virtio_balloon_set_target(b->obj, 1), 0);
	ck_assert_uint_eq(cfg_rd32(b, 0), 256);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	/* More than the guest has. */
	ck_assert_int_eq(virtio_balloon_set_target(b->obj, 3), -EINVAL);
	ck_assert_int_eq(virtio_balloon_set_target(b->obj, 1ULL << 40), -EINVAL);
	ck_assert_uint_eq(cfg_rd32(b, 0), 256);

	/* The driver reports progress; it cannot move the target. */
	cfg_wr32(b, 4, 128);
	virtio_balloon_info(b->obj, &target, &actual);
	ck_assert_uint_eq(target, 1);
	ck_assert_uint_eq(actual, 0);
	cfg_wr32(b, 4, 256);
	cfg_wr32(b, 0, 7);
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG, &(u64){ 0 }, 8));
	ck_assert_uint_eq(cfg_rd32(b, 0), 256);
	ck_assert_uint_eq(cfg_rd32(b, 4), 256);
	virtio_balloon_info(b->obj, &target, &actual);
	ck_assert_uint_eq(target, 1);
	ck_assert_uint_eq(actual, 1);
	/* Deflate all the way. */
	ck_assert_int_eq(virtio_balloon_set_target(b->obj, 0), 0);
	ck_assert_uint_eq(cfg_rd32(b, 0), 0);
	/* A reset forgets the driver's progress, not the host's wish. */
	ck_assert_int_eq(virtio_balloon_set_target(b->obj, 1), 0);
	wr(b, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(cfg_rd32(b, 0), 256);
	ck_assert_uint_eq(cfg_rd32(b, 4), 0);
	bench_free(b);
}
END_TEST

struct stat_entry {
	u16 tag;
	u64 val;
};

/* Writes packed le16 tag + le64 value entries at gpa; returns their size. */
static u32 put_stats(struct bench *b, u64 gpa, const struct stat_entry *s, unsigned int n)
{
	u8 *p = gp(b, gpa);
	unsigned int i;

	for (i = 0; i < n; i++) {
		u16 tag = htole16(s[i].tag);
		u64 val = htole64(s[i].val);

		memcpy(p + i * 10, &tag, 2);
		memcpy(p + i * 10 + 2, &val, 8);
	}
	return n * 10;
}

/* What a Linux driver does at probe: post its first statistics. */
static u16 post_initial_stats(struct bench *b)
{
	static const struct stat_entry first[] = {
		{ VIRTIO_BALLOON_S_SWAP_IN, 1 },
		{ VIRTIO_BALLOON_S_MEMFREE, 1000 },
		{ VIRTIO_BALLOON_S_MEMTOT, 2000 },
		{ 99, 5 },			/* unknown: skipped */
	};
	u32 len = put_stats(b, DATA_GPA, first, ARRAY_SIZE(first));
	u16 h = post(b, 2, &(struct buf){ DATA_GPA, len, false }, 1);

	kick(b, 2);
	/* Held, not returned, until someone asks. */
	ck_assert(!used(b, 2, &(u32){ 0 }, &(u32){ 0 }));
	return h;
}

static const struct stat_entry second[] = {
	{ VIRTIO_BALLOON_S_MEMFREE, 500 },
	{ VIRTIO_BALLOON_S_AVAIL, 700 },
	{ VIRTIO_BALLOON_S_MAJFLT, 3 },
	{ VIRTIO_BALLOON_S_HTLB_PGFAIL, 9 },
};

static void assert_second(const struct balloon_stats *s)
{
	ck_assert_uint_eq(s->valid, 1u << BALLOON_STAT_FREE_MEMORY |
			  1u << BALLOON_STAT_AVAILABLE_MEMORY | 1u << BALLOON_STAT_MAJOR_FAULTS |
			  1u << BALLOON_STAT_HUGETLB_FAILURES);
	ck_assert_uint_eq(s->free_memory, 500);
	ck_assert_uint_eq(s->available_memory, 700);
	ck_assert_uint_eq(s->major_faults, 3);
	ck_assert_uint_eq(s->hugetlb_failures, 9);
	ck_assert_uint_eq(s->total_memory, 0);
}

/* Waits (at most 5 s) for the device to hand the held buffer back. */
static void wait_used(struct bench *b, unsigned int q, u16 head)
{
	struct timespec ms = { 0, 1000000 };
	u32 id, len;
	int i;

	for (i = 0; i < 5000; i++) {
		if (used(b, q, &id, &len)) {
			ck_assert_uint_eq(id, head);
			ck_assert_uint_eq(len, 0);
			return;
		}
		nanosleep(&ms, NULL);
	}
	ck_abort_msg("the statistics buffer never came back");
}

struct stats_call {
	struct virtio_balloon *bal;
	int timeout_ms;
	int ret;
	struct balloon_stats s;
	int trigger;			/* the loop-thread variant: an eventfd */
	struct event_handler h;
	bool done;
};

static void *stats_thread(void *arg)
{
	struct stats_call *c = arg;

	c->ret = virtio_balloon_stats(c->bal, &c->s, c->timeout_ms);
	return NULL;
}

START_TEST(test_balloon_stats)
{
	struct bench *b = bench_new(BALLOON);
	struct stats_call c = { .bal = b->obj, .timeout_ms = 5000 };
	pthread_t t;
	u16 h;
	u32 len;

	driver_up(b, F_VERSION_1 | F_STATS, 3);
	h = post_initial_stats(b);
	ck_assert_int_eq(pthread_create(&t, NULL, stats_thread, &c), 0);
	/* The driver sees its buffer come back and answers with a new one. */
	wait_used(b, 2, h);
	ck_assert_uint_ne(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING, 0);
	len = put_stats(b, DATA_GPA + 0x1000, second, ARRAY_SIZE(second));
	h = post(b, 2, &(struct buf){ DATA_GPA + 0x1000, len, false }, 1);
	kick(b, 2);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.ret, 0);
	assert_second(&c.s);
	/* The new buffer is held in turn. */
	ck_assert(!used(b, 2, &(u32){ 0 }, &(u32){ 0 }));
	bench_free(b);
}
END_TEST

START_TEST(test_balloon_stats_timeout)
{
	struct bench *b = bench_new(BALLOON);
	struct balloon_stats s;
	u16 h;

	driver_up(b, F_VERSION_1 | F_STATS, 3);
	h = post_initial_stats(b);
	/* Nobody answers: the last known ones. */
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 50), -ETIMEDOUT);
	expect_used(b, 2, h, 0);
	ck_assert_uint_eq(s.valid, 1u << BALLOON_STAT_SWAP_IN | 1u << BALLOON_STAT_FREE_MEMORY |
			  1u << BALLOON_STAT_TOTAL_MEMORY);
	ck_assert_uint_eq(s.swap_in, 1);
	ck_assert_uint_eq(s.free_memory, 1000);
	ck_assert_uint_eq(s.total_memory, 2000);
	/* The request is still out: asking again returns nothing new to the driver. */
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 0), -ETIMEDOUT);
	ck_assert(!used(b, 2, &(u32){ 0 }, &(u32){ 0 }));
	ck_assert_uint_eq(s.free_memory, 1000);
	bench_free(b);
}
END_TEST

START_TEST(test_balloon_stats_unsupported)
{
	struct bench *b = bench_new(BALLOON);
	struct balloon_stats s;

	/* No driver yet. */
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 1000), -EOPNOTSUPP);
	ck_assert_uint_eq(s.valid, 0);
	/* A driver without the statistics queue. */
	driver_up(b, F_VERSION_1, 2);
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 1000), -EOPNOTSUPP);
	bench_free(b);
}
END_TEST

START_TEST(test_balloon_stats_hostile)
{
	struct bench *b = bench_new(BALLOON);
	struct balloon_stats s;
	u16 h, h2;
	u32 len;

	driver_up(b, F_VERSION_1 | F_STATS, 3);
	/* Write-only: an answer with nothing in it. */
	h = post(b, 2, &(struct buf){ DATA_GPA, 64, true }, 1);
	kick(b, 2);
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 0), -ETIMEDOUT);
	ck_assert_uint_eq(s.valid, 0);
	expect_used(b, 2, h, 0);
	/* One entry and five stray bytes. */
	len = put_stats(b, DATA_GPA, (const struct stat_entry[]){ { 4, 42 }, { 5, 1 } }, 2);
	h = post(b, 2, &(struct buf){ DATA_GPA, len - 5, false }, 1);
	kick(b, 2);
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 0), -ETIMEDOUT);
	ck_assert_uint_eq(s.valid, 1u << BALLOON_STAT_FREE_MEMORY);
	ck_assert_uint_eq(s.free_memory, 42);
	expect_used(b, 2, h, 0);
	/* Two buffers at once: the first one goes back. */
	h = post(b, 2, &(struct buf){ DATA_GPA, 10, false }, 1);
	h2 = post(b, 2, &(struct buf){ DATA_GPA, 10, false }, 1);
	kick(b, 2);
	expect_used(b, 2, h, 0);
	ck_assert(!used(b, 2, &(u32){ 0 }, &(u32){ 0 }));
	/* After a reset nothing is held and the statistics are off. */
	wr(b, VIRTIO_MMIO_STATUS, 0);
	ck_assert_int_eq(virtio_balloon_stats(b->obj, &s, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(s.free_memory, 42);
	(void)h2;
	bench_free(b);
}
END_TEST

/* The control socket's handlers run on the event loop thread itself. */
static void stats_on_loop(struct event_handler *h, u32 events)
{
	struct stats_call *c = h->opaque;
	u64 n;

	(void)events;
	if (read(c->trigger, &n, sizeof(n)) != sizeof(n))
		return;
	c->ret = virtio_balloon_stats(c->bal, &c->s, c->timeout_ms);
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
}

START_TEST(test_balloon_stats_on_loop_thread)
{
	struct bench *b = bench_new(BALLOON);
	struct stats_call c = { .bal = b->obj, .timeout_ms = 5000 };
	struct timespec ms = { 0, 1000000 };
	u64 one = 1;
	u16 h;
	u32 len;
	int i;

	driver_up(b, F_VERSION_1 | F_STATS, 3);
	h = post_initial_stats(b);
	c.trigger = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(c.trigger, 0);
	c.h = (struct event_handler){ .fd = c.trigger, .fn = stats_on_loop, .opaque = &c };
	ck_assert_int_eq(event_loop_add(&b->vm.loop, &c.h, EPOLLIN), 0);
	/* Under the event loop's filter, as in lkvm: the wait polls and reads an eventfd. */
	ck_assert_int_eq(event_loop_start(&b->vm.loop, &(struct seccomp_target){
		.type = SECCOMP_EVENT_LOOP, .vm_fd = -1, .vcpu_fd = -1 }), 0);
	ck_assert_int_eq(write(c.trigger, &one, sizeof(one)), sizeof(one));
	wait_used(b, 2, h);
	len = put_stats(b, DATA_GPA + 0x1000, second, ARRAY_SIZE(second));
	post(b, 2, &(struct buf){ DATA_GPA + 0x1000, len, false }, 1);
	/* The loop thread is busy in the call: only the kick's eventfd can reach it. */
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	for (i = 0; i < 5000 && !__atomic_load_n(&c.done, __ATOMIC_ACQUIRE); i++)
		nanosleep(&ms, NULL);
	event_loop_stop(&b->vm.loop);
	ck_assert(__atomic_load_n(&c.done, __ATOMIC_ACQUIRE));
	ck_assert_int_eq(c.ret, 0);
	assert_second(&c.s);
	close(c.trigger);
	bench_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_devices");
	TCase *rng = tcase_create("rng");
	TCase *con = tcase_create("console");
	TCase *bal = tcase_create("balloon");
	SRunner *sr;
	int failed;

	tcase_add_test(rng, test_rng_identity);
	tcase_add_test(rng, test_rng_fills);
	tcase_add_test(rng, test_rng_chains);
	tcase_add_test(rng, test_rng_zero_length);
	tcase_add_test(con, test_console_identity);
	tcase_add_test(con, test_console_transmit);
	tcase_add_test(con, test_console_receive);
	tcase_add_test(con, test_console_receive_overflow);
	tcase_add_test(con, test_console_hostile);
	tcase_add_test(bal, test_balloon_identity);
	tcase_add_test(bal, test_balloon_inflate);
	tcase_add_test(bal, test_balloon_inflate_ragged);
	tcase_add_test(bal, test_balloon_target);
	tcase_add_test(bal, test_balloon_stats);
	tcase_add_test(bal, test_balloon_stats_timeout);
	tcase_add_test(bal, test_balloon_stats_unsupported);
	tcase_add_test(bal, test_balloon_stats_hostile);
	tcase_add_test(bal, test_balloon_stats_on_loop_thread);
	tcase_set_timeout(bal, 30);
	suite_add_tcase(s, rng);
	suite_add_tcase(s, con);
	suite_add_tcase(s, bal);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
