// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp allow-lists per kind of thread (docs/security.md).
 *
 * Each thread installs its own filter on itself: the creating thread
 * waits until it has (seccomp_thread_create), and the main thread
 * installs its own once every other thread is running. No filter is
 * synchronised across threads (TSYNC): that would reach the threads of
 * another VM in the same process, whose narrower filters it cannot
 * replace. Filters are inherited and stack, so a thread is only ever
 * narrowed, and threads are only created before their creator is
 * filtered: no list below allows clone.
 *
 * The lists come from reading every path each thread runs after set-up
 * (virtio devices, disk backends, libslirp, the control socket) plus
 * what glibc does underneath: malloc's mmap/brk/madvise, futexes for
 * locks, the vDSO's fallback to real clock calls, a thread's exit.
 * Anything else traps to a handler that names the call and the thread
 * and ends the process: a guest that made lkvm misbehave never gets a
 * second chance, and nothing the guest does can catch the signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/sockios.h>
#include <linux/vhost.h>
#include <seccomp.h>

#include "seccomp.h"

/* si_code of a seccomp SIGSYS (asm-generic/siginfo.h, which glibc's headers leave out). */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP		1
#endif

/*
 * ASan's and UBSan's runtimes make calls of their own: at thread exit
 * (the alternate signal stack), for a report, and LeakSanitizer's check
 * at process exit (a ptrace'd stop of every thread). SANITIZE=1 builds
 * allow those too rather than go without filters.
 */
#if defined(__SANITIZE_ADDRESS__)
#define LKVM_SANITIZER_RUNTIME	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LKVM_SANITIZER_RUNTIME	1
#endif
#endif

/*
 * The SIGSYS handler must name the offending thread's kind, and the
 * kernel tells it only the call: each thread records its own here, per
 * thread, before its filter goes in.
 */
static __thread int filtered_as = -1;

static const char *const type_names[SECCOMP_NR_TYPES] = {
	[SECCOMP_MAIN] = "the main",
	[SECCOMP_VCPU] = "a vCPU",
	[SECCOMP_EVENT_LOOP] = "the event-loop",
	[SECCOMP_DISK_IO] = "a disk I/O",
	[SECCOMP_9P] = "a 9p",
};

const char *seccomp_type_name(enum seccomp_type type)
{
	return (unsigned int)type < SECCOMP_NR_TYPES ? type_names[type] : "an lkvm";
}

/* --- the lists ----------------------------------------------------------- */

/* Every thread: locks, signals, a thread's exit, clocks without the vDSO. */
static const int sys_common[] = {
	SCMP_SYS(futex), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(restart_syscall),
	SCMP_SYS(sched_yield), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
	SCMP_SYS(time), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	/* eventfds (kicks, irqfds, completions), the console, the SIGSYS report */
	SCMP_SYS(write),
	/*
	 * malloc; mmap and mprotect are added with or without PROT_EXEC. A
	 * thread's first malloc may make a new arena, and past eight of them
	 * glibc sizes their number by the CPUs this thread may run on.
	 */
	SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise),
	SCMP_SYS(sched_getaffinity),
};

/* The event loop serves every device's queues and host side. */
static const int sys_event_loop[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_pwait2), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(eventfd2),
	SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(getrandom),				/* virtio-rng */
	/* disks: io_uring, Linux AIO, and requests done inline */
	SCMP_SYS(io_uring_enter), SCMP_SYS(io_submit), SCMP_SYS(io_getevents),
	SCMP_SYS(io_pgetevents), SCMP_SYS(io_cancel),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(preadv2), SCMP_SYS(pwritev2), SCMP_SYS(fdatasync), SCMP_SYS(fsync),
	SCMP_SYS(fallocate), SCMP_SYS(lseek), SCMP_SYS(fcntl),
	/* libslirp: its sockets, and /etc/resolv.conf for the DNS it forwards */
	SCMP_SYS(connect), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(bind),
	SCMP_SYS(listen), SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg), SCMP_SYS(shutdown),
	SCMP_SYS(getsockname), SCMP_SYS(getpeername), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(stat), SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(sysinfo),				/* glibc's qsort of a large array */
};

