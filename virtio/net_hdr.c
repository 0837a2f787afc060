// SPDX-License-Identifier: GPL-2.0
/*
 * Checksum completion and TCP segmentation for the virtio-net header.
 * Everything here reads a frame the guest wrote: each offset is checked
 * against the frame's length before it is used, and a frame that does not
 * parse is refused as a whole.
 *
 * Checksums are summed over 16-bit words as they lie in memory and stored
 * back the same way: the one's-complement sum does not depend on byte
 * order (RFC 1071), so no field needs swapping.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "net_hdr.h"

#define ETH_HLEN_VLAN		(ETH_HLEN + 4)
#define IPV4_HLEN_MIN		20
#define IPV6_HLEN		40
#define TCP_HLEN_MIN		20
/* The most header a segment repeats: Ethernet with a VLAN tag, IPv4 and TCP, both with options. */
#define SEG_HDRS_MAX		(ETH_HLEN_VLAN + 60 + 60)

#define TCP_FIN			0x01
#define TCP_PSH			0x08
#define TCP_CWR			0x80

/* Where the headers of a TCP/IP frame lie. */
struct tcp_frame {
	bool v6;
	size_t l3;			/* IP header */
	size_t l4;			/* TCP header */
	size_t payload;			/* first payload byte: the length of all headers */
};

static u16 get_be16(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static u32 get_be32(const u8 *p)
{
	return (u32)get_be16(p) << 16 | get_be16(p + 2);
}

static void put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(u8 *p, u32 v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static bool has(u64 features, unsigned int bit)
{
	return features & (1ULL << bit);
}

static u64 csum_add(u64 sum, const u8 *p, size_t len)
{
	u32 w;
	u16 h = 0;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		sum += w;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		h = 0;
		memcpy(&h, p, 1);
		sum += h;
	}
	return sum;
}

/* The complemented 16-bit sum, ready to be stored as it lies in memory. */
static u16 csum_fold(u64 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

bool net_hdr_tx_check(struct virtio_net_hdr_v1 *h, u64 features)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool csum = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;

	/* DATA_VALID and RSC_INFO are the device's (5.1.6.2): a quirk, not a reason to drop. */
	h->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (csum && !has(features, VIRTIO_NET_F_CSUM))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return !(h->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	/* GSO comes with a partial checksum and an MSS (5.1.6.2); lkvm offers no UFO or USO. */
	if (!csum || !h->gso_size)
		return false;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !has(features, VIRTIO_NET_F_HOST_ECN))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4)
		return has(features, VIRTIO_NET_F_HOST_TSO4);
	if (gso == VIRTIO_NET_HDR_GSO_TCPV6)
		return has(features, VIRTIO_NET_F_HOST_TSO6);
	return false;
}

bool net_hdr_rx_check(struct virtio_net_hdr_v1 *h, u64 features)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool csum_ok = has(features, VIRTIO_NET_F_GUEST_CSUM);

	/* A partial checksum the guest cannot finish is a frame it cannot use. */
	if (!csum_ok && (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return false;
	/* Without GUEST_CSUM the flags must be zero (5.1.6.3.1); DATA_VALID is only a hint. */
	h->flags &= csum_ok ? VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID : 0;
	if (gso == VIRTIO_NET_HDR_GSO_NONE) {
		h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		return true;
	}
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !has(features, VIRTIO_NET_F_GUEST_ECN))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4)
		return has(features, VIRTIO_NET_F_GUEST_TSO4);
	if (gso == VIRTIO_NET_HDR_GSO_TCPV6)
		return has(features, VIRTIO_NET_F_GUEST_TSO6);
	return false;
}

int net_hdr_csum(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len)
{
	size_t start = le16toh(h->csum_start);
	size_t at = start + le16toh(h->csum_offset);
	u16 sum;

	if (len < 2 || start >= len || at > len - 2)
		return -EINVAL;
	sum = csum_fold(csum_add(0, frame + start, len - start));
	/* As Linux does: 0 means "no checksum" to UDP; in one's complement it equals 0xffff. */
	if (!sum)
		sum = 0xffff;
	memcpy(frame + at, &sum, 2);
	return 0;
}

static int parse_ipv4(const u8 *f, size_t len, struct tcp_frame *t)
{
	const u8 *ip = f + t->l3;
	size_t ihl;

	if (len - t->l3 < IPV4_HLEN_MIN || ip[0] >> 4 != 4)
		return -EINVAL;
	ihl = (ip[0] & 0xf) * 4;
	/* Total length must be the frame's, or the payload would be guessed; no fragments. */
	if (ihl < IPV4_HLEN_MIN || ihl > len - t->l3 || get_be16(ip + 2) != len - t->l3 ||
	    (get_be16(ip + 6) & 0x3fff) || ip[9] != IPPROTO_TCP)
		return -EINVAL;
	t->l4 = t->l3 + ihl;
	return 0;
}

