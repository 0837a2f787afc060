// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile tests' requests per device (rig.h): one that must work for
 * each kind (a disk read, rng bytes, a 9P Tversion, a balloon page, a
 * frame sent), hand-built 9P messages, and 9p reads kept in flight.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_blk.h>

#include "tests/hostile/rig.h"

u8 rig_disk_byte(unsigned int disk, u64 off)
{
	return (u8)(off * 13 + (off >> 9) * 7 + disk * 0x55);
}

u16 blk_post_read(struct rdev *d, u64 sector, u64 data, u32 len, u64 *status_gpa)
{
	struct rig *r = d->rig;
	u64 hdr = rig_alloc(r, 16), st = rig_alloc(r, 1);
	struct virtio_blk_outhdr *h = rig_ptr(r, hdr, 16);
	const struct seg s[] = { { hdr, 16, false }, { data, len, true }, { st, 1, true } };

	h->type = VIRTIO_BLK_T_IN;
	h->sector = sector;
	*(u8 *)rig_ptr(r, st, 1) = 0xee;
	*status_gpa = st;
	return post(d, 0, s, ARRAY_SIZE(s));
}

void blk_roundtrip(struct rdev *d, unsigned int disk)
{
	struct rig *r = d->rig;
	u64 data = rig_alloc(r, 4096), st;
	u16 head = blk_post_read(d, 3, data, 4096, &st);
	const u8 *p = rig_ptr(r, data, 4096);
	u32 id, len;
	unsigned int i;

	len = kick_and_wait(d, 0, &id, disk ? "the read of disk 1" : "the read of disk 0");
	ck_assert_uint_eq(id, head);
	ck_assert_uint_eq(len, 4097);
	ck_assert_uint_eq(*(u8 *)rig_ptr(r, st, 1), VIRTIO_BLK_S_OK);
	for (i = 0; i < 4096; i++)
		ck_assert_uint_eq(p[i], rig_disk_byte(disk, 3 * 512 + i));
}

void rng_roundtrip(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 buf = rig_alloc(r, 64);
	const u8 *p = rig_ptr(r, buf, 64);
	const struct seg s = { buf, 64, true };
	unsigned int i, nonzero = 0;

	ck_assert_uint_eq(send_chain(d, 0, &s, 1, "the rng request"), 64);
	for (i = 0; i < 64; i++)
		nonzero += p[i] != 0;
	ck_assert_uint_gt(nonzero, 32);
}

u32 p9_version(u8 *buf, u16 tag, u32 msize)
{
	static const char v[] = "9P2000.L";
	u32 size = 7 + 4 + 2 + 8;

	memcpy(buf, &size, 4);
	buf[4] = 100;		/* Tversion */
	memcpy(buf + 5, &tag, 2);
	memcpy(buf + 7, &msize, 4);
	buf[11] = 8;
	buf[12] = 0;
	memcpy(buf + 13, v, 8);
	return size;
}

void p9_roundtrip(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 req = rig_alloc(r, 64), rep = rig_alloc(r, 8192);
	u32 n = p9_version(rig_ptr(r, req, 64), 0xffff, 8192);
	const struct seg s[] = { { req, n, false }, { rep, 8192, true } };
	const u8 *p = rig_ptr(r, rep, 8192);

	ck_assert_uint_ge(send_chain(d, 0, s, 2, "the 9p Tversion"), 13);
	ck_assert_uint_eq(p[4], 101);	/* Rversion */
}

void p9_begin(struct p9msg *m, u8 type, u16 tag)
{
	m->len = 4;
	p9_u8(m, type);
	p9_u16(m, tag);
}

static void p9_put(struct p9msg *m, const void *v, u32 n)
{
	ck_assert_uint_le(m->len + n, sizeof(m->b));
	memcpy(m->b + m->len, v, n);
	m->len += n;
}

void p9_u8(struct p9msg *m, u8 v)
{
	p9_put(m, &v, 1);
}

void p9_u16(struct p9msg *m, u16 v)
{
	p9_put(m, &v, 2);
}

void p9_u32(struct p9msg *m, u32 v)
{
	p9_put(m, &v, 4);
}

void p9_u64(struct p9msg *m, u64 v)
{
	p9_put(m, &v, 8);
}

void p9_s(struct p9msg *m, const char *s)
{
	p9_u16(m, strlen(s));
	p9_put(m, s, strlen(s));
}

u32 p9_end(struct p9msg *m)
{
	memcpy(m->b, &m->len, 4);
	return m->len;
}

const u8 *p9_call(struct rdev *d, const struct p9msg *m, u32 cap, u32 *len)
{
	struct rig *r = d->rig;
	u64 req = rig_alloc(r, m->len), rep = rig_alloc(r, cap);
	const struct seg s[] = { { req, m->len, false }, { rep, cap, true } };
	char what[40];

	memcpy(rig_ptr(r, req, m->len), m->b, m->len);
	snprintf(what, sizeof(what), "a 9p request of type %u", m->b[4]);
	*len = send_chain(d, 0, s, 2, what);
	return rig_ptr(r, rep, cap);
}

static void p9_expect(struct rdev *d, const struct p9msg *m, u8 type)
{
	const u8 *p;
	u32 len;

	p = p9_call(d, m, 4096, &len);
	ck_assert_uint_ge(len, 7);
	ck_assert_msg(p[4] == type, "9p: reply type %u to %u, wanted %u", p[4], m->b[4], type);
}

