// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's side of the control socket: a listening UNIX socket served on
 * the event loop thread. Reads never block and a line is capped, so a
 * client that sends garbage, floods, or hangs up mid-line only loses its
 * own connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "control.h"
#include "../virtio/balloon.h"
#include "vm.h"

#define CONTROL_MAX_CLIENTS	8
#define CONTROL_DUMP_LEN	2048	/* text per vCPU */

struct control_client {
	struct event_handler h;
	struct control *ctl;
	char *buf;			/* CONTROL_LINE_MAX + 1 bytes */
	size_t len;
};

struct control {
	struct vm *vm;
	struct event_handler listen;
	bool started;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

int control_dir(char *buf, size_t len, bool create, struct err_msg *e)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *home = getenv("HOME");
	struct stat st;

	if (xdg && *xdg)
		snprintf(buf, len, "%s/lkvm", xdg);
	else if (home && *home)
		snprintf(buf, len, "%s/.lkvm", home);
	else
		return err_usage(e, "neither XDG_RUNTIME_DIR nor HOME is set; set one so that lkvm can keep its control sockets");
	if (create && mkdir(buf, 0700) && errno != EEXIST)
		return err_set(e, errno, "cannot create %s: %s", buf, strerror(errno));
	if (stat(buf, &st))
		return create ? err_set(e, errno, "%s: %s", buf, strerror(errno)) : -errno;
	if (!S_ISDIR(st.st_mode))
		return err_usage(e, "%s is not a directory; remove it so that lkvm can keep its control sockets there",
				 buf);
	return 0;
}

int control_sock_path(const char *dir, const char *name, char *buf, size_t len,
		      struct err_msg *e)
{
	size_t max = MIN(len, sizeof(((struct sockaddr_un *)0)->sun_path));

	if ((size_t)snprintf(buf, max, "%s/%s.sock", dir, name) >= max)
		return err_usage(e, "--name %s: the socket path %s/%s.sock is too long for a UNIX socket; use a shorter name or XDG_RUNTIME_DIR",
				 name, dir, name);
	return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int control_connect(const char *path, int *fd)
{
	struct sockaddr_un sa;
	int s, ret;

	ret = unix_addr(path, &sa);
	if (ret)
		return ret;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(s);
		/* Nobody listens: the VM that made it died without cleaning up. */
		if (ret == -ECONNREFUSED)
			unlink(path);
		return ret;
	}
	*fd = s;
	return 0;
}

static void client_close(struct control_client *c)
{
	if (c->h.fd < 0)
		return;
	if (c->ctl->started)
		event_loop_del(&c->ctl->vm->loop, &c->h);
	close(c->h.fd);
	c->h.fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = 0;
}

/* A reply that does not fit the socket's buffer ends the connection: clients must read. */
static bool client_send(struct control_client *c, char *line)
{
	size_t n = line ? strlen(line) : 0;
	bool ok = line && send(c->h.fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n;

	free(line);
	return ok;
}

static char *reply_err(const struct err_msg *e)
{
	return control_render_error(e->text);
}

static char *do_info(struct vm *vm)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(vm->cfg.name));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "state", json_object_new_string(vm_paused(vm) ? "paused" : "running"));
	json_object_object_add(o, "cpus", json_object_new_int(vm->nr_vcpus));
	json_object_object_add(o, "mem_mib", json_object_new_int64(vm->cfg.mem_mib));
	json_object_object_add(o, "arch", json_object_new_string(LKVM_ARCH));
	return control_render_ok(o);
}

static char *ok_state(struct vm *vm)
{
	struct json_object *o = json_object_new_object();

	if (o)
		json_object_object_add(o, "state",
				       json_object_new_string(vm_paused(vm) ? "paused" : "running"));
	return control_render_ok(o);
}

static void dump_vcpu(struct vcpu *vcpu, void *arg)
{
	char *bufs = arg;

	arch_vcpu_dump(vcpu, bufs + (size_t)vcpu->id * CONTROL_DUMP_LEN, CONTROL_DUMP_LEN);
}

