/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_RTC_CMOS_H
#define LKVM_RTC_CMOS_H

#include <pthread.h>

#include "../core/io_bus.h"
#include "../core/util.h"

/* The PC's MC146818 CMOS clock: wall-clock time from the host, plus NVRAM bytes. */
struct rtc_cmos {
	pthread_mutex_t lock;
	u8 index;
	u8 nvram[128];
};

int rtc_cmos_init(struct rtc_cmos *rtc, struct io_bus *pio, u16 port);

#endif
