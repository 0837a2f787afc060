// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-net header's offloads (virtio/net_hdr.c) on a guest's frame:
 * the input is the negotiated features, the 12-byte header, then the
 * frame, in a buffer of exactly its length so that any access past it
 * trips AddressSanitizer. Checksum completion and segmentation (TSO, UFO
 * fragments, USO datagrams: the features and gso_type come from the input)
 * must stay inside the frame, and every piece emitted must be a plausible
 * frame.
 */
#include "tests/fuzz/fuzz.h"
#include "virtio/net_hdr.h"

struct sink {
	size_t frames;
	size_t bytes;
	u8 last;
};

static void emit(void *opaque, const u8 *seg, size_t len)
{
	struct sink *s = opaque;

	FUZZ_CHECK(len && len <= NET_FRAME_MAX, "a segment of %zu bytes", len);
	s->frames++;
	s->bytes += len;
	s->last ^= seg[0] ^ seg[len - 1];
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct virtio_net_hdr_v1 h, rx;
	struct sink s = { 0 };
	u64 features = take_u64(&in);
	size_t len;
	u8 *frame;
	u8 mode;

	mode = take_u8(&in);
	take(&in, &h, sizeof(h));
	/* The device never hands on less than one byte of frame (tx_one()). */
	len = MIN(in.n, (size_t)NET_FRAME_MAX);
	if (!len)
		return 0;
	frame = malloc(len);
	if (!frame)
		return 0;
	memcpy(frame, in.p, len);
	rx = h;
	net_hdr_rx_check(&rx, features);
	switch (mode % 4) {
	case 0:
		/* What the device and a plain backend do with a TX frame. */
		if (net_hdr_tx_check(&h, features))
			net_hdr_to_plain(&h, frame, len, emit, &s);
		break;
	case 1:
		net_hdr_csum(&h, frame, len);
		break;
	case 2:
		net_hdr_segment(&h, frame, len, emit, &s);
		break;
	default:
		net_hdr_to_plain(&h, frame, len, emit, &s);
		break;
	}
	/* Segments of at least one byte of payload each: no more than the frame's bytes. */
	FUZZ_CHECK(s.frames <= len + 1, "%zu segments from a %zu-byte frame", s.frames, len);
	free(frame);
	return 0;
}
