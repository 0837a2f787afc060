// SPDX-License-Identifier: GPL-2.0
/* The control protocol's codec: requests in, replies out, and everything malformed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/control_proto.h"

static int parse(const char *line, struct control_req *req, struct err_msg *e)
{
	memset(e, 0, sizeof(*e));
	return control_parse_request(line, strlen(line), req, e);
}

/* The request fails and its error mentions what. */
static void assert_rejected(const char *line, const char *what)
{
	struct control_req req;
	struct err_msg e;

	ck_assert_msg(parse(line, &req, &e) < 0, "accepted: %s", line);
	ck_assert_msg(strstr(e.text, what), "'%s': error '%s' lacks '%s'", line, e.text, what);
}

START_TEST(test_good_requests)
{
	static const struct {
		const char *line;
		enum control_cmd cmd;
	} cases[] = {
		{ "{\"v\":1,\"cmd\":\"info\"}", CONTROL_INFO },
		{ "{\"cmd\":\"stop\",\"v\":1}", CONTROL_STOP },
		{ "  {\"v\":1, \"cmd\":\"pause\"}  ", CONTROL_PAUSE },
		{ "{\"v\":1,\"cmd\":\"resume\",\"future\":[1,2]}", CONTROL_RESUME },
		{ "{\"v\":1,\"cmd\":\"dump\"}\r", CONTROL_DUMP },
		{ "{\"v\":1,\"cmd\":\"nmi\"}", CONTROL_NMI },
		{ "{\"v\":1,\"cmd\":\"stat\"}", CONTROL_STAT },
	};
	struct control_req req;
	struct err_msg e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ck_assert_msg(!parse(cases[i].line, &req, &e), "%s: %s", cases[i].line, e.text);
		ck_assert_int_eq(req.cmd, cases[i].cmd);
	}
	ck_assert_int_eq(parse("{\"v\":1,\"cmd\":\"sysrq\",\"key\":\"s\"}", &req, &e), 0);
	ck_assert_int_eq(req.cmd, CONTROL_SYSRQ);
	ck_assert_int_eq(req.key, 's');
	ck_assert_int_eq(parse("{\"v\":1,\"cmd\":\"balloon\",\"inflate\":64}", &req, &e), 0);
	ck_assert_int_eq(req.balloon_mib, 64);
	ck_assert_int_eq(parse("{\"v\":1,\"cmd\":\"balloon\",\"deflate\":32}", &req, &e), 0);
	ck_assert_int_eq(req.balloon_mib, -32);
}
END_TEST

START_TEST(test_malformed_json)
{
	assert_rejected("", "not JSON");
	assert_rejected("123", "JSON object");
	assert_rejected("{\"v\":1,\"cmd\":\"info\"", "unexpected end");
	assert_rejected("{v:1}", "not JSON");
	assert_rejected("\x01\x02garbage\xff", "not JSON");
	assert_rejected("{\"v\":1,\"cmd\":\"info\"} {\"v\":1}", "more than one");
	assert_rejected("null", "not JSON");
	assert_rejected("[1,2]", "JSON object");
	assert_rejected("\"info\"", "JSON object");
	assert_rejected("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
			"not JSON");
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char line[] = "{\"v\":1,\"cmd\":\"info\"}\0{}";
	struct control_req req;
	struct err_msg e = { 0 };

	ck_assert_int_lt(control_parse_request(line, sizeof(line) - 1, &req, &e), 0);
	ck_assert(strstr(e.text, "NUL"));
}
END_TEST

START_TEST(test_version)
{
	assert_rejected("{\"cmd\":\"info\"}", "no \"v\"");
	assert_rejected("{\"v\":\"1\",\"cmd\":\"info\"}", "must be an integer");
	assert_rejected("{\"v\":1.0,\"cmd\":\"info\"}", "must be an integer");
	assert_rejected("{\"v\":2,\"cmd\":\"info\"}", "version 2 is not supported");
	assert_rejected("{\"v\":0,\"cmd\":\"info\"}", "version 0 is not supported");
}
END_TEST

