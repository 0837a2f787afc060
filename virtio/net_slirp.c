// SPDX-License-Identifier: GPL-2.0
/*
 * User-mode networking with libslirp: the guest sees 10.0.2.0/24, DHCP
 * hands out 10.0.2.15, the gateway 10.0.2.2 reaches this host's 127.0.0.1
 * and 10.0.2.3 forwards DNS. Slirp is poll-based; here it runs in lkvm's
 * event loop: after each round its sockets are mirrored into a private
 * epoll set (one fd in the loop) and its next deadline into a timerfd.
 * Every slirp call is made on the event-loop thread with the device lock held.
 *
 * Slirp takes plain frames, so the guest's offloads end here: partial
 * checksums are finished, TSO and USO frames segmented and UFO datagrams
 * cut into IPv4 fragments, which slirp reassembles (net_hdr.c), before
 * slirp_input; that costs far less than the guest sending every
 * MSS-sized frame through the queue on its own. IPv6 UFO would need
 * fragments slirp cannot reassemble (nor does lkvm enable its IPv6): such
 * frames are dropped and counted. What slirp sends is checksummed
 * already, which the guest is told if it asked (DATA_VALID).
 *
 * libslirp, and the glib it needs, are loaded with dlopen when a VM asks
 * for user-mode networking: linked in, they cost every lkvm process about
 * 1 MiB resident and the dynamic loader's time at each start.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <libslirp.h>

#include "../core/vm.h"
#include "net.h"

#define SLIRP_NET		"10.0.2.0"
#define SLIRP_MASK		"255.255.255.0"
#define SLIRP_HOST		"10.0.2.2"
#define SLIRP_DHCP_START	"10.0.2.15"
#define SLIRP_DNS		"10.0.2.3"

#define SLIRP_SONAME		"libslirp.so.0"

/* The libslirp calls lkvm makes, typed from libslirp.h. */
#define SLIRP_FN(name)		__typeof__(slirp_##name) *name
struct slirp_lib {
	void *handle;
	SLIRP_FN(new);
	SLIRP_FN(cleanup);
	SLIRP_FN(input);
	SLIRP_FN(pollfds_fill);
	SLIRP_FN(pollfds_poll);
	SLIRP_FN(handle_timer);
	SLIRP_FN(add_hostfwd);
};

struct slirp_timer {
	struct slirp_timer *next;
	SlirpTimerId id;
	void *cb_opaque;
	s64 expire_ms;			/* -1: not armed */
};

struct slirp_be {
	struct net_backend *be;
	struct slirp_lib lib;
	Slirp *slirp;
	bool paused;			/* the guest has no RX buffers: leave the sockets alone */

	struct pollfd *pfds;		/* this round's sockets, from slirp_pollfds_fill */
	unsigned int nr_pfds, cap_pfds;
	struct pollfd *watched;		/* what the epoll set holds now */
	unsigned int nr_watched, cap_watched;

	int epfd;
	struct event_handler sock_ev;
	int timer_fd;
	struct event_handler timer_ev;
	struct slirp_timer *timers;

	/* Guest frames dropped before slirp: for a debugger, nothing reports them yet. */
	u64 tx_malformed;		/* their header or headers did not parse */
	u64 tx_unsupported;		/* an offload lkvm does not carry out (IPv6 UFO) */
};

static s64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (s64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	static const struct virtio_net_hdr_v1 checked = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	struct slirp_be *s = opaque;

	if (!net_rx_frame(s->be->net, &checked, buf, len))
		s->paused = true;
	return len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	/* A malformed packet from the guest: slirp drops it; nothing to tell the user. */
	(void)msg;
	(void)opaque;
}

static int64_t cb_clock_get_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct slirp_be *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct slirp_be *s = opaque;
	struct slirp_timer **p;

	for (p = &s->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct slirp_timer *t = timer;

	(void)opaque;
	if (t)
		t->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
	/* Sockets are picked up from slirp_pollfds_fill each round. */
	(void)fd;
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque;	/* only guestfwd uses this; lkvm sets none up */
}

static const SlirpCb slirp_cbs = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_register_poll_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct slirp_be *s = opaque;
	struct pollfd *p;
	short ev = 0;

	if (s->nr_pfds == s->cap_pfds) {
		unsigned int cap = s->cap_pfds ? 2 * s->cap_pfds : 32;

		p = realloc(s->pfds, cap * sizeof(*p));
		if (!p)
			return -1;	/* slirp treats a negative index as "not polled" */
		s->pfds = p;
		s->cap_pfds = cap;
	}
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	s->pfds[s->nr_pfds] = (struct pollfd){ .fd = fd, .events = ev };
	return s->nr_pfds++;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct slirp_be *s = opaque;
	short r;
	int ev = 0;

	if (idx < 0 || (unsigned int)idx >= s->nr_pfds)
		return 0;
	r = s->pfds[idx].revents;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static u32 epoll_events(short ev)
{
	return (ev & POLLIN ? EPOLLIN : 0) | (ev & POLLOUT ? EPOLLOUT : 0) |
	       (ev & POLLPRI ? EPOLLPRI : 0);
}

