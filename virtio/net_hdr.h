/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_NET_HDR_H
#define LKVM_VIRTIO_NET_HDR_H

#include <stddef.h>
#include <linux/virtio_net.h>

#include "../core/util.h"

/* USO (Linux 6.2, virtio 1.2), which older <linux/virtio_net.h> lack. */
#ifndef VIRTIO_NET_F_HOST_USO
#define VIRTIO_NET_F_GUEST_USO4	54
#define VIRTIO_NET_F_GUEST_USO6	55
#define VIRTIO_NET_F_HOST_USO	56
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

/* The header before every frame with VERSION_1, mergeable buffers or not. */
#define NET_HDR_LEN		sizeof(struct virtio_net_hdr_v1)	/* 12 */
/* Ethernet, one VLAN tag and the largest IP packet: no frame, GSO or not, is longer. */
#define NET_FRAME_MAX		(14 + 4 + 65535)

/*
 * The virtio-net header's offloads (virtio 1.x 5.1.6), as pure functions
 * on a frame and its header, for the device and for backends that only
 * take plain frames. The header is the guest's: its fields are
 * little-endian and every offset in it is checked against the frame.
 * 'features' are the negotiated VIRTIO_NET_F_* bits.
 */

/*
 * A TX header asks only for offloads the driver negotiated (flags that
 * mean nothing on TX are cleared); false: drop the frame.
 */
bool net_hdr_tx_check(struct virtio_net_hdr_v1 *h, u64 features);

/* An RX header from a backend, fitted to what the driver can take; false: drop the frame. */
bool net_hdr_rx_check(struct virtio_net_hdr_v1 *h, u64 features);

/* Finishes a NEEDS_CSUM frame's checksum in place: 0, or -EINVAL if it points outside the frame. */
int net_hdr_csum(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len);

/*
 * Splits a GSO super-frame and hands the pieces to emit in order:
 * - TCPV4/TCPV6 (TSO): TCP segments of at most gso_size payload bytes,
 *   each with its own IP and TCP headers and checksums;
 * - UDP (UFO): IPv4 fragments of the datagram, its UDP checksum finished
 *   first, each carrying at most gso_size bytes (rounded down to 8) of
 *   the IP payload; a datagram that fits goes out whole;
 * - UDP_L4 (USO): UDP datagrams of at most gso_size payload bytes, IPv4
 *   or IPv6, each with its own lengths and checksums.
 * The pieces are built inside 'frame', which is clobbered; emit must not
 * keep the pointer. 0; -EINVAL for a malformed frame, or -EOPNOTSUPP for
 * an IPv6 UFO frame that would need fragments; nothing was emitted then.
 */
int net_hdr_segment(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		    void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque);

/*
 * For a backend without offloads: whatever h asks, emit gets plain,
 * checksummed frames (net_hdr_segment's errors otherwise).
 */
int net_hdr_to_plain(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		     void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque);

#endif