static char *do_dump(struct vm *vm)
{
	struct err_msg e = { 0 };
	struct json_object *o, *arr, *one;
	char *bufs = calloc(vm->nr_vcpus, CONTROL_DUMP_LEN);
	unsigned int i;

	if (!bufs)
		return control_render_error("out of memory");
	if (vm_vcpus_run(vm, dump_vcpu, bufs, &e)) {
		free(bufs);
		return reply_err(&e);
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; o && arr && i < vm->nr_vcpus; i++) {
		one = json_object_new_object();
		json_object_object_add(one, "id", json_object_new_int(i));
		json_object_object_add(one, "regs",
				       json_object_new_string(bufs + (size_t)i * CONTROL_DUMP_LEN));
		json_object_array_add(arr, one);
	}
	free(bufs);
	if (o)
		json_object_object_add(o, "vcpus", arr);
	return control_render_ok(o);
}

static void nmi_vcpu(struct vcpu *vcpu, void *arg)
{
	int *err = arg, ret = arch_vcpu_nmi(vcpu);

	if (ret && !*err)
		*err = ret;
}

static char *do_nmi(struct vm *vm)
{
	struct err_msg e = { 0 };
	int err = 0;

	if (vm_vcpus_run(vm, nmi_vcpu, &err, &e))
		return reply_err(&e);
	if (err == -EOPNOTSUPP)
		return control_render_error("this architecture has no NMI to inject (x86 only)");
	if (err)
		err_set(&e, -err, "KVM_NMI failed: %s", strerror(-err));
	return err ? reply_err(&e) : control_render_ok(NULL);
}

#define NO_BALLOON	"this VM has no balloon device; start it with --balloon"

static char *balloon_state(struct vm *vm)
{
	struct json_object *o = json_object_new_object();
	u64 target, actual;

	virtio_balloon_info(vm->balloon, &target, &actual);
	if (o) {
		json_object_object_add(o, "balloon_target_mib", json_object_new_int64(target));
		json_object_object_add(o, "balloon_actual_mib", json_object_new_int64(actual));
	}
	return control_render_ok(o);
}

/* Inflating takes memory from the guest (delta > 0); deflating gives it back. */
static char *do_balloon(struct vm *vm, s64 delta)
{
	u64 target, actual;
	s64 want;

	if (!vm->balloon)
		return control_render_error(NO_BALLOON);
	virtio_balloon_info(vm->balloon, &target, &actual);
	want = (s64)target + delta;
	if (want < 0)
		want = 0;
	if (virtio_balloon_set_target(vm->balloon, want)) {
		char msg[160];

		snprintf(msg, sizeof(msg), "a %lld MiB balloon would not leave the guest any of its %llu MiB; inflate less",
			 (long long)want, (unsigned long long)vm->cfg.mem_mib);
		return control_render_error(msg);
	}
	return balloon_state(vm);
}

static void add_stat(struct json_object *o, const struct balloon_stats *st, int bit,
		     const char *key, u64 v)
{
	if (st->valid & (1u << bit))
		json_object_object_add(o, key, json_object_new_int64(v));
}