void p9_open(struct rdev *d, u32 msize, const char *name, u32 fid)
{
	struct p9msg m;

	p9_begin(&m, 100, 0xffff);		/* Tversion */
	p9_u32(&m, msize);
	p9_s(&m, "9P2000.L");
	p9_end(&m);
	p9_expect(d, &m, 101);
	p9_begin(&m, 104, 1);			/* Tattach fid 1, no afid */
	p9_u32(&m, 1);
	p9_u32(&m, ~0u);
	p9_s(&m, "");
	p9_s(&m, "");
	p9_u32(&m, 0);
	p9_end(&m);
	p9_expect(d, &m, 105);
	p9_begin(&m, 110, 2);			/* Twalk 1 -> fid, name */
	p9_u32(&m, 1);
	p9_u32(&m, fid);
	p9_u16(&m, 1);
	p9_s(&m, name);
	p9_end(&m);
	p9_expect(d, &m, 111);
	p9_begin(&m, 12, 3);			/* Tlopen O_RDONLY */
	p9_u32(&m, fid);
	p9_u32(&m, 0);
	p9_end(&m);
	p9_expect(d, &m, 13);
}

/* n Treads of 256 KiB of fid, one indirect descriptor each, all into one buffer. */
static void p9_post_reads(struct rdev *d, u32 fid, unsigned int n)
{
	struct rig *r = d->rig;
	u64 reply = rig_alloc(r, 256 * 1024 + 64), req = rig_alloc(r, 32);
	u64 tables = rig_alloc(r, 32ULL * n);
	struct p9msg m;
	unsigned int i;

	p9_begin(&m, 116, 7);			/* Tread */
	p9_u32(&m, fid);
	p9_u64(&m, 0);
	p9_u32(&m, 256 * 1024);
	memcpy(rig_ptr(r, req, 32), m.b, p9_end(&m));
	for (i = 0; i < n; i++) {
		const struct vring_desc t[] = {
			{ req, m.len, VRING_DESC_F_NEXT, 1 },
			{ reply, 256 * 1024 + 64, VRING_DESC_F_WRITE, 0 },
		};
		u16 slot = d->q[0].next_desc++ % d->q[0].size;

		memcpy(rig_ptr(r, tables + 32 * i, 32), t, 32);
		set_desc(d, 0, slot, tables + 32 * i, 32, VRING_DESC_F_INDIRECT, 0);
		publish(d, 0, slot);
	}
}

u16 rig_hold_reads(struct rdev *d, unsigned int n)
{
	struct virtio_dev *vdev = rig_virtio_dev(d);
	u16 start;

	p9_open(d, 512 * 1024, "big", 2);
	start = used_idx(d, 0);
	p9_post_reads(d, 2, n);
	drv_kick(d, 0);
	rig_run(d->rig);
	/* Spinning: a sleep could oversleep the whole batch. */
	while (used_idx(d, 0) == start)
		__builtin_ia32_pause();
	pthread_mutex_lock(&vdev->lock);
	return start;
}

bool rig_release_reads(struct rdev *d, u16 start, unsigned int n, u16 *stopped)
{
	struct virtio_dev *vdev = rig_virtio_dev(d);

	rig_run_async(d->rig);
	/* Long enough for the vCPU to queue up on the lock behind us. */
	usleep(20 * 1000);
	pthread_mutex_unlock(&vdev->lock);
	rig_wait(d->rig, 5000);
	*stopped = used_idx(d, 0);
	return (u16)(*stopped - start) != n;
}

/* Gives one page of our own to the balloon: the chain must come back. */
static void balloon_roundtrip(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 page = rig_alloc(r, 8192), pfns = rig_alloc(r, 4);
	u32 pfn = ALIGN_UP(page, 4096) >> 12;

	memcpy(rig_ptr(r, pfns, 4), &pfn, 4);
	send_chain(d, 0, &(struct seg){ pfns, 4, false }, 1, "the inflate chain");
}

/* A small frame to the user-mode network: the chain must come back. */
static void net_roundtrip(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 buf = rig_alloc(r, 12 + 60);
	u8 *p = rig_ptr(r, buf, 12 + 60);

	memset(p + 12, 0xff, 6);		/* broadcast, ethertype 0x88b5 (experimental) */
	p[12 + 12] = 0x88;
	p[12 + 13] = 0xb5;
	send_chain(d, 1, &(struct seg){ buf, 12 + 60, false }, 1, "the TX chain");
}

void assert_healthy(struct rig *r, const struct rdev *victim)
{
	struct rdev *rng = rig_dev(r, VIRTIO_ID_RNG, 0);
	struct rdev *blk = rig_dev(r, VIRTIO_ID_BLOCK, 1);

	if (rng != victim)
		rng_roundtrip(rng);
	if (blk != victim)
		blk_roundtrip(blk, 1);
	if (rng == victim || blk == victim)
		p9_roundtrip(rig_dev(r, VIRTIO_ID_9P, 0));
}

void assert_recovers(struct rdev *d)
{
	rig_dev_up(d);
	switch (d->id) {
	case VIRTIO_ID_BLOCK:
		blk_roundtrip(d, d == rig_dev(d->rig, VIRTIO_ID_BLOCK, 0) ? 0 : 1);
		break;
	case VIRTIO_ID_RNG:
		rng_roundtrip(d);
		break;
	case VIRTIO_ID_9P:
		p9_roundtrip(d);
		break;
	case VIRTIO_ID_BALLOON:
		balloon_roundtrip(d);
		break;
	case VIRTIO_ID_NET:
		net_roundtrip(d);
		break;
	}
}

void rig_end_healthy(struct rig *r, const struct rdev *victim)
{
	assert_healthy(r, victim);
	rig_end(r);
}

void rig_end_recovered(struct rig *r, struct rdev *victim)
{
	assert_healthy(r, victim);
	assert_recovers(victim);
	rig_end(r);
}
