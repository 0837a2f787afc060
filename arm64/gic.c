// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/vm.h"
#include "gic.h"
#include "memmap.h"

/* GICv2m frame registers (the frame is modelled here; KVM has none). */
#define V2M_MSI_TYPER		0x008
#define V2M_MSI_SETSPI_NS	0x040
#define V2M_MSI_IIDR		0xfcc

static int create_device(struct vm *vm, u32 type, int *fd)
{
	struct kvm_create_device cd = { .type = type };

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd))
		return -errno;
	*fd = cd.fd;
	return 0;
}

static int set_attr(int fd, u32 group, u64 attr, const void *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (u64)(unsigned long)val };

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

static int set_addr(int fd, u64 type, u64 addr)
{
	return set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, type, &addr);
}

static int create_v3(struct arm64_gic *gic)
{
	u32 nr_irqs = ARM64_GIC_NR_IRQS;
	int ret;

	ret = create_device(gic->vm, KVM_DEV_TYPE_ARM_VGIC_V3, &gic->fd);
	if (!ret)
		ret = set_addr(gic->fd, KVM_VGIC_V3_ADDR_TYPE_DIST, ARM64_GIC_DIST_BASE);
	if (!ret)
		ret = set_addr(gic->fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, ARM64_GIC_REDIST_BASE);
	if (!ret)
		ret = set_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	return ret;
}

static int create_its(struct arm64_gic *gic)
{
	int ret = create_device(gic->vm, KVM_DEV_TYPE_ARM_VGIC_ITS, &gic->its_fd);

	if (!ret)
		ret = set_addr(gic->its_fd, KVM_VGIC_ITS_ADDR_TYPE, ARM64_GIC_ITS_BASE);
	return ret;
}

static int create_v2(struct arm64_gic *gic)
{
	u32 nr_irqs = ARM64_GIC_NR_IRQS;
	int ret;

	ret = create_device(gic->vm, KVM_DEV_TYPE_ARM_VGIC_V2, &gic->fd);
	if (!ret)
		ret = set_addr(gic->fd, KVM_VGIC_V2_ADDR_TYPE_DIST, ARM64_GIC_DIST_BASE);
	if (!ret)
		ret = set_addr(gic->fd, KVM_VGIC_V2_ADDR_TYPE_CPU, ARM64_GIC_CPU_BASE);
	if (!ret)
		ret = set_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	return ret;
}

static void close_fds(struct arm64_gic *gic)
{
	if (gic->its_fd >= 0)
		close(gic->its_fd);
	if (gic->fd >= 0)
		close(gic->fd);
	gic->fd = gic->its_fd = -1;
}

/* Tries one kind; on failure leaves nothing behind so the next can be tried. */
static int try_kind(struct arm64_gic *gic, enum irqchip_kind kind)
{
	int ret;

	gic->kind = kind;
	if (kind == IRQCHIP_GICV2)
		ret = create_v2(gic);
	else
		ret = create_v3(gic);
	if (!ret && kind == IRQCHIP_GICV3_ITS)
		ret = create_its(gic);
	if (ret)
		close_fds(gic);
	return ret;
}

/* The guest writes an SPI's INTID to SETSPI to raise it: an edge. */
static void v2m_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct arm64_gic *gic = opaque;
	u32 intid = 0;

	if (offset != V2M_MSI_SETSPI_NS)
		return;
	memcpy(&intid, data, MIN(len, sizeof(intid)));
	if (intid < 32 + ARM64_V2M_SPI_BASE || intid >= 32 + ARM64_V2M_SPI_BASE + ARM64_V2M_SPI_COUNT)
		return;
	vm_irq_line(gic->vm, intid - 32, true);
	vm_irq_line(gic->vm, intid - 32, false);
}

static void v2m_read(void *opaque, u64 offset, void *data, u32 len)
{
	u32 v = 0;

	(void)opaque;
	if (offset == V2M_MSI_TYPER)
		v = (32 + ARM64_V2M_SPI_BASE) << 16 | ARM64_V2M_SPI_COUNT;
	memset(data, 0, len);
	memcpy(data, &v, MIN(len, sizeof(v)));
}

static const struct io_ops v2m_ops = {
	.read = v2m_read,
	.write = v2m_write,
};

static const char *const kind_names[] = {
	[IRQCHIP_GICV2] = "gicv2",
	[IRQCHIP_GICV3] = "gicv3",
	[IRQCHIP_GICV3_ITS] = "gicv3-its",
};

int arm64_gic_create(struct arm64_gic *gic, struct vm *vm, struct err_msg *e)
{
	enum irqchip_kind want = vm->cfg.irqchip;
	int ret;

	gic->vm = vm;
	gic->fd = gic->its_fd = -1;
	if (want != IRQCHIP_AUTO) {
		ret = try_kind(gic, want);
		if (ret)
			return err_usage(e, "--irqchip %s: KVM on this host cannot provide it (%s); try another --irqchip",
					 kind_names[want], strerror(-ret));
	} else {
		ret = try_kind(gic, IRQCHIP_GICV3_ITS);
		if (ret)
			ret = try_kind(gic, IRQCHIP_GICV3);
		/* A GICv2 cannot serve more CPUs than its fixed limit. */
		if (ret && vm->cfg.nr_cpus <= ARM64_GICV2_MAX_CPUS)
			ret = try_kind(gic, IRQCHIP_GICV2);
		if (ret)
			return err_set(e, -ret, "KVM cannot create a GICv3 or a GICv2: %s", strerror(-ret));
	}
	if (gic->kind != IRQCHIP_GICV2)
		return 0;
	ret = io_bus_register(&vm->mmio, ARM64_GIC_V2M_BASE, ARM64_GIC_V2M_SIZE, &v2m_ops, gic);
	if (ret)
		return err_set(e, -ret, "cannot place the GICv2m frame: %s", strerror(-ret));
	return 0;
}

int arm64_gic_finalize(struct arm64_gic *gic, struct err_msg *e)
{
	int ret;

	ret = set_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		return err_set(e, -ret, "cannot initialise the %s: %s", kind_names[gic->kind],
			       strerror(-ret));
	if (gic->its_fd < 0)
		return 0;
	ret = set_attr(gic->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		return err_set(e, -ret, "cannot initialise the GICv3 ITS: %s", strerror(-ret));
	return 0;
}

void arm64_gic_destroy(struct arm64_gic *gic)
{
	close_fds(gic);
}