/* The guest's memory statistics, fresh if it answers within a second. */
static char *do_stat(struct vm *vm)
{
	struct balloon_stats st = { 0 };
	struct json_object *o;
	u64 target, actual;
	int ret;

	if (!vm->balloon)
		return control_render_error(NO_BALLOON);
	ret = virtio_balloon_stats(vm->balloon, &st, 1000);
	virtio_balloon_info(vm->balloon, &target, &actual);
	o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "fresh", json_object_new_boolean(!ret));
	json_object_object_add(o, "balloon_target_mib", json_object_new_int64(target));
	json_object_object_add(o, "balloon_actual_mib", json_object_new_int64(actual));
	add_stat(o, &st, BALLOON_STAT_TOTAL_MEMORY, "total_memory", st.total_memory);
	add_stat(o, &st, BALLOON_STAT_FREE_MEMORY, "free_memory", st.free_memory);
	add_stat(o, &st, BALLOON_STAT_AVAILABLE_MEMORY, "available_memory", st.available_memory);
	add_stat(o, &st, BALLOON_STAT_DISK_CACHES, "disk_caches", st.disk_caches);
	add_stat(o, &st, BALLOON_STAT_SWAP_IN, "swap_in", st.swap_in);
	add_stat(o, &st, BALLOON_STAT_SWAP_OUT, "swap_out", st.swap_out);
	add_stat(o, &st, BALLOON_STAT_MAJOR_FAULTS, "major_faults", st.major_faults);
	add_stat(o, &st, BALLOON_STAT_MINOR_FAULTS, "minor_faults", st.minor_faults);
	add_stat(o, &st, BALLOON_STAT_HUGETLB_ALLOCATIONS, "hugetlb_allocations",
		 st.hugetlb_allocations);
	add_stat(o, &st, BALLOON_STAT_HUGETLB_FAILURES, "hugetlb_failures", st.hugetlb_failures);
	return control_render_ok(o);
}

static char *handle(struct vm *vm, const struct control_req *req)
{
	struct err_msg e = { 0 };

	switch (req->cmd) {
	case CONTROL_INFO:
		return do_info(vm);
	case CONTROL_STOP:
		vm_stop(vm, VM_EXIT_OK, "stopped by 'lkvm stop'");
		return control_render_ok(NULL);
	case CONTROL_PAUSE:
		return vm_pause(vm, &e) ? reply_err(&e) : ok_state(vm);
	case CONTROL_RESUME:
		return vm_resume(vm, &e) ? reply_err(&e) : ok_state(vm);
	case CONTROL_DUMP:
		return do_dump(vm);
	case CONTROL_NMI:
		return do_nmi(vm);
	case CONTROL_SYSRQ:
		return arch_console_sysrq(vm, req->key, &e) ? reply_err(&e) : control_render_ok(NULL);
	case CONTROL_BALLOON:
		return do_balloon(vm, req->balloon_mib);
	case CONTROL_STAT:
		return do_stat(vm);
	default:
		return control_render_error("unknown request");
	}
}

static bool client_line(struct control_client *c, const char *line, size_t len)
{
	struct err_msg e = { 0 };
	struct control_req req;

	if (control_parse_request(line, len, &req, &e))
		return client_send(c, reply_err(&e));
	return client_send(c, handle(c->ctl->vm, &req));
}

/* Answers every complete line in the buffer; false when the client must go. */
static bool client_lines(struct control_client *c)
{
	char *nl;
	size_t n;

	while ((nl = memchr(c->buf, '\n', c->len))) {
		n = nl - c->buf;
		if (!client_line(c, c->buf, n))
			return false;
		memmove(c->buf, nl + 1, c->len - n - 1);
		c->len -= n + 1;
	}
	if (c->len > CONTROL_LINE_MAX) {
		client_send(c, control_render_error("line longer than 65536 bytes; closing"));
		return false;
	}
	return true;
}

static void client_ready(struct event_handler *h, u32 events)
{
	struct control_client *c = h->opaque;
	ssize_t n;

	(void)events;
	if (c->h.fd < 0)
		return;
	n = recv(c->h.fd, c->buf + c->len, CONTROL_LINE_MAX + 1 - c->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);	/* hung up, perhaps mid-line: the partial line is dropped */
		return;
	}
	c->len += n;
	if (!client_lines(c))
		client_close(c);
}

static struct control_client *free_slot(struct control *ctl)
{
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i].h.fd < 0)
			return &ctl->clients[i];
	return NULL;
}

