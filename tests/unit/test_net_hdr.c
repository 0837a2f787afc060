// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-net header's offloads: checksums finished against values
 * computed here another way (and two frames whose checksums were worked
 * out by hand), hostile headers and frames refused without a byte read or
 * written outside them (each frame is malloc'd to its exact length, for
 * valgrind and ASan), TSO super-frames cut into valid segments, UFO
 * datagrams cut into IPv4 fragments that reassemble into the datagram, and
 * USO super-frames cut into datagrams that each check out on their own.
 */
#include <arpa/inet.h>
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/net_hdr.h"

#define MSS		1448
#define MAX_SEGS	512

/* TCP/IPv4, 10.0.2.15:40000 -> 10.0.2.2:80, "GET / HTTP/1.0\r\n\r\n"; its checksum is 0x076b. */
static const u8 tcp4_frame[] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x3a, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x10, 0x7a, 0x0a, 0x00,
	0x02, 0x0f, 0x0a, 0x00, 0x02, 0x02, 0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04,
	0x0a, 0x0b, 0x0c, 0x0d, 0x50, 0x18, 0xfa, 0xf0, 0x18, 0x3d, 0x00, 0x00, 0x47, 0x45,
	0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x30, 0x0d, 0x0a,
	0x0d, 0x0a,
};	/* checksum field (bytes 50-51): the pseudo-header sum 0x183d, as a guest leaves it */

/* UDP/IPv6, fe80::1:5353 -> fe80::2:53, "hello, world!" (odd length); its checksum is 0x8c55. */
static const u8 udp6_frame[] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x15, 0x11, 0x40, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x14, 0xe9,
	0x00, 0x35, 0x00, 0x15, 0xfd, 0x2a, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77,
	0x6f, 0x72, 0x6c, 0x64, 0x21,
};	/* checksum field (bytes 60-61): the pseudo-header sum 0xfd2a */

/* A frame this test builds, and where its parts are. */
struct spec {
	bool v6, vlan, udp;
	unsigned int opts;		/* TCP option bytes, a multiple of 4 */
	unsigned int ip_opts;		/* IPv4 option bytes, a multiple of 4 (ip_opt_bytes) */
	size_t payload;
	u8 flags;			/* TCP flags */
	u32 seq;
};

struct layout {
	size_t l3, l4, payload, len;
};

static u16 be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static u32 be32(const u8 *p)
{
	return (u32)be16(p) << 16 | be16(p + 2);
}

