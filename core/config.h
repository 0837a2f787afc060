/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONFIG_H
#define LKVM_CONFIG_H

#include "util.h"

#define CONFIG_DEFAULT_MEM_MIB	256
#define CONFIG_DEFAULT_CPUS	1
#define CONFIG_NAME_MAX		64
#define CONFIG_PARAMS_MAX	4096

/* Everything `lkvm run` was asked for, before any of it is checked on the host. */
struct vm_config {
	const char *kernel;
	const char *initrd;
	char params[CONFIG_PARAMS_MAX];	/* every -p, joined by spaces */
	char name[CONFIG_NAME_MAX];
	u64 mem_mib;
	unsigned int nr_cpus;
	bool help;

	/* Not on the command line: tiny-payload tests run without an irqchip. */
	bool no_irqchip;
	/* Not on the command line: a flat binary loaded at this address. */
	bool raw_payload;
	u64 raw_load_addr;
};

void config_init(struct vm_config *cfg);

/*
 * Parses `lkvm run` arguments (argv[0] is the first option). Pure: it looks
 * at no file and no device; -EINVAL with e naming the bad value.
 */
int config_parse_run(struct vm_config *cfg, int argc, char **argv, struct err_msg *e);

/* "256", "256M", "2G" -> MiB. */
int config_parse_size_mib(const char *s, u64 *mib);

#endif
