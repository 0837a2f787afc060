// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio/blk.c) taking requests a driver wrote into guest RAM
 * the input fills: the queue's size and ring addresses come first, then
 * the RAM with descriptors, headers and buffers. The device runs on a VM
 * built by hand (no KVM) behind its virtio-mmio transport, over a 64 KiB
 * disk served by io=sync threads; this thread serves its event loop.
 * Every chain the device took must come back exactly once.
 */
#include <fcntl.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "core/vm.h"
#include "tests/fuzz/fuzz.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"

#define REGION_SIZE	0x10000ULL
#define R1_GPA		0x30000ULL
#define DISK_SIZE	(64 * 1024)

static struct vm vm;
static struct virtio_dev *dev;
static struct virtio_mmio transport;
static char disk_path[] = "/tmp/lkvm-fuzz-blk-XXXXXX";

static void fail(const char *what, const struct err_msg *e)
{
	fprintf(stderr, "fuzz_blk: %s: %s\n", what, e->text);
	abort();
}

static void remove_disk(void)
{
	unlink(disk_path);
}

static void make_disk(struct disk_config *c)
{
	int fd = mkstemp(disk_path);

	if (fd < 0 || ftruncate(fd, DISK_SIZE)) {
		perror("fuzz_blk: disk");
		abort();
	}
	close(fd);
	atexit(remove_disk);
	memset(c, 0, sizeof(*c));
	strcpy(c->path, disk_path);
	strcpy(c->serial, "fuzz");
	c->io = DISK_IO_SYNC;
}

static void setup(void)
{
	struct disk_config c;
	struct virtio_blk *b;
	struct err_msg e;

	if (dev)
		return;
	vm.kvm_fd = vm.vm_fd = vm.stop_fd = -1;
	io_bus_init(&vm.mmio);
	io_bus_init(&vm.pio);
	irq_routes_init(&vm.routes);
	if (event_loop_init(&vm.loop))
		abort();
	if (guest_mem_alloc(&vm.mem, 2 * REGION_SIZE, &e) ||
	    guest_mem_add_region(&vm.mem, 0, REGION_SIZE, &e) ||
	    guest_mem_add_region(&vm.mem, R1_GPA, REGION_SIZE, &e))
		fail("guest memory", &e);
	make_disk(&c);
	b = virtio_blk_create(&vm, &c, &e);
	if (!b)
		fail("virtio_blk_create", &e);
	dev = virtio_blk_dev(b);
	if (virtio_mmio_add(&transport, &vm, dev, &e))
		fail("virtio_mmio_add", &e);
}

/* Runs what the event loop thread would; false when nothing was ready. */
static bool pump(int timeout_ms)
{
	struct epoll_event ev[16];
	int i, n = epoll_wait(vm.loop.epfd, ev, ARRAY_SIZE(ev), timeout_ms);

	for (i = 0; i < n; i++) {
		struct event_handler *h = ev[i].data.ptr;

		if (h)
			h->fn(h, ev[i].events);
	}
	return n > 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static u64 ring_gpa(struct fuzz_in *in, bool raw)
{
	u32 v = take_u32(in);

	if (raw)
		return v;
	return (v & 1 ? R1_GPA : 0) + ((v >> 1) % REGION_SIZE);
}

/* What the transport does for a driver that sets the queue up and goes DRIVER_OK. */
static void driver_up(struct fuzz_in *in, u8 flags)
{
	struct virtq *vq = &dev->vqs[0];

	pthread_mutex_lock(&dev->lock);
	virtio_set_status(dev, 0);
	virtio_set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	dev->guest_features = (1ULL << VIRTIO_F_VERSION_1) |
			      (flags & 1 ? 1ULL << VIRTIO_RING_F_EVENT_IDX : 0);
	virtio_set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			  VIRTIO_CONFIG_S_FEATURES_OK);
	vq->size = flags & 0x40 ? take_u16(in) : 1u << (take_u8(in) % 9);
	vq->desc_gpa = ring_gpa(in, flags & 0x20);
	vq->avail_gpa = ring_gpa(in, flags & 0x20);
	vq->used_gpa = ring_gpa(in, flags & 0x20);
	memset(vm.mem.base, 0, vm.mem.size);
	take(in, vm.mem.base, MIN(in->n, (size_t)vm.mem.size));
	virtio_queue_enable(dev, vq);
	virtio_set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			  VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	pthread_mutex_unlock(&dev->lock);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct virtq *vq;
	double end;

	setup();
	vq = &dev->vqs[0];
	driver_up(&in, take_u8(&in));
	/* The kick DRIVER_OK sent, then every completion, until all are back. */
	end = now() + 10;
	while (pump(0) || vq->used_idx != vq->last_avail) {
		FUZZ_CHECK(now() < end, "%u chains taken, %u returned after 10 s",
			   vq->last_avail, vq->used_idx);
		pump(1);
	}
	if (vq->broken)
		FUZZ_CHECK(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET, "broken but not NEEDS_RESET");
	return 0;
}
