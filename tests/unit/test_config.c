// SPDX-License-Identifier: GPL-2.0
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

static int parse(struct vm_config *cfg, struct err_msg *e, const char *a0, const char *a1,
		 const char *a2, const char *a3)
{
	char *argv[4] = { (char *)a0, (char *)a1, (char *)a2, (char *)a3 };
	int argc = 0;

	while (argc < 4 && argv[argc])
		argc++;
	config_init(cfg);
	memset(e, 0, sizeof(*e));
	return config_parse_run(cfg, argc, argv, e);
}

START_TEST(test_good_options)
{
	struct vm_config cfg;
	struct err_msg e;

	ck_assert_int_eq(parse(&cfg, &e, "-k", "bz", "-m", "512"), 0);
	ck_assert_str_eq(cfg.kernel, "bz");
	ck_assert_uint_eq(cfg.mem_mib, 512);
	ck_assert_int_eq(parse(&cfg, &e, "--mem=2G", "--cpus", "4", NULL), 0);
	ck_assert_uint_eq(cfg.mem_mib, 2048);
	ck_assert_uint_eq(cfg.nr_cpus, 4);
	ck_assert_int_eq(parse(&cfg, &e, "-p", "quiet loglevel=3", "--name", "vm-1"), 0);
	ck_assert_str_eq(cfg.params, "quiet loglevel=3");
	ck_assert_str_eq(cfg.name, "vm-1");
	/* -p accumulates, so a wrapper can add to what the user gave. */
	ck_assert_int_eq(parse(&cfg, &e, "-p", "quiet", "-p", "panic=-1"), 0);
	ck_assert_str_eq(cfg.params, "quiet panic=-1");
	ck_assert_int_eq(parse(&cfg, &e, "--initrd", "i.cpio", "-h", NULL), 0);
	ck_assert(cfg.help);
}
END_TEST

START_TEST(test_defaults)
{
	struct vm_config cfg;

	config_init(&cfg);
	ck_assert_uint_eq(cfg.mem_mib, CONFIG_DEFAULT_MEM_MIB);
	ck_assert_uint_eq(cfg.nr_cpus, 1);
	ck_assert(!strncmp(cfg.name, "guest-", 6));
}
END_TEST

/* Each bad input: -EINVAL, marked as the user's mistake, naming the value. */
static void expect_bad(const char *a0, const char *a1, const char *needle)
{
	struct vm_config cfg;
	struct err_msg e;

	ck_assert_int_eq(parse(&cfg, &e, a0, a1, NULL, NULL), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, needle), "'%s' not in '%s'", needle, e.text);
	ck_assert(!strchr(e.text, '\n'));
}

START_TEST(test_bad_values)
{
	expect_bad("-m", "0", "-m 0");
	expect_bad("--mem", "lots", "'lots'");
	expect_bad("-m", "12X", "'12X'");
	expect_bad("-m", "-5", "'-5'");
	expect_bad("-m", "99999999999999999999", "'99999999999999999999'");
	expect_bad("-c", "0", "-c 0");
	expect_bad("-c", "two", "'two'");
	expect_bad("--cpus", "4294967296", "'4294967296'");
	expect_bad("--name", "a/b", "'a/b'");
	expect_bad("--name", "", "''");
	expect_bad("--bogus", NULL, "'--bogus'");
	expect_bad("--me", "5", "'--me'");	/* no prefix matching */
	expect_bad("-k", NULL, "needs a value");
	expect_bad("stray", NULL, "'stray'");
	expect_bad("--help=1", NULL, "'--help=1'");
}
END_TEST

START_TEST(test_arm64_options)
{
	struct vm_config cfg;
	struct err_msg e;

	config_init(&cfg);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_AUTO);
	ck_assert_ptr_null(cfg.dump_dtb);
	ck_assert_int_eq(parse(&cfg, &e, "--irqchip", "gicv2", NULL, NULL), 0);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV2);
	ck_assert_int_eq(parse(&cfg, &e, "--irqchip=gicv3", NULL, NULL, NULL), 0);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV3);
	ck_assert_int_eq(parse(&cfg, &e, "--irqchip", "gicv3-its", NULL, NULL), 0);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_GICV3_ITS);
	ck_assert_int_eq(parse(&cfg, &e, "--irqchip", "gicv3", "--irqchip", "auto"), 0);
	ck_assert_int_eq(cfg.irqchip, IRQCHIP_AUTO);
	ck_assert_int_eq(parse(&cfg, &e, "--dump-dtb", "out.dtb", NULL, NULL), 0);
	ck_assert_str_eq(cfg.dump_dtb, "out.dtb");
	expect_bad("--irqchip", "gicv4", "'gicv4'");
	expect_bad("--irqchip", "GICV3", "'GICV3'");
	expect_bad("--irqchip", "gicv3-", "'gicv3-'");
	expect_bad("--irqchip", NULL, "needs a value");
	expect_bad("--dump-dtb", "", "needs a file name");
	expect_bad("--dump", "x.dtb", "'--dump'");
}
END_TEST

