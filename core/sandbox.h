/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_SANDBOX_H
#define LKVM_SANDBOX_H

#include <limits.h>

#include "config.h"

/*
 * `lkvm sandbox`: a host directory (default /) becomes the guest's root
 * over 9p, read-only under a tmpfs overlay, and one command runs in it.
 * A private control directory, shared as tag lkvm_sandbox, carries the
 * command to the guest's init (guest/init) and its exit status back.
 */
struct sandbox {
	char ctl_dir[PATH_MAX];
	char root[PATH_MAX];
};

/*
 * Adds the shares and the kernel parameters to cfg and writes the command
 * (argv[0..argc-1], run in the caller's working directory) for the guest.
 */
int sandbox_prepare(struct sandbox *sb, struct vm_config *cfg, const char *root, int argc,
		    char **argv, struct err_msg *e);

/* The command's exit status as the guest reported it; -1 if it did not. */
int sandbox_status(const struct sandbox *sb);

/* Removes the control directory. */
void sandbox_cleanup(struct sandbox *sb);

/* One word for sh: single-quoted, with ' as '\''. malloc'd; NULL when out of memory. */
char *sandbox_quote(const char *word);

#endif
