// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp allow-lists (core/seccomp.c): in a child process, a thread
 * filtered as one kind calls what that kind must never call, and the
 * whole process ends with SECCOMP_EXIT_STATUS and one line naming the call
 * and the kind of thread; what the kind does call leaves it running.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>

#include "core/seccomp.h"

/* The sanitizer runtimes need opens and clone; those builds allow them (core/seccomp.c). */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#else
#define SANITIZED	0
#endif

#define NO_FD		1000	/* an fd number nothing has open: its ioctls give EBADF */

static char scratch[64];

struct outcome {
	int status;		/* waitpid()'s */
	char err[1024];		/* what the child wrote to stderr */
};

/*
 * Runs fn in a child whose calling thread is filtered as t (t NULL: not
 * filtered); the child exits 0 when fn returns.
 */
static void run_as(const struct seccomp_target *t, void (*fn)(void), struct outcome *o)
{
	int pipefd[2];
	ssize_t n, len = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		dup2(pipefd[1], STDERR_FILENO);
		if (t && seccomp_install(t))
			_exit(100);
		fn();
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], o->err + len, sizeof(o->err) - 1 - len)) > 0)
		len += n;
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &o->status, 0), pid);
}

static void assert_ran(const struct outcome *o)
{
	ck_assert_msg(WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0,
		      "the child did not finish: status 0x%x, stderr '%s'", o->status, o->err);
	ck_assert_str_eq(o->err, "");
}

/* Ended the documented way: the status, and one line naming the call and the thread. */
static void assert_killed(const struct outcome *o, long nr, const char *thread)
{
	char want[128];
	const char *line;

	ck_assert_msg(WIFEXITED(o->status) && WEXITSTATUS(o->status) == SECCOMP_EXIT_STATUS,
		      "status 0x%x, not exit %d; stderr '%s'", o->status, SECCOMP_EXIT_STATUS,
		      o->err);
	snprintf(want, sizeof(want), "lkvm: seccomp: forbidden system call %ld by %s thread;", nr,
		 thread);
	line = strstr(o->err, want);
	ck_assert_msg(line, "'%s' not in '%s'", want, o->err);
	ck_assert_msg(strstr(line, "--no-seccomp"), "%s", o->err);
	/* One line, ended for a terminal that may still be in raw mode. */
	ck_assert_msg(strchr(line, '\n') && !strchr(line, '\n')[1], "not one line: '%s'", o->err);
	ck_assert_msg(strstr(line, "\r\n"), "%s", o->err);
}

static const struct seccomp_target vcpu = { SECCOMP_VCPU, NO_FD + 1, NO_FD };
static const struct seccomp_target loop = { SECCOMP_EVENT_LOOP, NO_FD + 1, -1 };
static const struct seccomp_target disk = { SECCOMP_DISK_IO, -1, -1 };
static const struct seccomp_target p9 = { SECCOMP_9P, NO_FD + 1, -1 };
static const struct seccomp_target main_thread = { SECCOMP_MAIN, NO_FD + 1, -1 };

/* --- what each kind of thread must never do ------------------------------- */

static void call_socket(void)
{
	socket(AF_INET, SOCK_STREAM, 0);
}

static void call_execve(void)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };

	execve(argv[0], argv, envp);
}

static void *idle(void *arg)
{
	return arg;
}

static void call_pthread_create(void)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, idle, NULL))
		pthread_join(t, NULL);
}

START_TEST(test_vcpu_forbidden)
{
	struct outcome o;

	run_as(&vcpu, call_socket, &o);
	assert_killed(&o, SYS_socket, "a vCPU");
	run_as(&vcpu, call_execve, &o);
	assert_killed(&o, SYS_execve, "a vCPU");
	/* Without the filter, the same call goes through. */
	run_as(NULL, call_socket, &o);
	assert_ran(&o);
}
END_TEST

static void vcpu_ioctl_elsewhere(void)
{
	ioctl(NO_FD + 7, KVM_RUN, 0);	/* another vCPU's fd */
}

static void vcpu_tiocsti(void)
{
	char c = 'x';

	ioctl(NO_FD, TIOCSTI, &c);	/* keystrokes into a terminal */
}

static void vcpu_memory_region(void)
{
	struct kvm_userspace_memory_region r = { 0 };

	ioctl(NO_FD + 1, KVM_SET_USER_MEMORY_REGION, &r);	/* set-up only */
}

static pid_t parent;

static void signal_parent(void)
{
	syscall(SYS_tgkill, parent, parent, 0);	/* another process */
}

static void vcpu_exec_mapping(void)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

