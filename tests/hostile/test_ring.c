// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed virtqueues from a guest on the local /dev/kvm, on virtio-mmio
 * and virtio-pci (each test runs once per transport): descriptor chains
 * that loop, leave RAM, straddle its end, nest indirect tables; avail
 * indexes and queue sizes that make no sense; rings outside RAM or
 * misaligned; resets with requests in flight. Each time lkvm must mark the
 * device NEEDS_RESET (virtio 1.x 2.1.2) or serve it correctly, the other
 * devices must keep working, and the driver's reset must recover it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>

#include "tests/hostile/rig.h"
#include "virtio/blk.h"

#define F_NEXT		VRING_DESC_F_NEXT
#define F_WRITE		VRING_DESC_F_WRITE
#define F_INDIRECT	VRING_DESC_F_INDIRECT

/* The victim: the first disk. Its reads are three buffers: header, data, status. */
static struct rdev *victim(struct rig *r)
{
	return rig_dev(r, VIRTIO_ID_BLOCK, 0);
}

/* A read header for sector 0 in guest RAM. */
static u64 read_hdr(struct rig *r)
{
	u64 hdr = rig_alloc(r, 16);
	struct virtio_blk_outhdr *h = rig_ptr(r, hdr, 16);

	h->type = VIRTIO_BLK_T_IN;
	h->sector = 0;
	return hdr;
}

/* The three descriptors of a read into t: header (16 bytes at hdr), data, status. */
static void read_chain(struct rig *r, struct vring_desc *t, u64 hdr, u64 data, u32 len)
{
	t[0] = (struct vring_desc){ hdr, 16, F_NEXT, 1 };
	t[1] = (struct vring_desc){ data, len, F_NEXT | F_WRITE, 2 };
	t[2] = (struct vring_desc){ rig_alloc(r, 1), 1, F_WRITE, 0 };
}

/* Publishes the chain at head, kicks, and checks the device gave up on it. */
static void kick_expect_broken(struct rdev *d, u16 head)
{
	u16 before = used_idx(d, 0);

	publish(d, 0, head);
	drv_kick(d, 0);
	rig_run(d->rig);
	assert_needs_reset(d);
	ck_assert_uint_eq(used_idx(d, 0), before);
}

/* t as descriptors 0 to n - 1, a chain at 0 that the device must give up on. */
static void refuse_chain(struct rdev *d, const struct vring_desc *t, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		set_desc(d, 0, i, t[i].addr, t[i].len, t[i].flags, t[i].next);
	kick_expect_broken(d, 0);
}

/* A read (read_chain()) that the device must give up on. */
static void refuse_read(struct rdev *d, u64 hdr, u64 data, u32 len)
{
	struct vring_desc t[3];

	read_chain(d->rig, t, hdr, data, len);
	refuse_chain(d, t, ARRAY_SIZE(t));
}

/* An indirect table of len bytes at gpa as descriptor 0 that the device must give up on. */
static void refuse_indirect(struct rdev *d, u64 gpa, u32 len)
{
	set_desc(d, 0, 0, gpa, len, F_INDIRECT, 0);
	kick_expect_broken(d, 0);
}

START_TEST(test_desc_loop)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 hdr = read_hdr(r), buf = rig_alloc(r, 512);
	/* 0 -> 1 -> 2 -> 1 -> 2 ...: the walk must end on its budget. */
	const struct vring_desc t[] = {
		{ hdr, 16, F_NEXT, 1 },
		{ buf, 256, F_NEXT | F_WRITE, 2 },
		{ buf + 256, 256, F_NEXT | F_WRITE, 1 },
	};

	refuse_chain(d, t, ARRAY_SIZE(t));
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_self_loop)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);

	set_desc(d, 0, 7, read_hdr(r), 16, F_NEXT, 7);
	kick_expect_broken(d, 7);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_outside_ram)
{
	static const u64 addrs[] = {
		RIG_RAM_END,			/* just past the end */
		0xd0000000ULL,			/* the virtio-mmio windows */
		0xe0000000ULL,			/* the ECAM window */
		0xfee00000ULL,			/* the local APIC */
		SZ_4G,				/* where high RAM would start */
		0xfffffffffffff000ULL,		/* wraps around */
	};
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		refuse_read(d, read_hdr(r), addrs[i], 512);
		rig_dev_up(d);
	}
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_straddles_ram_end)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);

	/* 256 bytes of RAM, then nothing: the data buffer must be refused whole. */
	refuse_read(d, read_hdr(r), RIG_RAM_END - 256, 512);
	/* The header itself straddling the end. */
	rig_dev_up(d);
	refuse_read(d, RIG_RAM_END - 8, rig_alloc(r, 512), 512);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_absurd_length)
{
	static const u32 lens[] = { 0xffffffffu, 0x80000000u, RIG_RAM_END + 1 };
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		refuse_read(d, read_hdr(r), RIG_DATA_GPA, lens[i]);
		rig_dev_up(d);
	}
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_zero_length)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 hdr = read_hdr(r);

	refuse_read(d, hdr, rig_alloc(r, 512), 0);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_readable_after_writable)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 hdr = read_hdr(r);
	struct vring_desc t[3];

	/* A read whose header is device-writable and data device-readable. */
	read_chain(r, t, hdr, rig_alloc(r, 512), 512);
	t[0].flags |= F_WRITE;
	t[1].flags &= ~F_WRITE;
	refuse_chain(d, t, ARRAY_SIZE(t));
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_desc_next_out_of_ring)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);

	/* The ring has 256 entries: 256 and 0xffff are not in it. */
	refuse_chain(d, &(struct vring_desc){ read_hdr(r), 16, F_NEXT, 256 }, 1);
	rig_dev_up(d);
	refuse_chain(d, &(struct vring_desc){ read_hdr(r), 16, F_NEXT, 0xffff }, 1);
	/* A head that is not in the ring either. */
	rig_dev_up(d);
	kick_expect_broken(d, 0x8000);
	rig_end_recovered(r, d);
}
END_TEST

