// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "../virtio/setup.h"
#include "arch.h"
#include "control.h"
#include "vcpu.h"
#include "vm.h"

static int kvm_open(struct vm *vm, struct err_msg *e)
{
	int ver;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return err_set(e, errno,
			       "cannot open /dev/kvm: %s; load the kvm module and give this user access (group kvm)",
			       strerror(errno));
	ver = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION)
		return err_set(e, ENOTSUP, "/dev/kvm speaks API version %d, lkvm needs %d",
			       ver, KVM_API_VERSION);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return err_set(e, errno, "KVM_CREATE_VM failed: %s", strerror(errno));
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return err_set(e, errno, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
	ver = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (ver <= 0)
		ver = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	vm->max_vcpus = ver > 0 ? ver : 4;
	return 0;
}

/* What can be checked before touching KVM. */
static int check_host_memory(const struct vm_config *cfg, struct err_msg *e)
{
	struct sysinfo si;
	u64 host_mib;

	if (sysinfo(&si))
		return 0;
	host_mib = ((u64)si.totalram + si.totalswap) * si.mem_unit >> 20;
	if (cfg->mem_mib > host_mib)
		return err_usage(e, "-m %llu: this host has only %llu MiB of RAM and swap; give -m %llu or less",
				 (unsigned long long)cfg->mem_mib,
				 (unsigned long long)host_mib,
				 (unsigned long long)host_mib);
	return 0;
}

static int check_config(struct vm *vm, struct err_msg *e)
{
	const struct vm_config *cfg = &vm->cfg;

	if (cfg->nr_cpus > vm->max_vcpus)
		return err_usage(e, "-c %u: KVM on this host allows at most %u vCPUs; give -c %u or fewer",
				 cfg->nr_cpus, vm->max_vcpus, vm->max_vcpus);
	return arch_check_config(vm, e);
}

static int setup_memory(struct vm *vm, struct err_msg *e)
{
	unsigned int i;
	int ret;

	ret = guest_mem_alloc(&vm->mem, vm->cfg.mem_mib << 20, e);
	if (ret)
		return ret;
	ret = arch_mem_layout(vm, e);
	if (ret)
		return ret;
	for (i = 0; i < vm->mem.nr_regions; i++) {
		struct mem_region *r = &vm->mem.regions[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (unsigned long)r->hva,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot))
			return err_set(e, errno, "KVM_SET_USER_MEMORY_REGION at 0x%llx: %s",
				       (unsigned long long)r->gpa, strerror(errno));
	}
	return 0;
}

static int create_vcpus(struct vm *vm, struct err_msg *e)
{
	unsigned int i;
	int ret;

	vm->vcpus = calloc(vm->cfg.nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return err_set(e, ENOMEM, "out of memory for %u vCPUs", vm->cfg.nr_cpus);
	for (i = 0; i < vm->cfg.nr_cpus; i++) {
		ret = vcpu_create(vm, &vm->vcpus[i], i, e);
		if (ret)
			return ret;
		vm->nr_vcpus++;
	}
	return 0;
}

static int setup_vcpus(struct vm *vm, struct err_msg *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = arch_vcpu_setup(&vm->vcpus[i], e);
		if (ret)
			return ret;
	}
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, struct err_msg *e)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = -1;
	pthread_mutex_init(&vm->stop_lock, NULL);
	vm_park_init(&vm->park);
	io_bus_init(&vm->pio);
	io_bus_init(&vm->mmio);
	irq_routes_init(&vm->routes);
	term_init(&vm->term, vm, STDIN_FILENO, STDOUT_FILENO);
	ret = event_loop_init(&vm->loop);
	if (ret)
		return err_set(e, ret, "cannot create the event loop: %s", strerror(-ret));
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0)
		return err_set(e, errno, "eventfd: %s", strerror(errno));

	ret = check_host_memory(cfg, e);
	/* Before any thread: none may start unfiltered because the kernel cannot filter. */
	if (!ret && !cfg->no_seccomp)
		ret = seccomp_check(e);
	if (!ret && cfg->control)
		ret = control_open(vm, e);
	if (!ret)
		ret = kvm_open(vm, e);
	if (!ret)
		ret = check_config(vm, e);
	/*
	 * The irqchip before the memory slots: KVM's teardown then waits for
	 * one SRCU grace period instead of several (docs/performance.md).
	 */
	if (!ret)
		ret = arch_vm_setup(vm, e);
	if (!ret)
		ret = setup_memory(vm, e);
	if (!ret)
		ret = virtio_devices_create(vm, e);
	if (!ret)
		ret = create_vcpus(vm, e);
	if (!ret)
		ret = arch_load_guest(vm, e);
	if (!ret)
		ret = setup_vcpus(vm, e);
	return ret;
}

