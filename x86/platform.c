// SPDX-License-Identifier: GPL-2.0
/* The x86 machine: RAM layout, in-kernel irqchip, legacy devices,
 * and loading the kernel with its firmware tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../acpi/acpi.h"
#include "../core/arch.h"
#include "../core/vm.h"
#include "boot.h"
#include "cpuid.h"
#include "memmap.h"
#include "pm.h"

#define KERNEL_MAX_SIZE		(512ULL << 20)
#define INITRD_MAX_SIZE		(2048ULL << 20)
/*
 * reboot=acpi: with hardware-reduced ACPI and no EFI, Linux would otherwise
 * reset through the BIOS (real mode and the reset vector); the ACPI reset
 * register ends lkvm directly.
 */
#define SERIAL_CONSOLE		"console=ttyS0"
#define PLATFORM_PARAMS		"reboot=acpi"

int arch_check_config(struct vm *vm, struct err_msg *e)
{
	const struct vm_config *cfg = &vm->cfg;

	if (cfg->nr_cpus > X86_MAX_CPUS)
		return err_usage(e, "-c %u: lkvm's x86 machine has at most %u vCPUs; give -c %u or fewer",
				 cfg->nr_cpus, X86_MAX_CPUS, X86_MAX_CPUS);
	if (cfg->irqchip != IRQCHIP_AUTO)
		return err_usage(e, "--irqchip chooses an arm64 GIC; the x86 machine always has an IOAPIC");
	if (cfg->dump_dtb)
		return err_usage(e, "--dump-dtb: x86 guests get ACPI tables, not a device tree");
	if (cfg->mem_mib < 2 && !cfg->raw_payload)
		return err_usage(e, "-m %llu: too little memory; give at least 64 (MiB)",
				 (unsigned long long)cfg->mem_mib);
	return 0;
}

int arch_mem_layout(struct vm *vm, struct err_msg *e)
{
	u64 size = vm->mem.size;
	u64 low = MIN(size, X86_MMIO_HOLE);
	int ret;

	ret = guest_mem_add_region(&vm->mem, 0, low, e);
	if (!ret && size > low)
		ret = guest_mem_add_region(&vm->mem, X86_MMIO_HOLE_END, size - low, e);
	return ret;
}

/*
 * No in-kernel PIT: the guest is told it is hardware-reduced ACPI, so Linux
 * programs no PIT and takes the TSC's rate from kvmclock, and freeing a PIT
 * costs three SRCU grace periods and a kthread stop when the VM ends (16 ms
 * of a 24 ms start-up, docs/performance.md). Its ports read as nothing.
 */
static int setup_irqchip(struct vm *vm, struct err_msg *e)
{
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, X86_TSS_ADDR))
		return err_set(e, errno, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(u64){ X86_IDENT_MAP_ADDR }))
		return err_set(e, errno, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (vm->cfg.no_irqchip)
		return 0;
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0))
		return err_set(e, errno, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	return 0;
}

int arch_vm_setup(struct vm *vm, struct err_msg *e)
{
	struct arch_vm *a = &vm->arch;
	int ret;

	a->vm = vm;
	a->cpuid = x86_cpuid_supported(vm->kvm_fd, e);
	if (!a->cpuid)
		return -EIO;
	ret = setup_irqchip(vm, e);
	if (ret)
		return ret;
	ret = uart8250_init(&a->com1, vm, &vm->pio, X86_COM1_PORT, X86_COM1_IRQ);
	if (!ret)
		ret = rtc_cmos_init(&a->rtc, &vm->pio, X86_RTC_PORT);
	if (!ret)
		ret = x86_pm_init(vm);
	if (ret)
		return err_set(e, ret, "cannot place the legacy devices: %s", strerror(-ret));
	term_set_sink(&vm->term, uart8250_receive, &a->com1);
	return 0;
}

/* IOAPIC pins free for devices: not the timer (0, 2), COM1 (4) or the RTC (8). */
static const u32 device_gsis[] = { 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };

