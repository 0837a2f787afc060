/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_IO_BUS_H
#define LKVM_IO_BUS_H

#include <pthread.h>

#include "util.h"

/*
 * A handler sees the offset inside its own window, never the absolute
 * address, so one device model serves any placement.
 */
struct io_ops {
	void (*read)(void *opaque, u64 offset, void *data, u32 len);
	void (*write)(void *opaque, u64 offset, const void *data, u32 len);
};

struct io_range {
	u64 base;
	u64 len;
	const struct io_ops *ops;
	void *opaque;
};

/* Sorted, non-overlapping ranges, searched by bisection. */
struct io_bus {
	struct io_range *ranges;
	unsigned int nr;
	unsigned int cap;
	pthread_rwlock_t lock;
};

void io_bus_init(struct io_bus *bus);
void io_bus_destroy(struct io_bus *bus);
int io_bus_register(struct io_bus *bus, u64 base, u64 len,
		    const struct io_ops *ops, void *opaque);
int io_bus_unregister(struct io_bus *bus, u64 base);

/*
 * Dispatches one access. Returns false when nothing is mapped there; the
 * caller then does what the bus does for a miss (reads see all ones).
 */
bool io_bus_read(struct io_bus *bus, u64 addr, void *data, u32 len);
bool io_bus_write(struct io_bus *bus, u64 addr, const void *data, u32 len);

#endif
