// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-9p (virtio 1.x, section 5.11): one request queue carrying 9P2000.L
 * messages to the server in p9_fs.c. A kick arrives on the event loop with
 * the device lock held, where no filesystem call may wait: the chains are
 * only taken off the ring there and handed to the device's own thread,
 * which serves them in order and completes them under the device lock.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/virtio_9p.h>
#include <linux/virtio_ids.h>

#include "../core/vm.h"
#include "p9.h"
#include "p9_fs.h"

#define P9_QUEUE_SIZE		128
/* Config space: le16 tag_len, then the tag, zero padded to the longest. */
#define P9_CONFIG_SIZE		(2 + P9_TAG_MAX + 1)

/* A chain waiting for the worker. */
struct p9_work {
	struct p9_work *next;
	struct virtq *vq;
	u64 epoch;
	struct virtq_elem elem;
};

struct virtio_9p {
	struct virtio_dev vdev;
	struct p9_fs *fs;
	u8 config[P9_CONFIG_SIZE];

	pthread_t thread;
	pthread_mutex_t qlock;		/* below; taken inside vdev.lock, never around it */
	pthread_cond_t cond;
	struct p9_work *head, **tail;
	u64 epoch;			/* bumped by reset, under vdev.lock and qlock */
	bool quit;
	u8 *req, *reply;		/* the worker's copies of one message each way */
};

/* --- DIR[,TAG][,ro] ------------------------------------------------------ */

static int parse_tag(const char *tag, struct p9_config *c, struct err_msg *e)
{
	const unsigned char *s;

	if (!*tag)
		return err_usage(e, "9p share '%s': empty tag; give DIR[,TAG][,ro]", c->dir);
	if (strlen(tag) > P9_TAG_MAX)
		return err_usage(e, "9p tag '%s' is longer than %d bytes; use a shorter tag",
				 tag, P9_TAG_MAX);
	for (s = (const unsigned char *)tag; *s; s++)
		if (*s <= ' ' || *s > '~')
			return err_usage(e, "9p tag '%s' has a space or a non-ASCII byte; use letters, digits and punctuation",
					 tag);
	strcpy(c->tag, tag);
	return 0;
}

int p9_config_parse(const char *arg, struct p9_config *c, struct err_msg *e)
{
	char buf[P9_TAG_MAX + 16], *tag, *opt;
	size_t n = strcspn(arg, ",");

	memset(c, 0, sizeof(*c));
	strcpy(c->tag, P9_DEFAULT_TAG);
	if (!n)
		return err_usage(e, "9p share '%s': no directory before the options; give DIR[,TAG][,ro]",
				 arg);
	if (n >= sizeof(c->dir))
		return err_usage(e, "9p directory '%.40s...' is longer than %zu bytes; use a shorter path",
				 arg, sizeof(c->dir) - 1);
	memcpy(c->dir, arg, n);
	if (!arg[n])
		return 0;
	if (strlen(arg + n + 1) >= sizeof(buf))
		return err_usage(e, "9p share '%s': options '%s' are too long; give DIR[,TAG][,ro] with a tag of at most %d bytes",
				 c->dir, arg + n + 1, P9_TAG_MAX);
	strcpy(buf, arg + n + 1);
	/* "DIR,ro" is read-only with the default tag; the tag comes before ro. */
	tag = buf;
	opt = strchr(buf, ',');
	if (opt)
		*opt++ = '\0';
	if (!opt && !strcmp(tag, "ro")) {
		c->ro = true;
		return 0;
	}
	if (parse_tag(tag, c, e))
		return -EINVAL;
	if (!opt)
		return 0;
	if (strcmp(opt, "ro"))
		return err_usage(e, "9p share '%s': unknown option '%s'; give DIR[,TAG][,ro]",
				 c->dir, opt);
	c->ro = true;
	return 0;
}

/* --- the worker ---------------------------------------------------------- */

static size_t iov_gather(const struct iovec *iov, unsigned int n, u8 *buf, size_t len)
{
	size_t done = 0, l;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		l = MIN(iov[i].iov_len, len - done);
		memcpy(buf + done, iov[i].iov_base, l);
		done += l;
	}
	return done;
}

