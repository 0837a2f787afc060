// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-balloon (virtio 1.x, section 5.5): the host sets a target
 * (num_pages), the driver inflates towards it and we drop the pages it
 * gives us (MADV_DONTNEED: they read back as zeroes when touched again);
 * deflated pages simply fault back in. The statistics queue keeps one
 * driver buffer: we hold it, and hand it back when someone wants fresh
 * numbers, which the driver answers with a new buffer.
 *
 * Everything is under dev->lock: the event loop serves the queues, the
 * control socket's commands may come from any thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <sys/mman.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_ids.h>

#include "../core/vm.h"
#include "balloon.h"

#define BALLOON_QUEUE_SIZE	128
#define INFLATEQ		0
#define DEFLATEQ		1
#define STATSQ			2
#define BALLOON_PAGE		(1ULL << VIRTIO_BALLOON_PFN_SHIFT)
#define PAGES_PER_MIB		(SZ_1M / BALLOON_PAGE)
#define BALLOON_MAX_PFNS	4096	/* per chain, the rest ignored; Linux sends <= 256 */
#define BALLOON_MAX_STATS	64	/* entries read per answer; Linux sends 10 */
#define STAT_ENTRY_SIZE		10	/* le16 tag, le64 value, packed */
#define BALLOON_BUDGET		64	/* chains per turn of the event loop */

struct virtio_balloon {
	struct virtio_dev vdev;
	struct virtio_balloon_config config;	/* num_pages and actual only */
	size_t host_page;
	bool stats_held;		/* stats_head is the driver's buffer, ours to return */
	u16 stats_head;
	u64 stats_seq;			/* answers received */
	struct balloon_stats stats;
	pthread_cond_t stats_cond;	/* stats_seq moved */
	struct virtq_elem elem;
};

static const size_t stat_field[BALLOON_STAT_NR] = {
	[BALLOON_STAT_SWAP_IN] = offsetof(struct balloon_stats, swap_in),
	[BALLOON_STAT_SWAP_OUT] = offsetof(struct balloon_stats, swap_out),
	[BALLOON_STAT_MAJOR_FAULTS] = offsetof(struct balloon_stats, major_faults),
	[BALLOON_STAT_MINOR_FAULTS] = offsetof(struct balloon_stats, minor_faults),
	[BALLOON_STAT_FREE_MEMORY] = offsetof(struct balloon_stats, free_memory),
	[BALLOON_STAT_TOTAL_MEMORY] = offsetof(struct balloon_stats, total_memory),
	[BALLOON_STAT_AVAILABLE_MEMORY] = offsetof(struct balloon_stats, available_memory),
	[BALLOON_STAT_DISK_CACHES] = offsetof(struct balloon_stats, disk_caches),
	[BALLOON_STAT_HUGETLB_ALLOCATIONS] = offsetof(struct balloon_stats, hugetlb_allocations),
	[BALLOON_STAT_HUGETLB_FAILURES] = offsetof(struct balloon_stats, hugetlb_failures),
};

/* Host memory the guest gave up, gathered so that neighbours cost one madvise. */
struct discard_run {
	u8 *start;
	size_t len;
	size_t host_page;
};

static void run_flush(struct discard_run *r)
{
	/*
	 * Only host pages the guest gave up whole: with 16K or 64K host
	 * pages, discarding a partly given one would zero live guest data.
	 */
	uintptr_t s = ALIGN_UP((uintptr_t)r->start, r->host_page);
	uintptr_t e = ALIGN_DOWN((uintptr_t)r->start + r->len, r->host_page);

	if (r->len && e > s)
		madvise((void *)s, e - s, MADV_DONTNEED);
	r->len = 0;
}

static void run_add(struct discard_run *r, u8 *page)
{
	if (r->len && page == r->start + r->len) {
		r->len += BALLOON_PAGE;
		return;
	}
	run_flush(r);
	r->start = page;
	r->len = BALLOON_PAGE;
}

