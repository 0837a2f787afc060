// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the sample machine's device tree for 1, 4 and 8 CPUs and each GIC
 * as DIR/cpusN-GIC.dtb, the blob `lkvm run --dump-dtb` would write for
 * that machine; fdt_dtc.sh feeds them to dtc.
 */
#include <stdio.h>

#include "tests/unit/fdt_sample.h"

static const struct {
	enum irqchip_kind kind;
	const char *name;
} gics[] = {
	{ IRQCHIP_GICV2, "gicv2" },
	{ IRQCHIP_GICV3, "gicv3" },
	{ IRQCHIP_GICV3_ITS, "gicv3-its" },
};

static unsigned char buf[FDT_MAX_SIZE];

static int dump_one(const char *dir, unsigned int nr_cpus, unsigned int g)
{
	struct dev_inventory inv;
	struct fdt_platform p;
	struct err_msg e = { 0 };
	char path[4096];
	long len;
	FILE *f;

	sample_inventory(&inv);
	sample_platform(&p, nr_cpus, gics[g].kind, &inv);
	len = fdt_build(&p, buf, sizeof(buf), &e);
	if (len < 0) {
		fprintf(stderr, "fdt_dump: %u CPUs, %s: %s\n", nr_cpus, gics[g].name, e.text);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/cpus%u-%s.dtb", dir, nr_cpus, gics[g].name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != (size_t)len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned int cpus[] = { 1, 4, 8 };
	unsigned int c, g;
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: fdt_dump DIR\n");
		return 2;
	}
	for (c = 0; c < sizeof(cpus) / sizeof(cpus[0]); c++)
		for (g = 0; g < sizeof(gics) / sizeof(gics[0]); g++)
			ret |= dump_one(argv[1], cpus[c], g);
	return ret;
}
