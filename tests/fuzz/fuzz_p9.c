// SPDX-License-Identifier: GPL-2.0
/*
 * 9P2000.L (virtio/p9_proto.c and virtio/p9_fs.c): the input is a session
 * of messages, each a 16-bit length and that many bytes (whose own size
 * field may say anything), parsed and then served by a share of a
 * scratch directory, read-write or read-only. Requests and replies sit in
 * buffers of exactly their length. A reply never exceeds its buffer and
 * says its own length; after the session a reset leaves no fid behind.
 *
 * The server confines the guest with openat2(RESOLVE_BENEATH), but a
 * fuzzer should not bet the host on it: run as root, the target gives up
 * root for nobody before it serves anything.
 */
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "virtio/p9_fs.h"
#include "virtio/p9_proto.h"

#define MSIZE		8192
#define NOBODY		65534

static const u32 caps[] = { MSIZE, 4096, 0, 1, 7, 11, 12, 100 };

static char dir[] = "/tmp/lkvm-fuzz-p9-XXXXXX";
static struct p9_fs *fs_rw, *fs_ro;

/* What the share holds at the start of each session, put back if the last one removed it. */
static void populate(void)
{
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "%s/a", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (pwrite(fd, "hello, 9p\n", 10, 0) < 0)
			perror("fuzz_p9: a");
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/dir", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/dir/b", dir);
	close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	snprintf(p, sizeof(p), "%s/up", dir);
	symlink("../../../../etc/passwd", p);
	snprintf(p, sizeof(p), "%s/abs", dir);
	symlink("/etc/shadow", p);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	mkfifo(p, 0644);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_share(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void drop_root(void)
{
	if (geteuid())
		return;
	if (chown(dir, NOBODY, NOBODY) || setgroups(0, NULL) || setgid(NOBODY) ||
	    setuid(NOBODY)) {
		perror("fuzz_p9: cannot become nobody");
		abort();
	}
	/* Changing uid made us undumpable: /proc/self/fd would be root's. */
	prctl(PR_SET_DUMPABLE, 1);
}

static void setup(void)
{
	struct err_msg e;

	if (fs_rw)
		return;
	if (!mkdtemp(dir)) {
		perror("fuzz_p9: mkdtemp");
		abort();
	}
	drop_root();
	atexit(remove_share);
	populate();
	fs_rw = p9_fs_create(dir, false, MSIZE, &e);
	fs_ro = fs_rw ? p9_fs_create(dir, true, MSIZE, &e) : NULL;
	if (!fs_ro) {
		fprintf(stderr, "fuzz_p9: %s\n", e.text);
		abort();
	}
}

/* One request, parsed and served; the reply must be well-formed. */
static void serve(struct p9_fs *fs, const u8 *msg, u32 len, u32 cap)
{
	u8 *req = malloc(len ? len : 1), *reply = malloc(cap ? cap : 1);
	struct p9_req r;
	u32 n, size;
	u16 tag;

	if (!req || !reply)
		goto out;
	memcpy(req, msg, len);
	p9_parse(req, len, &r);
	n = p9_fs_handle(fs, req, len, reply, cap);
	FUZZ_CHECK(n <= cap, "a %u-byte reply in %u bytes", n, cap);
	FUZZ_CHECK(n || cap < P9_RLERROR_SIZE, "no reply in %u bytes", cap);
	if (n) {
		memcpy(&size, reply, 4);
		memcpy(&tag, reply + 5, 2);
		FUZZ_CHECK(size == n, "reply size field %u, length %u", size, n);
		FUZZ_CHECK(n >= P9_HDR_SIZE, "a %u-byte reply", n);
		if (len >= P9_HDR_SIZE)
			FUZZ_CHECK(tag == r.tag, "reply tag %u for request tag %u", tag, r.tag);
	}
out:
	free(req);
	free(reply);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct p9_fs *fs;
	u8 mode;
	u32 cap;

	setup();
	mode = take_u8(&in);
	fs = mode & 1 ? fs_ro : fs_rw;
	cap = caps[(mode >> 1) % ARRAY_SIZE(caps)];
	while (in.n) {
		size_t len = take_u16(&in);

		len = MIN(len, in.n);
		serve(fs, in.p, len, cap);
		in.p += len;
		in.n -= len;
	}
	p9_fs_reset(fs);
	FUZZ_CHECK(p9_fs_nr_fids(fs) == 0, "%u fids after a reset", p9_fs_nr_fids(fs));
	populate();
	return 0;
}
