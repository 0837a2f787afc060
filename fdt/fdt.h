/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_FDT_H
#define LKVM_FDT_H

#include "../core/config.h"
#include "../core/devices.h"
#include "../core/util.h"

#define FDT_MAX_SIZE		0x10000		/* 64 KiB: ample for 512 CPUs and 64 devices */
#define FDT_RNG_SEED_SIZE	32

struct fdt_region {
	u64 base;
	u64 size;
};

/*
 * What the device tree describes: the fixed arm64 machine plus the device
 * inventory. Plain data, so that the renderer runs (and is tested) on any
 * host; arm64/platform.c fills it from the memory map and from KVM.
 */
struct fdt_platform {
	unsigned int nr_cpus;
	const u64 *mpidr;		/* per vCPU, as KVM reports MPIDR_EL1 */
	struct fdt_region ram;

	enum irqchip_kind gic;		/* GICV2, GICV3 or GICV3_ITS, never AUTO */
	struct fdt_region gic_dist;
	struct fdt_region gic_redist;	/* GICv3 */
	struct fdt_region gic_cpu;	/* GICv2 */
	struct fdt_region gic_its;	/* GICv3 with ITS */
	struct fdt_region gic_v2m;	/* GICv2 */
	u32 v2m_spi_base;
	u32 v2m_spi_count;
	bool pmu;

	struct fdt_region uart;
	u32 uart_spi;
	struct fdt_region rtc;
	u32 rtc_spi;

	const char *bootargs;
	u64 initrd_start;		/* initrd_end == initrd_start: no initrd */
	u64 initrd_end;
	u64 kaslr_seed;
	u8 rng_seed[FDT_RNG_SEED_SIZE];

	const struct dev_inventory *inv;
};

/*
 * Renders the device tree into buf (at most size bytes); returns its
 * length, or -errno with e saying why.
 */
long fdt_build(const struct fdt_platform *p, void *buf, u32 size, struct err_msg *e);

#endif
