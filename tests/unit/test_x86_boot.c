// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86/boot.h"
#include "x86/memmap.h"

#define FAKE_LEN	(64 * 1024)

/* A minimal bzImage: 4 setup sectors, then "protected-mode" bytes. */
static u8 *fake_bzimage(u16 version, u8 xloadflags)
{
	u8 *k = calloc(1, FAKE_LEN);
	struct setup_header *h = (struct setup_header *)(k + 0x1f1);

	k[0x200] = 0xeb;
	k[0x201] = 0x6a;	/* header runs to 0x26c */
	h->setup_sects = 4;
	h->header = 0x53726448;
	h->version = version;
	h->xloadflags = xloadflags;
	h->relocatable_kernel = 1;
	h->pref_address = 0x1000000;
	h->init_size = 0x2000000;
	h->initrd_addr_max = 0x7fffffff;
	h->cmdline_size = 2047;
	memset(k + 5 * 512, 0xcc, FAKE_LEN - 5 * 512);
	return k;
}

START_TEST(test_parse_good)
{
	u8 *k = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct err_msg e = { 0 };
	struct x86_kernel bz;

	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "bz", &e), 0);
	ck_assert_uint_eq(bz.setup_size, 5 * 512);
	ck_assert_uint_eq(bz.hdr.pref_address, 0x1000000);
	free(k);
}
END_TEST

START_TEST(test_parse_rejects)
{
	u8 *k = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct err_msg e = { 0 };
	struct x86_kernel bz;

	ck_assert_int_eq(bzimage_parse(&bz, k, 0x100, "short", &e), -EINVAL);
	ck_assert(e.usage && strstr(e.text, "'short' is neither an x86 bzImage"));
	k[0x202] = 'X';
	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "elf", &e), -EINVAL);
	ck_assert(strstr(e.text, "'elf'"));
	free(k);
	k = fake_bzimage(0x020a, 0);
	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "old", &e), -EINVAL);
	ck_assert_msg(strstr(e.text, "2.10"), "%s", e.text);
	free(k);
	k = fake_bzimage(0x020f, 0);
	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "32bit", &e), -EINVAL);
	free(k);
}
END_TEST

START_TEST(test_plan_places_initrd_high)
{
	u8 *k = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct x86_boot_layout l = { .ram_low_end = 256ULL << 20 };
	struct err_msg e = { 0 };
	struct x86_kernel bz;

	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "bz", &e), 0);
	ck_assert_int_eq(x86_plan_boot(&l, &bz, 10 << 20, &e), 0);
	ck_assert_uint_eq(l.kernel_addr, 0x1000000);
	ck_assert_uint_le(l.initrd_addr + l.initrd_size, l.ram_low_end);
	ck_assert_uint_ge(l.initrd_addr, 0x1000000 + 0x2000000);
	ck_assert_uint_eq(l.initrd_addr % SZ_2M, 0);
	/* Capped by initrd_addr_max when RAM runs above it. */
	l.ram_low_end = X86_MMIO_HOLE;
	ck_assert_int_eq(x86_plan_boot(&l, &bz, 10 << 20, &e), 0);
	ck_assert_uint_le(l.initrd_addr + l.initrd_size, 0x80000000ULL);
	free(k);
}
END_TEST

START_TEST(test_plan_too_little_memory)
{
	u8 *k = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct x86_boot_layout l = { .ram_low_end = 32ULL << 20 };
	struct err_msg e = { 0 };
	struct x86_kernel bz;

	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "bz", &e), 0);
	ck_assert_int_eq(x86_plan_boot(&l, &bz, 0, &e), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, "-m 32: too little memory"), "%s", e.text);
	l.ram_low_end = 64ULL << 20;
	ck_assert_int_eq(x86_plan_boot(&l, &bz, 40 << 20, &e), -EINVAL);
	ck_assert_msg(strstr(e.text, "initrd"), "%s", e.text);
	free(k);
}
END_TEST

