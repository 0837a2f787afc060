// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a VMM's start-up: only the KVM ioctls any VMM must make.
 * Opens /dev/kvm, creates a VM with an in-kernel irqchip, one 256 MiB memory
 * slot and one vCPU in real mode, runs a tiny payload to its first port
 * write and exits. bench/run times it from exec to exit beside lkvm.
 *
 *   startup_floor [--halt]   (--halt: sleep in the guest's HLT instead of
 *                             exiting, for the resident-memory figure)
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE	(256UL << 20)
#define ENTRY		0x1000

/* mov al,0xfe; out 0x64,al; cli; 1: hlt; jmp 1b (as bench/tiny-guest.py) */
static const unsigned char payload[] = { 0xb0, 0xfe, 0xe6, 0x64, 0xfa, 0xf4, 0xeb, 0xfd };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	int halt = argc > 1 && !strcmp(argv[1], "--halt");
	struct kvm_userspace_memory_region slot = { 0 };
	struct kvm_regs regs = { .rip = ENTRY, .rflags = 0x2 };
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int kvm, vm, vcpu, run_size;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		die("KVM_CREATE_IRQCHIP");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy((char *)mem + ENTRY, payload, sizeof(payload));
	slot.memory_size = MEM_SIZE;
	slot.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x64)
			break;
		fprintf(stderr, "startup_floor: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	if (halt) {
		/* The payload goes on to cli; hlt: the vCPU sleeps in the kernel. */
		if (ioctl(vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		fprintf(stderr, "startup_floor: unexpected exit %u after HLT\n", run->exit_reason);
		return 1;
	}
	return 0;
}
