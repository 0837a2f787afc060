// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny real-mode payloads on the local /dev/kvm: the vCPU loop, port and
 * MMIO dispatch, HLT, the power ports, stopping from another thread, and
 * two VMs in one process. No Linux kernel needed.
 */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/vm.h"

#define PAYLOAD_ADDR	0x1000
#define TEST_PORT	0x10
#define ECHO_PORT	0x11
#define TEST_MMIO	0x100000	/* just past the 1 MiB of RAM */

/* mov dx,0x10; mov al,0x5a; out dx,al; mov ax,0x1234; out dx,ax; in al,dx;
 * out 0x11,al; mov ax,0xffff; mov ds,ax; mov byte [0x10],0x77 (0x100000);
 * mov al,[0x14] (0x100004); out 0x11,al; hlt */
static const u8 dispatch_payload[] = {
	0xba, 0x10, 0x00, 0xb0, 0x5a, 0xee, 0xb8, 0x34, 0x12, 0xef, 0xec, 0xe6,
	0x11, 0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xc6, 0x06, 0x10, 0x00, 0x77, 0xa0,
	0x14, 0x00, 0xe6, 0x11, 0xf4,
};

/* in al,0x42 (nothing there); out 0x11,al; hlt */
static const u8 unmapped_payload[] = { 0xe4, 0x42, 0xe6, 0x11, 0xf4 };

/* mov al,0x34 (SLP_EN | S5); mov dx,0x600; out dx,al; jmp $ */
static const u8 poweroff_payload[] = { 0xb0, 0x34, 0xba, 0x00, 0x06, 0xee, 0xeb, 0xfe };

/* mov al,1; mov dx,0x602; out dx,al; jmp $ */
static const u8 reset_payload[] = { 0xb0, 0x01, 0xba, 0x02, 0x06, 0xee, 0xeb, 0xfe };

/* jmp f000:fff0, the reset vector, as Linux's BIOS reboot does */
static const u8 bios_reset_payload[] = { 0xea, 0xf0, 0xff, 0x00, 0xf0 };

/* jmp $ */
static const u8 spin_payload[] = { 0xeb, 0xfe };

/* out 0x10,al (the device below opens a socket); hlt */
#define SOCKET_PORT	0x10
static const u8 socket_payload[] = { 0xe6, SOCKET_PORT, 0xf4 };

struct recorder {
	u8 port_bytes[8];
	unsigned int nr_port_bytes;
	u16 port_word;
	u8 echoes[4];
	unsigned int nr_echoes;
	u8 mmio_written;
	u64 mmio_write_offset;
	u64 mmio_read_offset;
};

static void port_read(void *opaque, u64 offset, void *data, u32 len)
{
	(void)opaque;
	(void)offset;
	memset(data, 0xa5, len);
}

static void port_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct recorder *r = opaque;

	if (offset == 1 && r->nr_echoes < ARRAY_SIZE(r->echoes)) {
		r->echoes[r->nr_echoes++] = *(const u8 *)data;
		return;
	}
	if (len == 2)
		memcpy(&r->port_word, data, 2);
	else if (r->nr_port_bytes < ARRAY_SIZE(r->port_bytes))
		r->port_bytes[r->nr_port_bytes++] = *(const u8 *)data;
}

static void mmio_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct recorder *r = opaque;

	r->mmio_read_offset = offset;
	memset(data, 0x3c, len);
}

static void mmio_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct recorder *r = opaque;

	(void)len;
	r->mmio_write_offset = offset;
	r->mmio_written = *(const u8 *)data;
}

static const struct io_ops port_ops = { .read = port_read, .write = port_write };

/* A device model gone wrong: a vCPU thread has no business with sockets. */
static void socket_write(void *opaque, u64 offset, const void *data, u32 len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)offset;
	(void)data;
	(void)len;
	*(int *)opaque = fd;
	if (fd >= 0)
		close(fd);
}

static const struct io_ops socket_ops = { .read = port_read, .write = socket_write };
static const struct io_ops mmio_ops = { .read = mmio_read, .write = mmio_write };