START_TEST(test_e820)
{
	struct boot_e820_entry t[8];
	unsigned int n;

	n = x86_build_e820(t, 8, 256ULL << 20, 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(t[0].addr, 0);
	ck_assert_uint_eq(t[0].size, X86_EBDA_START);
	ck_assert_uint_eq(t[0].type, E820_TYPE_RAM);
	ck_assert_uint_eq(t[2].addr, X86_BIOS_START);
	ck_assert_uint_eq(t[2].type, E820_TYPE_RESERVED);
	ck_assert_uint_eq(t[3].addr, SZ_1M);
	ck_assert_uint_eq(t[3].addr + t[3].size, 256ULL << 20);
	/* 5 GiB: 3 below the hole, 2 above 4 GiB. */
	n = x86_build_e820(t, 8, X86_MMIO_HOLE, 2 * SZ_1G);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(t[4].addr, SZ_4G);
	ck_assert_uint_eq(t[4].size, 2 * SZ_1G);
	ck_assert_uint_eq(t[4].type, E820_TYPE_RAM);
}
END_TEST

START_TEST(test_boot_params)
{
	u8 *k = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct x86_boot_layout l = { .ram_low_end = 512ULL << 20, .rsdp_addr = X86_BIOS_START };
	struct boot_params *bp = calloc(1, sizeof(*bp));
	struct err_msg e = { 0 };
	struct x86_kernel bz;
	char *longline;

	ck_assert_int_eq(bzimage_parse(&bz, k, FAKE_LEN, "bz", &e), 0);
	ck_assert_int_eq(x86_plan_boot(&l, &bz, 1 << 20, &e), 0);
	ck_assert_int_eq(x86_fill_boot_params(bp, &bz, &l, "console=ttyS0", &e), 0);
	ck_assert_uint_eq(bp->hdr.header, 0x53726448);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, X86_BOOT_CMDLINE);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, l.initrd_addr);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, 1 << 20);
	ck_assert_uint_eq(bp->hdr.code32_start, 0x1000000);
	ck_assert_uint_eq(bp->acpi_rsdp_addr, X86_BIOS_START);
	ck_assert_uint_eq(bp->e820_entries, 4);
	/* A command line longer than the kernel takes is the user's to shorten. */
	longline = calloc(1, 3000);
	memset(longline, 'a', 2999);
	ck_assert_int_eq(x86_fill_boot_params(bp, &bz, &l, longline, &e), -EINVAL);
	ck_assert_msg(strstr(e.text, "2047"), "%s", e.text);
	free(longline);
	free(bp);
	free(k);
}
END_TEST

/*
 * A minimal vmlinux: the ELF header, three program headers (text and data
 * PT_LOADs at 16 MiB and 32 MiB, the second with a bss tail, and a PT_NOTE),
 * then the segments' bytes.
 */
static u8 *fake_vmlinux(void)
{
	u8 *k = calloc(1, FAKE_LEN);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)k;
	Elf64_Phdr *ph = (Elf64_Phdr *)(k + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_entry = 0x1000000;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x1000, .p_paddr = 0x1000000,
			      .p_filesz = 0x4000, .p_memsz = 0x4000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0x100, .p_paddr = 0x100,
			      .p_filesz = 0x10, .p_memsz = 0x10 };
	ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x5000, .p_paddr = 0x2000000,
			      .p_filesz = 0x2000, .p_memsz = 0x100000 };
	memset(k + 0x1000, 0xcc, 0x6000);
	return k;
}

START_TEST(test_vmlinux_segments_and_plan)
{
	struct x86_boot_layout l = { .ram_low_end = 256 << 20 };
	u8 *k = fake_vmlinux();
	struct err_msg e = { 0 };
	struct x86_kernel vm;

	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "vmlinux", &e), 0);
	ck_assert(vm.elf);
	ck_assert_uint_eq(vm.nr_segs, 2);
	ck_assert_uint_eq(vm.entry, 0x1000000);
	ck_assert_uint_eq(vm.load_start, 0x1000000);
	ck_assert_uint_eq(vm.load_end, 0x2100000);
	/* lkvm's own header: the 64-bit protocol, HdrS, the usual limits. */
	ck_assert_uint_eq(vm.hdr.header, 0x53726448);
	ck_assert(vm.hdr.xloadflags & XLF_KERNEL_64);
	ck_assert_uint_eq(vm.hdr.initrd_addr_max, 0x7fffffff);
	ck_assert_int_eq(x86_plan_boot(&l, &vm, 10 << 20, &e), 0);
	ck_assert_uint_eq(l.kernel_addr, 0x1000000);
	/* The initrd stays clear of the bss past the last file byte. */
	ck_assert_uint_ge(l.initrd_addr, 0x2100000);
	l.ram_low_end = 32 << 20;
	ck_assert_int_eq(x86_plan_boot(&l, &vm, 0, &e), -EINVAL);
	ck_assert(e.usage && strstr(e.text, "-m 32"));
	free(k);
}
END_TEST