START_TEST(test_wrong_types_and_unknown)
{
	assert_rejected("{\"v\":1}", "no \"cmd\"");
	assert_rejected("{\"v\":1,\"cmd\":7}", "\"cmd\" must be a string");
	assert_rejected("{\"v\":1,\"cmd\":null}", "\"cmd\" must be a string");
	assert_rejected("{\"v\":1,\"cmd\":\"reboot\"}", "unknown command \"reboot\"");
	assert_rejected("{\"v\":1,\"cmd\":\"INFO\"}", "unknown command");
	assert_rejected("{\"v\":1,\"cmd\":\"sysrq\"}", "needs \"key\"");
	assert_rejected("{\"v\":1,\"cmd\":\"sysrq\",\"key\":1}", "needs \"key\"");
	assert_rejected("{\"v\":1,\"cmd\":\"sysrq\",\"key\":\"ab\"}", "one printable");
	assert_rejected("{\"v\":1,\"cmd\":\"sysrq\",\"key\":\" \"}", "one printable");
	assert_rejected("{\"v\":1,\"cmd\":\"balloon\"}", "one of");
	assert_rejected("{\"v\":1,\"cmd\":\"balloon\",\"inflate\":1,\"deflate\":1}", "one of");
	assert_rejected("{\"v\":1,\"cmd\":\"balloon\",\"inflate\":-5}", "positive");
	assert_rejected("{\"v\":1,\"cmd\":\"balloon\",\"inflate\":\"5\"}", "positive");
}
END_TEST

START_TEST(test_oversized_line)
{
	size_t len = CONTROL_LINE_MAX + 1;
	char *line = malloc(len);
	struct control_req req;
	struct err_msg e = { 0 };

	/* A valid request padded with spaces past the limit is still refused. */
	memset(line, ' ', len);
	memcpy(line, "{\"v\":1,\"cmd\":\"info\"}", 20);
	ck_assert_int_lt(control_parse_request(line, len, &req, &e), 0);
	ck_assert_msg(strstr(e.text, "limit is 65536"), "%s", e.text);
	/* At the limit it passes. */
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(control_parse_request(line, len - 1, &req, &e), 0);
	free(line);
}
END_TEST

START_TEST(test_request_round_trip)
{
	struct control_req in = { .cmd = CONTROL_SYSRQ, .key = 'c' }, out;
	struct err_msg e = { 0 };
	char *line = control_render_request(&in);

	ck_assert_str_eq(line, "{\"v\":1,\"cmd\":\"sysrq\",\"key\":\"c\"}\n");
	ck_assert_int_eq(control_parse_request(line, strlen(line) - 1, &out, &e), 0);
	ck_assert_int_eq(out.cmd, CONTROL_SYSRQ);
	ck_assert_int_eq(out.key, 'c');
	free(line);
	in = (struct control_req){ .cmd = CONTROL_BALLOON, .balloon_mib = -16 };
	line = control_render_request(&in);
	ck_assert_str_eq(line, "{\"v\":1,\"cmd\":\"balloon\",\"deflate\":16}\n");
	free(line);
}
END_TEST

START_TEST(test_replies)
{
	struct json_object *fields = json_object_new_object(), *r, *v;
	struct err_msg e = { 0 };
	char *line;

	json_object_object_add(fields, "state", json_object_new_string("paused"));
	json_object_object_add(fields, "path", json_object_new_string("/a/b"));
	line = control_render_ok(fields);
	ck_assert_str_eq(line, "{\"v\":1,\"ok\":true,\"state\":\"paused\",\"path\":\"/a/b\"}\n");
	ck_assert_int_eq(control_parse_reply(line, strlen(line) - 1, &r, &e), 0);
	ck_assert(json_object_object_get_ex(r, "state", &v));
	ck_assert_str_eq(json_object_get_string(v), "paused");
	json_object_put(r);
	free(line);

	line = control_render_ok(NULL);
	ck_assert_str_eq(line, "{\"v\":1,\"ok\":true}\n");
	free(line);

	line = control_render_error("no \"such\"\nthing");
	ck_assert_str_eq(line, "{\"v\":1,\"ok\":false,\"error\":\"no \\\"such\\\"\\nthing\"}\n");
	ck_assert_int_eq(control_parse_reply(line, strlen(line) - 1, &r, &e), 0);
	ck_assert(json_object_object_get_ex(r, "ok", &v));
	ck_assert(!json_object_get_boolean(v));
	json_object_put(r);
	free(line);
}
END_TEST

START_TEST(test_bad_replies)
{
	static const char *const bad[] = {
		"", "garbage", "{\"ok\":true}", "{\"v\":2,\"ok\":true}", "{\"v\":1}",
		"{\"v\":1,\"ok\":\"yes\"}", "[{\"v\":1,\"ok\":true}]",
	};
	struct json_object *r;
	struct err_msg e;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&e, 0, sizeof(e));
		ck_assert_msg(control_parse_reply(bad[i], strlen(bad[i]), &r, &e) < 0, "%s", bad[i]);
		ck_assert_ptr_null(r);
		ck_assert(e.text[0]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control protocol");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_good_requests);
	tcase_add_test(tc, test_malformed_json);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_wrong_types_and_unknown);
	tcase_add_test(tc, test_oversized_line);
	tcase_add_test(tc, test_request_round_trip);
	tcase_add_test(tc, test_replies);
	tcase_add_test(tc, test_bad_replies);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
