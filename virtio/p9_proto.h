/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_P9_PROTO_H
#define LKVM_VIRTIO_P9_PROTO_H

/*
 * 9P2000.L messages: parsing of requests and building of replies, bounded
 * by the message and the reply buffer. No files, no guest memory: the
 * server (p9_fs.c) and the tests drive it with plain byte buffers.
 * Every integer is little-endian; a string is len[2] then its bytes.
 */

#include "../core/util.h"

#define P9_HDR_SIZE		7	/* size[4] type[1] tag[2] */
#define P9_QID_SIZE		13	/* type[1] version[4] path[8] */
#define P9_IOHDR_SIZE		(P9_HDR_SIZE + 4)	/* Rread, Rreaddir: and count[4] */
#define P9_RLERROR_SIZE		(P9_HDR_SIZE + 4)
#define P9_NOTAG		0xffff
#define P9_NOFID		0xffffffffu
#define P9_NONUNAME		0xffffffffu
#define P9_MAXWELEM		16
#define P9_VERSION_L		"9P2000.L"

enum p9_type {
	P9_TLERROR = 6,		P9_RLERROR,
	P9_TSTATFS = 8,		P9_RSTATFS,
	P9_TLOPEN = 12,		P9_RLOPEN,
	P9_TLCREATE = 14,	P9_RLCREATE,
	P9_TSYMLINK = 16,	P9_RSYMLINK,
	P9_TMKNOD = 18,		P9_RMKNOD,
	P9_TRENAME = 20,	P9_RRENAME,
	P9_TREADLINK = 22,	P9_RREADLINK,
	P9_TGETATTR = 24,	P9_RGETATTR,
	P9_TSETATTR = 26,	P9_RSETATTR,
	P9_TXATTRWALK = 30,	P9_RXATTRWALK,
	P9_TXATTRCREATE = 32,	P9_RXATTRCREATE,
	P9_TREADDIR = 40,	P9_RREADDIR,
	P9_TFSYNC = 50,		P9_RFSYNC,
	P9_TLOCK = 52,		P9_RLOCK,
	P9_TGETLOCK = 54,	P9_RGETLOCK,
	P9_TLINK = 70,		P9_RLINK,
	P9_TMKDIR = 72,		P9_RMKDIR,
	P9_TRENAMEAT = 74,	P9_RRENAMEAT,
	P9_TUNLINKAT = 76,	P9_RUNLINKAT,
	P9_TVERSION = 100,	P9_RVERSION,
	P9_TAUTH = 102,		P9_RAUTH,
	P9_TATTACH = 104,	P9_RATTACH,
	P9_TFLUSH = 108,	P9_RFLUSH,
	P9_TWALK = 110,		P9_RWALK,
	P9_TREAD = 116,		P9_RREAD,
	P9_TWRITE = 118,	P9_RWRITE,
	P9_TCLUNK = 120,	P9_RCLUNK,
	P9_TREMOVE = 122,	P9_RREMOVE,
};

/* qid.type */
#define P9_QTDIR		0x80
#define P9_QTSYMLINK		0x02
#define P9_QTFILE		0x00

/* Tlopen/Tlcreate flags: Linux's generic open(2) values, whatever the guest's arch. */
#define P9_DOTL_ACCMODE		00000003
#define P9_DOTL_RDONLY		00000000
#define P9_DOTL_WRONLY		00000001
#define P9_DOTL_RDWR		00000002
#define P9_DOTL_CREATE		00000100
#define P9_DOTL_EXCL		00000200
#define P9_DOTL_TRUNC		00001000
#define P9_DOTL_APPEND		00002000
#define P9_DOTL_NONBLOCK	00004000
#define P9_DOTL_DSYNC		00010000
#define P9_DOTL_DIRECTORY	00200000
#define P9_DOTL_SYNC		04000000

#define P9_DOTL_AT_REMOVEDIR	0x200	/* Tunlinkat */

/* Tsetattr valid: Linux's ATTR_* bits */
#define P9_SETATTR_MODE		0x001
#define P9_SETATTR_UID		0x002
#define P9_SETATTR_GID		0x004
#define P9_SETATTR_SIZE		0x008
#define P9_SETATTR_ATIME	0x010	/* to now, unless ATIME_SET */
#define P9_SETATTR_MTIME	0x020	/* to now, unless MTIME_SET */
#define P9_SETATTR_CTIME	0x040
#define P9_SETATTR_ATIME_SET	0x080
#define P9_SETATTR_MTIME_SET	0x100

#define P9_GETATTR_BASIC	0x7ffULL	/* mode..blocks: what Rgetattr fills */

/* Tlock, Tgetlock */
#define P9_LOCK_TYPE_RDLCK	0
#define P9_LOCK_TYPE_WRLCK	1
#define P9_LOCK_TYPE_UNLCK	2
#define P9_LOCK_SUCCESS		0
#define P9_LOCK_BLOCKED		1
#define P9_LOCK_ERROR		2
#define P9_LOCK_FLAGS_BLOCK	1