/* Pages outside RAM are the driver's mistake: nothing to give back. */
static void discard_pfn(struct virtio_balloon *b, struct discard_run *run, u32 le_pfn)
{
	u64 gpa = (u64)le32toh(le_pfn) << VIRTIO_BALLOON_PFN_SHIFT;
	u8 *page = guest_ptr(&b->vdev.vm->mem, gpa, BALLOON_PAGE);

	if (page)
		run_add(run, page);
}

/* The chain's readable part is an array of le32 PFNs; a ragged tail is ignored. */
static void inflate(struct virtio_balloon *b, const struct virtq_elem *e)
{
	struct discard_run run = { .host_page = b->host_page };
	unsigned int i, have = 0, budget = BALLOON_MAX_PFNS;
	u8 word[4];
	size_t l;
	u32 pfn;

	for (i = 0; i < e->n_out && budget; i++) {
		const u8 *p = e->iov[i].iov_base;

		/* Byte by byte: a PFN may straddle two buffers. */
		for (l = 0; l < e->iov[i].iov_len && budget; l++) {
			word[have++] = p[l];
			if (have < sizeof(word))
				continue;
			have = 0;
			budget--;
			memcpy(&pfn, word, sizeof(pfn));
			discard_pfn(b, &run, pfn);
		}
	}
	run_flush(&run);
}

/* Inflate and deflate: deflated pages need nothing, they fault back in when touched. */
static void pages_kick(struct virtio_balloon *b, struct virtq *vq)
{
	struct virtio_dev *dev = &b->vdev;
	unsigned int budget = BALLOON_BUDGET;
	int ret;

	while (budget--) {
		ret = virtq_pop(vq, &dev->vm->mem, &b->elem);
		if (ret < 0)
			virtio_set_needs_reset(dev);
		if (ret <= 0)
			return;
		if (vq->index == INFLATEQ)
			inflate(b, &b->elem);
		virtio_queue_complete(dev, vq, b->elem.head, 0);
	}
	virtio_kick(vq);
}

/* Replaces the known statistics with those in the chain's readable part. */
static void stats_parse(struct virtio_balloon *b, const struct virtq_elem *e)
{
	u8 buf[BALLOON_MAX_STATS * STAT_ENTRY_SIZE];
	size_t got = 0, l, off;
	unsigned int i;
	u16 tag;
	u64 val;

	for (i = 0; i < e->n_out && got < sizeof(buf); i++) {
		l = MIN(e->iov[i].iov_len, sizeof(buf) - got);
		memcpy(buf + got, e->iov[i].iov_base, l);
		got += l;
	}
	memset(&b->stats, 0, sizeof(b->stats));
	for (off = 0; off + STAT_ENTRY_SIZE <= got; off += STAT_ENTRY_SIZE) {
		memcpy(&tag, buf + off, sizeof(tag));
		memcpy(&val, buf + off + sizeof(tag), sizeof(val));
		tag = le16toh(tag);
		if (tag >= BALLOON_STAT_NR)
			continue;	/* newer than us */
		*(u64 *)((u8 *)&b->stats + stat_field[tag]) = le64toh(val);
		b->stats.valid |= 1u << tag;
	}
}

static void stats_kick(struct virtio_balloon *b, struct virtq *vq)
{
	struct virtio_dev *dev = &b->vdev;
	unsigned int budget = BALLOON_BUDGET;
	int ret;

	while (budget--) {
		ret = virtq_pop(vq, &dev->vm->mem, &b->elem);
		if (ret < 0)
			virtio_set_needs_reset(dev);
		if (ret <= 0)
			return;
		/* The driver keeps one buffer posted: another means it gave up the first. */
		if (b->stats_held)
			virtio_queue_complete(dev, vq, b->stats_head, 0);
		stats_parse(b, &b->elem);
		b->stats_head = b->elem.head;
		b->stats_held = true;
		b->stats_seq++;
		pthread_cond_broadcast(&b->stats_cond);
	}
	virtio_kick(vq);
}