static void wr16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* The reference checksum: big-endian words one at a time, as RFC 1071 writes it. */
static u32 ref_sum(const u8 *p, size_t len, u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static u16 ref_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static u32 ref_pseudo(const u8 *f, const struct layout *l, bool v6, u8 proto)
{
	size_t l4len = l->len - l->l4;

	if (v6)
		return ref_sum(f + l->l3 + 8, 32, 0) + (l4len >> 16) + (l4len & 0xffff) + proto;
	return ref_sum(f + l->l3 + 12, 8, 0) + proto + l4len;
}

static u8 payload_byte(size_t i)
{
	return (i * 7 + 3) ^ (i >> 8);
}

/*
 * IPv4 options: Router Alert (copied into every fragment), a timestamp
 * (first fragment only), then NOPs.
 */
static const u8 ip_opt_bytes[12] = { 0x94, 4, 0, 0, 0x44, 4, 5, 0, 1, 1, 1, 1 };

/* Builds the frame with every checksum correct; f must hold the whole frame. */
static void build(u8 *f, const struct spec *s, struct layout *l)
{
	size_t hl4 = s->udp ? 8 : 20 + s->opts, i;
	u8 proto = s->udp ? IPPROTO_UDP : IPPROTO_TCP;
	u8 *ip, *l4;
	u16 sum;

	memset(f, 0, 14);
	memcpy(f, "\x52\x54\x00\x12\x34\x56\x02\x00\x00\x00\x00\x01", 12);
	l->l3 = 14;
	if (s->vlan) {
		wr16(f + 12, 0x8100);
		wr16(f + 14, 42);
		l->l3 = 18;
	}
	wr16(f + l->l3 - 2, s->v6 ? 0x86dd : 0x0800);
	ip = f + l->l3;
	l->l4 = l->l3 + (s->v6 ? 40 : 20 + s->ip_opts);
	l->payload = l->l4 + hl4;
	l->len = l->payload + s->payload;
	memset(ip, 0, l->payload - l->l3);
	if (s->v6) {
		ip[0] = 0x60;
		wr16(ip + 4, l->len - l->l4);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(ip + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	} else {
		ip[0] = 0x40 | (20 + s->ip_opts) / 4;
		memcpy(ip + 20, ip_opt_bytes, s->ip_opts);
		wr16(ip + 2, l->len - l->l3);
		wr16(ip + 4, 0xfff0);		/* the ID wraps while segmenting */
		wr16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
		wr16(ip + 10, ~ref_fold(ref_sum(ip, 20 + s->ip_opts, 0)));
	}
	l4 = f + l->l4;
	wr16(l4, 40000);
	wr16(l4 + 2, 5201);
	if (s->udp) {
		wr16(l4 + 4, l->len - l->l4);
	} else {
		l4[4] = s->seq >> 24;
		l4[5] = s->seq >> 16;
		l4[6] = s->seq >> 8;
		l4[7] = s->seq;
		/* An ACK number whose bytes pass for a data offset wherever a misparse lands. */
		memset(l4 + 8, 0x50, 4);
		l4[12] = (hl4 / 4) << 4;
		l4[13] = s->flags;
		wr16(l4 + 14, 65535);
		for (i = 0; i < s->opts; i++)
			l4[20 + i] = 1;		/* NOP */
	}
	for (i = 0; i < s->payload; i++)
		f[l->payload + i] = payload_byte(i);
	sum = ~ref_fold(ref_sum(l4, l->len - l->l4, ref_pseudo(f, l, s->v6, proto)));
	wr16(l4 + (s->udp ? 6 : 16), sum);
}

/* What a guest leaves for NEEDS_CSUM: the pseudo-header sum, uncomplemented. */
static u16 make_partial(u8 *f, const struct layout *l, const struct spec *s,
			struct virtio_net_hdr_v1 *h)
{
	size_t at = s->udp ? 6 : 16;
	u16 full = be16(f + l->l4 + at);

	wr16(f + l->l4 + at, ref_fold(ref_pseudo(f, l, s->v6, s->udp ? IPPROTO_UDP : IPPROTO_TCP)));
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = htole16(l->l4);
	h->csum_offset = htole16(at);
	return full;
}

struct segs {
	unsigned int n;
	size_t len[MAX_SEGS];
	u8 *data[MAX_SEGS];
};

static void collect(void *opaque, const u8 *seg, size_t len)
{
	struct segs *s = opaque;

	ck_assert_uint_lt(s->n, MAX_SEGS);
	s->data[s->n] = malloc(len);
	ck_assert_ptr_nonnull(s->data[s->n]);
	memcpy(s->data[s->n], seg, len);
	s->len[s->n++] = len;
}

static void segs_free(struct segs *s)
{
	while (s->n)
		free(s->data[--s->n]);
}

static struct virtio_net_hdr_v1 gso_hdr(u8 type, u16 mss)
{
	return (struct virtio_net_hdr_v1){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = type,
		.gso_size = htole16(mss),
	};
}

/* A copy of 'len' bytes in a buffer of exactly that size: any overrun is a memory error. */
static u8 *exact(const void *src, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, src, len);
	return p;
}

START_TEST(test_csum_known_frames)
{
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	u8 *f;

	h.csum_start = htole16(34);
	h.csum_offset = htole16(16);
	f = exact(tcp4_frame, sizeof(tcp4_frame));
	ck_assert_int_eq(net_hdr_csum(&h, f, sizeof(tcp4_frame)), 0);
	ck_assert_uint_eq(be16(f + 50), 0x076b);
	ck_assert(!memcmp(f, tcp4_frame, 50));
	ck_assert(!memcmp(f + 52, tcp4_frame + 52, sizeof(tcp4_frame) - 52));
	free(f);

	h.csum_start = htole16(54);
	h.csum_offset = htole16(6);
	f = exact(udp6_frame, sizeof(udp6_frame));
	ck_assert_int_eq(net_hdr_csum(&h, f, sizeof(udp6_frame)), 0);
	ck_assert_uint_eq(be16(f + 60), 0x8c55);
	free(f);
}
END_TEST

/* Frames of every length parity and alignment, each finished as the reference says. */
START_TEST(test_csum_reference)
{
	static const struct spec specs[] = {
		{ .payload = 1001, .flags = 0x18 },
		{ .v6 = true, .payload = 1000, .flags = 0x10 },
		{ .udp = true, .payload = 0 },
		{ .udp = true, .v6 = true, .vlan = true, .payload = 1473 },
		{ .vlan = true, .opts = 12, .payload = 3 },
	};
	struct virtio_net_hdr_v1 h;
	struct layout l;
	unsigned int i;
	u8 *f;
	u16 want;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		f = malloc(2000);
		build(f, &specs[i], &l);
		want = make_partial(f, &l, &specs[i], &h);
		ck_assert_int_eq(net_hdr_csum(&h, f, l.len), 0);
		ck_assert_uint_eq(be16(f + l.l4 + (specs[i].udp ? 6 : 16)), want);
		free(f);
	}
}
END_TEST

/* A sum that folds to zero is stored as 0xffff: UDP reads 0 as "no checksum". */
START_TEST(test_csum_zero)
{
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	u8 *f = exact("\xff\xff\x00\x00", 4);

	h.csum_offset = htole16(2);
	ck_assert_int_eq(net_hdr_csum(&h, f, 4), 0);
	ck_assert_uint_eq(be16(f + 2), 0xffff);
	free(f);
}
END_TEST

static void expect_csum_refused(size_t len, u16 start, u16 offset)
{
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	u8 *f = exact(tcp4_frame, len);

	h.csum_start = htole16(start);
	h.csum_offset = htole16(offset);
	ck_assert_msg(net_hdr_csum(&h, f, len) == -EINVAL, "len %zu start %u offset %u", len,
		      start, offset);
	ck_assert(!memcmp(f, tcp4_frame, len));
	free(f);
}

START_TEST(test_csum_hostile)
{
	size_t len = sizeof(tcp4_frame);

	expect_csum_refused(len, len, 0);		/* csum_start at the end */
	expect_csum_refused(len, len + 1, 0);		/* past it */
	expect_csum_refused(len, 0xffff, 0xffff);
	expect_csum_refused(len, 34, len - 34 - 1);	/* checksum's 2nd byte past the end */
	expect_csum_refused(len, 34, len - 34);		/* csum_offset+2 past the end */
	expect_csum_refused(len, 34, 0xffff);
	expect_csum_refused(len, len - 1, 0);		/* one byte left: no room for 2 */
	expect_csum_refused(1, 0, 0);
	expect_csum_refused(0, 0, 0);
}
END_TEST

