// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "virtio/disk.h"

#define DISK_SIZE	(16 * SZ_1M)
#define TMPFS_MAGIC	0x01021994

/* --- option parsing -------------------------------------------------- */

START_TEST(test_parse_good)
{
	struct disk_config c;
	struct err_msg e;

	ck_assert_int_eq(disk_config_parse("a.img", &c, &e), 0);
	ck_assert_str_eq(c.path, "a.img");
	ck_assert(!c.ro && !c.direct && !c.serial[0] && c.io == DISK_IO_AUTO);
	ck_assert_int_eq(disk_config_parse("/dev/vdb,ro,direct,serial=abc-01,io=uring", &c, &e), 0);
	ck_assert_str_eq(c.path, "/dev/vdb");
	ck_assert(c.ro && c.direct);
	ck_assert_str_eq(c.serial, "abc-01");
	ck_assert_int_eq(c.io, DISK_IO_URING);
	ck_assert_int_eq(disk_config_parse("x,io=aio", &c, &e), 0);
	ck_assert_int_eq(c.io, DISK_IO_AIO);
	ck_assert_int_eq(disk_config_parse("x,io=sync,serial=12345678901234567890", &c, &e), 0);
	ck_assert_int_eq(c.io, DISK_IO_SYNC);
	ck_assert_str_eq(c.serial, "12345678901234567890");
	ck_assert_int_eq(disk_config_parse("x,io=auto", &c, &e), 0);
	ck_assert_int_eq(c.io, DISK_IO_AUTO);
	ck_assert_str_eq(disk_io_name(DISK_IO_URING), "uring");
}
END_TEST

static void expect_bad(const char *arg, const char *needle)
{
	struct disk_config c;
	struct err_msg e = { 0 };

	ck_assert_int_eq(disk_config_parse(arg, &c, &e), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, needle), "'%s' not in '%s'", needle, e.text);
	ck_assert(!strchr(e.text, '\n'));
}

START_TEST(test_parse_bad)
{
	expect_bad("", "''");
	expect_bad(",ro", "',ro'");
	expect_bad("a.img,fast", "'fast'");
	expect_bad("a.img,r", "'r'");			/* no prefixes */
	expect_bad("a.img,ro=1", "'ro=1'");
	expect_bad("a.img,readonly", "'readonly'");
	expect_bad("a.img,serial=123456789012345678901", "'123456789012345678901'");
	expect_bad("a.img,serial=a b", "'a b'");
	expect_bad("a.img,serial=", "serial=");
	expect_bad("a.img,io=posix", "'posix'");
	expect_bad("a.img,io=", "''");
	expect_bad("a.img,,ro", "','");
	expect_bad("a.img,ro,", "','");
}
END_TEST

/* --- helpers ----------------------------------------------------------- */

/* A scratch directory that supports O_DIRECT if one is at hand. */
static const char *scratch_dir(void)
{
	struct statfs s;

	if (!statfs("/tmp", &s) && s.f_type != TMPFS_MAGIC)
		return "/tmp";
	return "/var/tmp";
}

static void make_file(char *path, size_t n, u64 size)
{
	int fd;

	snprintf(path, n, "%s/lkvm-disk-XXXXXX", scratch_dir());
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	close(fd);
}

static int open_disk(struct disk *d, const char *path, const char *opts, struct err_msg *e)
{
	struct disk_config c;
	char arg[4200];
	int ret;

	snprintf(arg, sizeof(arg), "%s%s", path, opts);
	ret = disk_config_parse(arg, &c, e);
	ck_assert_msg(!ret, "%s", e->text);
	c.seccomp = true;	/* io=sync workers filtered, as in lkvm */
	return disk_open(d, &c, e);
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done;
	pthread_t loop_thread;
	bool wrong_thread;
};

struct treq {
	struct disk_request r;
	struct waiter *w;
	long result;
	bool finished;
};