void arch_dev_space(struct vm *vm, struct arch_dev_space *s)
{
	(void)vm;
	*s = (struct arch_dev_space){
		.mmio_base = X86_VIRTIO_MMIO_BASE,
		.mmio_size = X86_VIRTIO_MMIO_SIZE,
		.mmio_stride = X86_VIRTIO_MMIO_STRIDE,
		.irqs = device_gsis,
		.nr_irqs = ARRAY_SIZE(device_gsis),
	};
}

/* The DSDT's devices come from the inventory, so a new device needs no table code. */
static unsigned int inventory_to_acpi(const struct dev_inventory *inv, struct acpi_mmio_dev *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < inv->nr; i++) {
		const struct dev_desc *d = &inv->devs[i];

		if (d->kind != DEV_VIRTIO_MMIO)
			continue;
		out[n] = (struct acpi_mmio_dev){
			.hid = "LNRO0005", .uid = n, .base = d->base, .size = d->size,
			.gsi = d->irq, .edge = d->edge,
		};
		memcpy(out[n].name, d->name, 4);
		n++;
	}
	return n;
}

static int write_acpi(struct vm *vm, u64 *rsdp, struct err_msg *e)
{
	struct acpi_mmio_dev mmio_devs[INVENTORY_MAX_DEVS];
	struct acpi_platform p = {
		.nr_cpus = vm->nr_vcpus,
		.lapic_addr = X86_LAPIC_ADDR,
		.ioapic_addr = X86_IOAPIC_ADDR,
		.ioapic_id = vm->nr_vcpus,	/* IDs after the CPUs' */
		.ioapic_gsi_base = 0,
		.sleep_ctl_port = X86_PM_SLEEP_CTL_PORT,
		.sleep_sts_port = X86_PM_SLEEP_STS_PORT,
		.reset_port = X86_PM_RESET_PORT,
		.reset_value = X86_PM_RESET_VALUE,
		.s5_slp_typ = X86_PM_S5_SLP_TYP,
		.uart_port = X86_COM1_PORT,
		.uart_irq = X86_COM1_IRQ,
		.rtc_port = X86_RTC_PORT,
		.mmio_devs = mmio_devs,
		.nr_mmio_devs = inventory_to_acpi(&vm->inventory, mmio_devs),
		.pci = &vm->inventory.pci,
	};
	void *buf = guest_ptr(&vm->mem, X86_BIOS_START, X86_BIOS_END - X86_BIOS_START);
	long n;

	if (!buf)
		return err_set(e, EINVAL, "no guest RAM at the BIOS area");
	n = acpi_build(&p, buf, X86_BIOS_END - X86_BIOS_START, X86_BIOS_START, e);
	if (n < 0)
		return n;
	*rsdp = X86_BIOS_START;
	return 0;
}

/*
 * A vmlinux's segments past their file bytes (bss) are left as they are: guest
 * RAM is fresh anonymous memory, zero already.
 */
static int copy_kernel(struct vm *vm, const struct x86_kernel *k, const struct x86_boot_layout *l)
{
	unsigned int i;

	if (!k->elf)
		return guest_write(&vm->mem, l->kernel_addr, k->data + k->setup_size, l->kernel_size);
	for (i = 0; i < k->nr_segs; i++) {
		const struct x86_elf_segment *s = &k->segs[i];

		if (!guest_ptr(&vm->mem, s->paddr, s->memsz) ||
		    guest_write(&vm->mem, s->paddr, k->data + s->offset, s->filesz))
			return -EFAULT;
	}
	return 0;
}

static int place_kernel(struct vm *vm, const struct x86_kernel *bz, const void *initrd,
			struct x86_boot_layout *l, struct err_msg *e)
{
	struct boot_params *bp;
	char *cmdline;
	int ret;