static void accept_one(struct control *ctl, int fd)
{
	struct control_client *c = free_slot(ctl);

	if (c)
		c->buf = malloc(CONTROL_LINE_MAX + 1);
	if (!c || !c->buf) {
		struct control_client busy = { .h = { .fd = fd } };

		client_send(&busy, control_render_error("too many control clients; try again"));
		close(fd);
		return;
	}
	c->h.fd = fd;
	c->len = 0;
	if (event_loop_add(&ctl->vm->loop, &c->h, EPOLLIN))
		client_close(c);
}

static void listen_ready(struct event_handler *h, u32 events)
{
	struct control *ctl = h->opaque;
	int fd;

	(void)events;
	while ((fd = accept4(ctl->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		accept_one(ctl, fd);
}

/* The pid of the lkvm that listens on path, or 0 when none does. */
static pid_t live_owner(const char *path)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	int fd;

	if (control_connect(path, &fd))
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		cred.pid = -1;
	close(fd);
	return cred.pid;
}

/*
 * Binds a private name first and links it to NAME.sock once it listens:
 * link() never replaces a file, so two VMs cannot both take one name.
 */
static int publish(const char *tmp, const char *path, const char *name, struct err_msg *e)
{
	pid_t pid;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!link(tmp, path))
			return 0;
		if (errno != EEXIST)
			return err_set(e, errno, "cannot create %s: %s", path, strerror(errno));
		pid = live_owner(path);
		if (pid)
			return err_usage(e, "--name %s: a VM with this name is already running (pid %d); pick another name",
					 name, (int)pid);
	}
	return err_set(e, EEXIST, "%s keeps reappearing; is another lkvm starting with --name %s?",
		       path, name);
}

static int listen_socket(struct control *ctl, const char *tmp, struct err_msg *e)
{
	struct sockaddr_un sa;
	int fd;

	if (unix_addr(tmp, &sa))
		return err_usage(e, "the socket path %s is too long; use a shorter --name", tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, errno, "cannot create the control socket: %s", strerror(errno));
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(tmp, 0600) || listen(fd, 8)) {
		int ret = err_set(e, errno,
				  "cannot listen on %s: %s; point XDG_RUNTIME_DIR at a writable directory",
				  tmp, strerror(errno));

		close(fd);
		unlink(tmp);
		return ret;
	}
	ctl->listen.fd = fd;
	return 0;
}

int control_open(struct vm *vm, struct err_msg *e)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	char dir[sizeof(ctl->path)], path[sizeof(ctl->path)], tmp[sizeof(ctl->path) + 32];
	unsigned int i;
	int ret;

	if (!ctl)
		return err_set(e, ENOMEM, "out of memory");
	vm->control = ctl;
	ctl->vm = vm;
	ctl->listen = (struct event_handler){ .fd = -1, .fn = listen_ready, .opaque = ctl };
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		ctl->clients[i] = (struct control_client){
			.h = { .fd = -1, .fn = client_ready, .opaque = &ctl->clients[i] },
			.ctl = ctl,
		};
	ret = control_dir(dir, sizeof(dir), true, e);
	if (!ret)
		ret = control_sock_path(dir, vm->cfg.name, path, sizeof(path), e);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	ret = listen_socket(ctl, tmp, e);
	if (ret)
		return ret;
	ret = publish(tmp, path, vm->cfg.name, e);
	unlink(tmp);
	if (!ret)
		strcpy(ctl->path, path);	/* ours now: removed on every exit */
	return ret;
}

void control_start(struct vm *vm)
{
	struct control *ctl = vm->control;

	if (ctl && ctl->listen.fd >= 0 && !event_loop_add(&vm->loop, &ctl->listen, EPOLLIN))
		ctl->started = true;
}

/* After the event loop has stopped: nothing serves the socket any more. */
void control_close(struct vm *vm)
{
	struct control *ctl = vm->control;
	unsigned int i;

	if (!ctl)
		return;
	ctl->started = false;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		client_close(&ctl->clients[i]);
	if (ctl->path[0])
		unlink(ctl->path);
	if (ctl->listen.fd >= 0)
		close(ctl->listen.fd);
	free(ctl);
	vm->control = NULL;
}