/* Extension headers are refused: Linux does not send TSO frames with them. */
static int parse_ipv6(const u8 *f, size_t len, struct tcp_frame *t)
{
	const u8 *ip = f + t->l3;

	if (len - t->l3 < IPV6_HLEN || ip[0] >> 4 != 6 ||
	    get_be16(ip + 4) != len - t->l3 - IPV6_HLEN || ip[6] != IPPROTO_TCP)
		return -EINVAL;
	t->l4 = t->l3 + IPV6_HLEN;
	return 0;
}

static int parse_tcp_frame(const u8 *f, size_t len, bool v6, struct tcp_frame *t)
{
	u16 type;
	size_t doff;
	int ret;

	if (len < ETH_HLEN || len > NET_FRAME_MAX)
		return -EINVAL;
	t->v6 = v6;
	t->l3 = ETH_HLEN;
	type = get_be16(f + 12);
	if (type == ETH_P_8021Q) {
		if (len < ETH_HLEN_VLAN)
			return -EINVAL;
		type = get_be16(f + 16);
		t->l3 = ETH_HLEN_VLAN;
	}
	if (type != (v6 ? ETH_P_IPV6 : ETH_P_IP))
		return -EINVAL;
	ret = v6 ? parse_ipv6(f, len, t) : parse_ipv4(f, len, t);
	if (ret || len - t->l4 < TCP_HLEN_MIN)
		return -EINVAL;
	doff = (f[t->l4 + 12] >> 4) * 4;
	if (doff < TCP_HLEN_MIN || doff > len - t->l4)
		return -EINVAL;
	t->payload = t->l4 + doff;
	return 0;
}

static u16 tcp_csum(const struct tcp_frame *t, const u8 *seg, size_t len)
{
	u8 pseudo[IPV6_HLEN] = { 0 };
	size_t tcp_len = len - t->l4, n;
	const u8 *ip = seg + t->l3;

	if (t->v6) {
		memcpy(pseudo, ip + 8, 32);
		put_be32(pseudo + 32, tcp_len);
		pseudo[39] = IPPROTO_TCP;
		n = 40;
	} else {
		memcpy(pseudo, ip + 12, 8);
		pseudo[9] = IPPROTO_TCP;
		put_be16(pseudo + 10, tcp_len);
		n = 12;
	}
	return csum_fold(csum_add(csum_add(0, pseudo, n), seg + t->l4, tcp_len));
}

/* Segment i of n, 'len' bytes with headers, payload from byte 'off' of the super-frame's. */
static void fix_segment(const struct tcp_frame *t, u8 *seg, size_t len, size_t off,
			unsigned int i, bool last)
{
	u8 *ip = seg + t->l3, *tcp = seg + t->l4;
	u16 sum;

	if (t->v6) {
		put_be16(ip + 4, len - t->l3 - IPV6_HLEN);
	} else {
		put_be16(ip + 2, len - t->l3);
		put_be16(ip + 4, get_be16(ip + 4) + i);	/* IP ID, as Linux's GSO counts it */
		memset(ip + 10, 0, 2);
		sum = csum_fold(csum_add(0, ip, t->l4 - t->l3));
		memcpy(ip + 10, &sum, 2);
	}
	put_be32(tcp + 4, get_be32(tcp + 4) + off);
	if (!last)
		tcp[13] &= ~(TCP_FIN | TCP_PSH);
	if (i)
		tcp[13] &= ~TCP_CWR;	/* the window was cut once, by the first segment */
	memset(tcp + 16, 0, 2);
	sum = tcp_csum(t, seg, len);
	memcpy(tcp + 16, &sum, 2);
}

int net_hdr_segment(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		    void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN, hdrs[SEG_HDRS_MAX];
	size_t mss = le16toh(h->gso_size), hlen, plen, off = 0, n;
	struct tcp_frame t;
	unsigned int i;

	if ((gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6) || !mss ||
	    parse_tcp_frame(frame, len, gso == VIRTIO_NET_HDR_GSO_TCPV6, &t))
		return -EINVAL;
	hlen = t.payload;
	if (hlen > sizeof(hdrs))
		return -EINVAL;
	plen = len - hlen;
	memcpy(hdrs, frame, hlen);
	/*
	 * Segment i starts i * mss bytes into the frame: its headers overwrite
	 * only payload that earlier segments already carried out.
	 */
	for (i = 0; ; i++) {
		n = MIN(mss, plen - off);
		if (off)
			memcpy(frame + off, hdrs, hlen);
		fix_segment(&t, frame + off, hlen + n, off, i, off + n == plen);
		emit(opaque, frame + off, hlen + n);
		off += n;
		if (off == plen)
			return 0;
	}
}

int net_hdr_to_plain(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		     void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque)
{
	int ret;

	if ((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE)
		return net_hdr_segment(h, frame, len, emit, opaque);
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		ret = net_hdr_csum(h, frame, len);
		if (ret)
			return ret;
	}
	emit(opaque, frame, len);
	return 0;
}
