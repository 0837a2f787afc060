/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_X86_BOOT_H
#define LKVM_X86_BOOT_H

#include <asm/bootparam.h>

#include "../core/util.h"

#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

/* Where things go, decided from the guest's RAM before anything is copied. */
struct x86_boot_layout {
	u64 ram_low_end;	/* RAM [0, ram_low_end) less the legacy holes */
	u64 ram_high_size;	/* RAM [4 GiB, 4 GiB + ram_high_size) */
	u64 kernel_addr;	/* protected-mode kernel */
	u64 kernel_size;	/* bytes in the file after the setup sectors */
	u64 initrd_addr;
	u64 initrd_size;
	u64 cmdline_addr;
	u64 rsdp_addr;
};

#define X86_ELF_MAX_SEGMENTS	16

/* One PT_LOAD segment of an ELF vmlinux: file bytes to a physical address. */
struct x86_elf_segment {
	u64 paddr;
	u64 offset;
	u64 filesz;
	u64 memsz;
};

/*
 * The parts of a kernel lkvm needs, checked: a bzImage (its protected-mode
 * part is copied whole and decompresses itself), or an uncompressed ELF
 * vmlinux (its segments are copied to their physical addresses, and its own
 * entry is entered directly, with a boot header lkvm writes itself).
 */
struct x86_kernel {
	const u8 *data;
	u64 len;
	struct setup_header hdr;
	u64 setup_size;		/* bzImage: real-mode setup code, skipped */
	bool elf;
	u64 entry;		/* ELF: physical address of the 64-bit entry */
	u64 load_start;		/* ELF: lowest and end of the highest segment */
	u64 load_end;
	struct x86_elf_segment segs[X86_ELF_MAX_SEGMENTS];
	unsigned int nr_segs;
};

/* Checks the boot header; -EINVAL with e naming what is wrong with path. */
int bzimage_parse(struct x86_kernel *bz, const void *data, u64 len, const char *path,
		  struct err_msg *e);

/* Checks an ELF vmlinux for x86-64 and its PT_LOAD segments; -EINVAL as above. */
int vmlinux_parse(struct x86_kernel *k, const void *data, u64 len, const char *path,
		  struct err_msg *e);

/* Either of the two, told apart by the ELF magic. */
int x86_kernel_parse(struct x86_kernel *k, const void *data, u64 len, const char *path,
		     struct err_msg *e);

/* Chooses kernel and initrd addresses; -EINVAL (usage) if RAM is too small. */
int x86_plan_boot(struct x86_boot_layout *l, const struct x86_kernel *bz, u64 initrd_size,
		  struct err_msg *e);

unsigned int x86_build_e820(struct boot_e820_entry *tab, unsigned int max,
			    u64 ram_low_end, u64 ram_high_size);

/* Fills the zero page for the 64-bit boot protocol. */
int x86_fill_boot_params(struct boot_params *bp, const struct x86_kernel *bz,
			 const struct x86_boot_layout *l, const char *cmdline,
			 struct err_msg *e);

/*
 * Writes the code at the reset vector: a kernel that resets through the
 * BIOS (Linux does with hardware-reduced ACPI and no EFI) lands there, and
 * it writes the ACPI reset register, so such a reset ends lkvm too.
 */
int x86_write_reset_vector(u8 *low_mem, u64 low_size);

/* Writes GDT and identity page tables for entering the kernel in long mode. */
int x86_write_boot_tables(u8 *low_mem, u64 low_size);

#endif
