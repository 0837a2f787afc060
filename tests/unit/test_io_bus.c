// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <string.h>

#include "core/io_bus.h"

struct hit {
	int id;
	u64 offset;
	u32 len;
	u8 last;
};

static void rec_read(void *opaque, u64 offset, void *data, u32 len)
{
	struct hit *h = opaque;

	h->offset = offset;
	h->len = len;
	memset(data, h->id, len);
}

static void rec_write(void *opaque, u64 offset, const void *data, u32 len)
{
	struct hit *h = opaque;

	h->offset = offset;
	h->len = len;
	h->last = *(const u8 *)data;
}

static const struct io_ops ops = { .read = rec_read, .write = rec_write };

START_TEST(test_dispatch_gives_offset)
{
	struct io_bus bus;
	struct hit a = { .id = 1 }, b = { .id = 2 };
	u8 v = 0x5a;
	u32 word = 0;

	io_bus_init(&bus);
	ck_assert_int_eq(io_bus_register(&bus, 0x1000, 0x100, &ops, &a), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x3f8, 8, &ops, &b), 0);
	ck_assert(io_bus_write(&bus, 0x3fd, &v, 1));
	ck_assert_uint_eq(b.offset, 5);
	ck_assert_uint_eq(b.last, 0x5a);
	ck_assert(io_bus_read(&bus, 0x10fc, &word, 4));
	ck_assert_uint_eq(a.offset, 0xfc);
	ck_assert_uint_eq(word, 0x01010101);
	io_bus_destroy(&bus);
}
END_TEST

START_TEST(test_miss_and_straddle)
{
	struct io_bus bus;
	struct hit a = { .id = 1 };
	u32 word = 0;

	io_bus_init(&bus);
	ck_assert_int_eq(io_bus_register(&bus, 0x1000, 0x100, &ops, &a), 0);
	ck_assert(!io_bus_read(&bus, 0xfff, &word, 1));
	ck_assert(!io_bus_read(&bus, 0x1100, &word, 1));
	/* Starts inside, ends outside: handlers never see a run-over. */
	ck_assert(!io_bus_read(&bus, 0x10fe, &word, 4));
	io_bus_destroy(&bus);
}
END_TEST

START_TEST(test_overlap_rejected)
{
	struct io_bus bus;
	struct hit a = { 0 };

	io_bus_init(&bus);
	ck_assert_int_eq(io_bus_register(&bus, 0x1000, 0x100, &ops, &a), 0);
	ck_assert_int_lt(io_bus_register(&bus, 0x10ff, 2, &ops, &a), 0);
	ck_assert_int_lt(io_bus_register(&bus, 0xf00, 0x101, &ops, &a), 0);
	ck_assert_int_lt(io_bus_register(&bus, 0x1000, 0x100, &ops, &a), 0);
	ck_assert_int_lt(io_bus_register(&bus, 0x0, 0, &ops, &a), 0);
	ck_assert_int_lt(io_bus_register(&bus, ~0ULL - 1, 4, &ops, &a), 0);
	/* Touching neighbours are fine. */
	ck_assert_int_eq(io_bus_register(&bus, 0xf00, 0x100, &ops, &a), 0);
	ck_assert_int_eq(io_bus_register(&bus, 0x1100, 0x100, &ops, &a), 0);
	io_bus_destroy(&bus);
}
END_TEST

START_TEST(test_many_ranges_sorted)
{
	struct io_bus bus;
	struct hit h[200];
	u8 v;
	int i;

	io_bus_init(&bus);
	/* Registered out of order; lookups must still find each one. */
	for (i = 0; i < 200; i++) {
		int k = (i * 7) % 200;

		h[k].id = k;
		ck_assert_int_eq(io_bus_register(&bus, 0x10000 + k * 0x20, 0x10, &ops, &h[k]), 0);
	}
	for (i = 0; i + 1 < (int)bus.nr; i++)
		ck_assert_uint_lt(bus.ranges[i].base, bus.ranges[i + 1].base);
	for (i = 0; i < 200; i++) {
		ck_assert(io_bus_read(&bus, 0x10000 + i * 0x20 + 3, &v, 1));
		ck_assert_uint_eq(v, i & 0xff);
		ck_assert(!io_bus_read(&bus, 0x10000 + i * 0x20 + 0x10, &v, 1));
	}
	ck_assert_int_eq(io_bus_unregister(&bus, 0x10000 + 5 * 0x20), 0);
	ck_assert(!io_bus_read(&bus, 0x10000 + 5 * 0x20, &v, 1));
	ck_assert_int_lt(io_bus_unregister(&bus, 0x10000 + 5 * 0x20), 0);
	io_bus_destroy(&bus);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("io_bus");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_dispatch_gives_offset);
	tcase_add_test(tc, test_miss_and_straddle);
	tcase_add_test(tc, test_overlap_rejected);
	tcase_add_test(tc, test_many_ranges_sorted);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
