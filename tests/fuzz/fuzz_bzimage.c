// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 kernel loader's parsing (x86/boot.c), bzImage and ELF vmlinux
 * alike: the input is a kernel file
 * followed by 16 bytes saying how much low RAM there is, how large an
 * initrd, and how long a command line. The file sits in a buffer of
 * exactly its length. When the loader accepts a kernel, its plan must
 * keep the kernel and initrd inside low RAM and apart, and a vmlinux's
 * segments inside the file.
 */
#include "tests/fuzz/fuzz.h"
#include "x86/boot.h"
#include "x86/memmap.h"

#define PARAMS		16

static char cmdline[X86_BOOT_CMDLINE_MAX + 16];

static void check_plan(const struct x86_boot_layout *l, const struct x86_kernel *bz)
{
	u64 need = MAX((u64)bz->hdr.init_size, l->kernel_size), kernel_end;

	FUZZ_CHECK(l->kernel_addr >= X86_KERNEL_LOW, "kernel at 0x%llx",
		   (unsigned long long)l->kernel_addr);
	FUZZ_CHECK(l->kernel_addr < l->ram_low_end && need <= l->ram_low_end - l->kernel_addr,
		   "kernel [0x%llx, +0x%llx) outside low RAM (0x%llx)",
		   (unsigned long long)l->kernel_addr, (unsigned long long)need,
		   (unsigned long long)l->ram_low_end);
	kernel_end = l->kernel_addr + need;
	if (!l->initrd_size)
		return;
	FUZZ_CHECK(l->initrd_addr >= kernel_end && l->initrd_addr < l->ram_low_end &&
		   l->initrd_size <= l->ram_low_end - l->initrd_addr,
		   "initrd [0x%llx, +0x%llx) overlaps the kernel or leaves RAM",
		   (unsigned long long)l->initrd_addr, (unsigned long long)l->initrd_size);
	FUZZ_CHECK(l->initrd_addr + l->initrd_size - 1 <= bz->hdr.initrd_addr_max,
		   "initrd above initrd_addr_max");
}

static void check_segments(const struct x86_kernel *k)
{
	unsigned int i;

	FUZZ_CHECK(k->nr_segs && k->nr_segs <= X86_ELF_MAX_SEGMENTS, "%u segments", k->nr_segs);
	FUZZ_CHECK(k->entry >= k->load_start && k->entry < k->load_end, "entry outside the segments");
	for (i = 0; i < k->nr_segs; i++) {
		const struct x86_elf_segment *s = &k->segs[i];

		FUZZ_CHECK(s->offset <= k->len && s->filesz <= k->len - s->offset,
			   "segment %u [0x%llx, +0x%llx) past the file", i,
			   (unsigned long long)s->offset, (unsigned long long)s->filesz);
		FUZZ_CHECK(s->paddr >= k->load_start && s->paddr + s->memsz <= k->load_end,
			   "segment %u outside [load_start, load_end)", i);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in tail = { data + (size > PARAMS ? size - PARAMS : 0), MIN(size, PARAMS) };
	struct x86_boot_layout l = { 0 };
	static struct boot_params bp;
	size_t len = size > PARAMS ? size - PARAMS : 0;
	struct x86_kernel bz;
	struct err_msg e;
	u32 cmdline_len;
	u8 *file;

	file = malloc(len ? len : 1);
	if (!file)
		return 0;
	memcpy(file, data, len);
	l.ram_low_end = (u64)take_u32(&tail) << 8;
	l.ram_low_end = MIN(l.ram_low_end, X86_MMIO_HOLE);
	l.ram_high_size = (u64)take_u16(&tail) << 20;
	l.initrd_size = (u64)take_u32(&tail) << 4;
	cmdline_len = take_u32(&tail) % sizeof(cmdline);
	if (x86_kernel_parse(&bz, file, len, "fuzz", &e))
		goto out;
	if (bz.elf)
		check_segments(&bz);
	else
		FUZZ_CHECK(bz.setup_size < bz.len, "setup code past the file");
	if (x86_plan_boot(&l, &bz, l.initrd_size, &e))
		goto out;
	check_plan(&l, &bz);
	memset(cmdline, 'x', cmdline_len);
	cmdline[cmdline_len] = '\0';
	if (!x86_fill_boot_params(&bp, &bz, &l, cmdline, &e))
		FUZZ_CHECK(bp.e820_entries <= E820_MAX_ENTRIES_ZEROPAGE, "%u e820 entries",
			   bp.e820_entries);
out:
	free(file);
	return 0;
}
