// SPDX-License-Identifier: GPL-2.0
/*
 * A tap device as the NIC's backend: an existing one (ip tuntap add ...),
 * a new one, or one lkvm inherits open (fd=N). The tap carries the 12-byte
 * virtio-net header (IFF_VNET_HDR), so checksum and segmentation offloads
 * (TSO, UFO, USO) pass through unchanged both ways; the tap's own offloads
 * (TUNSETOFFLOAD) follow what the guest can receive. An inherited tap
 * opened without IFF_VNET_HDR carries plain frames, and the guest gets no
 * offloads.
 *
 * With /dev/vhost-net the kernel serves both queues once the driver is
 * ready: kicks reach it through the queues' ioeventfds and its completions
 * come back through call eventfds that raise the queue's interrupt.
 * Without vhost, frames go through readv()/writev() here.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>

#include "../core/vm.h"
#include "net.h"
#include "vhost.h"

#define TAP_QUEUES		2
/* What lkvm asks of a tap at most, and the fallbacks older kernels may take. */
#define TAP_OFFLOADS		(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)
/* USO came with Linux 6.2, after some distributions' <linux/if_tun.h>. */
#ifndef TUN_F_USO4
#define TUN_F_USO4		0x20
#define TUN_F_USO6		0x40
#endif
/* The kernel takes USO for both IP versions or for neither. */
#define TUN_F_USO		(TUN_F_USO4 | TUN_F_USO6)

struct tap_be {
	struct net_backend *be;
	int fd;
	char ifname[IFNAMSIZ];
	bool vnet_hdr;			/* frames carry the virtio-net header */
	unsigned int tun_offloads;	/* TUN_F_* the tap accepted when probed */
	bool watching;			/* fd is in the event loop (userspace I/O) */
	struct event_handler ev;

	struct vhost_dev vhost;		/* fd -1: userspace I/O */
	u64 vhost_features;
	struct virtio_net_hdr_v1 rx_hdr;
	u8 buf[NET_FRAME_MAX];
};

static void tap_watch(struct tap_be *t, bool on)
{
	struct event_loop *loop = &t->be->vm->loop;

	if (on == t->watching)
		return;
	if (on ? event_loop_add(loop, &t->ev, EPOLLIN) : event_loop_del(loop, &t->ev))
		return;
	t->watching = on;
}

/* One frame into t->buf, its header into t->rx_hdr: its length, or -1 once the tap is empty. */
static ssize_t tap_read(struct tap_be *t)
{
	struct iovec iov[2] = {
		{ .iov_base = &t->rx_hdr, .iov_len = NET_HDR_LEN },
		{ .iov_base = t->buf, .iov_len = sizeof(t->buf) },
	};
	ssize_t n = readv(t->fd, iov + !t->vnet_hdr, 1 + t->vnet_hdr);

	if (n <= 0)
		return -1;
	return t->vnet_hdr ? MAX(n - (ssize_t)NET_HDR_LEN, 0) : n;
}

/* Frames from the host for the guest, until the tap is empty or the guest is full. */
static void tap_readable(struct event_handler *h, u32 events)
{
	struct tap_be *t = h->opaque;
	ssize_t n;

	(void)events;
	net_lock(t->be->net);
	while (t->watching) {
		n = tap_read(t);
		if (n < 0)
			break;
		if (!net_rx_frame(t->be->net, t->vnet_hdr ? &t->rx_hdr : NULL, t->buf, n))
			tap_watch(t, false);	/* back on the guest's next RX kick */
	}
	net_unlock(t->be->net);
}

static void tap_send(struct net_backend *be, const struct virtio_net_hdr_v1 *hdr,
		     u8 *frame, size_t len)
{
	struct tap_be *t = be->priv;
	struct iovec iov[2] = {
		{ .iov_base = (void *)hdr, .iov_len = NET_HDR_LEN },
		{ .iov_base = frame, .iov_len = len },
	};

	/* A full tap queue drops the frame, as a wire would. */
	if (writev(t->fd, iov + !t->vnet_hdr, 1 + t->vnet_hdr) < 0)
		return;
}

/* The tap may hand the guest only the partial checksums and GSO frames it negotiated. */
static void tap_set_features(struct net_backend *be, u64 features)
{
	struct tap_be *t = be->priv;
	unsigned int f = 0;

	if (!t->vnet_hdr)
		return;
	if (features & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		f |= TUN_F_CSUM;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			f |= TUN_F_TSO4;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			f |= TUN_F_TSO6;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_ECN))
			f |= TUN_F_TSO_ECN;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_UFO))
			f |= TUN_F_UFO;
		/* A driver with USO for one IP version gets datagrams the kernel cut. */
		if ((features & (1ULL << VIRTIO_NET_F_GUEST_USO4)) &&
		    (features & (1ULL << VIRTIO_NET_F_GUEST_USO6)))
			f |= TUN_F_USO;
	}
	/* A subset of what the tap took at open; should it balk, net_rx_frame drops the misfits. */
	ioctl(t->fd, TUNSETOFFLOAD, f & t->tun_offloads);
}