static void treq_done(struct disk_request *req, long result)
{
	struct treq *t = container_of(req, struct treq, r);
	struct waiter *w = t->w;

	pthread_mutex_lock(&w->lock);
	ck_assert(!t->finished);
	t->result = result;
	t->finished = true;
	w->done++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void wait_for(struct waiter *w, unsigned int n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	pthread_mutex_lock(&w->lock);
	while (w->done < n)
		ck_assert_int_eq(pthread_cond_timedwait(&w->cond, &w->lock, &ts), 0);
	pthread_mutex_unlock(&w->lock);
}

struct fixture {
	struct event_loop loop;
	struct waiter w;
	struct disk d;
	char path[256];
};

static void treq_init(struct fixture *f, struct treq *t, enum disk_op op, u64 off,
		      struct iovec *iov, unsigned int cnt, u64 len)
{
	memset(t, 0, sizeof(*t));
	t->r.op = op;
	t->r.offset = off;
	t->r.iov = iov;
	t->r.iovcnt = cnt;
	t->r.len = len;
	t->r.done = treq_done;
	t->w = &f->w;
}

static long run(struct fixture *f, enum disk_op op, u64 off, struct iovec *iov,
		unsigned int cnt, u64 len)
{
	struct treq t;
	unsigned int before = f->w.done;

	treq_init(f, &t, op, off, iov, cnt, len);
	ck_assert_int_eq(disk_submit(&f->d, &t.r), 0);
	wait_for(&f->w, before + 1);
	return t.result;
}

static long run_buf(struct fixture *f, enum disk_op op, u64 off, void *buf, u64 len)
{
	struct iovec iov = { buf, len };

	return run(f, op, off, &iov, 1, 0);
}

/* Completions (and io=aio's and io=uring's reaping) under the event loop's filter, as in lkvm. */
static const struct seccomp_target loop_filter = {
	.type = SECCOMP_EVENT_LOOP, .vm_fd = -1, .vcpu_fd = -1,
};

static void fixture_start(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->w.lock, NULL);
	pthread_cond_init(&f->w.cond, NULL);
	ck_assert_int_eq(event_loop_init(&f->loop), 0);
	ck_assert_int_eq(event_loop_start(&f->loop, &loop_filter), 0);
}

static void fixture_stop(struct fixture *f)
{
	event_loop_stop(&f->loop);
	disk_close(&f->d);
	event_loop_destroy(&f->loop);
	if (f->path[0])
		unlink(f->path);
}

static void fill_random(u8 *p, u64 n, unsigned int seed)
{
	u64 i;

	for (i = 0; i < n; i++)
		p[i] = rand_r(&seed);
}

static bool all_zero(const u8 *p, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* --- open errors ------------------------------------------------------- */

START_TEST(test_open_missing)
{
	struct disk d;
	struct err_msg e = { 0 };

	ck_assert_int_lt(open_disk(&d, "/nonexistent/lkvm.img", "", &e), 0);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, "'/nonexistent/lkvm.img'"), "%s", e.text);
	ck_assert_msg(strstr(e.text, strerror(ENOENT)), "%s", e.text);
}
END_TEST

START_TEST(test_open_bad_size)
{
	struct disk d;
	struct err_msg e = { 0 };
	char path[256];

	make_file(path, sizeof(path), 1000);
	ck_assert_int_eq(open_disk(&d, path, "", &e), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, "1000 bytes") && strstr(e.text, "truncate -s 1024"), "%s", e.text);
	ck_assert_int_eq(truncate(path, 0), 0);
	ck_assert_int_eq(open_disk(&d, path, "", &e), -EINVAL);
	ck_assert_msg(strstr(e.text, "empty"), "%s", e.text);
	unlink(path);
}
END_TEST