static const struct pollfd *find_fd(const struct pollfd *set, unsigned int n, int fd)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i].fd == fd)
			return &set[i];
	return NULL;
}

/* Makes the epoll set hold exactly this round's sockets (none while paused). */
static void sync_epoll(struct slirp_be *s)
{
	unsigned int i, n = s->paused ? 0 : s->nr_pfds;
	const struct pollfd *old;
	struct epoll_event ev;

	for (i = 0; i < s->nr_watched; i++)
		if (!find_fd(s->pfds, n, s->watched[i].fd))
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->watched[i].fd, NULL);
	for (i = 0; i < n; i++) {
		old = find_fd(s->watched, s->nr_watched, s->pfds[i].fd);
		ev = (struct epoll_event){ .events = epoll_events(s->pfds[i].events),
					   .data.fd = s->pfds[i].fd };
		if (!old)
			epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->pfds[i].fd, &ev);
		else if (old->events != s->pfds[i].events)
			epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->pfds[i].fd, &ev);
	}
	if (s->cap_watched < n) {
		struct pollfd *w = realloc(s->watched, n * sizeof(*w));

		if (!w) {
			s->nr_watched = 0;
			return;
		}
		s->watched = w;
		s->cap_watched = n;
	}
	if (n)
		memcpy(s->watched, s->pfds, n * sizeof(*s->watched));
	s->nr_watched = n;
}

static void arm_timer(struct slirp_be *s, u32 timeout_ms)
{
	struct itimerspec its = { 0 };
	struct slirp_timer *t;
	s64 now = now_ms(), next = timeout_ms == UINT32_MAX ? -1 : now + timeout_ms;

	for (t = s->timers; t; t = t->next)
		if (t->expire_ms >= 0 && (next < 0 || t->expire_ms < next))
			next = t->expire_ms;
	if (next >= 0) {
		next = MAX(next - now, 1);	/* 0 would disarm the timerfd */
		its.it_value.tv_sec = next / 1000;
		its.it_value.tv_nsec = (next % 1000) * 1000000;
	}
	timerfd_settime(s->timer_fd, 0, &its, NULL);
}

static void run_timers(struct slirp_be *s)
{
	struct slirp_timer *t;
	s64 now = now_ms();

restart:
	for (t = s->timers; t; t = t->next) {
		if (t->expire_ms >= 0 && t->expire_ms <= now) {
			t->expire_ms = -1;
			/* The callback may re-arm or free timers: walk again. */
			s->lib.handle_timer(s->slirp, t->id, t->cb_opaque);
			goto restart;
		}
	}
}

/* One slirp round: serve ready sockets and due timers, then watch what slirp wants next. */
static void slirp_pump(struct slirp_be *s)
{
	u32 timeout = UINT32_MAX;
	int ret = 0;

	if (!s->paused) {
		ret = poll(s->pfds, s->nr_pfds, 0);
		s->lib.pollfds_poll(s->slirp, ret < 0, cb_get_revents, s);
	}
	run_timers(s);
	s->nr_pfds = 0;
	s->lib.pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
	sync_epoll(s);
	arm_timer(s, timeout);
}

static void sock_ready(struct event_handler *h, u32 events)
{
	struct slirp_be *s = h->opaque;

	(void)events;
	net_lock(s->be->net);
	slirp_pump(s);
	net_unlock(s->be->net);
}

