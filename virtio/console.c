// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (virtio 1.x, section 5.3), one port and no MULTIPORT:
 * queue 0 carries keystrokes to the guest, queue 1 its output to the
 * terminal. The terminal's size is offered once, at creation.
 *
 * Keystrokes arrive on the event loop (the terminal's sink) whether or
 * not the driver has posted buffers; they wait in a small ring until it
 * does, and the receive queue's next kick delivers them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <endian.h>
#include <sys/ioctl.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>

#include "../core/vm.h"
#include "console.h"

#define CONSOLE_QUEUE_SIZE	64
#define RXQ			0
#define TXQ			1
#define CONSOLE_PENDING		4096	/* keystrokes held for the driver; a power of two */
#define CONSOLE_TX_BUDGET	64	/* chains per turn of the event loop */

struct virtio_console {
	struct virtio_dev vdev;
	struct virtio_console_config config;
	u8 pending[CONSOLE_PENDING];
	unsigned int head, tail;	/* free-running; tail - head bytes held */
	struct virtq_elem elem;
};

/* Keeps what fits of buf; beyond CONSOLE_PENDING bytes the guest is not reading, so they drop. */
static void pending_add(struct virtio_console *c, const u8 *buf, size_t len)
{
	size_t room = CONSOLE_PENDING - (c->tail - c->head);

	for (len = MIN(len, room); len; len--)
		c->pending[c->tail++ % CONSOLE_PENDING] = *buf++;
}

/* Moves held keystrokes into e's writable buffers; returns the bytes moved. */
static u32 pending_take(struct virtio_console *c, const struct virtq_elem *e)
{
	u32 done = 0;
	unsigned int i;

	for (i = e->n_out; i < e->n_out + e->n_in; i++) {
		u8 *p = e->iov[i].iov_base;
		size_t l;

		for (l = 0; l < e->iov[i].iov_len && c->head != c->tail; l++)
			p[l] = c->pending[c->head++ % CONSOLE_PENDING];
		done += l;
	}
	return done;
}

/* Delivers held keystrokes while the driver has buffers for them. */
static void rx_flush(struct virtio_console *c)
{
	struct virtio_dev *dev = &c->vdev;
	struct virtq *vq = &dev->vqs[RXQ];
	int ret;

	if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	while (c->head != c->tail) {
		ret = virtq_pop(vq, &dev->vm->mem, &c->elem);
		if (ret < 0)
			virtio_set_needs_reset(dev);
		if (ret <= 0)
			return;
		/* A chain without writable buffers is returned empty. */
		virtio_queue_complete(dev, vq, c->elem.head, pending_take(c, &c->elem));
	}
}

/* The terminal's input, on the event loop thread. */
static void console_sink(void *opaque, const u8 *buf, size_t len)
{
	struct virtio_console *c = opaque;

	pthread_mutex_lock(&c->vdev.lock);
	pending_add(c, buf, len);
	rx_flush(c);
	pthread_mutex_unlock(&c->vdev.lock);
}

static void tx_kick(struct virtio_console *c, struct virtq *vq)
{
	struct virtio_dev *dev = &c->vdev;
	unsigned int budget = CONSOLE_TX_BUDGET, i;
	int ret;

	while (budget--) {
		ret = virtq_pop(vq, &dev->vm->mem, &c->elem);
		if (ret < 0)
			virtio_set_needs_reset(dev);
		if (ret <= 0)
			return;
		for (i = 0; i < c->elem.n_out; i++)
			term_write(&dev->vm->term, c->elem.iov[i].iov_base, c->elem.iov[i].iov_len);
		virtio_queue_complete(dev, vq, c->elem.head, 0);
	}
	/* More output than one turn's worth: let the other devices in first. */
	virtio_kick(vq);
}

static void console_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_console *c = dev->priv;

	if (vq->index == RXQ)
		rx_flush(c);
	else
		tx_kick(c, vq);
}

static u64 console_features(struct virtio_dev *dev)
{
	(void)dev;
	return 1ULL << VIRTIO_CONSOLE_F_SIZE;
}

static void console_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct virtio_console *c = dev->priv;

	memcpy(data, (u8 *)&c->config + offset, len);
}

static const struct virtio_dev_ops console_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.queue_size = CONSOLE_QUEUE_SIZE,
	.features = console_features,
	/* cols and rows: max_nr_ports and emerg_wr belong to features not offered */
	.config_size = offsetof(struct virtio_console_config, max_nr_ports),
	.config_read = console_config_read,
	.queue_notify = console_queue_notify,
	/*
	 * No reset: held keystrokes are the user's, not the driver's, and
	 * wait for the next driver (e.g. the one the rebooted guest loads).
	 */
};

static void term_size(int fd, struct virtio_console_config *cfg)
{
	struct winsize ws;
	u16 cols = 80, rows = 25;

	if (isatty(fd) && !ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	cfg->cols = htole16(cols);
	cfg->rows = htole16(rows);
}

static void close_kicks(struct virtio_console *c)
{
	unsigned int i;

	/* The loop may be gone already (vm_destroy stops it first): then del just fails. */
	for (i = 0; i < console_ops.nr_queues; i++) {
		struct virtq *vq = &c->vdev.vqs[i];

		if (vq->kick_fd <= 0)
			continue;
		event_loop_del(&c->vdev.vm->loop, &vq->kick);
		close(vq->kick_fd);
	}
}

struct virtio_console *virtio_console_create(struct vm *vm, struct err_msg *e)
{
	struct virtio_console *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		err_set(e, ENOMEM, "out of memory for virtio-console");
		return NULL;
	}
	term_size(vm->term.out_fd, &c->config);
	ret = virtio_dev_init(&c->vdev, vm, &console_ops, c);
	if (ret) {
		err_set(e, ret, "virtio-console: cannot set up its queues");
		close_kicks(c);
		free(c);
		return NULL;
	}
	term_set_sink(&vm->term, console_sink, c);
	return c;
}

struct virtio_dev *virtio_console_dev(struct virtio_console *c)
{
	return &c->vdev;
}

void virtio_console_destroy(struct virtio_console *c)
{
	struct term *t = &c->vdev.vm->term;

	if (t->sink_opaque == c)
		term_set_sink(t, NULL, NULL);
	close_kicks(c);
	free(c);
}
