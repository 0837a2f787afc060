// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net with its real backends, driven as a guest driver would drive
 * it on a VM built by hand (no KVM): rings in fake guest RAM, kicks served
 * by the event loop this test turns itself.
 *
 * User mode: an ARP exchange and a TCP connection through libslirp to a
 * listener on 127.0.0.1; a 20 000-byte TSO super-frame from the guest must
 * arrive whole and in order (slirp checks each segment's checksum), and
 * frames to the guest say DATA_VALID only if it negotiated GUEST_CSUM. A
 * UFO datagram (cut into IPv4 fragments, which slirp reassembles) reaches
 * a UDP socket on 127.0.0.1 whole, a USO super-frame as its datagrams.
 *
 * Tap (needs CAP_NET_ADMIN and /dev/net/tun; passes with a note without):
 * the offloads offered for a new tap and for inherited fds with and
 * without IFF_VNET_HDR, fds that are no tap refused, and the header passing
 * through both ways: the guest's TSO frame reaches the host side as one
 * GSO packet, and a GSO packet sent out of the tap reaches the guest whole
 * when it negotiated GUEST_TSO4, cut by the host's kernel after a reset
 * without it; the same for USO where the host's kernel has it (6.2).
 */
#include <arpa/inet.h>
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_ring.h>

#include "core/vm.h"
#include "virtio/net.h"

#define MEM_SIZE	0x100000ULL
#define QSZ		16
#define RX_BUF		2048
#define RX_BASE		0x10000ULL
#define TX_BASE		0x40000ULL
#define RXQ		0
#define TXQ		1
#define MSS		1448
#define SEND_LEN	20000

#define S_UP		(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER)
#define BIT(f)		(1ULL << (f))
#define TCP_OFFLOADS	(BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) | \
			 BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) | \
			 BIT(VIRTIO_NET_F_GUEST_ECN) | BIT(VIRTIO_NET_F_HOST_TSO4) | \
			 BIT(VIRTIO_NET_F_HOST_TSO6) | BIT(VIRTIO_NET_F_HOST_ECN))
#define UFO_OFFLOADS	(BIT(VIRTIO_NET_F_HOST_UFO) | BIT(VIRTIO_NET_F_GUEST_UFO))
#define USO_OFFLOADS	(BIT(VIRTIO_NET_F_HOST_USO) | BIT(VIRTIO_NET_F_GUEST_USO4) | \
			 BIT(VIRTIO_NET_F_GUEST_USO6))
#define OFFLOAD_BITS	(TCP_OFFLOADS | UFO_OFFLOADS | USO_OFFLOADS)
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#define TUN_F_USO6	0x40
#endif

static const u8 guest_ip[4] = { 10, 0, 2, 15 };
static const u8 host_ip[4] = { 10, 0, 2, 2 };

/* The driver's side of one queue. */
struct dq {
	u64 desc, avail, used;
	u16 avail_idx, used_seen;
};

struct bench {
	struct vm vm;
	struct virtio_net *net;
	struct virtio_dev *dev;
	struct dq q[2];
	unsigned int interrupts;
	struct virtio_net_hdr_v1 rx_hdr;	/* the last frame rx_take() gave */
	u8 rx[NET_FRAME_MAX];
	size_t rx_len;
};

static void signal_queue(struct virtio_dev *dev, struct virtq *vq)
{
	struct bench *b = dev->transport_priv;

	(void)vq;
	b->interrupts++;
}

static void signal_config(struct virtio_dev *dev)
{
	(void)dev;
}

static const struct virtio_transport_ops transport = {
	.signal_queue = signal_queue,
	.signal_config = signal_config,
};

static void *gp(struct bench *b, u64 gpa, u64 len)
{
	void *p = guest_ptr(&b->vm.mem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* A device for 'arg' (as -n takes it), or NULL with e saying why. */
static struct bench *bench_new(const char *arg, struct err_msg *e)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct net_config c;

	ck_assert_ptr_nonnull(b);
	b->vm.kvm_fd = b->vm.vm_fd = b->vm.stop_fd = -1;
	strcpy(b->vm.cfg.name, "nettest");
	ck_assert_int_eq(event_loop_init(&b->vm.loop), 0);
	ck_assert_int_eq(guest_mem_alloc(&b->vm.mem, MEM_SIZE, e), 0);
	ck_assert_int_eq(guest_mem_add_region(&b->vm.mem, 0, MEM_SIZE, e), 0);
	ck_assert_int_eq(net_config_parse(arg, &c, e), 0);
	b->net = virtio_net_create(&b->vm, &c, 0, e);
	if (!b->net) {
		event_loop_destroy(&b->vm.loop);
		guest_mem_free(&b->vm.mem);
		free(b);
		return NULL;
	}
	b->dev = virtio_net_dev(b->net);
	b->dev->transport = &transport;
	b->dev->transport_priv = b;
	b->q[RXQ] = (struct dq){ .desc = 0x1000, .avail = 0x2000, .used = 0x3000 };
	b->q[TXQ] = (struct dq){ .desc = 0x4000, .avail = 0x5000, .used = 0x6000 };
	return b;
}

/* A device for arg, which must be accepted. */
static struct bench *bench_ok(const char *arg)
{
	struct err_msg e = { 0 };
	struct bench *b = bench_new(arg, &e);

	ck_assert_msg(b, "%s", e.text);
	return b;
}

/* A device on the inherited tap fd, which it then owns. */
static struct bench *bench_on_fd(int fd)
{
	char arg[64];

	snprintf(arg, sizeof(arg), "mode=tap,vhost=off,fd=%d", fd);
	return bench_ok(arg);
}

static void bench_free(struct bench *b)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		close(b->dev->vqs[i].kick_fd);
	virtio_net_destroy(b->net);
	event_loop_destroy(&b->vm.loop);
	guest_mem_free(&b->vm.mem);
	free(b);
}

