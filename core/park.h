/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PARK_H
#define LKVM_PARK_H

#include <pthread.h>

#include "util.h"

struct vm;
struct vcpu;

/*
 * Parks vCPUs outside KVM_RUN (pause) and runs work on each vCPU's own
 * thread (register dumps, NMIs): vCPU ioctls belong to the vCPU's thread.
 */
struct vm_park {
	pthread_mutex_t lock;
	pthread_mutex_t req_lock;	/* one requester at a time */
	pthread_cond_t wake;		/* parked vCPUs wait here */
	pthread_cond_t done;		/* the requester waits here */
	bool pending;			/* read lock-free by vCPUs on every exit */
	bool paused;
	unsigned int gen;		/* bumped per request */
	void (*fn)(struct vcpu *vcpu, void *arg);	/* NULL once the request is over */
	void *arg;
	unsigned int nr_done;
	unsigned int nr_parked;
	u64 arch_state;			/* saved by arch_vm_pause (x86: kvmclock) */
};

void vm_park_init(struct vm_park *p);
void vm_park_destroy(struct vm_park *p);
/* vm_stop calls this: parked vCPUs and waiting requesters see the stop. */
void vm_park_wake(struct vm_park *p);

/* Called by each vCPU before KVM_RUN; true when the VM is stopping. */
bool vcpu_park_point(struct vcpu *vcpu);

/* Runs fn on every vCPU's thread and waits for all of them (at most 2 s). */
int vm_vcpus_run(struct vm *vm, void (*fn)(struct vcpu *vcpu, void *arg), void *arg,
		 struct err_msg *e);
/* Parks every vCPU; the guest's clock stops with them. Idempotent. */
int vm_pause(struct vm *vm, struct err_msg *e);
int vm_resume(struct vm *vm, struct err_msg *e);
bool vm_paused(struct vm *vm);

#endif
