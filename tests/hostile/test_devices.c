// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile requests to each device model through its real virtqueue, from
 * a guest on the local /dev/kvm, on virtio-mmio and virtio-pci:
 * virtio-blk requests with missing, short or misplaced parts and sectors
 * past the disk; 9P messages whose sizes lie; virtio-net TX frames with
 * hostile headers and RX buffers too small for anything; balloon PFNs
 * outside RAM and statistics that do not parse; a 9p reset with requests
 * in flight. Each request must be answered or returned, the device must
 * keep serving, and so must the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>

#include "tests/hostile/rig.h"
#include "virtio/balloon.h"

#define F_NEXT		VRING_DESC_F_NEXT
#define F_WRITE		VRING_DESC_F_WRITE
#define F_INDIRECT	VRING_DESC_F_INDIRECT
#define NO_STATUS	0xee		/* what the status byte holds until the device answers */

/* --- virtio-blk ----------------------------------------------------------- */

static u64 blk_hdr(struct rig *r, u32 type, u64 sector)
{
	u64 hdr = rig_alloc(r, 16);
	struct virtio_blk_outhdr *h = rig_ptr(r, hdr, 16);

	h->type = type;
	h->sector = sector;
	return hdr;
}

static u64 status_byte(struct rig *r)
{
	u64 st = rig_alloc(r, 1);

	*(u8 *)rig_ptr(r, st, 1) = NO_STATUS;
	return st;
}

/* Sends a chain to the first disk; returns the used length, the status in *status. */
static u32 blk_send(struct rdev *d, const struct seg *s, unsigned int n, u64 st, u8 *status)
{
	u32 len = send_chain(d, 0, s, n, "a disk request");

	*status = st ? *(u8 *)rig_ptr(d->rig, st, 1) : NO_STATUS;
	return len;
}

/* A request: header of type at sector, data of len (w: device-writable), status. */
static u8 blk_simple(struct rdev *d, u32 type, u64 sector, u32 len, bool w, u32 *used)
{
	struct rig *r = d->rig;
	u64 st = status_byte(r);
	struct seg s[3] = { { blk_hdr(r, type, sector), 16, false } };
	unsigned int n = 1;
	u8 status;

	if (len)
		s[n++] = (struct seg){ rig_alloc(r, len), len, w };
	s[n++] = (struct seg){ st, 1, true };
	*used = blk_send(d, s, n, st, &status);
	return status;
}

/* No readable header, a header one byte short, nothing writable: the chain comes back empty. */
static void blk_missing_parts(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 st = status_byte(r), hdr = blk_hdr(r, VIRTIO_BLK_T_IN, 0);
	u8 status;

	ck_assert_uint_eq(blk_send(d, (const struct seg[]){ { hdr, 16, true }, { st, 1, true } },
				   2, st, &status), 0);
	ck_assert_uint_eq(status, NO_STATUS);
	ck_assert_uint_eq(blk_send(d, (const struct seg[]){ { hdr, 15, false }, { st, 1, true } },
				   2, st, &status), 0);
	ck_assert_uint_eq(status, NO_STATUS);
	ck_assert_uint_eq(blk_send(d, (const struct seg[]){ { hdr, 16, false } }, 1, 0, &status), 0);
}

/* Past the end, across it, sectors whose byte offset overflows; data in the wrong direction. */
static void blk_bad_sectors_and_data(struct rdev *d)
{
	static const struct { u32 type; u64 sector; u32 len; bool w; } bad[] = {
		{ VIRTIO_BLK_T_IN, RIG_DISK_SIZE / 512, 512, true },
		{ VIRTIO_BLK_T_IN, RIG_DISK_SIZE / 512 - 1, 1024, true },
		{ VIRTIO_BLK_T_IN, 1ULL << 55, 512, true },
		{ VIRTIO_BLK_T_IN, ~0ULL, 512, true },
		{ VIRTIO_BLK_T_OUT, ~0ULL / 512, 512, false },
		{ VIRTIO_BLK_T_IN, 0, 0, true },		/* nothing to read into */
		{ VIRTIO_BLK_T_IN, 0, 512, false },		/* read into readable data */
		{ VIRTIO_BLK_T_OUT, 0, 512, true },		/* write from writable data */
		{ VIRTIO_BLK_T_DISCARD, 0, 0, false },		/* no segment */
	};
	unsigned int i;
	u32 used;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(blk_simple(d, bad[i].type, bad[i].sector, bad[i].len, bad[i].w,
					 &used) == VIRTIO_BLK_S_IOERR, "request %u was not refused", i);
}

