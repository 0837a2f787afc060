// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio transport driven through its MMIO window on a VM built
 * by hand, without KVM: vm_fd is -1, so irqfd and ioeventfd fall back to
 * pulsing the line and to MMIO exits, and those ioctls fail harmlessly.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <linux/virtio_mmio.h>

#include "core/vm.h"
#include "virtio/mmio.h"

#define REGION		0x10000ULL
#define R1_GPA		0x20000ULL
#define DESC_GPA	0x1000ULL
#define AVAIL_GPA	0x3000ULL
#define USED_GPA	0x4000ULL

#define FAKE_ID		18
#define FAKE_QSIZE	64
#define FAKE_CFG_SIZE	16
#define FAKE_FEATURES	((1ULL << 0) | (1ULL << 3))

#define S_ACK		VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER	VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK	VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK	VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET	VIRTIO_CONFIG_S_NEEDS_RESET
#define F_VERSION_1	(1ULL << VIRTIO_F_VERSION_1)
#define F_EVENT_IDX	(1ULL << VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT	(1ULL << VIRTIO_RING_F_INDIRECT_DESC)

/* A device that only records what the transport asks of it. */
struct fake {
	struct virtio_dev dev;
	u8 config[FAKE_CFG_SIZE];
	unsigned int config_reads;
	unsigned int config_writes;
	u32 write_off, write_len;
	u8 written[8];
	unsigned int notified[2];
	unsigned int resets;
};

static u64 fake_features(struct virtio_dev *dev)
{
	(void)dev;
	return FAKE_FEATURES;
}

static void fake_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct fake *f = dev->priv;

	f->config_reads++;
	ck_assert_uint_le(offset + len, FAKE_CFG_SIZE);
	memcpy(data, f->config + offset, len);
}

static void fake_config_write(struct virtio_dev *dev, u32 offset, const void *data, u32 len)
{
	struct fake *f = dev->priv;

	f->config_writes++;
	ck_assert_uint_le(offset + len, FAKE_CFG_SIZE);
	f->write_off = offset;
	f->write_len = len;
	memcpy(f->written, data, len);
}

static void fake_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct fake *f = dev->priv;

	f->notified[vq->index]++;
}

static void fake_reset(struct virtio_dev *dev)
{
	struct fake *f = dev->priv;

	f->resets++;
}

static const struct virtio_dev_ops fake_ops = {
	.name = "fake",
	.device_id = FAKE_ID,
	.nr_queues = 2,
	.queue_size = FAKE_QSIZE,
	.features = fake_features,
	.config_size = FAKE_CFG_SIZE,
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.queue_notify = fake_queue_notify,
	.reset = fake_reset,
};

struct bench {
	struct vm vm;
	struct fake fake;
	struct virtio_mmio m;
	u64 base;
};

static void mem_setup(struct guest_mem *mem)
{
	struct err_msg e;

	ck_assert_int_eq(guest_mem_alloc(mem, 2 * REGION, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(mem, 0, REGION, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(mem, R1_GPA, REGION, &e), 0);
}

static struct bench *bench_new(void)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct err_msg e;
	unsigned int i;

	ck_assert_ptr_nonnull(b);
	b->vm.kvm_fd = -1;
	b->vm.vm_fd = -1;
	b->vm.stop_fd = -1;
	io_bus_init(&b->vm.mmio);
	ck_assert_int_eq(event_loop_init(&b->vm.loop), 0);
	mem_setup(&b->vm.mem);
	ck_assert_int_eq(virtio_dev_init(&b->fake.dev, &b->vm, &fake_ops, &b->fake), 0);
	for (i = 0; i < FAKE_CFG_SIZE; i++)
		b->fake.config[i] = 0xa0 + i;
	ck_assert_int_eq(virtio_mmio_add(&b->m, &b->vm, &b->fake.dev, &e), 0);
	b->base = b->m.desc.base;
	return b;
}

static void bench_free(struct bench *b)
{
	unsigned int i;

	for (i = 0; i < fake_ops.nr_queues; i++)
		close(b->fake.dev.vqs[i].kick_fd);
	if (b->m.irq_fd >= 0)
		close(b->m.irq_fd);
	pthread_mutex_destroy(&b->fake.dev.lock);
	event_loop_destroy(&b->vm.loop);
	io_bus_destroy(&b->vm.mmio);
	guest_mem_free(&b->vm.mem);
	free(b);
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

/* Offers features and asks for FEATURES_OK; returns the status read back. */
static u32 negotiate(struct bench *b, u64 features)
{
	wr(b, VIRTIO_MMIO_STATUS, S_ACK);
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, (u32)features);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(features >> 32));
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return rd(b, VIRTIO_MMIO_STATUS);
}