START_TEST(test_tx_check)
{
	const u64 csum = 1ULL << VIRTIO_NET_F_CSUM;
	const u64 tso = csum | (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6);
	const u64 ecn = tso | (1ULL << VIRTIO_NET_F_HOST_ECN);
	struct virtio_net_hdr_v1 h = { 0 };

	ck_assert(net_hdr_tx_check(&h, 0));
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID;	/* the device's bit: cleared, not fatal */
	ck_assert(net_hdr_tx_check(&h, 0));
	ck_assert_uint_eq(h.flags, 0);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	ck_assert(!net_hdr_tx_check(&h, 0));
	ck_assert(net_hdr_tx_check(&h, csum));

	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	ck_assert(!net_hdr_tx_check(&h, csum));
	ck_assert(net_hdr_tx_check(&h, tso));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV6, MSS);
	ck_assert(net_hdr_tx_check(&h, tso));
	ck_assert(!net_hdr_tx_check(&h, csum | (1ULL << VIRTIO_NET_F_HOST_TSO4)));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, MSS);
	ck_assert(!net_hdr_tx_check(&h, tso));
	ck_assert(net_hdr_tx_check(&h, ecn));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 0);	/* no MSS */
	ck_assert(!net_hdr_tx_check(&h, ecn));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	h.flags = 0;					/* GSO without a partial checksum */
	ck_assert(!net_hdr_tx_check(&h, ecn));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP, MSS);	/* UFO: only if negotiated */
	ck_assert(!net_hdr_tx_check(&h, ecn));
	ck_assert(!net_hdr_tx_check(&h, ecn | (1ULL << VIRTIO_NET_F_HOST_USO)));
	ck_assert(net_hdr_tx_check(&h, csum | (1ULL << VIRTIO_NET_F_HOST_UFO)));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, MSS);	/* USO likewise */
	ck_assert_uint_eq(VIRTIO_NET_HDR_GSO_UDP_L4, 5);
	ck_assert(!net_hdr_tx_check(&h, ecn | (1ULL << VIRTIO_NET_F_HOST_UFO)));
	ck_assert(net_hdr_tx_check(&h, csum | (1ULL << VIRTIO_NET_F_HOST_USO)));
	ck_assert(!net_hdr_tx_check(&h, 1ULL << VIRTIO_NET_F_HOST_USO));	/* no CSUM */
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, 0);
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP, 0);
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, MSS);
	h.flags = 0;
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
	/* ECN is TCP's: on UDP, refused whatever was negotiated. */
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP | VIRTIO_NET_HDR_GSO_ECN, MSS);
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN, MSS);
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
	h = gso_hdr(2, MSS);				/* no such type */
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_ECN, MSS);	/* ECN without GSO */
	ck_assert(!net_hdr_tx_check(&h, ~0ULL));
}
END_TEST

START_TEST(test_rx_check)
{
	const u64 gcsum = 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	const u64 gtso = gcsum | (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
			 (1ULL << VIRTIO_NET_F_GUEST_TSO6);
	struct virtio_net_hdr_v1 h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };

	ck_assert(net_hdr_rx_check(&h, gcsum));
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert(net_hdr_rx_check(&h, 0));		/* a hint the guest did not ask for */
	ck_assert_uint_eq(h.flags, 0);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	ck_assert(!net_hdr_rx_check(&h, 0));
	ck_assert(net_hdr_rx_check(&h, gcsum));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	ck_assert(!net_hdr_rx_check(&h, gcsum));
	ck_assert(net_hdr_rx_check(&h, gtso));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN, MSS);
	ck_assert(!net_hdr_rx_check(&h, gtso));
	ck_assert(net_hdr_rx_check(&h, gtso | (1ULL << VIRTIO_NET_F_GUEST_ECN)));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP, MSS);
	ck_assert(!net_hdr_rx_check(&h, gtso));
	ck_assert(net_hdr_rx_check(&h, gcsum | (1ULL << VIRTIO_NET_F_GUEST_UFO)));
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP | VIRTIO_NET_HDR_GSO_ECN, MSS);
	ck_assert(!net_hdr_rx_check(&h, ~0ULL));
	/* USO: the header does not say IPv4 or IPv6, so the driver must take both. */
	h = gso_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, MSS);
	ck_assert(!net_hdr_rx_check(&h, gtso | (1ULL << VIRTIO_NET_F_GUEST_UFO)));
	ck_assert(!net_hdr_rx_check(&h, gcsum | (1ULL << VIRTIO_NET_F_GUEST_USO4)));
	ck_assert(!net_hdr_rx_check(&h, gcsum | (1ULL << VIRTIO_NET_F_GUEST_USO6)));
	ck_assert(net_hdr_rx_check(&h, gcsum | (1ULL << VIRTIO_NET_F_GUEST_USO4) |
				       (1ULL << VIRTIO_NET_F_GUEST_USO6)));
	h = gso_hdr(2, MSS);
	ck_assert(!net_hdr_rx_check(&h, ~0ULL));
}
END_TEST

/* Checks the segments of a super-frame built from s, cut at mss. */
static void check_segments(const struct spec *s, const struct layout *l, const struct segs *out,
			   size_t mss)
{
	size_t hlen = l->payload, off = 0, n, j;
	u8 proto = IPPROTO_TCP, fl;
	unsigned int i, want = s->payload ? (s->payload + mss - 1) / mss : 1;
	struct layout sl = *l;

	ck_assert_uint_eq(out->n, want);
	for (i = 0; i < out->n; i++) {
		const u8 *g = out->data[i], *ip = g + l->l3, *tcp = g + l->l4;
		bool last = i == out->n - 1;

		n = MIN(mss, s->payload - off);
		ck_assert_uint_eq(out->len[i], hlen + n);
		sl.len = out->len[i];
		if (s->v6) {
			ck_assert_uint_eq(be16(ip + 4), n + (hlen - l->l4));
		} else {
			ck_assert_uint_eq(be16(ip + 2), out->len[i] - l->l3);
			ck_assert_uint_eq(be16(ip + 4), (u16)(0xfff0 + i));
			ck_assert_uint_eq(be16(ip + 6), 0x4000);
			ck_assert_uint_eq(ref_fold(ref_sum(ip, 20, 0)), 0xffff);
		}
		ck_assert_uint_eq(ref_fold(ref_sum(tcp, sl.len - l->l4,
						   ref_pseudo(g, &sl, s->v6, proto))), 0xffff);
		ck_assert_uint_eq(be32(tcp + 4), (u32)(s->seq + off));
		fl = s->flags;
		if (!last)
			fl &= ~0x09;	/* FIN, PSH */
		if (i)
			fl &= ~0x80;	/* CWR */
		ck_assert_uint_eq(tcp[13], fl);
		ck_assert_uint_eq(tcp[12], ((20 + s->opts) / 4) << 4);
		for (j = 0; j < n; j++)
			ck_assert_uint_eq(g[hlen + j], payload_byte(off + j));
		off += n;
	}
	ck_assert_uint_eq(off, s->payload);
}

