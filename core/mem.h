/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_MEM_H
#define LKVM_MEM_H

#include "util.h"

#define GUEST_MEM_MAX_REGIONS	4
/* The host alignment of guest RAM: the huge page size of both arches. */
#define GUEST_MEM_ALIGN		(2ULL << 20)

/* One KVM memory slot: guest-physical [gpa, gpa + size) backed at hva. */
struct mem_region {
	u64 gpa;
	u64 size;
	u8 *hva;
};

/*
 * Guest RAM is one anonymous mapping, cut into regions where the
 * architecture leaves holes (the 32-bit MMIO hole on x86).
 */
struct guest_mem {
	u8 *base;
	u64 size;
	struct mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned int nr_regions;
};

int guest_mem_alloc(struct guest_mem *mem, u64 size, struct err_msg *e);
int guest_mem_add_region(struct guest_mem *mem, u64 gpa, u64 size, struct err_msg *e);
void guest_mem_free(struct guest_mem *mem);

/* Host pointer for [gpa, gpa + len), or NULL unless it lies in one region. */
void *guest_ptr(const struct guest_mem *mem, u64 gpa, u64 len);

/* Copies len bytes into the guest; -EFAULT if any part falls outside RAM. */
int guest_write(const struct guest_mem *mem, u64 gpa, const void *src, u64 len);

/* End of the RAM region that contains gpa, or 0. */
u64 guest_region_end(const struct guest_mem *mem, u64 gpa);

#endif
