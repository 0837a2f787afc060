// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"

/* KVM backs guest memory with huge pages only when the host side is aligned. */
START_TEST(test_mapping_is_2mib_aligned)
{
	struct guest_mem mem;
	struct err_msg e = { 0 };
	u64 sizes[] = { 1ULL << 20, 3ULL << 20, 256ULL << 20, (256ULL << 20) + 4096 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_int_eq(guest_mem_alloc(&mem, sizes[i], &e), 0);
		ck_assert_uint_eq((uintptr_t)mem.base % GUEST_MEM_ALIGN, 0);
		ck_assert_uint_eq(mem.size, sizes[i]);
		/* Both ends are usable: nothing of the mapping was trimmed. */
		mem.base[0] = 1;
		mem.base[sizes[i] - 1] = 2;
		guest_mem_free(&mem);
	}
}
END_TEST

START_TEST(test_regions_follow_each_other)
{
	struct guest_mem mem;
	struct err_msg e = { 0 };

	ck_assert_int_eq(guest_mem_alloc(&mem, 8ULL << 20, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(&mem, 0, 6ULL << 20, &e), 0);
	ck_assert_int_eq(guest_mem_add_region(&mem, 1ULL << 32, 2ULL << 20, &e), 0);
	ck_assert_ptr_eq(guest_ptr(&mem, 0, 16), mem.base);
	ck_assert_ptr_eq(guest_ptr(&mem, 1ULL << 32, 16), mem.base + (6ULL << 20));
	ck_assert_ptr_null(guest_ptr(&mem, 6ULL << 20, 16));
	/* The mapping is full: a third region does not fit. */
	ck_assert_int_ne(guest_mem_add_region(&mem, 2ULL << 32, 4096, &e), 0);
	guest_mem_free(&mem);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_mapping_is_2mib_aligned);
	tcase_add_test(tc, test_regions_follow_each_other);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
