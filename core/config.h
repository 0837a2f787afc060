/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONFIG_H
#define LKVM_CONFIG_H

#include "../virtio/disk.h"
#include "../virtio/net_config.h"
#include "../virtio/p9.h"
#include "util.h"

#define CONFIG_DEFAULT_MEM_MIB	256
#define CONFIG_DEFAULT_CPUS	1
#define CONFIG_NAME_MAX		64
#define CONFIG_PARAMS_MAX	4096
#define CONFIG_MAX_DISKS	16
#define CONFIG_MAX_NICS		8
#define CONFIG_MAX_SHARES	8

enum virtio_transport {
	VIRTIO_TRANSPORT_MMIO,
	VIRTIO_TRANSPORT_PCI,
};

/* --console: where the guest's console (and the terminal) goes. */
enum console_kind {
	CONSOLE_SERIAL,		/* the platform's UART: ttyS0 or ttyAMA0 */
	CONSOLE_VIRTIO,		/* virtio-console: hvc0 */
};

/* --irqchip: which interrupt controller an arm64 guest gets; AUTO tries them best first. */
enum irqchip_kind {
	IRQCHIP_AUTO,
	IRQCHIP_GICV2,		/* GICv2 with a v2m frame for MSIs */
	IRQCHIP_GICV3,		/* GICv3 without an ITS */
	IRQCHIP_GICV3_ITS,	/* GICv3 with an ITS */
};

/* Everything `lkvm run` was asked for, before any of it is checked on the host. */
struct vm_config {
	const char *kernel;
	const char *initrd;
	char params[CONFIG_PARAMS_MAX];	/* every -p, joined by spaces */
	char name[CONFIG_NAME_MAX];
	u64 mem_mib;
	unsigned int nr_cpus;
	bool help;
	struct disk_config disks[CONFIG_MAX_DISKS];
	unsigned int nr_disks;
	struct net_config nets[CONFIG_MAX_NICS];	/* -n, in order; mode=none adds no NIC */
	unsigned int nr_nets;
	struct p9_config shares[CONFIG_MAX_SHARES];	/* --9p, in order */
	unsigned int nr_shares;
	enum virtio_transport transport;
	enum irqchip_kind irqchip;
	enum console_kind console;
	bool rng;			/* --rng: a virtio-rng */
	bool balloon;			/* --balloon: a virtio-balloon */
	u32 vsock_cid;			/* --vsock CID; 0: none */
	bool nodefaults;		/* --nodefaults: no NIC unless -n asks */
	bool no_seccomp;		/* --no-seccomp: no system call filters (core/seccomp.c) */
	const char *dump_dtb;		/* arm64: write the device tree here and exit */

	/* Not on the command line: lkvm run serves a control socket (core/control.c). */
	bool control;
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

/*
 * The kernel command line: the console (serial_console, or hvc0 with
 * --console virtio) and the platform's parameters first, so that the
 * user's -p can override them. malloc'd; NULL when out of memory.
 */
char *config_cmdline(const struct vm_config *cfg, const char *serial_console,
		     const char *platform_params);

/*
 * Whether argument a spells this option exactly: -s, --long, or
 * --long=VALUE (then *inline_arg points at VALUE). A prefix never matches.
 */
bool opt_matches(const char *a, char short_name, const char *long_name, bool has_arg,
		 const char **inline_arg);

/* "256", "256M", "2G" -> MiB. */
int config_parse_size_mib(const char *s, u64 *mib);

#endif