static void tap_rx_resume(struct net_backend *be)
{
	struct tap_be *t = be->priv;

	if (!__atomic_load_n(&t->vhost.dev, __ATOMIC_ACQUIRE))
		tap_watch(t, true);
}

/* The tap is the source and sink of both queues' frames (fd -1 detaches it). */
static int tap_set_backend(struct tap_be *t, int fd)
{
	unsigned int i;

	for (i = 0; i < TAP_QUEUES; i++) {
		struct vhost_vring_file backend = { .index = i, .fd = fd };

		if (ioctl(t->vhost.fd, VHOST_NET_SET_BACKEND, &backend))
			return -errno;
	}
	return 0;
}

static int tap_vhost_start(struct net_backend *be, struct virtio_dev *dev)
{
	struct tap_be *t = be->priv;
	u64 features = dev->guest_features & t->vhost_features;
	unsigned int i;
	int ret;

	/*
	 * With IFF_VNET_HDR the tap reads and writes the header and vhost
	 * copies it between the rings and the tap untouched (filling in
	 * num_buffers); only for a plain tap must vhost make it up itself.
	 */
	if (!t->vnet_hdr)
		features |= 1ULL << VHOST_NET_F_VIRTIO_NET_HDR;
	tap_watch(t, false);
	ret = vhost_start(&t->vhost, dev, features);
	if (!ret) {
		ret = tap_set_backend(t, t->fd);
		if (ret)
			vhost_stop(&t->vhost);
	}
	if (ret) {
		tap_watch(t, true);
		return ret;
	}
	/* Buffers the driver queued before the hand-over. */
	for (i = 0; i < TAP_QUEUES; i++)
		virtio_kick(&dev->vqs[i]);
	return 0;
}

static void tap_vhost_stop(struct net_backend *be, struct virtio_dev *dev)
{
	struct tap_be *t = be->priv;

	(void)dev;
	tap_set_backend(t, -1);
	vhost_stop(&t->vhost);
	tap_watch(t, true);
}

static void tap_close(struct net_backend *be)
{
	struct tap_be *t = be->priv;

	vhost_close(&t->vhost);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
	be->priv = NULL;
}

static const struct net_backend_ops tap_ops = {
	.send = tap_send,
	.rx_resume = tap_rx_resume,
	.set_features = tap_set_features,
	.vhost_start = tap_vhost_start,
	.vhost_stop = tap_vhost_stop,
	.close = tap_close,
};

static int tap_open_dev(struct tap_be *t, const struct net_config *c, struct err_msg *e)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	const char *name = c->tapif[0] ? c->tapif : "lkvmtap%d";

	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return err_usage(e, "tap '%s': cannot open /dev/net/tun: %s; load the tun module (modprobe tun)",
				 name, strerror(errno));
	t->ev.fd = t->fd;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr)) {
		int err = errno;

		if (err == EPERM || err == EACCES)
			return err_usage(e, "tap '%s': not permitted (%s); run lkvm with CAP_NET_ADMIN, or create the tap for your user first: sudo ip tuntap add %s mode tap user $USER",
					 name, strerror(err), c->tapif[0] ? name : "NAME");
		if (err == EBUSY)
			return err_usage(e, "tap '%s' is in use by another process; stop it or give another tapif=",
					 name);
		return err_usage(e, "tap '%s': cannot attach: %s; check the name, or create it with ip tuntap add %s mode tap",
				 name, strerror(err), name);
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	t->vnet_hdr = true;
	return 0;
}

/* An inherited fd, taken over only once it proves to be a tap lkvm can use. */
static int tap_adopt_fd(struct tap_be *t, int fd, struct err_msg *e)
{
	struct ifreq ifr = { 0 };
	int fl;

	if (ioctl(fd, TUNGETIFF, &ifr))
		return err_usage(e, "network fd=%d: not an open tap device (%s); pass lkvm an open tap, or give tapif= instead",
				 fd, strerror(errno));
	if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP)) != IFF_TAP)
		return err_usage(e, "network fd=%d: not an open tap device (%.*s is a layer-3 tun); open it with IFF_TAP",
				 fd, IFNAMSIZ, ifr.ifr_name);
	/*
	 * TUNGETIFF reports IFF_NOFILTER in the same bit when no filter is
	 * attached, as is usual: only a tap with a filter can be caught here.
	 */
	if (!(ifr.ifr_flags & IFF_NO_PI))
		return err_usage(e, "network fd=%d: tap '%.*s' puts packet information before each frame; open it with IFF_NO_PI",
				 fd, IFNAMSIZ, ifr.ifr_name);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) || fcntl(fd, F_SETFD, FD_CLOEXEC))
		return err_set(e, errno, "network fd=%d: cannot make it non-blocking: %s", fd,
			       strerror(errno));
	t->fd = t->ev.fd = fd;
	snprintf(t->ifname, sizeof(t->ifname), "%.*s", IFNAMSIZ - 1, ifr.ifr_name);
	/* Attached already, it cannot gain IFF_VNET_HDR: without it, plain frames. */
	t->vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
	return 0;
}

