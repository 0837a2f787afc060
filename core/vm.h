/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VM_H
#define LKVM_VM_H

#include <pthread.h>
#include <linux/kvm.h>

#include "arch_vm.h"
#include "config.h"
#include "devices.h"
#include "event_loop.h"
#include "io_bus.h"
#include "irq_route.h"
#include "mem.h"
#include "park.h"
#include "seccomp.h"
#include "term.h"
#include "util.h"

struct vm;
struct pci_host;
struct control;
struct virtio_balloon;

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	unsigned int park_gen;		/* the last park request served */
	struct arch_vcpu arch;
};

/* Exit statuses of `lkvm run`, as documented in `lkvm run --help`. */
enum {
	VM_EXIT_OK = 0,		/* the guest powered off or rebooted */
	VM_EXIT_FAILURE = 1,	/* lkvm or KVM failed */
	VM_EXIT_USAGE = 2,	/* a bad option or input file */
};

#define VM_MAX_DEVICES		32

/* A device object the VM tears down with itself. */
struct vm_device {
	void *obj;
	void (*destroy)(void *obj);
};

/* Owns everything one guest needs; nothing about a VM lives in a global. */
struct vm {
	struct vm_config cfg;
	int kvm_fd;
	int vm_fd;
	int run_size;
	unsigned int max_vcpus;

	struct guest_mem mem;
	struct io_bus pio;
	struct io_bus mmio;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;

	struct event_loop loop;
	struct term term;
	struct dev_inventory inventory;
	struct irq_routes routes;
	struct pci_host *pci_host;	/* created with the first PCI device */
	unsigned int next_mmio_slot;
	unsigned int next_irq;
	struct vm_device devices[VM_MAX_DEVICES];
	unsigned int nr_devices;
	struct arch_vm arch;

	struct vm_park park;		/* pause, and work on vCPU threads */
	struct control *control;	/* the control socket, when cfg.control */
	struct virtio_balloon *balloon;	/* with --balloon: lkvm balloon and stat drive it */

	int stop_fd;			/* eventfd: the VM was asked to stop */
	pthread_mutex_t stop_lock;
	bool stopping;
	int exit_status;
	char exit_reason[160];
};

/* Sets up the VM from cfg; on failure e says why (e->usage for user mistakes). */
int vm_create(struct vm *vm, const struct vm_config *cfg, struct err_msg *e);

/*
 * Runs until the guest powers off or resets, a signal in sigmask arrives,
 * or a fatal error; returns the exit status (VM_EXIT_* or 128 + signal).
 * Unless cfg.no_seccomp, the calling thread is filtered (SECCOMP_MAIN)
 * once the VM's threads run, and stays so: after vm_run it may only tear
 * the VM down (vm_destroy), remove files and exit.
 */
int vm_run(struct vm *vm, struct err_msg *e);
void vm_destroy(struct vm *vm);

/* Any thread may ask the VM to stop; the first reason wins. */
void vm_stop(struct vm *vm, int status, const char *reason);
bool vm_stopping(struct vm *vm);

/*
 * Takes the next MMIO window and interrupt of the platform's device space
 * for a device named prefix + slot, and lists it in the inventory.
 */
int vm_place_mmio_device(struct vm *vm, const char *prefix, u64 size, struct dev_desc *d,
			 struct err_msg *e);
/* Hands obj to the VM, which calls destroy(obj) when it is torn down. */
int vm_add_device(struct vm *vm, void *obj, void (*destroy)(void *obj));

/*
 * The filter a thread of this VM installs: t filled in for type (vcpu_fd
 * for a vCPU, else -1), or NULL with --no-seccomp.
 */
const struct seccomp_target *vm_seccomp(const struct vm *vm, enum seccomp_type type,
					int vcpu_fd, struct seccomp_target *t);

/* Raises or lowers an interrupt line of the in-kernel irqchip. */
int vm_irq_line(struct vm *vm, u32 gsi, bool level);

#endif
