/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_EVENT_LOOP_H
#define LKVM_EVENT_LOOP_H

#include <pthread.h>

#include "seccomp.h"
#include "util.h"

/* One watched fd; the owner embeds it and keeps it alive while registered. */
struct event_handler {
	int fd;
	void (*fn)(struct event_handler *h, u32 events);
	void *opaque;
};

/* A thread that serves device I/O so that vCPU threads never wait on it. */
struct event_loop {
	int epfd;
	int wake_fd;
	pthread_t thread;
	bool running;
	bool quit;
};

int event_loop_init(struct event_loop *l);
int event_loop_add(struct event_loop *l, struct event_handler *h, u32 events);
int event_loop_del(struct event_loop *l, struct event_handler *h);
/* Starts the loop's thread, filtered by t before it serves anything (NULL: unfiltered). */
int event_loop_start(struct event_loop *l, const struct seccomp_target *t);
void event_loop_stop(struct event_loop *l);
void event_loop_destroy(struct event_loop *l);

#endif
