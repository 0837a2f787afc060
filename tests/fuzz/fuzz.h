/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets in tests/fuzz/ share: a cursor that takes
 * fields off the front of the fuzzer's input (zeroes once it runs dry, so
 * every input means something) and a check that aborts loudly.
 */
#ifndef LKVM_TESTS_FUZZ_H
#define LKVM_TESTS_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct fuzz_in {
	const u8 *p;
	size_t n;
};

static inline void take(struct fuzz_in *in, void *out, size_t len)
{
	size_t k = MIN(len, in->n);

	memcpy(out, in->p, k);
	memset((u8 *)out + k, 0, len - k);
	in->p += k;
	in->n -= k;
}

static inline u8 take_u8(struct fuzz_in *in)
{
	u8 v;

	take(in, &v, 1);
	return v;
}

static inline u16 take_u16(struct fuzz_in *in)
{
	u16 v;

	take(in, &v, 2);
	return v;
}

static inline u32 take_u32(struct fuzz_in *in)
{
	u32 v;

	take(in, &v, 4);
	return v;
}

static inline u64 take_u64(struct fuzz_in *in)
{
	u64 v;

	take(in, &v, 8);
	return v;
}

/* An invariant of lkvm's broke: libFuzzer keeps the input that did it. */
#define FUZZ_CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#endif