START_TEST(test_vcpu_narrowed)
{
	struct outcome o;

	run_as(&vcpu, vcpu_ioctl_elsewhere, &o);
	assert_killed(&o, SYS_ioctl, "a vCPU");
	run_as(&vcpu, vcpu_tiocsti, &o);
	assert_killed(&o, SYS_ioctl, "a vCPU");
	run_as(&vcpu, vcpu_memory_region, &o);
	assert_killed(&o, SYS_ioctl, "a vCPU");
	run_as(&vcpu, vcpu_exec_mapping, &o);
	assert_killed(&o, SYS_mmap, "a vCPU");
	parent = getpid();
	run_as(&vcpu, signal_parent, &o);
	assert_killed(&o, SYS_tgkill, "a vCPU");
}
END_TEST

/* What a vCPU thread does: KVM ioctls, eventfds, locks, malloc, the clock. */
static void vcpu_work(void)
{
	struct timespec ts = { 0, 1000 };
	u64 one = 1;
	void *big;
	int efd;

	ioctl(NO_FD, KVM_RUN, 0);
	ioctl(NO_FD, KVM_GET_REGS, NULL);
	ioctl(NO_FD + 1, KVM_IRQ_LINE, NULL);
	ioctl(NO_FD + 1, KVM_SET_GSI_ROUTING, NULL);
	ioctl(NO_FD + 2, TUNSETOFFLOAD, 0);	/* a tap's, on a reset */
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || write(efd, &one, sizeof(one)) != sizeof(one))
		_exit(1);
	big = malloc(8 << 20);
	if (!big)
		_exit(2);
	memset(big, 1, 8 << 20);
	free(big);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	nanosleep(&(struct timespec){ 0, 1000 }, NULL);
	if (syscall(SYS_tgkill, getpid(), gettid(), 0))	/* a kick's signal, to ourselves */
		_exit(5);
	/* glibc's free() may open /proc/sys/vm/overcommit_memory: refused, not fatal. */
	if (!SANITIZED && (open("/proc/sys/vm/overcommit_memory", O_RDONLY) >= 0 || errno != EACCES))
		_exit(3);
	if (write(STDERR_FILENO, "", 0) < 0)
		_exit(4);
}

START_TEST(test_vcpu_allowed)
{
	struct outcome o;

	run_as(&vcpu, vcpu_work, &o);
	assert_ran(&o);
}
END_TEST

/* --- the event loop: generous, but no new files, programs or threads -------- */

static void loop_work(void)
{
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		_exit(1);
	close(fd);
	/* glibc probes UNIX sockets when it asks about an interface: an error, not the end. */
	if (socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EAFNOSUPPORT)
		_exit(2);
	fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);	/* slirp's DNS */
	if (fd >= 0)
		close(fd);
	ioctl(NO_FD + 1, KVM_IRQ_LINE, NULL);
	ioctl(STDIN_FILENO, FIONREAD, &fd);
}

static void loop_create_file(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/new", scratch);
	open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
}

START_TEST(test_event_loop)
{
	struct outcome o;

	run_as(&loop, loop_work, &o);
	assert_ran(&o);
	run_as(&loop, call_execve, &o);
	assert_killed(&o, SYS_execve, "the event-loop");
	if (!SANITIZED) {
		run_as(&loop, loop_create_file, &o);
		assert_killed(&o, SYS_openat, "the event-loop");
		run_as(&loop, call_pthread_create, &o);
		ck_assert_msg(WIFEXITED(o.status) && WEXITSTATUS(o.status) == SECCOMP_EXIT_STATUS,
			      "a filtered thread made a thread: 0x%x '%s'", o.status, o.err);
	}
}
END_TEST

/* --- I/O workers -------------------------------------------------------------- */

static int disk_fd = -1;

static void disk_work(void)
{
	char buf[4096] = { 1 };
	struct iovec iov = { buf, sizeof(buf) };

	if (pwrite(disk_fd, buf, sizeof(buf), 0) != sizeof(buf) ||
	    pread(disk_fd, buf, sizeof(buf), 0) != sizeof(buf) ||
	    pwritev(disk_fd, &iov, 1, 4096) != sizeof(buf) ||
	    preadv(disk_fd, &iov, 1, 4096) != sizeof(buf) || fdatasync(disk_fd))
		_exit(1);
	fallocate(disk_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
}

START_TEST(test_disk_io)
{
	char path[128];
	struct outcome o;

	snprintf(path, sizeof(path), "%s/disk", scratch);
	disk_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(disk_fd, 0);
	run_as(&disk, disk_work, &o);
	assert_ran(&o);
	run_as(&disk, call_socket, &o);
	assert_killed(&o, SYS_socket, "a disk I/O");
	run_as(&disk, vcpu_ioctl_elsewhere, &o);
	assert_killed(&o, SYS_ioctl, "a disk I/O");
	if (!SANITIZED) {
		/* Refused with EACCES, as for the vCPUs: the child goes on and exits 0. */
		run_as(&disk, loop_create_file, &o);
		assert_ran(&o);
	}
	close(disk_fd);
}
END_TEST

static void p9_work(void)
{
	struct stat st;
	int dir, fd;

	dir = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 || mkdirat(dir, "d", 0700) || symlinkat("d", dir, "l") ||
	    renameat(dir, "l", dir, "m") || unlinkat(dir, "m", 0))
		_exit(1);
	fd = openat(dir, "d/f", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || pwrite(fd, "x", 1, 0) != 1 || fsync(fd) || fstat(fd, &st) ||
	    ftruncate(fd, 0) || fchmod(fd, 0644))
		_exit(2);
	close(fd);
	if (unlinkat(dir, "d/f", 0) || unlinkat(dir, "d", AT_REMOVEDIR))
		_exit(3);
	if (fstatat(dir, "", &st, AT_EMPTY_PATH))
		_exit(4);
	ioctl(NO_FD + 1, KVM_IRQ_LINE, NULL);	/* a reply's interrupt without irqfd */
}

