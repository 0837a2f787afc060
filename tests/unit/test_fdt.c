// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the device tree renderer: each blob is parsed back with
 * libfdt and checked node by node, for 1, 4 and 8 CPUs and every GIC.
 */
#include <check.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/fdt_sample.h"

static u8 blob[FDT_MAX_SIZE];
static struct err_msg err;
static struct dev_inventory inv;

static const enum irqchip_kind gic_kinds[] = { IRQCHIP_GICV2, IRQCHIP_GICV3, IRQCHIP_GICV3_ITS };
static const unsigned int cpu_counts[] = { 1, 4, 8 };

static void build(unsigned int nr_cpus, enum irqchip_kind gic)
{
	struct fdt_platform p;
	long len;

	sample_inventory(&inv);
	sample_platform(&p, nr_cpus, gic, &inv);
	memset(&err, 0, sizeof(err));
	len = fdt_build(&p, blob, sizeof(blob), &err);
	ck_assert_msg(len > 0, "fdt_build: %s", err.text);
	ck_assert_int_eq(fdt_check_header(blob), 0);
	ck_assert_int_eq(fdt_totalsize(blob), len);
}

static int node(const char *path)
{
	int off = fdt_path_offset(blob, path);

	ck_assert_msg(off >= 0, "no node %s", path);
	return off;
}

static const void *getprop(int off, const char *name, int *len)
{
	const void *v = fdt_getprop(blob, off, name, len);

	ck_assert_msg(v, "no property %s", name);
	return v;
}

static u32 cell(int off, const char *name, unsigned int i)
{
	int len;
	const fdt32_t *c = getprop(off, name, &len);

	ck_assert_int_gt(len, (int)(i * 4));
	return fdt32_to_cpu(c[i]);
}

static u64 cells64(int off, const char *name, unsigned int i)
{
	return (u64)cell(off, name, i) << 32 | cell(off, name, i + 1);
}

static void check_root_and_cpus(unsigned int nr_cpus)
{
	int root = node("/"), cpus = node("/cpus"), off, n = 0;

	ck_assert_int_eq(fdt_node_check_compatible(blob, root, "linux,dummy-virt"), 0);
	ck_assert_uint_eq(cell(root, "#address-cells", 0), 2);
	ck_assert_uint_eq(cell(root, "#size-cells", 0), 2);
	ck_assert_uint_eq(cell(root, "interrupt-parent", 0), fdt_get_phandle(blob, node("/intc@8000000")));
	fdt_for_each_subnode(off, blob, cpus) {
		char name[32];

		snprintf(name, sizeof(name), "cpu@%x", n);
		ck_assert_str_eq(fdt_get_name(blob, off, NULL), name);
		ck_assert_uint_eq(cell(off, "reg", 0), sample_mpidr[n] & 0xffffff);
		ck_assert_str_eq(getprop(off, "enable-method", NULL), "psci");
		ck_assert_str_eq(getprop(off, "device_type", NULL), "cpu");
		n++;
	}
	ck_assert_int_eq(n, nr_cpus);
	off = node("/psci");
	ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,psci-0.2"), 0);
	ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,psci-1.0"), 0);
	ck_assert_str_eq(getprop(off, "method", NULL), "hvc");
	off = node("/memory@80000000");
	ck_assert_uint_eq(cells64(off, "reg", 0), ARM64_RAM_BASE);
	ck_assert_uint_eq(cells64(off, "reg", 2), 0x140000000ULL);
}

static void check_gic(unsigned int nr_cpus, enum irqchip_kind gic)
{
	int off = node("/intc@8000000"), len;
	u32 ppi_flags = 4;

	ck_assert(fdt_getprop(blob, off, "interrupt-controller", NULL));
	ck_assert_uint_eq(cell(off, "#interrupt-cells", 0), 3);
	ck_assert_uint_eq(cells64(off, "reg", 0), ARM64_GIC_DIST_BASE);
	if (gic == IRQCHIP_GICV2) {
		ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,cortex-a15-gic"), 0);
		ck_assert_uint_eq(cells64(off, "reg", 4), ARM64_GIC_CPU_BASE);
		off = node("/intc@8000000/v2m@8020000");
		ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,gic-v2m-frame"), 0);
		ck_assert_uint_eq(cell(off, "arm,msi-base-spi", 0), 32 + ARM64_V2M_SPI_BASE);
		ck_assert_uint_eq(cell(off, "arm,msi-num-spis", 0), ARM64_V2M_SPI_COUNT);
		ppi_flags |= ((1U << nr_cpus) - 1) << 8;
	} else {
		ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,gic-v3"), 0);
		ck_assert_uint_eq(cells64(off, "reg", 4), ARM64_GIC_REDIST_BASE);
		ck_assert_uint_eq(cells64(off, "reg", 6), nr_cpus * ARM64_GIC_REDIST_STRIDE);
		ck_assert_int_eq(fdt_path_offset(blob, "/intc@8000000/v2m@8020000"), -FDT_ERR_NOTFOUND);
	}
	if (gic == IRQCHIP_GICV3_ITS) {
		off = node("/intc@8000000/msi-controller@8080000");
		ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,gic-v3-its"), 0);
		ck_assert(fdt_getprop(blob, off, "msi-controller", NULL));
		ck_assert_uint_eq(cell(off, "#msi-cells", 0), 1);
	} else {
		ck_assert_int_lt(fdt_path_offset(blob, "/intc@8000000/msi-controller@8080000"), 0);
	}
	off = node("/timer");
	ck_assert_int_eq(fdt_node_check_compatible(blob, off, "arm,armv8-timer"), 0);
	getprop(off, "interrupts", &len);
	ck_assert_int_eq(len, 12 * 4);
	ck_assert_uint_eq(cell(off, "interrupts", 0), 1);	/* PPI */
	ck_assert_uint_eq(cell(off, "interrupts", 1), 13);	/* secure physical */
	ck_assert_uint_eq(cell(off, "interrupts", 7), 11);	/* virtual */
	ck_assert_uint_eq(cell(off, "interrupts", 2), ppi_flags);
}

