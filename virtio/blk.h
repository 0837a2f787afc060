/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_BLK_H
#define LKVM_VIRTIO_BLK_H

#include "disk.h"
#include "virtio.h"

struct vm;

/* Creates a virtio-blk device for one --disk; its transport is chosen by the caller. */
struct virtio_blk *virtio_blk_create(struct vm *vm, const struct disk_config *c,
				     struct err_msg *e);
struct virtio_dev *virtio_blk_dev(struct virtio_blk *b);
const struct disk *virtio_blk_disk(const struct virtio_blk *b);
void virtio_blk_destroy(struct virtio_blk *b);

#endif