static void set_queue(struct bench *b, u32 sel, u32 num, u64 desc, u64 avail, u64 used)
{
	wr(b, VIRTIO_MMIO_QUEUE_SEL, sel);
	wr(b, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(b, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc);
	wr(b, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(desc >> 32));
	wr(b, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)avail);
	wr(b, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (u32)(avail >> 32));
	wr(b, VIRTIO_MMIO_QUEUE_USED_LOW, (u32)used);
	wr(b, VIRTIO_MMIO_QUEUE_USED_HIGH, (u32)(used >> 32));
}

/* Sets a queue up at the standard places and makes it ready. */
static void ready_queue(struct bench *b, u32 sel)
{
	u64 off = sel * 0x4000ULL;

	set_queue(b, sel, 16, DESC_GPA + off, AVAIL_GPA + off, USED_GPA + off);
	wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 1);
}

/* Serves whatever the I/O thread would have: one non-blocking round. */
static int run_loop(struct bench *b)
{
	struct epoll_event ev[8];
	int i, n = epoll_wait(b->vm.loop.epfd, ev, ARRAY_SIZE(ev), 0);

	for (i = 0; i < n; i++) {
		struct event_handler *h = ev[i].data.ptr;

		if (h)
			h->fn(h, ev[i].events);
	}
	return n;
}

static bool kick_pending(struct bench *b, unsigned int q)
{
	u64 n = 0;

	if (read(b->fake.dev.vqs[q].kick_fd, &n, sizeof(n)) != sizeof(n))
		return false;
	ck_assert_uint_ge(n, 1);
	return true;
}

START_TEST(test_identity)
{
	struct bench *b = bench_new();

	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_ID), FAKE_ID);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_VENDOR_ID), 0x4d564b4c);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* Without KVM both fast paths fall back. */
	ck_assert_int_eq(b->m.irq_fd, -1);
	ck_assert(!b->m.ioeventfd);
	/* Placed in the platform's device space and listed. */
	ck_assert_uint_eq(b->base, 0xd0000000ULL);
	ck_assert_uint_eq(b->vm.inventory.nr, 1);
	ck_assert_str_eq(b->vm.inventory.devs[0].name, "VR00");
	ck_assert_uint_eq(b->vm.inventory.devs[0].size, VIRTIO_MMIO_WINDOW);
	/* Nothing is mapped past the window. */
	ck_assert(!io_bus_read(&b->vm.mmio, b->base + VIRTIO_MMIO_WINDOW, &(u32){ 0 }, 4));
	bench_free(b);
}
END_TEST

START_TEST(test_device_features)
{
	struct bench *b = bench_new();
	u64 want = FAKE_FEATURES | F_INDIRECT | F_EVENT_IDX | F_VERSION_1;

	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_FEATURES), (u32)want);
	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_FEATURES), (u32)(want >> 32));
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_FEATURES), 1);
	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(b, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	bench_free(b);
}
END_TEST

START_TEST(test_features_ok_sticks)
{
	struct bench *b = bench_new();
	u64 f = (1ULL << 3) | F_VERSION_1 | F_EVENT_IDX;

	ck_assert_uint_eq(negotiate(b, f), S_ACK | S_DRIVER | S_FEATURES_OK);
	ck_assert_uint_eq(b->fake.dev.guest_features, f);
	/* The features are frozen once FEATURES_OK is set. */
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert_uint_eq(b->fake.dev.guest_features, f);
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS),
			  S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	/* Event-idx reaches the queues. */
	ck_assert(b->fake.dev.vqs[0].event_idx);
	ck_assert(b->fake.dev.vqs[1].event_idx);
	bench_free(b);
}
END_TEST

START_TEST(test_features_ok_refused)
{
	static const u64 bad[] = {
		1ULL << 0,			/* no VERSION_1 */
		0,
		F_VERSION_1 | (1ULL << 7),	/* not offered */
		F_VERSION_1 | (1ULL << 33),	/* not offered, high word */
		F_VERSION_1 | (1ULL << 63),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct bench *b = bench_new();

		ck_assert_msg(negotiate(b, bad[i]) == (S_ACK | S_DRIVER),
			      "features 0x%llx accepted", (unsigned long long)bad[i]);
		bench_free(b);
	}
}
END_TEST

