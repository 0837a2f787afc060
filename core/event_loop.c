// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "event_loop.h"

int event_loop_init(struct event_loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN };

	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_fd < 0)
		goto err;
	/* data.ptr NULL marks the wake-up fd. */
	ev.data.ptr = NULL;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wake_fd, &ev))
		goto err_wake;
	return 0;
err_wake:
	close(l->wake_fd);
err:
	close(l->epfd);
	return -errno;
}

int event_loop_add(struct event_loop *l, struct event_handler *h, u32 events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, h->fd, &ev) ? -errno : 0;
}

int event_loop_del(struct event_loop *l, struct event_handler *h)
{
	return epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL) ? -errno : 0;
}

static void *event_loop_thread(void *arg)
{
	struct event_loop *l = arg;
	struct epoll_event evs[16];

	while (!__atomic_load_n(&l->quit, __ATOMIC_ACQUIRE)) {
		int i, n = epoll_wait(l->epfd, evs, ARRAY_SIZE(evs), -1);

		for (i = 0; i < n; i++) {
			struct event_handler *h = evs[i].data.ptr;

			if (h)
				h->fn(h, evs[i].events);
		}
	}
	return NULL;
}

int event_loop_start(struct event_loop *l, const struct seccomp_target *t)
{
	int ret = seccomp_thread_create(&l->thread, t, event_loop_thread, l);

	if (ret)
		return ret;
	l->running = true;
	return 0;
}

void event_loop_stop(struct event_loop *l)
{
	u64 one = 1;

	if (!l->running)
		return;
	__atomic_store_n(&l->quit, true, __ATOMIC_RELEASE);
	if (write(l->wake_fd, &one, sizeof(one)) < 0)
		return;
	pthread_join(l->thread, NULL);
	l->running = false;
}

void event_loop_destroy(struct event_loop *l)
{
	event_loop_stop(l);
	if (l->epfd > 0)
		close(l->epfd);
	if (l->wake_fd > 0)
		close(l->wake_fd);
	l->epfd = l->wake_fd = -1;
}
