// SPDX-License-Identifier: GPL-2.0
/*
 * Times one command from exec to exit, without a shell or an interpreter in
 * the measured span: the clock is read just before posix_spawn and just
 * after waitpid. Standard input, output and error go to /dev/null.
 *
 *   spawn_time COMMAND [ARG...]
 *
 * Prints "MILLISECONDS STATUS" (STATUS: the exit code, or 128+N after
 * signal N) and exits 0, or exits 1 when the command could not start.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	double t0, t1;
	pid_t pid;
	int st, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: spawn_time COMMAND [ARG...]\n");
		return 1;
	}
	posix_spawn_file_actions_init(&fa);
	for (fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
	t0 = now_ms();
	if (posix_spawnp(&pid, argv[1], &fa, NULL, argv + 1, environ)) {
		perror(argv[1]);
		return 1;
	}
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	t1 = now_ms();
	printf("%.3f %d\n", t1 - t0, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