/* Writes n descriptors of an indirect table at gpa. */
static void put_table(struct rig *r, u64 gpa, const struct vring_desc *t, unsigned int n)
{
	memcpy(rig_ptr(r, gpa, 16ULL * n), t, 16ULL * n);
}

static void read_table(struct rig *r, u64 gpa, u64 data, u32 len)
{
	struct vring_desc t[3];

	read_chain(r, t, read_hdr(r), data, len);
	put_table(r, gpa, t, ARRAY_SIZE(t));
}

START_TEST(test_indirect_nested)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 outer = rig_alloc(r, 64), inner = rig_alloc(r, 64);
	const struct vring_desc t[] = { { inner, 48, F_INDIRECT, 0 } };

	read_table(r, inner, rig_alloc(r, 512), 512);
	put_table(r, outer, t, 1);
	refuse_indirect(d, outer, 16);
	/* A table that points at itself. */
	rig_dev_up(d);
	put_table(r, outer, (const struct vring_desc[]){ { outer, 16, F_INDIRECT, 0 } }, 1);
	refuse_indirect(d, outer, 16);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_indirect_bad_sizes)
{
	/* Empty, not a whole number of descriptors, more than 1024 of them, absurd. */
	static const u32 lens[] = { 0, 17, 47, 16 * 1025, 0xfffffff0u };
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 table = RIG_SCRATCH_GPA;
	unsigned int i;

	read_table(r, table, rig_alloc(r, 512), 512);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		refuse_indirect(d, table, lens[i]);
		rig_dev_up(d);
	}
	/* Outside RAM, and straddling its end. */
	refuse_indirect(d, 0xd0000000ULL, 48);
	rig_dev_up(d);
	refuse_indirect(d, RIG_RAM_END - 32, 48);
	/* INDIRECT with NEXT. */
	rig_dev_up(d);
	set_desc(d, 0, 0, table, 48, F_INDIRECT | F_NEXT, 1);
	set_desc(d, 0, 1, rig_alloc(r, 1), 1, F_WRITE, 0);
	kick_expect_broken(d, 0);
	/* A table entry whose next leaves the table. */
	rig_dev_up(d);
	put_table(r, table, (const struct vring_desc[]){ { read_hdr(r), 16, F_NEXT, 3 } }, 1);
	refuse_indirect(d, table, 48);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_indirect_misaligned_is_served)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 table = RIG_SCRATCH_GPA + 3, data = rig_alloc(r, 1024);
	const u8 *p = rig_ptr(r, data, 512);
	u32 id, len;

	/* The spec asks no alignment of an indirect table: this one is odd and must work. */
	read_table(r, table, data, 512);
	set_desc(d, 0, 5, table, 48, F_INDIRECT, 0);
	publish(d, 0, 5);
	len = kick_and_wait(d, 0, &id, "the odd table's read");
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(len, 513);
	ck_assert_uint_eq(p[1], 13);	/* disk 0, byte 1 */
	assert_running(d);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_chain_as_long_as_allowed)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	u64 table = RIG_SCRATCH_GPA, buf = rig_alloc(r, 2048);
	struct vring_desc *t = rig_ptr(r, table, 16 * 1024);
	unsigned int i;

	/* The whole ring (64 entries) as one chain is fine. */
	for (i = 0; i < 64; i++)
		set_desc(d, 0, i, buf + i, 1, F_WRITE | (i < 63 ? F_NEXT : 0), i + 1);
	publish(d, 0, 0);
	ck_assert_uint_eq(kick_and_wait(d, 0, NULL, "the chain of 64"), 64);
	/* So is a table of 1024. */
	for (i = 0; i < 1024; i++)
		t[i] = (struct vring_desc){ buf + i, 1, F_WRITE | (i < 1023 ? F_NEXT : 0), i + 1 };
	set_desc(d, 0, 0, table, 16 * 1024, F_INDIRECT, 0);
	publish(d, 0, 0);
	ck_assert_uint_eq(kick_and_wait(d, 0, NULL, "the table of 1024"), 1024);
	assert_running(d);
	/* Not a table of 1024 whose last entry loops back to its first. */
	t[1023].flags |= F_NEXT;
	t[1023].next = 0;
	kick_expect_broken(d, 0);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_avail_idx_jumps)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	struct vring_avail *a = rig_ptr(r, d->q[0].avail, 6 + 2 * 256);
	unsigned int i;
	u32 id, len;

	/* 1000 new entries in a ring of 256: the index is garbage. */
	set_desc(d, 0, 0, read_hdr(r), 16, 0, 0);
	__atomic_store_n(&a->idx, 1000, __ATOMIC_RELEASE);
	drv_kick(d, 0);
	rig_run(r);
	assert_needs_reset(d);
	ck_assert_uint_eq(used_idx(d, 0), 0);
	/*
	 * Exactly the ring's size is not: 256 requests, all the same header
	 * and nothing to write a status into, come back unanswered.
	 */
	rig_dev_up(d);
	a = rig_ptr(r, d->q[0].avail, 6 + 2 * 256);
	set_desc(d, 0, 0, read_hdr(r), 16, 0, 0);
	for (i = 0; i < 256; i++)
		a->ring[i] = 0;
	__atomic_store_n(&a->idx, 256, __ATOMIC_RELEASE);
	drv_kick(d, 0);
	rig_run(r);
	for (i = 0; i < 256; i++) {
		ck_assert(wait_used(d, 0, &id, &len, 5000));
		ck_assert_uint_eq(len, 0);
	}
	assert_running(d);
	/* Then backwards. */
	__atomic_store_n(&a->idx, 5, __ATOMIC_RELEASE);
	drv_kick(d, 0);
	rig_run(r);
	assert_needs_reset(d);
	rig_end_recovered(r, d);
}
END_TEST