/* io=sync workers: nothing but I/O on the disk's fd. */
static const int sys_disk_io[] = {
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(preadv2), SCMP_SYS(pwritev2), SCMP_SYS(fdatasync), SCMP_SYS(fsync),
	SCMP_SYS(fallocate),
};

/* A 9P2000.L server: the file system calls the guest's requests map to. */
static const int sys_9p[] = {
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(open), SCMP_SYS(fcntl),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(lstat),
	SCMP_SYS(stat), SCMP_SYS(readlinkat), SCMP_SYS(readlink),
	SCMP_SYS(getdents64), SCMP_SYS(lseek),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(ftruncate), SCMP_SYS(fallocate),
	SCMP_SYS(fstatfs), SCMP_SYS(statfs),
	SCMP_SYS(mkdirat), SCMP_SYS(mknodat), SCMP_SYS(symlinkat), SCMP_SYS(linkat),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(unlinkat),
	SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(fchown), SCMP_SYS(fchownat),
	SCMP_SYS(utimensat), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(fgetxattr), SCMP_SYS(flistxattr), SCMP_SYS(fsetxattr), SCMP_SYS(fremovexattr),
	SCMP_SYS(lgetxattr), SCMP_SYS(llistxattr), SCMP_SYS(lsetxattr), SCMP_SYS(lremovexattr),
	SCMP_SYS(getxattr), SCMP_SYS(listxattr), SCMP_SYS(setxattr), SCMP_SYS(removexattr),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
};

/*
 * The main thread waits for the stop, joins the others and tears the VM
 * down: disks drained and closed, the control socket and the sandbox's
 * files removed, the terminal restored.
 */
static const int sys_main[] = {
	SCMP_SYS(read), SCMP_SYS(close), SCMP_SYS(epoll_create1),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(io_uring_enter), SCMP_SYS(io_submit), SCMP_SYS(io_getevents),
	SCMP_SYS(io_pgetevents), SCMP_SYS(io_destroy),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(fdatasync), SCMP_SYS(fsync), SCMP_SYS(fcntl), SCMP_SYS(shutdown),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(lseek),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rmdir),
};

/* vCPU threads: the exits' device models reach only eventfds, KVM and epoll. */
static const int sys_vcpu[] = {
	SCMP_SYS(eventfd2),	/* an MSI-X vector's irqfd, made when first routed */
	SCMP_SYS(epoll_ctl),	/* a reset hands a vhost device's kicks back to the loop */
};

#ifdef LKVM_SANITIZER_RUNTIME
static const int sys_sanitizer[] = {
	/* a thread's exit, and a report: maps, symbols, the executable */
	SCMP_SYS(sigaltstack), SCMP_SYS(rt_sigaction), SCMP_SYS(read), SCMP_SYS(close),
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(lseek), SCMP_SYS(pread64),
	SCMP_SYS(getppid), SCMP_SYS(prlimit64), SCMP_SYS(getrlimit), SCMP_SYS(uname),
	SCMP_SYS(mincore), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3), SCMP_SYS(pipe2),
	/* LeakSanitizer at exit: a cloned tracer lists and ptrace-stops every thread */
	SCMP_SYS(getdents), SCMP_SYS(getdents64), SCMP_SYS(prctl), SCMP_SYS(clone),
	SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(waitid), SCMP_SYS(kill),
	SCMP_SYS(process_vm_readv),
};
#endif

/* Requests on the vCPU's own fd: run, and the control socket's dump and NMI. */
static const unsigned long ioctl_vcpu[] = {
	KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_ONE_REG, KVM_NMI, KVM_KVMCLOCK_CTRL,
};

/* Requests on the VM's fd a vCPU's exits make: interrupts, MSI routes, notifications. */
static const unsigned long ioctl_vcpu_vm[] = {
	KVM_IRQ_LINE, KVM_IRQFD, KVM_IOEVENTFD, KVM_SET_GSI_ROUTING,
};

/*
 * A vhost device's fd, on whichever thread starts or stops it: the event
 * loop (a queue's first kick), a vCPU (the driver's reset), the main
 * thread (tear-down). All of them: a thread that can write any memory of
 * the process gains nothing from vhost's view of it.
 */
static const unsigned long ioctl_vhost[] = {
	VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE, VHOST_SET_VRING_NUM, VHOST_SET_VRING_BASE,
	VHOST_SET_VRING_ADDR, VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL,
	VHOST_GET_VRING_BASE, VHOST_NET_SET_BACKEND, VHOST_VSOCK_SET_RUNNING,
};

