// SPDX-License-Identifier: GPL-2.0
/*
 * Times one guest boot where the shell cannot (the nested arm64 host has only
 * busybox, whose date and sh have no sub-second clock):
 *
 *   boot_timer TIMEOUT_S MARKER LOG -- COMMAND [ARG...]
 *
 * Runs COMMAND with stdin from /dev/null and stdout and stderr into LOG, and
 * prints one line "HELLO_MS EXIT_MS STATUS": milliseconds from the start to
 * the first MARKER in COMMAND's output ("-" when it never came) and to
 * COMMAND's exit, and its exit status (128 + signal when killed; 124 when it
 * outlived TIMEOUT_S and was stopped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static pid_t spawn(char **argv, int out_fd)
{
	pid_t pid = fork();
	int null_fd;

	if (pid != 0)
		return pid;
	/* Its own process group, so that a timeout reaches its children too. */
	setpgid(0, 0);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	fprintf(stderr, "boot_timer: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Copies the output to LOG and looks for the marker, keeping the tail of the
 * previous read so that a marker split across two reads is still found.
 */
struct watch {
	const char *marker;
	size_t marker_len;
	char buf[8192];
	size_t carry;
	long long hello_ms;
};

static void watch_feed(struct watch *w, const char *data, size_t len, long long t)
{
	size_t keep = w->marker_len - 1;

	while (len) {
		size_t n = len < sizeof(w->buf) - w->carry ? len : sizeof(w->buf) - w->carry;

		memcpy(w->buf + w->carry, data, n);
		data += n;
		len -= n;
		n += w->carry;
		if (w->hello_ms < 0 && memmem(w->buf, n, w->marker, w->marker_len))
			w->hello_ms = t;
		w->carry = n < keep ? n : keep;
		memmove(w->buf, w->buf + n - w->carry, w->carry);
	}
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 126;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct watch w = { .hello_ms = -1 };
	long long t0, deadline, t;
	int pipe_fd[2], log_fd, timed_out = 0, status;
	char data[4096];
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--") || atoi(argv[1]) <= 0 || !argv[2][0]) {
		fprintf(stderr, "usage: boot_timer TIMEOUT_S MARKER LOG -- COMMAND [ARG...]\n");
		return 2;
	}
	w.marker = argv[2];
	w.marker_len = strlen(argv[2]);
	if (w.marker_len >= sizeof(w.buf) / 2) {
		fprintf(stderr, "boot_timer: the marker is too long\n");
		return 2;
	}
	log_fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (log_fd < 0) {
		fprintf(stderr, "boot_timer: %s: %s\n", argv[3], strerror(errno));
		return 2;
	}
	if (pipe(pipe_fd) < 0) {
		perror("boot_timer: pipe");
		return 2;
	}
	t0 = now_ms();
	deadline = t0 + atoi(argv[1]) * 1000LL;
	pid = spawn(argv + 5, pipe_fd[1]);
	if (pid < 0) {
		perror("boot_timer: fork");
		return 2;
	}
	close(pipe_fd[1]);
	for (;;) {
		struct pollfd pfd = { .fd = pipe_fd[0], .events = POLLIN };
		ssize_t n;

		t = now_ms();
		if (t >= deadline) {
			/* TERM first, as the timeout tools do; KILL if that is not enough. */
			kill(-pid, timed_out ? SIGKILL : SIGTERM);
			deadline = t + 5000;
			timed_out = 1;
		}
		if (poll(&pfd, 1, deadline - t) <= 0)
			continue;
		n = read(pipe_fd[0], data, sizeof(data));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		watch_feed(&w, data, n, now_ms() - t0);
		if (write(log_fd, data, n) != n)
			break;
	}
	status = wait_status(pid);
	t = now_ms() - t0;
	if (timed_out)
		status = 124;
	if (w.hello_ms < 0)
		printf("- %lld %d\n", t, status);
	else
		printf("%lld %lld %d\n", w.hello_ms, t, status);
	return 0;
}
