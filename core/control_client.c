// SPDX-License-Identifier: GPL-2.0
/* The client side of the control socket: what `lkvm list`, `stop`, ... send. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "control.h"

#define REPLY_MAX		(1 << 20)
#define CALL_TIMEOUT_S		10

static int send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Reads up to the first newline into a malloc'd, NUL-terminated *line. */
static int read_line(int fd, char **line, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *tmp;
	ssize_t r = -1;

	while (buf) {
		if (n == cap) {
			tmp = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;
			if (!tmp)
				break;
			buf = tmp;
			cap *= 2;
		}
		r = recv(fd, buf + n, cap - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		tmp = memchr(buf + n, '\n', r);
		n += r;
		if (tmp) {
			*tmp = '\0';
			*line = buf;
			*len = tmp - buf;
			return 0;
		}
	}
	free(buf);
	return r == 0 ? -ECONNRESET : -EIO;
}

static int call_fd(int fd, const char *name, const struct control_req *req,
		   struct json_object **reply, struct err_msg *e)
{
	struct timeval tv = { .tv_sec = CALL_TIMEOUT_S };
	char *out = control_render_request(req), *line = NULL;
	size_t len;
	int ret;

	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = send_all(fd, out, strlen(out));
	free(out);
	if (!ret)
		ret = read_line(fd, &line, &len);
	if (ret)
		return err_set(e, -ret, "VM %s did not answer '%s' within %d s",
			       name, control_cmd_name(req->cmd), CALL_TIMEOUT_S);
	ret = control_parse_reply(line, len, reply, e);
	free(line);
	return ret;
}

/* After "stop": the VM closes the connection once its disks are closed. */
static void wait_for_close(int fd)
{
	char c;
	ssize_t n;

	do {
		n = recv(fd, &c, 1, 0);
	} while (n > 0 || (n < 0 && errno == EINTR));
}

int control_call(const char *name, const struct control_req *req, struct json_object **reply,
		 struct err_msg *e)
{
	char dir[108], path[108];
	int fd, ret;

	ret = control_dir(dir, sizeof(dir), false, e);
	if (ret == -ENOENT)
		return err_usage(e, "no VM named %s is running; see 'lkvm list'", name);
	if (ret)
		return e->text[0] ? ret : err_set(e, -ret, "%s: %s", dir, strerror(-ret));
	ret = control_sock_path(dir, name, path, sizeof(path), e);
	if (ret)
		return ret;
	ret = control_connect(path, &fd);
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		return err_usage(e, "no VM named %s is running; see 'lkvm list'", name);
	if (ret)
		return err_set(e, -ret, "cannot reach VM %s at %s: %s", name, path, strerror(-ret));
	ret = call_fd(fd, name, req, reply, e);
	if (!ret && req->cmd == CONTROL_STOP)
		wait_for_close(fd);
	close(fd);
	return ret;
}