static void balloon_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_balloon *b = dev->priv;

	if (vq->index == STATSQ)
		stats_kick(b, vq);
	else
		pages_kick(b, vq);
}

static u64 balloon_features(struct virtio_dev *dev)
{
	(void)dev;
	/* Not MUST_TELL_HOST: deflating needs nothing from us first. */
	return (1ULL << VIRTIO_BALLOON_F_STATS_VQ) | (1ULL << VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
}

static void balloon_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct virtio_balloon *b = dev->priv;

	memcpy(data, (u8 *)&b->config + offset, len);
}

/* Only 'actual' is the driver's; num_pages is ours. */
static void balloon_config_write(struct virtio_dev *dev, u32 offset, const void *data, u32 len)
{
	struct virtio_balloon *b = dev->priv;

	if (offset < offsetof(struct virtio_balloon_config, actual))
		return;
	memcpy((u8 *)&b->config + offset, data, len);
}

static void balloon_reset(struct virtio_dev *dev)
{
	struct virtio_balloon *b = dev->priv;

	/* The held buffer belonged to the old rings; the target stays the host's wish. */
	b->stats_held = false;
	b->config.actual = 0;
}

static const struct virtio_dev_ops balloon_ops = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.nr_queues = 3,
	.queue_size = BALLOON_QUEUE_SIZE,
	.features = balloon_features,
	/* The rest belongs to FREE_PAGE_HINT and PAGE_POISON, not offered. */
	.config_size = offsetof(struct virtio_balloon_config, free_page_hint_cmd_id),
	.config_read = balloon_config_read,
	.config_write = balloon_config_write,
	.queue_notify = balloon_queue_notify,
	.reset = balloon_reset,
};