/* A tap's offloads, told when the driver's features are known or reset. */
static const unsigned long ioctl_tap[] = { TUNSETOFFLOAD };

/* The event loop: interrupts, and the guest's clock across a pause. */
static const unsigned long ioctl_loop_vm[] = {
	KVM_IRQ_LINE, KVM_GET_CLOCK, KVM_SET_CLOCK,
};

/* The event loop on any fd: sockets (slirp, glibc), the terminal. */
static const unsigned long ioctl_loop[] = {
	FIONREAD, FIONBIO, SIOCGIFINDEX, SIOCGIFNAME, TCGETS, TIOCGWINSZ,
};

/* The main thread: the terminal put back (tcsetattr). */
static const unsigned long ioctl_main[] = { TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ };

/* Interrupts of the requests a disk's drain completes at tear-down. */
static const unsigned long ioctl_main_vm[] = { KVM_IRQ_LINE };

/* A 9p reply's interrupt, when it goes out as a line rather than an irqfd. */
static const unsigned long ioctl_9p_vm[] = { KVM_IRQ_LINE };

/* --- building a filter ----------------------------------------------------- */

/* A filter being built; the first error sticks. */
struct rules {
	scmp_filter_ctx ctx;
	int err;
};

static void rule(struct rules *r, u32 action, int nr, unsigned int n,
		 const struct scmp_arg_cmp *cmp)
{
	/* A call this architecture lacks (open on arm64) is skipped by libseccomp. */
	if (!r->err)
		r->err = seccomp_rule_add_array(r->ctx, action, nr, n, cmp);
}

static void allow_all(struct rules *r, const int *nrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rule(r, SCMP_ACT_ALLOW, nrs[i], 0, NULL);
}

/*
 * ioctl(fd, req) for each req, on fd only, or on any fd. The kernel reads
 * both as 32 bits: the upper halves, which callers may leave as they
 * like, are not compared. A VM without fds (a unit test's) passes -1,
 * which only ever gives EBADF.
 */
static void ioctls(struct rules *r, bool any_fd, int fd, const unsigned long *reqs, size_t n)
{
	struct scmp_arg_cmp cmp[2];
	size_t i;

	for (i = 0; i < n; i++) {
		cmp[0] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, reqs[i] & 0xffffffffUL);
		cmp[1] = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, (u32)fd);
		rule(r, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), any_fd ? 1 : 2, cmp);
	}
}

static void allow_ioctls(struct rules *r, int fd, const unsigned long *reqs, size_t n)
{
	ioctls(r, false, fd, reqs, n);
}

static void allow_ioctls_any_fd(struct rules *r, const unsigned long *reqs, size_t n)
{
	ioctls(r, true, -1, reqs, n);
}

/* Memory for malloc; with exec false no mapping may become executable. */
static void allow_mmap(struct rules *r, bool exec)
{
	struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);

	rule(r, SCMP_ACT_ALLOW, SCMP_SYS(mmap), exec ? 0 : 1, &no_exec);
	rule(r, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), exec ? 0 : 1, &no_exec);
}

/* open(2) and openat(2) for reading only: no write access, creation or truncation. */
static void allow_open_read(struct rules *r)
{
	const scmp_datum_t mask = O_ACCMODE | O_CREAT | O_TRUNC;
	struct scmp_arg_cmp at = SCMP_A2(SCMP_CMP_MASKED_EQ, mask, O_RDONLY);
	struct scmp_arg_cmp plain = SCMP_A1(SCMP_CMP_MASKED_EQ, mask, O_RDONLY);

	rule(r, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1, &at);
	rule(r, SCMP_ACT_ALLOW, SCMP_SYS(open), 1, &plain);
}

/*
 * Threads that open nothing get an error rather than the kill: glibc's
 * free() opens /proc/sys/vm/overcommit_memory once, from whichever thread
 * first gives a heap back, and takes a refusal in its stride.
 */
static void refuse_open(struct rules *r)
{
#ifndef LKVM_SANITIZER_RUNTIME	/* which opens what it likes */
	rule(r, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0, NULL);
	rule(r, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0, NULL);
#else
	(void)r;
#endif
}

