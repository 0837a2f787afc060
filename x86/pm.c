// SPDX-License-Identifier: GPL-2.0
/*
 * Power and reset controls of the x86 machine: the hardware-reduced ACPI
 * sleep and reset registers the FADT points at, and the keyboard
 * controller's reset line for kernels booted without ACPI.
 */
#include "../core/vm.h"
#include "memmap.h"
#include "pm.h"

#define SLP_EN		0x20
#define SLP_TYP(v)	(((v) >> 2) & 0x7)
#define I8042_RESET	0xfe

static void sleep_ctl_write(void *opaque, u64 offset, const void *data, u32 len)
{
	u8 v = *(const u8 *)data;

	(void)offset;
	(void)len;
	if ((v & SLP_EN) && SLP_TYP(v) == X86_PM_S5_SLP_TYP)
		vm_stop(opaque, VM_EXIT_OK, "the guest powered off");
}

static void sleep_sts_read(void *opaque, u64 offset, void *data, u32 len)
{
	(void)opaque;
	(void)offset;
	(void)len;
	*(u8 *)data = 0;
}

static void reset_write(void *opaque, u64 offset, const void *data, u32 len)
{
	(void)offset;
	(void)len;
	if (*(const u8 *)data == X86_PM_RESET_VALUE)
		vm_stop(opaque, VM_EXIT_OK, "the guest rebooted");
}

static void i8042_write(void *opaque, u64 offset, const void *data, u32 len)
{
	(void)offset;
	(void)len;
	if (*(const u8 *)data == I8042_RESET)
		vm_stop(opaque, VM_EXIT_OK, "the guest rebooted");
}

static const struct io_ops sleep_ctl_ops = { .write = sleep_ctl_write };
static const struct io_ops sleep_sts_ops = { .read = sleep_sts_read };
static const struct io_ops reset_ops = { .write = reset_write };
static const struct io_ops i8042_ops = { .write = i8042_write };

int x86_pm_init(struct vm *vm)
{
	int ret;

	ret = io_bus_register(&vm->pio, X86_PM_SLEEP_CTL_PORT, 1, &sleep_ctl_ops, vm);
	if (!ret)
		ret = io_bus_register(&vm->pio, X86_PM_SLEEP_STS_PORT, 1, &sleep_sts_ops, vm);
	if (!ret)
		ret = io_bus_register(&vm->pio, X86_PM_RESET_PORT, 1, &reset_ops, vm);
	if (!ret)
		ret = io_bus_register(&vm->pio, X86_I8042_CMD_PORT, 1, &i8042_ops, vm);
	return ret;
}
