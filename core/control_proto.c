// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"

#define JSON_MAX_DEPTH		8
#define JSON_FLAGS		(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char *const cmd_names[CONTROL_NR_CMDS] = {
	[CONTROL_INFO] = "info",
	[CONTROL_STOP] = "stop",
	[CONTROL_PAUSE] = "pause",
	[CONTROL_RESUME] = "resume",
	[CONTROL_DUMP] = "dump",
	[CONTROL_NMI] = "nmi",
	[CONTROL_SYSRQ] = "sysrq",
	[CONTROL_BALLOON] = "balloon",
	[CONTROL_STAT] = "stat",
};

const char *control_cmd_name(enum control_cmd cmd)
{
	return cmd < CONTROL_NR_CMDS ? cmd_names[cmd] : "?";
}

/* Parses len bytes as exactly one JSON value (whitespace around it allowed). */
static struct json_object *parse_json(const char *line, size_t len, struct err_msg *e)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	if (len > CONTROL_LINE_MAX) {
		err_set(e, EMSGSIZE, "the line is %zu bytes; the limit is %d", len, CONTROL_LINE_MAX);
		return NULL;
	}
	if (memchr(line, '\0', len)) {
		err_set(e, EINVAL, "the line holds a NUL byte; send JSON text");
		return NULL;
	}
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok) {
		err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, line, len);
	/* A bare number or literal waits for more input: a NUL ends it. */
	end = len;
	if (!obj && json_tokener_get_error(tok) == json_tokener_continue)
		obj = json_tokener_parse_ex(tok, "", 1);
	else if (obj)
		end = json_tokener_get_parse_end(tok);
	if (!obj && json_tokener_get_error(tok) != json_tokener_success)
		err_set(e, EINVAL, "not JSON: %s",
			json_tokener_error_desc(json_tokener_get_error(tok)));
	while (end < len && isspace((unsigned char)line[end]))
		end++;
	json_tokener_free(tok);
	if (obj && end < len) {
		json_object_put(obj);
		obj = NULL;
		err_set(e, EINVAL, "more than one JSON value on the line; send one object per line");
	} else if (!obj && !e->text[0]) {
		err_set(e, EINVAL, "not JSON: the line is empty or holds only null");
	}
	return obj;
}

static int check_version(struct json_object *msg, struct err_msg *e)
{
	struct json_object *v;

	if (!json_object_object_get_ex(msg, "v", &v))
		return err_set(e, EINVAL, "no \"v\": give the protocol version, {\"v\":%d,...}",
			       CONTROL_VERSION);
	if (!json_object_is_type(v, json_type_int))
		return err_set(e, EINVAL, "\"v\" must be an integer; this lkvm speaks version %d",
			       CONTROL_VERSION);
	if (json_object_get_int64(v) != CONTROL_VERSION)
		return err_set(e, EPROTONOSUPPORT,
			       "protocol version %lld is not supported; this lkvm speaks version %d",
			       (long long)json_object_get_int64(v), CONTROL_VERSION);
	return 0;
}

static int parse_cmd(struct json_object *msg, enum control_cmd *cmd, struct err_msg *e)
{
	struct json_object *c;
	const char *name;
	unsigned int i;

	if (!json_object_object_get_ex(msg, "cmd", &c))
		return err_set(e, EINVAL, "no \"cmd\": give a command, e.g. {\"v\":%d,\"cmd\":\"info\"}",
			       CONTROL_VERSION);
	if (!json_object_is_type(c, json_type_string))
		return err_set(e, EINVAL, "\"cmd\" must be a string");
	name = json_object_get_string(c);
	for (i = 0; i < CONTROL_NR_CMDS; i++) {
		if (!strcmp(name, cmd_names[i])) {
			*cmd = i;
			return 0;
		}
	}
	return err_set(e, EINVAL, "unknown command \"%.64s\"", name);
}

static int parse_sysrq(struct json_object *msg, struct control_req *req, struct err_msg *e)
{
	struct json_object *k;
	const char *s;

	if (!json_object_object_get_ex(msg, "key", &k) || !json_object_is_type(k, json_type_string))
		return err_set(e, EINVAL, "sysrq needs \"key\": one character, e.g. \"h\"");
	s = json_object_get_string(k);
	if (strlen(s) != 1 || !isgraph((unsigned char)s[0]))
		return err_set(e, EINVAL, "\"key\" must be one printable character, e.g. \"h\"");
	req->key = s[0];
	return 0;
}