int virtio_balloon_set_target(struct virtio_balloon *b, u64 mib)
{
	struct virtio_dev *dev = &b->vdev;

	if (mib > dev->vm->mem.size / SZ_1M || mib > UINT32_MAX / PAGES_PER_MIB)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	b->config.num_pages = htole32(mib * PAGES_PER_MIB);
	/* Before DRIVER_OK the driver reads the config anyway: no interrupt. */
	if (dev->transport && (dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		dev->transport->signal_config(dev);
	else
		dev->config_generation++;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

void virtio_balloon_info(struct virtio_balloon *b, u64 *target_mib, u64 *actual_mib)
{
	pthread_mutex_lock(&b->vdev.lock);
	*target_mib = le32toh(b->config.num_pages) / PAGES_PER_MIB;
	*actual_mib = le32toh(b->config.actual) / PAGES_PER_MIB;
	pthread_mutex_unlock(&b->vdev.lock);
}

/* Whether the driver is up and took the statistics queue. */
static bool stats_running(struct virtio_balloon *b)
{
	struct virtio_dev *dev = &b->vdev;
	struct virtq *vq = &dev->vqs[STATSQ];

	return (dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       (dev->guest_features & (1ULL << VIRTIO_BALLOON_F_STATS_VQ)) &&
	       vq->ready && !vq->broken;
}

static struct timespec deadline_in(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = MAX(ms, 0);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static int ms_until(const struct timespec *end)
{
	struct timespec now;
	s64 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (s64)(end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Another thread: the event loop delivers the answer. */
static int wait_cond(struct virtio_balloon *b, u64 seq, int timeout_ms)
{
	struct timespec end = deadline_in(timeout_ms);

	while (b->stats_seq == seq)
		if (pthread_cond_timedwait(&b->stats_cond, &b->vdev.lock, &end) == ETIMEDOUT)
			return b->stats_seq == seq ? -ETIMEDOUT : 0;
	return 0;
}

/*
 * The event loop thread (where the control socket is served) cannot wait
 * for itself: it watches the statistics queue's kick and serves it here.
 */
static int wait_on_loop(struct virtio_balloon *b, u64 seq, int timeout_ms)
{
	struct virtq *vq = &b->vdev.vqs[STATSQ];
	struct pollfd pfd = { .fd = vq->kick_fd, .events = POLLIN };
	struct timespec end = deadline_in(timeout_ms);
	int n, left;
	u64 count;

	while (b->stats_seq == seq) {
		left = ms_until(&end);
		if (!left)
			return -ETIMEDOUT;
		/* The vCPUs need the lock meanwhile (config space, ISR). */
		pthread_mutex_unlock(&b->vdev.lock);
		n = poll(&pfd, 1, left);
		if (n > 0 && read(vq->kick_fd, &count, sizeof(count)) < 0)
			n = 0;
		pthread_mutex_lock(&b->vdev.lock);
		if (n > 0 && stats_running(b))
			stats_kick(b, vq);
	}
	return 0;
}

/* Before the loop starts its thread id is 0, which no thread has. */
static bool on_loop_thread(struct vm *vm)
{
	return pthread_equal(pthread_self(), vm->loop.thread);
}

int virtio_balloon_stats(struct virtio_balloon *b, struct balloon_stats *out, int timeout_ms)
{
	struct virtio_dev *dev = &b->vdev;
	int ret = -EOPNOTSUPP;
	u64 seq;

	pthread_mutex_lock(&dev->lock);
	if (!stats_running(b))
		goto out;
	seq = b->stats_seq;
	/* Not held: a request is out (or the first buffer is coming); its answer will do. */
	if (b->stats_held) {
		b->stats_held = false;
		virtio_queue_complete(dev, &dev->vqs[STATSQ], b->stats_head, 0);
	}
	if (on_loop_thread(dev->vm))
		ret = wait_on_loop(b, seq, timeout_ms);
	else
		ret = wait_cond(b, seq, timeout_ms);
out:
	*out = b->stats;
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

static void close_kicks(struct virtio_balloon *b)
{
	unsigned int i;

	/* The loop may be gone already (vm_destroy stops it first): then del just fails. */
	for (i = 0; i < balloon_ops.nr_queues; i++) {
		struct virtq *vq = &b->vdev.vqs[i];

		if (vq->kick_fd <= 0)
			continue;
		event_loop_del(&b->vdev.vm->loop, &vq->kick);
		close(vq->kick_fd);
	}
}

static int stats_cond_init(struct virtio_balloon *b)
{
	pthread_condattr_t a;
	int ret;

	ret = pthread_condattr_init(&a);
	if (ret)
		return -ret;
	ret = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (!ret)
		ret = pthread_cond_init(&b->stats_cond, &a);
	pthread_condattr_destroy(&a);
	return -ret;
}

struct virtio_balloon *virtio_balloon_create(struct vm *vm, struct err_msg *e)
{
	struct virtio_balloon *b = calloc(1, sizeof(*b));
	int ret;

	if (!b) {
		err_set(e, ENOMEM, "out of memory for virtio-balloon");
		return NULL;
	}
	b->host_page = sysconf(_SC_PAGESIZE);
	ret = stats_cond_init(b);
	if (ret) {
		err_set(e, -ret, "virtio-balloon: cannot set up its statistics");
		goto err_free;
	}
	ret = virtio_dev_init(&b->vdev, vm, &balloon_ops, b);
	if (ret) {
		err_set(e, -ret, "virtio-balloon: cannot set up its queues");
		goto err_queues;
	}
	return b;
err_queues:
	close_kicks(b);
	pthread_cond_destroy(&b->stats_cond);
err_free:
	free(b);
	return NULL;
}

struct virtio_dev *virtio_balloon_dev(struct virtio_balloon *b)
{
	return &b->vdev;
}

void virtio_balloon_destroy(struct virtio_balloon *b)
{
	close_kicks(b);
	pthread_cond_destroy(&b->stats_cond);
	free(b);
}
