// SPDX-License-Identifier: GPL-2.0
/*
 * The hostile tests' driver side (rig.h): transport registers as script
 * steps on virtio-mmio and virtio-pci, chains written into guest RAM, and
 * the device status the assertions read.
 */
#include <string.h>
#include <time.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_pci.h>

#include "pci/pci.h"
#include "tests/hostile/rig.h"
#include "x86/memmap.h"

u64 ecam(struct rig *r, unsigned int slot, unsigned int reg)
{
	(void)r;
	return X86_PCI_ECAM_BASE + ((u64)slot << 15) + reg;
}

/* Walks the function's list as lkvm built it (the guest may have scribbled since). */
u8 rig_pci_cap(struct rdev *d, u8 id, u8 cfg_type)
{
	const u8 *cfg = d->rig->vm.pci_host->slots[d->slot]->cfg;
	u8 off = cfg[PCI_CAPABILITY_LIST];
	unsigned int n;

	for (n = 0; off && n < 48; n++, off = cfg[off + 1])
		if (cfg[off] == id && (id != PCI_CAP_ID_VNDR || cfg[off + 3] == cfg_type))
			return off;
	return 0;
}

void drv_status(struct rdev *d, u8 status)
{
	if (d->rig->pci)
		g_w(d->rig, 1, d->base + COMMON(device_status), status);
	else
		g_w(d->rig, 4, d->base + VIRTIO_MMIO_STATUS, status);
}

u8 drv_read_status(struct rdev *d)
{
	struct rig *r = d->rig;
	unsigned int i;

	if (r->pci)
		i = g_r(r, 1, d->base + COMMON(device_status));
	else
		i = g_r(r, 4, d->base + VIRTIO_MMIO_STATUS);
	rig_run(r);
	return g_result(r, i);
}