/*
 * Programs queue 0 of d with size and rings as a driver would, and says
 * whether it went ready; *status is the device status right after.
 */
static bool try_queue(struct rdev *d, u16 size, u64 desc, u64 avail, u64 used, u8 *status)
{
	struct rig *r = d->rig;
	unsigned int i, s;

	drv_status(d, 0);
	drv_status(d, S_ACK | S_DRIVER);
	drv_features(d, d->features);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
	drv_queue(d, 0, size, desc, avail, used);
	if (r->pci) {
		i = g_r(r, 2, d->base + COMMON(queue_enable));
		s = g_r(r, 1, d->base + COMMON(device_status));
	} else {
		i = g_r(r, 4, d->base + VIRTIO_MMIO_QUEUE_READY);
		s = g_r(r, 4, d->base + VIRTIO_MMIO_STATUS);
	}
	rig_run(r);
	*status = g_result(r, s);
	return g_result(r, i);
}

/* A queue the device must refuse, saying so with NEEDS_RESET. */
static void refused(struct rdev *d, u16 size, u64 desc, u64 avail, u64 used)
{
	u8 status;

	ck_assert_msg(!try_queue(d, size, desc, avail, used, &status),
		      "queue of %u at 0x%llx/0x%llx/0x%llx went ready", size,
		      (unsigned long long)desc, (unsigned long long)avail,
		      (unsigned long long)used);
	ck_assert_uint_ne(status & S_NEEDS_RESET, 0);
}

/* A queue the device must take; the driver then sets DRIVER_OK. */
static void taken(struct rdev *d, u16 size, u64 desc, u64 avail, u64 used)
{
	u8 status;

	ck_assert(try_queue(d, size, desc, avail, used, &status));
	ck_assert_uint_eq(status & S_NEEDS_RESET, 0);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	rig_run(d->rig);
}

