// SPDX-License-Identifier: GPL-2.0
/* -n/--network: good values land in the config, bad ones name themselves and the fix. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>

#include "core/config.h"

static int parse2(struct vm_config *cfg, struct err_msg *e, const char *a0, const char *a1)
{
	char *argv[2] = { (char *)a0, (char *)a1 };

	config_init(cfg);
	memset(e, 0, sizeof(*e));
	return config_parse_run(cfg, a1 ? 2 : 1, argv, e);
}

static const struct net_config *net(struct vm_config *cfg, const char *arg)
{
	struct err_msg e;

	ck_assert_msg(!parse2(cfg, &e, "-n", arg), "'%s' refused: %s", arg, e.text);
	ck_assert_uint_eq(cfg->nr_nets, 1);
	return &cfg->nets[0];
}

static void expect_bad(const char *arg, const char *needle)
{
	struct vm_config cfg;
	struct err_msg e;

	ck_assert_int_eq(parse2(&cfg, &e, "--network", arg), -EINVAL);
	ck_assert(e.usage);
	ck_assert_msg(strstr(e.text, needle), "'%s' not in '%s'", needle, e.text);
	ck_assert(!strchr(e.text, '\n'));
}

START_TEST(test_modes)
{
	struct vm_config cfg;
	struct err_msg e;
	const struct net_config *c;

	config_init(&cfg);
	ck_assert_uint_eq(cfg.nr_nets, 0);
	c = net(&cfg, "mode=user");
	ck_assert_int_eq(c->mode, NET_MODE_USER);
	ck_assert(!c->mac_set);
	c = net(&cfg, "mode=tap,tapif=lkvm0,vhost=off");
	ck_assert_int_eq(c->mode, NET_MODE_TAP);
	ck_assert_str_eq(c->tapif, "lkvm0");
	ck_assert_int_eq(c->vhost, NET_VHOST_OFF);
	c = net(&cfg, "mode=tap");
	ck_assert_str_eq(c->tapif, "");
	ck_assert_int_eq(c->vhost, NET_VHOST_AUTO);
	c = net(&cfg, "mode=none");
	ck_assert_int_eq(c->mode, NET_MODE_NONE);
	/* mode= defaults to user, as kvmtool does. */
	c = net(&cfg, "mac=02:AB:cd:00:11:22");
	ck_assert_int_eq(c->mode, NET_MODE_USER);
	ck_assert(c->mac_set);
	ck_assert(!memcmp(c->mac, "\x02\xab\xcd\x00\x11\x22", 6));
	/* Repeatable. */
	config_init(&cfg);
	{
		char *argv[] = { "-n", "mode=user", "--network=mode=tap,tapif=t1" };

		ck_assert_int_eq(config_parse_run(&cfg, 3, argv, &e), 0);
	}
	ck_assert_uint_eq(cfg.nr_nets, 2);
	ck_assert_int_eq(cfg.nets[1].mode, NET_MODE_TAP);
}
END_TEST

START_TEST(test_hostfwd)
{
	struct vm_config cfg;
	const struct net_config *c;

	c = net(&cfg, "mode=user,hostfwd=tcp:2222-22,hostfwd=udp:0.0.0.0:5353-10.0.2.15:53");
	ck_assert_uint_eq(c->nr_fwd, 2);
	ck_assert(!c->fwd[0].udp);
	ck_assert_uint_eq(c->fwd[0].host_addr, htonl(INADDR_LOOPBACK));
	ck_assert_uint_eq(c->fwd[0].host_port, 2222);
	ck_assert_uint_eq(c->fwd[0].guest_addr, 0);
	ck_assert_uint_eq(c->fwd[0].guest_port, 22);
	ck_assert(c->fwd[1].udp);
	ck_assert_uint_eq(c->fwd[1].host_addr, 0);
	ck_assert_uint_eq(c->fwd[1].host_port, 5353);
	ck_assert_uint_eq(c->fwd[1].guest_addr, inet_addr("10.0.2.15"));
	/* QEMU's spelling with empty addresses. */
	c = net(&cfg, "hostfwd=tcp::8080-:80");
	ck_assert_uint_eq(c->fwd[0].host_port, 8080);
	ck_assert_uint_eq(c->fwd[0].guest_port, 80);
	c = net(&cfg, "hostfwd=tcp:127.0.0.1:2222-:22");
	ck_assert_uint_eq(c->fwd[0].host_addr, htonl(INADDR_LOOPBACK));
}
END_TEST

