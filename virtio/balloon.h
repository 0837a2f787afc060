/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_BALLOON_H
#define LKVM_VIRTIO_BALLOON_H

#include "virtio.h"

struct vm;
struct virtio_balloon;

/* What the guest last reported (virtio 1.x, 5.5.6.3); valid has bit BALLOON_STAT_* of each. */
enum balloon_stat {
	BALLOON_STAT_SWAP_IN,		/* bytes swapped in */
	BALLOON_STAT_SWAP_OUT,		/* bytes swapped out */
	BALLOON_STAT_MAJOR_FAULTS,
	BALLOON_STAT_MINOR_FAULTS,
	BALLOON_STAT_FREE_MEMORY,	/* bytes */
	BALLOON_STAT_TOTAL_MEMORY,	/* bytes */
	BALLOON_STAT_AVAILABLE_MEMORY,	/* bytes, as /proc/meminfo's MemAvailable */
	BALLOON_STAT_DISK_CACHES,	/* bytes */
	BALLOON_STAT_HUGETLB_ALLOCATIONS,
	BALLOON_STAT_HUGETLB_FAILURES,
	BALLOON_STAT_NR,
};

struct balloon_stats {
	u64 swap_in;
	u64 swap_out;
	u64 major_faults;
	u64 minor_faults;
	u64 free_memory;
	u64 total_memory;
	u64 available_memory;
	u64 disk_caches;
	u64 hugetlb_allocations;
	u64 hugetlb_failures;
	u32 valid;			/* 1 << BALLOON_STAT_* for each the guest reported */
};

/*
 * A virtio-balloon device; its transport is chosen by the caller. Every
 * function below takes the device lock, so any thread may call it.
 */
struct virtio_balloon *virtio_balloon_create(struct vm *vm, struct err_msg *e);
struct virtio_dev *virtio_balloon_dev(struct virtio_balloon *b);
void virtio_balloon_destroy(struct virtio_balloon *b);

/*
 * Asks the guest to hold mib MiB in its balloon (0 gives it all back).
 * -EINVAL if that is more than the guest's RAM.
 */
int virtio_balloon_set_target(struct virtio_balloon *b, u64 mib);

/* The size asked for and the size the driver says it reached. */
void virtio_balloon_info(struct virtio_balloon *b, u64 *target_mib, u64 *actual_mib);

/*
 * Asks the driver for fresh statistics and waits up to timeout_ms for
 * them. Returns 0 with fresh ones in out; -ETIMEDOUT with the last known
 * ones (out->valid may be 0) if none came in time; -EOPNOTSUPP (out as
 * for -ETIMEDOUT) if the driver is not running or did not take the
 * statistics queue. On the VM's event loop thread (the control socket's
 * handlers) it serves the statistics queue itself while it waits, so
 * the loop's other work stalls for up to timeout_ms.
 */
int virtio_balloon_stats(struct virtio_balloon *b, struct balloon_stats *out, int timeout_ms);

#endif
