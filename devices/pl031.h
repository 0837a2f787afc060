/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_PL031_H
#define LKVM_PL031_H

#include <pthread.h>

#include "../core/io_bus.h"
#include "../core/util.h"

#define PL031_MMIO_SIZE		0x1000

/*
 * An ARM PrimeCell PL031 real-time clock counting the host's seconds since
 * the epoch; the guest may set it, which moves an offset, not the host
 * clock. The alarm is stored but never fires (no guest here sleeps on it).
 */
struct pl031 {
	pthread_mutex_t lock;
	s64 offset;		/* guest seconds minus host seconds */
	u32 match;
	u32 imsc;
};

int pl031_init(struct pl031 *rtc, struct io_bus *bus, u64 base);

#endif
