// SPDX-License-Identifier: GPL-2.0
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "boot.h"
#include "memmap.h"

#define HDR_OFFSET		0x1f1
#define HDR_MAGIC		0x53726448	/* "HdrS" */
#define MIN_PROTOCOL		0x020c		/* 2.12: xloadflags, 64-bit entry */
#define RSDP_PROTOCOL		0x020e		/* 2.14: acpi_rsdp_addr */
#define LOADER_UNDEFINED	0xff
/* What lkvm's own boot header for an ELF vmlinux claims. */
#define ELF_PROTOCOL		0x020f
#define ELF_CMDLINE_SIZE	2048		/* x86's COMMAND_LINE_SIZE */
#define ELF_INITRD_ADDR_MAX	0x7fffffff
#define ELF_KERNEL_ALIGN	0x200000

int bzimage_parse(struct x86_kernel *bz, const void *data, u64 len, const char *path,
		  struct err_msg *e)
{
	const u8 *p = data;
	u64 hdr_end;

	memset(bz, 0, sizeof(*bz));
	if (len < 0x264 || memcmp(p + 0x202, "HdrS", 4))
		return err_usage(e, "kernel '%s' is neither an x86 bzImage (no 'HdrS' boot header) nor an ELF vmlinux; pass one of those with -k",
				 path);
	/* The header's own length is given by the jump at 0x200; a short file holds less. */
	hdr_end = MIN(0x202 + (u64)p[0x201], len);
	memcpy(&bz->hdr, p + HDR_OFFSET, MIN(hdr_end - HDR_OFFSET, sizeof(bz->hdr)));
	if (bz->hdr.version < MIN_PROTOCOL || !(bz->hdr.xloadflags & XLF_KERNEL_64))
		return err_usage(e, "kernel '%s' uses boot protocol %u.%02u without a 64-bit entry; lkvm needs a 64-bit bzImage (2.12 or later)",
				 path, bz->hdr.version >> 8, bz->hdr.version & 0xff);
	bz->setup_size = ((u64)(bz->hdr.setup_sects ? bz->hdr.setup_sects : 4) + 1) * 512;
	if (bz->setup_size >= len)
		return err_usage(e, "kernel '%s' is truncated (setup code runs past the end of the file)", path);
	bz->data = p;
	bz->len = len;
	return 0;
}

static int vmlinux_add_segment(struct x86_kernel *k, const Elf64_Phdr *ph, const char *path,
			       struct err_msg *e)
{
	if (ph->p_offset > k->len || ph->p_filesz > k->len - ph->p_offset ||
	    ph->p_filesz > ph->p_memsz || ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return err_usage(e, "kernel '%s' is truncated or malformed (a PT_LOAD segment lies outside the file)",
				 path);
	if (k->nr_segs == X86_ELF_MAX_SEGMENTS)
		return err_usage(e, "kernel '%s' has more than %d PT_LOAD segments; is it a vmlinux?",
				 path, X86_ELF_MAX_SEGMENTS);
	k->segs[k->nr_segs++] = (struct x86_elf_segment){
		.paddr = ph->p_paddr, .offset = ph->p_offset,
		.filesz = ph->p_filesz, .memsz = ph->p_memsz,
	};
	if (k->nr_segs == 1 || ph->p_paddr < k->load_start)
		k->load_start = ph->p_paddr;
	k->load_end = MAX(k->load_end, ph->p_paddr + ph->p_memsz);
	return 0;
}

/*
 * The header a bzImage would carry, for the fields Linux reads when entered
 * at its 64-bit entry; the real one is in the bzImage's setup code, which a
 * vmlinux does not have.
 */
static void vmlinux_fake_header(struct setup_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->boot_flag = 0xaa55;
	hdr->header = HDR_MAGIC;
	hdr->version = ELF_PROTOCOL;
	hdr->xloadflags = XLF_KERNEL_64;
	hdr->kernel_alignment = ELF_KERNEL_ALIGN;
	hdr->cmdline_size = ELF_CMDLINE_SIZE;
	hdr->initrd_addr_max = ELF_INITRD_ADDR_MAX;
}

int vmlinux_parse(struct x86_kernel *k, const void *data, u64 len, const char *path,
		  struct err_msg *e)
{
	const Elf64_Ehdr *eh = data;
	const u8 *p = data;
	unsigned int i;
	int ret;