static void iov_scatter(const struct iovec *iov, unsigned int n, const u8 *buf, size_t len)
{
	size_t done = 0, l;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		l = MIN(iov[i].iov_len, len - done);
		memcpy(iov[i].iov_base, buf + done, l);
		done += l;
	}
}

/*
 * One request, from the guest's buffers to the reply in them. The reply
 * is sized to the writable buffers (an Rlerror when it cannot fit), and
 * written only if no reset came meanwhile: those buffers may be the
 * guest's again.
 */
static void p9_serve(struct virtio_9p *p, const struct p9_work *w)
{
	const struct virtq_elem *e = &w->elem;
	u32 req_len, cap, len;
	bool stale;

	/* A request longer than the buffer is cut, and its size field then says so. */
	req_len = iov_gather(e->iov, e->n_out, p->req, P9_MAX_MSIZE);
	cap = MIN(virtq_elem_in_len(e), (u64)P9_MAX_MSIZE);
	len = p9_fs_handle(p->fs, p->req, req_len, p->reply, cap);

	pthread_mutex_lock(&p->vdev.lock);
	pthread_mutex_lock(&p->qlock);
	stale = w->epoch != p->epoch || p->quit;
	pthread_mutex_unlock(&p->qlock);
	if (!stale) {
		iov_scatter(e->iov + e->n_out, e->n_in, p->reply, len);
		virtio_queue_complete(&p->vdev, w->vq, e->head, len);
	}
	pthread_mutex_unlock(&p->vdev.lock);
}

static void *p9_worker(void *arg)
{
	struct virtio_9p *p = arg;
	struct p9_work *w;
	u64 fs_epoch = 0;

	pthread_mutex_lock(&p->qlock);
	while (!p->quit) {
		if (fs_epoch != p->epoch) {
			/* The driver reset the device: its fids are gone. */
			fs_epoch = p->epoch;
			pthread_mutex_unlock(&p->qlock);
			p9_fs_reset(p->fs);
			pthread_mutex_lock(&p->qlock);
			continue;
		}
		w = p->head;
		if (!w) {
			pthread_cond_wait(&p->cond, &p->qlock);
			continue;
		}
		p->head = w->next;
		if (!p->head)
			p->tail = &p->head;
		pthread_mutex_unlock(&p->qlock);
		p9_serve(p, w);
		free(w);
		pthread_mutex_lock(&p->qlock);
	}
	pthread_mutex_unlock(&p->qlock);
	return NULL;
}

/* Frees the chains not served yet (qlock held). */
static void drop_queued(struct virtio_9p *p)
{
	struct p9_work *w;

	while ((w = p->head)) {
		p->head = w->next;
		free(w);
	}
	p->tail = &p->head;
}

/* --- virtio ---------------------------------------------------------------- */

static void p9_queue_notify(struct virtio_dev *dev, struct virtq *vq)
{
	struct virtio_9p *p = dev->priv;
	struct p9_work *w;
	int ret;

	for (;;) {
		w = malloc(sizeof(*w));
		if (!w)
			return;	/* retried on the next kick */
		ret = virtq_pop(vq, &dev->vm->mem, &w->elem);
		if (ret <= 0) {
			free(w);
			if (ret < 0)
				virtio_set_needs_reset(dev);
			return;
		}
		w->vq = vq;
		w->next = NULL;
		pthread_mutex_lock(&p->qlock);
		w->epoch = p->epoch;
		*p->tail = w;
		p->tail = &w->next;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->qlock);
	}
}

static void p9_reset(struct virtio_dev *dev)
{
	struct virtio_9p *p = dev->priv;

	/* The request being served is dropped when it ends; the worker clunks the fids. */
	pthread_mutex_lock(&p->qlock);
	p->epoch++;
	drop_queued(p);
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->qlock);
}

static u64 p9_features(struct virtio_dev *dev)
{
	(void)dev;
	return 1ULL << VIRTIO_9P_MOUNT_TAG;
}

static void p9_config_read(struct virtio_dev *dev, u32 offset, void *data, u32 len)
{
	struct virtio_9p *p = dev->priv;

	memcpy(data, p->config + offset, len);
}

