// SPDX-License-Identifier: GPL-2.0
/*
 * Device tree generation (fdt/fdt.c) from a platform and device inventory
 * the input describes: CPUs and their MPIDRs, RAM, GIC kind and frames,
 * UART, RTC, boot arguments, up to 64 virtio-mmio devices and a PCI host,
 * into a buffer of a size the input picks (exactly that size). Whatever
 * it renders must pass libfdt's fdt_check_full().
 */
#include <libfdt.h>

#include "fdt/fdt.h"
#include "tests/fuzz/fuzz.h"

#define MAX_CPUS	512

static u64 mpidr[MAX_CPUS];
static struct dev_inventory inv;
static char bootargs[4096];

static struct fdt_region region(struct fuzz_in *in)
{
	struct fdt_region r;

	r.base = take_u64(in);
	r.size = take_u64(in);
	return r;
}

static void cpus(struct fuzz_in *in, struct fdt_platform *p)
{
	u8 how = take_u8(in);
	unsigned int i;

	p->nr_cpus = take_u16(in) % (MAX_CPUS + 1);
	for (i = 0; i < p->nr_cpus; i++)
		mpidr[i] = how & 1 ? take_u64(in) : (1ULL << 31) | (i % 16) | (i / 16) << 8;
	p->mpidr = how & 2 ? NULL : mpidr;
}

static void devices(struct fuzz_in *in)
{
	unsigned int n = take_u8(in) % (INVENTORY_MAX_DEVS + 2), i;
	struct pci_host_desc *h = &inv.pci;

	memset(&inv, 0, sizeof(inv));
	for (i = 0; i < n; i++) {
		struct dev_desc d = { .kind = DEV_VIRTIO_MMIO };

		take(in, d.name, sizeof(d.name) - 1);
		d.base = take_u64(in);
		d.size = take_u64(in);
		d.irq = take_u32(in);
		d.edge = take_u8(in) & 1;
		inventory_add(&inv, &d);
	}
	h->present = take_u8(in) & 1;
	h->ecam_base = take_u64(in);
	h->ecam_size = take_u64(in);
	h->bus_start = take_u8(in);
	h->bus_end = take_u8(in);
	h->io_base = take_u64(in);
	h->io_pci_base = take_u64(in);
	h->io_size = take_u64(in);
	h->mem32_base = take_u64(in);
	h->mem32_size = take_u64(in);
	h->mem64_base = take_u64(in);
	h->mem64_size = take_u64(in);
	for (i = 0; i < 4; i++)
		h->intx_irq[i] = take_u32(in);
	h->nr_slots = take_u8(in) % 40;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fdt_platform p = { 0 };
	struct err_msg e;
	u32 buf_size;
	long n;
	u8 *buf;

	buf_size = take_u16(&in) % (FDT_MAX_SIZE + 1);
	cpus(&in, &p);
	p.ram = region(&in);
	p.gic = take_u8(&in) % 5;
	p.gic_dist = region(&in);
	p.gic_redist = region(&in);
	p.gic_cpu = region(&in);
	p.gic_its = region(&in);
	p.gic_v2m = region(&in);
	p.v2m_spi_base = take_u32(&in);
	p.v2m_spi_count = take_u32(&in);
	p.pmu = take_u8(&in) & 1;
	p.uart = region(&in);
	p.uart_spi = take_u32(&in);
	p.rtc = region(&in);
	p.rtc_spi = take_u32(&in);
	take(&in, bootargs, take_u16(&in) % sizeof(bootargs));
	bootargs[strnlen(bootargs, sizeof(bootargs) - 1)] = '\0';
	p.bootargs = take_u8(&in) & 1 ? NULL : bootargs;
	p.initrd_start = take_u64(&in);
	p.initrd_end = take_u64(&in);
	p.kaslr_seed = take_u64(&in);
	take(&in, p.rng_seed, sizeof(p.rng_seed));
	devices(&in);
	p.inv = take_u8(&in) & 1 ? NULL : &inv;

	buf = malloc(buf_size ? buf_size : 1);
	if (!buf)
		return 0;
	n = fdt_build(&p, buf, buf_size, &e);
	if (n >= 0) {
		FUZZ_CHECK((u64)n <= buf_size, "a %ld-byte tree in %u bytes", n, buf_size);
		FUZZ_CHECK(fdt_check_full(buf, n) == 0, "fdt_check_full: %s",
			   fdt_strerror(fdt_check_full(buf, n)));
	} else {
		FUZZ_CHECK(e.text[0], "refused without a message");
	}
	free(buf);
	return 0;
}