/* One round of the event loop, waiting up to ms for something to serve. */
static void pump(struct bench *b, int ms)
{
	struct epoll_event ev[16];
	int i, n = epoll_wait(b->vm.loop.epfd, ev, ARRAY_SIZE(ev), ms);

	for (i = 0; i < n; i++) {
		struct event_handler *h = ev[i].data.ptr;

		if (h)
			h->fn(h, ev[i].events);
	}
}

static void rx_post(struct bench *b, u16 id)
{
	struct dq *q = &b->q[RXQ];
	struct vring_desc *d = gp(b, q->desc + 16 * id, 16);
	struct vring_avail *a = gp(b, q->avail, 4 + 2 * QSZ);

	d->addr = htole64(RX_BASE + id * RX_BUF);
	d->len = htole32(RX_BUF);
	d->flags = htole16(VRING_DESC_F_WRITE);
	a->ring[q->avail_idx % QSZ] = htole16(id);
	a->idx = htole16(++q->avail_idx);
}

/* The driver's half of start-up, as Linux does it: features, queues, DRIVER_OK, RX buffers. */
static void driver_start(struct bench *b, u64 features)
{
	struct virtio_dev *d = b->dev;
	unsigned int i;

	virtio_set_status(d, 0);
	virtio_set_status(d, S_UP);
	d->guest_features = features | BIT(VIRTIO_F_VERSION_1);
	virtio_set_status(d, S_UP | VIRTIO_CONFIG_S_FEATURES_OK);
	ck_assert(d->status & VIRTIO_CONFIG_S_FEATURES_OK);
	for (i = 0; i < 2; i++) {
		struct dq *q = &b->q[i];
		struct virtq *vq = &d->vqs[i];

		memset(gp(b, q->desc, 0x3000), 0, 0x3000);
		q->avail_idx = q->used_seen = 0;
		vq->size = QSZ;
		vq->desc_gpa = q->desc;
		vq->avail_gpa = q->avail;
		vq->used_gpa = q->used;
		virtio_queue_enable(d, vq);
		ck_assert(vq->ready);
	}
	virtio_set_status(d, S_UP | VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	for (i = 0; i < QSZ; i++)
		rx_post(b, i);
	pump(b, 0);
}

/* Sends a frame after its header (two buffers, as Linux does); waits until it is used. */
static void tx_send(struct bench *b, const struct virtio_net_hdr_v1 *h, const u8 *f, size_t len)
{
	struct dq *q = &b->q[TXQ];
	struct vring_desc *d = gp(b, q->desc, 32);
	struct vring_avail *a = gp(b, q->avail, 4 + 2 * QSZ);
	struct vring_used *u = gp(b, q->used, 4 + 8 * QSZ);
	unsigned int tries;

	ck_assert_uint_le(len, NET_FRAME_MAX);
	memcpy(gp(b, TX_BASE, NET_HDR_LEN), h, NET_HDR_LEN);
	memcpy(gp(b, TX_BASE + 64, len), f, len);
	d[0] = (struct vring_desc){ .addr = htole64(TX_BASE), .len = htole32(NET_HDR_LEN),
				    .flags = htole16(VRING_DESC_F_NEXT), .next = htole16(1) };
	d[1] = (struct vring_desc){ .addr = htole64(TX_BASE + 64), .len = htole32(len) };
	a->ring[q->avail_idx % QSZ] = 0;
	a->idx = htole16(++q->avail_idx);
	virtio_kick(&b->dev->vqs[TXQ]);
	for (tries = 0; le16toh(u->idx) != q->avail_idx && tries < 100; tries++)
		pump(b, 10);
	ck_assert_uint_eq(le16toh(u->idx), q->avail_idx);
	q->used_seen = q->avail_idx;
}

/* Takes the next frame the device gave (all its mergeable buffers) into b->rx; false if none. */
static bool rx_take(struct bench *b)
{
	struct dq *q = &b->q[RXQ];
	struct vring_used *u = gp(b, q->used, 4 + 8 * QSZ);
	unsigned int i, nbuf = 1;
	size_t len = 0;

	for (i = 0; i < nbuf; i++) {
		struct vring_used_elem *el = &u->ring[q->used_seen % QSZ];
		u32 id = le32toh(el->id), l = le32toh(el->len);

		if (q->used_seen == le16toh(u->idx)) {
			ck_assert_uint_eq(i, 0);	/* a frame's buffers come all at once */
			return false;
		}
		ck_assert_uint_lt(id, QSZ);
		ck_assert_uint_le(l, RX_BUF);
		ck_assert_uint_le(len + l, sizeof(b->rx) + (i ? 0 : NET_HDR_LEN));
		if (!i) {
			ck_assert_uint_ge(l, NET_HDR_LEN);
			memcpy(&b->rx_hdr, gp(b, RX_BASE + id * RX_BUF, l), NET_HDR_LEN);
			nbuf = le16toh(b->rx_hdr.num_buffers);
			ck_assert_uint_ge(nbuf, 1);
			len = l - NET_HDR_LEN;
			memcpy(b->rx, gp(b, RX_BASE + id * RX_BUF + NET_HDR_LEN, len), len);
		} else {
			memcpy(b->rx + len, gp(b, RX_BASE + id * RX_BUF, l), l);
			len += l;
		}
		q->used_seen++;
		rx_post(b, id);
	}
	b->rx_len = len;
	virtio_kick(&b->dev->vqs[RXQ]);
	return true;
}

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

static void wr32(u8 *p, u32 v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

static u32 sum16(const u8 *p, size_t len, u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static u16 fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static u8 payload_byte(size_t i)
{
	return (i * 13 + 5) ^ (i >> 9);
}

/* One TCP/IPv4 frame the guest sends. */
struct seg {
	const u8 *src_mac, *dst_mac;
	u16 sport, dport;
	u32 seq, ack;
	u8 flags;
	size_t plen;			/* payload: payload_byte(off + i) */
	size_t off;
	bool partial;			/* the pseudo-header sum only, for NEEDS_CSUM */
};

/* Ethernet and IPv4 headers, 10.0.2.15 -> 10.0.2.2 with s's MACs, of a frame of len bytes. */
static void put_ip4(u8 *f, const struct seg *s, size_t len, u8 proto, u16 id, u16 frag)
{
	u8 *ip = f + 14;

	memcpy(f, s->dst_mac, 6);
	memcpy(f + 6, s->src_mac, 6);
	wr16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16(ip + 2, len - 14);
	wr16(ip + 4, id);
	wr16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, guest_ip, 4);
	memcpy(ip + 16, host_ip, 4);
	wr16(ip + 10, ~fold(sum16(ip, 20, 0)));
}

/*
 * Completes a TCP or UDP header of hdr bytes, written but for the ports
 * and with 0 in its checksum field (at csum): s's ports, s's payload
 * after it, then the checksum, or for NEEDS_CSUM (s->partial) only the
 * pseudo-header's sum.
 */
static void put_l4(u8 *f, const struct seg *s, size_t len, size_t hdr, size_t csum)
{
	u8 *ip = f + 14, *l4 = f + 34;
	u32 pseudo = sum16(ip + 12, 8, 0) + ip[9] + (len - 34);
	size_t i;

	wr16(l4, s->sport);
	wr16(l4 + 2, s->dport);
	for (i = 0; i < s->plen; i++)
		l4[hdr + i] = payload_byte(s->off + i);
	wr16(l4 + csum, s->partial ? fold(pseudo) : (u16)~fold(sum16(l4, len - 34, pseudo)));
}

static size_t build_tcp4(u8 *f, const struct seg *s)
{
	u8 *tcp = f + 34;
	size_t len = 54 + s->plen;

	put_ip4(f, s, len, IPPROTO_TCP, 0, 0x4000);
	memset(tcp, 0, 20);
	wr32(tcp + 4, s->seq);
	wr32(tcp + 8, s->ack);
	tcp[12] = 5 << 4;
	tcp[13] = s->flags;
	wr16(tcp + 14, 65535);
	put_l4(f, s, len, 20, 16);
	return len;
}

/* A header for a frame whose checksum at csum_offset after the IPv4 header is left to do. */
static struct virtio_net_hdr_v1 partial(u8 gso, u16 gso_size, u16 hdr_len, u16 csum_offset)
{
	return (struct virtio_net_hdr_v1){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = gso,
		.gso_size = htole16(gso_size),
		.hdr_len = htole16(hdr_len),
		.csum_start = htole16(34),
		.csum_offset = htole16(csum_offset),
	};
}

static struct virtio_net_hdr_v1 partial_hdr(u8 gso, u16 mss)
{
	return partial(gso, mss, 54, 16);
}

/* A UDP/IPv4 frame 10.0.2.15 -> 10.0.2.2 with s's MACs, ports and payload. */
static size_t build_udp4(u8 *f, const struct seg *s)
{
	u8 *udp = f + 34;
	size_t len = 42 + s->plen;

	put_ip4(f, s, len, IPPROTO_UDP, 0x1234, 0);
	memset(udp, 0, 8);
	wr16(udp + 4, len - 34);
	put_l4(f, s, len, 8, 6);
	return len;
}

static struct virtio_net_hdr_v1 partial_udp_hdr(u8 gso, u16 gso_size)
{
	return partial(gso, gso_size, 42, 6);
}

static bool udp_checksum_ok(const u8 *f, size_t len)
{
	const u8 *ip = f + 14;
	size_t ihl = (ip[0] & 15) * 4, l4 = 14 + ihl;
	u32 pseudo = sum16(ip + 12, 8, 0) + IPPROTO_UDP + (len - l4);

	return be16(f + l4 + 6) && fold(sum16(f + l4, len - l4, pseudo)) == 0xffff;
}

static bool tcp_checksum_ok(const u8 *f, size_t len)
{
	const u8 *ip = f + 14;
	size_t ihl = (ip[0] & 15) * 4, l4 = 14 + ihl;
	u32 pseudo = sum16(ip + 12, 8, 0) + IPPROTO_TCP + (len - l4);

	return fold(sum16(f + l4, len - l4, pseudo)) == 0xffff;
}

/*
 * The next IPv4 frame of proto (TCP or UDP) for the guest's port within
 * 2 s; other frames are skipped.
 */
static bool rx_ipv4(struct bench *b, u8 proto, u16 port)
{
	size_t min_len = proto == IPPROTO_TCP ? 54 : 42;
	unsigned int i;

	for (i = 0; i < 200; i++) {
		while (rx_take(b)) {
			const u8 *l4 = b->rx + 14 + (b->rx[14] & 15) * 4;

			if (b->rx_len >= min_len && be16(b->rx + 12) == 0x0800 &&
			    b->rx[23] == proto && be16(l4 + 2) == port)
				return true;
		}
		pump(b, 10);
	}
	return false;
}

static struct seg guest_seg(const u8 *mac, const u8 *peer_mac, u16 port)
{
	return (struct seg){ .src_mac = mac, .dst_mac = peer_mac, .sport = 40000, .dport = port };
}

/* Asks slirp for the gateway's MAC, teaching it the guest's; returns the reply's header flags. */
static u8 arp_gateway(struct bench *b, const u8 *mac, u8 *gw_mac)
{
	struct virtio_net_hdr_v1 h = { 0 };
	u8 f[42] = { 0 };
	unsigned int i;

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	wr16(f + 12, 0x0806);
	wr16(f + 14, 1);
	wr16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	wr16(f + 20, 1);		/* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, host_ip, 4);
	tx_send(b, &h, f, sizeof(f));
	for (i = 0; i < 200 && !rx_take(b); i++)
		pump(b, 10);
	ck_assert_msg(i < 200, "no ARP reply");
	ck_assert_uint_eq(be16(b->rx + 12), 0x0806);
	ck_assert_uint_eq(be16(b->rx + 20), 2);
	ck_assert(!memcmp(b->rx + 38, guest_ip, 4));
	memcpy(gw_mac, b->rx + 22, 6);
	return b->rx_hdr.flags;
}

/* A socket of type on a free port of 127.0.0.1, the port in *port. */
static int loopback_socket(int type, u16 *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int listener(u16 *port)
{
	int fd = loopback_socket(SOCK_STREAM, port);

	ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

/* A device on libslirp, started with features; its MAC in mac, the gateway's in gw. */
static struct bench *slirp_bench(u64 features, u8 *mac, u8 *gw)
{
	struct bench *b = bench_ok("mode=user");

	virtio_config_read(b->dev, 0, mac, 6);
	driver_start(b, features);
	arp_gateway(b, mac, gw);
	return b;
}

static bool slirp_built(void)
{
#ifdef LKVM_SLIRP
	return true;
#else
	fprintf(stderr, "note: built without libslirp: user-mode checks skipped\n");
	return false;
#endif
}

START_TEST(test_slirp_offers)
{
	const u64 want = BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
			 BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |
			 BIT(VIRTIO_NET_F_HOST_ECN) | BIT(VIRTIO_NET_F_HOST_UFO) |
			 BIT(VIRTIO_NET_F_HOST_USO);
	struct bench *b;
	u8 mac[6], gw[6];

	if (!slirp_built())
		return;
	b = bench_ok("mode=user");
	ck_assert_uint_eq(b->dev->host_features & OFFLOAD_BITS, want);
	virtio_config_read(b->dev, 0, mac, 6);
	/* Frames from slirp are checksummed: DATA_VALID, to a driver that can use it. */
	driver_start(b, BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_GUEST_CSUM));
	ck_assert_uint_eq(arp_gateway(b, mac, gw), VIRTIO_NET_HDR_F_DATA_VALID);
	driver_start(b, BIT(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert_uint_eq(arp_gateway(b, mac, gw), 0);
	/* Without MRG_RXBUF each buffer holds a whole frame; the header is the same 12 bytes. */
	driver_start(b, BIT(VIRTIO_NET_F_GUEST_CSUM));
	ck_assert_uint_eq(arp_gateway(b, mac, gw), VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_eq(le16toh(b->rx_hdr.num_buffers), 1);
	bench_free(b);
}
END_TEST

/* Reads what the host side of the connection got, pumping slirp meanwhile, until idle for ms. */
static size_t host_read(struct bench *b, int fd, u8 *buf, size_t want, unsigned int ms)
{
	size_t got = 0;
	unsigned int idle = 0;
	ssize_t n;

	while (got < want && idle < ms / 10) {
		pump(b, 10);
		n = read(fd, buf + got, want - got);
		if (n > 0) {
			got += n;
			idle = 0;
		} else {
			idle++;
		}
		while (rx_take(b))
			;	/* slirp's ACKs */
	}
	return got;
}

static int host_accept(struct bench *b, int lfd)
{
	unsigned int i;
	int fd = -1;

	for (i = 0; i < 200 && fd < 0; i++) {
		pump(b, 10);
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	ck_assert_msg(fd >= 0, "slirp did not connect");
	return fd;
}

START_TEST(test_slirp_tso)
{
	struct bench *b;
	struct virtio_net_hdr_v1 plain = { 0 }, h;
	u8 mac[6], gw[6], *f, *got;
	int lfd, cfd;
	u16 port;
	u32 isn;
	struct seg s;
	size_t len, i;

	if (!slirp_built())
		return;
	f = malloc(NET_FRAME_MAX);
	got = calloc(1, SEND_LEN + 1);
	lfd = listener(&port);
	b = slirp_bench(BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_CSUM) |
			BIT(VIRTIO_NET_F_GUEST_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4), mac, gw);

	/* SYN, with a complete checksum: no offload. */
	s = guest_seg(mac, gw, port);
	s.seq = 1000;
	s.flags = 0x02;
	tx_send(b, &plain, f, build_tcp4(f, &s));
	ck_assert_msg(rx_ipv4(b, IPPROTO_TCP, 40000), "no SYN-ACK");
	ck_assert_uint_eq(b->rx[47], 0x12);
	ck_assert_uint_eq(be32(b->rx + 42), 1001);
	ck_assert_uint_eq(b->rx_hdr.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_ge(be16(b->rx + 48), SEND_LEN);	/* the window takes it all */
	isn = be32(b->rx + 38);
	cfd = host_accept(b, lfd);

	/* ACK with a partial checksum, then the super-frame. */
	s.seq = 1001;
	s.ack = isn + 1;
	s.flags = 0x10;
	s.partial = true;
	h = partial_hdr(VIRTIO_NET_HDR_GSO_NONE, 0);
	tx_send(b, &h, f, build_tcp4(f, &s));
	s.flags = 0x18;
	s.plen = SEND_LEN;
	len = build_tcp4(f, &s);
	h = partial_hdr(VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	tx_send(b, &h, f, len);

	ck_assert_uint_eq(host_read(b, cfd, got, SEND_LEN + 1, 3000), SEND_LEN);
	for (i = 0; i < SEND_LEN; i++)
		ck_assert_uint_eq(got[i], payload_byte(i));

	/* A good frame whose header asks for what the driver did not negotiate (ECN) is dropped. */
	s.seq = 1001 + SEND_LEN;
	s.plen = 100;
	len = build_tcp4(f, &s);
	h = partial_hdr(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, MSS);
	tx_send(b, &h, f, len);
	ck_assert_uint_eq(host_read(b, cfd, got, 1, 500), 0);

	close(cfd);
	close(lfd);
	free(got);
	free(f);
	bench_free(b);
}
END_TEST

/* The next datagram the host side got within ms, slirp pumped meanwhile: its length, or -1. */
static ssize_t host_recv(struct bench *b, int fd, u8 *buf, size_t size, unsigned int ms)
{
	unsigned int i;
	ssize_t n;

	for (i = 0; i <= ms / 10; i++) {
		n = recv(fd, buf, size, 0);
		if (n >= 0)
			return n;
		pump(b, 10);
		while (rx_take(b))
			;
	}
	return -1;
}

static void expect_datagram(struct bench *b, int fd, u8 *buf, size_t len, size_t off)
{
	size_t i;

	ck_assert_int_eq(host_recv(b, fd, buf, 65536, 2000), (ssize_t)len);
	for (i = 0; i < len; i++)
		ck_assert_uint_eq(buf[i], payload_byte(off + i));
}

START_TEST(test_slirp_udp)
{
	const u64 feats = BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_CSUM) |
			  BIT(VIRTIO_NET_F_HOST_UFO) | BIT(VIRTIO_NET_F_HOST_USO);
	struct virtio_net_hdr_v1 h;
	struct bench *b;
	u8 mac[6], gw[6], *f, *got;
	struct seg s;
	size_t len, off;
	u16 port;
	int fd;

	if (!slirp_built())
		return;
	f = malloc(NET_FRAME_MAX);
	got = malloc(65536);
	fd = loopback_socket(SOCK_DGRAM, &port);
	b = slirp_bench(feats, mac, gw);

	/* UFO: lkvm cuts the datagram into IPv4 fragments, slirp puts it back together. */
	s = guest_seg(mac, gw, port);
	s.plen = 20000;
	s.partial = true;
	len = build_udp4(f, &s);
	h = partial_udp_hdr(VIRTIO_NET_HDR_GSO_UDP, 1480);
	tx_send(b, &h, f, len);
	expect_datagram(b, fd, got, 20000, 0);

	/* USO: datagrams of gso_size, in order (slirp checks each one's checksum). */
	s.plen = 4500;
	len = build_udp4(f, &s);
	h = partial_udp_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	tx_send(b, &h, f, len);
	for (off = 0; off < 4500; off += 1000)
		expect_datagram(b, fd, got, MIN(1000, 4500 - off), off);

	/* What the driver did not negotiate is dropped. */
	driver_start(b, feats & ~BIT(VIRTIO_NET_F_HOST_USO));
	tx_send(b, &h, f, len);
	ck_assert_int_eq(host_recv(b, fd, got, 65536, 300), -1);

	close(fd);
	free(got);
	free(f);
	bench_free(b);
}
END_TEST

/* A tap this test opens itself, or -1 when this host will not let it. */
static int tap_open(short flags, char *name)
{
	struct ifreq ifr = { .ifr_flags = flags };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, IFNAMSIZ, "lkvmt%u", (unsigned int)getpid() % 100000);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		return -1;
	}
	if (name)
		memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

static bool tap_allowed(void)
{
	int fd = tap_open(IFF_TAP | IFF_NO_PI, NULL);

	if (fd < 0) {
		fprintf(stderr, "note: no tap (needs /dev/net/tun, CAP_NET_ADMIN): tap checks skipped\n");
		return false;
	}
	close(fd);
	return true;
}

/* Whether this host's taps take these TUN_F_* offloads, asked on a tap of the test's own. */
static bool tap_has(unsigned int tun_offloads)
{
	int fd = tap_open(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, NULL);
	bool ok;

	ck_assert_int_ge(fd, 0);
	ok = !ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | tun_offloads);
	close(fd);
	return ok;
}

static void expect_fd_refused(int fd, const char *needle)
{
	char arg[64], want[64];
	struct err_msg e = { 0 };

	snprintf(arg, sizeof(arg), "mode=tap,vhost=off,fd=%d", fd);
	snprintf(want, sizeof(want), "network fd=%d: ", fd);
	ck_assert_msg(!bench_new(arg, &e), "%s accepted (%s)", arg, needle);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, want) == e.text && strstr(e.text, needle), "%s", e.text);
	ck_assert(!strchr(e.text, '\n'));
}

START_TEST(test_tap_offers)
{
	u64 want;
	struct bench *b;
	int fd, p[2];

	if (!tap_allowed())
		return;
	/* UFO and USO only where this kernel's taps take them (USO: Linux 6.2). */
	want = TCP_OFFLOADS | (tap_has(TUN_F_UFO) ? UFO_OFFLOADS : 0) |
	       (tap_has(TUN_F_USO4 | TUN_F_USO6) ? USO_OFFLOADS : 0);
	b = bench_ok("mode=tap,vhost=off");
	ck_assert_uint_eq(b->dev->host_features & OFFLOAD_BITS, want);
	bench_free(b);

	/* Inherited, with the virtio-net header: the same. */
	fd = tap_open(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, NULL);
	b = bench_on_fd(fd);
	ck_assert_uint_eq(b->dev->host_features & OFFLOAD_BITS, want);
	bench_free(b);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);	/* the NIC owned it */

	/* Without it: plain frames, no offloads. */
	b = bench_on_fd(tap_open(IFF_TAP | IFF_NO_PI, NULL));
	ck_assert_uint_eq(b->dev->host_features & OFFLOAD_BITS, 0);
	ck_assert(b->dev->host_features & BIT(VIRTIO_NET_F_MRG_RXBUF));
	bench_free(b);

	ck_assert_int_eq(pipe(p), 0);
	expect_fd_refused(p[0], "not an open tap device (");
	close(p[0]);
	close(p[1]);
	expect_fd_refused(999, "not an open tap device (");
	fd = tap_open(IFF_TUN | IFF_NO_PI, NULL);
	expect_fd_refused(fd, "not an open tap device (");
	close(fd);
}
END_TEST

/* A packet socket on the tap's host side, which sees and sends frames with a virtio-net header. */
static int host_side(const char *ifname)
{
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr = { 0 };
	char path[96];
	int one = 1, s, fd;

	/* The kernel's own IPv6 chatter would only get in the way. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		ck_assert_int_eq(write(fd, "1", 1), 1);
		close(fd);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ck_assert_int_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	ck_assert_int_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)), 0);
	a.sll_ifindex = if_nametoindex(ifname);
	ck_assert_int_ne(a.sll_ifindex, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	return s;
}

/*
 * The next IPv4 frame of protocol proto to port dport that the host's side
 * of the tap sees, with its virtio-net header in *vh: its length without
 * the header, or -1 after about a second of other frames or none.
 */
static ssize_t tap_recv_ipv4(int ps, struct virtio_net_hdr *vh, u8 *f, u8 proto, u16 dport)
{
	struct iovec iov[2] = { { vh, sizeof(*vh) }, { f, NET_FRAME_MAX } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	int i;

	for (i = 0; i < 100; i++) {
		n = recvmsg(ps, &msg, 0);
		if (n > (ssize_t)sizeof(*vh) && be16(f + 12) == 0x0800 && f[23] == proto &&
		    be16(f + 36) == dport)
			return n - sizeof(*vh);
		if (n < 0)
			usleep(10000);
	}
	return -1;
}

/* A peer on the tap's link (made up): the guest's frames go to it, the host's come from it. */
static const u8 peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };

/*
 * Sends the guest's GSO frame f (len bytes, its header h): the host's side
 * of the tap must get it as one packet of h's gso_size, payload intact.
 * Returns the header the host got.
 */
static struct virtio_net_hdr guest_gso_to_host(struct bench *b, int ps,
					       const struct virtio_net_hdr_v1 *h, u8 *f, size_t len)
{
	size_t hdr_len = le16toh(h->hdr_len), i;
	u16 port = be16(f + 36);
	u8 proto = f[23];
	struct virtio_net_hdr vh;
	ssize_t n;

	tx_send(b, h, f, len);
	n = tap_recv_ipv4(ps, &vh, f, proto, port);
	ck_assert_msg(n > 0, "the guest's frame did not reach the host side");
	ck_assert_uint_eq(n, len);
	ck_assert_uint_eq(vh.gso_size, le16toh(h->gso_size));
	for (i = 0; hdr_len + i < len; i++)
		ck_assert_uint_eq(f[hdr_len + i], payload_byte(i));
	return vh;
}

/*
 * Sends frame f (len bytes) out of the tap as one GSO packet with what h
 * says (the host's byte order there): how many frames the guest gets its
 * payload in, each one checked by check.
 */
static unsigned int host_gso_to_guest(struct bench *b, int ps, const struct virtio_net_hdr_v1 *h,
				      u8 *f, size_t len, void (*check)(const struct bench *b))
{
	struct virtio_net_hdr vh = {
		.flags = h->flags, .gso_type = h->gso_type, .hdr_len = le16toh(h->hdr_len),
		.gso_size = le16toh(h->gso_size), .csum_start = le16toh(h->csum_start),
		.csum_offset = le16toh(h->csum_offset),
	};
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { f, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t payload = len - vh.hdr_len, got = 0;
	u16 port = be16(f + 36);
	u8 proto = f[23];
	unsigned int frames = 0;

	ck_assert_int_eq(sendmsg(ps, &msg, 0), (ssize_t)(sizeof(vh) + len));
	while (got < payload && rx_ipv4(b, proto, port)) {
		check(b);
		got += b->rx_len - vh.hdr_len;
		frames++;
	}
	ck_assert_uint_eq(got, payload);
	return frames;
}

/* The host's GSO packet reached the guest whole, as one frame of gso_type, its checksum partial. */
static void expect_whole(const struct bench *b, u8 gso_type, size_t len)
{
	ck_assert_uint_eq(b->rx_hdr.gso_type, gso_type);
	ck_assert_uint_eq(le16toh(b->rx_hdr.gso_size), 1000);
	ck_assert_uint_eq(b->rx_hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(b->rx_len, len);
}

/* A device on a new tap with the virtio-net header, its MAC in mac, the tap's host side in *ps. */
static struct bench *tap_bench(u8 *mac, int *ps)
{
	char name[IFNAMSIZ];
	struct bench *b = bench_on_fd(tap_open(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, name));

	virtio_config_read(b->dev, 0, mac, 6);
	*ps = host_side(name);
	return b;
}

/* The guest's TSO frame, as the host's kernel got it from the tap: one GSO packet. */
static void check_guest_tso(struct bench *b, int ps, const u8 *mac, u8 *f)
{
	struct virtio_net_hdr_v1 h = partial_hdr(VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	struct seg s = guest_seg(mac, peer_mac, 5001);
	struct virtio_net_hdr vh;

	s.seq = 77;
	s.flags = 0x18;
	s.plen = SEND_LEN;
	s.partial = true;
	vh = guest_gso_to_host(b, ps, &h, f, build_tcp4(f, &s));
	ck_assert_uint_eq(vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN, VIRTIO_NET_HDR_GSO_TCPV4);
}

/* A frame of the host's TSO packet: one the kernel cut for a guest without TSO is checksummed. */
static void check_tso_frame(const struct bench *b)
{
	ck_assert_uint_eq(be16(b->rx + 36), 40001);
	if (b->rx_hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return;
	ck_assert_uint_eq(b->rx_hdr.flags, 0);
	ck_assert(tcp_checksum_ok(b->rx, b->rx_len));
}

/* A GSO packet (5000 bytes, MSS 1000) out of the tap: how many frames the guest gets. */
static unsigned int host_tso_to_guest(struct bench *b, int ps, const u8 *mac, u8 *f)
{
	struct virtio_net_hdr_v1 h = partial_hdr(VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	struct seg s = guest_seg(peer_mac, mac, 40001);

	s.sport = 5002;
	s.plen = 5000;
	s.flags = 0x18;
	s.partial = true;
	return host_gso_to_guest(b, ps, &h, f, build_tcp4(f, &s), check_tso_frame);
}

START_TEST(test_tap_passthrough)
{
	const u64 tso = BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_CSUM) |
			BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_GUEST_CSUM) |
			BIT(VIRTIO_NET_F_GUEST_TSO4);
	struct bench *b;
	u8 mac[6], *f;
	int ps;

	if (!tap_allowed())
		return;
	f = malloc(NET_FRAME_MAX);
	b = tap_bench(mac, &ps);
	driver_start(b, tso);
	check_guest_tso(b, ps, mac, f);
	/* GUEST_TSO4: the super-frame whole, its checksum partial, in 3 merged buffers. */
	ck_assert_uint_eq(host_tso_to_guest(b, ps, mac, f), 1);
	expect_whole(b, VIRTIO_NET_HDR_GSO_TCPV4, 5054);
	ck_assert_uint_eq(le16toh(b->rx_hdr.num_buffers), 3);
	/* A driver without offloads after a reset: the tap's were turned off, the kernel cuts. */
	driver_start(b, BIT(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert_uint_eq(host_tso_to_guest(b, ps, mac, f), 5);
	close(ps);
	bench_free(b);
	free(f);
}
END_TEST

/* The guest's USO frame, as the host's kernel got it from the tap: one GSO packet. */
static void check_guest_uso(struct bench *b, int ps, const u8 *mac, u8 *f)
{
	struct virtio_net_hdr_v1 h = partial_udp_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	struct seg s = guest_seg(mac, peer_mac, 5003);
	struct virtio_net_hdr vh;

	s.plen = 5000;
	s.partial = true;
	vh = guest_gso_to_host(b, ps, &h, f, build_udp4(f, &s));
	ck_assert_uint_eq(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
}

/* A datagram of the host's USO packet: one the kernel cut is checksummed, unless left partial. */
static void check_uso_frame(const struct bench *b)
{
	ck_assert_uint_eq(be16(b->rx + 38), b->rx_len - 34);
	if (b->rx_hdr.gso_type == VIRTIO_NET_HDR_GSO_NONE &&
	    !(b->rx_hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		ck_assert(udp_checksum_ok(b->rx, b->rx_len));
}

/* A USO packet (5000 bytes, 1000 a datagram) out of the tap: how many frames the guest gets. */
static unsigned int host_uso_to_guest(struct bench *b, int ps, const u8 *mac, u8 *f)
{
	struct virtio_net_hdr_v1 h = partial_udp_hdr(VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	struct seg s = guest_seg(peer_mac, mac, 40003);

	s.sport = 5004;
	s.plen = 5000;
	s.partial = true;
	return host_gso_to_guest(b, ps, &h, f, build_udp4(f, &s), check_uso_frame);
}

START_TEST(test_tap_uso)
{
	const u64 base = BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_CSUM) |
			 BIT(VIRTIO_NET_F_GUEST_CSUM);
	const u64 uso = base | USO_OFFLOADS;
	struct bench *b;
	u8 mac[6], *f;
	int ps;

	if (!tap_allowed())
		return;
	if (!tap_has(TUN_F_USO4 | TUN_F_USO6)) {
		fprintf(stderr, "note: this kernel's taps have no USO (Linux 6.2): USO checks skipped\n");
		return;
	}
	f = malloc(NET_FRAME_MAX);
	b = tap_bench(mac, &ps);
	ck_assert_uint_eq(b->dev->host_features & USO_OFFLOADS, USO_OFFLOADS);
	driver_start(b, uso);
	check_guest_uso(b, ps, mac, f);
	/* GUEST_USO4 and 6: the super-frame whole, its checksum partial. */
	ck_assert_uint_eq(host_uso_to_guest(b, ps, mac, f), 1);
	expect_whole(b, VIRTIO_NET_HDR_GSO_UDP_L4, 5042);
	/* USO for IPv4 only: the kernel takes both or neither, so it cuts. */
	driver_start(b, base | BIT(VIRTIO_NET_F_GUEST_USO4));
	ck_assert_uint_eq(host_uso_to_guest(b, ps, mac, f), 5);
	driver_start(b, BIT(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert_uint_eq(host_uso_to_guest(b, ps, mac, f), 5);
	close(ps);
	bench_free(b);
	free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_device");
	TCase *user = tcase_create("user");
	TCase *tap = tcase_create("tap");
	SRunner *sr;
	int failed;

	tcase_set_timeout(user, 30);
	tcase_add_test(user, test_slirp_offers);
	tcase_add_test(user, test_slirp_tso);
	tcase_add_test(user, test_slirp_udp);
	tcase_set_timeout(tap, 30);
	tcase_add_test(tap, test_tap_offers);
	tcase_add_test(tap, test_tap_passthrough);
	tcase_add_test(tap, test_tap_uso);
	suite_add_tcase(s, user);
	suite_add_tcase(s, tap);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