void drv_features(struct rdev *d, u64 f)
{
	struct rig *r = d->rig;

	if (r->pci) {
		g_w(r, 4, d->base + COMMON(guest_feature_select), 0);
		g_w(r, 4, d->base + COMMON(guest_feature), (u32)f);
		g_w(r, 4, d->base + COMMON(guest_feature_select), 1);
		g_w(r, 4, d->base + COMMON(guest_feature), f >> 32);
		return;
	}
	g_w(r, 4, d->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	g_w(r, 4, d->base + VIRTIO_MMIO_DRIVER_FEATURES, (u32)f);
	g_w(r, 4, d->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	g_w(r, 4, d->base + VIRTIO_MMIO_DRIVER_FEATURES, f >> 32);
}

static void pci_queue(struct rdev *d, unsigned int q, u16 size, u64 desc, u64 avail, u64 used)
{
	struct rig *r = d->rig;

	g_w(r, 2, d->base + COMMON(queue_select), q);
	g_w(r, 2, d->base + COMMON(queue_size), size);
	g_w(r, 4, d->base + COMMON(queue_desc_lo), (u32)desc);
	g_w(r, 4, d->base + COMMON(queue_desc_hi), desc >> 32);
	g_w(r, 4, d->base + COMMON(queue_avail_lo), (u32)avail);
	g_w(r, 4, d->base + COMMON(queue_avail_hi), avail >> 32);
	g_w(r, 4, d->base + COMMON(queue_used_lo), (u32)used);
	g_w(r, 4, d->base + COMMON(queue_used_hi), used >> 32);
	g_w(r, 2, d->base + COMMON(queue_enable), 1);
}

static void mmio_queue(struct rdev *d, unsigned int q, u16 size, u64 desc, u64 avail, u64 used)
{
	struct rig *r = d->rig;

	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_SEL, q);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_NUM, size);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)avail);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_USED_LOW, (u32)used);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
	g_w(r, 4, d->base + VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Programs queue q and makes the driver's copy of it match. */
void drv_queue(struct rdev *d, unsigned int q, u16 size, u64 desc, u64 avail, u64 used)
{
	d->q[q] = (struct rq){ .size = size, .desc = desc, .avail = avail, .used = used };
	if (d->rig->pci)
		pci_queue(d, q, size, desc, avail, used);
	else
		mmio_queue(d, q, size, desc, avail, used);
}

u64 drv_notify_addr(struct rdev *d, unsigned int q)
{
	if (d->rig->pci)
		return d->base + PCI_NOTIFY_OFF + PCI_NOTIFY_MULT * q;
	return d->base + VIRTIO_MMIO_QUEUE_NOTIFY;
}

/* A 16-bit write on PCI and a 32-bit one on mmio: what the ioeventfds match. */
void drv_kick(struct rdev *d, unsigned int q)
{
	g_w(d->rig, d->rig->pci ? 2 : 4, drv_notify_addr(d, q), q);
}

static u64 ring_base(struct rdev *d)
{
	return RIG_RINGS_GPA + (u64)(d - d->rig->devs) * RIG_RING_STRIDE;
}

void rig_dev_up(struct rdev *d)
{
	struct rig *r = d->rig;
	u64 base = ring_base(d);
	unsigned int q;

	memset(rig_ptr(r, base, RIG_RING_STRIDE), 0, RIG_RING_STRIDE);
	drv_status(d, 0);
	drv_status(d, S_ACK);
	drv_status(d, S_ACK | S_DRIVER);
	drv_features(d, d->features);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK);
	for (q = 0; q < d->nr_queues; q++)
		drv_queue(d, q, d->max_size, base + q * 0x4000, base + q * 0x4000 + 0x1000,
			  base + q * 0x4000 + 0x2000);
	drv_status(d, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_running(d);
}

/* --- chains ---------------------------------------------------------------- */

void set_desc(struct rdev *d, unsigned int q, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	struct rq *rq = &d->q[q];
	struct vring_desc *t = rig_ptr(d->rig, rq->desc, 16ULL * rq->size);

	ck_assert_uint_lt(i, rq->size);
	t[i] = (struct vring_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

void publish(struct rdev *d, unsigned int q, u16 head)
{
	struct rq *rq = &d->q[q];
	struct vring_avail *a = rig_ptr(d->rig, rq->avail, 6 + 2ULL * rq->size);

	a->ring[rq->avail_idx % rq->size] = head;
	__atomic_store_n(&a->idx, ++rq->avail_idx, __ATOMIC_RELEASE);
}

u16 post(struct rdev *d, unsigned int q, const struct seg *s, unsigned int n)
{
	struct rq *rq = &d->q[q];
	u16 head = rq->next_desc % rq->size;
	unsigned int i;

	for (i = 0; i < n; i++) {
		u16 cur = (head + i) % rq->size;

		set_desc(d, q, cur, s[i].gpa, s[i].len,
			 (s[i].w ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			 (cur + 1) % rq->size);
	}
	rq->next_desc += n;
	publish(d, q, head);
	return head;
}

u16 used_idx(struct rdev *d, unsigned int q)
{
	struct rq *rq = &d->q[q];
	struct vring_used *u = rig_ptr(d->rig, rq->used, 6 + 8ULL * rq->size);

	return __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
}

bool wait_used(struct rdev *d, unsigned int q, u32 *id, u32 *len, int timeout_ms)
{
	struct timespec ts = { 0, 100 * 1000 };
	struct rq *rq = &d->q[q];
	struct vring_used *u = rig_ptr(d->rig, rq->used, 6 + 8ULL * rq->size);
	double end = rig_now() + timeout_ms / 1000.0;

	while (used_idx(d, q) == rq->used_seen) {
		if (rig_now() > end)
			return false;
		nanosleep(&ts, NULL);
	}
	*id = u->ring[rq->used_seen % rq->size].id;
	*len = u->ring[rq->used_seen % rq->size].len;
	rq->used_seen++;
	return true;
}

u32 kick_and_wait(struct rdev *d, unsigned int q, u32 *id, const char *what)
{
	u32 head, len;

	drv_kick(d, q);
	rig_run(d->rig);
	ck_assert_msg(wait_used(d, q, &head, &len, 5000), "%s was never returned", what);
	if (id)
		*id = head;
	return len;
}

u32 send_chain(struct rdev *d, unsigned int q, const struct seg *s, unsigned int n,
	       const char *what)
{
	u16 head = post(d, q, s, n);
	u32 id, len = kick_and_wait(d, q, &id, what);

	ck_assert_uint_eq(id, head);
	return len;
}

/* --- device status ------------------------------------------------------------ */

/* The device sets it on its own thread once it saw the kick: poll for up to 5 s. */
void assert_needs_reset(struct rdev *d)
{
	struct timespec ts = { 0, 1000 * 1000 };
	u8 s = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		s = drv_read_status(d);
		if (s & S_NEEDS_RESET)
			return;
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("device %u: status 0x%x, not NEEDS_RESET", d->id, s);
}

void assert_running(struct rdev *d)
{
	u8 s = drv_read_status(d);

	ck_assert_msg(s == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK),
		      "device %u: status 0x%x, not running", d->id, s);
}
