// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (virtio/queue.c) over guest RAM the input fills: a
 * queue size, ring addresses, flags and a number of chains to take come
 * first, the rest is the RAM itself (two regions with a hole between).
 * Whatever the driver wrote, every buffer a chain hands out must lie in
 * one region of RAM, be non-empty, and a chain never exceeds its limit.
 */
#include "tests/fuzz/fuzz.h"
#include "virtio/virtio.h"

#define REGION_SIZE	0x10000ULL
#define R0_GPA		0x0ULL
#define R1_GPA		0x30000ULL	/* a hole of 128 KiB before it */

static struct guest_mem mem;
static struct virtq_elem elem;

static void setup(void)
{
	struct err_msg e;

	if (mem.base)
		return;
	if (guest_mem_alloc(&mem, 2 * REGION_SIZE, &e) ||
	    guest_mem_add_region(&mem, R0_GPA, REGION_SIZE, &e) ||
	    guest_mem_add_region(&mem, R1_GPA, REGION_SIZE, &e)) {
		fprintf(stderr, "fuzz_virtq: %s\n", e.text);
		abort();
	}
}

static bool in_one_region(const void *p, size_t len)
{
	unsigned int i;

	for (i = 0; i < mem.nr_regions; i++) {
		const u8 *s = mem.regions[i].hva;

		if ((const u8 *)p >= s && len <= mem.regions[i].size &&
		    (const u8 *)p - s <= (ptrdiff_t)(mem.regions[i].size - len))
			return true;
	}
	return false;
}

/* Mostly plausible placements, sometimes anything at all. */
static u64 ring_gpa(struct fuzz_in *in, bool raw)
{
	u32 v = take_u32(in);

	if (raw)
		return v | (u64)take_u8(in) << 32;
	return (v & 1 ? R1_GPA : R0_GPA) + ((v >> 1) % REGION_SIZE);
}

static u32 check_elem(const struct virtq *vq)
{
	volatile u8 sink = 0;
	unsigned int i;
	size_t k;

	FUZZ_CHECK(elem.head < vq->size, "head %u, size %u", elem.head, vq->size);
	FUZZ_CHECK(elem.n_out + elem.n_in >= 1 && elem.n_out + elem.n_in <= VIRTQ_MAX_IOV,
		   "%u + %u buffers", elem.n_out, elem.n_in);
	for (i = 0; i < elem.n_out + elem.n_in; i++) {
		const struct iovec *v = &elem.iov[i];

		FUZZ_CHECK(v->iov_len, "buffer %u is empty", i);
		FUZZ_CHECK(in_one_region(v->iov_base, v->iov_len), "buffer %u (%zu bytes) leaves RAM",
			   i, v->iov_len);
		for (k = 0; k < v->iov_len; k += 512)
			sink ^= ((const u8 *)v->iov_base)[k];
	}
	(void)sink;
	return (u32)MIN(virtq_elem_in_len(&elem), (u64)UINT32_MAX);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct virtq vq = { 0 };
	u8 flags, pops;
	unsigned int i;
	int ret;

	setup();
	flags = take_u8(&in);
	pops = take_u8(&in);
	vq.max_size = flags & 0x80 ? take_u16(&in) : VIRTQ_MAX_SIZE;
	vq.size = flags & 0x40 ? take_u16(&in) : 1u << (take_u8(&in) % 11);
	vq.desc_gpa = ring_gpa(&in, flags & 0x20);
	vq.avail_gpa = ring_gpa(&in, flags & 0x20);
	vq.used_gpa = ring_gpa(&in, flags & 0x20);
	memset(mem.base, 0, mem.size);
	take(&in, mem.base, MIN(in.n, (size_t)mem.size));
	if (!virtq_map(&vq, &mem))
		return 0;
	vq.ready = true;
	vq.event_idx = flags & 1;
	for (i = 0; i < pops; i++) {
		ret = virtq_pop(&vq, &mem, &elem);
		if (ret <= 0)
			break;
		if ((flags & 2) && i % 4 == 3) {
			virtq_unpop(&vq, 1);
			continue;
		}
		virtq_push(&vq, elem.head, check_elem(&vq));
		virtq_need_notify(&vq);
	}
	if (vq.broken)
		FUZZ_CHECK(virtq_pop(&vq, &mem, &elem) == 0, "a broken queue served again");
	return 0;
}
