// SPDX-License-Identifier: GPL-2.0
/*
 * 9P2000.L wire format. Everything here trusts nothing: a request is the
 * guest's bytes, so every read is checked against the message's length
 * and the first overrun poisons the cursor rather than reading on.
 */
#include <errno.h>
#include <string.h>

#include "p9_proto.h"

void p9_in_init(struct p9_in *in, const void *buf, u32 len)
{
	in->p = buf;
	in->len = len;
	in->pos = 0;
	in->err = 0;
}

/* The next n bytes, or NULL (and the cursor poisoned) if they are not there. */
static const u8 *take(struct p9_in *in, u32 n)
{
	const u8 *p;

	if (in->err || n > in->len - in->pos) {
		if (!in->err)
			in->err = -EPROTO;
		return NULL;
	}
	p = in->p + in->pos;
	in->pos += n;
	return p;
}

static u64 get_le(struct p9_in *in, unsigned int n)
{
	const u8 *p = take(in, n);
	u64 v = 0;

	while (p && n--)
		v = (v << 8) | p[n];
	return v;
}

u8 p9_get8(struct p9_in *in)
{
	return get_le(in, 1);
}

u16 p9_get16(struct p9_in *in)
{
	return get_le(in, 2);
}

u32 p9_get32(struct p9_in *in)
{
	return get_le(in, 4);
}

u64 p9_get64(struct p9_in *in)
{
	return get_le(in, 8);
}

const u8 *p9_get_data(struct p9_in *in, u32 n)
{
	return take(in, n);
}

void p9_get_str(struct p9_in *in, struct p9_str *s)
{
	u16 len = p9_get16(in);
	const u8 *p = take(in, len);

	s->s = "";
	s->len = 0;
	if (!p)
		return;
	/* A NUL would cut the name short in every C call that sees it. */
	if (memchr(p, '\0', len)) {
		in->err = -EINVAL;
		return;
	}
	s->s = (const char *)p;
	s->len = len;
}

void p9_get_qid(struct p9_in *in, struct p9_qid *q)
{
	q->type = p9_get8(in);
	q->version = p9_get32(in);
	q->path = p9_get64(in);
}

bool p9_str_eq(const struct p9_str *a, const char *s)
{
	return strlen(s) == a->len && !memcmp(a->s, s, a->len);
}

static int parse_walk(struct p9_in *in, struct p9_req *r)
{
	unsigned int i;

	r->walk.fid = p9_get32(in);
	r->walk.newfid = p9_get32(in);
	r->walk.nwname = p9_get16(in);
	if (!in->err && r->walk.nwname > P9_MAXWELEM)
		return -EINVAL;
	for (i = 0; i < r->walk.nwname && !in->err; i++)
		p9_get_str(in, &r->walk.wname[i]);
	return 0;
}

static void parse_lock(struct p9_in *in, struct p9_req *r, bool flags)
{
	r->lock.fid = p9_get32(in);
	r->lock.type = p9_get8(in);
	r->lock.flags = flags ? p9_get32(in) : 0;
	r->lock.start = p9_get64(in);
	r->lock.length = p9_get64(in);
	r->lock.proc_id = p9_get32(in);
	p9_get_str(in, &r->lock.client_id);
}

static void parse_setattr(struct p9_in *in, struct p9_req *r)
{
	r->setattr.fid = p9_get32(in);
	r->setattr.valid = p9_get32(in);
	r->setattr.mode = p9_get32(in);
	r->setattr.uid = p9_get32(in);
	r->setattr.gid = p9_get32(in);
	r->setattr.size = p9_get64(in);
	r->setattr.atime_sec = p9_get64(in);
	r->setattr.atime_nsec = p9_get64(in);
	r->setattr.mtime_sec = p9_get64(in);
	r->setattr.mtime_nsec = p9_get64(in);
}

static void parse_io(struct p9_in *in, struct p9_req *r)
{
	r->io.fid = p9_get32(in);
	r->io.offset = p9_get64(in);
	r->io.count = p9_get32(in);
	r->io.data = NULL;
	if (r->type == P9_TWRITE)
		r->io.data = p9_get_data(in, r->io.count);
}

