// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "../core/vm.h"
#include "pl011.h"

enum {
	REG_DR = 0x000, REG_RSR = 0x004, REG_FR = 0x018, REG_ILPR = 0x020,
	REG_IBRD = 0x024, REG_FBRD = 0x028, REG_LCR_H = 0x02c, REG_CR = 0x030,
	REG_IFLS = 0x034, REG_IMSC = 0x038, REG_RIS = 0x03c, REG_MIS = 0x040,
	REG_ICR = 0x044, REG_DMACR = 0x048, REG_ID = 0xfe0,
};

#define FR_BUSY		(1 << 3)
#define FR_RXFE		(1 << 4)
#define FR_TXFF		(1 << 5)
#define FR_RXFF		(1 << 6)
#define FR_TXFE		(1 << 7)

#define INT_RX		(1 << 4)
#define INT_TX		(1 << 5)
#define INT_RT		(1 << 6)	/* receive timeout */
#define INT_ALL		0x7ff

#define CR_LBE		(1 << 7)	/* loopback */
#define CR_RESET	0x0300		/* TXE | RXE, UART disabled */
#define IFLS_RESET	0x12		/* both FIFOs at half */

/* PeriphID (part 0x011, ARM, revision 3) and the PrimeCell ID, one byte a word. */
static const u8 pl011_id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

/*
 * A byte waiting raises both RX and the receive timeout: this model has no
 * character timing, and the driver drains the FIFO on either. Reading the
 * last byte lowers them, as on hardware.
 */
static u32 pl011_ris(const struct pl011 *u)
{
	return u->ris | (u->rx_len ? INT_RX | INT_RT : 0);
}

/* Called with the lock held after any state change. */
static void pl011_update_irq(struct pl011 *u)
{
	bool level = pl011_ris(u) & u->imsc;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	vm_irq_line(u->vm, u->irq, level);
}

static void rx_push(struct pl011 *u, u8 c)
{
	if (u->rx_len == PL011_RX_SIZE)
		return;	/* overrun: the byte is lost */
	u->rx[(u->rx_head + u->rx_len) % PL011_RX_SIZE] = c;
	u->rx_len++;
}

static u32 rx_pop(struct pl011 *u)
{
	u8 c;

	if (!u->rx_len)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_RX_SIZE;
	u->rx_len--;
	return c;
}

static u32 pl011_fr(const struct pl011 *u)
{
	u32 fr = FR_TXFE;

	if (!u->rx_len)
		fr |= FR_RXFE;
	if (u->rx_len == PL011_RX_SIZE)
		fr |= FR_RXFF;
	return fr;
}

static u32 pl011_read_reg(struct pl011 *u, u64 reg)
{
	if (reg >= REG_ID && reg < REG_ID + 4 * ARRAY_SIZE(pl011_id))
		return (reg & 3) ? 0 : pl011_id[(reg - REG_ID) / 4];
	switch (reg) {
	case REG_DR:
		return rx_pop(u);
	case REG_FR:
		return pl011_fr(u);
	case REG_ILPR:
		return u->ilpr;
	case REG_IBRD:
		return u->ibrd;
	case REG_FBRD:
		return u->fbrd;
	case REG_LCR_H:
		return u->lcr_h;
	case REG_CR:
		return u->cr;
	case REG_IFLS:
		return u->ifls;
	case REG_IMSC:
		return u->imsc;
	case REG_RIS:
		return pl011_ris(u);
	case REG_MIS:
		return pl011_ris(u) & u->imsc;
	case REG_DMACR:
		return u->dmacr;
	default:
		return 0;	/* RSR: no errors; ICR is write-only */
	}
}

/*
 * The byte leaves at once, so the TX FIFO drops below its trigger level
 * right away: TX stays raised until the driver clears it through ICR.
 */
static void pl011_transmit(struct pl011 *u, u8 c)
{
	if (u->cr & CR_LBE)
		rx_push(u, c);
	else
		term_write(&u->vm->term, &c, 1);
	u->ris |= INT_TX;
}

static void pl011_write_reg(struct pl011 *u, u64 reg, u32 v)
{
	switch (reg) {
	case REG_DR:
		pl011_transmit(u, v);
		break;
	case REG_ILPR:
		u->ilpr = v & 0xff;
		break;
	case REG_IBRD:
		u->ibrd = v & 0xffff;
		break;
	case REG_FBRD:
		u->fbrd = v & 0x3f;
		break;
	case REG_LCR_H:
		u->lcr_h = v & 0xff;
		break;
	case REG_CR:
		u->cr = v & 0xffff;
		break;
	case REG_IFLS:
		u->ifls = v & 0x3f;
		break;
	case REG_IMSC:
		u->imsc = v & INT_ALL;
		break;
	case REG_ICR:
		u->ris &= ~v;
		break;
	case REG_DMACR:
		u->dmacr = v & 0x7;
		break;
	default:
		break;	/* RSR/ECR clears errors there are none of; the rest is read-only */
	}
}

static void pl011_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct pl011 *u = opaque;
	u32 v;

	pthread_mutex_lock(&u->lock);
	v = pl011_read_reg(u, offset & ~3ULL) >> (8 * (offset & 3));
	pl011_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	memset(data, 0, len);
	memcpy(data, &v, MIN(len, sizeof(v)));
}

static void pl011_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct pl011 *u = opaque;
	u32 v = 0;

	/* Registers are 32 bits wide; a narrower write lands in the low bytes. */
	memcpy(&v, data, MIN(len, sizeof(v)));
	pthread_mutex_lock(&u->lock);
	pl011_write_reg(u, offset & ~3ULL, v);
	pl011_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static const struct io_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
};

void pl011_receive(void *opaque, const u8 *buf, size_t len)
{
	struct pl011 *u = opaque;
	size_t i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len; i++)
		rx_push(u, buf[i]);
	pl011_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

int pl011_init(struct pl011 *u, struct vm *vm, struct io_bus *bus, u64 base, u32 irq)
{
	memset(u, 0, sizeof(*u));
	u->vm = vm;
	u->irq = irq;
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
	pthread_mutex_init(&u->lock, NULL);
	return io_bus_register(bus, base, PL011_MMIO_SIZE, &pl011_ops, u);
}