struct p9_qid {
	u8 type;
	u32 version;
	u64 path;
};

/* A string inside a message: not NUL-terminated, and no NUL inside (checked). */
struct p9_str {
	const char *s;
	u16 len;
};

/* One parsed request; strings and Twrite data point into the message. */
struct p9_req {
	u8 type;
	u16 tag;
	union {
		struct { u32 msize; struct p9_str version; } version;
		struct { u32 fid, afid; struct p9_str uname, aname; u32 n_uname; } attach;
		struct { u16 oldtag; } flush;
		struct {
			u32 fid, newfid;
			u16 nwname;
			struct p9_str wname[P9_MAXWELEM];
		} walk;
		struct { u32 fid, flags; } lopen;
		struct { u32 fid; struct p9_str name; u32 flags, mode, gid; } lcreate;
		/* Tread, Treaddir; Twrite with data */
		struct { u32 fid; u64 offset; u32 count; const u8 *data; } io;
		struct { u32 fid; struct p9_str name, target; u32 gid; } symlink;
		/* Tmknod; Tmkdir without major/minor */
		struct { u32 dfid; struct p9_str name; u32 mode, major, minor, gid; } mknod;
		struct { u32 fid, dfid; struct p9_str name; } rename;
		struct { u32 fid; u64 mask; } getattr;
		struct {
			u32 fid, valid, mode, uid, gid;
			u64 size, atime_sec, atime_nsec, mtime_sec, mtime_nsec;
		} setattr;
		struct { u32 fid, newfid; struct p9_str name; } xattrwalk;
		struct { u32 fid; struct p9_str name; u64 size; u32 flags; } xattrcreate;
		struct { u32 fid, datasync; } fsync;
		/* Tlock; Tgetlock without flags */
		struct {
			u32 fid;
			u8 type;
			u32 flags;
			u64 start, length;
			u32 proc_id;
			struct p9_str client_id;
		} lock;
		struct { u32 dfid, fid; struct p9_str name; } link;
		struct {
			u32 olddirfid;
			struct p9_str oldname;
			u32 newdirfid;
			struct p9_str newname;
		} renameat;
		struct { u32 dirfid; struct p9_str name; u32 flags; } unlinkat;
		/* Tstatfs, Treadlink, Tclunk, Tremove */
		struct { u32 fid; } fid;
	};
};

/*
 * Parses one request of len bytes. The size field must not exceed len
 * (bytes after it are ignored). Returns 0; -EPROTO when a field runs past
 * the message; -EINVAL for a NUL inside a string or more than 16 walk
 * names; -EOPNOTSUPP for a type this server does not know. r->type and
 * r->tag are set whenever the header could be read (else tag is NOTAG).
 */
int p9_parse(const void *msg, u32 len, struct p9_req *r);

/* Reading cursor: past the end, reads give zeroes and err sticks. */
struct p9_in {
	const u8 *p;
	u32 len;
	u32 pos;
	int err;		/* 0, -EPROTO (overrun) or -EINVAL (NUL in a string) */
};

void p9_in_init(struct p9_in *in, const void *buf, u32 len);
u8 p9_get8(struct p9_in *in);
u16 p9_get16(struct p9_in *in);
u32 p9_get32(struct p9_in *in);
u64 p9_get64(struct p9_in *in);
void p9_get_str(struct p9_in *in, struct p9_str *s);
void p9_get_qid(struct p9_in *in, struct p9_qid *q);
/* Points at the next n bytes and skips them; NULL (and err) if they are not all there. */
const u8 *p9_get_data(struct p9_in *in, u32 n);

/* Writing cursor over a reply buffer: what does not fit sets full. */
struct p9_out {
	u8 *p;
	u32 cap;
	u32 pos;
	bool full;
};

/* Starts a message of this type and tag (size is filled by p9_out_end). */
void p9_out_begin(struct p9_out *o, void *buf, u32 cap, u8 type, u16 tag);
void p9_put8(struct p9_out *o, u8 v);
void p9_put16(struct p9_out *o, u16 v);
void p9_put32(struct p9_out *o, u32 v);
void p9_put64(struct p9_out *o, u64 v);
void p9_put_str(struct p9_out *o, const char *s, size_t len);
void p9_put_cstr(struct p9_out *o, const char *s);
void p9_put_qid(struct p9_out *o, const struct p9_qid *q);
void p9_put_data(struct p9_out *o, const void *data, u32 len);
/* Room for n bytes the caller fills in place, or NULL (and full). */
u8 *p9_put_space(struct p9_out *o, u32 n);
/* Writes the size field; returns the message length, 0 if it did not fit. */
u32 p9_out_end(struct p9_out *o);

/* An Rlerror (ecode: a Linux errno); 0 if cap < P9_RLERROR_SIZE. */
u32 p9_build_lerror(void *buf, u32 cap, u16 tag, u32 ecode);

/* Whether the string is s, byte for byte. */
bool p9_str_eq(const struct p9_str *a, const char *s);

#endif
