/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_UART8250_H
#define LKVM_UART8250_H

#include <pthread.h>

#include "../core/io_bus.h"
#include "../core/util.h"

#define UART8250_RX_SIZE	1024

struct vm;

/* A 16550A: what Linux's 8250 driver probes for, with a 16-byte-ish FIFO. */
struct uart8250 {
	struct vm *vm;
	u32 irq;
	bool irq_level;
	pthread_mutex_t lock;

	u8 ier, lcr, mcr, lsr_extra, scr, dll, dlm, fcr;
	bool thr_empty_irq;		/* THRE interrupt pending */
	u8 rx[UART8250_RX_SIZE];
	unsigned int rx_head, rx_len;
};

/* Registers the 8 byte-wide registers at base on bus, wired to irq. */
int uart8250_init(struct uart8250 *u, struct vm *vm, struct io_bus *bus, u64 base, u32 irq);
/* Bytes typed on the terminal. */
void uart8250_receive(void *opaque, const u8 *buf, size_t len);
/* A break condition, then key: Linux's 8250 driver takes key as a magic SysRq. */
void uart8250_break(struct uart8250 *u, u8 key);

#endif
