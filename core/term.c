// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "term.h"
#include "vm.h"

#define TERM_ESCAPE	0x01	/* Ctrl-a */

int term_init(struct term *t, struct vm *vm, int in_fd, int out_fd)
{
	memset(t, 0, sizeof(*t));
	t->in_fd = in_fd;
	t->out_fd = out_fd;
	t->vm = vm;
	pthread_mutex_init(&t->out_lock, NULL);
	return 0;
}

void term_set_sink(struct term *t, void (*sink)(void *, const u8 *, size_t), void *opaque)
{
	t->sink = sink;
	t->sink_opaque = opaque;
}

static void term_deliver(struct term *t, const u8 *buf, size_t len)
{
	if (t->sink && len)
		t->sink(t->sink_opaque, buf, len);
}

/* Strips the escape sequences out of buf, acting on them, and passes the rest on. */
static void term_filter(struct term *t, u8 *buf, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (!t->escape) {
			if (buf[i] == TERM_ESCAPE && t->raw) {
				term_deliver(t, buf + start, i - start);
				t->escape = true;
				start = i + 1;
			}
			continue;
		}
		t->escape = false;
		if (buf[i] == 'x') {
			vm_stop(t->vm, 0, "the console asked to quit (Ctrl-a x)");
			return;
		}
		/* Ctrl-a Ctrl-a (or anything else) goes to the guest as typed. */
		start = i;
	}
	term_deliver(t, buf + start, len - start);
}

static void term_readable(struct event_handler *h, u32 events)
{
	struct term *t = h->opaque;
	u8 buf[256];
	ssize_t n;

	n = read(t->in_fd, buf, sizeof(buf));
	if (n > 0) {
		term_filter(t, buf, n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF or error on input (e.g. stdin is /dev/null): stop watching it. */
	(void)events;
	event_loop_del(&t->vm->loop, h);
}

int term_start(struct term *t, struct event_loop *loop)
{
	struct termios raw;

	if (isatty(t->in_fd) && !tcgetattr(t->in_fd, &t->saved)) {
		raw = t->saved;
		cfmakeraw(&raw);
		if (!tcsetattr(t->in_fd, TCSANOW, &raw))
			t->raw = true;
	}
	t->in = (struct event_handler){
		.fd = t->in_fd, .fn = term_readable, .opaque = t,
	};
	/* stdin may be a regular file or closed; then the guest just gets no input. */
	if (event_loop_add(loop, &t->in, EPOLLIN))
		t->in.fd = -1;
	return 0;
}

void term_write(struct term *t, const void *buf, size_t len)
{
	const u8 *p = buf;

	pthread_mutex_lock(&t->out_lock);
	while (len) {
		ssize_t n = write(t->out_fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* output gone: the guest keeps running regardless */
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&t->out_lock);
}

void term_restore(struct term *t)
{
	if (!t->raw)
		return;
	tcsetattr(t->in_fd, TCSANOW, &t->saved);
	t->raw = false;
}
