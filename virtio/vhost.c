// SPDX-License-Identifier: GPL-2.0
/* The vhost ioctl protocol common to every vhost-served device. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vhost.h>

#include "../core/vm.h"
#include "vhost.h"

/* The kernel used a buffer and wants the driver told. */
static void call_ready(struct event_handler *h, u32 events)
{
	struct vhost_dev *v = h->opaque;
	unsigned int i = h - v->call_ev;
	struct virtio_dev *dev;
	u64 n;

	(void)events;
	if (read(v->call_fd[i], &n, sizeof(n)) < 0)
		return;
	dev = __atomic_load_n(&v->dev, __ATOMIC_ACQUIRE);
	if (!dev)
		return;
	pthread_mutex_lock(&dev->lock);
	if (v->dev)
		dev->transport->signal_queue(dev, &dev->vqs[i]);
	pthread_mutex_unlock(&dev->lock);
}

void vhost_init(struct vhost_dev *v)
{
	unsigned int i;

	v->fd = -1;
	v->dev = NULL;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		v->call_fd[i] = -1;
}

int vhost_open(struct vhost_dev *v, const char *path, unsigned int nr_queues,
	       struct event_loop *loop)
{
	unsigned int i;
	int ret;

	vhost_init(v);
	v->nr_queues = nr_queues;
	v->loop = loop;
	v->fd = open(path, O_RDWR | O_CLOEXEC);
	if (v->fd < 0)
		return -errno;
	if (ioctl(v->fd, VHOST_SET_OWNER))
		goto fail;
	for (i = 0; i < nr_queues; i++) {
		v->call_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->call_fd[i] < 0)
			goto fail;
		v->call_ev[i] = (struct event_handler){
			.fd = v->call_fd[i], .fn = call_ready, .opaque = v,
		};
		ret = event_loop_add(loop, &v->call_ev[i], EPOLLIN);
		if (ret) {
			close(v->call_fd[i]);
			v->call_fd[i] = -1;
			errno = -ret;
			goto fail;
		}
	}
	return 0;
fail:
	ret = -errno;
	vhost_close(v);
	return ret;
}

int vhost_get_features(struct vhost_dev *v, u64 *features)
{
	return ioctl(v->fd, VHOST_GET_FEATURES, features) ? -errno : 0;
}

static int set_mem_table(struct vhost_dev *v, const struct guest_mem *mem)
{
	struct vhost_memory *m;
	unsigned int i;
	int ret;

	m = calloc(1, sizeof(*m) + mem->nr_regions * sizeof(m->regions[0]));
	if (!m)
		return -ENOMEM;
	m->nregions = mem->nr_regions;
	for (i = 0; i < mem->nr_regions; i++)
		m->regions[i] = (struct vhost_memory_region){
			.guest_phys_addr = mem->regions[i].gpa,
			.memory_size = mem->regions[i].size,
			.userspace_addr = (u64)(uintptr_t)mem->regions[i].hva,
		};
	ret = ioctl(v->fd, VHOST_SET_MEM_TABLE, m) ? -errno : 0;
	free(m);
	return ret;
}

static int set_vring(struct vhost_dev *v, struct virtq *vq, unsigned int i)
{
	struct vhost_vring_state num = { .index = i, .num = vq->size };
	/* Chains the device took already are not the kernel's to take again. */
	struct vhost_vring_state base = { .index = i, .num = vq->last_avail };
	struct vhost_vring_addr a = {
		.index = i,
		.desc_user_addr = (u64)(uintptr_t)vq->desc,
		.avail_user_addr = (u64)(uintptr_t)vq->avail,
		.used_user_addr = (u64)(uintptr_t)vq->used,
	};
	struct vhost_vring_file kick = { .index = i, .fd = vq->kick_fd };
	struct vhost_vring_file call = { .index = i, .fd = v->call_fd[i] };

	if (ioctl(v->fd, VHOST_SET_VRING_NUM, &num) ||
	    ioctl(v->fd, VHOST_SET_VRING_BASE, &base) ||
	    ioctl(v->fd, VHOST_SET_VRING_ADDR, &a) ||
	    ioctl(v->fd, VHOST_SET_VRING_KICK, &kick) ||
	    ioctl(v->fd, VHOST_SET_VRING_CALL, &call))
		return -errno;
	return 0;
}

int vhost_start(struct vhost_dev *v, struct virtio_dev *dev, u64 features)
{
	unsigned int i;
	int ret;

	if (ioctl(v->fd, VHOST_SET_FEATURES, &features))
		return -errno;
	ret = set_mem_table(v, &dev->vm->mem);
	for (i = 0; !ret && i < v->nr_queues; i++)
		ret = set_vring(v, &dev->vqs[i], i);
	if (ret)
		return ret;
	__atomic_store_n(&v->dev, dev, __ATOMIC_RELEASE);
	return 0;
}

void vhost_stop(struct vhost_dev *v)
{
	unsigned int i;

	for (i = 0; i < v->nr_queues; i++) {
		struct vhost_vring_state state = { .index = i };
		struct vhost_vring_file off = { .index = i, .fd = -1 };

		/* Where the kernel stopped is where the device resumes. */
		if (v->dev && !ioctl(v->fd, VHOST_GET_VRING_BASE, &state))
			v->dev->vqs[i].last_avail = state.num;
		ioctl(v->fd, VHOST_SET_VRING_KICK, &off);
	}
	__atomic_store_n(&v->dev, NULL, __ATOMIC_RELEASE);
}

void vhost_close(struct vhost_dev *v)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (v->call_fd[i] < 0)
			continue;
		event_loop_del(v->loop, &v->call_ev[i]);
		close(v->call_fd[i]);
		v->call_fd[i] = -1;
	}
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}
