/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sample arm64 machine that test_fdt.c checks and fdt_dump.c hands to
 * dtc: the real memory map, a few virtio-mmio devices and a PCI host.
 */
#ifndef LKVM_TEST_FDT_SAMPLE_H
#define LKVM_TEST_FDT_SAMPLE_H

#include <string.h>

#include "arm64/memmap.h"
#include "fdt/fdt.h"

#define SAMPLE_MAX_CPUS		8
#define SAMPLE_PCI_SLOTS	6

static const u64 sample_mpidr[SAMPLE_MAX_CPUS] = {
	0x80000000, 0x80000001, 0x80000002, 0x80000003,
	0x80000004, 0x80000005, 0x80000006, 0x80000007,
};

static void sample_inventory(struct dev_inventory *inv)
{
	static const struct dev_desc devs[] = {
		{ DEV_VIRTIO_MMIO, "vm00", ARM64_VIRTIO_MMIO_BASE, 0x200, 16, true },
		{ DEV_VIRTIO_MMIO, "vm01", ARM64_VIRTIO_MMIO_BASE + 0x1000, 0x200, 17, true },
		{ DEV_VIRTIO_MMIO, "vm02", ARM64_VIRTIO_MMIO_BASE + 0x2000, 0x200, 18, false },
	};
	struct pci_host_desc *h = &inv->pci;

	memset(inv, 0, sizeof(*inv));
	memcpy(inv->devs, devs, sizeof(devs));
	inv->nr = sizeof(devs) / sizeof(devs[0]);
	h->present = true;
	h->ecam_base = ARM64_PCI_ECAM_BASE;
	h->ecam_size = ARM64_PCI_ECAM_SIZE;
	h->bus_start = 0;
	h->bus_end = 255;
	h->io_base = ARM64_PCI_IO_BASE;
	h->io_pci_base = 0;
	h->io_size = ARM64_PCI_IO_SIZE;
	h->mem32_base = ARM64_PCI_MEM32_BASE;
	h->mem32_size = ARM64_PCI_MEM32_SIZE;
	h->mem64_base = ARM64_PCI_MEM64_BASE;
	h->mem64_size = ARM64_PCI_MEM64_SIZE;
	h->intx_irq[0] = ARM64_PCI_INTX_SPI;
	h->intx_irq[1] = ARM64_PCI_INTX_SPI + 1;
	h->intx_irq[2] = ARM64_PCI_INTX_SPI + 2;
	h->intx_irq[3] = ARM64_PCI_INTX_SPI + 3;
	h->nr_slots = SAMPLE_PCI_SLOTS;
}

static void sample_platform(struct fdt_platform *p, unsigned int nr_cpus, enum irqchip_kind gic,
			    const struct dev_inventory *inv)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->nr_cpus = nr_cpus;
	p->mpidr = sample_mpidr;
	p->ram = (struct fdt_region){ ARM64_RAM_BASE, 0x140000000ULL };	/* 5 GiB */
	p->gic = gic;
	p->gic_dist = (struct fdt_region){ ARM64_GIC_DIST_BASE, ARM64_GIC_DIST_SIZE };
	p->gic_redist = (struct fdt_region){ ARM64_GIC_REDIST_BASE,
					     nr_cpus * ARM64_GIC_REDIST_STRIDE };
	p->gic_cpu = (struct fdt_region){ ARM64_GIC_CPU_BASE, ARM64_GIC_CPU_SIZE };
	p->gic_its = (struct fdt_region){ ARM64_GIC_ITS_BASE, ARM64_GIC_ITS_SIZE };
	p->gic_v2m = (struct fdt_region){ ARM64_GIC_V2M_BASE, ARM64_GIC_V2M_SIZE };
	p->v2m_spi_base = ARM64_V2M_SPI_BASE;
	p->v2m_spi_count = ARM64_V2M_SPI_COUNT;
	p->pmu = nr_cpus > 1;
	p->uart = (struct fdt_region){ ARM64_UART_BASE, ARM64_UART_SIZE };
	p->uart_spi = ARM64_UART_SPI;
	p->rtc = (struct fdt_region){ ARM64_RTC_BASE, ARM64_RTC_SIZE };
	p->rtc_spi = ARM64_RTC_SPI;
	p->bootargs = "console=ttyAMA0 earlycon quiet";
	p->initrd_start = 0x88000000;
	p->initrd_end = 0x88400000;
	p->kaslr_seed = 0x0123456789abcdefULL;
	for (i = 0; i < FDT_RNG_SEED_SIZE; i++)
		p->rng_seed[i] = i;
	p->inv = inv;
}

#endif