void vm_stop(struct vm *vm, int status, const char *reason)
{
	u64 one = 1;

	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->stopping) {
		vm->exit_status = status;
		snprintf(vm->exit_reason, sizeof(vm->exit_reason), "%s", reason);
		__atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->stop_lock);
	vm_park_wake(&vm->park);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		return;	/* the counter cannot overflow in practice; the flag is set */
}

/* Lock-free: every vCPU asks this on every exit. */
bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
}

int vm_place_mmio_device(struct vm *vm, const char *prefix, u64 size, struct dev_desc *d,
			 struct err_msg *e)
{
	struct arch_dev_space s;
	unsigned int slot = vm->next_mmio_slot;

	arch_dev_space(vm, &s);
	if (size > s.mmio_stride || (u64)(slot + 1) * s.mmio_stride > s.mmio_size ||
	    vm->next_irq >= s.nr_irqs)
		return err_usage(e, "too many devices: this machine has room for %u MMIO devices; use fewer",
				 (unsigned int)MIN(s.mmio_size / s.mmio_stride, (u64)s.nr_irqs));
	memset(d, 0, sizeof(*d));
	d->kind = DEV_VIRTIO_MMIO;
	snprintf(d->name, sizeof(d->name), "%.2s%02X", prefix, slot);
	d->base = s.mmio_base + slot * s.mmio_stride;
	d->size = size;
	d->irq = s.irqs[vm->next_irq];
	d->edge = true;
	if (inventory_add(&vm->inventory, d))
		return err_usage(e, "too many devices for the device inventory; use fewer");
	vm->next_mmio_slot++;
	vm->next_irq++;
	return 0;
}

int vm_add_device(struct vm *vm, void *obj, void (*destroy)(void *obj))
{
	if (vm->nr_devices == VM_MAX_DEVICES)
		return -ENOSPC;
	vm->devices[vm->nr_devices++] = (struct vm_device){ .obj = obj, .destroy = destroy };
	return 0;
}

const struct seccomp_target *vm_seccomp(const struct vm *vm, enum seccomp_type type,
					int vcpu_fd, struct seccomp_target *t)
{
	if (vm->cfg.no_seccomp)
		return NULL;
	*t = (struct seccomp_target){ .type = type, .vm_fd = vm->vm_fd, .vcpu_fd = vcpu_fd };
	return t;
}

int vm_irq_line(struct vm *vm, u32 gsi, bool level)
{
	return arch_irq_line(vm, gsi, level);
}

/* Waits for a stop request or a terminating signal; returns the exit status. */
static int wait_for_stop(struct vm *vm, int sig_fd)
{
	struct epoll_event ev[2];
	struct signalfd_siginfo si;
	char why[64];
	int ep, n, i;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return VM_EXIT_FAILURE;
	ev[0] = (struct epoll_event){ .events = EPOLLIN, .data.fd = sig_fd };
	ev[1] = (struct epoll_event){ .events = EPOLLIN, .data.fd = vm->stop_fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, sig_fd, &ev[0]);
	epoll_ctl(ep, EPOLL_CTL_ADD, vm->stop_fd, &ev[1]);
	while (!vm_stopping(vm)) {
		n = epoll_wait(ep, ev, 2, -1);
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd != sig_fd)
				continue;
			if (read(sig_fd, &si, sizeof(si)) != sizeof(si))
				continue;
			snprintf(why, sizeof(why), "stopped by signal %s", sigabbrev_np(si.ssi_signo));
			vm_stop(vm, 128 + si.ssi_signo, why);
		}
	}
	close(ep);
	return vm->exit_status;
}

