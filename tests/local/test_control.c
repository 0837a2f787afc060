// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket of tiny payload VMs on the local /dev/kvm, each VM
 * running in a thread of this process: list, pause/resume, dump, stop,
 * SysRq, name clashes and stale sockets, and clients that misbehave.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/control.h"
#include "core/vm.h"

#define PAYLOAD_ADDR	0x1000
#define COUNTER_ADDR	0x2000
#define ECHO_PORT	0x11

/* 1000: inc dword [0x2000]; jmp 1000 -- every vCPU counts in guest RAM. */
static const u8 counter_payload[] = { 0x66, 0xff, 0x06, 0x00, 0x20, 0xeb, 0xf9 };

/*
 * Waits for the UART (0x3f8) to have data, then echoes LSR, RBR, LSR, RBR
 * to port 0x11: wait: in al,dx(0x3fd); test al,1; jz wait; out 0x11,al;
 * mov dx,0x3f8; in al,dx; out 0x11,al; mov dx,0x3fd; in al,dx; out 0x11,al;
 * mov dx,0x3f8; in al,dx; out 0x11,al; then powers off: mov al,0x34;
 * mov dx,0x600; out dx,al; jmp $
 */
static const u8 uart_payload[] = {
	0xba, 0xfd, 0x03, 0xec, 0xa8, 0x01, 0x74, 0xfb, 0xe6, 0x11,
	0xba, 0xf8, 0x03, 0xec, 0xe6, 0x11, 0xba, 0xfd, 0x03, 0xec, 0xe6, 0x11,
	0xba, 0xf8, 0x03, 0xec, 0xe6, 0x11, 0xb0, 0x34, 0xba, 0x00, 0x06, 0xee, 0xeb, 0xfe,
};

struct echo {
	u8 bytes[8];
	unsigned int n;
};

struct vm_thread {
	struct vm vm;
	pthread_t thread;
	int status;
	struct echo echo;
};

static void echo_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct echo *r = opaque;

	(void)offset;
	(void)len;
	if (r->n < ARRAY_SIZE(r->bytes))
		r->bytes[r->n++] = *(const u8 *)data;
}

static void echo_read(void *opaque, u64 offset, void *data, u32 len)
{
	(void)opaque;
	(void)offset;
	memset(data, 0, len);
}

static const struct io_ops echo_ops = { .read = echo_read, .write = echo_write };

static void *run_vm(void *arg)
{
	struct vm_thread *v = arg;
	struct err_msg e = { 0 };

	v->status = vm_run(&v->vm, &e);
	return NULL;
}

/* With the in-kernel irqchip: only vCPU 0 runs the payload, the others wait for a SIPI. */
static struct vm_thread *start_vm(const char *name, const u8 *code, size_t len, unsigned int cpus)
{
	struct vm_thread *v = calloc(1, sizeof(*v));
	char path[] = "/tmp/lkvm-payload-XXXXXX";
	struct vm_config cfg;
	struct err_msg e = { 0 };
	int fd = mkstemp(path), ret;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, code, len), (ssize_t)len);
	close(fd);
	config_init(&cfg);
	strcpy(cfg.name, name);
	cfg.kernel = path;
	cfg.mem_mib = 1;
	cfg.nr_cpus = cpus;
	cfg.raw_payload = true;
	cfg.raw_load_addr = PAYLOAD_ADDR;
	cfg.control = true;
	ret = vm_create(&v->vm, &cfg, &e);
	unlink(path);
	ck_assert_msg(ret == 0, "vm_create: %s", e.text);
	v->vm.term.in_fd = -1;
	v->vm.term.out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_eq(io_bus_register(&v->vm.pio, ECHO_PORT, 1, &echo_ops, &v->echo), 0);
	ck_assert_int_eq(pthread_create(&v->thread, NULL, run_vm, v), 0);
	return v;
}

