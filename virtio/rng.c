// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng (virtio 1.x, section 5.4): one queue of writable buffers,
 * each filled from the host's getrandom(). Served on the event loop, so
 * the work one kick may cause is bounded: a chain gets at most
 * RNG_MAX_PER_CHAIN bytes (the used length says how many), and after
 * RNG_BUDGET chains the rest waits for the loop's next turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

#include "../core/vm.h"
#include "rng.h"

#define RNG_QUEUE_SIZE		64
#define RNG_MAX_PER_CHAIN	(64 * 1024)
#define RNG_BUDGET		64	/* chains per turn of the event loop */

struct virtio_rng {
	struct virtio_dev vdev;
	struct virtq_elem elem;
};

/*
 * Fills up to max bytes of e's writable buffers. Returns the bytes
 * written, or -EAGAIN when the host pool is not ready and none were.
 */
static long rng_fill(const struct virtq_elem *e, size_t max)
{
	size_t done = 0;
	unsigned int i;

	for (i = e->n_out; i < e->n_out + e->n_in && done < max; i++) {
		u8 *p = e->iov[i].iov_base;
		size_t want = MIN(e->iov[i].iov_len, max - done);

		while (want) {
			ssize_t n = getrandom(p, want, GRND_NONBLOCK);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done ? (long)done : -EAGAIN;
			p += n;
			want -= n;
			done += n;
		}
	}
	return done;
}

static void rng_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_rng *r = dev->priv;
	unsigned int budget = RNG_BUDGET;
	long n;
	int ret;

	while (budget--) {
		ret = virtq_pop(vq, &dev->vm->mem, &r->elem);
		if (ret < 0)
			virtio_set_needs_reset(dev);
		if (ret <= 0)
			return;
		n = rng_fill(&r->elem, RNG_MAX_PER_CHAIN);
		if (n == -EAGAIN) {
			/*
			 * Only before the host's pool is seeded, i.e. hardly
			 * ever: the chain is served on the driver's next kick.
			 */
			virtq_unpop(vq, 1);
			return;
		}
		virtio_queue_complete(dev, vq, r->elem.head, n);
	}
	/* Out of budget with chains left: come back after the others had a turn. */
	virtio_kick(vq);
}

static u64 rng_features(struct virtio_dev *dev)
{
	(void)dev;
	return 0;
}

static const struct virtio_dev_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_size = RNG_QUEUE_SIZE,
	.features = rng_features,
	.queue_notify = rng_queue_notify,
};

struct virtio_rng *virtio_rng_create(struct vm *vm, struct err_msg *e)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));
	int ret;

	if (!r) {
		err_set(e, ENOMEM, "out of memory for virtio-rng");
		return NULL;
	}
	ret = virtio_dev_init(&r->vdev, vm, &rng_ops, r);
	if (ret) {
		err_set(e, ret, "virtio-rng: cannot set up its queue");
		virtio_rng_destroy(r);
		return NULL;
	}
	return r;
}

struct virtio_dev *virtio_rng_dev(struct virtio_rng *r)
{
	return &r->vdev;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	struct virtq *vq = &r->vdev.vqs[0];

	/* The loop may be gone already (vm_destroy stops it first): then del just fails. */
	if (vq->kick_fd > 0) {
		event_loop_del(&r->vdev.vm->loop, &vq->kick);
		close(vq->kick_fd);
	}
	free(r);
}