/* Write-zeroes segments with absurd counts, past the end, at a sector that overflows. */
static void blk_bad_ranges(struct rdev *d)
{
	static const struct virtio_blk_discard_write_zeroes seg[] = {
		{ .sector = 0, .num_sectors = 0xffffffff },
		{ .sector = RIG_DISK_SIZE / 512 - 1, .num_sectors = 2 },
		{ .sector = ~0ULL, .num_sectors = 1 },
	};
	struct rig *r = d->rig;
	unsigned int i;
	u8 status;

	for (i = 0; i < ARRAY_SIZE(seg); i++) {
		u64 g = rig_alloc(r, sizeof(seg[i])), st = status_byte(r);

		memcpy(rig_ptr(r, g, sizeof(seg[i])), &seg[i], sizeof(seg[i]));
		blk_send(d, (const struct seg[]){
				 { blk_hdr(r, VIRTIO_BLK_T_WRITE_ZEROES, 0), 16, false },
				 { g, sizeof(seg[i]), false }, { st, 1, true } }, 3, st, &status);
		ck_assert_uint_eq(status, VIRTIO_BLK_S_IOERR);
	}
}

/* Unknown types; the ID into the status byte alone, and into 5 bytes with it. */
static void blk_types_and_id(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 id = rig_alloc(r, 5);
	u8 status;
	u32 used;

	ck_assert_uint_eq(blk_simple(d, 0x7fffffff, 0, 512, true, &used), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(blk_simple(d, 0xffffffff, 0, 0, true, &used), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(blk_simple(d, VIRTIO_BLK_T_GET_ID, 0, 0, true, &used), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(used, 1);
	memset(rig_ptr(r, id, 5), NO_STATUS, 5);
	blk_send(d, (const struct seg[]){ { blk_hdr(r, VIRTIO_BLK_T_GET_ID, 0), 16, false },
					  { id, 5, true } }, 2, 0, &status);
	ck_assert_mem_eq(rig_ptr(r, id, 4), "host", 4);
	ck_assert_uint_eq(*(u8 *)rig_ptr(r, id + 4, 1), VIRTIO_BLK_S_OK);
}

START_TEST(test_blk_malformed_requests)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BLOCK, 0);

	blk_missing_parts(d);
	blk_bad_sectors_and_data(d);
	blk_bad_ranges(d);
	blk_types_and_id(d);
	assert_running(d);
	blk_roundtrip(d, 0);
	rig_end_healthy(r, d);
}
END_TEST

/* A read scattered over a header in 16 one-byte pieces and 1000 one-byte buffers. */
START_TEST(test_blk_scattered)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BLOCK, 0);
	u64 table = RIG_SCRATCH_GPA, hdr = blk_hdr(r, VIRTIO_BLK_T_IN, 2);
	u64 data = rig_alloc(r, 1000), st = status_byte(r);
	struct vring_desc *t = rig_ptr(r, table, 16 * 1017);
	const u8 *p = rig_ptr(r, data, 1000);
	unsigned int i;

	for (i = 0; i < 16; i++)
		t[i] = (struct vring_desc){ hdr + i, 1, F_NEXT, i + 1 };
	for (i = 0; i < 1000; i++)
		t[16 + i] = (struct vring_desc){ data + i, 1, F_WRITE | F_NEXT, 17 + i };
	t[1016] = (struct vring_desc){ st, 1, F_WRITE, 0 };
	set_desc(d, 0, 9, table, 16 * 1017, F_INDIRECT, 0);
	publish(d, 0, 9);
	ck_assert_uint_eq(kick_and_wait(d, 0, NULL, "the scattered read"), 1001);
	ck_assert_uint_eq(*(u8 *)rig_ptr(r, st, 1), VIRTIO_BLK_S_OK);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(p[i], (u8)((1024 + i) * 13 + ((1024 + i) >> 9) * 7));
	rig_end_healthy(r, d);
}
END_TEST

/* --- virtio-9p -------------------------------------------------------------- */

