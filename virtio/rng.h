/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_RNG_H
#define LKVM_VIRTIO_RNG_H

#include "virtio.h"

struct vm;
struct virtio_rng;

/* A virtio-rng device fed by the host's getrandom(); its transport is chosen by the caller. */
struct virtio_rng *virtio_rng_create(struct vm *vm, struct err_msg *e);
struct virtio_dev *virtio_rng_dev(struct virtio_rng *r);
void virtio_rng_destroy(struct virtio_rng *r);

#endif
