/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONTROL_PROTO_H
#define LKVM_CONTROL_PROTO_H

#include <json-c/json.h>

#include "util.h"

/*
 * The control protocol (docs/control.md): one JSON object per line each
 * way, {"v":1,"cmd":"..."} -> {"v":1,"ok":true,...} or {"v":1,"ok":false,
 * "error":"..."}. This codec is pure: no sockets, no VM.
 */
#define CONTROL_VERSION		1
#define CONTROL_LINE_MAX	65536	/* bytes in a line, without its newline */

enum control_cmd {
	CONTROL_INFO,
	CONTROL_STOP,
	CONTROL_PAUSE,
	CONTROL_RESUME,
	CONTROL_DUMP,
	CONTROL_NMI,
	CONTROL_SYSRQ,
	CONTROL_BALLOON,
	CONTROL_STAT,
	CONTROL_NR_CMDS,
};

struct control_req {
	enum control_cmd cmd;
	char key;		/* sysrq: the SysRq key */
	s64 balloon_mib;	/* balloon: > 0 inflate, < 0 deflate */
};

const char *control_cmd_name(enum control_cmd cmd);

/* Parses one request line (len bytes, no newline); -EINVAL with e saying why. */
int control_parse_request(const char *line, size_t len, struct control_req *req,
			  struct err_msg *e);
/* The line a client sends for req, newline included; malloc'd, NULL when out of memory. */
char *control_render_request(const struct control_req *req);

/* A success reply carrying fields' members (fields may be NULL; it is put). */
char *control_render_ok(struct json_object *fields);
char *control_render_error(const char *msg);

/*
 * Parses a reply line. A well-formed reply is returned in *reply (the caller
 * puts it) even when it says "ok":false; -EINVAL when the line is not a reply.
 */
int control_parse_reply(const char *line, size_t len, struct json_object **reply,
			struct err_msg *e);

#endif
