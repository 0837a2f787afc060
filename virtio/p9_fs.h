/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_P9_FS_H
#define LKVM_VIRTIO_P9_FS_H

/*
 * A 9P2000.L server for one host directory (the share), driven one
 * request at a time with byte buffers: no guest memory, no virtio. Not
 * thread-safe: one thread serves a given p9_fs.
 */

#include "../core/util.h"

#define P9_MAX_FIDS		4096
#define P9_MAX_MSIZE		(512 * 1024)
#define P9_MIN_MSIZE		4096	/* below this, Rgetattr and co. barely fit */

struct p9_fs;

/*
 * Opens the share (dir must be a directory; a missing or wrong one is a
 * usage error naming it). ro: every modifying request gets EROFS.
 * max_msize caps what Tversion grants (0 or more than P9_MAX_MSIZE:
 * P9_MAX_MSIZE); the caller must accept requests and replies that large.
 */
struct p9_fs *p9_fs_create(const char *dir, bool ro, u32 max_msize, struct err_msg *e);
void p9_fs_destroy(struct p9_fs *fs);

/*
 * Serves one request (req_len bytes, as the guest gave them) and writes
 * the reply, or an Rlerror, into reply. Returns the reply's length, 0 only
 * when reply_cap cannot hold even an Rlerror (P9_RLERROR_SIZE).
 */
u32 p9_fs_handle(struct p9_fs *fs, const void *req, u32 req_len, void *reply, u32 reply_cap);

/* Clunks every fid and forgets the negotiated msize (device reset). */
void p9_fs_reset(struct p9_fs *fs);

unsigned int p9_fs_nr_fids(const struct p9_fs *fs);

#endif
