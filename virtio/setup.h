/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_SETUP_H
#define LKVM_VIRTIO_SETUP_H

#include "../core/util.h"

struct vm;

/* Creates the virtio devices the configuration asks for, on its transport. */
int virtio_devices_create(struct vm *vm, struct err_msg *e);

#endif