static void segment_one(const struct spec *s, size_t mss)
{
	struct virtio_net_hdr_v1 h;
	struct segs out = { 0 };
	struct layout l;
	u8 *f = malloc(NET_FRAME_MAX);

	ck_assert_ptr_nonnull(f);
	build(f, s, &l);
	/* What a guest hands over: the partial checksum; segmenting must not rely on it. */
	make_partial(f, &l, s, &h);
	h.gso_type = s->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = htole16(mss);
	ck_assert_int_eq(net_hdr_segment(&h, f, l.len, collect, &out), 0);
	check_segments(s, &l, &out, mss);
	segs_free(&out);
	free(f);
}

START_TEST(test_segment_tcp4)
{
	/* FIN|PSH|ACK|CWR: FIN and PSH only on the last, CWR only on the first. */
	struct spec s = { .payload = 20000, .flags = 0x99, .seq = 0xffffff00 };

	segment_one(&s, MSS);		/* 14 segments, the sequence number wrapping */
	s.opts = 12;
	s.vlan = true;
	segment_one(&s, MSS);
	s.payload = 2 * MSS;		/* an exact multiple: no empty last segment */
	segment_one(&s, MSS);
	s.payload = 100;		/* less than one MSS */
	segment_one(&s, MSS);
	s.payload = 0;
	segment_one(&s, MSS);
	s.payload = 65535 - 20 - 32;	/* the largest IPv4 packet there is */
	segment_one(&s, 536);
	s.payload = 300;
	segment_one(&s, 1);		/* the smallest MSS */
}
END_TEST

START_TEST(test_segment_tcp6)
{
	struct spec s = { .v6 = true, .payload = 20000, .flags = 0x99, .seq = 1 };

	segment_one(&s, MSS);
	s.opts = 12;
	s.vlan = true;
	s.flags = 0x10;
	segment_one(&s, 1428);
	s.payload = NET_FRAME_MAX - 18 - 40 - 32;	/* the longest frame lkvm takes */
	segment_one(&s, 9000);
}
END_TEST

/* A GSO frame built from s, broken by 'breakit', must be refused with nothing emitted. */
static void expect_seg_refused(const struct spec *s, u8 gso, u16 mss,
			       void (*breakit)(u8 *f, struct layout *l), const char *what)
{
	struct virtio_net_hdr_v1 h = gso_hdr(gso, mss);
	struct segs out = { 0 };
	struct layout l;
	u8 *f = malloc(NET_FRAME_MAX + 16), *g;

	ck_assert_ptr_nonnull(f);
	build(f, s, &l);
	if (breakit)
		breakit(f, &l);
	g = exact(f, l.len);
	ck_assert_msg(net_hdr_segment(&h, g, l.len, collect, &out) == -EINVAL, "%s accepted", what);
	ck_assert_msg(out.n == 0, "%s: %u segments emitted", what, out.n);
	ck_assert_msg(!memcmp(f, g, l.len), "%s: frame changed", what);
	/* GSO_NONE is a plain frame to net_hdr_to_plain, and fine. */
	if (gso != VIRTIO_NET_HDR_GSO_NONE)
		ck_assert_msg(net_hdr_to_plain(&h, g, l.len, collect, &out) == -EINVAL && !out.n,
			      "%s: to_plain", what);
	free(g);
	free(f);
}

/* UDP whose payload would pass for a TCP header's data offset. */
static void udp_as_tcp(u8 *f, struct layout *l)
{
	f[l->l4 + 12] = 5 << 4;
}

static void ihl_4(u8 *f, struct layout *l)
{
	f[l->l3] = 0x44;
}

static void ihl_15(u8 *f, struct layout *l)
{
	f[l->l3] = 0x4f;	/* 60 bytes of IP header: more than the frame has after it */
	l->len = l->l3 + 50;
	wr16(f + l->l3 + 2, 50);
}

static void trunc_ip4(u8 *f, struct layout *l)
{
	(void)f;
	l->len = l->l3 + 19;
}

static void trunc_ip6(u8 *f, struct layout *l)
{
	(void)f;
	l->len = l->l3 + 39;
}

static void trunc_tcp4(u8 *f, struct layout *l)
{
	l->len = l->l4 + 19;
	wr16(f + l->l3 + 2, l->len - l->l3);
}

static void trunc_tcp6(u8 *f, struct layout *l)
{
	l->len = l->l4 + 10;
	wr16(f + l->l3 + 4, l->len - l->l4);
}

static void tot_len_long(u8 *f, struct layout *l)
{
	wr16(f + l->l3 + 2, be16(f + l->l3 + 2) + 1);
}

static void tot_len_short(u8 *f, struct layout *l)
{
	wr16(f + l->l3 + 2, be16(f + l->l3 + 2) - 100);
}

static void tot_len_max(u8 *f, struct layout *l)
{
	wr16(f + l->l3 + 2, 0xffff);
}

static void plen6_long(u8 *f, struct layout *l)
{
	wr16(f + l->l3 + 4, be16(f + l->l3 + 4) + 1);
}

static void doff_4(u8 *f, struct layout *l)
{
	f[l->l4 + 12] = 4 << 4;
}

static void doff_15_short(u8 *f, struct layout *l)
{
	f[l->l4 + 12] = 15 << 4;	/* 60 bytes of TCP header, 40 in the frame */
	l->len = l->l4 + 40;
	wr16(f + l->l3 + 2, l->len - l->l3);
}

static void fragment(u8 *f, struct layout *l)
{
	wr16(f + l->l3 + 6, 0x2000);	/* MF */
}

