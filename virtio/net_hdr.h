/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_NET_HDR_H
#define LKVM_VIRTIO_NET_HDR_H

#include <stddef.h>
#include <linux/virtio_net.h>

#include "../core/util.h"

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
 * Splits a TCPv4/TCPv6 GSO super-frame into segments of at most gso_size
 * payload bytes, each with its own IP and TCP headers and checksums, and
 * hands them to emit in order. The segments are built inside 'frame',
 * which is clobbered; emit must not keep the pointer. 0, or -EINVAL for
 * a malformed frame, before anything was emitted.
 */
int net_hdr_segment(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		    void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque);

/* For a backend without offloads: whatever h asks, emit gets plain, checksummed frames. */
int net_hdr_to_plain(const struct virtio_net_hdr_v1 *h, u8 *frame, size_t len,
		     void (*emit)(void *opaque, const u8 *seg, size_t len), void *opaque);

#endif