START_TEST(test_driver_features_sel_out_of_range)
{
	struct bench *b = bench_new();

	wr(b, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(b, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	ck_assert_uint_eq(b->fake.dev.guest_features, 0);
	bench_free(b);
}
END_TEST

START_TEST(test_queue_setup)
{
	struct bench *b = bench_new();
	struct virtq *vq = &b->fake.dev.vqs[0];

	negotiate(b, F_VERSION_1);
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QSIZE);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
	/* Both halves of each address land where they belong. */
	set_queue(b, 0, 16, 0x123456789ab0ULL, 0xfedc00000002ULL, 0x100000004ULL);
	ck_assert_uint_eq(vq->size, 16);
	ck_assert_uint_eq(vq->desc_gpa, 0x123456789ab0ULL);
	ck_assert_uint_eq(vq->avail_gpa, 0xfedc00000002ULL);
	ck_assert_uint_eq(vq->used_gpa, 0x100000004ULL);
	set_queue(b, 0, 16, DESC_GPA, AVAIL_GPA, USED_GPA);
	wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert(vq->ready);
	ck_assert_ptr_eq(vq->desc, b->vm.mem.base + DESC_GPA);
	ck_assert_ptr_eq(vq->avail, b->vm.mem.base + AVAIL_GPA);
	ck_assert_ptr_eq(vq->used, b->vm.mem.base + USED_GPA);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);

	/* The other queue is separate; a missing one reads as absent. */
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QSIZE);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 2);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
	set_queue(b, 2, 16, DESC_GPA, AVAIL_GPA, USED_GPA);
	wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
	ck_assert_uint_eq(b->fake.dev.vqs[2].desc_gpa, 0);
	bench_free(b);
}
END_TEST

START_TEST(test_queue_bad_rings_need_reset)
{
	static const struct { u32 num; u64 desc, avail, used; } bad[] = {
		{ 16, 0x200001000ULL, AVAIL_GPA, USED_GPA },	/* past RAM (high half) */
		{ 16, DESC_GPA, 0x18000, USED_GPA },		/* in the gap */
		{ 16, DESC_GPA, AVAIL_GPA, REGION - 8 },	/* runs into the gap */
		{ 16, DESC_GPA + 8, AVAIL_GPA, USED_GPA },	/* misaligned */
		{ 12, DESC_GPA, AVAIL_GPA, USED_GPA },		/* not a power of two */
		{ 128, DESC_GPA, AVAIL_GPA, USED_GPA },		/* above QueueNumMax */
		{ 0, DESC_GPA, AVAIL_GPA, USED_GPA },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct bench *b = bench_new();

		negotiate(b, F_VERSION_1);
		set_queue(b, 1, bad[i].num, bad[i].desc, bad[i].avail, bad[i].used);
		wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
		ck_assert_msg(rd(b, VIRTIO_MMIO_QUEUE_READY) == 0, "case %u went ready", i);
		ck_assert_msg(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, "case %u", i);
		/* Before DRIVER_OK the driver is not interrupted about it. */
		ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
		ck_assert_uint_eq(rd(b, VIRTIO_MMIO_CONFIG_GENERATION), 0);
		bench_free(b);
	}
}
END_TEST

START_TEST(test_queue_bad_rings_after_driver_ok)
{
	struct bench *b = bench_new();

	negotiate(b, F_VERSION_1);
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	set_queue(b, 0, 16, DESC_GPA, AVAIL_GPA, 0x40000);
	wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_ne(rd(b, VIRTIO_MMIO_STATUS) & S_NEEDS_RESET, 0);
	/* A config change interrupt tells the driver. */
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	bench_free(b);
}
END_TEST