/* Which TUN_F_* offloads the tap takes; it is left offloading nothing until the driver is ready. */
static unsigned int tap_probe_offloads(int fd)
{
	static const unsigned int tries[] = {
		TAP_OFFLOADS, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM,
	};
	/* Newer flags, each tried on top: a kernel refuses the lot for one it does not know. */
	static const unsigned int extras[] = { TUN_F_UFO, TUN_F_USO };
	unsigned int i, got = 0;

	for (i = 0; i < ARRAY_SIZE(tries) && !got; i++)
		if (!ioctl(fd, TUNSETOFFLOAD, tries[i]))
			got = tries[i];
	/* Both segment UDP, which needs the checksum offload under them. */
	for (i = 0; i < ARRAY_SIZE(extras) && (got & TUN_F_CSUM); i++)
		if (!ioctl(fd, TUNSETOFFLOAD, got | extras[i]))
			got |= extras[i];
	ioctl(fd, TUNSETOFFLOAD, 0);
	return got;
}

/*
 * The guest's frames may use checksum and TCP offloads: the tap takes a
 * header's partial checksum and TSO whatever TUNSETOFFLOAD says. UFO and
 * USO headers are newer: a kernel that knows the TUN_F_* flag also takes
 * that GSO type in a frame written to it, so HOST_UFO/HOST_USO follow the
 * probe. What the guest may receive is what the tap can be asked to produce.
 */
static int tap_offloads(struct tap_be *t, struct err_msg *e)
{
	int hdr_len = NET_HDR_LEN;
	u64 f;

	if (!t->vnet_hdr)
		return 0;
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr_len))
		return err_set(e, errno, "tap '%s': cannot set its virtio-net header size: %s",
			       t->ifname, strerror(errno));
	t->tun_offloads = tap_probe_offloads(t->fd);
	f = (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_HOST_TSO4) |
	    (1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_HOST_ECN);
	if (t->tun_offloads & TUN_F_CSUM)
		f |= 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	if (t->tun_offloads & TUN_F_TSO4)
		f |= 1ULL << VIRTIO_NET_F_GUEST_TSO4;
	if (t->tun_offloads & TUN_F_TSO6)
		f |= 1ULL << VIRTIO_NET_F_GUEST_TSO6;
	if (t->tun_offloads & TUN_F_TSO_ECN)
		f |= 1ULL << VIRTIO_NET_F_GUEST_ECN;
	if (t->tun_offloads & TUN_F_UFO)
		f |= (1ULL << VIRTIO_NET_F_HOST_UFO) | (1ULL << VIRTIO_NET_F_GUEST_UFO);
	if ((t->tun_offloads & TUN_F_USO) == TUN_F_USO)
		f |= (1ULL << VIRTIO_NET_F_HOST_USO) | (1ULL << VIRTIO_NET_F_GUEST_USO4) |
		     (1ULL << VIRTIO_NET_F_GUEST_USO6);
	t->be->offloads = f;
	return 0;
}

/*
 * vhost-net serves this tap if it opens and offers what the tap needs; its
 * call eventfds are then in the event loop, so the interrupt goes out
 * whichever transport is in use.
 */
static bool vhost_usable(struct tap_be *t)
{
	/* A plain tap needs vhost to make the virtio-net header up. */
	const u64 need = (1ULL << VIRTIO_F_VERSION_1) |
			 (t->vnet_hdr ? 0 : 1ULL << VHOST_NET_F_VIRTIO_NET_HDR);

	if (vhost_open(&t->vhost, "/dev/vhost-net", TAP_QUEUES, &t->be->vm->loop))
		return false;
	if (!vhost_get_features(&t->vhost, &t->vhost_features) &&
	    (t->vhost_features & need) == need)
		return true;
	vhost_close(&t->vhost);
	return false;
}

static int tap_setup(struct tap_be *t, const struct net_config *c, struct err_msg *e)
{
	int ret = c->has_fd ? tap_adopt_fd(t, c->fd, e) : tap_open_dev(t, c, e);

	if (!ret)
		ret = tap_offloads(t, e);
	if (ret)
		return ret;
	if (c->vhost != NET_VHOST_OFF && vhost_usable(t)) {
		t->be->vhost = true;
	} else if (c->vhost == NET_VHOST_ON) {
		return err_usage(e, "tap '%s': vhost=on but /dev/vhost-net cannot be used; load vhost_net (modprobe vhost_net), check its permissions, or give vhost=auto",
				 t->ifname);
	}
	/* Until vhost takes over (or for good without it), frames pass through here. */
	tap_watch(t, true);
	if (!t->watching)
		return err_set(e, EIO, "tap '%s': cannot watch it", t->ifname);
	return 0;
}

int net_tap_open(struct net_backend *be, const struct net_config *c, struct err_msg *e)
{
	struct tap_be *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return err_set(e, ENOMEM, "out of memory for a tap");
	t->be = be;
	t->fd = -1;
	vhost_init(&t->vhost);
	t->ev = (struct event_handler){ .fn = tap_readable, .opaque = t };
	be->priv = t;
	be->ops = &tap_ops;
	ret = tap_setup(t, c, e);
	if (ret) {
		tap_watch(t, false);
		tap_close(be);
	}
	return ret;
}
