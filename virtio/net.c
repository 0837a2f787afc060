// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio 1.x, section 5.1): one receive and one transmit
 * queue in front of a backend (libslirp or a tap). TX runs on the kick;
 * RX takes frames from the backend, and when the guest has no buffers
 * left the backend is paused until the guest's next RX kick. Every header
 * and length comes from the guest and is checked. Offloads (checksum,
 * TSO, UFO, USO) are the backend's to offer: a tap passes the virtio-net
 * header through, slirp has net_hdr.c do what it asks.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "../core/vm.h"
#include "net.h"

#define NET_QUEUE_SIZE		256
#define RXQ			0
#define TXQ			1
#define NET_RX_PENDING_MAX	128	/* frames held while the guest has no buffers */
#define NET_RX_MAX_BUFS		64	/* mergeable buffers one frame may take */

struct pending_frame {
	struct pending_frame *next;
	struct virtio_net_hdr_v1 hdr;
	size_t len;
	u8 data[];
};

struct virtio_net {
	struct virtio_dev vdev;
	struct net_backend be;
	struct virtio_net_config config;
	bool rx_paused;			/* the backend was told to wait for buffers */
	bool vhost_running;
	bool features_told;		/* the backend knows the driver's features */
	struct pending_frame *pending, **pending_tail;
	unsigned int nr_pending;
	u8 tx_buf[NET_HDR_LEN + NET_FRAME_MAX];
	struct virtq_elem elem;		/* RX: the chain being filled */
	struct virtq_elem first;	/* RX: the chain holding the header */
	/* TX's own: a backend may answer a frame at once, into RX, while it is sent. */
	struct virtq_elem tx_elem;
};

void net_lock(struct virtio_net *n)
{
	pthread_mutex_lock(&n->vdev.lock);
}

void net_unlock(struct virtio_net *n)
{
	pthread_mutex_unlock(&n->vdev.lock);
}

static bool mergeable(const struct virtio_net *n)
{
	return n->vdev.guest_features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
}

/* Copies src into the writable buffers of e from byte 'off' on; returns the bytes copied. */
static size_t elem_write(const struct virtq_elem *e, size_t off, const u8 *src, size_t len)
{
	size_t done = 0;
	unsigned int i;

	for (i = e->n_out; i < e->n_out + e->n_in && done < len; i++) {
		size_t l = e->iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l = MIN(l - off, len - done);
		memcpy((u8 *)e->iov[i].iov_base + off, src + done, l);
		done += l;
		off = 0;
	}
	return done;
}

/* Header then frame, as one stream of 'total' bytes; returns what fits in e from 'pos'. */
static size_t fill_chain(const struct virtq_elem *e, const struct virtio_net_hdr_v1 *hdr,
			 const u8 *frame, size_t len, size_t pos)
{
	size_t room = virtq_elem_in_len(e), put = 0, n;

	if (pos < NET_HDR_LEN) {
		n = MIN(NET_HDR_LEN - pos, room);
		put = elem_write(e, 0, (const u8 *)hdr + pos, n);
		pos += put;
	}
	if (pos >= NET_HDR_LEN && put < room) {
		n = MIN(len - (pos - NET_HDR_LEN), room - put);
		put += elem_write(e, put, frame + pos - NET_HDR_LEN, n);
	}
	return put;
}

/*
 * One frame into the RX queue: 0, -ENOBUFS when the guest has too few
 * buffers (nothing was taken; -EAGAIN if more just came), or -EINVAL when
 * it broke the ring.
 */
static int rx_put(struct virtio_net *n, const struct virtio_net_hdr_v1 *h, const u8 *frame,
		  size_t len)
{
	struct virtq *vq = &n->vdev.vqs[RXQ];
	struct virtio_net_hdr_v1 hdr = *h;
	u16 heads[NET_RX_MAX_BUFS];
	u32 lens[NET_RX_MAX_BUFS];
	size_t total = NET_HDR_LEN + len, pos = 0;
	unsigned int nbuf = 0, i, max = mergeable(n) ? NET_RX_MAX_BUFS : 1;
	int ret;

	hdr.num_buffers = htole16(1);
	while (pos < total && nbuf < max) {
		ret = virtq_pop(vq, &n->vdev.vm->mem, nbuf ? &n->elem : &n->first);
		if (ret < 0)
			return -EINVAL;
		if (!ret)
			break;
		heads[nbuf] = nbuf ? n->elem.head : n->first.head;
		lens[nbuf] = fill_chain(nbuf ? &n->elem : &n->first, &hdr, frame, len, pos);
		pos += lens[nbuf++];
	}
	if (!nbuf || (pos < total && nbuf < max)) {
		/* Too few buffers now: give them back and wait for the guest. */
		return virtq_unpop(vq, nbuf) ? -EAGAIN : -ENOBUFS;
	}
	if (lens[0] < NET_HDR_LEN || pos < total) {
		/* The guest's buffers cannot hold this frame: drop it, return them empty. */
		for (i = 0; i < nbuf; i++)
			virtq_fill(vq, heads[i], 0, i);
		virtq_flush(vq, nbuf);
		return 0;
	}
	if (nbuf > 1) {
		hdr.num_buffers = htole16(nbuf);
		elem_write(&n->first, offsetof(struct virtio_net_hdr_v1, num_buffers),
			   (const u8 *)&hdr.num_buffers, sizeof(hdr.num_buffers));
	}
	/* All of one packet at once: a driver that saw only its first buffer would drop it. */
	for (i = 0; i < nbuf; i++)
		virtq_fill(vq, heads[i], lens[i], i);
	virtq_flush(vq, nbuf);
	return 0;
}

