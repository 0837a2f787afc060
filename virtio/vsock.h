/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_VSOCK_H
#define LKVM_VIRTIO_VSOCK_H

#include "virtio.h"

struct vm;
struct virtio_vsock;

/* A virtio-vsock with guest CID cid, served by /dev/vhost-vsock. */
struct virtio_vsock *virtio_vsock_create(struct vm *vm, u32 cid, struct err_msg *e);
struct virtio_dev *virtio_vsock_dev(struct virtio_vsock *s);
void virtio_vsock_destroy(struct virtio_vsock *s);

#endif
