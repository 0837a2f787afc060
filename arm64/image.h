/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARM64_IMAGE_H
#define LKVM_ARM64_IMAGE_H

#include "../core/util.h"

/*
 * The arm64 kernel Image and where its boot protocol lets lkvm put it,
 * the DTB and the initrd (Documentation/arch/arm64/booting.rst). Pure
 * functions on buffers, so they build and are tested on any host.
 */

#define ARM64_IMAGE_MAGIC	0x644d5241	/* "ARM\x64", little-endian, at 0x38 */
#define ARM64_DTB_MAX		SZ_2M		/* the protocol's limit for the DTB */

struct arm64_image {
	const u8 *data;
	u64 file_size;
	u64 text_offset;	/* from a 2 MiB aligned base */
	u64 image_size;		/* memory the kernel uses, bss included */
	bool anywhere;		/* may sit anywhere in RAM, not only near its start */
};

struct arm64_boot_layout {
	u64 kernel_addr;	/* the Image's first byte; also its entry point */
	u64 dtb_addr;		/* a 2 MiB block of its own at the top of RAM */
	u64 initrd_addr;
	u64 initrd_size;
};

/* Checks the header; err_usage naming path when buf is not an arm64 Image. */
int arm64_image_parse(struct arm64_image *img, const void *buf, u64 len, const char *path,
		      struct err_msg *e);

/* Places kernel, initrd and DTB in RAM [ram_base, ram_base + ram_size). */
int arm64_plan_boot(struct arm64_boot_layout *l, const struct arm64_image *img, u64 ram_base,
		    u64 ram_size, u64 initrd_size, struct err_msg *e);

#endif