START_TEST(test_bad_values)
{
	expect_bad("mode=bridge", "'bridge'");
	expect_bad("mode=", "''");
	expect_bad("mode=user,colour=red", "'colour'");
	expect_bad("mode=user,,mac=02:00:00:00:00:01", "empty option");
	expect_bad("mode", "'mode'");
	expect_bad("mac=02:00:00:00:00", "'02:00:00:00:00'");
	expect_bad("mac=02:00:00:00:00:0g", "'02:00:00:00:00:0g'");
	expect_bad("mac=01:00:5e:00:00:01", "unicast");	/* multicast */
	expect_bad("mac=00:00:00:00:00:00", "'00:00:00:00:00:00'");
	expect_bad("mac=02:00:00:00:00:011", "'02:00:00:00:00:011'");
	expect_bad("hostfwd=tcp:2222", "'tcp:2222'");
	expect_bad("hostfwd=tcp:0-22", "'tcp:0-22'");
	expect_bad("hostfwd=tcp:70000-22", "'tcp:70000-22'");
	expect_bad("hostfwd=tcp:1.2.3:22-22", "'tcp:1.2.3:22-22'");
	expect_bad("hostfwd=sctp:1-2", "'sctp:1-2'");
	expect_bad("hostfwd=tcp:22-x", "'tcp:22-x'");
	expect_bad("mode=tap,tapif=a/b", "'a/b'");
	expect_bad("mode=tap,tapif=0123456789abcdef", "'0123456789abcdef'");
	expect_bad("mode=tap,vhost=maybe", "'maybe'");
	expect_bad("mode=user,tapif=t0", "mode=tap");
	expect_bad("mode=tap,hostfwd=tcp:1-2", "mode=user");
	expect_bad("mode=none,mac=02:00:00:00:00:01", "mode=none");
	expect_bad("hostfwd=tcp:1-2,hostfwd=tcp:2-2,hostfwd=tcp:3-2,hostfwd=tcp:4-2,"
		   "hostfwd=tcp:5-2,hostfwd=tcp:6-2,hostfwd=tcp:7-2,hostfwd=tcp:8-2,hostfwd=tcp:9-2",
		   "at most 8");
}
END_TEST

/* An inherited tap: any fd number; whether it is a tap is found out when it is opened. */
START_TEST(test_tap_fd)
{
	struct vm_config cfg;
	const struct net_config *c;

	c = net(&cfg, "mode=tap,fd=3");
	ck_assert(c->has_fd);
	ck_assert_int_eq(c->fd, 3);
	ck_assert_str_eq(c->tapif, "");
	c = net(&cfg, "mode=tap,fd=0,vhost=off");
	ck_assert(c->has_fd);
	ck_assert_int_eq(c->fd, 0);
	ck_assert_int_eq(c->vhost, NET_VHOST_OFF);
	c = net(&cfg, "fd=2147483647,mode=tap");
	ck_assert_int_eq(c->fd, 2147483647);
	c = net(&cfg, "mode=tap,tapif=t0");
	ck_assert(!c->has_fd);

	expect_bad("mode=tap,fd=abc", "fd='abc'");
	expect_bad("mode=tap,fd=-1", "fd='-1'");
	expect_bad("mode=tap,fd=", "fd=''");
	expect_bad("mode=tap,fd=+3", "fd='+3'");
	expect_bad("mode=tap,fd=3x", "fd='3x'");
	expect_bad("mode=tap,fd= 3", "fd=' 3'");
	expect_bad("mode=tap,fd=2147483648", "fd='2147483648'");
	expect_bad("mode=tap,fd=99999999999999999999999", "fd='99999999999999999999999'");
	expect_bad("mode=user,fd=3", "mode=tap");
	expect_bad("fd=3", "mode=tap");		/* mode= defaults to user */
	expect_bad("mode=none,fd=3", "mode=tap");
	expect_bad("mode=tap,fd=3,tapif=t0", "give one");
	expect_bad("mode=tap,tapif=t0,fd=3", "give one");
}
END_TEST

START_TEST(test_too_many_nics)
{
	char *argv[2 * (CONFIG_MAX_NICS + 1)];
	struct vm_config cfg;
	struct err_msg e = { 0 };
	unsigned int i;

	for (i = 0; i < CONFIG_MAX_NICS + 1; i++) {
		argv[2 * i] = "-n";
		argv[2 * i + 1] = "mode=user";
	}
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, ARRAY_SIZE(argv), argv, &e), -EINVAL);
	ck_assert(strstr(e.text, "at most 8 NICs"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_config");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_modes);
	tcase_add_test(tc, test_hostfwd);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_tap_fd);
	tcase_add_test(tc, test_too_many_nics);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
