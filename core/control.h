/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_CONTROL_H
#define LKVM_CONTROL_H

#include <stdio.h>
#include <sys/un.h>

#include "control_proto.h"
#include "util.h"

struct vm;

/*
 * Each running VM serves the control protocol on a UNIX socket,
 * $XDG_RUNTIME_DIR/lkvm/NAME.sock or else ~/.lkvm/NAME.sock, on its event
 * loop thread. docs/control.md describes the protocol.
 */

/* The directory of the sockets (created 0700 when create is set). */
int control_dir(char *buf, size_t len, bool create, struct err_msg *e);
/* dir/NAME.sock; -ENAMETOOLONG when it does not fit a sockaddr_un. */
int control_sock_path(const char *dir, const char *name, char *buf, size_t len,
		      struct err_msg *e);

/* Server side, called by vm_create, vm_run and vm_destroy. */
int control_open(struct vm *vm, struct err_msg *e);
void control_start(struct vm *vm);
void control_close(struct vm *vm);

/* Client side. */
/*
 * Connects to path: 0 with *fd, -ECONNREFUSED for a stale socket (it is
 * removed), -ENOENT when there is none.
 */
int control_connect(const char *path, int *fd);
/* Sends req to the VM called name and returns its reply; e says why not. */
int control_call(const char *name, const struct control_req *req, struct json_object **reply,
		 struct err_msg *e);

/* `lkvm list|stop|pause|resume|debug|balloon|stat`: exit status 0, 1 or 2 (e says why). */
bool control_cli_has(const char *cmd);
int control_cli(const char *cmd, int argc, char **argv, FILE *out, struct err_msg *e);

#endif