static int join_vm(struct vm_thread *v)
{
	int status;

	pthread_join(v->thread, NULL);
	status = v->status;
	vm_destroy(&v->vm);
	free(v);
	return status;
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static u32 counter(struct vm_thread *v)
{
	return __atomic_load_n((u32 *)guest_ptr(&v->vm.mem, COUNTER_ADDR, 4), __ATOMIC_RELAXED);
}

/* The guest's counter passes from within 3 s (the host may be busy: 2 cores, other tests). */
static void assert_progress(struct vm_thread *v, u32 from)
{
	int i;

	for (i = 0; i < 300 && counter(v) == from; i++)
		msleep(10);
	ck_assert_msg(counter(v) != from, "the guest's counter stayed at %u for 3 s", from);
}

/* Sends one request to the VM called name; the reply must say ok. */
static struct json_object *call_ok(const char *name, enum control_cmd cmd)
{
	struct control_req req = { .cmd = cmd };
	struct json_object *r, *ok;
	struct err_msg e = { 0 };

	ck_assert_msg(!control_call(name, &req, &r, &e), "%s %s: %s", name,
		      control_cmd_name(cmd), e.text);
	ck_assert(json_object_object_get_ex(r, "ok", &ok));
	ck_assert_msg(json_object_get_boolean(ok), "%s: %s", control_cmd_name(cmd),
		      json_object_to_json_string(r));
	return r;
}

static void call(const char *name, enum control_cmd cmd)
{
	json_object_put(call_ok(name, cmd));
}

static void stop_vm(const char *name);

static const char *str_field(struct json_object *o, const char *k)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no %s", k);
	return json_object_get_string(v);
}

/* `lkvm list --json` as the CLI runs it, parsed. */
static struct json_object *list_json(void)
{
	char *argv[] = { "--json", NULL }, *text = NULL;
	struct err_msg e = { 0 };
	struct json_object *arr;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	ck_assert_int_eq(control_cli("list", 1, argv, out, &e), 0);
	fclose(out);
	arr = json_tokener_parse(text);
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s", text);
	free(text);
	return arr;
}

static void sock_path(const char *name, char *path, size_t len)
{
	char dir[108];
	struct err_msg e = { 0 };

	ck_assert_int_eq(control_dir(dir, sizeof(dir), false, &e), 0);
	ck_assert_int_eq(control_sock_path(dir, name, path, len, &e), 0);
}

START_TEST(test_list_two_vms)
{
	struct vm_thread *a = start_vm("alpha", counter_payload, sizeof(counter_payload), 1);
	struct vm_thread *b = start_vm("beta", counter_payload, sizeof(counter_payload), 2);
	struct json_object *arr, *vm;
	char path[108];
	struct stat st;

	msleep(50);
	arr = list_json();
	ck_assert_int_eq(json_object_array_length(arr), 2);
	vm = json_object_array_get_idx(arr, 0);
	ck_assert_str_eq(str_field(vm, "name"), "alpha");
	ck_assert_str_eq(str_field(vm, "state"), "running");
	ck_assert_str_eq(str_field(vm, "cpus"), "1");
	ck_assert_str_eq(str_field(vm, "mem_mib"), "1");
	ck_assert_int_eq(atoi(str_field(vm, "pid")), getpid());
	vm = json_object_array_get_idx(arr, 1);
	ck_assert_str_eq(str_field(vm, "name"), "beta");
	ck_assert_str_eq(str_field(vm, "cpus"), "2");
	json_object_put(arr);

	sock_path("alpha", path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	*strrchr(path, '/') = '\0';
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);

	stop_vm("alpha");
	stop_vm("beta");
	ck_assert_int_eq(join_vm(a), VM_EXIT_OK);
	ck_assert_int_eq(join_vm(b), VM_EXIT_OK);
	arr = list_json();
	ck_assert_int_eq(json_object_array_length(arr), 0);
	json_object_put(arr);
}
END_TEST

