// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 Image parser and boot planner (arm64/image.c): the input is an
 * Image file followed by 16 bytes choosing where RAM starts, how much
 * there is and how large an initrd. The file sits in a buffer of exactly
 * its length. An accepted plan must keep the kernel (bss included), the
 * initrd and the DTB inside RAM and apart.
 */
#include "arm64/image.h"
#include "tests/fuzz/fuzz.h"

#define PARAMS		16

static const u64 ram_bases[] = { 0x80000000ULL, 0x40000000ULL, 0, 0x8000000000ULL };

static bool inside(u64 a, u64 n, u64 lo, u64 hi)
{
	return a >= lo && a <= hi && n <= hi - a;
}

static void check_plan(const struct arm64_boot_layout *l, const struct arm64_image *img,
		       u64 base, u64 end)
{
	FUZZ_CHECK(inside(l->dtb_addr, ARM64_DTB_MAX, base, end), "DTB outside RAM");
	FUZZ_CHECK(inside(l->kernel_addr, img->image_size, base, l->dtb_addr),
		   "kernel [0x%llx, +0x%llx) not below the DTB at 0x%llx",
		   (unsigned long long)l->kernel_addr, (unsigned long long)img->image_size,
		   (unsigned long long)l->dtb_addr);
	FUZZ_CHECK(l->kernel_addr % SZ_2M == img->text_offset % SZ_2M, "kernel misplaced");
	if (!l->initrd_size)
		return;
	FUZZ_CHECK(inside(l->initrd_addr, l->initrd_size, l->kernel_addr + img->image_size,
			  l->dtb_addr), "initrd [0x%llx, +0x%llx) overlaps the kernel or DTB",
		   (unsigned long long)l->initrd_addr, (unsigned long long)l->initrd_size);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in tail = { data + (size > PARAMS ? size - PARAMS : 0), MIN(size, PARAMS) };
	size_t len = size > PARAMS ? size - PARAMS : 0;
	struct arm64_boot_layout l;
	struct arm64_image img;
	u64 base, ram, initrd;
	struct err_msg e;
	u8 *file;

	file = malloc(len ? len : 1);
	if (!file)
		return 0;
	memcpy(file, data, len);
	base = ram_bases[take_u8(&tail) % ARRAY_SIZE(ram_bases)];
	ram = (u64)take_u32(&tail) << 12;		/* up to 16 TiB */
	initrd = (u64)take_u32(&tail) << (take_u8(&tail) % 24);
	if (arm64_image_parse(&img, file, len, "fuzz", &e))
		goto out;
	FUZZ_CHECK(img.image_size >= img.file_size, "image smaller than its file");
	FUZZ_CHECK(img.text_offset < SZ_2M, "text_offset 0x%llx",
		   (unsigned long long)img.text_offset);
	if (!arm64_plan_boot(&l, &img, base, ram, initrd, &e))
		check_plan(&l, &img, base, base + ram);
out:
	free(file);
	return 0;
}
