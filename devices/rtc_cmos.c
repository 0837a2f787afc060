// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <time.h>

#include "rtc_cmos.h"

enum {
	CMOS_SECONDS = 0x00, CMOS_MINUTES = 0x02, CMOS_HOURS = 0x04,
	CMOS_WEEKDAY = 0x06, CMOS_DAY = 0x07, CMOS_MONTH = 0x08, CMOS_YEAR = 0x09,
	CMOS_STATUS_A = 0x0a, CMOS_STATUS_B = 0x0b, CMOS_STATUS_C = 0x0c,
	CMOS_STATUS_D = 0x0d, CMOS_CENTURY = 0x32,
};

#define STATUS_B_24H	0x02
#define STATUS_B_BINARY	0x04
#define STATUS_D_VRT	0x80

static u8 to_bcd(unsigned int v)
{
	return ((v / 10) << 4) | (v % 10);
}

static u8 clock_value(const struct rtc_cmos *rtc, u8 reg)
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned int v;

	gmtime_r(&now, &tm);
	switch (reg) {
	case CMOS_SECONDS: v = tm.tm_sec; break;
	case CMOS_MINUTES: v = tm.tm_min; break;
	case CMOS_HOURS: v = tm.tm_hour; break;
	case CMOS_WEEKDAY: v = tm.tm_wday + 1; break;
	case CMOS_DAY: v = tm.tm_mday; break;
	case CMOS_MONTH: v = tm.tm_mon + 1; break;
	case CMOS_YEAR: v = tm.tm_year % 100; break;
	default: v = (tm.tm_year + 1900) / 100; break;
	}
	return (rtc->nvram[CMOS_STATUS_B] & STATUS_B_BINARY) ? v : to_bcd(v);
}

static u8 cmos_read(struct rtc_cmos *rtc, u8 reg)
{
	switch (reg) {
	case CMOS_SECONDS: case CMOS_MINUTES: case CMOS_HOURS: case CMOS_WEEKDAY:
	case CMOS_DAY: case CMOS_MONTH: case CMOS_YEAR: case CMOS_CENTURY:
		return clock_value(rtc, reg);
	case CMOS_STATUS_A:
		/* Never "update in progress": the host clock is always readable. */
		return rtc->nvram[reg] & 0x7f;
	case CMOS_STATUS_C:
		return 0;
	case CMOS_STATUS_D:
		return STATUS_D_VRT;
	default:
		return rtc->nvram[reg];
	}
}

static void rtc_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct rtc_cmos *rtc = opaque;

	memset(data, 0xff, len);
	if (offset != 1)
		return;
	pthread_mutex_lock(&rtc->lock);
	*(u8 *)data = cmos_read(rtc, rtc->index);
	pthread_mutex_unlock(&rtc->lock);
}

static void rtc_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct rtc_cmos *rtc = opaque;
	u8 v = *(const u8 *)data;

	(void)len;
	pthread_mutex_lock(&rtc->lock);
	if (offset == 0)
		rtc->index = v & 0x7f;	/* bit 7 is the NMI mask */
	else if (rtc->index > CMOS_STATUS_D || rtc->index == CMOS_STATUS_A ||
		 rtc->index == CMOS_STATUS_B)
		rtc->nvram[rtc->index] = v;
	/* Time written by the guest is dropped: the host clock stays the truth. */
	pthread_mutex_unlock(&rtc->lock);
}

static const struct io_ops rtc_ops = {
	.read = rtc_read,
	.write = rtc_write,
};

int rtc_cmos_init(struct rtc_cmos *rtc, struct io_bus *pio, u16 port)
{
	memset(rtc, 0, sizeof(*rtc));
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->nvram[CMOS_STATUS_A] = 0x26;	/* 32.768 kHz base, 1024 Hz rate */
	rtc->nvram[CMOS_STATUS_B] = STATUS_B_24H;
	return io_bus_register(pio, port, 2, &rtc_ops, rtc);
}
