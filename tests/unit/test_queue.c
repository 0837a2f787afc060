// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues walked on hand-built rings in a fake guest memory of
 * two 64 KiB regions with a gap between them:
 *
 *   gpa 0x00000-0x0ffff  region 0 (rings, indirect tables)
 *   gpa 0x10000-0x1ffff  nothing
 *   gpa 0x20000-0x2ffff  region 1 (buffers)
 *
 * The two regions are adjacent in host memory, so a buffer across the gap
 * would look contiguous to a careless check.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "virtio/virtio.h"

#define REGION		0x10000ULL
#define R1_GPA		0x20000ULL
#define DESC_GPA	0x1000ULL
#define AVAIL_GPA	0x3000ULL
#define USED_GPA	0x4000ULL
#define TABLE_GPA	0x8000ULL
#define BUF_GPA		R1_GPA
#define MAX_SIZE	256

struct ring {
	struct guest_mem mem;
	struct virtq vq;
};

static void mem_setup(struct guest_mem *mem)
{
	struct err_msg e;

	ck_assert_int_eq(guest_mem_alloc(mem, 2 * REGION, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(mem, 0, REGION, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(mem, R1_GPA, REGION, &e), 0);
}

static void ring_setup(struct ring *r, u16 size)
{
	memset(r, 0, sizeof(*r));
	mem_setup(&r->mem);
	r->vq.max_size = MAX_SIZE;
	r->vq.size = size;
	r->vq.desc_gpa = DESC_GPA;
	r->vq.avail_gpa = AVAIL_GPA;
	r->vq.used_gpa = USED_GPA;
	ck_assert(virtq_map(&r->vq, &r->mem));
	r->vq.ready = true;
}

static void ring_teardown(struct ring *r)
{
	guest_mem_free(&r->mem);
}

/* Where gpa lives in the host, from the layout alone (not guest_ptr). */
static void *hva(struct ring *r, u64 gpa)
{
	if (gpa >= R1_GPA)
		return r->mem.base + REGION + (gpa - R1_GPA);
	return r->mem.base + gpa;
}

static struct vring_desc *table_at(struct ring *r, u64 gpa)
{
	return hva(r, gpa);
}

static void set_desc(struct vring_desc *t, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	t[i] = (struct vring_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

static void avail_add(struct ring *r, u16 head)
{
	u16 idx = r->vq.avail->idx;

	r->vq.avail->ring[idx % r->vq.size] = head;
	r->vq.avail->idx = idx + 1;
}

static u16 *avail_event(struct ring *r)
{
	return (u16 *)&r->vq.used->ring[r->vq.size];
}

static u16 *used_event(struct ring *r)
{
	return &r->vq.avail->ring[r->vq.size];
}

/* The chain in the ring must be refused and the queue must stay dead. */
static void expect_rejected(struct ring *r)
{
	struct virtq_elem e;

	ck_assert_int_eq(virtq_pop(&r->vq, &r->mem, &e), -EINVAL);
	ck_assert(r->vq.broken);
	/* Even a good chain is not taken from a broken queue. */
	set_desc(r->vq.desc, 0, BUF_GPA, 16, 0, 0);
	r->vq.avail->idx = r->vq.last_avail;
	avail_add(r, 0);
	ck_assert_int_eq(virtq_pop(&r->vq, &r->mem, &e), 0);
	ck_assert(r->vq.broken);
}

START_TEST(test_simple_chain)
{
	struct ring r;
	struct virtq_elem e;
	struct vring_desc *d;

	ring_setup(&r, 16);
	d = r.vq.desc;
	/* Out of order on purpose: 5 -> 2 -> 9 -> 14. */
	set_desc(d, 5, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(d, 2, BUF_GPA + 0x100, 32, VRING_DESC_F_NEXT, 9);
	set_desc(d, 9, BUF_GPA + 0x200, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 14);
	set_desc(d, 14, 0x500, 8, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 5);

	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(e.head, 5);
	ck_assert_uint_eq(e.n_out, 2);
	ck_assert_uint_eq(e.n_in, 2);
	ck_assert_ptr_eq(e.iov[0].iov_base, hva(&r, BUF_GPA));
	ck_assert_uint_eq(e.iov[0].iov_len, 16);
	ck_assert_ptr_eq(e.iov[1].iov_base, hva(&r, BUF_GPA + 0x100));
	ck_assert_uint_eq(e.iov[1].iov_len, 32);
	ck_assert_ptr_eq(e.iov[2].iov_base, hva(&r, BUF_GPA + 0x200));
	ck_assert_uint_eq(e.iov[2].iov_len, 64);
	ck_assert_ptr_eq(e.iov[3].iov_base, r.mem.base + 0x500);
	ck_assert_uint_eq(e.iov[3].iov_len, 8);
	ck_assert_uint_eq(virtq_elem_in_len(&e), 72);
	ck_assert_uint_eq(r.vq.last_avail, 1);
	ck_assert(!r.vq.broken);
	/* Nothing more is available. */
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 0);
	ck_assert_uint_eq(r.vq.last_avail, 1);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_buffers_at_region_edges)
{
	struct ring r;
	struct virtq_elem e;
	struct vring_desc *d;

	ring_setup(&r, 16);
	d = r.vq.desc;
	/* Last bytes of each region, and all of region 1. */
	set_desc(d, 0, REGION - 16, 16, VRING_DESC_F_NEXT, 1);
	set_desc(d, 1, R1_GPA + REGION - 1, 1, VRING_DESC_F_NEXT, 2);
	set_desc(d, 2, R1_GPA, REGION, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 0);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(e.n_out, 2);
	ck_assert_uint_eq(e.n_in, 1);
	ck_assert_ptr_eq(e.iov[0].iov_base, r.mem.base + REGION - 16);
	ck_assert_ptr_eq(e.iov[1].iov_base, r.mem.base + 2 * REGION - 1);
	ck_assert_ptr_eq(e.iov[2].iov_base, r.mem.base + REGION);
	ck_assert_uint_eq(virtq_elem_in_len(&e), REGION);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_indirect)
{
	struct ring r;
	struct virtq_elem e;
	struct vring_desc *t;

	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA);
	set_desc(t, 0, BUF_GPA, 10, VRING_DESC_F_NEXT, 2);
	set_desc(t, 2, BUF_GPA + 0x40, 20, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_GPA + 0x80, 30, VRING_DESC_F_WRITE, 0);
	/* The device must ignore WRITE on the descriptor naming a table. */
	set_desc(r.vq.desc, 3, TABLE_GPA, 3 * 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	avail_add(&r, 3);

	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(e.head, 3);
	ck_assert_uint_eq(e.n_out, 1);
	ck_assert_uint_eq(e.n_in, 2);
	ck_assert_ptr_eq(e.iov[0].iov_base, hva(&r, BUF_GPA));
	ck_assert_uint_eq(e.iov[0].iov_len, 10);
	ck_assert_ptr_eq(e.iov[1].iov_base, hva(&r, BUF_GPA + 0x40));
	ck_assert_uint_eq(e.iov[1].iov_len, 20);
	ck_assert_ptr_eq(e.iov[2].iov_base, hva(&r, BUF_GPA + 0x80));
	ck_assert_uint_eq(e.iov[2].iov_len, 30);
	ring_teardown(&r);
}
END_TEST

/* Spec 2.7.5.3.2: direct descriptors may lead to one indirect table. */
START_TEST(test_direct_then_indirect)
{
	struct ring r;
	struct virtq_elem e;
	struct vring_desc *t;

	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA);
	set_desc(t, 0, BUF_GPA + 0x100, 4, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_GPA + 0x200, 8, VRING_DESC_F_WRITE, 0);
	set_desc(r.vq.desc, 0, BUF_GPA, 2, VRING_DESC_F_NEXT, 7);
	set_desc(r.vq.desc, 7, TABLE_GPA, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(e.n_out, 2);
	ck_assert_uint_eq(e.n_in, 1);
	ck_assert_uint_eq(e.iov[0].iov_len, 2);
	ck_assert_ptr_eq(e.iov[1].iov_base, hva(&r, BUF_GPA + 0x100));
	ck_assert_ptr_eq(e.iov[2].iov_base, hva(&r, BUF_GPA + 0x200));
	ring_teardown(&r);
}
END_TEST

/* The spec asks no alignment of an indirect table; Linux's kmalloc may give 8. */
START_TEST(test_indirect_table_8_aligned)
{
	struct ring r;
	struct virtq_elem e;
	struct vring_desc *t;

	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA + 8);
	set_desc(t, 0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_GPA + 0x10, 16, VRING_DESC_F_WRITE, 0);
	set_desc(r.vq.desc, 0, TABLE_GPA + 8, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(e.n_out, 1);
	ck_assert_uint_eq(e.n_in, 1);
	ck_assert_ptr_eq(e.iov[1].iov_base, hva(&r, BUF_GPA + 0x10));
	ring_teardown(&r);
}
END_TEST

/* An indirect table fills n descriptors, each readable, linked in order. */
static void fill_table(struct vring_desc *t, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		set_desc(t, i, BUF_GPA + i % 64, 1, i + 1 < n ? VRING_DESC_F_NEXT : 0, i + 1);
}

START_TEST(test_indirect_max_chain)
{
	struct ring r;
	struct virtq_elem e;

	ring_setup(&r, 16);
	fill_table(table_at(&r, TABLE_GPA), VIRTQ_MAX_IOV);
	set_desc(r.vq.desc, 0, TABLE_GPA, VIRTQ_MAX_IOV * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(e.n_out, VIRTQ_MAX_IOV);
	ck_assert_uint_eq(e.n_in, 0);
	ck_assert_ptr_eq(e.iov[VIRTQ_MAX_IOV - 1].iov_base,
			 hva(&r, BUF_GPA + (VIRTQ_MAX_IOV - 1) % 64));
	ring_teardown(&r);
}
END_TEST

/* The avail index and the ring position both wrap; a full ring is fine. */
START_TEST(test_avail_wrap)
{
	struct ring r;
	struct virtq_elem e;
	unsigned int i;
	u16 heads[8] = { 3, 1, 7, 0, 6, 2, 5, 4 };

	ring_setup(&r, 8);
	for (i = 0; i < 8; i++)
		set_desc(r.vq.desc, i, BUF_GPA + i * 0x100, i + 1, 0, 0);
	r.vq.last_avail = 65530;
	r.vq.avail->idx = 65530;
	for (i = 0; i < 8; i++)
		avail_add(&r, heads[i]);
	ck_assert_uint_eq(r.vq.avail->idx, 2);
	/* Position 65530 % 8 == 2 holds the first head. */
	ck_assert_uint_eq(r.vq.avail->ring[2], 3);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
		ck_assert_uint_eq(e.head, heads[i]);
		ck_assert_uint_eq(e.iov[0].iov_len, heads[i] + 1);
		ck_assert_ptr_eq(e.iov[0].iov_base, hva(&r, BUF_GPA + heads[i] * 0x100));
	}
	ck_assert_uint_eq(r.vq.last_avail, 2);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 0);
	ck_assert(!r.vq.broken);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_push)
{
	struct ring r;

	ring_setup(&r, 8);
	virtq_push(&r.vq, 7, 100);
	ck_assert_uint_eq(r.vq.used->ring[0].id, 7);
	ck_assert_uint_eq(r.vq.used->ring[0].len, 100);
	ck_assert_uint_eq(r.vq.used->idx, 1);
	virtq_push(&r.vq, 2, 0);
	ck_assert_uint_eq(r.vq.used->ring[1].id, 2);
	ck_assert_uint_eq(r.vq.used->ring[1].len, 0);
	ck_assert_uint_eq(r.vq.used->idx, 2);
	ck_assert_uint_eq(r.vq.used_idx, 2);
	/* Wrapping: index 65535 is slot 7, and the next goes to slot 0. */
	r.vq.used_idx = 65535;
	virtq_push(&r.vq, 4, 40);
	ck_assert_uint_eq(r.vq.used->ring[7].id, 4);
	ck_assert_uint_eq(r.vq.used->ring[7].len, 40);
	ck_assert_uint_eq(r.vq.used->idx, 0);
	virtq_push(&r.vq, 5, 50);
	ck_assert_uint_eq(r.vq.used->ring[0].id, 5);
	ck_assert_uint_eq(r.vq.used->ring[0].len, 50);
	ck_assert_uint_eq(r.vq.used->idx, 1);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_avail_event_published)
{
	struct ring r;
	struct virtq_elem e;

	ring_setup(&r, 8);
	r.vq.event_idx = true;
	set_desc(r.vq.desc, 0, BUF_GPA, 8, 0, 0);
	*avail_event(&r) = 0xdead;
	/* Going idle says where to wake us: at the next entry. */
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 0);
	ck_assert_uint_eq(*avail_event(&r), 0);
	avail_add(&r, 0);
	avail_add(&r, 0);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(*avail_event(&r), 1);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(*avail_event(&r), 2);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 0);
	ck_assert_uint_eq(*avail_event(&r), 2);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_avail_event_untouched_without_event_idx)
{
	struct ring r;
	struct virtq_elem e;

	ring_setup(&r, 8);
	set_desc(r.vq.desc, 0, BUF_GPA, 8, 0, 0);
	*avail_event(&r) = 0xdead;
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 0);
	avail_add(&r, 0);
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 1);
	ck_assert_uint_eq(*avail_event(&r), 0xdead);
	ring_teardown(&r);
}
END_TEST