	memset(k, 0, sizeof(*k));
	k->data = p;
	k->len = len;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return err_usage(e, "kernel '%s' is not an ELF file", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return err_usage(e, "kernel '%s' is an ELF file but not an x86-64 vmlinux; pass a bzImage or an x86-64 vmlinux with -k",
				 path);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (u64)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return err_usage(e, "kernel '%s' is truncated or malformed (bad ELF program headers)", path);
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		ret = vmlinux_add_segment(k, &ph, path, e);
		if (ret)
			return ret;
	}
	if (!k->nr_segs)
		return err_usage(e, "kernel '%s' has no PT_LOAD segment", path);
	if (eh->e_entry < k->load_start || eh->e_entry >= k->load_end)
		return err_usage(e, "kernel '%s': its entry 0x%llx is outside its segments; is it a vmlinux?",
				 path, (unsigned long long)eh->e_entry);
	k->elf = true;
	k->entry = eh->e_entry;
	vmlinux_fake_header(&k->hdr);
	return 0;
}

int x86_kernel_parse(struct x86_kernel *k, const void *data, u64 len, const char *path,
		     struct err_msg *e)
{
	if (len >= SELFMAG && !memcmp(data, ELFMAG, SELFMAG))
		return vmlinux_parse(k, data, len, path, e);
	return bzimage_parse(k, data, len, path, e);
}

int x86_plan_boot(struct x86_boot_layout *l, const struct x86_kernel *bz, u64 initrd_size,
		  struct err_msg *e)
{
	u64 kernel_end, top, need;

	if (bz->elf) {
		/* Segments go where they say; below 1 MiB are the boot tables. */
		l->kernel_addr = bz->load_start;
		l->kernel_size = bz->load_end - bz->load_start;
		kernel_end = bz->load_end;
		if (l->kernel_addr < X86_KERNEL_LOW)
			return err_usage(e, "kernel: a vmlinux segment at 0x%llx overlaps lkvm's boot tables below 1 MiB",
					 (unsigned long long)l->kernel_addr);
	} else {
		l->kernel_size = bz->len - bz->setup_size;
		l->kernel_addr = X86_KERNEL_LOW;
		if (bz->hdr.relocatable_kernel && bz->hdr.pref_address >= X86_KERNEL_LOW)
			l->kernel_addr = bz->hdr.pref_address;
		/* init_size covers decompression in place; the file may be larger. */
		kernel_end = l->kernel_addr + MAX(bz->hdr.init_size, l->kernel_size);
	}
	need = ALIGN_UP(kernel_end + initrd_size, SZ_1M) >> 20;
	/* pref_address is the file's: it may wrap the end around. */
	if (kernel_end < l->kernel_addr || kernel_end > l->ram_low_end)
		return err_usage(e, "-m %llu: too little memory for this kernel; give -m %llu or more",
				 (unsigned long long)((l->ram_low_end) >> 20),
				 (unsigned long long)need + 32);
	l->cmdline_addr = X86_BOOT_CMDLINE;
	l->initrd_addr = 0;
	l->initrd_size = initrd_size;
	if (!initrd_size)
		return 0;
	top = MIN(l->ram_low_end, (u64)bz->hdr.initrd_addr_max + 1);
	if (initrd_size > top || ALIGN_DOWN(top - initrd_size, SZ_2M) < kernel_end)
		return err_usage(e, "-m %llu: too little memory for this kernel and a %llu MiB initrd; give -m %llu or more",
				 (unsigned long long)(l->ram_low_end >> 20),
				 (unsigned long long)(initrd_size >> 20),
				 (unsigned long long)need + 32);
	l->initrd_addr = ALIGN_DOWN(top - initrd_size, SZ_2M);
	return 0;
}

static unsigned int e820_add(struct boot_e820_entry *tab, unsigned int n, unsigned int max,
			     u64 addr, u64 size, u32 type)
{
	if (n == max || !size)
		return n;
	tab[n] = (struct boot_e820_entry){ .addr = addr, .size = size, .type = type };
	return n + 1;
}

unsigned int x86_build_e820(struct boot_e820_entry *tab, unsigned int max,
			    u64 ram_low_end, u64 ram_high_size)
{
	unsigned int n = 0;

	n = e820_add(tab, n, max, 0, X86_EBDA_START, E820_TYPE_RAM);
	n = e820_add(tab, n, max, X86_EBDA_START, 0xa0000 - X86_EBDA_START, E820_TYPE_RESERVED);
	n = e820_add(tab, n, max, X86_BIOS_START, X86_BIOS_END - X86_BIOS_START, E820_TYPE_RESERVED);
	n = e820_add(tab, n, max, X86_BIOS_END, ram_low_end - X86_BIOS_END, E820_TYPE_RAM);
	n = e820_add(tab, n, max, X86_MMIO_HOLE_END, ram_high_size, E820_TYPE_RAM);
	return n;
}

int x86_fill_boot_params(struct boot_params *bp, const struct x86_kernel *bz,
			 const struct x86_boot_layout *l, const char *cmdline,
			 struct err_msg *e)
{
	size_t cmdline_len = strlen(cmdline);
	u32 cmdline_max = bz->hdr.cmdline_size ? bz->hdr.cmdline_size : 255;

