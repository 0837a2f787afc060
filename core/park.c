// SPDX-License-Identifier: GPL-2.0
/*
 * Pausing vCPUs and running work on their threads.
 *
 * A requester posts a request (a generation number, an optional function,
 * and whether to stay parked), then kicks every vCPU out of KVM_RUN. Each
 * vCPU meets the request at vcpu_park_point(), before its next KVM_RUN: it
 * runs the function on its own thread and, while paused, waits there.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "arch.h"
#include "park.h"
#include "vcpu.h"
#include "vm.h"

#define PARK_TIMEOUT_MS		2000

void vm_park_init(struct vm_park *p)
{
	pthread_condattr_t ca;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->req_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_cond_init(&p->done, &ca);
	pthread_condattr_destroy(&ca);
}

void vm_park_destroy(struct vm_park *p)
{
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->req_lock);
	pthread_mutex_destroy(&p->lock);
}

void vm_park_wake(struct vm_park *p)
{
	pthread_mutex_lock(&p->lock);
	pthread_cond_broadcast(&p->wake);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->lock);
}

/* With p->lock held: run the current request's work once per generation. */
static void serve(struct vcpu *vcpu, struct vm_park *p)
{
	if (vcpu->park_gen == p->gen)
		return;
	vcpu->park_gen = p->gen;
	if (!p->fn)
		return;		/* the requester gave up on this one */
	p->fn(vcpu, p->arg);
	p->nr_done++;
	pthread_cond_broadcast(&p->done);
}

bool vcpu_park_point(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct vm_park *p = &vm->park;

	if (!__atomic_load_n(&p->pending, __ATOMIC_SEQ_CST) &&
	    !__atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_SEQ_CST))
		return false;
	/*
	 * A kick is consumed here. vm_stop sets the stop flag before it kicks,
	 * so a stop that this check misses re-arms immediate_exit after us.
	 */
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (vm_stopping(vm))
		return true;
	pthread_mutex_lock(&p->lock);
	serve(vcpu, p);
	if (p->paused) {
		p->nr_parked++;
		pthread_cond_broadcast(&p->done);
		while (p->paused && !vm_stopping(vm)) {
			pthread_cond_wait(&p->wake, &p->lock);
			serve(vcpu, p);
		}
		p->nr_parked--;
	}
	pthread_mutex_unlock(&p->lock);
	return vm_stopping(vm);
}

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* With p->lock held: has every vCPU done what the request asked? */
static bool request_met(struct vm *vm, bool park)
{
	struct vm_park *p = &vm->park;

	if (p->fn && p->nr_done < vm->nr_vcpus)
		return false;
	return !park || p->nr_parked == vm->nr_vcpus;
}

static void kick_all(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

/* With req_lock held: post a request, kick, and wait until it is met. */
static int request(struct vm *vm, void (*fn)(struct vcpu *, void *), void *arg, bool park,
		   struct err_msg *e)
{
	struct vm_park *p = &vm->park;
	struct timespec deadline;
	int ret = 0;

	pthread_mutex_lock(&p->lock);
	p->gen++;
	p->fn = fn;
	p->arg = arg;
	p->nr_done = 0;
	p->paused |= park;
	__atomic_store_n(&p->pending, true, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);

	kick_all(vm);

	deadline_in(&deadline, PARK_TIMEOUT_MS);
	pthread_mutex_lock(&p->lock);
	while (!request_met(vm, park) && !vm_stopping(vm) && !ret)
		ret = -pthread_cond_timedwait(&p->done, &p->lock, &deadline);
	if (vm_stopping(vm))
		ret = err_set(e, ESHUTDOWN, "the VM is stopping");
	else if (ret)
		ret = err_set(e, ETIMEDOUT, "only %u of %u vCPUs answered within %d ms",
			      park ? p->nr_parked : p->nr_done, vm->nr_vcpus, PARK_TIMEOUT_MS);
	p->fn = NULL;	/* a late vCPU must not touch arg: it is the caller's */
	if (ret && park)
		p->paused = false;
	__atomic_store_n(&p->pending, p->paused, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return ret;
}

int vm_vcpus_run(struct vm *vm, void (*fn)(struct vcpu *, void *), void *arg,
		 struct err_msg *e)
{
	int ret;

	pthread_mutex_lock(&vm->park.req_lock);
	ret = request(vm, fn, arg, false, e);
	pthread_mutex_unlock(&vm->park.req_lock);
	return ret;
}

static void vcpu_paused(struct vcpu *vcpu, void *arg)
{
	(void)arg;
	arch_vcpu_pause(vcpu);
}

bool vm_paused(struct vm *vm)
{
	bool paused;

	pthread_mutex_lock(&vm->park.lock);
	paused = vm->park.paused;
	pthread_mutex_unlock(&vm->park.lock);
	return paused;
}

int vm_pause(struct vm *vm, struct err_msg *e)
{
	int ret = 0;

	pthread_mutex_lock(&vm->park.req_lock);
	if (!vm_paused(vm)) {
		ret = request(vm, vcpu_paused, NULL, true, e);
		/* Every vCPU is parked: the clock read now is where the guest stopped. */
		if (!ret)
			vm->park.arch_state = arch_vm_pause(vm);
	}
	pthread_mutex_unlock(&vm->park.req_lock);
	return ret;
}

int vm_resume(struct vm *vm, struct err_msg *e)
{
	struct vm_park *p = &vm->park;
	int ret = 0;

	pthread_mutex_lock(&p->req_lock);
	if (vm_paused(vm)) {
		ret = arch_vm_resume(vm, p->arch_state, e);
		pthread_mutex_lock(&p->lock);
		p->paused = false;
		__atomic_store_n(&p->pending, false, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&p->wake);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&p->req_lock);
	return ret;
}