/* Pushes one used entry and asks whether the driver wants an interrupt. */
static bool push_and_ask(struct ring *r)
{
	virtq_push(&r->vq, 0, 0);
	return virtq_need_notify(&r->vq);
}

START_TEST(test_need_notify_event_idx)
{
	struct ring r;

	ring_setup(&r, 8);
	r.vq.event_idx = true;
	*used_event(&r) = 0xffff;
	/* Nothing signalled yet: the first push always interrupts. */
	ck_assert(push_and_ask(&r));
	/* "Interrupt me when entry 5 is used": used->idx going 5 -> 6. */
	*used_event(&r) = 5;
	ck_assert(!push_and_ask(&r));	/* 2 */
	ck_assert(!push_and_ask(&r));	/* 3 */
	ck_assert(!push_and_ask(&r));	/* 4 */
	ck_assert(!push_and_ask(&r));	/* 5 */
	ck_assert(push_and_ask(&r));	/* 6 */
	ck_assert(!push_and_ask(&r));	/* 7: already past it */

	/* A batch of three that steps over the event interrupts once. */
	*used_event(&r) = 8;
	virtq_push(&r.vq, 0, 0);
	virtq_push(&r.vq, 0, 0);
	virtq_push(&r.vq, 0, 0);	/* 10 */
	ck_assert(virtq_need_notify(&r.vq));
	virtq_push(&r.vq, 0, 0);
	virtq_push(&r.vq, 0, 0);	/* 12 */
	ck_assert(!virtq_need_notify(&r.vq));

	/* Across the 16-bit wrap. */
	r.vq.used_idx = 65534;
	ck_assert(!virtq_need_notify(&r.vq));	/* old = 12: event 8 not in (12, 65534] */
	*used_event(&r) = 65535;
	ck_assert(!push_and_ask(&r));	/* 65535 */
	ck_assert(push_and_ask(&r));	/* 0 */
	ck_assert_uint_eq(r.vq.used->idx, 0);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_need_notify_flags)
{
	struct ring r;

	ring_setup(&r, 8);
	/* used_event means nothing without event-idx. */
	*used_event(&r) = 100;
	r.vq.avail->flags = 0;
	ck_assert(push_and_ask(&r));
	ck_assert(push_and_ask(&r));
	r.vq.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	ck_assert(!push_and_ask(&r));
	ck_assert(!push_and_ask(&r));
	r.vq.avail->flags = 0;
	ck_assert(push_and_ask(&r));
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_outside_ram)
{
	static const u64 addrs[] = {
		0x40000,		/* past the end of RAM */
		0x18000,		/* in the gap */
		0xfffffffffffffff0ULL,	/* addr + len wraps */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		struct ring r;

		ring_setup(&r, 16);
		set_desc(r.vq.desc, 1, addrs[i], 32, 0, 0);
		avail_add(&r, 1);
		expect_rejected(&r);
		ring_teardown(&r);
	}
}
END_TEST