static char *write_payload(const u8 *code, size_t len)
{
	char *path = strdup("/tmp/lkvm-payload-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, code, len), (ssize_t)len);
	close(fd);
	return path;
}

/* A VM with 1 MiB of RAM running code at 0x1000; console detached. */
static void payload_vm(struct vm *vm, const u8 *code, size_t len, bool irqchip,
		       struct recorder *rec)
{
	struct vm_config cfg;
	struct err_msg e = { 0 };
	char *path = write_payload(code, len);
	int ret;

	config_init(&cfg);
	cfg.kernel = path;
	cfg.mem_mib = 1;
	cfg.raw_payload = true;
	cfg.raw_load_addr = PAYLOAD_ADDR;
	cfg.no_irqchip = !irqchip;
	ret = vm_create(vm, &cfg, &e);
	unlink(path);
	ck_assert_msg(ret == 0, "vm_create: %s", e.text);
	free(path);
	vm->term.in_fd = -1;
	vm->term.out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!rec)
		return;
	ck_assert_int_eq(io_bus_register(&vm->pio, TEST_PORT, 2, &port_ops, rec), 0);
	ck_assert_int_eq(io_bus_register(&vm->mmio, TEST_MMIO, 0x1000, &mmio_ops, rec), 0);
}

struct run {
	struct vm *vm;
	struct err_msg e;
	int status;
};

static void *run_thread(void *arg)
{
	struct run *r = arg;

	r->status = vm_run(r->vm, &r->e);
	return NULL;
}

/*
 * vm_run() filters the thread it runs on for good (SECCOMP_MAIN): on a
 * thread of its own, Check's calls after the test stay unfiltered.
 */
static int run_vm(struct vm *vm)
{
	struct run r = { .vm = vm };
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, run_thread, &r), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(!r.e.text[0], "vm_run: %s", r.e.text);
	return r.status;
}

START_TEST(test_pio_mmio_hlt)
{
	struct recorder rec = { 0 };
	struct vm vm;

	payload_vm(&vm, dispatch_payload, sizeof(dispatch_payload), false, &rec);
	ck_assert_int_eq(run_vm(&vm), VM_EXIT_OK);
	ck_assert_str_eq(vm.exit_reason, "the guest halted");
	ck_assert_uint_eq(rec.nr_port_bytes, 1);
	ck_assert_uint_eq(rec.port_bytes[0], 0x5a);
	ck_assert_uint_eq(rec.port_word, 0x1234);
	ck_assert_uint_eq(rec.nr_echoes, 2);
	ck_assert_uint_eq(rec.echoes[0], 0xa5);	/* what port_read answered */
	ck_assert_uint_eq(rec.mmio_write_offset, 0x0);	/* 0xffff0 + 0x10 */
	ck_assert_uint_eq(rec.mmio_written, 0x77);
	ck_assert_uint_eq(rec.mmio_read_offset, 0x4);
	ck_assert_uint_eq(rec.echoes[1], 0x3c);	/* what mmio_read answered */
	vm_destroy(&vm);
}
END_TEST

START_TEST(test_unmapped_port_reads_ones)
{
	struct recorder rec = { 0 };
	struct vm vm;

	payload_vm(&vm, unmapped_payload, sizeof(unmapped_payload), false, &rec);
	ck_assert_int_eq(run_vm(&vm), VM_EXIT_OK);
	ck_assert_uint_eq(rec.nr_echoes, 1);
	ck_assert_uint_eq(rec.echoes[0], 0xff);
	vm_destroy(&vm);
}
END_TEST

START_TEST(test_acpi_poweroff_port)
{
	struct vm vm;

	payload_vm(&vm, poweroff_payload, sizeof(poweroff_payload), true, NULL);
	ck_assert_int_eq(run_vm(&vm), VM_EXIT_OK);
	ck_assert_str_eq(vm.exit_reason, "the guest powered off");
	vm_destroy(&vm);
}
END_TEST

START_TEST(test_acpi_reset_port)
{
	struct vm vm;

	payload_vm(&vm, reset_payload, sizeof(reset_payload), true, NULL);
	ck_assert_int_eq(run_vm(&vm), VM_EXIT_OK);
	ck_assert_str_eq(vm.exit_reason, "the guest rebooted");
	vm_destroy(&vm);
}
END_TEST

