/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_ARM64_GIC_H
#define LKVM_ARM64_GIC_H

#include "../core/config.h"
#include "../core/util.h"

struct vm;

/* The in-kernel GIC (and ITS), plus the GICv2m MSI frame lkvm models itself. */
struct arm64_gic {
	enum irqchip_kind kind;		/* what was created: never AUTO */
	int fd;
	int its_fd;
	struct vm *vm;
};

/*
 * Creates the GIC cfg->irqchip asks for, before any vCPU exists; AUTO takes
 * the best KVM offers: GICv3 with ITS, then GICv3, then GICv2.
 */
int arm64_gic_create(struct arm64_gic *gic, struct vm *vm, struct err_msg *e);
/* Initialises the GIC (and ITS) once every vCPU exists and is initialised. */
int arm64_gic_finalize(struct arm64_gic *gic, struct err_msg *e);
void arm64_gic_destroy(struct arm64_gic *gic);

#endif