static int start_vcpus(struct vm *vm, struct err_msg *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			vm_stop(vm, VM_EXIT_FAILURE, "cannot start a vCPU thread");
			return err_set(e, -ret, "cannot start vCPU %u: %s%s", i, strerror(-ret),
				       vm->cfg.no_seccomp ? "" :
				       " (rerun with --no-seccomp if its filter is the cause)");
		}
	}
	return 0;
}

/* Last: every other thread exists by now, and this one creates no more. */
static int filter_main_thread(struct vm *vm, struct err_msg *e)
{
	struct seccomp_target t;
	int ret;

	if (!vm_seccomp(vm, SECCOMP_MAIN, -1, &t))
		return 0;
	ret = seccomp_install(&t);
	if (ret) {
		vm_stop(vm, VM_EXIT_FAILURE, "cannot filter the main thread's system calls");
		return err_set(e, -ret, "seccomp: cannot filter the main thread: %s; rerun with --no-seccomp",
			       strerror(-ret));
	}
	return 0;
}

int vm_run(struct vm *vm, struct err_msg *e)
{
	struct seccomp_target loop_filter;
	sigset_t set;
	int sig_fd, ret, status;
	unsigned int i;

	/*
	 * A peer that closes its end must not kill the VM: libslirp writes to
	 * host sockets without MSG_NOSIGNAL (an iperf3 server hanging up ended
	 * lkvm with SIGPIPE), and a console pipe may go away. The writes get
	 * EPIPE instead, which their callers handle.
	 */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread exists, so every thread inherits it. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sig_fd < 0)
		return err_set(e, errno, "signalfd: %s", strerror(errno));
	ret = vcpu_signals_init();
	if (!ret)
		ret = event_loop_start(&vm->loop,
				       vm_seccomp(vm, SECCOMP_EVENT_LOOP, -1, &loop_filter));
	if (ret) {
		close(sig_fd);
		return err_set(e, ret, "cannot start the event loop: %s%s", strerror(-ret),
			       vm->cfg.no_seccomp ? "" :
			       " (rerun with --no-seccomp if its filter is the cause)");
	}
	term_start(&vm->term, &vm->loop);
	control_start(vm);
	ret = start_vcpus(vm, e);
	if (!ret)
		ret = filter_main_thread(vm, e);
	status = wait_for_stop(vm, sig_fd);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(&vm->vcpus[i]);
	event_loop_stop(&vm->loop);
	term_restore(&vm->term);
	close(sig_fd);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return ret ? VM_EXIT_FAILURE : status;
}

void vm_destroy(struct vm *vm)
{
	unsigned int i;

	term_restore(&vm->term);
	/* The loop is stopped first: no completion can run on a freed device. */
	event_loop_destroy(&vm->loop);
	while (vm->nr_devices--)
		vm->devices[vm->nr_devices].destroy(vm->devices[vm->nr_devices].obj);
	/* After the disks: a client of 'stop' sees its connection close once they are flushed. */
	control_close(vm);
	vm->nr_devices = 0;
	arch_vm_teardown(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	guest_mem_free(&vm->mem);
	io_bus_destroy(&vm->pio);
	io_bus_destroy(&vm->mmio);
	irq_routes_destroy(&vm->routes);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	pthread_mutex_destroy(&vm->stop_lock);
	vm_park_destroy(&vm->park);
	vm->vm_fd = vm->kvm_fd = vm->stop_fd = -1;
}
