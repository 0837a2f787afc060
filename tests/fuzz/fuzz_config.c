// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm run`'s option parser (core/config.c, with the disk, NIC and 9p
 * sub-option parsers): the input is argv, its words separated by NUL
 * bytes, each word in a buffer of exactly its length. A parse either
 * fails with a message or yields a configuration within its limits.
 */
#include "core/config.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS	64

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vm_config cfg;
	char *argv[MAX_ARGS];
	struct err_msg e = { 0 };
	size_t pos = 0;
	int argc = 0, i, ret;
	char *cmdline;

	while (pos < size && argc < MAX_ARGS) {
		const u8 *end = memchr(data + pos, 0, size - pos);
		size_t n = end ? (size_t)(end - data) - pos : size - pos;

		argv[argc] = malloc(n + 1);
		if (!argv[argc])
			break;
		memcpy(argv[argc], data + pos, n);
		argv[argc++][n] = '\0';
		pos += n + 1;
	}
	config_init(&cfg);
	ret = config_parse_run(&cfg, argc, argv, &e);
	if (ret) {
		FUZZ_CHECK(e.text[0], "an error without a message");
		goto out;
	}
	FUZZ_CHECK(cfg.nr_disks <= CONFIG_MAX_DISKS && cfg.nr_nets <= CONFIG_MAX_NICS &&
		   cfg.nr_shares <= CONFIG_MAX_SHARES, "too many devices");
	FUZZ_CHECK(memchr(cfg.params, 0, sizeof(cfg.params)), "params unterminated");
	FUZZ_CHECK(cfg.mem_mib && cfg.nr_cpus, "no memory or no CPUs");
	cmdline = config_cmdline(&cfg, "console=ttyS0", "reboot=acpi");
	free(cmdline);
out:
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