START_TEST(test_open_locked)
{
	struct disk a, b, c;
	struct err_msg e = { 0 };
	char path[256];

	make_file(path, sizeof(path), SZ_1M);
	ck_assert_int_eq(open_disk(&a, path, ",io=sync", &e), 0);
	ck_assert(a.locked);
	ck_assert_int_eq(open_disk(&b, path, ",io=sync", &e), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, "in use by another process (locked)") && strstr(e.text, path),
		      "%s", e.text);
	/* A read-only user conflicts with a writer too... */
	ck_assert_int_eq(open_disk(&b, path, ",ro,io=sync", &e), -EINVAL);
	disk_close(&a);
	/* ...but read-only users share, and the lock goes with the disk. */
	ck_assert_int_eq(open_disk(&b, path, ",ro,io=sync", &e), 0);
	ck_assert_int_eq(open_disk(&c, path, ",ro,io=sync", &e), 0);
	ck_assert_int_eq(open_disk(&a, path, ",io=sync", &e), -EINVAL);
	disk_close(&b);
	disk_close(&c);
	ck_assert_int_eq(open_disk(&a, path, ",io=sync", &e), 0);
	ck_assert_int_eq(a.size, SZ_1M);
	disk_close(&a);
	unlink(path);
}
END_TEST

START_TEST(test_open_auto)
{
	struct disk d;
	struct err_msg e = { 0 };
	char path[256];

	make_file(path, sizeof(path), SZ_1M);
	ck_assert_int_eq(open_disk(&d, path, "", &e), 0);
	ck_assert_int_ne(d.io, DISK_IO_AUTO);
	printf("test_disk: io=auto chose %s here\n", disk_io_name(d.io));
	disk_close(&d);
	unlink(path);
}
END_TEST

/* --- each backend ------------------------------------------------------ */

struct variant {
	enum disk_io io;
	bool direct;
};

static const struct variant variants[] = {
	{ DISK_IO_AIO, false }, { DISK_IO_URING, false }, { DISK_IO_SYNC, false },
	{ DISK_IO_AIO, true }, { DISK_IO_URING, true }, { DISK_IO_SYNC, true },
};

/* Opens the variant's disk, or says why this host cannot and returns false. */
static bool variant_open(struct fixture *f, int i, const char *extra)
{
	const struct variant *v = &variants[i];
	struct err_msg e = { 0 };
	char opts[64];
	int ret;

	fixture_start(f);
	make_file(f->path, sizeof(f->path), DISK_SIZE);
	snprintf(opts, sizeof(opts), ",io=%s%s%s", disk_io_name(v->io),
		 v->direct ? ",direct" : "", extra);
	ret = open_disk(&f->d, f->path, opts, &e);
	if (ret && ((v->io == DISK_IO_URING && strstr(e.text, "io_uring")) ||
		    (v->direct && strstr(e.text, "O_DIRECT")))) {
		printf("test_disk: skipping io=%s%s: %s\n", disk_io_name(v->io),
		       v->direct ? ",direct" : "", e.text);
		fixture_stop(f);
		return false;
	}
	ck_assert_msg(!ret, "%s", e.text);
	ck_assert_int_eq(f->d.io, v->io);
	ck_assert_int_eq(disk_attach(&f->d, &f->loop), 0);
	return true;
}

/* Splits len bytes of buf into iovecs of the given sizes (last takes the rest). */
static unsigned int split(struct iovec *iov, u8 *buf, u64 len, const u64 *sizes, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && len; i++) {
		u64 s = i == n - 1 ? len : MIN(sizes[i], len);

		iov[i].iov_base = buf;
		iov[i].iov_len = s;
		buf += s;
		len -= s;
	}
	return i;
}

