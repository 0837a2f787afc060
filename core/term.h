/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_TERM_H
#define LKVM_TERM_H

#include <termios.h>

#include "event_loop.h"
#include "util.h"

struct vm;

/*
 * The user's terminal, as the guest console's other end. Input goes to one
 * sink (the console device); Ctrl-a x ends the VM, Ctrl-a Ctrl-a sends Ctrl-a.
 */
struct term {
	int in_fd;
	int out_fd;
	bool raw;
	bool escape;
	struct termios saved;
	struct event_handler in;
	pthread_mutex_t out_lock;
	void (*sink)(void *opaque, const u8 *buf, size_t len);
	void *sink_opaque;
	struct vm *vm;
};

int term_init(struct term *t, struct vm *vm, int in_fd, int out_fd);
int term_start(struct term *t, struct event_loop *loop);
void term_set_sink(struct term *t, void (*sink)(void *, const u8 *, size_t), void *opaque);
void term_write(struct term *t, const void *buf, size_t len);
void term_restore(struct term *t);

#endif