START_TEST(test_bios_reset_vector)
{
	struct vm vm;

	payload_vm(&vm, bios_reset_payload, sizeof(bios_reset_payload), true, NULL);
	ck_assert_int_eq(run_vm(&vm), VM_EXIT_OK);
	ck_assert_str_eq(vm.exit_reason, "the guest rebooted");
	vm_destroy(&vm);
}
END_TEST

/* The seccomp filters end the process (core/seccomp.h) when a vCPU opens a socket... */
START_TEST(test_forbidden_call_ends_process)
{
	struct vm vm;
	int fd = -1;

	payload_vm(&vm, socket_payload, sizeof(socket_payload), false, NULL);
	ck_assert_int_eq(io_bus_register(&vm.pio, SOCKET_PORT, 1, &socket_ops, &fd), 0);
	run_vm(&vm);
	ck_abort_msg("the vCPU's socket() did not end the process");
}
END_TEST

/* ...and --no-seccomp lets it through, for debugging. */
START_TEST(test_no_seccomp)
{
	struct vm vm;
	int fd = -1;

	payload_vm(&vm, socket_payload, sizeof(socket_payload), false, NULL);
	ck_assert_int_eq(io_bus_register(&vm.pio, SOCKET_PORT, 1, &socket_ops, &fd), 0);
	vm.cfg.no_seccomp = true;
	ck_assert_int_eq(run_vm(&vm), VM_EXIT_OK);
	ck_assert_str_eq(vm.exit_reason, "the guest halted");
	ck_assert_int_ge(fd, 0);
	vm_destroy(&vm);
}
END_TEST

static void *stop_later(void *arg)
{
	usleep(100 * 1000);
	vm_stop(arg, 42, "stopped by the test");
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_stop_spinning_guest)
{
	struct vm vm;
	pthread_t t;
	double start;

	payload_vm(&vm, spin_payload, sizeof(spin_payload), true, NULL);
	pthread_create(&t, NULL, stop_later, &vm);
	start = now();
	ck_assert_int_eq(run_vm(&vm), 42);
	ck_assert_double_lt(now() - start, 1.0);
	pthread_join(t, NULL);
	vm_destroy(&vm);
}
END_TEST

struct vm_thread {
	struct vm vm;
	struct recorder rec;
	int status;
};

static void *run_in_thread(void *arg)
{
	struct vm_thread *v = arg;
	struct err_msg e = { 0 };

	v->status = vm_run(&v->vm, &e);
	return NULL;
}

START_TEST(test_two_vms_in_one_process)
{
	struct vm_thread *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	pthread_t ta, tb;

	payload_vm(&a->vm, dispatch_payload, sizeof(dispatch_payload), false, &a->rec);
	payload_vm(&b->vm, unmapped_payload, sizeof(unmapped_payload), false, &b->rec);
	pthread_create(&ta, NULL, run_in_thread, a);
	pthread_create(&tb, NULL, run_in_thread, b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ck_assert_int_eq(a->status, VM_EXIT_OK);
	ck_assert_int_eq(b->status, VM_EXIT_OK);
	/* Each VM's devices saw only its own guest. */
	ck_assert_uint_eq(a->rec.nr_echoes, 2);
	ck_assert_uint_eq(a->rec.port_word, 0x1234);
	ck_assert_uint_eq(b->rec.nr_echoes, 1);
	ck_assert_uint_eq(b->rec.echoes[0], 0xff);
	ck_assert_uint_eq(b->rec.port_word, 0);
	vm_destroy(&a->vm);
	vm_destroy(&b->vm);
	free(a);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcpu (local /dev/kvm)");
	TCase *tc = tcase_create("payloads");
	SRunner *sr;
	int failed;

	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: /dev/kvm is not usable here, so no payload can run\n");
		return 77;
	}
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_pio_mmio_hlt);
	tcase_add_test(tc, test_unmapped_port_reads_ones);
	tcase_add_test(tc, test_acpi_poweroff_port);
	tcase_add_test(tc, test_acpi_reset_port);
	tcase_add_test(tc, test_bios_reset_vector);
	tcase_add_test(tc, test_stop_spinning_guest);
	tcase_add_test(tc, test_two_vms_in_one_process);
	tcase_add_exit_test(tc, test_forbidden_call_ends_process, SECCOMP_EXIT_STATUS);
	tcase_add_test(tc, test_no_seccomp);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
