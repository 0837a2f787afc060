// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io_bus.h"

void io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	pthread_rwlock_init(&bus->lock, NULL);
}

void io_bus_destroy(struct io_bus *bus)
{
	free(bus->ranges);
	pthread_rwlock_destroy(&bus->lock);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
}

/* Index of the first range whose end lies above addr. */
static unsigned int lower_bound(const struct io_bus *bus, u64 addr)
{
	unsigned int lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct io_range *r = &bus->ranges[mid];

		if (r->base + r->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int grow(struct io_bus *bus)
{
	unsigned int cap = bus->cap ? bus->cap * 2 : 16;
	struct io_range *r = realloc(bus->ranges, cap * sizeof(*r));

	if (!r)
		return -ENOMEM;
	bus->ranges = r;
	bus->cap = cap;
	return 0;
}

int io_bus_register(struct io_bus *bus, u64 base, u64 len,
		    const struct io_ops *ops, void *opaque)
{
	unsigned int i;
	int ret = 0;

	if (!len || base + len < base)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = lower_bound(bus, base);
	if (i < bus->nr && bus->ranges[i].base < base + len) {
		ret = -EBUSY;
		goto out;
	}
	if (bus->nr == bus->cap) {
		ret = grow(bus);
		if (ret)
			goto out;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->nr - i) * sizeof(*bus->ranges));
	bus->ranges[i] = (struct io_range){
		.base = base, .len = len, .ops = ops, .opaque = opaque,
	};
	bus->nr++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int io_bus_unregister(struct io_bus *bus, u64 base)
{
	unsigned int i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = lower_bound(bus, base);
	if (i < bus->nr && bus->ranges[i].base == base) {
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr - i - 1) * sizeof(*bus->ranges));
		bus->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

/*
 * An access that starts inside a window but runs past its end is a miss:
 * handlers may then trust offset + len <= their window length.
 */
static const struct io_range *find(const struct io_bus *bus, u64 addr, u32 len)
{
	unsigned int i = lower_bound(bus, addr);
	const struct io_range *r;

	if (i == bus->nr)
		return NULL;
	r = &bus->ranges[i];
	if (addr < r->base || len > r->len - (addr - r->base))
		return NULL;
	return r;
}

/*
 * Copies the range out and calls its handler unlocked: handlers may map
 * and unmap ranges on this very bus (a PCI config write moving a BAR).
 * Devices outlive the vCPUs, so an access racing an unmap just completes.
 */
static bool lookup(struct io_bus *bus, u64 addr, u32 len, struct io_range *out)
{
	const struct io_range *r;

	pthread_rwlock_rdlock(&bus->lock);
	r = find(bus, addr, len);
	if (r)
		*out = *r;
	pthread_rwlock_unlock(&bus->lock);
	return r;
}

bool io_bus_read(struct io_bus *bus, u64 addr, void *data, u32 len)
{
	struct io_range r;

	if (!lookup(bus, addr, len, &r) || !r.ops->read)
		return false;
	r.ops->read(r.opaque, addr - r.base, data, len);
	return true;
}

bool io_bus_write(struct io_bus *bus, u64 addr, const void *data, u32 len)
{
	struct io_range r;

	if (!lookup(bus, addr, len, &r) || !r.ops->write)
		return false;
	r.ops->write(r.opaque, addr - r.base, data, len);
	return true;
}