START_TEST(test_device_options)
{
	struct vm_config cfg;
	struct err_msg e;
	char *cmdline;

	ck_assert_int_eq(parse(&cfg, &e, "--rng", "--balloon", "--nodefaults", NULL), 0);
	ck_assert(cfg.rng && cfg.balloon && cfg.nodefaults);
	/* Filters are on unless asked otherwise; the option takes no value. */
	ck_assert(!cfg.no_seccomp);
	ck_assert_int_eq(parse(&cfg, &e, "--no-seccomp", NULL, NULL, NULL), 0);
	ck_assert(cfg.no_seccomp);
	ck_assert_int_eq(parse(&cfg, &e, "--no-seccomp=1", NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(parse(&cfg, &e, "--no-sec", NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(cfg.console, CONSOLE_SERIAL);
	ck_assert_uint_eq(cfg.vsock_cid, 0);
	ck_assert_int_eq(parse(&cfg, &e, "--console", "virtio", "--vsock", "3"), 0);
	ck_assert_int_eq(cfg.console, CONSOLE_VIRTIO);
	ck_assert_uint_eq(cfg.vsock_cid, 3);
	ck_assert_int_eq(parse(&cfg, &e, "--console=serial", "--vsock=4294967294", NULL, NULL), 0);
	ck_assert_int_eq(cfg.console, CONSOLE_SERIAL);
	ck_assert_uint_eq(cfg.vsock_cid, 4294967294u);
	ck_assert_int_eq(parse(&cfg, &e, "--9p", "/srv,data", "--9p", "/tmp,scratch,ro"), 0);
	ck_assert_uint_eq(cfg.nr_shares, 2);
	ck_assert_str_eq(cfg.shares[0].dir, "/srv");
	ck_assert_str_eq(cfg.shares[0].tag, "data");
	ck_assert(!cfg.shares[0].ro);
	ck_assert(cfg.shares[1].ro);
	expect_bad("--console", "hvc", "'hvc'");
	expect_bad("--vsock", "2", "'2'");
	expect_bad("--vsock", "4294967295", "'4294967295'");
	expect_bad("--vsock", "x", "'x'");
	expect_bad("--rng=1", NULL, "'--rng=1'");
	expect_bad("--9p", "", "");

	/* The console the kernel is told about follows --console. */
	ck_assert_int_eq(parse(&cfg, &e, "-p", "quiet", NULL, NULL), 0);
	cmdline = config_cmdline(&cfg, "console=ttyS0", "reboot=acpi");
	ck_assert_str_eq(cmdline, "console=ttyS0 reboot=acpi quiet");
	free(cmdline);
	ck_assert_int_eq(parse(&cfg, &e, "--console", "virtio", NULL, NULL), 0);
	cmdline = config_cmdline(&cfg, "console=ttyAMA0 earlycon", "");
	ck_assert_str_eq(cmdline, "console=hvc0");
	free(cmdline);
}
END_TEST

START_TEST(test_size_suffixes)
{
	u64 mib;

	ck_assert_int_eq(config_parse_size_mib("64", &mib), 0);
	ck_assert_uint_eq(mib, 64);
	ck_assert_int_eq(config_parse_size_mib("64M", &mib), 0);
	ck_assert_uint_eq(mib, 64);
	ck_assert_int_eq(config_parse_size_mib("3g", &mib), 0);
	ck_assert_uint_eq(mib, 3072);
	ck_assert_int_eq(config_parse_size_mib("1T", &mib), 0);
	ck_assert_uint_eq(mib, 1 << 20);
	ck_assert_int_lt(config_parse_size_mib("", &mib), 0);
	ck_assert_int_lt(config_parse_size_mib("1GB", &mib), 0);
	ck_assert_int_lt(config_parse_size_mib(" 1", &mib), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_good_options);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_size_suffixes);
	tcase_add_test(tc, test_arm64_options);
	tcase_add_test(tc, test_device_options);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