static const struct virtio_dev_ops p9_ops = {
	.name = "virtio-9p",
	.device_id = VIRTIO_ID_9P,
	.nr_queues = 1,
	.queue_size = P9_QUEUE_SIZE,
	.features = p9_features,
	.config_size = P9_CONFIG_SIZE,
	.config_read = p9_config_read,
	.queue_notify = p9_queue_notify,
	.reset = p9_reset,
};

static void fill_config(struct virtio_9p *p, const char *tag)
{
	size_t len = MIN(strlen(tag), (size_t)P9_TAG_MAX);

	p->config[0] = len;	/* tag_len, little-endian */
	p->config[1] = len >> 8;
	memcpy(p->config + 2, tag, len);
}

/*
 * The worker must not take the signals the main thread waits for, and
 * serves no request before its filter is in.
 */
static int start_worker(struct virtio_9p *p)
{
	struct vm *vm = p->vdev.vm;
	struct seccomp_target filter;
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = seccomp_thread_create(&p->thread, vm_seccomp(vm, SECCOMP_9P, -1, &filter),
				    p9_worker, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ret)
		pthread_setname_np(p->thread, "lkvm-9p");
	return ret;
}

/*
 * Every fid holds an fd, an open one two: make room for full fid tables
 * as far as the hard limit allows, or the guest would see EMFILE long
 * before P9_MAX_FIDS (lkvm waits with epoll, so fds past 1024 are fine).
 */
static void raise_fd_limit(void)
{
	const rlim_t want = 2 * P9_MAX_FIDS + 1024;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : MIN(want, rl.rlim_max);
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void drop_kicks(struct virtio_9p *p)
{
	struct virtq *vq = &p->vdev.vqs[0];

	if (vq->kick_fd < 0)
		return;
	event_loop_del(&p->vdev.vm->loop, &vq->kick);
	close(vq->kick_fd);
	vq->kick_fd = -1;
}

static void free_9p(struct virtio_9p *p)
{
	p9_fs_destroy(p->fs);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->qlock);
	free(p->req);
	free(p->reply);
	free(p);
}

struct virtio_9p *virtio_9p_create(struct vm *vm, const struct p9_config *c, struct err_msg *e)
{
	struct virtio_9p *p = calloc(1, sizeof(*p));
	int ret;

	if (!p) {
		err_set(e, ENOMEM, "out of memory for 9p share '%s'", c->dir);
		return NULL;
	}
	pthread_mutex_init(&p->qlock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->tail = &p->head;
	p->fs = p9_fs_create(c->dir, c->ro, P9_MAX_MSIZE, e);
	if (!p->fs)
		goto err_free;
	p->req = malloc(P9_MAX_MSIZE);
	p->reply = malloc(P9_MAX_MSIZE);
	if (!p->req || !p->reply) {
		err_set(e, ENOMEM, "out of memory for 9p share '%s'", c->dir);
		goto err_free;
	}
	fill_config(p, c->tag[0] ? c->tag : P9_DEFAULT_TAG);
	raise_fd_limit();
	ret = virtio_dev_init(&p->vdev, vm, &p9_ops, p);
	if (ret) {
		err_set(e, ret, "9p share '%s': cannot set up its queue", c->dir);
		goto err_kick;
	}
	ret = start_worker(p);
	if (ret) {
		err_set(e, ret, "9p share '%s': cannot start its thread: %s%s", c->dir,
			strerror(-ret), vm->cfg.no_seccomp ? "" :
			" (rerun with --no-seccomp if its filter is the cause)");
		goto err_kick;
	}
	return p;
err_kick:
	drop_kicks(p);
err_free:
	free_9p(p);
	return NULL;
}

struct virtio_dev *virtio_9p_dev(struct virtio_9p *p)
{
	return &p->vdev;
}

void virtio_9p_destroy(struct virtio_9p *p)
{
	pthread_mutex_lock(&p->qlock);
	p->quit = true;
	drop_queued(p);
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->qlock);
	pthread_join(p->thread, NULL);
	drop_kicks(p);
	free_9p(p);
}
