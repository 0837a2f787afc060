// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 machine: RAM from 2 GiB, an in-kernel GIC, a PL011 console and
 * a PL031 clock, and a device tree built at run time for the kernel Image.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>

#include "../core/arch.h"
#include "../core/vm.h"
#include "../fdt/fdt.h"
#include "cpu.h"
#include "image.h"
#include "memmap.h"

#define KERNEL_MAX_SIZE		(512ULL << 20)
#define INITRD_MAX_SIZE		(2048ULL << 20)
#define SERIAL_CONSOLE		"console=ttyAMA0 earlycon"
#define PLATFORM_PARAMS		""

int arch_check_config(struct vm *vm, struct err_msg *e)
{
	const struct vm_config *cfg = &vm->cfg;
	unsigned int max = cfg->irqchip == IRQCHIP_GICV2 ? ARM64_GICV2_MAX_CPUS : ARM64_GICV3_MAX_CPUS;

	if (cfg->nr_cpus > max)
		return err_usage(e, "-c %u: lkvm's arm64 machine%s has at most %u vCPUs; give -c %u or fewer",
				 cfg->nr_cpus, cfg->irqchip == IRQCHIP_GICV2 ? " with a GICv2" : "",
				 max, max);
	if (cfg->mem_mib > ARM64_RAM_MAX >> 20)
		return err_usage(e, "-m %llu: lkvm's arm64 machine has room for %llu MiB of RAM; give less",
				 (unsigned long long)cfg->mem_mib,
				 (unsigned long long)(ARM64_RAM_MAX >> 20));
	if (cfg->raw_payload)
		return err_usage(e, "raw payloads are an x86 test feature");
	return 0;
}

int arch_mem_layout(struct vm *vm, struct err_msg *e)
{
	return guest_mem_add_region(&vm->mem, ARM64_RAM_BASE, vm->mem.size, e);
}

int arch_vm_setup(struct vm *vm, struct err_msg *e)
{
	struct arch_vm *a = &vm->arch;
	int ret;

	ret = arm64_gic_create(&a->gic, vm, e);
	if (ret)
		return ret;
	ret = pl011_init(&a->uart, vm, &vm->mmio, ARM64_UART_BASE, ARM64_UART_SPI);
	if (!ret)
		ret = pl031_init(&a->rtc, &vm->mmio, ARM64_RTC_BASE);
	if (ret)
		return err_set(e, -ret, "cannot place the platform devices: %s", strerror(-ret));
	term_set_sink(&vm->term, pl011_receive, &a->uart);
	return 0;
}

/* SPIs for MMIO devices, handed out in order. */
static const u32 device_spis[ARM64_VIRTIO_MMIO_SPIS] = {
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
};

void arch_dev_space(struct vm *vm, struct arch_dev_space *s)
{
	(void)vm;
	*s = (struct arch_dev_space){
		.mmio_base = ARM64_VIRTIO_MMIO_BASE,
		.mmio_size = ARM64_VIRTIO_MMIO_SIZE,
		.mmio_stride = ARM64_VIRTIO_MMIO_STRIDE,
		.irqs = device_spis,
		.nr_irqs = ARRAY_SIZE(device_spis),
	};
}

static void describe_machine(struct vm *vm, struct fdt_platform *p)
{
	p->nr_cpus = vm->nr_vcpus;
	p->ram = (struct fdt_region){ ARM64_RAM_BASE, vm->mem.size };
	p->gic = vm->arch.gic.kind;
	p->gic_dist = (struct fdt_region){ ARM64_GIC_DIST_BASE, ARM64_GIC_DIST_SIZE };
	p->gic_redist = (struct fdt_region){ ARM64_GIC_REDIST_BASE,
					     vm->nr_vcpus * ARM64_GIC_REDIST_STRIDE };
	p->gic_cpu = (struct fdt_region){ ARM64_GIC_CPU_BASE, ARM64_GIC_CPU_SIZE };
	p->gic_its = (struct fdt_region){ ARM64_GIC_ITS_BASE, ARM64_GIC_ITS_SIZE };
	p->gic_v2m = (struct fdt_region){ ARM64_GIC_V2M_BASE, ARM64_GIC_V2M_SIZE };
	p->v2m_spi_base = ARM64_V2M_SPI_BASE;
	p->v2m_spi_count = ARM64_V2M_SPI_COUNT;
	p->uart = (struct fdt_region){ ARM64_UART_BASE, ARM64_UART_SIZE };
	p->uart_spi = ARM64_UART_SPI;
	p->rtc = (struct fdt_region){ ARM64_RTC_BASE, ARM64_RTC_SIZE };
	p->rtc_spi = ARM64_RTC_SPI;
	p->inv = &vm->inventory;
}

static int write_dump(const char *path, const void *dtb, long len, struct err_msg *e)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return err_usage(e, "--dump-dtb: cannot create '%s': %s", path, strerror(errno));
	ok = fwrite(dtb, 1, len, f) == (size_t)len;
	if (fclose(f) || !ok)
		return err_usage(e, "--dump-dtb: cannot write '%s': %s", path, strerror(errno));
	return 0;
}

