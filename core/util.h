/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_UTIL_H
#define LKVM_UTIL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((u64)(a) - 1))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))

#define SZ_4K			0x1000ULL
#define SZ_1M			0x100000ULL
#define SZ_2M			0x200000ULL
#define SZ_1G			0x40000000ULL
#define SZ_4G			0x100000000ULL

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define __unused		__attribute__((unused))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

/*
 * Library code never prints or exits: it returns -errno and leaves one
 * human sentence here for the caller (in the end, vmm.c) to show.
 */
struct err_msg {
	char text[512];
	bool usage;	/* the user's mistake (exit 2), not a failure (exit 1) */
};

int err_set(struct err_msg *e, int errnum, const char *fmt, ...) __printf(3, 4);
int err_usage(struct err_msg *e, const char *fmt, ...) __printf(2, 3);

/* Reads a whole file (at most max bytes) into a malloc'd buffer. */
int read_file(const char *path, u64 max, void **buf, u64 *len);
/* read_file for a file the user named ("kernel", "initrd"): errors are usage errors. */
int load_user_file(const char *what, const char *path, u64 max, void **buf, u64 *len,
		   struct err_msg *e);

#endif