/*
 * slirp's sockets are IPv4 and IPv6; a probe for another family (glibc
 * looking for any socket to ask about an interface) gets an error, not
 * the kill: the event loop has no business with UNIX or netlink sockets.
 */
static void allow_inet_sockets(struct rules *r)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static const int refused[] = { AF_UNIX, AF_NETLINK };
	struct scmp_arg_cmp cmp;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		cmp = SCMP_A0(SCMP_CMP_EQ, families[i]);
		rule(r, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, &cmp);
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		cmp = SCMP_A0(SCMP_CMP_EQ, refused[i]);
		rule(r, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, &cmp);
	}
}

/* Signals to this process's own threads only (kicking vCPUs, abort()). */
static void allow_own_signals(struct rules *r)
{
	struct scmp_arg_cmp own = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid());

	rule(r, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, &own);
}

static void add_rules(struct rules *r, const struct seccomp_target *t)
{
	allow_all(r, sys_common, ARRAY_SIZE(sys_common));
	allow_own_signals(r);
	switch (t->type) {
	case SECCOMP_MAIN:
		allow_mmap(r, true);
		allow_all(r, sys_main, ARRAY_SIZE(sys_main));
		allow_open_read(r);	/* the sandbox's status file */
		allow_ioctls_any_fd(r, ioctl_main, ARRAY_SIZE(ioctl_main));
		allow_ioctls_any_fd(r, ioctl_vhost, ARRAY_SIZE(ioctl_vhost));
		allow_ioctls(r, t->vm_fd, ioctl_main_vm, ARRAY_SIZE(ioctl_main_vm));
		break;
	case SECCOMP_VCPU:
		allow_mmap(r, false);
		allow_all(r, sys_vcpu, ARRAY_SIZE(sys_vcpu));
		allow_ioctls(r, t->vcpu_fd, ioctl_vcpu, ARRAY_SIZE(ioctl_vcpu));
		allow_ioctls(r, t->vm_fd, ioctl_vcpu_vm, ARRAY_SIZE(ioctl_vcpu_vm));
		allow_ioctls_any_fd(r, ioctl_vhost, ARRAY_SIZE(ioctl_vhost));
		allow_ioctls_any_fd(r, ioctl_tap, ARRAY_SIZE(ioctl_tap));
		refuse_open(r);
		/* Checked first: KVM_RUN is this thread's every call. */
		if (!r->err)
			r->err = seccomp_syscall_priority(r->ctx, SCMP_SYS(ioctl), 255);
		break;
	case SECCOMP_EVENT_LOOP:
		allow_mmap(r, true);
		allow_all(r, sys_event_loop, ARRAY_SIZE(sys_event_loop));
		allow_open_read(r);
		allow_inet_sockets(r);
		allow_ioctls_any_fd(r, ioctl_loop, ARRAY_SIZE(ioctl_loop));
		allow_ioctls_any_fd(r, ioctl_vhost, ARRAY_SIZE(ioctl_vhost));
		allow_ioctls_any_fd(r, ioctl_tap, ARRAY_SIZE(ioctl_tap));
		allow_ioctls(r, t->vm_fd, ioctl_loop_vm, ARRAY_SIZE(ioctl_loop_vm));
		break;
	case SECCOMP_DISK_IO:
		allow_mmap(r, false);
		allow_all(r, sys_disk_io, ARRAY_SIZE(sys_disk_io));
		refuse_open(r);
		break;
	case SECCOMP_9P:
		allow_mmap(r, false);
		allow_all(r, sys_9p, ARRAY_SIZE(sys_9p));
		allow_ioctls(r, t->vm_fd, ioctl_9p_vm, ARRAY_SIZE(ioctl_9p_vm));
		break;
	default:
		r->err = -EINVAL;
		break;
	}
#ifdef LKVM_SANITIZER_RUNTIME
	allow_all(r, sys_sanitizer, ARRAY_SIZE(sys_sanitizer));
#endif
}

/* --- the end of a thread that broke its list ----------------------------- */

static size_t put_str(char *buf, size_t off, size_t len, const char *s)
{
	while (*s && off < len)
		buf[off++] = *s++;
	return off;
}

