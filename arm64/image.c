// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "image.h"

#define HDR_TEXT_OFFSET		0x08
#define HDR_IMAGE_SIZE		0x10
#define HDR_FLAGS		0x18
#define HDR_MAGIC		0x38
#define HDR_SIZE		0x40

#define FLAG_BIG_ENDIAN		(1ULL << 0)
#define FLAG_ANYWHERE		(1ULL << 3)

/* Kernels before 3.17 leave image_size zero; they assume this offset. */
#define LEGACY_TEXT_OFFSET	0x80000ULL

/* The initrd must share a 1 GiB aligned window of at most 32 GiB with the kernel. */
#define INITRD_WINDOW		(32 * SZ_1G)

static u64 get_le(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* Names what the file looks like instead, for the usual mix-ups. */
static int not_an_image(const u8 *b, u64 len, const char *path, struct err_msg *e)
{
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return err_usage(e, "kernel '%s' is gzip-compressed; lkvm boots the uncompressed arm64 Image (gunzip it first)",
				 path);
	if (len >= 4 && !memcmp(b, "\177ELF", 4))
		return err_usage(e, "kernel '%s' is an ELF file (a vmlinux?); lkvm boots the arm64 Image (arch/arm64/boot/Image)",
				 path);
	if (len >= 0x206 && !memcmp(b + 0x202, "HdrS", 4))
		return err_usage(e, "kernel '%s' is an x86 bzImage; this lkvm boots arm64 Images", path);
	return err_usage(e, "kernel '%s' is not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38)",
			 path);
}

int arm64_image_parse(struct arm64_image *img, const void *buf, u64 len, const char *path,
		      struct err_msg *e)
{
	const u8 *b = buf;
	u64 flags;

	if (len < HDR_SIZE || get_le(b + HDR_MAGIC, 4) != ARM64_IMAGE_MAGIC)
		return not_an_image(b, len, path, e);
	memset(img, 0, sizeof(*img));
	img->data = b;
	img->file_size = len;
	img->text_offset = get_le(b + HDR_TEXT_OFFSET, 8);
	img->image_size = get_le(b + HDR_IMAGE_SIZE, 8);
	flags = get_le(b + HDR_FLAGS, 8);
	if (!img->image_size) {
		img->text_offset = LEGACY_TEXT_OFFSET;
		img->image_size = len;
		return 0;
	}
	if (flags & FLAG_BIG_ENDIAN)
		return err_usage(e, "kernel '%s' is a big-endian arm64 kernel; KVM guests here run little-endian",
				 path);
	if (img->text_offset >= SZ_2M || img->text_offset % 8)
		return err_usage(e, "kernel '%s': text_offset 0x%llx is not a valid arm64 Image offset",
				 path, (unsigned long long)img->text_offset);
	img->image_size = MAX(img->image_size, len);
	img->anywhere = flags & FLAG_ANYWHERE;
	return 0;
}

/*
 * The kernel goes at the start of RAM (its 2 MiB aligned base plus
 * text_offset), the DTB in the last 2 MiB block so no other mapping shares
 * it, and the initrd right below the DTB, kept inside the window the kernel
 * can reach.
 */
int arm64_plan_boot(struct arm64_boot_layout *l, const struct arm64_image *img, u64 ram_base,
		    u64 ram_size, u64 initrd_size, struct err_msg *e)
{
	u64 ram_end = ram_base + ram_size;
	u64 kernel_end, initrd_top;

	memset(l, 0, sizeof(*l));
	l->kernel_addr = ALIGN_UP(ram_base, SZ_2M) + img->text_offset;
	kernel_end = l->kernel_addr + img->image_size;
	l->dtb_addr = ALIGN_DOWN(ram_end, SZ_2M) - ARM64_DTB_MAX;
	/* image_size is the file's: it may wrap the end around. */
	if (ALIGN_DOWN(ram_end, SZ_2M) < ram_base + ARM64_DTB_MAX || kernel_end < l->kernel_addr ||
	    kernel_end > l->dtb_addr)
		return err_usage(e, "the kernel needs %llu MiB and the device tree 2 MiB: give -m %llu or more",
				 (unsigned long long)(img->image_size >> 20),
				 (unsigned long long)((kernel_end - ram_base + 2 * SZ_2M) >> 20) + 1);
	if (!initrd_size)
		return 0;
	initrd_top = MIN(l->dtb_addr, ALIGN_DOWN(l->kernel_addr, SZ_1G) + INITRD_WINDOW);
	/* A kernel larger than the initrd's window leaves no room at all. */
	if (initrd_top < kernel_end || initrd_size > initrd_top - kernel_end)
		return err_usage(e, "the kernel (%llu MiB) and the initrd (%llu MiB) do not fit in guest RAM; give -m %llu or more",
				 (unsigned long long)(img->image_size >> 20),
				 (unsigned long long)(initrd_size >> 20),
				 (unsigned long long)((kernel_end - ram_base + initrd_size + 2 * SZ_2M) >> 20) + 2);
	l->initrd_addr = ALIGN_DOWN(initrd_top - initrd_size, SZ_4K);
	if (l->initrd_addr < kernel_end)
		return err_usage(e, "the initrd does not fit between the kernel and the device tree; give more memory");
	l->initrd_size = initrd_size;
	return 0;
}
