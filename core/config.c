// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

enum opt_id {
	OPT_KERNEL, OPT_INITRD, OPT_PARAMS, OPT_MEM, OPT_CPUS, OPT_NAME, OPT_HELP,
	OPT_IRQCHIP, OPT_DUMP_DTB, OPT_DISK, OPT_TRANSPORT,
	OPT_NETWORK, OPT_9P, OPT_CONSOLE, OPT_RNG, OPT_BALLOON, OPT_VSOCK, OPT_NODEFAULTS,
	OPT_NO_SECCOMP,
};

struct opt {
	enum opt_id id;
	char short_name;
	const char *long_name;
	bool has_arg;
};

static const struct opt run_opts[] = {
	{ OPT_KERNEL, 'k', "kernel", true },
	{ OPT_INITRD, 'i', "initrd", true },
	{ OPT_PARAMS, 'p', "params", true },
	{ OPT_MEM, 'm', "mem", true },
	{ OPT_CPUS, 'c', "cpus", true },
	{ OPT_NAME, 0, "name", true },
	{ OPT_HELP, 'h', "help", false },
	{ OPT_DISK, 'd', "disk", true },
	{ OPT_TRANSPORT, 0, "virtio-transport", true },
	{ OPT_NETWORK, 'n', "network", true },
	{ OPT_9P, 0, "9p", true },
	{ OPT_CONSOLE, 0, "console", true },
	{ OPT_RNG, 0, "rng", false },
	{ OPT_BALLOON, 0, "balloon", false },
	{ OPT_VSOCK, 0, "vsock", true },
	{ OPT_NODEFAULTS, 0, "nodefaults", false },
	{ OPT_NO_SECCOMP, 0, "no-seccomp", false },
	{ OPT_IRQCHIP, 0, "irqchip", true },
	{ OPT_DUMP_DTB, 0, "dump-dtb", true },
};

void config_init(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_mib = CONFIG_DEFAULT_MEM_MIB;
	cfg->nr_cpus = CONFIG_DEFAULT_CPUS;
	cfg->transport = VIRTIO_TRANSPORT_PCI;
	snprintf(cfg->name, sizeof(cfg->name), "guest-%d", (int)getpid());
}

char *config_cmdline(const struct vm_config *cfg, const char *serial_console,
		     const char *platform_params)
{
	const char *console = cfg->console == CONSOLE_VIRTIO ? "console=hvc0" : serial_console;
	size_t len = strlen(console) + strlen(platform_params) + strlen(cfg->params) + 3;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "%s%s%s%s%s", console, platform_params[0] ? " " : "",
			 platform_params, cfg->params[0] ? " " : "", cfg->params);
	return s;
}

int config_parse_size_mib(const char *s, u64 *mib)
{
	unsigned long long v;
	char *end;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'M' || *end == 'm')
		end++;
	else if (*end == 'G' || *end == 'g')
		shift = 10, end++;
	else if (*end == 'T' || *end == 't')
		shift = 20, end++;
	if (*end || v > (ULLONG_MAX >> 20) >> shift)
		return -EINVAL;
	*mib = v << shift;
	return 0;
}

static int parse_cpus(const char *s, unsigned int *n)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > UINT_MAX)
		return -EINVAL;
	*n = v;
	return 0;
}

static int parse_irqchip(const char *s, enum irqchip_kind *kind)
{
	static const char *const names[] = {
		[IRQCHIP_AUTO] = "auto",
		[IRQCHIP_GICV2] = "gicv2",
		[IRQCHIP_GICV3] = "gicv3",
		[IRQCHIP_GICV3_ITS] = "gicv3-its",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Guest CIDs 0-2 are reserved (hypervisor, local, host); U32_MAX is "any". */
static int parse_cid(const char *s, u32 *cid)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < 3 || v >= 0xffffffffULL)
		return -EINVAL;
	*cid = v;
	return 0;
}

