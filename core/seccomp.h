/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SECCOMP_H
#define LKVM_SECCOMP_H

#include <pthread.h>

#include "util.h"

/*
 * System call allow-lists, one per kind of thread, installed by each
 * thread on itself once its set-up is done (docs/security.md). A system
 * call outside its thread's list ends the whole process at once with one
 * line on stderr and this status: 128 + SIGSYS, what a shell reports for
 * a process the kernel killed with SIGSYS, so the status is the same even
 * if the line could not be written.
 */
#define SECCOMP_EXIT_STATUS	159

enum seccomp_type {
	SECCOMP_MAIN,		/* waits for the VM to stop, then tears it down */
	SECCOMP_VCPU,		/* KVM_RUN and the exits it dispatches */
	SECCOMP_EVENT_LOOP,	/* device I/O: queues, networking, control socket, terminal */
	SECCOMP_DISK_IO,	/* io=sync disk workers: reads, writes, flushes */
	SECCOMP_9P,		/* a 9p share's server: file system calls */
	SECCOMP_NR_TYPES,
};

/* Which filter a thread gets, and the fds its KVM ioctls are narrowed to. */
struct seccomp_target {
	enum seccomp_type type;
	int vm_fd;		/* VM ioctls only on this fd; -1: none */
	int vcpu_fd;		/* vCPU ioctls only on this fd; -1: none */
};

/* "a vCPU", "the event loop", ...: for messages. */
const char *seccomp_type_name(enum seccomp_type type);

/*
 * Whether this kernel can filter system calls; without it lkvm refuses to
 * start rather than run unfiltered (-ENOSYS, e says to use --no-seccomp).
 */
int seccomp_check(struct err_msg *e);

/*
 * Installs t's allow-list on the calling thread: 0, or -errno and the
 * thread is unfiltered. Filters stack: a thread this one creates later
 * inherits it, and a second call can only narrow what is allowed.
 */
int seccomp_install(const struct seccomp_target *t);

/*
 * pthread_create() for a thread that must be filtered before it runs
 * fn: returns once the new thread has installed t's filter (0), or when
 * it could not and has ended (-errno, the thread joined). With t NULL
 * (--no-seccomp) it is plain pthread_create().
 */
int seccomp_thread_create(pthread_t *thread, const struct seccomp_target *t,
			  void *(*fn)(void *), void *arg);

#endif