static bool rx_ready(struct virtio_net *n)
{
	const struct virtq *vq = &n->vdev.vqs[RXQ];

	return vq->ready && !vq->broken && (n->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Delivers one frame now; false when the guest had no room. */
static bool rx_deliver(struct virtio_net *n, const struct virtio_net_hdr_v1 *hdr,
		       const u8 *frame, size_t len)
{
	struct virtq *vq = &n->vdev.vqs[RXQ];
	unsigned int tries = 0;
	int ret;

	if (!rx_ready(n))
		return false;
	do
		ret = rx_put(n, hdr, frame, len);
	while (ret == -EAGAIN && ++tries < 4);
	if (ret == -EINVAL) {
		virtio_set_needs_reset(&n->vdev);
		return false;
	}
	if (ret)
		return false;
	if (virtq_need_notify(vq))
		n->vdev.transport->signal_queue(&n->vdev, vq);
	return true;
}

static void pending_push(struct virtio_net *n, const struct virtio_net_hdr_v1 *hdr,
			 const void *frame, size_t len)
{
	struct pending_frame *p;

	if (n->nr_pending == NET_RX_PENDING_MAX)
		return;		/* dropped: TCP will resend */
	p = malloc(sizeof(*p) + len);
	if (!p)
		return;
	p->next = NULL;
	p->hdr = *hdr;
	p->len = len;
	memcpy(p->data, frame, len);
	*n->pending_tail = p;
	n->pending_tail = &p->next;
	n->nr_pending++;
}

static void pending_drop_head(struct virtio_net *n)
{
	struct pending_frame *p = n->pending;

	n->pending = p->next;
	if (!n->pending)
		n->pending_tail = &n->pending;
	n->nr_pending--;
	free(p);
}

bool net_rx_frame(struct virtio_net *n, const struct virtio_net_hdr_v1 *hdr,
		  const void *frame, size_t len)
{
	struct virtio_net_hdr_v1 h = { 0 };

	if (hdr)
		h = *hdr;
	/*
	 * Nothing a guest could take is not a reason to pause. A tap may still
	 * offload what a driver that just reset did not negotiate.
	 */
	if (!len || len > NET_FRAME_MAX || !net_hdr_rx_check(&h, n->vdev.guest_features))
		return true;
	if (!n->pending && rx_deliver(n, &h, frame, len))
		return true;
	pending_push(n, &h, frame, len);
	n->rx_paused = true;
	return false;
}

/* The guest gave RX buffers: drain what waited, then let the backend go on. */
static void rx_kick(struct virtio_net *n)
{
	while (n->pending) {
		if (!rx_deliver(n, &n->pending->hdr, n->pending->data, n->pending->len))
			return;
		pending_drop_head(n);
	}
	if (n->rx_paused) {
		n->rx_paused = false;
		n->be.ops->rx_resume(&n->be);
	}
}

/* One TX chain: the 12-byte header, then the frame, in any split across buffers. */
static void tx_one(struct virtio_net *n, const struct virtq_elem *e)
{
	struct virtio_net_hdr_v1 hdr;
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < e->n_out; i++) {
		size_t l = e->iov[i].iov_len;

		if (l > sizeof(n->tx_buf) - len)
			return;		/* longer than any frame: dropped */
		memcpy(n->tx_buf + len, e->iov[i].iov_base, l);
		len += l;
	}
	if (len <= NET_HDR_LEN)
		return;		/* no room for the header, or no frame */
	memcpy(&hdr, n->tx_buf, NET_HDR_LEN);
	if (!net_hdr_tx_check(&hdr, n->vdev.guest_features))
		return;		/* an offload it did not negotiate: dropped */
	n->be.ops->send(&n->be, &hdr, n->tx_buf + NET_HDR_LEN, len - NET_HDR_LEN);
}

static void tx_kick(struct virtio_net *n, struct virtq *vq)
{
	int ret;

	for (;;) {
		ret = virtq_pop(vq, &n->vdev.vm->mem, &n->tx_elem);
		if (ret < 0)
			virtio_set_needs_reset(&n->vdev);
		if (ret <= 0)
			break;
		tx_one(n, &n->tx_elem);
		virtio_queue_complete(&n->vdev, vq, n->tx_elem.head, 0);
	}
	if (n->be.ops->flush)
		n->be.ops->flush(&n->be);
}

/* vhost takes both queues once the driver is ready; their kicks then go to the kernel. */
static bool vhost_takeover(struct virtio_net *n)
{
	struct virtio_dev *dev = &n->vdev;
	unsigned int i;

	if (n->vhost_running)
		return true;
	if (!n->be.vhost || !dev->vqs[RXQ].ready || !dev->vqs[TXQ].ready)
		return false;
	for (i = 0; i < 2; i++)
		event_loop_del(&dev->vm->loop, &dev->vqs[i].kick);
	if (n->be.ops->vhost_start(&n->be, dev)) {
		/* The kernel refused: serve the queues here after all. */
		n->be.vhost = false;
		for (i = 0; i < 2; i++)
			event_loop_add(&dev->vm->loop, &dev->vqs[i].kick, EPOLLIN);
		return false;
	}
	n->vhost_running = true;
	return true;
}

/*
 * There is no hook for DRIVER_OK itself, but it kicks every ready queue:
 * the backend learns the features at that first kick. Until then a tap
 * offloads nothing, so the frames it gives meanwhile are plain.
 */
static void tell_features(struct virtio_net *n, bool ready)
{
	if (n->be.ops->set_features)
		n->be.ops->set_features(&n->be, ready ? n->vdev.guest_features : 0);
	n->features_told = ready;
}

static void net_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_net *n = dev->priv;

	if (!n->features_told)
		tell_features(n, true);
	if (vhost_takeover(n))
		return;
	if (vq->index == RXQ)
		rx_kick(n);
	else
		tx_kick(n, vq);
}