/* Names become socket file names later: keep them to a safe alphabet. */
static bool name_ok(const char *s)
{
	if (!*s || strlen(s) >= CONFIG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

static int apply(struct vm_config *cfg, enum opt_id id, const char *arg,
		 const char *spelled, struct err_msg *e)
{
	switch (id) {
	case OPT_KERNEL:
		cfg->kernel = arg;
		break;
	case OPT_INITRD:
		cfg->initrd = arg;
		break;
	case OPT_PARAMS:
		if (strlen(cfg->params) + strlen(arg) + 2 > sizeof(cfg->params))
			return err_usage(e, "%s: the kernel parameters exceed %zu bytes; shorten them",
					 spelled, sizeof(cfg->params) - 1);
		if (cfg->params[0])
			strcat(cfg->params, " ");
		strcat(cfg->params, arg);
		break;
	case OPT_MEM:
		if (config_parse_size_mib(arg, &cfg->mem_mib))
			return err_usage(e, "%s '%s': not a size; give MiB like 512, or 2G", spelled, arg);
		if (!cfg->mem_mib)
			return err_usage(e, "%s 0: the guest needs memory; give at least 64 (MiB)", spelled);
		break;
	case OPT_CPUS:
		if (parse_cpus(arg, &cfg->nr_cpus))
			return err_usage(e, "%s '%s': not a number of CPUs; give e.g. 2", spelled, arg);
		if (!cfg->nr_cpus)
			return err_usage(e, "%s 0: the guest needs at least one CPU; give 1 or more", spelled);
		break;
	case OPT_NAME:
		if (!name_ok(arg))
			return err_usage(e, "%s '%s': use 1-63 letters, digits, '-', '_' or '.'", spelled, arg);
		strcpy(cfg->name, arg);
		break;
	case OPT_HELP:
		cfg->help = true;
		break;
	case OPT_DISK:
		if (cfg->nr_disks == CONFIG_MAX_DISKS)
			return err_usage(e, "%s '%s': at most %u disks; drop one", spelled, arg,
					 CONFIG_MAX_DISKS);
		if (disk_config_parse(arg, &cfg->disks[cfg->nr_disks], e))
			return -EINVAL;
		cfg->nr_disks++;
		break;
	case OPT_NETWORK:
		if (cfg->nr_nets == CONFIG_MAX_NICS)
			return err_usage(e, "%s '%s': at most %u NICs; drop one", spelled, arg,
					 CONFIG_MAX_NICS);
		if (net_config_parse(arg, &cfg->nets[cfg->nr_nets], e))
			return -EINVAL;
		cfg->nr_nets++;
		break;
	case OPT_TRANSPORT:
		if (!strcmp(arg, "mmio"))
			cfg->transport = VIRTIO_TRANSPORT_MMIO;
		else if (!strcmp(arg, "pci"))
			cfg->transport = VIRTIO_TRANSPORT_PCI;
		else
			return err_usage(e, "%s '%s': give pci or mmio", spelled, arg);
		break;
	case OPT_9P:
		if (cfg->nr_shares == CONFIG_MAX_SHARES)
			return err_usage(e, "%s '%s': at most %u shares; drop one", spelled, arg,
					 CONFIG_MAX_SHARES);
		if (p9_config_parse(arg, &cfg->shares[cfg->nr_shares], e))
			return -EINVAL;
		cfg->nr_shares++;
		break;
	case OPT_CONSOLE:
		if (!strcmp(arg, "serial"))
			cfg->console = CONSOLE_SERIAL;
		else if (!strcmp(arg, "virtio"))
			cfg->console = CONSOLE_VIRTIO;
		else
			return err_usage(e, "%s '%s': give serial or virtio", spelled, arg);
		break;
	case OPT_RNG:
		cfg->rng = true;
		break;
	case OPT_BALLOON:
		cfg->balloon = true;
		break;
	case OPT_VSOCK:
		if (parse_cid(arg, &cfg->vsock_cid))
			return err_usage(e, "%s '%s': give a guest CID from 3 to 4294967294", spelled, arg);
		break;
	case OPT_NODEFAULTS:
		cfg->nodefaults = true;
		break;
	case OPT_NO_SECCOMP:
		cfg->no_seccomp = true;
		break;
	case OPT_IRQCHIP:
		if (parse_irqchip(arg, &cfg->irqchip))
			return err_usage(e, "%s '%s': give gicv2, gicv3, gicv3-its or auto", spelled, arg);
		break;
	case OPT_DUMP_DTB:
		if (!*arg)
			return err_usage(e, "%s needs a file name", spelled);
		cfg->dump_dtb = arg;
		break;
	}
	return 0;
}

static const struct opt *lookup(const char *a, const char **inline_arg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(run_opts); i++) {
		const struct opt *o = &run_opts[i];

		if (opt_matches(a, o->short_name, o->long_name, o->has_arg, inline_arg))
			return o;
	}
	return NULL;
}

bool opt_matches(const char *a, char short_name, const char *long_name, bool has_arg,
		 const char **inline_arg)
{
	size_t n = strlen(long_name);

	*inline_arg = NULL;
	if (a[1] != '-')
		return short_name && a[1] == short_name && !a[2];
	if (strncmp(a + 2, long_name, n))
		return false;
	if (a[2 + n] == '=' && has_arg) {
		*inline_arg = a + 3 + n;
		return true;
	}
	return !a[2 + n];
}

int config_parse_run(struct vm_config *cfg, int argc, char **argv, struct err_msg *e)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *arg;
		const struct opt *o;
		char spelled[32];
		int ret;

		if (a[0] != '-' || !a[1])
			return err_usage(e, "unexpected argument '%s'; see 'lkvm run --help'", a);
		o = lookup(a, &arg);
		if (!o)
			return err_usage(e, "unknown option '%s'; see 'lkvm run --help'", a);
		if (o->has_arg && !arg) {
			if (i + 1 >= argc)
				return err_usage(e, "option '%s' needs a value; see 'lkvm run --help'", a);
			arg = argv[++i];
		}
		if (a[1] == '-')
			snprintf(spelled, sizeof(spelled), "--%s", o->long_name);
		else
			snprintf(spelled, sizeof(spelled), "-%c", o->short_name);
		ret = apply(cfg, o->id, arg, spelled, e);
		if (ret)
			return ret;
	}
	return 0;
}
