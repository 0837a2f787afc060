// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

int guest_mem_alloc(struct guest_mem *mem, u64 size, struct err_msg *e)
{
	u8 *p, *base;
	u64 head;

	memset(mem, 0, sizeof(*mem));
	/*
	 * NORESERVE: the guest touches its memory lazily, and a balloon later
	 * hands pages back, so do not charge all of it up front. One extra
	 * GUEST_MEM_ALIGN is trimmed off again below.
	 */
	p = mmap(NULL, size + GUEST_MEM_ALIGN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return err_set(e, errno, "cannot map %llu MiB of guest memory: %s",
			       (unsigned long long)(size >> 20), strerror(errno));
	/*
	 * KVM maps a 2 MiB block of guest memory with one huge page only when
	 * the host address and the guest address agree modulo 2 MiB, and every
	 * RAM region starts 2 MiB-aligned in guest-physical space. Unaligned,
	 * the guest's first touch of each 4 KiB page is an exit of its own.
	 */
	base = (u8 *)(((uintptr_t)p + GUEST_MEM_ALIGN - 1) & ~(uintptr_t)(GUEST_MEM_ALIGN - 1));
	head = base - p;
	if (head)
		munmap(p, head);
	if (GUEST_MEM_ALIGN - head)
		munmap(base + size, GUEST_MEM_ALIGN - head);
	madvise(base, size, MADV_HUGEPAGE);
	mem->base = base;
	mem->size = size;
	return 0;
}

/* Regions are carved from the mapping in order: region n follows region n-1. */
int guest_mem_add_region(struct guest_mem *mem, u64 gpa, u64 size, struct err_msg *e)
{
	u64 used = 0;
	unsigned int i;

	for (i = 0; i < mem->nr_regions; i++)
		used += mem->regions[i].size;
	if (mem->nr_regions == GUEST_MEM_MAX_REGIONS || used + size > mem->size)
		return err_set(e, EINVAL, "guest memory layout does not fit the mapping");
	mem->regions[mem->nr_regions++] = (struct mem_region){
		.gpa = gpa, .size = size, .hva = mem->base + used,
	};
	return 0;
}

void guest_mem_free(struct guest_mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	memset(mem, 0, sizeof(*mem));
}

static const struct mem_region *region_of(const struct guest_mem *mem, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *guest_ptr(const struct guest_mem *mem, u64 gpa, u64 len)
{
	const struct mem_region *r = region_of(mem, gpa);

	/* Written to be overflow-proof: gpa and len are guest-controlled. */
	if (!r || len > r->size - (gpa - r->gpa))
		return NULL;
	return r->hva + (gpa - r->gpa);
}

int guest_write(const struct guest_mem *mem, u64 gpa, const void *src, u64 len)
{
	void *dst = guest_ptr(mem, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

u64 guest_region_end(const struct guest_mem *mem, u64 gpa)
{
	const struct mem_region *r = region_of(mem, gpa);

	return r ? r->gpa + r->size : 0;
}