static u64 kvm_clock(struct vm *vm)
{
	struct kvm_clock_data c = { 0 };

	ck_assert_int_eq(ioctl(vm->vm_fd, KVM_GET_CLOCK, &c), 0);
	return c.clock;
}

START_TEST(test_pause_stops_progress)
{
	struct vm_thread *v = start_vm("counter", counter_payload, sizeof(counter_payload), 2);
	struct json_object *r;
	u32 c0, c1;
	u64 clk0, clk1;

	c0 = counter(v);
	assert_progress(v, c0);

	clk0 = kvm_clock(&v->vm);
	r = call_ok("counter", CONTROL_PAUSE);
	ck_assert_str_eq(str_field(r, "state"), "paused");
	json_object_put(r);
	c1 = counter(v);
	msleep(300);
	ck_assert_uint_eq(counter(v), c1);
	r = call_ok("counter", CONTROL_INFO);
	ck_assert_str_eq(str_field(r, "state"), "paused");
	json_object_put(r);
	call("counter", CONTROL_PAUSE);		/* pausing twice is fine */
	ck_assert_uint_eq(counter(v), c1);

	call("counter", CONTROL_RESUME);
	clk1 = kvm_clock(&v->vm);
	/* The guest's clock neither went back nor counted the 300 ms pause. */
	ck_assert_uint_ge(clk1, clk0);
	ck_assert_msg(clk1 - clk0 < 250000000ULL, "clock moved %llu ns across the pause",
		      (unsigned long long)(clk1 - clk0));
	assert_progress(v, c1);

	/* Stopping a paused VM works too. */
	call("counter", CONTROL_PAUSE);
	stop_vm("counter");
	ck_assert_int_eq(join_vm(v), VM_EXIT_OK);
}
END_TEST

START_TEST(test_dump_registers)
{
	struct vm_thread *v = start_vm("dumper", counter_payload, sizeof(counter_payload), 2);
	struct json_object *r, *arr;
	unsigned long long rip;
	const char *regs;
	size_t i;

	msleep(50);
	r = call_ok("dumper", CONTROL_DUMP);
	ck_assert(json_object_object_get_ex(r, "vcpus", &arr));
	ck_assert_int_eq(json_object_array_length(arr), 2);
	for (i = 0; i < 2; i++) {
		regs = str_field(json_object_array_get_idx(arr, i), "regs");
		ck_assert_msg(sscanf(regs, "rip %llx", &rip) == 1, "%s", regs);
		/* vCPU 1 waits for a SIPI at the reset vector. */
		ck_assert_msg(i ? rip == 0xfff0 :
			      rip >= PAYLOAD_ADDR && rip < PAYLOAD_ADDR + sizeof(counter_payload),
			      "vCPU %zu rip %llx", i, rip);
		ck_assert(strstr(regs, "cr0 "));
	}
	json_object_put(r);
	/* A dump of a paused VM works, and the VM stays paused. */
	call("dumper", CONTROL_PAUSE);
	json_object_put(call_ok("dumper", CONTROL_DUMP));
	ck_assert(vm_paused(&v->vm));
	stop_vm("dumper");
	ck_assert_int_eq(join_vm(v), VM_EXIT_OK);
}
END_TEST

static int raw_connect(const char *name)
{
	char path[108];
	int fd;

	sock_path(name, path, sizeof(path));
	ck_assert_int_eq(control_connect(path, &fd), 0);
	return fd;
}

