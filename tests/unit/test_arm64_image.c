// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the arm64 Image header parser and boot layout
 * (Documentation/arch/arm64/booting.rst): header fields are written out
 * by offset here, not through the parser's own definitions.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "arm64/image.h"

#define RAM_BASE	0x80000000ULL
#define IMG_LEN		0x10000

static u8 img_buf[IMG_LEN];
static struct err_msg err;

static void put_le(u8 *p, u64 v, unsigned int n)
{
	while (n--) {
		*p++ = v;
		v >>= 8;
	}
}

/* A header like Debian's 6.1 Image: text_offset 0, 4K pages, placeable anywhere. */
static void make_image(u64 text_offset, u64 image_size, u64 flags)
{
	memset(img_buf, 0, sizeof(img_buf));
	put_le(img_buf + 0x08, text_offset, 8);
	put_le(img_buf + 0x10, image_size, 8);
	put_le(img_buf + 0x18, flags, 8);
	memcpy(img_buf + 0x38, "ARM\x64", 4);
}

static int parse(struct arm64_image *img, u64 len)
{
	memset(&err, 0, sizeof(err));
	return arm64_image_parse(img, img_buf, len, "k.img", &err);
}

START_TEST(test_parse_header)
{
	struct arm64_image img;

	make_image(0, 0x2010000, 0xa);
	ck_assert_int_eq(parse(&img, IMG_LEN), 0);
	ck_assert_uint_eq(img.text_offset, 0);
	ck_assert_uint_eq(img.image_size, 0x2010000);
	ck_assert_uint_eq(img.file_size, IMG_LEN);
	ck_assert(img.anywhere);
	ck_assert_ptr_eq(img.data, img_buf);

	make_image(0x80000, 0x1000, 0x2);
	ck_assert_int_eq(parse(&img, IMG_LEN), 0);
	ck_assert_uint_eq(img.text_offset, 0x80000);
	ck_assert_uint_eq(img.image_size, IMG_LEN);	/* never less than the file */
	ck_assert(!img.anywhere);

	/* Before 3.17: image_size zero, text_offset assumed to be 0x80000. */
	make_image(0x1234, 0, 0);
	ck_assert_int_eq(parse(&img, IMG_LEN), 0);
	ck_assert_uint_eq(img.text_offset, 0x80000);
}
END_TEST

static void expect_bad(u64 len, const char *needle)
{
	struct arm64_image img;

	ck_assert_int_eq(parse(&img, len), -EINVAL);
	ck_assert(err.usage);
	ck_assert_msg(strstr(err.text, needle), "'%s' not in '%s'", needle, err.text);
	ck_assert_msg(strstr(err.text, "'k.img'"), "no file name in '%s'", err.text);
	ck_assert(!strchr(err.text, '\n'));
}

START_TEST(test_parse_bad)
{
	make_image(0, 0x2010000, 0xa);
	expect_bad(0x30, "not an arm64 Image");
	img_buf[0x38] = 'X';
	expect_bad(IMG_LEN, "not an arm64 Image");

	memset(img_buf, 0, sizeof(img_buf));
	img_buf[0] = 0x1f;
	img_buf[1] = 0x8b;
	expect_bad(IMG_LEN, "gzip");
	memcpy(img_buf, "\177ELF", 4);
	expect_bad(IMG_LEN, "ELF");
	memset(img_buf, 0, sizeof(img_buf));
	memcpy(img_buf + 0x202, "HdrS", 4);
	expect_bad(IMG_LEN, "bzImage");

	make_image(0, 0x2010000, 0xb);
	expect_bad(IMG_LEN, "big-endian");
	make_image(0x200000, 0x2010000, 0xa);
	expect_bad(IMG_LEN, "text_offset");
}
END_TEST

static int plan(struct arm64_boot_layout *l, u64 ram, u64 initrd)
{
	struct arm64_image img;

	ck_assert_int_eq(parse(&img, IMG_LEN), 0);
	memset(&err, 0, sizeof(err));
	return arm64_plan_boot(l, &img, RAM_BASE, ram, initrd, &err);
}

START_TEST(test_layout)
{
	struct arm64_boot_layout l;

	make_image(0, 0x2010000, 0xa);
	ck_assert_int_eq(plan(&l, 256 * SZ_1M, 5 * SZ_1M + 123), 0);
	ck_assert_uint_eq(l.kernel_addr, RAM_BASE);
	/* The DTB has the last 2 MiB block of RAM to itself. */
	ck_assert_uint_eq(l.dtb_addr, RAM_BASE + 254 * SZ_1M);
	ck_assert_uint_eq(l.dtb_addr % SZ_2M, 0);
	ck_assert_uint_eq(l.initrd_addr % SZ_4K, 0);
	ck_assert_uint_le(l.initrd_addr + l.initrd_size, l.dtb_addr);
	ck_assert_uint_ge(l.initrd_addr, RAM_BASE + 0x2010000);
	ck_assert_uint_eq(l.initrd_size, 5 * SZ_1M + 123);

	/* text_offset counts from the 2 MiB aligned base. */
	make_image(0x80000, 0x1000000, 0x2);
	ck_assert_int_eq(plan(&l, 128 * SZ_1M, 0), 0);
	ck_assert_uint_eq(l.kernel_addr, RAM_BASE + 0x80000);
	ck_assert_uint_eq(l.initrd_size, 0);
}
END_TEST

/* With lots of RAM the initrd stays in the 32 GiB window that holds the kernel. */
START_TEST(test_layout_large_ram)
{
	struct arm64_boot_layout l;

	make_image(0, 0x2010000, 0xa);
	ck_assert_int_eq(plan(&l, 64 * SZ_1G, 100 * SZ_1M), 0);
	ck_assert_uint_eq(l.dtb_addr, RAM_BASE + 64 * SZ_1G - SZ_2M);
	ck_assert_uint_le(l.initrd_addr + l.initrd_size, ALIGN_DOWN(RAM_BASE, SZ_1G) + 32 * SZ_1G);
	ck_assert_uint_ge(l.initrd_addr, RAM_BASE + 0x2010000);
}
END_TEST

START_TEST(test_layout_too_small)
{
	struct arm64_boot_layout l;

	make_image(0, 0x2010000, 0xa);
	ck_assert_int_eq(plan(&l, 32 * SZ_1M, 0), -EINVAL);
	ck_assert(err.usage);
	ck_assert_msg(strstr(err.text, "give -m"), "no fix in '%s'", err.text);
	ck_assert_int_eq(plan(&l, 64 * SZ_1M, 40 * SZ_1M), -EINVAL);
	ck_assert(err.usage);
	ck_assert_msg(strstr(err.text, "initrd"), "'%s' does not name the initrd", err.text);
	ck_assert_int_eq(plan(&l, 64 * SZ_1M, 20 * SZ_1M), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("arm64_image");
	TCase *tc = tcase_create("image");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse_header);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_layout_large_ram);
	tcase_add_test(tc, test_layout_too_small);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