START_TEST(test_vmlinux_rejects)
{
	u8 *k = fake_vmlinux();
	Elf64_Ehdr *eh = (Elf64_Ehdr *)k;
	Elf64_Phdr *ph = (Elf64_Phdr *)(k + sizeof(*eh));
	struct err_msg e = { 0 };
	struct x86_kernel vm;

	eh->e_machine = EM_AARCH64;
	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "arm", &e), -EINVAL);
	ck_assert_msg(strstr(e.text, "'arm' is an ELF file but not an x86-64 vmlinux"), "%s", e.text);
	eh->e_machine = EM_X86_64;
	/* A segment running past the end of the file. */
	ph[2].p_filesz = FAKE_LEN;
	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "cut", &e), -EINVAL);
	ck_assert(strstr(e.text, "truncated"));
	ph[2].p_filesz = 0x2000;
	/* Program headers past the end of the file. */
	eh->e_phnum = 0xffff;
	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "phdrs", &e), -EINVAL);
	eh->e_phnum = 3;
	/* An entry outside every segment. */
	eh->e_entry = 0x100;
	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "entry", &e), -EINVAL);
	eh->e_entry = 0x1000000;
	/* A segment in the boot tables' first megabyte. */
	ph[0].p_paddr = 0x8000;
	eh->e_entry = 0x8000;
	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "low", &e), 0);
	{
		struct x86_boot_layout l = { .ram_low_end = 256 << 20 };

		ck_assert_int_eq(x86_plan_boot(&l, &vm, 0, &e), -EINVAL);
		ck_assert(strstr(e.text, "below 1 MiB"));
	}
	/* Neither ELF nor bzImage. */
	memset(k, 0, 64);
	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "zero", &e), -EINVAL);
	ck_assert(strstr(e.text, "neither an x86 bzImage"));
	free(k);
}
END_TEST

START_TEST(test_vmlinux_boot_params)
{
	struct x86_boot_layout l = { .ram_low_end = 256 << 20 };
	struct boot_params *bp = calloc(1, sizeof(*bp));
	u8 *k = fake_vmlinux();
	struct err_msg e = { 0 };
	struct x86_kernel vm;

	ck_assert_int_eq(x86_kernel_parse(&vm, k, FAKE_LEN, "vmlinux", &e), 0);
	ck_assert_int_eq(x86_plan_boot(&l, &vm, 1 << 20, &e), 0);
	ck_assert_int_eq(x86_fill_boot_params(bp, &vm, &l, "console=ttyS0", &e), 0);
	ck_assert_uint_eq(bp->hdr.boot_flag, 0xaa55);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp->hdr.ramdisk_image, l.initrd_addr);
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, X86_BOOT_CMDLINE);
	ck_assert_uint_gt(bp->e820_entries, 2);
	free(bp);
	free(k);
}
END_TEST

START_TEST(test_boot_tables)
{
	u8 *low = calloc(1, SZ_1M);
	u64 *pml4 = (u64 *)(low + X86_BOOT_PML4);
	u64 *pdpt = (u64 *)(low + X86_BOOT_PDPT);
	u64 *pd = (u64 *)(low + X86_BOOT_PD);
	u64 *gdt = (u64 *)(low + X86_BOOT_GDT);

	ck_assert_int_eq(x86_write_boot_tables(low, SZ_1M), 0);
	ck_assert_uint_eq(pml4[0], X86_BOOT_PDPT | 3);
	ck_assert_uint_eq(pdpt[3], (X86_BOOT_PD + 3 * SZ_4K) | 3);
	ck_assert_uint_eq(pd[0], 0x83);
	/* The last 2 MiB page below 4 GiB maps itself. */
	ck_assert_uint_eq(pd[2047], (SZ_4G - SZ_2M) | 0x83);
	/* __BOOT_CS (0x10) is a long-mode code segment: L set, D clear. */
	ck_assert(gdt[2] & (1ULL << 53));
	ck_assert(!(gdt[2] & (1ULL << 54)));
	ck_assert_int_eq(x86_write_boot_tables(low, 0x1000), -ENOSPC);
	free(low);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("x86 boot");
	TCase *tc = tcase_create("bzimage");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_plan_places_initrd_high);
	tcase_add_test(tc, test_plan_too_little_memory);
	tcase_add_test(tc, test_e820);
	tcase_add_test(tc, test_boot_params);
	tcase_add_test(tc, test_boot_tables);
	tcase_add_test(tc, test_vmlinux_segments_and_plan);
	tcase_add_test(tc, test_vmlinux_rejects);
	tcase_add_test(tc, test_vmlinux_boot_params);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
