// SPDX-License-Identifier: GPL-2.0
/*
 * Disk throughput as a guest (or the host under it) sees it: sequential
 * 1 MiB reads and writes and 4 KiB random reads and writes at queue depth
 * 1, on a block device or file. Built static so it runs in the default
 * guest's busybox initramfs.
 *
 *   diskbench [-b] PATH MiB     (-b: buffered; default O_DIRECT)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK	(1 << 20)
#define RAND_BLOCK	4096
#define RAND_SECONDS	3.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double seq(int fd, char *buf, long long size, int write_it)
{
	double t = now();
	long long off;

	for (off = 0; off < size; off += SEQ_BLOCK) {
		ssize_t n = write_it ? pwrite(fd, buf, SEQ_BLOCK, off) : pread(fd, buf, SEQ_BLOCK, off);

		if (n != SEQ_BLOCK) {
			perror("diskbench: sequential I/O");
			exit(1);
		}
	}
	if (write_it && fdatasync(fd)) {
		perror("diskbench: fdatasync");
		exit(1);
	}
	return size / (now() - t) / 1e6;
}

static double rnd(int fd, char *buf, long long size, int write_it)
{
	long long blocks = size / RAND_BLOCK, ops = 0;
	double t = now(), end = t + RAND_SECONDS;
	unsigned int seed = 12345;

	while (now() < end) {
		off_t off = (off_t)(rand_r(&seed) % blocks) * RAND_BLOCK;
		ssize_t n = write_it ? pwrite(fd, buf, RAND_BLOCK, off) : pread(fd, buf, RAND_BLOCK, off);

		if (n != RAND_BLOCK) {
			perror("diskbench: random I/O");
			exit(1);
		}
		ops++;
	}
	return ops / (now() - t);
}

int main(int argc, char **argv)
{
	int direct = 1, fd;
	long long size;
	char *buf;

	if (argc > 1 && !strcmp(argv[1], "-b")) {
		direct = 0;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: diskbench [-b] PATH MiB\n");
		return 2;
	}
	size = atoll(argv[2]) << 20;
	fd = open(argv[1], O_RDWR | (direct ? O_DIRECT : 0));
	if (fd < 0 || posix_memalign((void **)&buf, 4096, SEQ_BLOCK)) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 0x5a, SEQ_BLOCK);
	printf("BENCH seqwrite_MBps=%.0f", seq(fd, buf, size, 1));
	printf(" seqread_MBps=%.0f", seq(fd, buf, size, 0));
	printf(" randread_iops=%.0f", rnd(fd, buf, size, 0));
	printf(" randwrite_iops=%.0f\n", rnd(fd, buf, size, 1));
	return 0;
}
