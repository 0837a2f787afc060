/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PL011_H
#define LKVM_PL011_H

#include <pthread.h>

#include "../core/io_bus.h"
#include "../core/util.h"

#define PL011_MMIO_SIZE		0x1000
#define PL011_RX_SIZE		1024

struct vm;

/*
 * An ARM PrimeCell PL011 UART, as Linux's amba-pl011 driver and its
 * earlycon use it: transmit goes to the terminal at once, so the TX FIFO
 * is always empty; received bytes wait in a FIFO deeper than the real 32.
 */
struct pl011 {
	struct vm *vm;
	u32 irq;
	bool irq_level;
	pthread_mutex_t lock;

	u32 ris;		/* raw interrupt status, except RX (from the FIFO) */
	u32 imsc;
	u32 cr, lcr_h, ibrd, fbrd, ifls, ilpr, dmacr;
	u8 rx[PL011_RX_SIZE];
	unsigned int rx_head, rx_len;
};

/* Registers the 4 KiB register window at base on bus, wired to irq. */
int pl011_init(struct pl011 *u, struct vm *vm, struct io_bus *bus, u64 base, u32 irq);
/* Bytes typed on the terminal. */
void pl011_receive(void *opaque, const u8 *buf, size_t len);

#endif