/* Sends len bytes of msg with a reply buffer of cap; returns the used length. */
static u32 p9_raw(struct rdev *d, const void *msg, u32 len, u32 cap, const u8 **reply)
{
	struct rig *r = d->rig;
	u64 req = rig_alloc(r, len), rep = cap ? rig_alloc(r, cap) : 0;
	struct seg s[2] = { { req, len, false }, { rep, cap, true } };
	u32 used;

	memcpy(rig_ptr(r, req, len), msg, len);
	used = send_chain(d, 0, s, cap ? 2 : 1, "a 9p request");
	if (reply)
		*reply = rep ? rig_ptr(r, rep, cap) : NULL;
	return used;
}

/* The reply must be an Rlerror (type 7) with this tag. */
static void expect_lerror(struct rdev *d, const void *msg, u32 len, u16 tag)
{
	const u8 *p;
	u16 t;

	ck_assert_uint_eq(p9_raw(d, msg, len, 4096, &p), 11);
	ck_assert_uint_eq(p[4], 7);
	memcpy(&t, p + 5, 2);
	ck_assert_uint_eq(t, tag);
}

/* Size fields of 0, less than a header, absurd, and more than the buffer holds. */
static void p9_lying_sizes(struct rdev *d)
{
	struct p9msg m;
	const u8 *p;
	u32 sz;

	p9_begin(&m, 120, 5);		/* Tclunk, its size field overwritten */
	p9_u32(&m, 2);
	p9_end(&m);
	for (sz = 0; sz < 7; sz++) {
		memcpy(m.b, &sz, 4);
		ck_assert_uint_eq(p9_raw(d, m.b, m.len, 4096, &p), 11);
		ck_assert_uint_eq(p[4], 7);
	}
	sz = 0xffffffff;
	memcpy(m.b, &sz, 4);
	expect_lerror(d, m.b, m.len, 5);
	sz = m.len + 100;
	memcpy(m.b, &sz, 4);
	expect_lerror(d, m.b, m.len, 5);
}

/* Fields that run past the message, a NUL inside a name, 17 walk names, no such type. */
static void p9_bad_fields(struct rdev *d)
{
	struct p9msg m;
	unsigned int i;

	p9_begin(&m, 104, 6);		/* Tattach cut inside a 64 KiB uname */
	p9_u32(&m, 9);
	p9_u32(&m, ~0u);
	p9_u16(&m, 0xffff);
	p9_end(&m);
	expect_lerror(d, m.b, m.len, 6);
	p9_begin(&m, 110, 7);		/* Twalk to "a\0b" */
	p9_u32(&m, 1);
	p9_u32(&m, 3);
	p9_u16(&m, 1);
	p9_u16(&m, 3);
	p9_u8(&m, 'a');
	p9_u8(&m, 0);
	p9_u8(&m, 'b');
	p9_end(&m);
	expect_lerror(d, m.b, m.len, 7);
	p9_begin(&m, 110, 8);
	p9_u32(&m, 1);
	p9_u32(&m, 3);
	p9_u16(&m, 17);
	for (i = 0; i < 17; i++)
		p9_s(&m, "x");
	p9_end(&m);
	expect_lerror(d, m.b, m.len, 8);
	p9_begin(&m, 255, 9);
	p9_end(&m);
	expect_lerror(d, m.b, m.len, 9);
}