START_TEST(test_queue_regs_locked_while_ready)
{
	struct bench *b = bench_new();
	struct virtq *vq = &b->fake.dev.vqs[0];

	negotiate(b, F_VERSION_1);
	ready_queue(b, 0);
	set_queue(b, 0, 8, 0x8000, 0x9000, 0xa000);
	ck_assert_uint_eq(vq->size, 16);
	ck_assert_uint_eq(vq->desc_gpa, DESC_GPA);
	ck_assert_uint_eq(vq->avail_gpa, AVAIL_GPA);
	ck_assert_uint_eq(vq->used_gpa, USED_GPA);
	ck_assert_ptr_eq(vq->desc, b->vm.mem.base + DESC_GPA);
	/* Once stopped, the queue can be moved. */
	wr(b, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
	set_queue(b, 0, 8, 0x8000, 0x9000, 0xa000);
	ck_assert_uint_eq(vq->size, 8);
	ck_assert_uint_eq(vq->desc_gpa, 0x8000);
	wr(b, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_ptr_eq(vq->desc, b->vm.mem.base + 0x8000);
	bench_free(b);
}
END_TEST

START_TEST(test_status_zero_resets)
{
	struct bench *b = bench_new();
	struct virtio_dev *dev = &b->fake.dev;
	unsigned int i;

	negotiate(b, F_VERSION_1 | F_EVENT_IDX);
	ready_queue(b, 0);
	ready_queue(b, 1);
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	dev->transport->signal_queue(dev, &dev->vqs[0]);
	ck_assert_uint_ne(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	wr(b, VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(b->fake.resets, 1);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(dev->guest_features, 0);
	for (i = 0; i < 2; i++) {
		struct virtq *vq = &dev->vqs[i];

		wr(b, VIRTIO_MMIO_QUEUE_SEL, i);
		ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_READY), 0);
		ck_assert(!vq->ready);
		ck_assert_uint_eq(vq->size, FAKE_QSIZE);
		ck_assert_uint_eq(vq->desc_gpa | vq->avail_gpa | vq->used_gpa, 0);
		ck_assert_ptr_null(vq->desc);
		ck_assert_uint_eq(vq->last_avail, 0);
	}
	/* Features can be negotiated afresh. */
	ck_assert_uint_eq(negotiate(b, F_VERSION_1), S_ACK | S_DRIVER | S_FEATURES_OK);
	ck_assert_uint_eq(dev->guest_features, F_VERSION_1);
	bench_free(b);
}
END_TEST

static u64 cfg_read(struct bench *b, u32 off, u32 len)
{
	u64 v;

	memset(&v, 0x5a, sizeof(v));
	ck_assert(io_bus_read(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + off, &v, len));
	/* Bytes past len are the caller's: never written. */
	if (len < 8)
		ck_assert_uint_eq(v >> (8 * len), 0x5a5a5a5a5a5a5a5aULL >> (8 * len));
	return len < 8 ? v & ((1ULL << (8 * len)) - 1) : v;
}

START_TEST(test_config_reads)
{
	static const u32 widths[] = { 1, 2, 4, 8 };
	struct bench *b = bench_new();
	unsigned int w, off;

	for (w = 0; w < ARRAY_SIZE(widths); w++) {
		u32 len = widths[w];

		for (off = 0; off < FAKE_CFG_SIZE; off++) {
			unsigned int calls = b->fake.config_reads;
			u64 want = 0;

			if (off + len <= FAKE_CFG_SIZE)
				memcpy(&want, b->fake.config + off, len);
			ck_assert_msg(cfg_read(b, off, len) == want, "width %u offset %u", len, off);
			ck_assert_uint_eq(b->fake.config_reads,
					  calls + (off + len <= FAKE_CFG_SIZE));
		}
		/* Past the device's config space, up to the end of the window. */
		for (off = FAKE_CFG_SIZE; off + len <= VIRTIO_MMIO_WINDOW - VIRTIO_MMIO_CONFIG;
		     off += len) {
			unsigned int calls = b->fake.config_reads;

			ck_assert_uint_eq(cfg_read(b, off, len), 0);
			ck_assert_uint_eq(b->fake.config_reads, calls);
		}
	}
	bench_free(b);
}
END_TEST

START_TEST(test_config_writes)
{
	struct bench *b = bench_new();
	u32 v = 0x11223344;
	u64 q = 0x0102030405060708ULL;

	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + 4, &v, 4));
	ck_assert_uint_eq(b->fake.config_writes, 1);
	ck_assert_uint_eq(b->fake.write_off, 4);
	ck_assert_uint_eq(b->fake.write_len, 4);
	ck_assert_mem_eq(b->fake.written, &v, 4);
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + 8, &q, 8));
	ck_assert_uint_eq(b->fake.config_writes, 2);
	ck_assert_mem_eq(b->fake.written, &q, 8);
	/* Running over the end, or wholly past it: the device never sees it. */
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + 12, &q, 8));
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + 15, &v, 2));
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_CONFIG + 16, &v, 1));
	ck_assert(io_bus_write(&b->vm.mmio, b->base + VIRTIO_MMIO_WINDOW - 4, &v, 4));
	ck_assert_uint_eq(b->fake.config_writes, 2);
	bench_free(b);
}
END_TEST

