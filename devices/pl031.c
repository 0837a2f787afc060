// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <time.h>

#include "pl031.h"

enum {
	REG_DR = 0x000, REG_MR = 0x004, REG_LR = 0x008, REG_CR = 0x00c,
	REG_IMSC = 0x010, REG_RIS = 0x014, REG_MIS = 0x018, REG_ICR = 0x01c,
	REG_ID = 0xfe0,
};

/* PeriphID (part 0x031, ARM, revision 1) and the PrimeCell ID, one byte a word. */
static const u8 pl031_id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static u32 pl031_now(const struct pl031 *rtc)
{
	return (u32)(time(NULL) + rtc->offset);
}

static u32 pl031_read_reg(struct pl031 *rtc, u64 reg)
{
	if (reg >= REG_ID && reg < REG_ID + 4 * ARRAY_SIZE(pl031_id))
		return pl031_id[(reg - REG_ID) / 4];
	switch (reg) {
	case REG_DR:
		return pl031_now(rtc);
	case REG_MR:
		return rtc->match;
	case REG_LR:
		return pl031_now(rtc);
	case REG_CR:
		return 1;	/* always started */
	case REG_IMSC:
		return rtc->imsc;
	default:
		return 0;	/* RIS, MIS: the alarm never fires */
	}
}

static void pl031_write_reg(struct pl031 *rtc, u64 reg, u32 v)
{
	switch (reg) {
	case REG_MR:
		rtc->match = v;
		break;
	case REG_LR:
		rtc->offset = (s64)v - (s64)time(NULL);
		break;
	case REG_IMSC:
		rtc->imsc = v & 1;
		break;
	default:
		break;	/* CR cannot stop the clock; ICR has nothing to clear */
	}
}

static void pl031_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct pl031 *rtc = opaque;
	u32 v;

	pthread_mutex_lock(&rtc->lock);
	v = pl031_read_reg(rtc, offset & ~3ULL);
	pthread_mutex_unlock(&rtc->lock);
	memset(data, 0, len);
	memcpy(data, &v, MIN(len, sizeof(v)));
}

static void pl031_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct pl031 *rtc = opaque;
	u32 v = 0;

	memcpy(&v, data, MIN(len, sizeof(v)));
	pthread_mutex_lock(&rtc->lock);
	pl031_write_reg(rtc, offset & ~3ULL, v);
	pthread_mutex_unlock(&rtc->lock);
}

static const struct io_ops pl031_ops = {
	.read = pl031_read,
	.write = pl031_write,
};

int pl031_init(struct pl031 *rtc, struct io_bus *bus, u64 base)
{
	memset(rtc, 0, sizeof(*rtc));
	pthread_mutex_init(&rtc->lock, NULL);
	return io_bus_register(bus, base, PL031_MMIO_SIZE, &pl031_ops, rtc);
}