/* Replies that cannot fit; msize 0, 7 and 4 GiB never grant more than the server's. */
static void p9_small_replies(struct rdev *d)
{
	static const u32 msizes[] = { 0, 7, 0xffffffff };
	struct p9msg m;
	unsigned int i;
	const u8 *p;
	u32 got;

	p9_begin(&m, 100, 10);
	p9_u32(&m, 8192);
	p9_s(&m, "9P2000.L");
	p9_end(&m);
	ck_assert_uint_eq(p9_raw(d, m.b, m.len, 1, NULL), 0);
	ck_assert_uint_eq(p9_raw(d, m.b, m.len, 0, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(msizes); i++) {
		p9_begin(&m, 100, 11);
		p9_u32(&m, msizes[i]);
		p9_s(&m, "9P2000.L");
		p9_end(&m);
		p9_raw(d, m.b, m.len, 4096, &p);
		if (p[4] == 7)
			continue;
		ck_assert_uint_eq(p[4], 101);
		memcpy(&got, p + 7, 4);
		ck_assert_uint_le(got, 512 * 1024);
	}
}

/* A read of 4 GiB into 4 KiB, a write whose count runs past its data. */
static void p9_lying_counts(struct rdev *d)
{
	struct p9msg m;
	const u8 *p;

	p9_open(d, 8192, "hello", 2);
	p9_begin(&m, 116, 12);
	p9_u32(&m, 2);
	p9_u64(&m, 0);
	p9_u32(&m, 0xffffffff);
	p9_end(&m);
	ck_assert_uint_le(p9_raw(d, m.b, m.len, 4096, &p), 4096);
	p9_begin(&m, 118, 13);
	p9_u32(&m, 2);
	p9_u64(&m, 0);
	p9_u32(&m, 0x10000);
	p9_u8(&m, 'x');
	p9_end(&m);
	expect_lerror(d, m.b, m.len, 13);
}

/* A message scattered over 21 one-byte buffers, and one larger than any msize. */
static void p9_odd_buffers(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 req = rig_alloc(r, 21), rep = rig_alloc(r, 4096), huge;
	u32 len = 600 * 1024;
	struct seg s[22];
	unsigned int i;

	p9_version(rig_ptr(r, req, 21), 14, 8192);
	for (i = 0; i < 21; i++)
		s[i] = (struct seg){ req + i, 1, false };
	s[21] = (struct seg){ rep, 4096, true };
	post(d, 0, s, 22);
	kick_and_wait(d, 0, NULL, "the scattered Tversion");
	ck_assert_uint_eq(*(u8 *)rig_ptr(r, rep + 4, 1), 101);
	huge = rig_alloc(r, len);
	memcpy(rig_ptr(r, huge, 4), &len, 4);
	*(u8 *)rig_ptr(r, huge + 4, 1) = 118;	/* Twrite */
	post(d, 0, (const struct seg[]){ { huge, len, false },
					 { rig_alloc(r, 4096), 4096, true } }, 2);
	ck_assert_uint_eq(kick_and_wait(d, 0, NULL, "the huge Twrite"), 11);
}

START_TEST(test_9p_hostile_sizes)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_9P, 0);

	p9_open(d, 8192, "hello", 2);
	p9_lying_sizes(d);
	p9_bad_fields(d);
	p9_small_replies(d);
	p9_lying_counts(d);
	p9_odd_buffers(d);
	assert_running(d);
	p9_roundtrip(d);
	rig_end_healthy(r, d);
}
END_TEST

/* The driver resets the 9p device while its thread is busy with 120 reads. */
START_TEST(test_9p_reset_mid_request)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_9P, 0);
	unsigned int tries;
	u16 start, stopped;
	bool hit;

	for (tries = 0, hit = false; tries < 10 && !hit; tries++) {
		start = rig_hold_reads(d, 120);
		drv_status(d, 0);
		hit = rig_release_reads(d, start, 120, &stopped);
		usleep(100 * 1000);
		/* Nothing completes after the reset, into rings that may be the guest's again. */
		if (hit)
			ck_assert_uint_eq(used_idx(d, 0), stopped);
		assert_recovers(d);
	}
	ck_assert_msg(hit, "the 9p thread always finished first");
	assert_healthy(r, d);
	p9_open(d, 8192, "hello", 2);
	rig_end(r);
}
END_TEST

/* --- virtio-net --------------------------------------------------------------- */

#ifdef LKVM_SLIRP
#define NET_F_OFFLOADS	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_HOST_TSO4) | \
			 (1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_MRG_RXBUF))

static const u8 guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* An ARP request from 10.0.2.15 for the gateway, 10.0.2.2, which slirp answers. */
static size_t arp_request(u8 *f)
{
	static const u8 arp[] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, arp, sizeof(arp));
	memcpy(f + 22, guest_mac, 6);
	memcpy(f + 28, (const u8[]){ 10, 0, 2, 15 }, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, (const u8[]){ 10, 0, 2, 2 }, 4);
	memset(f + 42, 0, 18);
	return 60;
}

/* An IPv4/TCP frame with payload bytes of data, to 10.0.2.2 port 9. */
static size_t tcp_frame(u8 *f, size_t payload)
{
	u16 tot = 20 + 20 + payload;

	memcpy(f, (const u8[]){ 0x52, 0x55, 10, 0, 2, 2 }, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	f[16] = tot >> 8;
	f[17] = tot;
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, (const u8[]){ 10, 0, 2, 15, 10, 0, 2, 2 }, 8);
	f[34] = 0x80;			/* source port 32768, destination 9 */
	f[37] = 9;
	f[46] = 5 << 4;			/* data offset */
	f[47] = 0x18;			/* PSH | ACK */
	memset(f + 54, 'z', payload);
	return 54 + payload;
}

