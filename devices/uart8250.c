// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "../core/vm.h"
#include "uart8250.h"

enum {
	REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

static u8 uart_iir(const struct uart8250 *u)
{
	u8 fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_len)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_empty_irq)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

/* Called with the lock held after any state change. */
static void uart_update_irq(struct uart8250 *u)
{
	bool level = !(uart_iir(u) & IIR_NO_INT);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	vm_irq_line(u->vm, u->irq, level);
}

static void rx_push(struct uart8250 *u, u8 c)
{
	if (u->rx_len == UART8250_RX_SIZE)
		return;	/* overrun: the byte is lost, as on hardware */
	u->rx[(u->rx_head + u->rx_len) % UART8250_RX_SIZE] = c;
	u->rx_len++;
}

static u8 rx_pop(struct uart8250 *u)
{
	u8 c;

	if (!u->rx_len)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART8250_RX_SIZE;
	u->rx_len--;
	return c;
}

static u8 uart_msr(const struct uart8250 *u)
{
	u8 m = u->mcr;

	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD (the 8250 self-test). */
	return ((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
}

static u8 uart_read_reg(struct uart8250 *u, u64 reg)
{
	u8 v;

	switch (reg) {
	case REG_RBR_THR:
		return (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
	case REG_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = uart_iir(u);
		/* Reading IIR acknowledges a THRE interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			u->thr_empty_irq = false;
		return v;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0) | u->lsr_extra;
		u->lsr_extra = 0;
		return v;
	case REG_MSR:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_transmit(struct uart8250 *u, u8 c)
{
	if (u->mcr & MCR_LOOP)
		rx_push(u, c);
	else
		term_write(&u->vm->term, &c, 1);
	u->thr_empty_irq = true;
}

static void uart_write_reg(struct uart8250 *u, u64 reg, u8 v)
{
	switch (reg) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with an empty THR raises it at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_empty_irq = true;
		u->ier = v & 0x0f;
		break;
	case REG_IIR_FCR:
		u->fcr = v & ~(FCR_CLEAR_RX | 0x04);
		if (v & FCR_CLEAR_RX)
			u->rx_len = 0;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default:
		break;	/* LSR and MSR are read-only */
	}
}

static void uart_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct uart8250 *u = opaque;

	memset(data, 0, len);
	pthread_mutex_lock(&u->lock);
	*(u8 *)data = uart_read_reg(u, offset);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct uart8250 *u = opaque;

	(void)len;
	pthread_mutex_lock(&u->lock);
	uart_write_reg(u, offset, *(const u8 *)data);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static const struct io_ops uart_ops = {
	.read = uart_read,
	.write = uart_write,
};

void uart8250_receive(void *opaque, const u8 *buf, size_t len)
{
	struct uart8250 *u = opaque;
	size_t i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len; i++)
		rx_push(u, buf[i]);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/*
 * A break arrives as a NUL character with LSR.BI set; the driver reads LSR,
 * sees BI, and treats the next character as SysRq. BI goes with the next
 * LSR read, so it is reported against whatever is at the head of the FIFO.
 */
void uart8250_break(struct uart8250 *u, u8 key)
{
	pthread_mutex_lock(&u->lock);
	rx_push(u, 0);
	rx_push(u, key);
	u->lsr_extra |= LSR_BI;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

int uart8250_init(struct uart8250 *u, struct vm *vm, struct io_bus *bus, u64 base, u32 irq)
{
	memset(u, 0, sizeof(*u));
	u->vm = vm;
	u->irq = irq;
	pthread_mutex_init(&u->lock, NULL);
	return io_bus_register(bus, base, 8, &uart_ops, u);
}
