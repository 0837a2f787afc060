// SPDX-License-Identifier: GPL-2.0
/*
 * 4 KiB random reads at a fixed queue depth through each disk backend.
 *
 *   bench/disk_backend [FILE [SECONDS [QD]]]   (default /var/tmp/lkvm-bench.img, 5, 32)
 *
 * The file is made 256 MiB and filled once; every run uses ',direct' so
 * the page cache does not answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "virtio/disk.h"

#define FILE_SIZE	(256 * SZ_1M)
#define BLOCK		SZ_4K
#define MAX_QD		256

struct bench {
	struct disk d;
	struct disk_request reqs[MAX_QD];
	struct iovec iov[MAX_QD];
	u64 seed;
	u64 done;
	u64 errors;
	bool stop;
	unsigned int active;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static u64 next_offset(struct bench *b)
{
	b->seed = b->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((b->seed >> 20) % (FILE_SIZE / BLOCK)) * BLOCK;
}

/* Event-loop thread: count, and send the slot out again. */
static void bench_done(struct disk_request *req, long result)
{
	struct bench *b = req->opaque;

	if (result != BLOCK)
		b->errors++;
	b->done++;
	if (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
		req->offset = next_offset(b);
		if (!disk_submit(&b->d, req))
			return;
	}
	pthread_mutex_lock(&b->lock);
	b->active--;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static int prepare_file(const char *path)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	u64 off;

	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && (u64)st.st_size == FILE_SIZE)
		goto out;
	buf = malloc(SZ_1M);
	memset(buf, 0x5a, SZ_1M);
	for (off = 0; off < FILE_SIZE; off += SZ_1M)
		if (pwrite(fd, buf, SZ_1M, off) != (ssize_t)SZ_1M)
			break;
	free(buf);
	fsync(fd);
out:
	close(fd);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const char *path, enum disk_io io, double secs, unsigned int qd)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct event_loop loop;
	struct disk_config c;
	struct err_msg e;
	char arg[4200];
	unsigned int i;
	double t0, t;
	u8 *bufs;

	snprintf(arg, sizeof(arg), "%s,direct,io=%s", path, disk_io_name(io));
	if (disk_config_parse(arg, &c, &e) || disk_open(&b->d, &c, &e)) {
		printf("%-6s skipped: %s\n", disk_io_name(io), e.text);
		free(b);
		return 0;
	}
	if (posix_memalign((void **)&bufs, SZ_4K, qd * BLOCK))
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->seed = 42;
	event_loop_init(&loop);
	disk_attach(&b->d, &loop);
	event_loop_start(&loop);
	t0 = now();
	b->active = qd;
	for (i = 0; i < qd; i++) {
		struct disk_request *r = &b->reqs[i];

		b->iov[i].iov_base = bufs + i * BLOCK;
		b->iov[i].iov_len = BLOCK;
		r->op = DISK_READ;
		r->iov = &b->iov[i];
		r->iovcnt = 1;
		r->done = bench_done;
		r->opaque = b;
		pthread_mutex_lock(&b->lock);	/* next_offset's seed is shared */
		r->offset = next_offset(b);
		pthread_mutex_unlock(&b->lock);
		disk_submit(&b->d, r);
	}
	usleep(secs * 1e6);
	__atomic_store_n(&b->stop, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&b->lock);
	while (b->active)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	t = now() - t0;
	printf("%-6s qd=%u  %8.0f IOPS  (%llu reads, %llu errors, %.1f s)\n",
	       disk_io_name(io), qd, b->done / t, (unsigned long long)b->done,
	       (unsigned long long)b->errors, t);
	event_loop_stop(&loop);
	disk_close(&b->d);
	event_loop_destroy(&loop);
	free(bufs);
	free(b);
	return 0;
}

int main(int argc, char **argv)
{
	static const enum disk_io ios[] = { DISK_IO_URING, DISK_IO_AIO, DISK_IO_SYNC };
	const char *path = argc > 1 ? argv[1] : "/var/tmp/lkvm-bench.img";
	double secs = argc > 2 ? atof(argv[2]) : 5;
	unsigned int qd = argc > 3 ? atoi(argv[3]) : 32, i;

	if (qd < 1 || qd > MAX_QD || prepare_file(path)) {
		fprintf(stderr, "usage: %s [FILE [SECONDS [QD (1-%d)]]]\n", argv[0], MAX_QD);
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(ios); i++)
		run(path, ios[i], secs, qd);
	return 0;
}