static void version_6_in_v4(u8 *f, struct layout *l)
{
	f[l->l3] = 0x65;
}

static void version_4_in_v6(u8 *f, struct layout *l)
{
	f[l->l3] = 0x40;
}

static void not_ip(u8 *f, struct layout *l)
{
	(void)l;
	wr16(f + 12, 0x0806);
}

static void runt(u8 *f, struct layout *l)
{
	(void)f;
	l->len = 13;
}

static void vlan_cut(u8 *f, struct layout *l)
{
	(void)f;
	l->len = 16;
}

START_TEST(test_segment_hostile)
{
	const struct spec v4 = { .payload = 5000, .flags = 0x10 };
	const struct spec v4vlan = { .vlan = true, .payload = 5000, .flags = 0x10 };
	const struct spec v6 = { .v6 = true, .payload = 5000, .flags = 0x10 };
	const struct spec udp4 = { .udp = true, .payload = 5000 };
	const struct spec udp6 = { .udp = true, .v6 = true, .payload = 5000 };
	const u8 t4 = VIRTIO_NET_HDR_GSO_TCPV4, t6 = VIRTIO_NET_HDR_GSO_TCPV6;

	expect_seg_refused(&v4, t4, 0, NULL, "gso_size 0");
	expect_seg_refused(&v6, t6, 0, NULL, "gso_size 0 (v6)");
	expect_seg_refused(&v4, VIRTIO_NET_HDR_GSO_NONE, MSS, NULL, "GSO_NONE");
	expect_seg_refused(&v4, VIRTIO_NET_HDR_GSO_UDP, MSS, NULL, "UFO on TCP");
	expect_seg_refused(&v6, VIRTIO_NET_HDR_GSO_UDP_L4, MSS, NULL, "USO on TCP");
	expect_seg_refused(&udp4, t4, MSS, udp_as_tcp, "TSO on UDP");
	expect_seg_refused(&udp6, t6, MSS, udp_as_tcp, "TSO on UDP (v6)");
	expect_seg_refused(&v6, t4, MSS, NULL, "TCPV4 on an IPv6 frame");
	expect_seg_refused(&v4, t6, MSS, NULL, "TCPV6 on an IPv4 frame");
	expect_seg_refused(&v4, t4, MSS, ihl_4, "IHL too small");
	expect_seg_refused(&v4, t4, MSS, ihl_15, "IHL past the end");
	expect_seg_refused(&v4, t4, MSS, trunc_ip4, "truncated IPv4 header");
	expect_seg_refused(&v6, t6, MSS, trunc_ip6, "truncated IPv6 header");
	expect_seg_refused(&v4, t4, MSS, trunc_tcp4, "truncated TCP header");
	expect_seg_refused(&v6, t6, MSS, trunc_tcp6, "truncated TCP header (v6)");
	expect_seg_refused(&v4, t4, MSS, tot_len_long, "total length past the frame");
	expect_seg_refused(&v4, t4, MSS, tot_len_short, "total length short of the frame");
	expect_seg_refused(&v4, t4, MSS, tot_len_max, "total length 65535");
	expect_seg_refused(&v6, t6, MSS, plen6_long, "IPv6 payload length lies");
	expect_seg_refused(&v4, t4, MSS, doff_4, "TCP data offset too small");
	expect_seg_refused(&v4, t4, MSS, doff_15_short, "TCP data offset past the end");
	expect_seg_refused(&v4, t4, MSS, fragment, "an IPv4 fragment");
	expect_seg_refused(&v4, t4, MSS, version_6_in_v4, "IP version 6 in an IPv4 frame");
	expect_seg_refused(&v6, t6, MSS, version_4_in_v6, "IP version 4 in an IPv6 frame");
	expect_seg_refused(&v4, t4, MSS, not_ip, "ARP");
	expect_seg_refused(&v4, t4, MSS, runt, "a runt");
	expect_seg_refused(&v4vlan, t4, MSS, vlan_cut, "a cut VLAN tag");
}
END_TEST

/* The datagram the UDP frame s was built as: its checksum field full, as build() made it. */
struct datagram {
	u8 *orig;			/* the whole frame, every checksum right */
	struct layout l;
	u16 csum;			/* its UDP checksum */
};

/* Builds a UDP frame from s, keeps a copy, and leaves the original with a partial checksum. */
static u8 *build_udp(const struct spec *s, struct datagram *d, struct virtio_net_hdr_v1 *h,
		     u8 gso, u16 gso_size)
{
	u8 *f = malloc(NET_FRAME_MAX), *g;

	ck_assert_ptr_nonnull(f);
	build(f, s, &d->l);
	d->orig = exact(f, d->l.len);
	d->csum = make_partial(f, &d->l, s, h);
	h->gso_type = gso;
	h->gso_size = htole16(gso_size);
	g = exact(f, d->l.len);
	free(f);
	return g;
}

/*
 * UFO on IPv4: every fragment a valid IPv4 packet of the one datagram
 * (same ID, contiguous offsets in 8-byte units, MF on all but the last,
 * DF off, right lengths and header checksum, options the RFC copies);
 * together, the datagram with its UDP checksum finished.
 */
