// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 guest's device tree, rendered at run time with libfdt's
 * sequential writer from the fixed machine (struct fdt_platform) and the
 * device inventory. Devices never write nodes themselves.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"

enum {
	PHANDLE_GIC = 1,
	PHANDLE_MSI = 2,	/* the ITS or the GICv2m frame */
	PHANDLE_CLK = 3,
};

/* GIC interrupt specifier: type cell values and trigger flags. */
#define GIC_SPI			0
#define GIC_PPI			1
#define IRQ_EDGE_RISING		1
#define IRQ_LEVEL_HIGH		4

/*
 * The PPIs KVM wires up by default (INTID minus 16): the architected
 * timers, the PMU and the GIC maintenance interrupt.
 */
#define PPI_PMU			7
#define PPI_VGIC_MAINT		9
#define PPI_TIMER_HYP		10
#define PPI_TIMER_VIRT		11
#define PPI_TIMER_SEC		13
#define PPI_TIMER_PHYS		14

#define APB_PCLK_HZ		24000000
#define PCI_MAP_CELLS		10	/* 3 address + 1 pin + phandle + 2 address + 3 irq */

/* The first libfdt error sticks, so that node bodies need no checks per line. */
struct fdt_writer {
	void *fdt;
	int err;
	const struct fdt_platform *p;
};

static void check(struct fdt_writer *w, int ret)
{
	if (ret < 0 && !w->err)
		w->err = ret;
}

static void begin_node(struct fdt_writer *w, const char *fmt, ...) __printf(2, 3);
static void begin_node(struct fdt_writer *w, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (!w->err)
		check(w, fdt_begin_node(w->fdt, name));
}

static void end_node(struct fdt_writer *w)
{
	if (!w->err)
		check(w, fdt_end_node(w->fdt));
}

static void prop(struct fdt_writer *w, const char *name, const void *val, int len)
{
	if (!w->err)
		check(w, fdt_property(w->fdt, name, val, len));
}

static void prop_u32(struct fdt_writer *w, const char *name, u32 v)
{
	fdt32_t be = cpu_to_fdt32(v);

	prop(w, name, &be, sizeof(be));
}

static void prop_u64(struct fdt_writer *w, const char *name, u64 v)
{
	fdt64_t be = cpu_to_fdt64(v);

	prop(w, name, &be, sizeof(be));
}

static void prop_cells(struct fdt_writer *w, const char *name, const u32 *cells, unsigned int n)
{
	fdt32_t *be = malloc(n * sizeof(*be));
	unsigned int i;

	if (!be) {
		check(w, -FDT_ERR_NOSPACE);
		return;
	}
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	prop(w, name, be, n * sizeof(*be));
	free(be);
}

static void prop_str(struct fdt_writer *w, const char *name, const char *s)
{
	prop(w, name, s, strlen(s) + 1);
}

/* A string list given as "a\0b": sizeof the literal covers the last NUL. */
#define prop_strs(w, name, lit)	prop(w, name, lit, sizeof(lit))

static void prop_empty(struct fdt_writer *w, const char *name)
{
	prop(w, name, NULL, 0);
}

/* reg of a node whose parent has #address-cells = #size-cells = 2. */
static void prop_reg(struct fdt_writer *w, const struct fdt_region *r)
{
	u32 cells[4] = { r->base >> 32, r->base, r->size >> 32, r->size };

	prop_cells(w, "reg", cells, 4);
}

static void prop_irq(struct fdt_writer *w, u32 spi, u32 flags)
{
	u32 cells[3] = { GIC_SPI, spi, flags };

	prop_cells(w, "interrupts", cells, 3);
}

/* GICv2 PPI specifiers also name the CPUs that have the interrupt. */
static u32 ppi_flags(const struct fdt_platform *p)
{
	u32 flags = IRQ_LEVEL_HIGH;

	if (p->gic == IRQCHIP_GICV2)
		flags |= ((1U << p->nr_cpus) - 1) << 8;
	return flags;
}