/* Renders the device tree straight into guest RAM at l->dtb_addr. */
static int place_dtb(struct vm *vm, const struct arm64_boot_layout *l, const u64 *mpidr,
		     struct err_msg *e)
{
	struct fdt_platform p = { .mpidr = mpidr };
	void *dtb = guest_ptr(&vm->mem, l->dtb_addr, ARM64_DTB_MAX);
	char *cmdline;
	long len;

	if (!dtb)
		return err_set(e, EFAULT, "no guest RAM for the device tree at 0x%llx",
			       (unsigned long long)l->dtb_addr);
	describe_machine(vm, &p);
	p.initrd_start = l->initrd_addr;
	p.initrd_end = l->initrd_addr + l->initrd_size;
	if (getrandom(&p.kaslr_seed, sizeof(p.kaslr_seed), 0) != sizeof(p.kaslr_seed) ||
	    getrandom(p.rng_seed, sizeof(p.rng_seed), 0) != sizeof(p.rng_seed))
		return err_set(e, errno, "getrandom: %s", strerror(errno));
	cmdline = config_cmdline(&vm->cfg, SERIAL_CONSOLE, PLATFORM_PARAMS);
	if (!cmdline)
		return err_set(e, ENOMEM, "out of memory");
	p.bootargs = cmdline;
	len = fdt_build(&p, dtb, ARM64_DTB_MAX, e);
	free(cmdline);
	if (len < 0)
		return len;
	vm->arch.dtb_addr = l->dtb_addr;
	return vm->cfg.dump_dtb ? write_dump(vm->cfg.dump_dtb, dtb, len, e) : 0;
}

static int place_guest(struct vm *vm, const struct arm64_image *img, const void *initrd,
		       u64 initrd_size, const u64 *mpidr, struct err_msg *e)
{
	struct arm64_boot_layout l;
	int ret;

	ret = arm64_plan_boot(&l, img, ARM64_RAM_BASE, vm->mem.size, initrd_size, e);
	if (ret)
		return ret;
	if (guest_write(&vm->mem, l.kernel_addr, img->data, img->file_size) ||
	    (initrd_size && guest_write(&vm->mem, l.initrd_addr, initrd, initrd_size)))
		return err_set(e, EFAULT, "kernel or initrd does not fit guest RAM");
	vm->arch.entry = l.kernel_addr;
	return place_dtb(vm, &l, mpidr, e);
}

static int load_image(struct vm *vm, const u64 *mpidr, struct err_msg *e)
{
	void *kernel = NULL, *initrd = NULL;
	u64 klen, initrd_size = 0;
	struct arm64_image img;
	int ret;

	ret = load_user_file("kernel", vm->cfg.kernel, KERNEL_MAX_SIZE, &kernel, &klen, e);
	if (!ret && vm->cfg.initrd)
		ret = load_user_file("initrd", vm->cfg.initrd, INITRD_MAX_SIZE, &initrd,
				     &initrd_size, e);
	if (!ret)
		ret = arm64_image_parse(&img, kernel, klen, vm->cfg.kernel, e);
	if (!ret)
		ret = place_guest(vm, &img, initrd, initrd_size, mpidr, e);
	free(kernel);
	free(initrd);
	return ret;
}

/*
 * The vCPUs exist now: initialise them (the device tree needs their
 * MPIDRs), then the GIC, which KVM wants after its vCPUs, then the guest.
 */
int arch_load_guest(struct vm *vm, struct err_msg *e)
{
	u64 *mpidr;
	int ret;

	if (!vm->cfg.kernel)
		return err_usage(e, "no kernel given; pass one with -k");
	mpidr = calloc(vm->nr_vcpus, sizeof(*mpidr));
	if (!mpidr)
		return err_set(e, ENOMEM, "out of memory");
	ret = arm64_vcpus_init(vm, mpidr, e);
	if (!ret)
		ret = arm64_gic_finalize(&vm->arch.gic, e);
	if (!ret)
		ret = load_image(vm, mpidr, e);
	free(mpidr);
	return ret;
}

/* Secondary vCPUs keep KVM's reset state until PSCI CPU_ON gives them an entry. */
int arch_vcpu_setup(struct vcpu *vcpu, struct err_msg *e)
{
	if (vcpu->id)
		return 0;
	return arm64_vcpu_boot_regs(vcpu, vcpu->vm->arch.entry, vcpu->vm->arch.dtb_addr, e);
}

int arch_irq_line(struct vm *vm, u32 irq, bool level)
{
	struct kvm_irq_level line = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | (32 + irq),
		.level = level,
	};

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) ? -errno : 0;
}

bool arch_handle_exit(struct vcpu *vcpu)
{
	(void)vcpu;
	return false;
}

void arch_vm_teardown(struct vm *vm)
{
	if (vm->arch.gic.vm)
		arm64_gic_destroy(&vm->arch.gic);
}
