// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "vcpu.h"

#define VCPU_KICK_SIGNAL	SIGUSR1

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id, struct err_msg *e)
{
	void *run;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return err_set(e, errno, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED)
		return err_set(e, errno, "cannot map the kvm_run area of vCPU %u: %s",
			       id, strerror(errno));
	vcpu->run = run;
	return 0;
}

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpu_signals_init(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: KVM_RUN must return EINTR. */
	sigemptyset(&sa.sa_mask);
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL) ? -errno : 0;
}

/* Satisfies a port I/O exit: 'count' accesses of 'size' bytes each. */
static void handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u8 *data = (u8 *)run + run->io.data_offset;
	u32 i;

	for (i = 0; i < run->io.count; i++, data += run->io.size) {
		if (run->io.direction == KVM_EXIT_IO_OUT)
			io_bus_write(&vcpu->vm->pio, run->io.port, data, run->io.size);
		else if (!io_bus_read(&vcpu->vm->pio, run->io.port, data, run->io.size))
			memset(data, 0xff, run->io.size);
	}
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u32 len = MIN(run->mmio.len, sizeof(run->mmio.data));

	if (run->mmio.is_write)
		io_bus_write(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data, len);
	else if (!io_bus_read(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data, len))
		memset(run->mmio.data, 0xff, len);
}

static void handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_stop(vcpu->vm, VM_EXIT_OK, "the guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_stop(vcpu->vm, VM_EXIT_OK, "the guest rebooted");
		break;
	default:
		vm_stop(vcpu->vm, VM_EXIT_FAILURE, "the guest crashed (system event)");
		break;
	}
}

/*
 * The platform reboots through ACPI, so a triple fault is a guest crash
 * that printed nothing: leave the registers for whoever debugs it.
 */
static void report_triple_fault(struct vcpu *vcpu)
{
	char regs[2048];

	arch_vcpu_dump(vcpu, regs, sizeof(regs));
	fprintf(stderr, "\r\nlkvm: %s: vCPU %u triple-faulted with:\n%s", vcpu->vm->cfg.name,
		vcpu->id, regs);
}

/* Returns false once this vCPU should stop running. */
static bool handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char why[128];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel irqchip: nothing can wake this CPU. */
		vm_stop(vcpu->vm, VM_EXIT_OK, "the guest halted");
		return false;
	case KVM_EXIT_SHUTDOWN:
		report_triple_fault(vcpu);
		vm_stop(vcpu->vm, VM_EXIT_OK, "the guest reset the machine (triple fault)");
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(vcpu);
		return false;
	default:
		if (arch_handle_exit(vcpu))
			return true;
		snprintf(why, sizeof(why), "vCPU %u stopped on an unexpected KVM exit %u",
			 vcpu->id, run->exit_reason);
		vm_stop(vcpu->vm, VM_EXIT_FAILURE, why);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	char why[128];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!vm_stopping(vcpu->vm)) {
		if (vcpu_park_point(vcpu))
			break;
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(why, sizeof(why), "KVM_RUN on vCPU %u failed: %s",
				 vcpu->id, strerror(errno));
			vm_stop(vcpu->vm, VM_EXIT_FAILURE, why);
			break;
		}
		if (!handle_exit(vcpu))
			break;
	}
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	struct seccomp_target filter;
	char name[16];
	int ret;

	ret = seccomp_thread_create(&vcpu->thread,
				    vm_seccomp(vcpu->vm, SECCOMP_VCPU, vcpu->fd, &filter),
				    vcpu_thread, vcpu);
	if (ret)
		return ret;
	snprintf(name, sizeof(name), "lkvm-vcpu%u", vcpu->id);
	pthread_setname_np(vcpu->thread, name);
	vcpu->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	/* immediate_exit covers the window before the thread enters KVM_RUN. */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_RELEASE);
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