/* One TX chain of header and frame, split in pieces of 'piece' bytes (0: one buffer). */
static void tx(struct rdev *d, const struct virtio_net_hdr_v1 *h, const u8 *frame, size_t len,
	       size_t piece)
{
	struct rig *r = d->rig;
	size_t total = sizeof(*h) + len, off;
	u64 buf = rig_alloc(r, total);
	struct seg s[128];
	unsigned int n = 0;

	memcpy(rig_ptr(r, buf, sizeof(*h)), h, sizeof(*h));
	memcpy(rig_ptr(r, buf + sizeof(*h), len), frame, len);
	if (!piece)
		piece = total;
	for (off = 0; off < total; off += piece) {
		ck_assert_uint_lt(n, ARRAY_SIZE(s));
		s[n++] = (struct seg){ buf + off, MIN(piece, total - off), false };
	}
	ck_assert_uint_eq(send_chain(d, 1, s, n, "a TX chain"), 0);
}

static void tx_hostile_headers(struct rdev *d)
{
	static u8 f[70000];
	struct virtio_net_hdr_v1 h = { 0 };
	size_t arp = arp_request(f), tcp;

	/* No frame after the header, or not even a whole header. */
	tx(d, &h, f, 0, 0);
	tx(d, &h, f, 0, 11);
	/* Checksums to complete far outside the frame. */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 0xffff;
	h.csum_offset = 0xfffe;
	tx(d, &h, f, arp, 0);
	h.csum_start = 10;
	tx(d, &h, f, arp, 0);
	h.csum_start = arp - 1;
	h.csum_offset = 0;
	tx(d, &h, f, arp, 0);
	/* Segmentation of frames that are not TCP, with sizes of 0 and 1. */
	h = (struct virtio_net_hdr_v1){ .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 0,
					.hdr_len = 0xffff };
	tx(d, &h, f, arp, 0);
	tcp = tcp_frame(f, 4000);
	h.gso_size = 1;
	h.hdr_len = 54;
	tx(d, &h, f, tcp, 0);
	f[14] = 0x4f;			/* IHL 15: options past the frame's IP header */
	h.gso_size = 1000;
	tx(d, &h, f, 70, 0);
	f[14] = 0x45;
	f[46] = 15 << 4;		/* TCP data offset past the frame */
	tx(d, &h, f, 60, 0);
	f[46] = 5 << 4;
	/* GSO kinds not negotiated: UDP, ECN; and TCPv6 on an IPv4 frame. */
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	tx(d, &h, f, tcp, 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	tx(d, &h, f, tcp, 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	tx(d, &h, f, tcp, 0);
	/* RX-only flags and garbage in num_buffers; the header in 1-byte pieces. */
	h = (struct virtio_net_hdr_v1){ .flags = 0xff, .num_buffers = 0xffff };
	tx(d, &h, f, arp, 1);
	/* Longer than any frame. */
	h = (struct virtio_net_hdr_v1){ 0 };
	tx(d, &h, f, sizeof(f), 4096);
}

/* Posts n RX buffers of len bytes each. */
static void rx_post(struct rdev *d, unsigned int n, u32 len)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		post(d, 0, &(struct seg){ rig_alloc(d->rig, len), len, true }, 1);
	drv_kick(d, 0);
	rig_run(d->rig);
}

/* The gateway's ARP reply must reach the guest: the device still moves frames. */
static void expect_arp_reply(struct rdev *d)
{
	struct virtio_net_hdr_v1 h = { 0 };
	static u8 f[64];
	u32 id, len;

	tx(d, &h, f, arp_request(f), 0);
	ck_assert_msg(wait_used(d, 0, &id, &len, 5000), "no ARP reply from the gateway");
	ck_assert_uint_ge(len, 12 + 42);
}

START_TEST(test_net_hostile_headers)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_NET, 0);
	static u8 f[64];
	unsigned int n;
	u32 id, len;

	d->features |= NET_F_OFFLOADS & ~(1ULL << VIRTIO_NET_F_MRG_RXBUF);
	rig_dev_up(d);
	tx_hostile_headers(d);
	/* An RX buffer of one byte: the frame cannot fit, the buffer comes back empty. */
	rx_post(d, 1, 1);
	tx(d, &(struct virtio_net_hdr_v1){ 0 }, f, arp_request(f), 0);
	ck_assert_msg(wait_used(d, 0, &id, &len, 5000), "the too-small RX buffer never came back");
	ck_assert_uint_eq(len, 0);
	rx_post(d, 8, 2048);
	expect_arp_reply(d);

	/*
	 * Mergeable buffers: four of one byte wait for more; then the header
	 * would straddle them, so the frame is dropped and all come back empty.
	 */
	d->features |= NET_F_OFFLOADS;
	rig_dev_up(d);
	tx_hostile_headers(d);
	rx_post(d, 4, 1);
	tx(d, &(struct virtio_net_hdr_v1){ 0 }, f, arp_request(f), 0);
	ck_assert(!wait_used(d, 0, &id, &len, 100));
	rx_post(d, 8, 2048);
	for (n = 0; n < 5; n++) {
		ck_assert_msg(wait_used(d, 0, &id, &len, 5000), "RX buffer %u never came back", n);
		ck_assert_uint_eq(len, 0);
	}
	expect_arp_reply(d);
	assert_running(d);
	rig_end_healthy(r, d);
}
END_TEST