START_TEST(test_rw)
{
	static const u64 odd[] = { 1, 511, 4096, 333, 70000, 0 };
	static const u64 aligned[] = { 4096, 61440, 12288, 4096, 0 };
	bool direct = variants[_i].direct;
	u64 offs[] = { 0, 3 * SZ_1M + 4096, DISK_SIZE - SZ_1M, 5 * SZ_1M + 12345 };
	unsigned int k, n, nr_offs = direct ? 3 : 4;
	struct fixture f;
	struct iovec iov[8];
	u8 *wbuf, *rbuf;

	if (!variant_open(&f, _i, ""))
		return;
	ck_assert_int_eq(posix_memalign((void **)&wbuf, SZ_4K, SZ_1M + SZ_4K), 0);
	ck_assert_int_eq(posix_memalign((void **)&rbuf, SZ_4K, SZ_1M + SZ_4K), 0);
	for (k = 0; k < nr_offs; k++) {
		fill_random(wbuf, SZ_1M, k + 1);
		n = split(iov, wbuf, SZ_1M, direct ? aligned : odd,
			  direct ? ARRAY_SIZE(aligned) : ARRAY_SIZE(odd));
		ck_assert_int_eq(run(&f, DISK_WRITE, offs[k], iov, n, 0), SZ_1M);
	}
	ck_assert_int_eq(run(&f, DISK_FLUSH, 0, NULL, 0, 0), 0);
	for (k = 0; k < nr_offs; k++) {
		fill_random(wbuf, SZ_1M, k + 1);
		memset(rbuf, 0xaa, SZ_1M);
		n = split(iov, rbuf, SZ_1M, direct ? aligned : odd,
			  direct ? ARRAY_SIZE(aligned) : ARRAY_SIZE(odd));
		ck_assert_int_eq(run(&f, DISK_READ, offs[k], iov, n, 0), SZ_1M);
		ck_assert_msg(!memcmp(wbuf, rbuf, SZ_1M), "data at %llu differs",
			      (unsigned long long)offs[k]);
	}
	/* Buffers O_DIRECT cannot take go through a bounce buffer. */
	fill_random(wbuf + 1, 8192, 99);
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, 8192, wbuf + 1, 8192), 8192);
	ck_assert_int_eq(run_buf(&f, DISK_READ, 8192, rbuf + 3, 8192), 8192);
	ck_assert(!memcmp(wbuf + 1, rbuf + 3, 8192));
	free(wbuf);
	free(rbuf);
	fixture_stop(&f);
}
END_TEST

START_TEST(test_discard_zeroes)
{
	struct fixture f;
	u8 *buf;

	if (!variant_open(&f, _i, ""))
		return;
	ck_assert_int_eq(posix_memalign((void **)&buf, SZ_4K, SZ_1M), 0);
	memset(buf, 0x5a, SZ_1M);
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, 2 * SZ_1M, buf, SZ_1M), SZ_1M);
	ck_assert_int_eq(run(&f, DISK_DISCARD, 2 * SZ_1M, NULL, 0, 256 * 1024), 0);
	ck_assert_int_eq(run_buf(&f, DISK_READ, 2 * SZ_1M, buf, SZ_1M), SZ_1M);
	/* ext4, xfs, btrfs punch holes; elsewhere discard may keep data. */
	if (!all_zero(buf, 256 * 1024))
		printf("test_disk: discard kept the data on this filesystem (advisory)\n");
	ck_assert_int_eq(buf[256 * 1024], 0x5a);
	ck_assert_int_eq(run(&f, DISK_WRITE_ZEROES, 2 * SZ_1M + 512 * 1024, NULL, 0, 4096 * 3), 0);
	ck_assert_int_eq(run_buf(&f, DISK_READ, 2 * SZ_1M, buf, SZ_1M), SZ_1M);
	ck_assert(all_zero(buf + 512 * 1024, 4096 * 3));
	ck_assert_int_eq(buf[512 * 1024 - 1], 0x5a);
	ck_assert_int_eq(buf[512 * 1024 + 4096 * 3], 0x5a);
	ck_assert_int_eq(run(&f, DISK_DISCARD, 0, NULL, 0, 0), 0);
	free(buf);
	fixture_stop(&f);
}
END_TEST