static void net_reset(struct virtio_dev *dev)
{
	struct virtio_net *n = dev->priv;
	unsigned int i;

	if (n->vhost_running) {
		n->be.ops->vhost_stop(&n->be, dev);
		for (i = 0; i < 2; i++)
			event_loop_add(&dev->vm->loop, &dev->vqs[i].kick, EPOLLIN);
		n->vhost_running = false;
	}
	if (n->features_told)
		tell_features(n, false);
	while (n->pending)
		pending_drop_head(n);
	/*
	 * A paused backend stays paused: the new driver's first RX kick
	 * resumes it, on the event loop. A reset comes on a vCPU thread,
	 * whose filter has no room for a backend's socket calls.
	 */
}

static u64 net_features(struct virtio_dev *dev)
{
	(void)dev;
	return (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS) |
	       (1ULL << VIRTIO_NET_F_MRG_RXBUF);
}

static void net_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct virtio_net *n = dev->priv;

	memcpy(data, (u8 *)&n->config + offset, len);
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.nr_queues = 2,
	.queue_size = NET_QUEUE_SIZE,
	.features = net_features,
	/* mac, status, max_virtqueue_pairs: what the offered features describe */
	.config_size = offsetof(struct virtio_net_config, mtu),
	.config_read = net_config_read,
	.queue_notify = net_queue_notify,
	.reset = net_reset,
};

/* Locally administered, unicast, and the same each time a VM of this name starts. */
static void default_mac(const char *name, unsigned int index, u8 mac[6])
{
	u32 h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (u8)*name) * 16777619u;
	mac[0] = 0x02;
	mac[1] = h >> 24;
	mac[2] = h >> 16;
	mac[3] = h >> 8;
	mac[4] = h;
	mac[5] = index;
}

static int backend_open(struct virtio_net *n, const struct net_config *c, struct err_msg *e)
{
	n->be.net = n;
	n->be.vm = n->vdev.vm;
	if (c->mode == NET_MODE_TAP)
		return net_tap_open(&n->be, c, e);
#ifdef LKVM_SLIRP
	return net_slirp_open(&n->be, c, e);
#else
	return err_usage(e, "this lkvm was built without user-mode networking; use mode=tap");
#endif
}

struct virtio_net *virtio_net_create(struct vm *vm, const struct net_config *c,
				     unsigned int index, struct err_msg *e)
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	int ret;

	if (!n) {
		err_set(e, ENOMEM, "out of memory for a NIC");
		return NULL;
	}
	n->pending_tail = &n->pending;
	if (c->mac_set)
		memcpy(n->config.mac, c->mac, 6);
	else
		default_mac(vm->cfg.name, index, n->config.mac);
	n->config.status = VIRTIO_NET_S_LINK_UP;
	n->config.max_virtqueue_pairs = 1;
	ret = virtio_dev_init(&n->vdev, vm, &net_ops, n);
	if (ret) {
		err_set(e, ret, "NIC %u: cannot set up its queues", index);
		goto err_free;
	}
	ret = backend_open(n, c, e);
	if (ret)
		goto err_queues;
	/* Known only now that the backend is open; the guest sees none of it yet. */
	n->vdev.host_features |= n->be.offloads;
	return n;
err_queues:
	for (ret = 0; ret < 2; ret++) {
		event_loop_del(&vm->loop, &n->vdev.vqs[ret].kick);
		close(n->vdev.vqs[ret].kick_fd);
	}
err_free:
	free(n);
	return NULL;
}

struct virtio_dev *virtio_net_dev(struct virtio_net *n)
{
	return &n->vdev;
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (n->vhost_running)
		n->be.ops->vhost_stop(&n->be, &n->vdev);
	n->be.ops->close(&n->be);
	while (n->pending)
		pending_drop_head(n);
	free(n);
}
