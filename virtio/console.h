/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_CONSOLE_H
#define LKVM_VIRTIO_CONSOLE_H

#include "virtio.h"

struct vm;
struct virtio_console;

/*
 * A single-port virtio-console on the VM's terminal: the guest's output
 * goes to term_write(), and the device takes the terminal's input sink
 * (term_set_sink), so no other device may claim it.
 */
struct virtio_console *virtio_console_create(struct vm *vm, struct err_msg *e);
struct virtio_dev *virtio_console_dev(struct virtio_console *c);
void virtio_console_destroy(struct virtio_console *c);

#endif