START_TEST(test_reject_straddle)
{
	static const u64 addrs[] = {
		R1_GPA + REGION - 8,	/* runs off the end of RAM */
		REGION - 8,		/* runs from region 0 across the gap */
		R1_GPA - 8,		/* starts in the gap, ends in region 1 */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		struct ring r;

		ring_setup(&r, 16);
		set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
		set_desc(r.vq.desc, 1, addrs[i], 16, VRING_DESC_F_WRITE, 0);
		avail_add(&r, 0);
		expect_rejected(&r);
		ring_teardown(&r);
	}
}
END_TEST

START_TEST(test_reject_loop)
{
	struct ring r;

	ring_setup(&r, 16);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(r.vq.desc, 1, BUF_GPA, 4, VRING_DESC_F_NEXT, 2);
	set_desc(r.vq.desc, 2, BUF_GPA, 4, VRING_DESC_F_NEXT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);

	ring_setup(&r, 16);
	set_desc(r.vq.desc, 4, BUF_GPA, 4, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 4);
	avail_add(&r, 4);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_loop_in_indirect)
{
	struct ring r;
	struct vring_desc *t;

	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA);
	set_desc(t, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF_GPA, 4, VRING_DESC_F_NEXT, 0);
	set_desc(r.vq.desc, 0, TABLE_GPA, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

/* No loop, but more buffers than a chain may have. */
START_TEST(test_reject_too_long)
{
	struct ring r;

	ring_setup(&r, 16);
	fill_table(table_at(&r, TABLE_GPA), VIRTQ_MAX_IOV + 1);
	set_desc(r.vq.desc, 0, TABLE_GPA, (VIRTQ_MAX_IOV + 1) * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);

	/* A full table after two direct buffers: VIRTQ_MAX_IOV + 2 in all. */
	ring_setup(&r, 16);
	fill_table(table_at(&r, TABLE_GPA), VIRTQ_MAX_IOV);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(r.vq.desc, 1, BUF_GPA, 4, VRING_DESC_F_NEXT, 2);
	set_desc(r.vq.desc, 2, TABLE_GPA, VIRTQ_MAX_IOV * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_zero_length)
{
	struct ring r;
	struct vring_desc *t;

	ring_setup(&r, 16);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(r.vq.desc, 1, BUF_GPA, 0, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);

	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA);
	set_desc(t, 0, BUF_GPA, 0, 0, 0);
	set_desc(r.vq.desc, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_readable_after_writable)
{
	struct ring r;
	struct vring_desc *t;

	ring_setup(&r, 16);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(r.vq.desc, 1, BUF_GPA, 4, 0, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);

	/* Also when the writable one is direct and the readable one indirect. */
	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA);
	set_desc(t, 0, BUF_GPA, 4, 0, 0);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(r.vq.desc, 1, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_nested_indirect)
{
	struct ring r;
	struct vring_desc *t;

	ring_setup(&r, 16);
	t = table_at(&r, TABLE_GPA);
	set_desc(t, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, TABLE_GPA + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(table_at(&r, TABLE_GPA + 0x100), 0, BUF_GPA, 4, 0, 0);
	set_desc(r.vq.desc, 0, TABLE_GPA, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_indirect_with_next)
{
	struct ring r;

	ring_setup(&r, 16);
	set_desc(table_at(&r, TABLE_GPA), 0, BUF_GPA, 4, 0, 0);
	set_desc(r.vq.desc, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	set_desc(r.vq.desc, 1, BUF_GPA, 4, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_indirect_bad_table)
{
	static const struct { u64 addr; u32 len; } bad[] = {
		{ TABLE_GPA, 24 },		/* not a multiple of 16 */
		{ TABLE_GPA, 8 },
		{ TABLE_GPA, 0 },
		{ 0x18000, 32 },		/* in the gap */
		{ REGION - 16, 32 },		/* runs across the gap */
		{ 0x40000, 16 },		/* past RAM */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ring r;

		ring_setup(&r, 16);
		/* A valid one-entry table: only the length or place is wrong. */
		fill_table(table_at(&r, TABLE_GPA), 1);
		set_desc(r.vq.desc, 0, bad[i].addr, bad[i].len, VRING_DESC_F_INDIRECT, 0);
		avail_add(&r, 0);
		expect_rejected(&r);
		ring_teardown(&r);
	}
}
END_TEST

START_TEST(test_reject_index_out_of_range)
{
	static const u16 heads[] = { 16, 17, 0xffff };
	unsigned int i;
	struct ring r;

	for (i = 0; i < ARRAY_SIZE(heads); i++) {
		ring_setup(&r, 16);
		avail_add(&r, heads[i]);
		expect_rejected(&r);
		ring_teardown(&r);
	}

	/* A next past the table, direct and indirect. */
	ring_setup(&r, 16);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 16);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);

	ring_setup(&r, 16);
	set_desc(table_at(&r, TABLE_GPA), 0, BUF_GPA, 4, VRING_DESC_F_NEXT, 2);
	set_desc(table_at(&r, TABLE_GPA), 1, BUF_GPA, 4, 0, 0);
	set_desc(table_at(&r, TABLE_GPA), 2, BUF_GPA, 4, 0, 0);	/* beyond len */
	set_desc(r.vq.desc, 0, TABLE_GPA, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reject_avail_idx_too_far)
{
	struct ring r;
	unsigned int i;

	ring_setup(&r, 16);
	for (i = 0; i < 16; i++)
		set_desc(r.vq.desc, i, BUF_GPA, 4, 0, 0);
	/* size + 1 entries cannot be in a ring of size entries. */
	r.vq.avail->idx = 17;
	expect_rejected(&r);
	ring_teardown(&r);

	/* Behind last_avail reads as almost 65536 ahead. */
	ring_setup(&r, 16);
	set_desc(r.vq.desc, 0, BUF_GPA, 4, 0, 0);
	r.vq.last_avail = 100;
	r.vq.avail->idx = 99;
	expect_rejected(&r);
	ring_teardown(&r);
}
END_TEST

/* Puts the rings at the given places and maps a queue of that size. */
static bool try_map(struct guest_mem *mem, u16 size, u64 desc, u64 avail, u64 used)
{
	struct virtq vq = {
		.max_size = MAX_SIZE, .size = size,
		.desc_gpa = desc, .avail_gpa = avail, .used_gpa = used,
	};
	bool ok = virtq_map(&vq, mem);

	if (!ok) {
		ck_assert_ptr_null(vq.desc);
		ck_assert_ptr_null(vq.avail);
		ck_assert_ptr_null(vq.used);
	} else {
		ck_assert_ptr_eq(vq.desc, guest_ptr(mem, desc, 1));
		ck_assert_ptr_eq(vq.avail, guest_ptr(mem, avail, 1));
		ck_assert_ptr_eq(vq.used, guest_ptr(mem, used, 1));
	}
	return ok;
}

START_TEST(test_map_sizes)
{
	static const u16 bad[] = { 0, 3, 12, 255, 257, 512, 32768 };
	struct guest_mem mem;
	unsigned int i;

	mem_setup(&mem);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(!try_map(&mem, bad[i], DESC_GPA, AVAIL_GPA, USED_GPA),
			      "size %u accepted", bad[i]);
	for (i = 1; i <= MAX_SIZE; i <<= 1)
		ck_assert_msg(try_map(&mem, i, DESC_GPA, AVAIL_GPA, USED_GPA),
			      "size %u refused", i);
	guest_mem_free(&mem);
}
END_TEST

START_TEST(test_map_alignment)
{
	struct guest_mem mem;

	mem_setup(&mem);
	ck_assert(!try_map(&mem, 16, DESC_GPA + 8, AVAIL_GPA, USED_GPA));
	ck_assert(!try_map(&mem, 16, DESC_GPA + 1, AVAIL_GPA, USED_GPA));
	ck_assert(!try_map(&mem, 16, DESC_GPA, AVAIL_GPA + 1, USED_GPA));
	ck_assert(!try_map(&mem, 16, DESC_GPA, AVAIL_GPA, USED_GPA + 2));
	ck_assert(!try_map(&mem, 16, DESC_GPA, AVAIL_GPA, USED_GPA + 1));
	/* The spec's minimum alignments are 16, 2 and 4. */
	ck_assert(try_map(&mem, 16, DESC_GPA + 16, AVAIL_GPA + 2, USED_GPA + 4));
	guest_mem_free(&mem);
}
END_TEST

START_TEST(test_map_outside_ram)
{
	const u64 n = 16;
	struct guest_mem mem;

	mem_setup(&mem);
	/* In the gap, past RAM, or running into the gap. */
	ck_assert(!try_map(&mem, n, REGION, AVAIL_GPA, USED_GPA));
	ck_assert(!try_map(&mem, n, DESC_GPA, 0x40000, USED_GPA));
	ck_assert(!try_map(&mem, n, DESC_GPA, AVAIL_GPA, 0x18000));
	ck_assert(!try_map(&mem, n, REGION - 16 * n + 16, AVAIL_GPA, USED_GPA));
	ck_assert(try_map(&mem, n, REGION - 16 * n, AVAIL_GPA, USED_GPA));
	/* The trailing used_event / avail_event must fit too. */
	ck_assert(!try_map(&mem, n, DESC_GPA, REGION - (4 + 2 * n), USED_GPA));
	ck_assert(try_map(&mem, n, DESC_GPA, REGION - (6 + 2 * n), USED_GPA));
	ck_assert(!try_map(&mem, n, DESC_GPA, AVAIL_GPA, REGION - (4 + 8 * n)));
	ck_assert(try_map(&mem, n, DESC_GPA, AVAIL_GPA, REGION - (8 + 8 * n)));
	ck_assert(!try_map(&mem, n, DESC_GPA, AVAIL_GPA, R1_GPA + REGION - (4 + 8 * n)));
	guest_mem_free(&mem);
}
END_TEST

START_TEST(test_map_resets_and_unmapped_pops_nothing)
{
	struct ring r;
	struct virtq_elem e;

	ring_setup(&r, 16);
	r.vq.last_avail = 5;
	r.vq.used_idx = 3;
	r.vq.broken = true;
	r.vq.signalled_valid = true;
	ck_assert(virtq_map(&r.vq, &r.mem));
	ck_assert_uint_eq(r.vq.last_avail, 0);
	ck_assert_uint_eq(r.vq.used_idx, 0);
	ck_assert(!r.vq.broken);
	ck_assert(!r.vq.signalled_valid);

	/* A failed map leaves nothing to pop from or push to. */
	set_desc(r.vq.desc, 0, BUF_GPA, 4, 0, 0);
	avail_add(&r, 0);
	r.vq.avail_gpa = 0x18000;
	ck_assert(!virtq_map(&r.vq, &r.mem));
	ck_assert_int_eq(virtq_pop(&r.vq, &r.mem, &e), 0);
	virtq_push(&r.vq, 0, 0);
	ck_assert(!virtq_need_notify(&r.vq));
	ring_teardown(&r);
}
END_TEST

START_TEST(test_reset)
{
	struct ring r;

	ring_setup(&r, 16);
	r.vq.last_avail = 4;
	virtq_reset(&r.vq);
	ck_assert(!r.vq.ready);
	ck_assert_uint_eq(r.vq.size, MAX_SIZE);
	ck_assert_ptr_null(r.vq.desc);
	ck_assert_ptr_null(r.vq.avail);
	ck_assert_ptr_null(r.vq.used);
	ck_assert_uint_eq(r.vq.desc_gpa | r.vq.avail_gpa | r.vq.used_gpa, 0);
	ck_assert_uint_eq(r.vq.last_avail, 0);
	ring_teardown(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *walk = tcase_create("walk");
	TCase *reject = tcase_create("reject");
	TCase *map = tcase_create("map");
	SRunner *sr;
	int failed;

	tcase_add_test(walk, test_simple_chain);
	tcase_add_test(walk, test_buffers_at_region_edges);
	tcase_add_test(walk, test_indirect);
	tcase_add_test(walk, test_direct_then_indirect);
	tcase_add_test(walk, test_indirect_table_8_aligned);
	tcase_add_test(walk, test_indirect_max_chain);
	tcase_add_test(walk, test_avail_wrap);
	tcase_add_test(walk, test_push);
	tcase_add_test(walk, test_avail_event_published);
	tcase_add_test(walk, test_avail_event_untouched_without_event_idx);
	tcase_add_test(walk, test_need_notify_event_idx);
	tcase_add_test(walk, test_need_notify_flags);
	tcase_add_test(reject, test_reject_outside_ram);
	tcase_add_test(reject, test_reject_straddle);
	tcase_add_test(reject, test_reject_loop);
	tcase_add_test(reject, test_reject_loop_in_indirect);
	tcase_add_test(reject, test_reject_too_long);
	tcase_add_test(reject, test_reject_zero_length);
	tcase_add_test(reject, test_reject_readable_after_writable);
	tcase_add_test(reject, test_reject_nested_indirect);
	tcase_add_test(reject, test_reject_indirect_with_next);
	tcase_add_test(reject, test_reject_indirect_bad_table);
	tcase_add_test(reject, test_reject_index_out_of_range);
	tcase_add_test(reject, test_reject_avail_idx_too_far);
	tcase_add_test(map, test_map_sizes);
	tcase_add_test(map, test_map_alignment);
	tcase_add_test(map, test_map_outside_ram);
	tcase_add_test(map, test_map_resets_and_unmapped_pops_nothing);
	tcase_add_test(map, test_reset);
	suite_add_tcase(s, walk);
	suite_add_tcase(s, reject);
	suite_add_tcase(s, map);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