static void add_chosen(struct fdt_writer *w)
{
	const struct fdt_platform *p = w->p;
	char stdout_path[64];

	snprintf(stdout_path, sizeof(stdout_path), "/pl011@%llx", (unsigned long long)p->uart.base);
	begin_node(w, "chosen");
	prop_str(w, "bootargs", p->bootargs ? p->bootargs : "");
	prop_str(w, "stdout-path", stdout_path);
	if (p->initrd_end > p->initrd_start) {
		prop_u64(w, "linux,initrd-start", p->initrd_start);
		prop_u64(w, "linux,initrd-end", p->initrd_end);
	}
	prop_u64(w, "kaslr-seed", p->kaslr_seed);
	prop(w, "rng-seed", p->rng_seed, sizeof(p->rng_seed));
	end_node(w);
}

/* cpu nodes are named and addressed by affinity (MPIDR_EL1 without its flag bits). */
static void add_cpus(struct fdt_writer *w)
{
	const struct fdt_platform *p = w->p;
	unsigned int i;

	begin_node(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	for (i = 0; i < p->nr_cpus; i++) {
		u32 aff = p->mpidr[i] & 0xffffff;

		begin_node(w, "cpu@%x", aff);
		prop_str(w, "device_type", "cpu");
		prop_str(w, "compatible", "arm,armv8");
		prop_str(w, "enable-method", "psci");
		prop_u32(w, "reg", aff);
		end_node(w);
	}
	end_node(w);
}

static void add_psci(struct fdt_writer *w)
{
	begin_node(w, "psci");
	prop_strs(w, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	prop_str(w, "method", "hvc");
	end_node(w);
}

static void add_memory(struct fdt_writer *w)
{
	begin_node(w, "memory@%llx", (unsigned long long)w->p->ram.base);
	prop_str(w, "device_type", "memory");
	prop_reg(w, &w->p->ram);
	end_node(w);
}

static void add_msi_frame(struct fdt_writer *w)
{
	const struct fdt_platform *p = w->p;

	if (p->gic == IRQCHIP_GICV3_ITS) {
		begin_node(w, "msi-controller@%llx", (unsigned long long)p->gic_its.base);
		prop_str(w, "compatible", "arm,gic-v3-its");
		prop_empty(w, "msi-controller");
		prop_u32(w, "#msi-cells", 1);
		prop_reg(w, &p->gic_its);
	} else {
		begin_node(w, "v2m@%llx", (unsigned long long)p->gic_v2m.base);
		prop_str(w, "compatible", "arm,gic-v2m-frame");
		prop_empty(w, "msi-controller");
		prop_u32(w, "arm,msi-base-spi", 32 + p->v2m_spi_base);
		prop_u32(w, "arm,msi-num-spis", p->v2m_spi_count);
		prop_reg(w, &p->gic_v2m);
	}
	prop_u32(w, "phandle", PHANDLE_MSI);
	end_node(w);
}

static void add_gic(struct fdt_writer *w)
{
	const struct fdt_platform *p = w->p;
	const struct fdt_region *second = p->gic == IRQCHIP_GICV2 ? &p->gic_cpu : &p->gic_redist;
	u32 reg[8] = {
		p->gic_dist.base >> 32, p->gic_dist.base, p->gic_dist.size >> 32, p->gic_dist.size,
		second->base >> 32, second->base, second->size >> 32, second->size,
	};
	u32 maint[3] = { GIC_PPI, PPI_VGIC_MAINT, IRQ_LEVEL_HIGH };

	begin_node(w, "intc@%llx", (unsigned long long)p->gic_dist.base);
	if (p->gic == IRQCHIP_GICV2) {
		prop_str(w, "compatible", "arm,cortex-a15-gic");
	} else {
		prop_str(w, "compatible", "arm,gic-v3");
		prop_u32(w, "#redistributor-regions", 1);
		prop_cells(w, "interrupts", maint, 3);
	}
	prop_empty(w, "interrupt-controller");
	prop_u32(w, "#interrupt-cells", 3);
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_empty(w, "ranges");
	prop_cells(w, "reg", reg, 8);
	prop_u32(w, "phandle", PHANDLE_GIC);
	if (p->gic != IRQCHIP_GICV3)
		add_msi_frame(w);
	end_node(w);
}

static void add_timer_pmu(struct fdt_writer *w)
{
	const struct fdt_platform *p = w->p;
	u32 f = ppi_flags(p);
	u32 timer[12] = {
		GIC_PPI, PPI_TIMER_SEC, f, GIC_PPI, PPI_TIMER_PHYS, f,
		GIC_PPI, PPI_TIMER_VIRT, f, GIC_PPI, PPI_TIMER_HYP, f,
	};
	u32 pmu[3] = { GIC_PPI, PPI_PMU, f };

	begin_node(w, "timer");
	prop_str(w, "compatible", "arm,armv8-timer");
	prop_cells(w, "interrupts", timer, 12);
	end_node(w);
	if (!p->pmu)
		return;
	begin_node(w, "pmu");
	prop_str(w, "compatible", "arm,armv8-pmuv3");
	prop_cells(w, "interrupts", pmu, 3);
	end_node(w);
}

/* The PrimeCell bus wants a clock for every device; one fixed clock serves all. */
static void add_uart_rtc(struct fdt_writer *w)
{
	const struct fdt_platform *p = w->p;
	u32 clocks[2] = { PHANDLE_CLK, PHANDLE_CLK };

	begin_node(w, "apb-pclk");
	prop_str(w, "compatible", "fixed-clock");
	prop_u32(w, "#clock-cells", 0);
	prop_u32(w, "clock-frequency", APB_PCLK_HZ);
	prop_str(w, "clock-output-names", "clk24mhz");
	prop_u32(w, "phandle", PHANDLE_CLK);
	end_node(w);

	begin_node(w, "pl011@%llx", (unsigned long long)p->uart.base);
	prop_strs(w, "compatible", "arm,pl011\0arm,primecell");
	prop_reg(w, &p->uart);
	prop_irq(w, p->uart_spi, IRQ_LEVEL_HIGH);
	prop_cells(w, "clocks", clocks, 2);
	prop_strs(w, "clock-names", "uartclk\0apb_pclk");
	end_node(w);

	begin_node(w, "pl031@%llx", (unsigned long long)p->rtc.base);
	prop_strs(w, "compatible", "arm,pl031\0arm,primecell");
	prop_reg(w, &p->rtc);
	prop_irq(w, p->rtc_spi, IRQ_LEVEL_HIGH);
	prop_cells(w, "clocks", clocks, 1);
	prop_str(w, "clock-names", "apb_pclk");
	end_node(w);
}

static void add_virtio_mmio(struct fdt_writer *w, const struct dev_desc *d)
{
	struct fdt_region r = { d->base, d->size };

	begin_node(w, "virtio_mmio@%llx", (unsigned long long)d->base);
	prop_str(w, "compatible", "virtio,mmio");
	prop_reg(w, &r);
	prop_irq(w, d->irq, d->edge ? IRQ_EDGE_RISING : IRQ_LEVEL_HIGH);
	prop_empty(w, "dma-coherent");
	end_node(w);
}

/* One PCI ranges entry: space code, PCI address, CPU address, size. */
static void pci_range(u32 *c, u32 space, u64 pci, u64 cpu, u64 size)
{
	c[0] = space;
	c[1] = pci >> 32;
	c[2] = pci;
	c[3] = cpu >> 32;
	c[4] = cpu;
	c[5] = size >> 32;
	c[6] = size;
}

static void add_pci_ranges(struct fdt_writer *w, const struct pci_host_desc *h)
{
	u32 c[21];
	unsigned int n = 0;

	if (h->io_size) {
		pci_range(c + n, 0x01000000, h->io_pci_base, h->io_base, h->io_size);
		n += 7;
	}
	if (h->mem32_size) {
		pci_range(c + n, 0x02000000, h->mem32_base, h->mem32_base, h->mem32_size);
		n += 7;
	}
	if (h->mem64_size) {
		/* 64-bit, prefetchable */
		pci_range(c + n, 0x43000000, h->mem64_base, h->mem64_base, h->mem64_size);
		n += 7;
	}
	prop_cells(w, "ranges", c, n);
}

/*
 * Legacy INTx: slot s, pin p (1 = INTA) raises intx_irq[(s + p - 1) % 4],
 * the standard swizzle, so the four lines are shared evenly.
 */
static void add_pci_intx(struct fdt_writer *w, const struct pci_host_desc *h)
{
	u32 mask[4] = { 0xf800, 0, 0, 7 };
	unsigned int n = h->nr_slots * 4 * PCI_MAP_CELLS, s, pin;
	u32 *map = calloc(n ? n : 1, sizeof(*map)), *c = map;

	if (!map) {
		check(w, -FDT_ERR_NOSPACE);
		return;
	}
	for (s = 0; s < h->nr_slots; s++) {
		for (pin = 1; pin <= 4; pin++, c += PCI_MAP_CELLS) {
			c[0] = s << 11;
			c[3] = pin;
			c[4] = PHANDLE_GIC;
			c[7] = GIC_SPI;
			c[8] = h->intx_irq[(s + pin - 1) % 4];
			c[9] = IRQ_LEVEL_HIGH;
		}
	}
	prop_cells(w, "interrupt-map", map, n);
	prop_cells(w, "interrupt-map-mask", mask, 4);
	free(map);
}

static void add_pci(struct fdt_writer *w)
{
	const struct pci_host_desc *h = &w->p->inv->pci;
	struct fdt_region ecam = { h->ecam_base, h->ecam_size };
	u32 bus_range[2] = { h->bus_start, h->bus_end };
	u32 msi_map[4] = { 0, PHANDLE_MSI, 0, 0x10000 };

	begin_node(w, "pci@%llx", (unsigned long long)h->ecam_base);
	prop_str(w, "compatible", "pci-host-ecam-generic");
	prop_str(w, "device_type", "pci");
	prop_u32(w, "#address-cells", 3);
	prop_u32(w, "#size-cells", 2);
	prop_u32(w, "#interrupt-cells", 1);
	prop_reg(w, &ecam);
	prop_cells(w, "bus-range", bus_range, 2);
	prop_u32(w, "linux,pci-domain", 0);
	prop_empty(w, "dma-coherent");
	add_pci_ranges(w, h);
	add_pci_intx(w, h);
	if (w->p->gic == IRQCHIP_GICV3_ITS)
		prop_cells(w, "msi-map", msi_map, 4);
	else if (w->p->gic == IRQCHIP_GICV2)
		prop_u32(w, "msi-parent", PHANDLE_MSI);
	end_node(w);
}

static void add_root(struct fdt_writer *w)
{
	const struct dev_inventory *inv = w->p->inv;
	unsigned int i;

	begin_node(w, "%s", "");	/* the root node has an empty name */
	prop_str(w, "compatible", "linux,dummy-virt");
	prop_str(w, "model", "lkvm arm64");
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_u32(w, "interrupt-parent", PHANDLE_GIC);
	add_chosen(w);
	add_cpus(w);
	add_psci(w);
	add_memory(w);
	add_gic(w);
	add_timer_pmu(w);
	add_uart_rtc(w);
	for (i = 0; inv && i < inv->nr; i++)
		if (inv->devs[i].kind == DEV_VIRTIO_MMIO)
			add_virtio_mmio(w, &inv->devs[i]);
	if (inv && inv->pci.present)
		add_pci(w);
	end_node(w);
}

static int check_platform(const struct fdt_platform *p, struct err_msg *e)
{
	if (!p->nr_cpus || !p->mpidr)
		return err_set(e, EINVAL, "device tree: no CPUs to describe");
	if (p->gic != IRQCHIP_GICV2 && p->gic != IRQCHIP_GICV3 && p->gic != IRQCHIP_GICV3_ITS)
		return err_set(e, EINVAL, "device tree: no interrupt controller chosen");
	if (p->gic == IRQCHIP_GICV2 && p->nr_cpus > 8)
		return err_set(e, EINVAL, "device tree: a GICv2 serves at most 8 CPUs, not %u",
			       p->nr_cpus);
	if (p->inv && p->inv->pci.present && p->inv->pci.nr_slots > 32)
		return err_set(e, EINVAL, "device tree: a PCI bus has 32 slots, not %u",
			       p->inv->pci.nr_slots);
	return 0;
}

long fdt_build(const struct fdt_platform *p, void *buf, u32 size, struct err_msg *e)
{
	struct fdt_writer w = { .fdt = buf, .p = p };
	int ret;

	ret = check_platform(p, e);
	if (ret)
		return ret;
	check(&w, fdt_create(buf, size));
	if (!w.err)
		check(&w, fdt_finish_reservemap(buf));
	add_root(&w);
	if (!w.err)
		check(&w, fdt_finish(buf));
	if (w.err == -FDT_ERR_NOSPACE)
		return err_set(e, ENOSPC, "the device tree does not fit in %u bytes", size);
	if (w.err)
		return err_set(e, EINVAL, "cannot build the device tree: %s", fdt_strerror(w.err));
	return fdt_totalsize(buf);
}
