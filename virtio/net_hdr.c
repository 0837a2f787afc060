// SPDX-License-Identifier: GPL-2.0
/*
 * Checksum completion and segmentation for the virtio-net header: TCP
 * segments (TSO), IPv4 fragments of a UDP datagram (UFO) and UDP datagrams
 * (USO). Everything here reads a frame the guest wrote: each offset is
 * checked against the frame's length before it is used, and a frame that
 * does not parse is refused as a whole, before any piece of it goes out.
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
#define UDP_HLEN		8
/* The most header a segment repeats: Ethernet with a VLAN tag, IPv4 and TCP, both with options. */
#define SEG_HDRS_MAX		(ETH_HLEN_VLAN + 60 + 60)

#define TCP_FIN			0x01
#define TCP_PSH			0x08
#define TCP_CWR			0x80

#define TCP_CSUM		16	/* where the checksum lies in each header */
#define UDP_CSUM		6

#define IPV4_MF			0x2000	/* in the flags and fragment offset word */
#define IPV4_OFFSET		0x1fff
#define IPV4_OPT_END		0
#define IPV4_OPT_NOP		1
#define IPV4_OPT_COPIED		0x80	/* the option goes in every fragment */
#define FRAG_UNIT		8	/* fragment offsets count 8-byte units */

/* What a GSO frame asks for. */
enum gso_kind {
	GSO_TCP,			/* TSO: TCP segments */
	GSO_UDP_FRAG,			/* UFO: IP fragments of one UDP datagram */
	GSO_UDP_SEG,			/* USO: UDP datagrams of gso_size payload each */
};

/* Where the headers of a TCP or UDP over IP frame lie. */
struct gso_frame {
	enum gso_kind kind;
	bool v6;
	u8 proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	size_t l3;			/* IP header */
	size_t l4;			/* TCP or UDP header */
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
	bool ecn = h->gso_type & VIRTIO_NET_HDR_GSO_ECN;