/* Requests made of a fid and strings/integers in a fixed order. */
static int parse_body(struct p9_in *in, struct p9_req *r)
{
	switch (r->type) {
	case P9_TVERSION:
		r->version.msize = p9_get32(in);
		p9_get_str(in, &r->version.version);
		break;
	case P9_TAUTH:
	case P9_TATTACH:
		r->attach.fid = p9_get32(in);
		r->attach.afid = r->type == P9_TATTACH ? p9_get32(in) : P9_NOFID;
		p9_get_str(in, &r->attach.uname);
		p9_get_str(in, &r->attach.aname);
		r->attach.n_uname = p9_get32(in);
		break;
	case P9_TFLUSH:
		r->flush.oldtag = p9_get16(in);
		break;
	case P9_TWALK:
		return parse_walk(in, r);
	case P9_TLOPEN:
		r->lopen.fid = p9_get32(in);
		r->lopen.flags = p9_get32(in);
		break;
	case P9_TLCREATE:
		r->lcreate.fid = p9_get32(in);
		p9_get_str(in, &r->lcreate.name);
		r->lcreate.flags = p9_get32(in);
		r->lcreate.mode = p9_get32(in);
		r->lcreate.gid = p9_get32(in);
		break;
	case P9_TREAD:
	case P9_TWRITE:
	case P9_TREADDIR:
		parse_io(in, r);
		break;
	case P9_TSYMLINK:
		r->symlink.fid = p9_get32(in);
		p9_get_str(in, &r->symlink.name);
		p9_get_str(in, &r->symlink.target);
		r->symlink.gid = p9_get32(in);
		break;
	case P9_TMKNOD:
	case P9_TMKDIR:
		r->mknod.dfid = p9_get32(in);
		p9_get_str(in, &r->mknod.name);
		r->mknod.mode = p9_get32(in);
		r->mknod.major = r->type == P9_TMKNOD ? p9_get32(in) : 0;
		r->mknod.minor = r->type == P9_TMKNOD ? p9_get32(in) : 0;
		r->mknod.gid = p9_get32(in);
		break;
	case P9_TRENAME:
		r->rename.fid = p9_get32(in);
		r->rename.dfid = p9_get32(in);
		p9_get_str(in, &r->rename.name);
		break;
	case P9_TGETATTR:
		r->getattr.fid = p9_get32(in);
		r->getattr.mask = p9_get64(in);
		break;
	case P9_TSETATTR:
		parse_setattr(in, r);
		break;
	case P9_TXATTRWALK:
		r->xattrwalk.fid = p9_get32(in);
		r->xattrwalk.newfid = p9_get32(in);
		p9_get_str(in, &r->xattrwalk.name);
		break;
	case P9_TXATTRCREATE:
		r->xattrcreate.fid = p9_get32(in);
		p9_get_str(in, &r->xattrcreate.name);
		r->xattrcreate.size = p9_get64(in);
		r->xattrcreate.flags = p9_get32(in);
		break;
	case P9_TFSYNC:
		r->fsync.fid = p9_get32(in);
		/* Older clients send no datasync field. */
		r->fsync.datasync = in->len - in->pos >= 4 ? p9_get32(in) : 0;
		break;
	case P9_TLOCK:
	case P9_TGETLOCK:
		parse_lock(in, r, r->type == P9_TLOCK);
		break;
	case P9_TLINK:
		r->link.dfid = p9_get32(in);
		r->link.fid = p9_get32(in);
		p9_get_str(in, &r->link.name);
		break;
	case P9_TRENAMEAT:
		r->renameat.olddirfid = p9_get32(in);
		p9_get_str(in, &r->renameat.oldname);
		r->renameat.newdirfid = p9_get32(in);
		p9_get_str(in, &r->renameat.newname);
		break;
	case P9_TUNLINKAT:
		r->unlinkat.dirfid = p9_get32(in);
		p9_get_str(in, &r->unlinkat.name);
		r->unlinkat.flags = p9_get32(in);
		break;
	case P9_TSTATFS:
	case P9_TREADLINK:
	case P9_TCLUNK:
	case P9_TREMOVE:
		r->fid.fid = p9_get32(in);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

int p9_parse(const void *msg, u32 len, struct p9_req *r)
{
	struct p9_in in;
	u32 size;
	int ret;

	memset(r, 0, sizeof(*r));
	r->tag = P9_NOTAG;
	if (len < P9_HDR_SIZE)
		return -EPROTO;
	p9_in_init(&in, msg, len);
	size = p9_get32(&in);
	r->type = p9_get8(&in);
	r->tag = p9_get16(&in);
	if (size < P9_HDR_SIZE || size > len)
		return -EPROTO;
	in.len = size;
	ret = parse_body(&in, r);
	return ret ? ret : in.err;
}

void p9_out_begin(struct p9_out *o, void *buf, u32 cap, u8 type, u16 tag)
{
	o->p = buf;
	o->cap = cap;
	o->pos = 0;
	o->full = false;
	p9_put32(o, 0);		/* size, by p9_out_end() */
	p9_put8(o, type);
	p9_put16(o, tag);
}

u8 *p9_put_space(struct p9_out *o, u32 n)
{
	u8 *p;

	if (o->full || n > o->cap - o->pos) {
		o->full = true;
		return NULL;
	}
	p = o->p + o->pos;
	o->pos += n;
	return p;
}

static void put_le(struct p9_out *o, u64 v, unsigned int n)
{
	u8 *p = p9_put_space(o, n);
	unsigned int i;

	for (i = 0; p && i < n; i++, v >>= 8)
		p[i] = v;
}

void p9_put8(struct p9_out *o, u8 v)
{
	put_le(o, v, 1);
}

void p9_put16(struct p9_out *o, u16 v)
{
	put_le(o, v, 2);
}

void p9_put32(struct p9_out *o, u32 v)
{
	put_le(o, v, 4);
}

void p9_put64(struct p9_out *o, u64 v)
{
	put_le(o, v, 8);
}

void p9_put_data(struct p9_out *o, const void *data, u32 len)
{
	u8 *p = p9_put_space(o, len);

	if (p && len)
		memcpy(p, data, len);
}

void p9_put_str(struct p9_out *o, const char *s, size_t len)
{
	if (len > 0xffff) {
		o->full = true;
		return;
	}
	p9_put16(o, len);
	p9_put_data(o, s, len);
}

void p9_put_cstr(struct p9_out *o, const char *s)
{
	p9_put_str(o, s, strlen(s));
}

void p9_put_qid(struct p9_out *o, const struct p9_qid *q)
{
	p9_put8(o, q->type);
	p9_put32(o, q->version);
	p9_put64(o, q->path);
}

u32 p9_out_end(struct p9_out *o)
{
	u32 len = o->pos;

	if (o->full)
		return 0;
	o->pos = 0;
	p9_put32(o, len);
	o->pos = len;
	return len;
}

u32 p9_build_lerror(void *buf, u32 cap, u16 tag, u32 ecode)
{
	struct p9_out o;

	p9_out_begin(&o, buf, cap, P9_RLERROR, tag);
	p9_put32(&o, ecode);
	return p9_out_end(&o);
}