/*
 * The driver claims every feature without FEATURES_OK and goes DRIVER_OK
 * anyway: the headers are judged against those claims, still bounded.
 */
START_TEST(test_net_features_lie)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_NET, 0);
	unsigned int q;

	d->features = ~0ULL;
	drv_status(d, 0);
	drv_status(d, S_ACK | S_DRIVER);
	drv_features(d, ~0ULL);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
	for (q = 0; q < 2; q++)
		drv_queue(d, q, 256, RIG_RINGS_GPA + (d - r->devs) * RIG_RING_STRIDE + q * 0x4000,
			  RIG_RINGS_GPA + (d - r->devs) * RIG_RING_STRIDE + q * 0x4000 + 0x1000,
			  RIG_RINGS_GPA + (d - r->devs) * RIG_RING_STRIDE + q * 0x4000 + 0x2000);
	drv_status(d, S_ACK | S_DRIVER | S_DRIVER_OK);
	rig_run(r);
	memset(rig_ptr(r, RIG_RINGS_GPA + (d - r->devs) * RIG_RING_STRIDE, RIG_RING_STRIDE), 0,
	       RIG_RING_STRIDE);
	rx_post(d, 8, 64);
	tx_hostile_headers(d);
	/* What the driver negotiates when it recovers the device. */
	d->features = F_VERSION_1 | (1ULL << VIRTIO_NET_F_MAC);
	rig_end_recovered(r, d);
}
END_TEST
#endif

/* --- virtio-balloon ------------------------------------------------------------ */

static void fill_page(struct rig *r, u64 gpa, u8 v)
{
	memset(rig_ptr(r, gpa, 4096), v, 4096);
}

static bool page_is(struct rig *r, u64 gpa, u8 v)
{
	const u8 *p = rig_ptr(r, gpa, 4096);
	unsigned int i;

	for (i = 0; i < 4096; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* An inflate (q 0) or deflate (q 1) chain of n PFNs; waits for it to come back. */
static void balloon_send(struct rdev *d, unsigned int q, const u32 *pfns, u32 bytes, bool w)
{
	struct rig *r = d->rig;
	u64 buf = rig_alloc(r, bytes);

	memcpy(rig_ptr(r, buf, bytes), pfns, bytes);
	send_chain(d, q, &(struct seg){ buf, bytes, w }, 1, "a balloon chain");
}

START_TEST(test_balloon_pfns_outside_ram)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BALLOON, 0);
	u64 pages = ALIGN_UP(rig_alloc(r, 4 * 4096 + 4096), 4096);
	const u64 given = pages, canary = pages + 4096, late = pages + 2 * 4096;
	static u32 pfns[5000];
	unsigned int i;

	fill_page(r, given, 0xaa);
	fill_page(r, canary, 0xcc);
	fill_page(r, late, 0xdd);
	/* Past RAM, in the MMIO hole, at 4 GiB, the largest PFN; and one real page. */
	pfns[0] = 0xffffffff;
	pfns[1] = 0xc0000;
	pfns[2] = RIG_RAM_END >> 12;
	pfns[3] = 0x100000;
	pfns[4] = 0xfee00;
	pfns[5] = given >> 12;
	balloon_send(d, 0, pfns, 6 * 4, false);
	ck_assert(page_is(r, given, 0));
	ck_assert(page_is(r, canary, 0xcc));
	/* 5000 PFNs in one chain: the ones past the 4096th are ignored. */
	for (i = 0; i < 5000; i++)
		pfns[i] = 0xfffff000 + i;
	pfns[4500] = late >> 12;
	balloon_send(d, 0, pfns, sizeof(pfns), false);
	ck_assert(page_is(r, late, 0xdd));
	/* Ragged, writable, and deflating garbage. */
	pfns[0] = canary >> 12;
	balloon_send(d, 0, pfns, 3, false);
	balloon_send(d, 0, pfns, 4, true);
	ck_assert(page_is(r, canary, 0xcc));
	pfns[1] = 0xffffffff;
	balloon_send(d, 1, pfns, 8, false);
	balloon_send(d, 1, pfns, 7, true);
	ck_assert(page_is(r, canary, 0xcc));
	assert_running(d);
	rig_end_healthy(r, d);
}
END_TEST