/* tmpfs has no FALLOC_FL_ZERO_RANGE: write-zeroes falls back to writing. */
START_TEST(test_write_zeroes_fallback)
{
	struct statfs sfs;
	struct fixture f;
	struct err_msg e = { 0 };
	char opts[32];
	u8 *buf;
	int fd, k;

	if (statfs("/dev/shm", &sfs) || sfs.f_type != TMPFS_MAGIC) {
		printf("test_disk: skipping the write-zeroes fallback: no tmpfs at /dev/shm\n");
		return;
	}
	fixture_start(&f);
	strcpy(f.path, "/dev/shm/lkvm-disk-XXXXXX");
	fd = mkstemp(f.path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(posix_memalign((void **)&buf, SZ_4K, 4 * SZ_4K), 0);
	memset(buf, 0xff, 4 * SZ_4K);
	ck_assert_int_eq(pwrite(fd, buf, 4 * SZ_4K, 0), 4 * SZ_4K);
	close(fd);
	snprintf(opts, sizeof(opts), ",io=%s", disk_io_name(variants[_i].io));
	if (open_disk(&f.d, f.path, opts, &e)) {
		printf("test_disk: skipping the write-zeroes fallback for %s: %s\n", opts, e.text);
		fixture_stop(&f);
		return;
	}
	ck_assert_int_eq(disk_attach(&f.d, &f.loop), 0);
	/* Twice: uring learns on the first that the file refuses it. */
	for (k = 1; k <= 2; k++) {
		ck_assert_int_eq(run(&f, DISK_WRITE_ZEROES, k * SZ_4K, NULL, 0, 1000), 0);
		ck_assert_int_eq(run_buf(&f, DISK_READ, 0, buf, 4 * SZ_4K), 4 * SZ_4K);
		ck_assert(all_zero(buf + k * SZ_4K, 1000));
		ck_assert_int_eq(buf[k * SZ_4K - 1], 0xff);
		ck_assert_int_eq(buf[k * SZ_4K + 1000], 0xff);
	}
	free(buf);
	fixture_stop(&f);
}
END_TEST

START_TEST(test_readonly)
{
	struct fixture f;
	struct err_msg e = { 0 };
	char path[256];
	u8 *buf;
	int fd;

	if (!variant_open(&f, _i, ""))
		return;
	ck_assert_int_eq(posix_memalign((void **)&buf, SZ_4K, SZ_4K), 0);
	memset(buf, 0x77, SZ_4K);
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, 0, buf, SZ_4K), SZ_4K);
	strcpy(path, f.path);
	f.path[0] = '\0';
	fixture_stop(&f);
	fixture_start(&f);
	strcpy(f.path, path);
	ck_assert_int_eq(open_disk(&f.d, f.path, variants[_i].direct ? ",ro,direct" : ",ro", &e), 0);
	ck_assert_int_eq(disk_attach(&f.d, &f.loop), 0);
	memset(buf, 0x11, SZ_4K);
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, 0, buf, SZ_4K), -EROFS);
	ck_assert_int_eq(run(&f, DISK_DISCARD, 0, NULL, 0, SZ_4K), -EROFS);
	ck_assert_int_eq(run(&f, DISK_WRITE_ZEROES, 0, NULL, 0, SZ_4K), -EROFS);
	ck_assert_int_eq(run(&f, DISK_FLUSH, 0, NULL, 0, 0), 0);
	fd = open(f.path, O_RDONLY);
	ck_assert_int_eq(pread(fd, buf, SZ_4K, 0), SZ_4K);
	close(fd);
	ck_assert_int_eq(buf[0], 0x77);
	ck_assert_int_eq(buf[SZ_4K - 1], 0x77);
	free(buf);
	fixture_stop(&f);
}
END_TEST

START_TEST(test_out_of_range)
{
	struct fixture f;
	struct stat st;
	struct iovec iov[2];
	u8 *buf;

	if (!variant_open(&f, _i, ""))
		return;
	ck_assert_int_eq(posix_memalign((void **)&buf, SZ_4K, 2 * SZ_4K), 0);
	ck_assert_int_eq(run_buf(&f, DISK_READ, DISK_SIZE, buf, SZ_4K), -EINVAL);
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, DISK_SIZE - SZ_4K, buf, 2 * SZ_4K), -EINVAL);
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, UINT64_MAX - 511, buf, SZ_4K), -EINVAL);
	ck_assert_int_eq(run(&f, DISK_DISCARD, DISK_SIZE - 512, NULL, 0, 1024), -EINVAL);
	ck_assert_int_eq(run(&f, DISK_WRITE_ZEROES, 512, NULL, 0, UINT64_MAX), -EINVAL);
	/* iovec lengths that wrap a 64-bit sum */
	iov[0].iov_base = buf;
	iov[0].iov_len = SZ_4K;
	iov[1].iov_base = buf;
	iov[1].iov_len = SIZE_MAX - SZ_4K + 2;
	ck_assert_int_eq(run(&f, DISK_READ, 0, iov, 2, 0), -EINVAL);
	/* The last sector is fine. */
	ck_assert_int_eq(run_buf(&f, DISK_WRITE, DISK_SIZE - SZ_4K, buf, SZ_4K), SZ_4K);
	ck_assert_int_eq(stat(f.path, &st), 0);
	ck_assert_int_eq(st.st_size, DISK_SIZE);
	free(buf);
	fixture_stop(&f);
}
END_TEST