START_TEST(test_queue_size_bad)
{
	/* Not a power of two, zero, more than the device's 256, absurd. */
	static const u16 sizes[] = { 100, 0, 3, 512, 0x8000, 0xffff };
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 base = RIG_SCRATCH_GPA;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		refused(d, sizes[i], base, base + 0x10000, base + 0x20000);
	/* 2^16 on virtio-mmio, whose register is 32 bits wide. */
	if (!r->pci)
		refused(d, 0, base, base + 0x10000, base + 0x20000);
	taken(d, 256, base, base + 0x10000, base + 0x20000);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_queue_size_changed_live)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	u64 data = rig_alloc(r, 512), st;
	u32 id;
	u16 head;

	/* The queue is live with 256 entries: a new size must not take. */
	if (r->pci) {
		g_w(r, 2, d->base + COMMON(queue_select), 0);
		g_w(r, 2, d->base + COMMON(queue_size), 16);
	} else {
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_SEL, 0);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_NUM, 16);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_DESC_LOW, 0x12345678);
	}
	rig_run(r);
	/* Descriptor 200 is past 16 entries: only the old size serves it. */
	d->q[0].next_desc = 200;
	head = blk_post_read(d, 0, data, 512, &st);
	ck_assert_uint_eq(head, 200);
	kick_and_wait(d, 0, &id, "the read at descriptor 200");
	ck_assert_uint_eq(id, 200);
	ck_assert_uint_eq(*(u8 *)rig_ptr(r, st, 1), VIRTIO_BLK_S_OK);
	assert_running(d);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_ring_addresses_outside_ram)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	const u64 ok = RIG_SCRATCH_GPA;

	refused(d, 256, 0xd0000000ULL, ok + 0x1000, ok + 0x2000);
	refused(d, 256, ok, RIG_RAM_END, ok + 0x2000);
	/* The used ring's last bytes past the end of RAM. */
	refused(d, 256, ok, ok + 0x1000, RIG_RAM_END - 0x800);
	refused(d, 256, 0xfffffffffffff000ULL, ok + 0x1000, ok + 0x2000);
	refused(d, 256, ok, ok + 0x1000, 0x100000000ULL - 0x100);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_ring_addresses_unaligned)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	const u64 ok = RIG_SCRATCH_GPA;

	/* Spec 2.7: descriptors 16, avail 2, used 4. */
	refused(d, 256, ok + 8, ok + 0x1000, ok + 0x2000);
	refused(d, 256, ok, ok + 0x1001, ok + 0x2000);
	refused(d, 256, ok, ok + 0x1000, ok + 0x2002);
	/* The least alignment each ring needs is enough. */
	taken(d, 256, ok + 16, ok + 0x1002, ok + 0x2004);
	rig_end_recovered(r, d);
}
END_TEST

START_TEST(test_rings_overlap)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_RNG, 0);
	const u64 ring = RIG_SCRATCH_GPA;
	struct vring_desc *t = rig_ptr(r, ring, 16 * 64);
	unsigned int i;

	/* All three rings on one page: the device's used entries land on the descriptors. */
	taken(d, 64, ring, ring, ring);
	for (i = 0; i < 64; i++)
		t[i] = (struct vring_desc){ rig_alloc(r, 16), 16, F_WRITE, 0 };
	drv_kick(d, 0);
	rig_run(r);
	usleep(20 * 1000);
	/* Whatever it made of that, lkvm is up and the others serve. */
	rig_end_recovered(r, d);
}
END_TEST

/*
 * One try at resetting the disk with reads in flight: the guest kicks the
 * disk, then the rng, whose lock is held here. The event loop takes the
 * disk's 64 reads of the whole disk and submits them, then waits on the
 * rng's lock instead of completing them, while the guest resets the disk.
 * True when the reset came with reads still to complete.
 */
static bool reset_during_reads(struct rig *r, struct rdev *d)
{
	struct virtio_dev *vdev = rig_virtio_dev(d);
	struct rdev *rng = rig_dev(r, VIRTIO_ID_RNG, 0);
	struct virtio_dev *rng_vdev = rig_virtio_dev(rng);
	unsigned int i, spins;
	u16 at_reset;
	u64 st;

	rig_dev_up(d);
	for (i = 0; i < 64; i++)
		blk_post_read(d, 0, RIG_SCRATCH_GPA, RIG_DISK_SIZE, &st);
	pthread_mutex_lock(&rng_vdev->lock);
	drv_kick(d, 0);
	drv_kick(rng, 0);
	rig_run(r);
	for (spins = 0; spins < 1000; spins++) {
		if (__atomic_load_n(&vdev->vqs[0].last_avail, __ATOMIC_RELAXED) == 64)
			break;
		usleep(100);
	}
	/* Long enough for the loop to get stuck on the rng behind the disk. */
	usleep(2000);
	drv_status(d, 0);
	rig_run(r);
	at_reset = used_idx(d, 0);
	pthread_mutex_unlock(&rng_vdev->lock);
	/* Late completions go nowhere: not into the old rings, not into new ones. */
	usleep(50 * 1000);
	ck_assert_uint_eq(used_idx(d, 0), at_reset);
	return spins < 1000 && at_reset < 64;
}