static void timer_ready(struct event_handler *h, u32 events)
{
	struct slirp_be *s = h->opaque;
	u64 n;

	(void)events;
	if (read(s->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	net_lock(s->be->net);
	slirp_pump(s);
	net_unlock(s->be->net);
}

static void slirp_emit(void *opaque, const u8 *frame, size_t len)
{
	struct slirp_be *s = opaque;

	s->lib.input(s->slirp, frame, len);
}

static void slirp_be_send(struct net_backend *be, const struct virtio_net_hdr_v1 *hdr,
			  u8 *frame, size_t len)
{
	struct slirp_be *s = be->priv;
	int ret;

	/* A frame whose header does not parse is dropped, as a wire would. */
	ret = net_hdr_to_plain(hdr, frame, len, slirp_emit, s);
	if (ret == -EOPNOTSUPP)
		s->tx_unsupported++;
	else if (ret)
		s->tx_malformed++;
}

static void slirp_be_flush(struct net_backend *be)
{
	/* New connections made by the guest's frames need watching now. */
	slirp_pump(be->priv);
}

static void slirp_be_rx_resume(struct net_backend *be)
{
	struct slirp_be *s = be->priv;

	s->paused = false;
	slirp_pump(s);
}

static void slirp_be_close(struct net_backend *be)
{
	struct slirp_be *s = be->priv;
	struct slirp_timer *t;

	if (s->slirp)
		s->lib.cleanup(s->slirp);
	while (s->timers) {
		t = s->timers;
		s->timers = t->next;
		free(t);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	free(s->pfds);
	free(s->watched);
	free(s);
	be->priv = NULL;
}

static const struct net_backend_ops slirp_ops = {
	.send = slirp_be_send,
	.flush = slirp_be_flush,
	.rx_resume = slirp_be_rx_resume,
	.close = slirp_be_close,
};

static struct in_addr addr(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static int add_hostfwds(struct slirp_be *s, const struct net_config *c, struct err_msg *e)
{
	char host[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < c->nr_fwd; i++) {
		const struct net_hostfwd *f = &c->fwd[i];
		struct in_addr h = { .s_addr = f->host_addr }, g = { .s_addr = f->guest_addr };

		if (!g.s_addr)
			g = addr(SLIRP_DHCP_START);
		if (s->lib.add_hostfwd(s->slirp, f->udp, h, f->host_port, g, f->guest_port) < 0) {
			inet_ntop(AF_INET, &h, host, sizeof(host));
			return err_usage(e, "hostfwd %s:%s:%u: cannot listen there (in use, or a privileged port); pick another host port",
					 f->udp ? "udp" : "tcp", host, f->host_port);
		}
	}
	return 0;
}

/*
 * Loaded once per backend (dlopen counts references) and never closed: the
 * library's destructors would then run under the seccomp filters.
 */
static int slirp_lib_load(struct slirp_lib *l, struct err_msg *e)
{
	const char *missing = NULL;

	l->handle = dlopen(SLIRP_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!l->handle)
		return err_set(e, ENOENT, "-n mode=user needs libslirp (%s), which did not load: %s; install libslirp0 or use mode=tap",
			       SLIRP_SONAME, dlerror());
#define SLIRP_SYM(name) \
	do { \
		l->name = dlsym(l->handle, "slirp_" #name); \
		if (!l->name && !missing) \
			missing = "slirp_" #name; \
	} while (0)
	SLIRP_SYM(new);
	SLIRP_SYM(cleanup);
	SLIRP_SYM(input);
	SLIRP_SYM(pollfds_fill);
	SLIRP_SYM(pollfds_poll);
	SLIRP_SYM(handle_timer);
	SLIRP_SYM(add_hostfwd);
#undef SLIRP_SYM
	if (missing)
		return err_set(e, ENOSYS, "%s has no %s; -n mode=user needs libslirp 4.7 or later",
			       SLIRP_SONAME, missing);
	return 0;
}

static int slirp_start(struct slirp_be *s, const struct net_config *c, struct err_msg *e)
{
	SlirpConfig cfg = {
		.version = 4,
		.in_enabled = true,
		.vnetwork = addr(SLIRP_NET),
		.vnetmask = addr(SLIRP_MASK),
		.vhost = addr(SLIRP_HOST),
		.vhostname = "lkvm",
		.vdhcp_start = addr(SLIRP_DHCP_START),
		.vnameserver = addr(SLIRP_DNS),
	};

	s->slirp = s->lib.new(&cfg, &slirp_cbs, s);
	if (!s->slirp)
		return err_set(e, ENOMEM, "user-mode networking: libslirp did not start");
	return add_hostfwds(s, c, e);
}

static int watch(struct slirp_be *s, struct vm *vm, struct err_msg *e)
{
	int ret;

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->epfd < 0 || s->timer_fd < 0)
		return err_set(e, errno, "user-mode networking: %s", strerror(errno));
	s->sock_ev = (struct event_handler){ .fd = s->epfd, .fn = sock_ready, .opaque = s };
	s->timer_ev = (struct event_handler){ .fd = s->timer_fd, .fn = timer_ready, .opaque = s };
	ret = event_loop_add(&vm->loop, &s->sock_ev, EPOLLIN);
	if (!ret)
		ret = event_loop_add(&vm->loop, &s->timer_ev, EPOLLIN);
	if (ret)
		return err_set(e, ret, "user-mode networking: cannot watch its sockets");
	return 0;
}

int net_slirp_open(struct net_backend *be, const struct net_config *c, struct err_msg *e)
{
	struct slirp_be *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return err_set(e, ENOMEM, "out of memory for user-mode networking");
	s->be = be;
	s->epfd = s->timer_fd = -1;
	be->priv = s;
	be->ops = &slirp_ops;
	be->offloads = (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_HOST_TSO4) |
		       (1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_HOST_ECN) |
		       (1ULL << VIRTIO_NET_F_HOST_UFO) | (1ULL << VIRTIO_NET_F_HOST_USO) |
		       (1ULL << VIRTIO_NET_F_GUEST_CSUM);
	ret = slirp_lib_load(&s->lib, e);
	if (!ret)
		ret = watch(s, be->vm, e);
	if (!ret)
		ret = slirp_start(s, c, e);
	if (!ret) {
		/* Hostfwd listeners are sockets too: watch them from the start. */
		slirp_pump(s);
		return 0;
	}
	event_loop_del(&be->vm->loop, &s->sock_ev);
	event_loop_del(&be->vm->loop, &s->timer_ev);
	slirp_be_close(be);
	return ret;
}