#define NR_MANY	200

START_TEST(test_many_in_flight)
{
	struct fixture f;
	struct treq *t = calloc(NR_MANY, sizeof(*t));
	struct iovec *iov = calloc(NR_MANY, sizeof(*iov));
	u8 *buf;
	int i;

	if (!variant_open(&f, _i, ""))
		return;
	ck_assert_int_eq(posix_memalign((void **)&buf, SZ_4K, NR_MANY * SZ_4K), 0);
	for (i = 0; i < NR_MANY; i++) {
		memset(buf + i * SZ_4K, i, SZ_4K);
		iov[i].iov_base = buf + i * SZ_4K;
		iov[i].iov_len = SZ_4K;
		treq_init(&f, &t[i], DISK_WRITE, (u64)i * 7 * SZ_4K, &iov[i], 1, 0);
		ck_assert_int_eq(disk_submit(&f.d, &t[i].r), 0);
	}
	wait_for(&f.w, NR_MANY);
	memset(buf, 0, NR_MANY * SZ_4K);
	for (i = 0; i < NR_MANY; i++) {
		ck_assert_int_eq(t[i].result, SZ_4K);
		treq_init(&f, &t[i], i % 50 ? DISK_READ : DISK_FLUSH, (u64)i * 7 * SZ_4K, &iov[i], 1, 0);
		ck_assert_int_eq(disk_submit(&f.d, &t[i].r), 0);
	}
	wait_for(&f.w, 2 * NR_MANY);
	for (i = 0; i < NR_MANY; i++) {
		if (t[i].r.op == DISK_FLUSH)
			continue;
		ck_assert_int_eq(t[i].result, SZ_4K);
		ck_assert_int_eq(buf[i * SZ_4K], (u8)i);
		ck_assert_int_eq(buf[i * SZ_4K + SZ_4K - 1], (u8)i);
	}
	free(buf);
	free(iov);
	free(t);
	fixture_stop(&f);
}
END_TEST

START_TEST(test_submit_errors)
{
	struct fixture f;
	struct treq t;

	if (!variant_open(&f, _i, ""))
		return;
	treq_init(&f, &t, DISK_FLUSH, 0, NULL, 0, 0);
	t.r.done = NULL;
	ck_assert_int_eq(disk_submit(&f.d, &t.r), -EINVAL);
	treq_init(&f, &t, (enum disk_op)42, 0, NULL, 0, 0);
	ck_assert_int_eq(disk_submit(&f.d, &t.r), -EINVAL);
	ck_assert_uint_eq(f.w.done, 0);
	fixture_stop(&f);
}
END_TEST

static Suite *disk_suite(void)
{
	Suite *s = suite_create("disk");
	TCase *tc = tcase_create("config");
	int n = ARRAY_SIZE(variants);

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_open_missing);
	tcase_add_test(tc, test_open_bad_size);
	tcase_add_test(tc, test_open_locked);
	tcase_add_test(tc, test_open_auto);
	suite_add_tcase(s, tc);
	tc = tcase_create("backends");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_rw, 0, n);
	tcase_add_loop_test(tc, test_discard_zeroes, 0, n);
	tcase_add_loop_test(tc, test_write_zeroes_fallback, 0, 3);
	tcase_add_loop_test(tc, test_readonly, 0, n);
	tcase_add_loop_test(tc, test_out_of_range, 0, n);
	tcase_add_loop_test(tc, test_many_in_flight, 0, n);
	tcase_add_loop_test(tc, test_submit_errors, 0, n);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(disk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