static void check_fragments(const struct spec *s, const struct datagram *d,
			    const struct segs *out, size_t gso_size)
{
	const struct layout *l = &d->l;
	size_t ihl = l->l4 - l->l3, dlen = l->len - l->l4, off = 0, n;
	size_t max = gso_size & ~7UL;
	u8 *whole = malloc(dlen);
	unsigned int i;

	ck_assert_ptr_nonnull(whole);
	ck_assert_uint_eq(out->n, (dlen + max - 1) / max);
	for (i = 0; i < out->n; i++) {
		const u8 *g = out->data[i], *ip = g + l->l3;
		bool last = i == out->n - 1;
		u16 fo = be16(ip + 6);

		ck_assert_uint_ge(out->len[i], l->l4 + 1);
		n = out->len[i] - l->l4;
		ck_assert_uint_le(n, max);
		if (!last)
			ck_assert_uint_eq(n % 8, 0);
		/* Ethernet as it was; IP as it was but for length, flags, offset and checksum. */
		ck_assert(!memcmp(g, d->orig, l->l3));
		ck_assert_uint_eq(ip[0], 0x40 | ihl / 4);
		ck_assert_uint_eq(be16(ip + 2), out->len[i] - l->l3);
		ck_assert_uint_eq(be16(ip + 4), be16(d->orig + l->l3 + 4));
		ck_assert_uint_eq(fo, (last ? 0 : 0x2000) | off / 8);
		ck_assert(!memcmp(ip + 8, d->orig + l->l3 + 8, 2));	/* TTL, protocol */
		ck_assert(!memcmp(ip + 12, d->orig + l->l3 + 12, 8));
		ck_assert_uint_eq(ref_fold(ref_sum(ip, ihl, 0)), 0xffff);
		if (s->ip_opts)		/* the Router Alert in each */
			ck_assert(!memcmp(ip + 20, ip_opt_bytes, 4));
		if (s->ip_opts >= 8) {	/* the timestamp in the first only */
			if (i)
				ck_assert(!memcmp(ip + 24, "\x01\x01\x01\x01", 4));
			else
				ck_assert(!memcmp(ip + 24, ip_opt_bytes + 4, 4));
		}
		memcpy(whole + off, g + l->l4, n);
		off += n;
	}
	ck_assert_uint_eq(off, dlen);
	/* Reassembled: the original datagram, its checksum complete and right. */
	ck_assert(!memcmp(whole, d->orig + l->l4, dlen));
	ck_assert_uint_eq(be16(whole + 6), d->csum);
	ck_assert_uint_eq(ref_fold(ref_sum(whole, dlen, ref_sum(d->orig + l->l3 + 12, 8, 0) +
					    IPPROTO_UDP + dlen)), 0xffff);
	free(whole);
}

static void ufo_one(const struct spec *s, u16 gso_size)
{
	struct virtio_net_hdr_v1 h;
	struct segs out = { 0 };
	struct datagram d;
	u8 *f = build_udp(s, &d, &h, VIRTIO_NET_HDR_GSO_UDP, gso_size);

	ck_assert_int_eq(net_hdr_segment(&h, f, d.l.len, collect, &out), 0);
	if (d.l.len - d.l.l4 <= gso_size) {
		/* It fits: the frame whole, DF kept, its checksum finished. */
		ck_assert_uint_eq(out.n, 1);
		ck_assert_uint_eq(out.len[0], d.l.len);
		ck_assert(!memcmp(out.data[0], d.orig, d.l.len));
	} else {
		check_fragments(s, &d, &out, gso_size);
	}
	segs_free(&out);
	free(d.orig);
	free(f);
}

START_TEST(test_ufo4)
{
	struct spec s = { .udp = true, .payload = 20000 };

	ufo_one(&s, 1480);		/* what Linux sends for a 1500-byte MTU */
	s.vlan = true;
	s.payload = 4000 - 8;		/* the last fragment carries 1040 */
	ufo_one(&s, 1480);
	s.payload = 1480 - 8 + 1;	/* one byte too many: a fragment of 1 */
	ufo_one(&s, 1480);
	s.payload = 1480 * 3 - 8;	/* an exact multiple: no empty last fragment */
	ufo_one(&s, 1480);
	s.payload = 65535 - 20 - 8;	/* the largest IPv4 datagram: offsets near 2^13 units */
	ufo_one(&s, 1480);
	s.payload = 2000;
	ufo_one(&s, 8);			/* the smallest fragment */
	s.payload = 3000;
	ufo_one(&s, 1000);		/* not a multiple of 8: cut at 1000 & ~7 */
	ufo_one(&s, 1001);
	ufo_one(&s, 0xffff);		/* larger than the datagram: sent whole */
	s.payload = 1472;
	ufo_one(&s, 1480);		/* fits exactly */
	s.payload = 0;
	ufo_one(&s, 1480);
	s.payload = 5000;
	s.ip_opts = 12;			/* options: only the copied ones after the first */
	ufo_one(&s, 1456);
	s.ip_opts = 4;
	ufo_one(&s, 1000);
}
END_TEST

/* UFO with the datagram's checksum field already 0: NEEDS_CSUM asks for one all the same. */
START_TEST(test_ufo4_zero_csum_field)
{
	const struct spec s = { .udp = true, .payload = 3000 };
	struct virtio_net_hdr_v1 h;
	struct segs out = { 0 };
	struct datagram d;
	u8 *f = build_udp(&s, &d, &h, VIRTIO_NET_HDR_GSO_UDP, 1480);

	wr16(f + d.l.l4 + 6, 0);
	ck_assert_int_eq(net_hdr_segment(&h, f, d.l.len, collect, &out), 0);
	check_fragments(&s, &d, &out, 1480);
	segs_free(&out);
	free(d.orig);
	free(f);
}
END_TEST