	/* DATA_VALID and RSC_INFO are the device's (5.1.6.2): a quirk, not a reason to drop. */
	h->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (csum && !has(features, VIRTIO_NET_F_CSUM))
		return false;
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return !ecn;
	/* GSO comes with a partial checksum and an MSS (5.1.6.2). */
	if (!csum || !h->gso_size)
		return false;
	if (ecn && !has(features, VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(features, VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(features, VIRTIO_NET_F_HOST_TSO6);
	/* ECN is a TCP flag: on UDP the bit is a driver's mistake. */
	case VIRTIO_NET_HDR_GSO_UDP:
		return !ecn && has(features, VIRTIO_NET_F_HOST_UFO);
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return !ecn && has(features, VIRTIO_NET_F_HOST_USO);
	default:
		return false;
	}
}

bool net_hdr_rx_check(struct virtio_net_hdr_v1 *h, u64 features)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool csum_ok = has(features, VIRTIO_NET_F_GUEST_CSUM);
	bool ecn = h->gso_type & VIRTIO_NET_HDR_GSO_ECN;

	/* A partial checksum the guest cannot finish is a frame it cannot use. */
	if (!csum_ok && (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return false;
	/* Without GUEST_CSUM the flags must be zero (5.1.6.3.1); DATA_VALID is only a hint. */
	h->flags &= csum_ok ? VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID : 0;
	if (gso == VIRTIO_NET_HDR_GSO_NONE) {
		h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
		return true;
	}
	if (ecn && !has(features, VIRTIO_NET_F_GUEST_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(features, VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(features, VIRTIO_NET_F_GUEST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP:
		return !ecn && has(features, VIRTIO_NET_F_GUEST_UFO);
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		/*
		 * The header does not say which IP version: take it only from
		 * a driver that can have both. A tap makes these only then
		 * (the kernel takes TUN_F_USO4 and TUN_F_USO6 together).
		 */
		return !ecn && has(features, VIRTIO_NET_F_GUEST_USO4) &&
		       has(features, VIRTIO_NET_F_GUEST_USO6);
	default:
		return false;
	}
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

static int parse_ipv4(const u8 *f, size_t len, struct gso_frame *t)
{
	const u8 *ip = f + t->l3;
	size_t ihl;

	if (len - t->l3 < IPV4_HLEN_MIN || ip[0] >> 4 != 4)
		return -EINVAL;
	ihl = (ip[0] & 0xf) * 4;
	/* Total length must be the frame's, or the payload would be guessed; no fragments. */
	if (ihl < IPV4_HLEN_MIN || ihl > len - t->l3 || get_be16(ip + 2) != len - t->l3 ||
	    (get_be16(ip + 6) & (IPV4_MF | IPV4_OFFSET)) || ip[9] != t->proto)
		return -EINVAL;
	t->l4 = t->l3 + ihl;
	return 0;
}

/* Extension headers are refused: Linux does not send GSO frames with them. */
static int parse_ipv6(const u8 *f, size_t len, struct gso_frame *t)
{
	const u8 *ip = f + t->l3;

	if (len - t->l3 < IPV6_HLEN || ip[0] >> 4 != 6 ||
	    get_be16(ip + 4) != len - t->l3 - IPV6_HLEN || ip[6] != t->proto)
		return -EINVAL;
	t->l4 = t->l3 + IPV6_HLEN;
	return 0;
}

/* What the GSO type asks for; TSO names the IP version, UFO and USO leave it to the frame. */
static int gso_kind(u8 gso, u16 type, struct gso_frame *t)
{
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		t->kind = GSO_TCP;
		t->proto = IPPROTO_TCP;
		t->v6 = gso == VIRTIO_NET_HDR_GSO_TCPV6;
		return type == (t->v6 ? ETH_P_IPV6 : ETH_P_IP) ? 0 : -EINVAL;
	case VIRTIO_NET_HDR_GSO_UDP:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		t->kind = gso == VIRTIO_NET_HDR_GSO_UDP ? GSO_UDP_FRAG : GSO_UDP_SEG;
		t->proto = IPPROTO_UDP;
		t->v6 = type == ETH_P_IPV6;
		return type == ETH_P_IP || type == ETH_P_IPV6 ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static int parse_frame(const u8 *f, size_t len, u8 gso, struct gso_frame *t)
{
	u16 type;
	size_t doff;
	int ret;

	if (len < ETH_HLEN || len > NET_FRAME_MAX)
		return -EINVAL;
	t->l3 = ETH_HLEN;
	type = get_be16(f + 12);
	if (type == ETH_P_8021Q) {
		if (len < ETH_HLEN_VLAN)
			return -EINVAL;
		type = get_be16(f + 16);
		t->l3 = ETH_HLEN_VLAN;
	}
	ret = gso_kind(gso, type, t);
	if (!ret)
		ret = t->v6 ? parse_ipv6(f, len, t) : parse_ipv4(f, len, t);
	if (ret)
		return ret;
	if (t->proto == IPPROTO_UDP) {
		/* Every piece's length derives from the datagram's: it must be the frame's. */
		if (len - t->l4 < UDP_HLEN || get_be16(f + t->l4 + 4) != len - t->l4)
			return -EINVAL;
		t->payload = t->l4 + UDP_HLEN;
		return 0;
	}
	if (len - t->l4 < TCP_HLEN_MIN)
		return -EINVAL;
	doff = (f[t->l4 + 12] >> 4) * 4;
	if (doff < TCP_HLEN_MIN || doff > len - t->l4)
		return -EINVAL;
	t->payload = t->l4 + doff;
	return 0;
}

/* The TCP or UDP checksum of a piece 'len' bytes long, its checksum field zero. */
static u16 l4_csum(const struct gso_frame *t, const u8 *seg, size_t len)
{
	u8 pseudo[IPV6_HLEN] = { 0 };
	size_t l4_len = len - t->l4, n;
	const u8 *ip = seg + t->l3;
	u16 sum;

	if (t->v6) {
		memcpy(pseudo, ip + 8, 32);
		put_be32(pseudo + 32, l4_len);
		pseudo[39] = t->proto;
		n = 40;
	} else {
		memcpy(pseudo, ip + 12, 8);
		pseudo[9] = t->proto;
		put_be16(pseudo + 10, l4_len);
		n = 12;
	}
	sum = csum_fold(csum_add(csum_add(0, pseudo, n), seg + t->l4, l4_len));
	/* To UDP a zero checksum means "none"; 0xffff is the same sum (RFC 768). */
	if (!sum && t->proto == IPPROTO_UDP)
		sum = 0xffff;
	return sum;
}

static void set_l4_csum(const struct gso_frame *t, u8 *seg, size_t len)
{
	u8 *at = seg + t->l4 + (t->proto == IPPROTO_TCP ? TCP_CSUM : UDP_CSUM);
	u16 sum;

	memset(at, 0, 2);
	sum = l4_csum(t, seg, len);
	memcpy(at, &sum, 2);
}

/* A piece's IP header: its length and, for IPv4, its ID and header checksum. */
static void fix_ip(const struct gso_frame *t, u8 *seg, size_t len, unsigned int i)
{
	u8 *ip = seg + t->l3;
	u16 sum;

	if (t->v6) {
		put_be16(ip + 4, len - t->l3 - IPV6_HLEN);
		return;
	}
	put_be16(ip + 2, len - t->l3);
	/* IDs as Linux's GSO counts them: one per segment; fragments share their datagram's. */
	if (t->kind != GSO_UDP_FRAG)
		put_be16(ip + 4, get_be16(ip + 4) + i);
	memset(ip + 10, 0, 2);
	sum = csum_fold(csum_add(0, ip, t->l4 - t->l3));
	memcpy(ip + 10, &sum, 2);
}

/* Piece i, 'len' bytes with headers, carrying the super-frame's payload from byte 'off'. */
static void fix_piece(const struct gso_frame *t, u8 *seg, size_t len, size_t off,
		      unsigned int i, bool last)
{
	u8 *l4 = seg + t->l4;

	switch (t->kind) {
	case GSO_TCP:
		put_be32(l4 + 4, get_be32(l4 + 4) + off);
		if (!last)
			l4[13] &= ~(TCP_FIN | TCP_PSH);
		if (i)
			l4[13] &= ~TCP_CWR;	/* the window was cut once, by the first segment */
		fix_ip(t, seg, len, i);
		set_l4_csum(t, seg, len);
		break;
	case GSO_UDP_SEG:
		put_be16(l4 + 4, len - t->l4);
		fix_ip(t, seg, len, i);
		set_l4_csum(t, seg, len);
		break;
	case GSO_UDP_FRAG:
		/*
		 * A datagram that fits is sent as it is, DF and all; one that
		 * does not is being fragmented, which DF cannot forbid now.
		 */
		if (!(i == 0 && last))
			put_be16(seg + t->l3 + 6, off / FRAG_UNIT | (last ? 0 : IPV4_MF));
		fix_ip(t, seg, len, i);
		break;
	}
}

/*
 * Options without the "copied" flag belong to the first fragment only
 * (RFC 791): in the others' header they become NOPs, which keeps its length.
 */
static int ipv4_frag_options(u8 *o, size_t len)
{
	size_t i = 0, n;

	while (i < len && o[i] != IPV4_OPT_END) {
		if (o[i] == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || o[i + 1] < 2 || o[i + 1] > len - i)
			return -EINVAL;
		n = o[i + 1];
		if (!(o[i] & IPV4_OPT_COPIED))
			memset(o + i, IPV4_OPT_NOP, n);
		i += n;
	}
	return 0;
}

/*
 * UFO: gso_size is what each fragment carries of the IP payload (the UDP
 * header counts in the first), in whole 8-byte units but for the last.
 * The UDP checksum covers the whole datagram, so it is finished first;
 * 'hdrs' becomes the header of the fragments after the first.
 */
static int prepare_fragments(const struct gso_frame *t, u8 *frame, size_t len, u8 *hdrs,
			     size_t *mss)
{
	size_t ihl = t->l4 - t->l3;
	int ret;

	if (len - t->l4 > *mss) {
		*mss = ALIGN_DOWN(*mss, FRAG_UNIT);
		if (!*mss)
			return -EINVAL;
		/* IPv6 fragments need a Fragment header, which slirp could not reassemble anyway. */
		if (t->v6)
			return -EOPNOTSUPP;
		ret = ipv4_frag_options(hdrs + t->l3 + IPV4_HLEN_MIN, ihl - IPV4_HLEN_MIN);
		if (ret)
			return ret;
	}
	set_l4_csum(t, frame, len);
	return 0;
}

int net_hdr_segment(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		    void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque)
{
	u8 gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN, hdrs[SEG_HDRS_MAX];
	size_t mss = le16toh(h->gso_size), hlen, plen, off = 0, n;
	struct gso_frame t;
	unsigned int i;
	int ret;

	if (!mss || parse_frame(frame, len, gso, &t))
		return -EINVAL;
	/* Each piece repeats every header; a fragment only the IP header (the UDP one is payload). */
	hlen = t.kind == GSO_UDP_FRAG ? t.l4 : t.payload;
	if (hlen > sizeof(hdrs))
		return -EINVAL;
	plen = len - hlen;
	memcpy(hdrs, frame, hlen);
	if (t.kind == GSO_UDP_FRAG) {
		ret = prepare_fragments(&t, frame, len, hdrs, &mss);
		if (ret)
			return ret;
	}
	/*
	 * Piece i starts i * mss bytes into the frame: its headers overwrite
	 * only payload that earlier pieces already carried out.
	 */
	for (i = 0; ; i++) {
		n = MIN(mss, plen - off);
		if (off)
			memcpy(frame + off, hdrs, hlen);
		fix_piece(&t, frame + off, hlen + n, off, i, off + n == plen);
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