START_TEST(test_9p)
{
	struct outcome o;

	run_as(&p9, p9_work, &o);
	assert_ran(&o);
	run_as(&p9, call_socket, &o);
	assert_killed(&o, SYS_socket, "a 9p");
	run_as(&p9, call_execve, &o);
	assert_killed(&o, SYS_execve, "a 9p");
}
END_TEST

/* --- the main thread, after set-up ------------------------------------------- */

static void main_work(void)
{
	char path[128], termios[64];
	int fd;

	ioctl(STDIN_FILENO, TCGETS, termios);
	snprintf(path, sizeof(path), "%s/status", scratch);
	fd = open(path, O_RDONLY | O_CLOEXEC);	/* the sandbox's status */
	if (fd >= 0)
		close(fd);
	unlink(path);
}

START_TEST(test_main)
{
	struct outcome o;

	run_as(&main_thread, main_work, &o);
	assert_ran(&o);
	run_as(&main_thread, call_socket, &o);
	assert_killed(&o, SYS_socket, "the main");
	if (!SANITIZED) {
		run_as(&main_thread, loop_create_file, &o);
		assert_killed(&o, SYS_openat, "the main");
	}
}
END_TEST

/* --- seccomp_thread_create() ------------------------------------------------- */

static void *thread_socket(void *arg)
{
	(void)arg;
	call_socket();
	return NULL;
}

static void *thread_ok(void *arg)
{
	(void)arg;
	free(malloc(1 << 20));
	return arg;
}

/* The new thread is filtered from its first instruction of fn; its creator is not. */
static void threads(void)
{
	pthread_t t;
	void *ret;
	int fd;

	if (seccomp_thread_create(&t, &vcpu, thread_ok, &t) || pthread_join(t, &ret) ||
	    ret != &t)
		_exit(1);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		_exit(2);
	close(fd);
	if (seccomp_thread_create(&t, &vcpu, thread_socket, NULL))
		_exit(3);
	pthread_join(t, NULL);
	_exit(4);	/* not reached: the thread's socket() ended the process */
}

/* Like the 9p thread: created with every signal blocked. The kill still says why. */
static void threads_blocked(void)
{
	sigset_t all;
	pthread_t t;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	if (seccomp_thread_create(&t, &disk, thread_socket, NULL))
		_exit(3);
	pthread_join(t, NULL);
	_exit(4);
}

START_TEST(test_thread_create)
{
	struct outcome o;

	run_as(NULL, threads, &o);
	assert_killed(&o, SYS_socket, "a vCPU");
	run_as(NULL, threads_blocked, &o);
	assert_killed(&o, SYS_socket, "a disk I/O");
}
END_TEST

START_TEST(test_names)
{
	struct err_msg e = { 0 };

	ck_assert_str_eq(seccomp_type_name(SECCOMP_VCPU), "a vCPU");
	ck_assert_str_eq(seccomp_type_name(SECCOMP_NR_TYPES), "an lkvm");
	ck_assert_int_eq(seccomp_check(&e), 0);
}
END_TEST

static void make_scratch(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/lkvm-seccomp-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/disk", scratch);
	unlink(path);
	snprintf(path, sizeof(path), "%s/new", scratch);
	unlink(path);
	rmdir(scratch);
}

int main(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("filters");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, make_scratch, remove_scratch);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_vcpu_forbidden);
	tcase_add_test(tc, test_vcpu_narrowed);
	tcase_add_test(tc, test_vcpu_allowed);
	tcase_add_test(tc, test_event_loop);
	tcase_add_test(tc, test_disk_io);
	tcase_add_test(tc, test_9p);
	tcase_add_test(tc, test_main);
	tcase_add_test(tc, test_thread_create);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