/* IPv6 UFO needing fragments is not done (slirp could not reassemble them): refused. */
START_TEST(test_ufo6)
{
	struct spec s = { .udp = true, .v6 = true, .payload = 5000 };
	struct virtio_net_hdr_v1 h;
	struct segs out = { 0 };
	struct datagram d;
	u8 *f = build_udp(&s, &d, &h, VIRTIO_NET_HDR_GSO_UDP, 1448);
	u8 *g = exact(f, d.l.len);

	ck_assert_int_eq(net_hdr_segment(&h, f, d.l.len, collect, &out), -EOPNOTSUPP);
	ck_assert_int_eq(net_hdr_to_plain(&h, f, d.l.len, collect, &out), -EOPNOTSUPP);
	ck_assert_uint_eq(out.n, 0);
	ck_assert(!memcmp(f, g, d.l.len));
	free(g);
	free(d.orig);
	free(f);
	/* One that fits needs none: sent whole, its checksum finished. */
	s.payload = 1000;
	f = build_udp(&s, &d, &h, VIRTIO_NET_HDR_GSO_UDP, 1448);
	ck_assert_int_eq(net_hdr_segment(&h, f, d.l.len, collect, &out), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert(!memcmp(out.data[0], d.orig, d.l.len));
	segs_free(&out);
	free(d.orig);
	free(f);
}
END_TEST

/*
 * USO: every segment a datagram of its own, its lengths right and its UDP
 * checksum verified here, with the reference sum, over its own pseudo-header;
 * the payloads in order are the original's.
 */
static void uso_one(const struct spec *s, u16 gso_size)
{
	struct virtio_net_hdr_v1 h;
	struct segs out = { 0 };
	struct datagram d;
	u8 *f = build_udp(s, &d, &h, VIRTIO_NET_HDR_GSO_UDP_L4, gso_size);
	const struct layout *l = &d.l;
	size_t off = 0, n, j;
	unsigned int i, want = s->payload ? (s->payload + gso_size - 1) / gso_size : 1;

	ck_assert_int_eq(net_hdr_segment(&h, f, l->len, collect, &out), 0);
	ck_assert_uint_eq(out.n, want);
	for (i = 0; i < out.n; i++) {
		const u8 *g = out.data[i], *ip = g + l->l3, *udp = g + l->l4;
		struct layout sl = *l;

		n = MIN(gso_size, s->payload - off);
		ck_assert_uint_eq(out.len[i], l->payload + n);
		sl.len = out.len[i];
		ck_assert(!memcmp(g, d.orig, l->l3));
		if (s->v6) {
			ck_assert_uint_eq(be16(ip + 4), 8 + n);
			ck_assert(!memcmp(ip, d.orig + l->l3, 4));
			ck_assert(!memcmp(ip + 6, d.orig + l->l3 + 6, 34));
		} else {
			ck_assert_uint_eq(be16(ip + 2), out.len[i] - l->l3);
			ck_assert_uint_eq(be16(ip + 4), (u16)(0xfff0 + i));
			ck_assert_uint_eq(be16(ip + 6), 0x4000);	/* DF stays */
			ck_assert_uint_eq(ref_fold(ref_sum(ip, l->l4 - l->l3, 0)), 0xffff);
		}
		ck_assert(!memcmp(udp, d.orig + l->l4, 4));		/* ports */
		ck_assert_uint_eq(be16(udp + 4), 8 + n);
		ck_assert_uint_ne(be16(udp + 6), 0);
		ck_assert_uint_eq(ref_fold(ref_sum(udp, 8 + n,
						   ref_pseudo(g, &sl, s->v6, IPPROTO_UDP))), 0xffff);
		for (j = 0; j < n; j++)
			ck_assert_uint_eq(g[l->payload + j], payload_byte(off + j));
		off += n;
	}
	ck_assert_uint_eq(off, s->payload);
	segs_free(&out);
	free(d.orig);
	free(f);
}

START_TEST(test_uso4)
{
	struct spec s = { .udp = true, .payload = 20000 };

	uso_one(&s, 1472);
	s.vlan = true;
	uso_one(&s, 1000);
	s.payload = 3000;		/* an exact multiple */
	uso_one(&s, 1000);
	s.payload = 1001;		/* the last segment one byte */
	uso_one(&s, 1000);
	s.payload = 999;		/* fits: one datagram */
	uso_one(&s, 1000);
	uso_one(&s, 0xffff);
	s.payload = 0;
	uso_one(&s, 1000);
	s.payload = 65535 - 20 - 8;
	uso_one(&s, 1400);
	s.payload = 300;
	uso_one(&s, 1);			/* the smallest */
	s.ip_opts = 8;
	s.payload = 5000;
	uso_one(&s, 1400);
}
END_TEST

START_TEST(test_uso6)
{
	struct spec s = { .udp = true, .v6 = true, .payload = 20000 };

	uso_one(&s, 1452);
	s.vlan = true;
	uso_one(&s, 1000);
	s.payload = 1453;
	uso_one(&s, 1452);
	s.payload = NET_FRAME_MAX - 18 - 40 - 8;	/* the longest frame lkvm takes */
	uso_one(&s, 9000);
	s.payload = 7;
	uso_one(&s, 2);
}
END_TEST

static void udp_len_long(u8 *f, struct layout *l)
{
	wr16(f + l->l4 + 4, be16(f + l->l4 + 4) + 1);
}

static void udp_len_short(u8 *f, struct layout *l)
{
	wr16(f + l->l4 + 4, 8);
}

static void trunc_udp4(u8 *f, struct layout *l)
{
	l->len = l->l4 + 7;
	wr16(f + l->l3 + 2, l->len - l->l3);
}

static void trunc_udp6(u8 *f, struct layout *l)
{
	l->len = l->l4 + 7;
	wr16(f + l->l3 + 4, l->len - l->l4);
}

/* IPv4 options whose last one says it runs past the header. */
static void opt_past_header(u8 *f, struct layout *l)
{
	f[l->l3 + 20 + 9] = 0x44;
	f[l->l3 + 20 + 10] = 4;
}

static void opt_len_0(u8 *f, struct layout *l)
{
	f[l->l3 + 20 + 5] = 0;
}

START_TEST(test_udp_hostile)
{
	const struct spec udp4 = { .udp = true, .payload = 5000 };
	const struct spec udp4o = { .udp = true, .ip_opts = 12, .payload = 5000 };
	const struct spec udp6 = { .udp = true, .v6 = true, .payload = 5000 };
	const u8 ufo = VIRTIO_NET_HDR_GSO_UDP, uso = VIRTIO_NET_HDR_GSO_UDP_L4;

	expect_seg_refused(&udp4, ufo, 0, NULL, "UFO, gso_size 0");
	expect_seg_refused(&udp4, ufo, 7, NULL, "UFO, gso_size under 8 bytes");
	expect_seg_refused(&udp4, uso, 0, NULL, "USO, gso_size 0");
	expect_seg_refused(&udp6, uso, 0, NULL, "USO, gso_size 0 (v6)");
	expect_seg_refused(&udp4, ufo, MSS, udp_len_long, "UFO, UDP length past the frame");
	expect_seg_refused(&udp4, uso, MSS, udp_len_long, "USO, UDP length past the frame");
	expect_seg_refused(&udp6, uso, MSS, udp_len_short, "USO, UDP length short (v6)");
	expect_seg_refused(&udp4, ufo, MSS, udp_len_short, "UFO, UDP length short");
	expect_seg_refused(&udp4, uso, MSS, trunc_udp4, "USO, truncated UDP header");
	expect_seg_refused(&udp6, uso, MSS, trunc_udp6, "USO, truncated UDP header (v6)");
	expect_seg_refused(&udp4, ufo, MSS, trunc_udp4, "UFO, truncated UDP header");
	expect_seg_refused(&udp4, ufo, MSS, tot_len_long, "UFO, total length past the frame");
	expect_seg_refused(&udp4, uso, MSS, tot_len_short, "USO, total length short");
	expect_seg_refused(&udp6, uso, MSS, plen6_long, "USO, IPv6 payload length lies");
	expect_seg_refused(&udp4, ufo, MSS, fragment, "UFO of a fragment");
	expect_seg_refused(&udp4, uso, MSS, fragment, "USO of a fragment");
	expect_seg_refused(&udp4, uso, MSS, ihl_4, "USO, IHL too small");
	expect_seg_refused(&udp4, ufo, MSS, ihl_15, "UFO, IHL past the end");
	expect_seg_refused(&udp4, ufo, MSS, not_ip, "UFO of ARP");
	expect_seg_refused(&udp4, uso, MSS, runt, "USO of a runt");
	expect_seg_refused(&udp4o, ufo, MSS, opt_past_header, "UFO, an option past the header");
	expect_seg_refused(&udp4o, ufo, MSS, opt_len_0, "UFO, an option of length 0");
	expect_seg_refused(&udp4, VIRTIO_NET_HDR_GSO_TCPV4, MSS, NULL, "TSO on UDP");
}
END_TEST

/* What slirp's backend does with them: plain frames out, or nothing. */
START_TEST(test_udp_to_plain)
{
	const struct spec s = { .udp = true, .payload = 4000 };
	struct virtio_net_hdr_v1 h;
	struct segs out = { 0 };
	struct datagram d;
	u8 *f = build_udp(&s, &d, &h, VIRTIO_NET_HDR_GSO_UDP, 1480);

	ck_assert_int_eq(net_hdr_to_plain(&h, f, d.l.len, collect, &out), 0);
	check_fragments(&s, &d, &out, 1480);
	segs_free(&out);
	free(f);
	free(d.orig);
	f = build_udp(&s, &d, &h, VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	ck_assert_int_eq(net_hdr_to_plain(&h, f, d.l.len, collect, &out), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_uint_eq(out.len[3], d.l.payload + 1000);
	segs_free(&out);
	free(f);
	free(d.orig);
}
END_TEST

/* Longer than any frame: refused before anything is parsed. */
START_TEST(test_segment_too_long)
{
	struct virtio_net_hdr_v1 h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	struct segs out = { 0 };
	u8 *f = calloc(1, NET_FRAME_MAX + 1);

	ck_assert_int_eq(net_hdr_segment(&h, f, NET_FRAME_MAX + 1, collect, &out), -EINVAL);
	ck_assert_uint_eq(out.n, 0);
	free(f);
}
END_TEST

START_TEST(test_to_plain)
{
	const struct spec s = { .payload = 3000, .flags = 0x18 };
	struct virtio_net_hdr_v1 h = { 0 };
	struct segs out = { 0 };
	struct layout l;
	u8 *f = malloc(4000);
	u16 want;

	build(f, &s, &l);
	/* No offload: the frame as it is. */
	ck_assert_int_eq(net_hdr_to_plain(&h, f, l.len, collect, &out), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert(!memcmp(out.data[0], f, l.len));
	segs_free(&out);
	/* A partial checksum: finished. */
	want = make_partial(f, &l, &s, &h);
	ck_assert_int_eq(net_hdr_to_plain(&h, f, l.len, collect, &out), 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(be16(out.data[0] + l.l4 + 16), want);
	segs_free(&out);
	/* ... out of bounds: dropped. */
	h.csum_start = htole16(l.len);
	ck_assert_int_eq(net_hdr_to_plain(&h, f, l.len, collect, &out), -EINVAL);
	ck_assert_uint_eq(out.n, 0);
	/* TSO: segmented. */
	h = gso_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	ck_assert_int_eq(net_hdr_to_plain(&h, f, l.len, collect, &out), 0);
	check_segments(&s, &l, &out, 1000);
	segs_free(&out);
	free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_hdr");
	TCase *tc = tcase_create("offloads");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_csum_known_frames);
	tcase_add_test(tc, test_csum_reference);
	tcase_add_test(tc, test_csum_zero);
	tcase_add_test(tc, test_csum_hostile);
	tcase_add_test(tc, test_tx_check);
	tcase_add_test(tc, test_rx_check);
	tcase_add_test(tc, test_segment_tcp4);
	tcase_add_test(tc, test_segment_tcp6);
	tcase_add_test(tc, test_segment_hostile);
	tcase_add_test(tc, test_segment_too_long);
	tcase_add_test(tc, test_ufo4);
	tcase_add_test(tc, test_ufo4_zero_csum_field);
	tcase_add_test(tc, test_ufo6);
	tcase_add_test(tc, test_uso4);
	tcase_add_test(tc, test_uso6);
	tcase_add_test(tc, test_udp_hostile);
	tcase_add_test(tc, test_udp_to_plain);
	tcase_add_test(tc, test_to_plain);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
