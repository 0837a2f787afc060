// SPDX-License-Identifier: GPL-2.0
/*
 * A guest-side AF_VSOCK tool for the tests (busybox has none), built static
 * into the default guest:
 *
 *   vsock-echo listen PORT       accepts one connection, sends back every
 *                                byte it reads, exits when the peer closes
 *   vsock-echo send CID PORT     sends stdin to CID:PORT, prints the answer
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Copies in to out until in ends; 0, or -1 on an error. */
static int pump(int in, int out)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			return 0;
		if (write_all(out, buf, n))
			return -1;
	}
}

static int listen_echo(unsigned int port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				 .svm_port = port };
	int s = socket(AF_VSOCK, SOCK_STREAM, 0), c;

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("vsock-echo: listen");
		return 1;
	}
	printf("vsock-echo: listening on port %u\n", port);
	fflush(stdout);
	c = accept(s, NULL, NULL);
	if (c < 0) {
		perror("vsock-echo: accept");
		return 1;
	}
	return pump(c, c) ? 1 : 0;
}

static int send_stdin(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = cid, .svm_port = port };
	int s = socket(AF_VSOCK, SOCK_STREAM, 0), status, ret;
	pid_t child;

	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("vsock-echo: connect");
		return 1;
	}
	/* A child writes while this process reads: the echo cannot fill both ways and stall. */
	child = fork();
	if (child < 0) {
		perror("vsock-echo: fork");
		return 1;
	}
	if (!child)
		_exit(pump(0, s) || shutdown(s, SHUT_WR) ? 1 : 0);
	ret = pump(s, 1);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		ret = -1;
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return listen_echo(strtoul(argv[2], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "send"))
		return send_stdin(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: vsock-echo listen PORT | send CID PORT\n");
	return 2;
}