START_TEST(test_reset_mid_request)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = victim(r);
	unsigned int tries;
	bool hit = false;
	u32 id, len;

	for (tries = 0; tries < 10 && !hit; tries++)
		hit = reset_during_reads(r, d);
	ck_assert_msg(hit, "the reads always completed before the reset");
	/* Fresh rings: only the new request shows up there. */
	rig_dev_up(d);
	blk_roundtrip(d, 0);
	ck_assert(!wait_used(d, 0, &id, &len, 50));
	ck_assert_uint_eq(used_idx(d, 0), 1);
	rig_end_recovered(r, d);
}
END_TEST

/*
 * virtio-mmio lets a driver switch a queue off (QueueReady = 0) and give
 * it a new size while requests are still being served. Those must not
 * complete into the old rings with the new size: a size of 0 divided by
 * zero and 0xffff wrote past the used ring. (virtio-pci has no way to
 * switch a queue off: the writes must change nothing.)
 */
START_TEST(test_queue_off_with_requests_in_flight)
{
	static const u16 sizes[] = { 0, 0xffff, 1 };
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_9P, 0);
	unsigned int k, tries;
	u16 start, stopped;
	bool hit;

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		for (tries = 0, hit = false; tries < 10 && !hit; tries++) {
			start = rig_hold_reads(d, 120);
			if (r->pci) {
				g_w(r, 2, d->base + COMMON(queue_select), 0);
				g_w(r, 2, d->base + COMMON(queue_enable), 0);
				g_w(r, 2, d->base + COMMON(queue_size), sizes[k]);
			} else {
				g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_SEL, 0);
				g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_READY, 0);
				g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_NUM, sizes[k]);
			}
			hit = rig_release_reads(d, start, 120, &stopped);
			usleep(100 * 1000);
			if (r->pci) {
				/* Nothing was switched off: every read completes. */
				ck_assert_uint_eq((u16)(used_idx(d, 0) - start), 120);
				hit = true;
			} else if (hit) {
				/* The rest completed into no ring at all. */
				ck_assert_uint_eq(used_idx(d, 0), stopped);
			}
			assert_recovers(d);
		}
		ck_assert_msg(hit, "size %u: the 9p thread always finished first", sizes[k]);
		assert_healthy(r, d);
	}
	rig_end(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile rings (local /dev/kvm)");
	TCase *tc = tcase_create("rings");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_desc_loop, 0, 2);
	tcase_add_loop_test(tc, test_desc_self_loop, 0, 2);
	tcase_add_loop_test(tc, test_desc_outside_ram, 0, 2);
	tcase_add_loop_test(tc, test_desc_straddles_ram_end, 0, 2);
	tcase_add_loop_test(tc, test_desc_absurd_length, 0, 2);
	tcase_add_loop_test(tc, test_desc_zero_length, 0, 2);
	tcase_add_loop_test(tc, test_desc_readable_after_writable, 0, 2);
	tcase_add_loop_test(tc, test_desc_next_out_of_ring, 0, 2);
	tcase_add_loop_test(tc, test_indirect_nested, 0, 2);
	tcase_add_loop_test(tc, test_indirect_bad_sizes, 0, 2);
	tcase_add_loop_test(tc, test_indirect_misaligned_is_served, 0, 2);
	tcase_add_loop_test(tc, test_chain_as_long_as_allowed, 0, 2);
	tcase_add_loop_test(tc, test_avail_idx_jumps, 0, 2);
	tcase_add_loop_test(tc, test_queue_size_bad, 0, 2);
	tcase_add_loop_test(tc, test_queue_size_changed_live, 0, 2);
	tcase_add_loop_test(tc, test_ring_addresses_outside_ram, 0, 2);
	tcase_add_loop_test(tc, test_ring_addresses_unaligned, 0, 2);
	tcase_add_loop_test(tc, test_rings_overlap, 0, 2);
	tcase_add_loop_test(tc, test_reset_mid_request, 0, 2);
	tcase_add_loop_test(tc, test_queue_off_with_requests_in_flight, 0, 2);
	suite_add_tcase(s, tc);
	return rig_main(s);
}