	ret = x86_plan_boot(l, bz, l->initrd_size, e);
	if (ret)
		return ret;
	ret = write_acpi(vm, &l->rsdp_addr, e);
	if (ret)
		return ret;
	cmdline = config_cmdline(&vm->cfg, SERIAL_CONSOLE, PLATFORM_PARAMS);
	if (!cmdline)
		return err_set(e, ENOMEM, "out of memory");
	bp = guest_ptr(&vm->mem, X86_BOOT_PARAMS, sizeof(*bp));
	ret = x86_fill_boot_params(bp, bz, l, cmdline, e);
	if (!ret)
		guest_write(&vm->mem, l->cmdline_addr, cmdline, strlen(cmdline) + 1);
	free(cmdline);
	if (ret)
		return ret;
	if (copy_kernel(vm, bz, l) ||
	    (l->initrd_size && guest_write(&vm->mem, l->initrd_addr, initrd, l->initrd_size)))
		return err_set(e, EFAULT, "kernel or initrd does not fit guest RAM");
	/* A bzImage's 64-bit entry is 0x200 into its protected-mode part. */
	vm->arch.entry = bz->elf ? bz->entry : l->kernel_addr + 0x200;
	if (x86_write_boot_tables(vm->mem.regions[0].hva, vm->mem.regions[0].size) ||
	    x86_write_reset_vector(vm->mem.regions[0].hva, vm->mem.regions[0].size))
		return err_set(e, ENOSPC, "no room for the boot tables in low memory");
	return 0;
}

static int load_kernel(struct vm *vm, struct err_msg *e)
{
	struct x86_boot_layout l = {
		.ram_low_end = vm->mem.regions[0].size,
		.ram_high_size = vm->mem.nr_regions > 1 ? vm->mem.regions[1].size : 0,
	};
	void *kernel = NULL, *initrd = NULL;
	struct x86_kernel bz;
	u64 klen;
	int ret;

	ret = load_user_file("kernel", vm->cfg.kernel, KERNEL_MAX_SIZE, &kernel, &klen, e);
	if (!ret && vm->cfg.initrd)
		ret = load_user_file("initrd", vm->cfg.initrd, INITRD_MAX_SIZE, &initrd,
				     &l.initrd_size, e);
	if (!ret)
		ret = x86_kernel_parse(&bz, kernel, klen, vm->cfg.kernel, e);
	if (!ret)
		ret = place_kernel(vm, &bz, initrd, &l, e);
	free(kernel);
	free(initrd);
	return ret;
}

/* Tests' tiny payloads: a flat binary entered in real mode. */
static int load_raw(struct vm *vm, struct err_msg *e)
{
	void *payload;
	u64 len;
	int ret;

	ret = load_user_file("payload", vm->cfg.kernel, SZ_1M, &payload, &len, e);
	if (ret)
		return ret;
	if (guest_write(&vm->mem, vm->cfg.raw_load_addr, payload, len))
		ret = err_usage(e, "payload '%s' does not fit guest RAM at 0x%llx", vm->cfg.kernel,
				(unsigned long long)vm->cfg.raw_load_addr);
	x86_write_reset_vector(vm->mem.regions[0].hva, vm->mem.regions[0].size);
	vm->arch.entry = vm->cfg.raw_load_addr;
	vm->arch.real_mode = true;
	free(payload);
	return ret;
}

int arch_load_guest(struct vm *vm, struct err_msg *e)
{
	if (!vm->cfg.kernel)
		return err_usage(e, "no kernel given; pass one with -k");
	if (vm->cfg.raw_payload)
		return load_raw(vm, e);
	return load_kernel(vm, e);
}

int arch_irq_line(struct vm *vm, u32 irq, bool level)
{
	struct kvm_irq_level line = { .irq = irq, .level = level };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) ? -errno : 0;
}

bool arch_handle_exit(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void arch_vm_teardown(struct vm *vm)
{
	free(vm->arch.cpuid);
	vm->arch.cpuid = NULL;
}
