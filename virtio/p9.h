/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_P9_H
#define LKVM_VIRTIO_P9_H

#include <limits.h>

#include "virtio.h"

#define P9_TAG_MAX		31	/* bytes of a mount tag, without the NUL */
#define P9_DEFAULT_TAG		"hostshare"

/* One host directory shared with 9P2000.L: DIR[,TAG][,ro] (DIR cannot contain a comma). */
struct p9_config {
	char dir[PATH_MAX];
	char tag[P9_TAG_MAX + 1];	/* the guest mounts it as: mount -t 9p TAG /mnt */
	bool ro;
};

/* Pure: looks at no file; -EINVAL with e naming the bad value and the fix. */
int p9_config_parse(const char *arg, struct p9_config *c, struct err_msg *e);

struct vm;
struct virtio_9p;

/*
 * Creates a virtio-9p device serving c->dir (a missing directory, or not
 * a directory, is a usage error naming it); its transport is chosen by
 * the caller. Requests are served by a thread of the device.
 */
struct virtio_9p *virtio_9p_create(struct vm *vm, const struct p9_config *c, struct err_msg *e);
struct virtio_dev *virtio_9p_dev(struct virtio_9p *p);
/*
 * Joins the device's thread, which completes requests through the
 * transport: call it before the transport is torn down.
 */
void virtio_9p_destroy(struct virtio_9p *p);

#endif
