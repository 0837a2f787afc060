// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's codec (core/control_proto.c): the input is one
 * line from a client (or a reply from a server) in a buffer of exactly its
 * length. A request that parses must render back to a line that parses to
 * the same request; an error rendered from any text must parse as a reply.
 */
#include "core/control_proto.h"
#include "tests/fuzz/fuzz.h"

static void round_trip(const struct control_req *req)
{
	struct control_req again = { 0 };
	struct err_msg e = { 0 };
	char *line = control_render_request(req);
	size_t len;

	if (!line)
		return;
	len = strlen(line);
	FUZZ_CHECK(len && line[len - 1] == '\n', "a request line without its newline");
	FUZZ_CHECK(!control_parse_request(line, len - 1, &again, &e),
		   "'%s' does not parse back: %s", line, e.text);
	FUZZ_CHECK(again.cmd == req->cmd, "command %d came back as %d", req->cmd, again.cmd);
	if (req->cmd == CONTROL_SYSRQ)
		FUZZ_CHECK(again.key == req->key, "SysRq key changed");
	if (req->cmd == CONTROL_BALLOON)
		FUZZ_CHECK(again.balloon_mib == req->balloon_mib, "balloon size changed");
	free(line);
}

static void error_reply(const char *text)
{
	struct json_object *reply = NULL;
	struct err_msg e = { 0 };
	char *line = control_render_error(text);

	if (!line)
		return;
	FUZZ_CHECK(!control_parse_reply(line, strcspn(line, "\n"), &reply, &e),
		   "an error reply does not parse: %s", e.text);
	json_object_put(reply);
	free(line);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct json_object *reply = NULL;
	struct control_req req = { 0 };
	struct err_msg e = { 0 };
	char *line = malloc(size ? size : 1), *text;

	if (!line)
		return 0;
	/* No NUL after it: the codec must stop at len. */
	memcpy(line, data, size);
	if (!control_parse_request(line, size, &req, &e))
		round_trip(&req);
	else
		FUZZ_CHECK(e.text[0], "a refused request without a message");
	if (!control_parse_reply(line, size, &reply, &e))
		json_object_put(reply);
	/* Error text is any string (the server's own messages quote the client). */
	text = strndup(line, size);
	if (text)
		error_reply(text);
	free(text);
	free(line);
	return 0;
}