START_TEST(test_register_width)
{
	static const u32 widths[] = { 1, 2, 8 };
	struct bench *b = bench_new();
	struct io_bus *bus = &b->vm.mmio;
	u32 v32 = 0xffffffff, s32 = S_ACK;
	u16 s16 = S_ACK;
	u8 s8 = S_ACK;
	unsigned int w;
	u64 reg;

	for (w = 0; w < ARRAY_SIZE(widths); w++) {
		for (reg = 0; reg < VIRTIO_MMIO_CONFIG; reg += 4) {
			u64 v = ~0ULL;

			ck_assert(io_bus_read(bus, b->base + reg, &v, widths[w]));
			if (widths[w] < 8)
				ck_assert_uint_eq(v, ~0ULL << (8 * widths[w]));
			else
				ck_assert_uint_eq(v, 0);
		}
	}
	/* A 4-byte access that is not 4-aligned. */
	ck_assert(io_bus_read(bus, b->base + VIRTIO_MMIO_MAGIC_VALUE + 2, &v32, 4));
	ck_assert_uint_eq(v32, 0);
	/* Unknown and write-only registers read as 0. */
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NUM), 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_QUEUE_NOTIFY), 0);
	ck_assert_uint_eq(rd(b, 0x0f8), 0);
	/* Narrow or unaligned writes do nothing. */
	ck_assert(io_bus_write(bus, b->base + VIRTIO_MMIO_STATUS, &s8, 1));
	ck_assert(io_bus_write(bus, b->base + VIRTIO_MMIO_STATUS, &s16, 2));
	ck_assert(io_bus_write(bus, b->base + VIRTIO_MMIO_STATUS + 1, &s32, 4));
	ck_assert_uint_eq(b->fake.dev.status, 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_STATUS), 0);
	bench_free(b);
}
END_TEST

START_TEST(test_interrupt_status_ack)
{
	struct bench *b = bench_new();
	struct virtio_dev *dev = &b->fake.dev;

	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	dev->transport->signal_queue(dev, &dev->vqs[1]);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(b, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	dev->transport->signal_config(dev);
	dev->transport->signal_queue(dev, &dev->vqs[0]);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	/* ACK clears only the bits written. */
	wr(b, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(b, VIRTIO_MMIO_INTERRUPT_ACK, 0);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(b, VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffff);
	ck_assert_uint_eq(rd(b, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	bench_free(b);
}
END_TEST

START_TEST(test_queue_notify)
{
	struct bench *b = bench_new();
	struct virtq *unused = &b->fake.dev.vqs[2];

	/* Bad indexes are dropped, even one the vqs array has room for. */
	unused->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(unused->kick_fd, 0);
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_MAX_QUEUES);
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	ck_assert(!kick_pending(b, 0));
	ck_assert(!kick_pending(b, 1));
	ck_assert(!kick_pending(b, 2));
	close(unused->kick_fd);
	unused->kick_fd = 0;
	/* A good one lands on that queue's kick eventfd only. */
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert(kick_pending(b, 1));
	ck_assert(!kick_pending(b, 0));
	bench_free(b);
}
END_TEST

START_TEST(test_queue_notify_reaches_device)
{
	struct bench *b = bench_new();

	negotiate(b, F_VERSION_1);
	ready_queue(b, 1);
	/* Kicks before DRIVER_OK are not served... */
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_int_eq(run_loop(b), 1);
	ck_assert_uint_eq(b->fake.notified[1], 0);
	/* ...but DRIVER_OK looks at every ready queue once. */
	wr(b, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	ck_assert_int_eq(run_loop(b), 1);
	ck_assert_uint_eq(b->fake.notified[1], 1);
	ck_assert_int_eq(run_loop(b), 0);

	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ck_assert_int_eq(run_loop(b), 1);
	ck_assert_uint_eq(b->fake.notified[1], 2);
	/* Queue 0 is not ready: its kick is swallowed. */
	wr(b, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_int_eq(run_loop(b), 1);
	ck_assert_uint_eq(b->fake.notified[0], 0);
	ck_assert_uint_eq(b->fake.notified[1], 2);
	bench_free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *regs = tcase_create("registers");
	TCase *queues = tcase_create("queues");
	SRunner *sr;
	int failed;

	tcase_add_test(regs, test_identity);
	tcase_add_test(regs, test_device_features);
	tcase_add_test(regs, test_features_ok_sticks);
	tcase_add_test(regs, test_features_ok_refused);
	tcase_add_test(regs, test_driver_features_sel_out_of_range);
	tcase_add_test(regs, test_status_zero_resets);
	tcase_add_test(regs, test_config_reads);
	tcase_add_test(regs, test_config_writes);
	tcase_add_test(regs, test_register_width);
	tcase_add_test(regs, test_interrupt_status_ack);
	tcase_add_test(queues, test_queue_setup);
	tcase_add_test(queues, test_queue_bad_rings_need_reset);
	tcase_add_test(queues, test_queue_bad_rings_after_driver_ok);
	tcase_add_test(queues, test_queue_regs_locked_while_ready);
	tcase_add_test(queues, test_queue_notify);
	tcase_add_test(queues, test_queue_notify_reaches_device);
	suite_add_tcase(s, regs);
	suite_add_tcase(s, queues);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
