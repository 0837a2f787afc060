// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (virtio 1.x, section 2.7). Everything here reads memory
 * the guest controls and may change at any moment: every index is
 * bounded, every buffer is checked against guest RAM, every chain has a
 * length limit, and each shared field is read once.
 */
#include <errno.h>
#include <string.h>

#include "virtio.h"

#define READ_ONCE16(p)		__atomic_load_n((p), __ATOMIC_RELAXED)

static bool is_pow2(u16 n)
{
	return n && !(n & (n - 1));
}

bool virtq_map(struct virtq *vq, const struct guest_mem *mem)
{
	u64 n = vq->size;

	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	if (!is_pow2(vq->size) || vq->size > vq->max_size)
		return false;
	/* Alignment per spec 2.7: descriptors 16, available ring 2, used ring 4. */
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return false;
	vq->desc = guest_ptr(mem, vq->desc_gpa, 16 * n);
	vq->avail = guest_ptr(mem, vq->avail_gpa, 6 + 2 * n);
	vq->used = guest_ptr(mem, vq->used_gpa, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return false;
	}
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->broken = false;
	return true;
}

void virtq_unmap(struct virtq *vq)
{
	vq->ready = false;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

void virtq_reset(struct virtq *vq)
{
	vq->ready = false;
	vq->broken = false;
	vq->size = vq->max_size;
	vq->desc_gpa = vq->avail_gpa = vq->used_gpa = 0;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->last_avail = vq->used_idx = 0;
	vq->signalled_valid = false;
}

struct chain_walk {
	struct virtq_elem *e;
	unsigned int budget;		/* descriptors left before we call it a loop */
	bool seen_writable;
};

static int add_buffer(struct chain_walk *w, const struct guest_mem *mem,
		      u64 addr, u32 len, u16 flags)
{
	struct virtq_elem *e = w->e;
	bool writable = flags & VRING_DESC_F_WRITE;
	void *p;

	if (!len || e->n_out + e->n_in == VIRTQ_MAX_IOV)
		return -EINVAL;
	/* Spec 2.7.4.2: all device-readable buffers come first. */
	if (!writable && w->seen_writable)
		return -EINVAL;
	p = guest_ptr(mem, addr, len);
	if (!p)
		return -EINVAL;
	w->seen_writable |= writable;
	e->iov[e->n_out + e->n_in] = (struct iovec){ .iov_base = p, .iov_len = len };
	if (writable)
		e->n_in++;
	else
		e->n_out++;
	return 0;
}

/*
 * Walks a table of n descriptors starting at 'first'. An indirect table
 * need not be aligned (the spec asks none; a guest's kmalloc may give 8).
 */
static int walk_table(struct chain_walk *w, const struct guest_mem *mem,
		      const void *table, u32 n, u16 first, bool indirect)
{
	u16 i = first;
	int ret;

	for (;;) {
		struct vring_desc d;

		if (i >= n || !w->budget--)
			return -EINVAL;
		/* One read of a shared entry. */
		memcpy(&d, (const u8 *)table + (size_t)i * sizeof(d), sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* Spec 2.7.5.3.1: no nesting, no NEXT beside INDIRECT. */
			if (indirect || (d.flags & VRING_DESC_F_NEXT))
				return -EINVAL;
			if (!d.len || d.len % 16 || d.len / 16 > VIRTQ_MAX_IOV)
				return -EINVAL;
			table = guest_ptr(mem, d.addr, d.len);
			if (!table)
				return -EINVAL;
			return walk_table(w, mem, table, d.len / 16, 0, true);
		}
		ret = add_buffer(w, mem, d.addr, d.len, d.flags);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

static void publish_avail_event(struct virtq *vq)
{
	/* used->ring[size] is avail_event: "wake me when you pass this index". */
	u16 *avail_event = (u16 *)&vq->used->ring[vq->size];

	__atomic_store_n(avail_event, vq->last_avail, __ATOMIC_RELAXED);
}

int virtq_pop(struct virtq *vq, const struct guest_mem *mem, struct virtq_elem *e)
{
	struct chain_walk w = { .e = e, .budget = 0 };
	u16 avail_idx, head;
	int ret;

	if (!vq->ready || vq->broken || !vq->avail)
		return 0;
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail && vq->event_idx) {
		/*
		 * Going idle: avail_event must be visible before avail->idx is
		 * read again, or a buffer the driver adds now is neither seen
		 * here nor kicked (it read the stale avail_event).
		 */
		publish_avail_event(vq);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	}
	if (avail_idx == vq->last_avail)
		return 0;
	/* More entries than the ring holds means the index is garbage. */
	if ((u16)(avail_idx - vq->last_avail) > vq->size)
		goto broken;
	head = READ_ONCE16(&vq->avail->ring[vq->last_avail % vq->size]);
	e->head = head;
	e->n_out = e->n_in = 0;
	/* A chain can visit each descriptor once, plus one indirect table. */
	w.budget = vq->size + VIRTQ_MAX_IOV;
	ret = walk_table(&w, mem, vq->desc, vq->size, head, false);
	if (ret)
		goto broken;
	vq->last_avail++;
	if (vq->event_idx)
		publish_avail_event(vq);
	return 1;
broken:
	vq->broken = true;
	return -EINVAL;
}

bool virtq_unpop(struct virtq *vq, u16 n)
{
	u16 *avail_event, seen;

	vq->last_avail -= n;
	if (!vq->event_idx || !vq->used)
		return false;
	/* Those chains were seen already: only buffers added after them may kick. */
	avail_event = (u16 *)&vq->used->ring[vq->size];
	seen = READ_ONCE16(&vq->avail->idx);
	__atomic_store_n(avail_event, seen, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return READ_ONCE16(&vq->avail->idx) != seen;
}

void virtq_fill(struct virtq *vq, u16 head, u32 len, u16 offset)
{
	struct vring_used_elem *u;

	if (!vq->used)
		return;
	u = &vq->used->ring[(u16)(vq->used_idx + offset) % vq->size];
	u->id = head;
	u->len = len;
}

void virtq_flush(struct virtq *vq, u16 n)
{
	if (!vq->used)
		return;
	vq->used_idx += n;
	/* The elements must be visible before the index that publishes them. */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

void virtq_push(struct virtq *vq, u16 head, u32 len)
{
	virtq_fill(vq, head, len, 0);
	virtq_flush(vq, 1);
}

bool virtq_need_notify(struct virtq *vq)
{
	u16 old = vq->signalled_used, now = vq->used_idx, event;
	bool valid = vq->signalled_valid;

	if (!vq->avail)
		return false;
	/* Order our used->idx store before reading the driver's suppression state. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(READ_ONCE16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = now;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	event = READ_ONCE16(&vq->avail->ring[vq->size]);	/* used_event */
	return (u16)(now - event - 1) < (u16)(now - old);
}

u64 virtq_elem_in_len(const struct virtq_elem *e)
{
	u64 n = 0;
	unsigned int i;

	for (i = e->n_out; i < e->n_out + e->n_in; i++)
		n += e->iov[i].iov_len;
	return n;
}