static void check_uart_rtc_chosen(void)
{
	int uart = node("/pl011@9000000"), rtc = node("/pl031@9010000"), off, len;
	int clk = node("/apb-pclk");

	ck_assert_int_eq(fdt_node_check_compatible(blob, uart, "arm,pl011"), 0);
	ck_assert_int_eq(fdt_node_check_compatible(blob, uart, "arm,primecell"), 0);
	ck_assert_uint_eq(cell(uart, "interrupts", 1), ARM64_UART_SPI);
	ck_assert_uint_eq(cell(uart, "clocks", 0), fdt_get_phandle(blob, clk));
	ck_assert_int_eq(fdt_stringlist_search(blob, uart, "clock-names", "apb_pclk"), 1);
	ck_assert_int_eq(fdt_node_check_compatible(blob, rtc, "arm,pl031"), 0);
	ck_assert_int_eq(fdt_node_check_compatible(blob, rtc, "arm,primecell"), 0);
	ck_assert_uint_eq(cell(rtc, "interrupts", 1), ARM64_RTC_SPI);
	ck_assert_uint_eq(cells64(rtc, "reg", 0), ARM64_RTC_BASE);

	off = node("/chosen");
	ck_assert_str_eq(getprop(off, "bootargs", NULL), "console=ttyAMA0 earlycon quiet");
	ck_assert_int_eq(fdt_path_offset(blob, getprop(off, "stdout-path", NULL)), uart);
	ck_assert_uint_eq(cells64(off, "linux,initrd-start", 0), 0x88000000);
	ck_assert_uint_eq(cells64(off, "linux,initrd-end", 0), 0x88400000);
	ck_assert_uint_eq(cells64(off, "kaslr-seed", 0), 0x0123456789abcdefULL);
	getprop(off, "rng-seed", &len);
	ck_assert_int_eq(len, FDT_RNG_SEED_SIZE);
}

static void check_virtio_mmio(void)
{
	int off, n = 0;

	fdt_for_each_subnode(off, blob, node("/")) {
		const struct dev_desc *d;

		if (fdt_node_check_compatible(blob, off, "virtio,mmio"))
			continue;
		d = &inv.devs[n++];
		ck_assert_uint_eq(cells64(off, "reg", 0), d->base);
		ck_assert_uint_eq(cells64(off, "reg", 2), d->size);
		ck_assert_uint_eq(cell(off, "interrupts", 0), 0);	/* SPI */
		ck_assert_uint_eq(cell(off, "interrupts", 1), d->irq);
		ck_assert_uint_eq(cell(off, "interrupts", 2), d->edge ? 1 : 4);
		ck_assert(fdt_getprop(blob, off, "dma-coherent", NULL));
	}
	ck_assert_int_eq(n, inv.nr);
}

/* Slot s, pin p (1-4) must reach intx_irq[(s + p - 1) % 4] on the GIC. */
static void check_pci_intx(int off)
{
	const struct pci_host_desc *h = &inv.pci;
	u32 gic = fdt_get_phandle(blob, node("/intc@8000000"));
	unsigned int s, pin, i = 0;
	int len;

	getprop(off, "interrupt-map", &len);
	ck_assert_int_eq(len, h->nr_slots * 4 * 10 * 4);
	for (s = 0; s < h->nr_slots; s++) {
		for (pin = 1; pin <= 4; pin++, i += 10) {
			ck_assert_uint_eq(cell(off, "interrupt-map", i), s << 11);
			ck_assert_uint_eq(cell(off, "interrupt-map", i + 1), 0);
			ck_assert_uint_eq(cell(off, "interrupt-map", i + 3), pin);
			ck_assert_uint_eq(cell(off, "interrupt-map", i + 4), gic);
			ck_assert_uint_eq(cell(off, "interrupt-map", i + 7), 0);
			ck_assert_uint_eq(cell(off, "interrupt-map", i + 8),
					  h->intx_irq[(s + pin - 1) % 4]);
			ck_assert_uint_eq(cell(off, "interrupt-map", i + 9), 4);
		}
	}
	ck_assert_uint_eq(cell(off, "interrupt-map-mask", 0), 0xf800);
	ck_assert_uint_eq(cell(off, "interrupt-map-mask", 3), 7);
}