START_TEST(test_balloon_stats_hostile)
{
	struct rig *r = rig_new(_i);
	struct rdev *d = rig_dev(r, VIRTIO_ID_BALLOON, 0);
	struct balloon_stats s;
	u64 buf = rig_alloc(r, 2001);
	u8 *p = rig_ptr(r, buf, 2001);
	unsigned int i;
	u32 id, len;

	/* 200 entries, odd length, every tag up to 0xffff. */
	for (i = 0; i < 200; i++) {
		u16 tag = i * 331;
		u64 val = ~0ULL - i;

		memcpy(p + 10 * i, &tag, 2);
		memcpy(p + 10 * i + 2, &val, 8);
	}
	post(d, 2, &(struct seg){ buf, 2001, false }, 1);
	drv_kick(d, 2);
	rig_run(r);
	/* 0 while the kick was still on its way: the buffer is held now, asking returns it. */
	for (i = 0; i < 3 && virtio_balloon_stats(r->vm.balloon, &s, 100) != -ETIMEDOUT; i++)
		;
	ck_assert_uint_lt(i, 3);
	ck_assert(wait_used(d, 2, &id, &len, 5000));
	/* Two at once, the second writable; then targets the guest cannot have. */
	post(d, 2, &(struct seg){ buf, 10, false }, 1);
	post(d, 2, &(struct seg){ buf, 10, true }, 1);
	drv_kick(d, 2);
	rig_run(r);
	ck_assert(wait_used(d, 2, &id, &len, 5000));
	ck_assert_int_eq(virtio_balloon_set_target(r->vm.balloon, RIG_MEM_MIB + 1), -EINVAL);
	ck_assert_int_eq(virtio_balloon_set_target(r->vm.balloon, ~0ULL), -EINVAL);
	ck_assert_int_eq(virtio_balloon_set_target(r->vm.balloon, RIG_MEM_MIB / 2), 0);
	/* The statistics queue switched off or reset while a buffer is held. */
	if (!r->pci) {
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_SEL, 2);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_READY, 0);
		g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_NUM, 0);
		rig_run(r);
		ck_assert_int_eq(virtio_balloon_stats(r->vm.balloon, &s, 10), -EOPNOTSUPP);
	}
	drv_status(d, 0);
	rig_run(r);
	ck_assert_int_eq(virtio_balloon_stats(r->vm.balloon, &s, 10), -EOPNOTSUPP);
	assert_recovers(d);
	rig_end_healthy(r, d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile devices (local /dev/kvm)");
	TCase *tc = tcase_create("devices");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_blk_malformed_requests, 0, 2);
	tcase_add_loop_test(tc, test_blk_scattered, 0, 2);
	tcase_add_loop_test(tc, test_9p_hostile_sizes, 0, 2);
	tcase_add_loop_test(tc, test_9p_reset_mid_request, 0, 2);
#ifdef LKVM_SLIRP
	tcase_add_loop_test(tc, test_net_hostile_headers, 0, 2);
	tcase_add_loop_test(tc, test_net_features_lie, 0, 2);
#endif
	tcase_add_loop_test(tc, test_balloon_pfns_outside_ram, 0, 2);
	tcase_add_loop_test(tc, test_balloon_stats_hostile, 0, 2);
	suite_add_tcase(s, tc);
	return rig_main(s);
}