static int get_mib(struct json_object *msg, const char *field, s64 *mib, struct err_msg *e)
{
	struct json_object *o;

	if (!json_object_object_get_ex(msg, field, &o))
		return 0;
	if (!json_object_is_type(o, json_type_int) || json_object_get_int64(o) <= 0 ||
	    json_object_get_int64(o) > (1LL << 40))
		return err_set(e, EINVAL, "\"%s\" must be a positive number of MiB", field);
	*mib = json_object_get_int64(o);
	return 0;
}

static int parse_balloon(struct json_object *msg, struct control_req *req, struct err_msg *e)
{
	s64 inflate = 0, deflate = 0;

	if (get_mib(msg, "inflate", &inflate, e) || get_mib(msg, "deflate", &deflate, e))
		return -EINVAL;
	if (!inflate == !deflate)
		return err_set(e, EINVAL, "balloon needs one of \"inflate\" or \"deflate\" (MiB)");
	req->balloon_mib = inflate ? inflate : -deflate;
	return 0;
}

int control_parse_request(const char *line, size_t len, struct control_req *req,
			  struct err_msg *e)
{
	struct json_object *msg = parse_json(line, len, e);
	int ret = -EINVAL;

	memset(req, 0, sizeof(*req));
	if (!msg)
		return -EINVAL;
	if (!json_object_is_type(msg, json_type_object))
		err_set(e, EINVAL, "a request must be a JSON object, {\"v\":%d,\"cmd\":...}",
			CONTROL_VERSION);
	else if (!check_version(msg, e) && !parse_cmd(msg, &req->cmd, e))
		ret = 0;
	if (!ret && req->cmd == CONTROL_SYSRQ)
		ret = parse_sysrq(msg, req, e);
	else if (!ret && req->cmd == CONTROL_BALLOON)
		ret = parse_balloon(msg, req, e);
	json_object_put(msg);
	return ret ? -EINVAL : 0;
}

/* Renders msg and appends a newline; puts msg. */
static char *render_line(struct json_object *msg)
{
	const char *s;
	size_t n;
	char *line = NULL;

	if (!msg)
		return NULL;
	s = json_object_to_json_string_ext(msg, JSON_FLAGS);
	if (s) {
		n = strlen(s);
		line = malloc(n + 2);
		if (line) {
			memcpy(line, s, n);
			line[n] = '\n';
			line[n + 1] = '\0';
		}
	}
	json_object_put(msg);
	return line;
}

static struct json_object *new_message(void)
{
	struct json_object *msg = json_object_new_object();

	if (msg)
		json_object_object_add(msg, "v", json_object_new_int(CONTROL_VERSION));
	return msg;
}

char *control_render_request(const struct control_req *req)
{
	struct json_object *msg = new_message();
	char key[2] = { req->key, 0 };

	if (!msg)
		return NULL;
	json_object_object_add(msg, "cmd", json_object_new_string(control_cmd_name(req->cmd)));
	if (req->cmd == CONTROL_SYSRQ)
		json_object_object_add(msg, "key", json_object_new_string(key));
	if (req->cmd == CONTROL_BALLOON)
		json_object_object_add(msg, req->balloon_mib > 0 ? "inflate" : "deflate",
				       json_object_new_int64(llabs(req->balloon_mib)));
	return render_line(msg);
}

char *control_render_ok(struct json_object *fields)
{
	struct json_object *msg = new_message();

	if (msg) {
		json_object_object_add(msg, "ok", json_object_new_boolean(1));
		if (fields) {
			json_object_object_foreach(fields, k, val)
				json_object_object_add(msg, k, json_object_get(val));
		}
	}
	json_object_put(fields);
	return render_line(msg);
}

char *control_render_error(const char *text)
{
	struct json_object *msg = new_message();

	if (!msg)
		return NULL;
	json_object_object_add(msg, "ok", json_object_new_boolean(0));
	json_object_object_add(msg, "error", json_object_new_string(text));
	return render_line(msg);
}

int control_parse_reply(const char *line, size_t len, struct json_object **reply,
			struct err_msg *e)
{
	struct json_object *msg = parse_json(line, len, e), *ok;

	*reply = NULL;
	if (!msg)
		return -EINVAL;
	if (!json_object_is_type(msg, json_type_object) || check_version(msg, e) ||
	    !json_object_object_get_ex(msg, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		json_object_put(msg);
		if (!e->text[0])
			err_set(e, EPROTO, "the VM's reply is not a control-protocol reply");
		return -EINVAL;
	}
	*reply = msg;
	return 0;
}