	if (cmdline_len > cmdline_max || cmdline_len >= X86_BOOT_CMDLINE_MAX)
		return err_usage(e, "the kernel command line is %zu bytes; this kernel takes at most %u, shorten -p",
				 cmdline_len, cmdline_max);
	memset(bp, 0, sizeof(*bp));
	bp->hdr = bz->hdr;
	bp->hdr.type_of_loader = LOADER_UNDEFINED;
	bp->hdr.vid_mode = 0xffff;	/* "normal": no video mode switch */
	bp->hdr.loadflags |= LOADED_HIGH;
	bp->hdr.code32_start = l->kernel_addr;
	bp->hdr.cmd_line_ptr = (u32)l->cmdline_addr;
	bp->ext_cmd_line_ptr = l->cmdline_addr >> 32;
	bp->hdr.ramdisk_image = (u32)l->initrd_addr;
	bp->hdr.ramdisk_size = (u32)l->initrd_size;
	bp->ext_ramdisk_image = l->initrd_addr >> 32;
	bp->ext_ramdisk_size = l->initrd_size >> 32;
	if (bz->hdr.version >= RSDP_PROTOCOL)
		bp->acpi_rsdp_addr = l->rsdp_addr;
	bp->e820_entries = x86_build_e820(bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE,
					  l->ram_low_end, l->ram_high_size);
	return 0;
}

int x86_write_reset_vector(u8 *low_mem, u64 low_size)
{
	const u8 code[] = {
		0xb0, X86_PM_RESET_VALUE,			/* mov al, value */
		0xba, X86_PM_RESET_PORT & 0xff, X86_PM_RESET_PORT >> 8, /* mov dx, port */
		0xee,						/* out dx, al */
		0xf4,						/* hlt */
		0xeb, 0xfd,					/* jmp hlt */
	};

	if (low_size < X86_BIOS_END)
		return -ENOSPC;
	memcpy(low_mem + X86_RESET_VECTOR, code, sizeof(code));
	return 0;
}

/* 64-bit code at 0x10 and data at 0x18: the selectors the boot protocol names. */
static const u64 boot_gdt[] = {
	0,
	0,
	0x00af9b000000ffffULL,	/* __BOOT_CS: 64-bit code, DPL 0 */
	0x00cf93000000ffffULL,	/* __BOOT_DS: flat data */
	0x00008b0000000fffULL,	/* TSS, busy: only there to satisfy VMX checks */
};

int x86_write_boot_tables(u8 *low_mem, u64 low_size)
{
	u64 *pml4, *pdpt, *pd;
	unsigned int i;

	if (low_size < X86_BOOT_PD + 4 * SZ_4K)
		return -ENOSPC;
	memcpy(low_mem + X86_BOOT_GDT, boot_gdt, sizeof(boot_gdt));
	pml4 = (u64 *)(low_mem + X86_BOOT_PML4);
	pdpt = (u64 *)(low_mem + X86_BOOT_PDPT);
	pd = (u64 *)(low_mem + X86_BOOT_PD);
	memset(pml4, 0, SZ_4K);
	memset(pdpt, 0, SZ_4K);
	pml4[0] = X86_BOOT_PDPT | 0x3;			/* present, writable */
	for (i = 0; i < 4; i++)
		pdpt[i] = (X86_BOOT_PD + i * SZ_4K) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (i * SZ_2M) | 0x83;		/* present, writable, 2 MiB */
	return 0;
}