static void send_str(int fd, const char *s, size_t len)
{
	ck_assert_int_eq(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

static char *recv_line(int fd)
{
	static char buf[4096];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(buf) - 1 && (r = recv(fd, buf + n, 1, 0)) == 1 && buf[n] != '\n')
		n++;
	buf[n] = '\0';
	return buf;
}

/*
 * "stop" without waiting for the connection to close, as control_call
 * does: in this process the VM is destroyed only by its join_vm.
 */
static void stop_vm(const char *name)
{
	int fd = raw_connect(name);

	send_str(fd, "{\"v\":1,\"cmd\":\"stop\"}\n", 22);
	ck_assert_str_eq(recv_line(fd), "{\"v\":1,\"ok\":true}");
	close(fd);
}

START_TEST(test_hostile_clients)
{
	struct vm_thread *v = start_vm("target", counter_payload, sizeof(counter_payload), 1);
	static const char garbage[] = "\x01\x02\xff{{{ not json\n";
	struct timeval tv = { .tv_sec = 5 };
	char *big = malloc(CONTROL_LINE_MAX + 100);
	int fd, fd2, i, fds[10];

	msleep(50);
	fd = raw_connect("target");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	send_str(fd, garbage, sizeof(garbage) - 1);
	ck_assert(strstr(recv_line(fd), "\"ok\":false"));
	/* The connection survives garbage: a good line still gets its answer. */
	send_str(fd, "{\"v\":1,\"cmd\":\"info\"}\n", 21);
	ck_assert(strstr(recv_line(fd), "\"state\":\"running\""));
	/* A line past the limit is refused and the connection closed. */
	memset(big, 'x', CONTROL_LINE_MAX + 100);
	send(fd, big, CONTROL_LINE_MAX + 100, MSG_NOSIGNAL);
	ck_assert(strstr(recv_line(fd), "longer than 65536"));
	ck_assert_int_le(recv(fd, big, 1, 0), 0);	/* EOF, or a reset: the rest was unread */
	close(fd);
	free(big);

	/* Half a request, then hang up. */
	fd2 = raw_connect("target");
	send_str(fd2, "{\"v\":1,\"cmd\":\"sto", 17);
	close(fd2);
	/* More clients than the VM serves: the extra ones are told and closed. */
	for (i = 0; i < 10; i++)
		fds[i] = raw_connect("target");
	msleep(50);
	for (i = 0; i < 10; i++)
		close(fds[i]);

	assert_progress(v, counter(v));
	json_object_put(call_ok("target", CONTROL_INFO));
	ck_assert(!vm_stopping(&v->vm));
	stop_vm("target");
	ck_assert_int_eq(join_vm(v), VM_EXIT_OK);
}
END_TEST

struct cli_stop {
	char *argv[2];
	char *text;
	size_t len;
	int status;
	bool vm_gone;		/* the VM was destroyed when 'lkvm stop' returned */
	bool *destroyed;
	struct err_msg e;
};

static void *run_stop(void *arg)
{
	struct cli_stop *c = arg;
	FILE *out = open_memstream(&c->text, &c->len);

	c->status = control_cli("stop", 2, c->argv, out, &c->e);
	c->vm_gone = __atomic_load_n(c->destroyed, __ATOMIC_ACQUIRE);
	fclose(out);
	return NULL;
}

START_TEST(test_stop_ends_vm)
{
	struct vm_thread *v = start_vm("stopme", counter_payload, sizeof(counter_payload), 1);
	bool destroyed = false;
	struct cli_stop c = { .argv = { "-n", "stopme" }, .destroyed = &destroyed };
	struct err_msg e = { 0 };
	char path[108], *text;
	pthread_t t;
	size_t len;
	FILE *out;

	msleep(50);
	sock_path("stopme", path, sizeof(path));
	ck_assert_int_eq(pthread_create(&t, NULL, run_stop, &c), 0);
	pthread_join(v->thread, NULL);
	ck_assert_int_eq(v->status, VM_EXIT_OK);
	ck_assert_str_eq(v->vm.exit_reason, "stopped by 'lkvm stop'");
	msleep(100);
	__atomic_store_n(&destroyed, true, __ATOMIC_RELEASE);
	vm_destroy(&v->vm);
	free(v);
	/* 'lkvm stop' returns only once the VM has closed its devices and its socket. */
	pthread_join(t, NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert(c.vm_gone);
	ck_assert_str_eq(c.text, "stopme: stopped\n");
	free(c.text);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* Now the name is unknown: a usage error. */
	out = open_memstream(&text, &len);
	ck_assert_int_eq(control_cli("stop", 2, c.argv, out, &e), 2);
	fclose(out);
	free(text);
	ck_assert_msg(strstr(e.text, "no VM named stopme is running"), "%s", e.text);
}
END_TEST

START_TEST(test_name_taken_and_stale_socket)
{
	struct vm_thread *v = start_vm("taken", counter_payload, sizeof(counter_payload), 1);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vm_config cfg;
	struct err_msg e = { 0 };
	char want[160];
	struct vm vm2;
	int fd;

	config_init(&cfg);
	strcpy(cfg.name, "taken");
	cfg.kernel = "/dev/null";
	cfg.mem_mib = 1;
	cfg.raw_payload = true;
	cfg.control = true;
	ck_assert_int_lt(vm_create(&vm2, &cfg, &e), 0);
	vm_destroy(&vm2);
	ck_assert(e.usage);
	snprintf(want, sizeof(want),
		 "--name taken: a VM with this name is already running (pid %d); pick another name",
		 (int)getpid());
	ck_assert_str_eq(e.text, want);
	stop_vm("taken");
	ck_assert_int_eq(join_vm(v), VM_EXIT_OK);

	/* A socket nobody listens on (its VM was killed) is taken over. */
	sock_path("stale", sa.sun_path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(access(sa.sun_path, F_OK), 0);
	v = start_vm("stale", counter_payload, sizeof(counter_payload), 1);
	msleep(20);
	json_object_put(call_ok("stale", CONTROL_INFO));
	stop_vm("stale");
	ck_assert_int_eq(join_vm(v), VM_EXIT_OK);

	/* And 'lkvm list' removes stale sockets it finds. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	json_object_put(list_json());
	ck_assert_int_ne(access(sa.sun_path, F_OK), 0);
}
END_TEST

START_TEST(test_sysrq_break)
{
	struct vm_thread *v = start_vm("serial", uart_payload, sizeof(uart_payload), 1);
	struct control_req req = { .cmd = CONTROL_SYSRQ, .key = 'h' };
	struct json_object *r;
	struct err_msg e = { 0 };

	msleep(50);
	ck_assert_int_eq(control_call("serial", &req, &r, &e), 0);
	json_object_put(r);
	/* The guest read LSR with DR and BI, a NUL, LSR with DR only, then the key. */
	pthread_join(v->thread, NULL);
	ck_assert_int_eq(v->status, VM_EXIT_OK);
	ck_assert_uint_eq(v->echo.n, 4);
	ck_assert_uint_eq(v->echo.bytes[0] & 0x11, 0x11);
	ck_assert_uint_eq(v->echo.bytes[1], 0);
	ck_assert_uint_eq(v->echo.bytes[2] & 0x11, 0x01);
	ck_assert_uint_eq(v->echo.bytes[3], 'h');
	vm_destroy(&v->vm);
	free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control (local /dev/kvm)");
	TCase *tc = tcase_create("payloads");
	char dir[] = "/tmp/lkvm-control-XXXXXX";
	SRunner *sr;
	int failed;

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: /dev/kvm is not usable here, so no payload can run\n");
		return 77;
	}
	/* Sockets go to a private directory, not the user's. */
	if (!mkdtemp(dir) || setenv("XDG_RUNTIME_DIR", dir, 1))
		return 1;
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_list_two_vms);
	tcase_add_test(tc, test_pause_stops_progress);
	tcase_add_test(tc, test_dump_registers);
	tcase_add_test(tc, test_hostile_clients);
	tcase_add_test(tc, test_stop_ends_vm);
	tcase_add_test(tc, test_name_taken_and_stale_socket);
	tcase_add_test(tc, test_sysrq_break);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