static void check_pci(enum irqchip_kind gic)
{
	int off = node("/pci@10000000"), len;

	ck_assert_int_eq(fdt_node_check_compatible(blob, off, "pci-host-ecam-generic"), 0);
	ck_assert_str_eq(getprop(off, "device_type", NULL), "pci");
	ck_assert_uint_eq(cell(off, "#address-cells", 0), 3);
	ck_assert_uint_eq(cells64(off, "reg", 0), ARM64_PCI_ECAM_BASE);
	ck_assert_uint_eq(cell(off, "bus-range", 1), 255);
	getprop(off, "ranges", &len);
	ck_assert_int_eq(len, 3 * 7 * 4);
	ck_assert_uint_eq(cell(off, "ranges", 0), 0x01000000);		/* I/O */
	ck_assert_uint_eq(cells64(off, "ranges", 3), ARM64_PCI_IO_BASE);
	ck_assert_uint_eq(cell(off, "ranges", 7), 0x02000000);		/* 32-bit */
	ck_assert_uint_eq(cells64(off, "ranges", 8), ARM64_PCI_MEM32_BASE);
	ck_assert_uint_eq(cell(off, "ranges", 14), 0x43000000);		/* 64-bit prefetchable */
	ck_assert_uint_eq(cells64(off, "ranges", 19), ARM64_PCI_MEM64_SIZE);
	ck_assert(fdt_getprop(blob, off, "dma-coherent", NULL));
	check_pci_intx(off);
	if (gic == IRQCHIP_GICV3_ITS)
		ck_assert_uint_eq(cell(off, "msi-map", 1),
				  fdt_get_phandle(blob, node("/intc@8000000/msi-controller@8080000")));
	else
		ck_assert(!fdt_getprop(blob, off, "msi-map", NULL));
	if (gic == IRQCHIP_GICV2)
		ck_assert_uint_eq(cell(off, "msi-parent", 0),
				  fdt_get_phandle(blob, node("/intc@8000000/v2m@8020000")));
	else
		ck_assert(!fdt_getprop(blob, off, "msi-parent", NULL));
}

START_TEST(test_machines)
{
	unsigned int c, g;

	for (c = 0; c < ARRAY_SIZE(cpu_counts); c++) {
		for (g = 0; g < ARRAY_SIZE(gic_kinds); g++) {
			build(cpu_counts[c], gic_kinds[g]);
			check_root_and_cpus(cpu_counts[c]);
			check_gic(cpu_counts[c], gic_kinds[g]);
			check_uart_rtc_chosen();
			check_virtio_mmio();
			check_pci(gic_kinds[g]);
		}
	}
}
END_TEST

START_TEST(test_without_optional_parts)
{
	struct fdt_platform p;

	sample_inventory(&inv);
	inv.nr = 0;
	inv.pci.present = false;
	sample_platform(&p, 1, IRQCHIP_GICV3, &inv);
	p.initrd_start = p.initrd_end = 0;
	ck_assert_int_gt(fdt_build(&p, blob, sizeof(blob), &err), 0);
	ck_assert_int_lt(fdt_path_offset(blob, "/pci@10000000"), 0);
	ck_assert_int_lt(fdt_path_offset(blob, "/virtio_mmio@a000000"), 0);
	ck_assert_int_lt(fdt_path_offset(blob, "/pmu"), 0);
	ck_assert(!fdt_getprop(blob, node("/chosen"), "linux,initrd-start", NULL));
}
END_TEST

START_TEST(test_errors)
{
	struct fdt_platform p;

	sample_inventory(&inv);
	sample_platform(&p, 8, IRQCHIP_GICV2, &inv);
	p.nr_cpus = 9;
	ck_assert_int_eq(fdt_build(&p, blob, sizeof(blob), &err), -EINVAL);
	ck_assert_msg(strstr(err.text, "8 CPUs"), "%s", err.text);
	sample_platform(&p, 4, IRQCHIP_AUTO, &inv);
	ck_assert_int_eq(fdt_build(&p, blob, sizeof(blob), &err), -EINVAL);
	sample_platform(&p, 4, IRQCHIP_GICV3, &inv);
	ck_assert_int_eq(fdt_build(&p, blob, 512, &err), -ENOSPC);
	ck_assert_msg(strstr(err.text, "512 bytes"), "%s", err.text);
	inv.pci.nr_slots = 33;
	ck_assert_int_eq(fdt_build(&p, blob, sizeof(blob), &err), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("render");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_machines);
	tcase_add_test(tc, test_without_optional_parts);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