static size_t put_num(char *buf, size_t off, size_t len, long v)
{
	char digits[24];
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	int n = 0;

	do {
		digits[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0 && off < len)
		buf[off++] = '-';
	while (n && off < len)
		buf[off++] = digits[--n];
	return off;
}

/*
 * Async-signal-safe only: one line, then the process ends, whatever the
 * other threads are doing. The terminal may be left in raw mode (the
 * handler cannot reach the VM's saved settings); 'stty sane' restores it.
 */
static void sigsys_handler(int sig, siginfo_t *si, void *ctx)
{
	char line[256];
	size_t n = 0;

	(void)sig;
	(void)ctx;
	n = put_str(line, n, sizeof(line), "\r\nlkvm: seccomp: ");
	if (si->si_code == SYS_SECCOMP) {
		n = put_str(line, n, sizeof(line), "forbidden system call ");
		n = put_num(line, n, sizeof(line), si->si_syscall);
		n = put_str(line, n, sizeof(line), " by ");
		n = put_str(line, n, sizeof(line), seccomp_type_name(filtered_as));
		n = put_str(line, n, sizeof(line),
			    " thread; rerun with --no-seccomp to debug it, and report it\r\n");
	} else {
		n = put_str(line, n, sizeof(line), "SIGSYS sent by another process\r\n");
	}
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nothing left to tell anyone */
	}
	_exit(SECCOMP_EXIT_STATUS);
}

/* --- installing ---------------------------------------------------------- */

int seccomp_check(struct err_msg *e)
{
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 || seccomp_api_get() < 1)
		return err_set(e, ENOSYS,
			       "this kernel cannot filter system calls (CONFIG_SECCOMP_FILTER); run lkvm with --no-seccomp");
	return 0;
}

/* Process-wide, and the same every time: each thread may (re)install it. */
static int catch_sigsys(void)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return -errno;
	/* A blocked SIGSYS would still kill, but without the line that says why. */
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int seccomp_install(const struct seccomp_target *t)
{
	struct rules r = { 0 };
	int ret;

	ret = catch_sigsys();
	if (ret)
		return ret;
	r.ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!r.ctx)
		return -ENOMEM;
	/* Calls of another ABI (x32, or i386 through int 0x80) trap as well. */
	r.err = seccomp_attr_set(r.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	/* A binary search rather than a list: only a speed-up, so a refusal is no error. */
	if (seccomp_attr_set(r.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) {
		/* an older libseccomp: the plain list */
	}
	add_rules(&r, t);
	ret = r.err;
	if (!ret) {
		filtered_as = t->type;
		ret = seccomp_load(r.ctx);
		if (ret)
			filtered_as = -1;
	}
	seccomp_release(r.ctx);
	/*
	 * libseccomp builds the filter in this thread's malloc arena; give
	 * the freed pages back, or each thread keeps its filter's build
	 * space resident for the life of the VM. ASan has its own allocator,
	 * whose malloc_trim makes calls (getrandom) the filter now forbids.
	 */
#ifndef LKVM_SANITIZER_RUNTIME
	malloc_trim(0);
#endif
	return ret;
}

/* --- filtered threads ----------------------------------------------------- */

struct filtered_start {
	const struct seccomp_target *t;
	void *(*fn)(void *);
	void *arg;
	sem_t done;
	int ret;
};

static void *filtered_thread(void *p)
{
	struct filtered_start *s = p;
	void *(*fn)(void *) = s->fn;
	void *arg = s->arg;
	int ret = seccomp_install(s->t);

	s->ret = ret;
	sem_post(&s->done);	/* s belongs to the creator again */
	return ret ? NULL : fn(arg);
}

int seccomp_thread_create(pthread_t *thread, const struct seccomp_target *t,
			  void *(*fn)(void *), void *arg)
{
	struct filtered_start s = { .t = t, .fn = fn, .arg = arg };
	int ret;

	if (!t)
		return -pthread_create(thread, NULL, fn, arg);
	if (sem_init(&s.done, 0, 0))
		return -errno;
	ret = -pthread_create(thread, NULL, filtered_thread, &s);
	if (!ret) {
		while (sem_wait(&s.done) && errno == EINTR)
			;
		ret = s.ret;
		if (ret)
			pthread_join(*thread, NULL);
	}
	sem_destroy(&s.done);
	return ret;
}
