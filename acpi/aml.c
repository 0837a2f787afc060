// SPDX-License-Identifier: GPL-2.0
/*
 * AML byte-code writer. Encodings follow the ACPI 6.x "ACPI Machine
 * Language Specification" chapter and "Resource Data Types for ACPI".
 */
#include <errno.h>
#include <string.h>

#include "aml.h"

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_METHOD_OP		0x14
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_EXT_OP_PREFIX	0x5b
#define AML_EXT_DEVICE_OP	0x82
#define AML_ROOT_CHAR		'\\'
#define AML_PARENT_CHAR		'^'
#define AML_RETURN_OP		0xa4

/* Resource descriptor tags (small items carry their length in the tag). */
#define RES_IRQ_NOFLAGS		0x22
#define RES_IO			0x47
#define RES_END_TAG		0x79
#define RES_MEMORY32_FIXED	0x86
#define RES_DWORD_ADDR		0x87
#define RES_WORD_ADDR		0x88
#define RES_EXT_IRQ		0x89
#define RES_QWORD_ADDR		0x8a

/* Address space descriptors: resource type, general and type flags. */
#define ADDR_SPACE_MEMORY	0
#define ADDR_SPACE_IO		1
#define ADDR_SPACE_BUS		2
#define ADDR_CONSUMER		(1u << 0)	/* clear: ResourceProducer */
#define ADDR_MIN_FIXED		(1u << 2)
#define ADDR_MAX_FIXED		(1u << 3)
#define ADDR_MEM_RW		(1u << 0)
#define ADDR_MEM_PREFETCH	(3u << 1)
#define ADDR_IO_ENTIRE_RANGE	3

#define PKGLEN_MAX		0x0fffffff	/* 28 bits */

void aml_init(struct aml *a, void *buf, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->size = buf ? size : 0;
}

int aml_status(const struct aml *a)
{
	if (a->invalid || a->depth)
		return -EINVAL;
	return a->overflow ? -ENOSPC : 0;
}

static void put_le(u8 *p, u64 v, unsigned int n)
{
	while (n--) {
		*p++ = v & 0xff;
		v >>= 8;
	}
}

void aml_raw(struct aml *a, const void *p, size_t n)
{
	if (!n)
		return;
	if (!a->overflow && n <= a->size - a->len)
		memcpy(a->buf + a->len, p, n);
	else
		a->overflow = true;
	a->len += n;
}

static void aml_byte(struct aml *a, u8 b)
{
	aml_raw(a, &b, 1);
}

/* Puts n bytes at pos, moving what follows up; how PkgLengths get in. */
static void aml_insert(struct aml *a, size_t pos, const void *p, size_t n)
{
	if (!a->overflow && n <= a->size - a->len) {
		memmove(a->buf + pos + n, a->buf + pos, a->len - pos);
		memcpy(a->buf + pos, p, n);
	} else {
		a->overflow = true;
	}
	a->len += n;
}

static void aml_open(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->invalid = true;
		return;
	}
	a->open[a->depth++] = a->len;
}

static bool aml_top(struct aml *a, size_t *start)
{
	if (!a->depth) {
		a->invalid = true;
		return false;
	}
	*start = a->open[a->depth - 1];
	return true;
}

/*
 * The lead byte holds the byte count in bits 7:6; a one-byte form keeps
 * six bits of length, longer forms keep four there and eight per byte after.
 */
unsigned int aml_pkglen_encode(u8 out[4], size_t len)
{
	unsigned int n, i;

	if (len > PKGLEN_MAX)
		return 0;
	if (len < 0x40) {
		out[0] = len;
		return 1;
	}
	n = len < 0x1000 ? 2 : len < 0x100000 ? 3 : 4;
	out[0] = ((n - 1) << 6) | (len & 0x0f);
	for (i = 1; i < n; i++)
		out[i] = (len >> (4 + 8 * (i - 1))) & 0xff;
	return n;
}

/* The length counts its own bytes, so try each size until one agrees. */
unsigned int aml_pkglen_bytes(size_t body_len)
{
	unsigned int n;
	u8 tmp[4];

	for (n = 1; n <= 4; n++)
		if (aml_pkglen_encode(tmp, body_len + n) == n)
			return n;
	return 0;
}

static void aml_pkg_begin(struct aml *a)
{
	aml_open(a);
}

static void aml_pkg_end(struct aml *a)
{
	size_t start, body;
	unsigned int n;
	u8 enc[4];

	if (!aml_top(a, &start))
		return;
	a->depth--;
	body = a->len - start;
	n = aml_pkglen_bytes(body);
	if (!n) {
		a->invalid = true;
		return;
	}
	aml_pkglen_encode(enc, body + n);
	aml_insert(a, start, enc, n);
}

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

/* One segment of 1-4 characters, padded with '_' as ASL does. */
static bool parse_seg(const char *s, size_t n, u8 seg[4])
{
	size_t i;

	if (n < 1 || n > 4 || !lead_char(s[0]))
		return false;
	for (i = 0; i < 4; i++) {
		if (i < n && !name_char(s[i]))
			return false;
		seg[i] = i < n ? s[i] : '_';
	}
	return true;
}

bool aml_nameseg_valid(const char *seg)
{
	u8 tmp[4];

	return strlen(seg) == 4 && parse_seg(seg, 4, tmp);
}

static unsigned int count_segs(const char *s)
{
	unsigned int n = 1;

	for (; *s; s++)
		n += *s == '.';
	return n;
}

static void emit_seg_prefix(struct aml *a, unsigned int nr_segs)
{
	if (nr_segs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nr_segs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, nr_segs);
	}
}

/* "\_SB.COM1", "^FOO", "_S5": a prefix, then dotted segments. */
void aml_namestring(struct aml *a, const char *path)
{
	const char *s = path, *dot;
	u8 seg[4];

	if (*s == AML_ROOT_CHAR)
		aml_byte(a, *s++);
	else
		while (*s == AML_PARENT_CHAR)
			aml_byte(a, *s++);
	if (!*s) {
		aml_byte(a, AML_ZERO_OP);	/* NullName */
		return;
	}
	if (count_segs(s) > 255) {
		a->invalid = true;
		return;
	}
	emit_seg_prefix(a, count_segs(s));
	for (;;) {
		dot = strchr(s, '.');
		if (!parse_seg(s, dot ? (size_t)(dot - s) : strlen(s), seg)) {
			memset(seg, '_', sizeof(seg));
			a->invalid = true;
		}
		aml_raw(a, seg, 4);
		if (!dot)
			break;
		s = dot + 1;
	}
}

/* The shortest form: ZeroOp and OneOp need no data bytes at all. */
static unsigned int encode_integer(u8 out[9], u64 v)
{
	unsigned int n;

	if (v <= 1) {
		out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	put_le(out + 1, v, n);
	return 1 + n;
}

void aml_integer(struct aml *a, u64 v)
{
	u8 enc[9];

	aml_raw(a, enc, encode_integer(enc, v));
}

void aml_string(struct aml *a, const char *s)
{
	const char *c;

	/* AsciiCharList is 0x01-0x7f; anything else would end it early. */
	for (c = s; *c; c++)
		if ((u8)*c > 0x7f)
			a->invalid = true;
	aml_byte(a, AML_STRING_PREFIX);
	aml_raw(a, s, strlen(s) + 1);
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* EISAID("PNP0501"): three 5-bit letters and four hex digits, big-endian. */
void aml_eisaid(struct aml *a, const char *id)
{
	u32 v = 0;
	u8 enc[5];
	int i;

	if (strlen(id) != 7) {
		a->invalid = true;
		return;
	}
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			a->invalid = true;
		v = (v << 5) | ((id[i] - 0x40) & 0x1f);
	}
	for (i = 3; i < 7; i++) {
		if (hex_val(id[i]) < 0)
			a->invalid = true;
		v = (v << 4) | (hex_val(id[i]) & 0xf);
	}
	/* The compressed ID is stored most significant byte first. */
	enc[0] = AML_DWORD_PREFIX;
	enc[1] = v >> 24;
	enc[2] = v >> 16;
	enc[3] = v >> 8;
	enc[4] = v;
	aml_raw(a, enc, sizeof(enc));
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

void aml_name_integer(struct aml *a, const char *name, u64 v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_string(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

void aml_scope_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_pkg_begin(a);
	aml_namestring(a, name);
}

void aml_scope_end(struct aml *a)
{
	aml_pkg_end(a);
}

void aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_EXT_DEVICE_OP);
	aml_pkg_begin(a);
	aml_namestring(a, name);
}

void aml_device_end(struct aml *a)
{
	aml_pkg_end(a);
}

void aml_method_begin(struct aml *a, const char *name, unsigned int nargs,
		      bool serialized)
{
	if (nargs > 7)
		a->invalid = true;
	aml_byte(a, AML_METHOD_OP);
	aml_pkg_begin(a);
	aml_namestring(a, name);
	aml_byte(a, (nargs & 7) | (serialized ? 0x08 : 0));
}

void aml_method_end(struct aml *a)
{
	aml_pkg_end(a);
}

/* Return(<object>): the caller writes the object next. */
void aml_return(struct aml *a)
{
	aml_byte(a, AML_RETURN_OP);
}

/* More than 255 elements would need VarPackage, which nothing here wants. */
void aml_package_begin(struct aml *a, unsigned int nr_elems)
{
	if (nr_elems > 255)
		a->invalid = true;
	aml_byte(a, AML_PACKAGE_OP);
	aml_pkg_begin(a);
	aml_byte(a, nr_elems);
}

void aml_package_end(struct aml *a)
{
	aml_pkg_end(a);
}

void aml_buffer_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_pkg_begin(a);
}

/* BufferSize precedes the bytes, so it too goes in once they are known. */
void aml_buffer_end(struct aml *a)
{
	size_t start;
	u8 enc[9];

	if (!aml_top(a, &start))
		return;
	aml_insert(a, start, enc, encode_integer(enc, a->len - start));
	aml_pkg_end(a);
}

void aml_restemplate_begin(struct aml *a)
{
	aml_buffer_begin(a);
}

/* The EndTag checksum makes the template's bytes sum to zero. */
void aml_restemplate_end(struct aml *a)
{
	u8 end[2] = { RES_END_TAG, 0 };
	size_t start, i;
	u8 sum = RES_END_TAG;

	if (!aml_top(a, &start))
		return;
	if (!a->overflow)
		for (i = start; i < a->len; i++)
			sum += a->buf[i];
	end[1] = -sum;
	aml_raw(a, end, sizeof(end));
	aml_buffer_end(a);
}

/* IO(Decode16, min, max, align, len) */
void aml_res_io16(struct aml *a, u16 min, u16 max, u8 align, u8 len)
{
	u8 d[8] = { RES_IO, 0x01 };

	put_le(d + 2, min, 2);
	put_le(d + 4, max, 2);
	d[6] = align;
	d[7] = len;
	aml_raw(a, d, sizeof(d));
}

/* IRQNoFlags(){irq}: an ISA IRQ, edge-triggered, active-high, exclusive. */
void aml_res_irq_noflags(struct aml *a, unsigned int irq)
{
	u8 d[3] = { RES_IRQ_NOFLAGS };

	if (irq > 15)
		a->invalid = true;
	put_le(d + 1, 1u << (irq & 15), 2);
	aml_raw(a, d, sizeof(d));
}

/* Memory32Fixed(ReadWrite or ReadOnly, base, size) */
void aml_res_memory32_fixed(struct aml *a, bool rw, u32 base, u32 size)
{
	u8 d[12] = { RES_MEMORY32_FIXED, 9, 0 };

	d[3] = rw;
	put_le(d + 4, base, 4);
	put_le(d + 8, size, 4);
	aml_raw(a, d, sizeof(d));
}

/*
 * Word, DWord and QWord address space descriptors share one layout: type,
 * flags, then granularity, min, max, translation and length, each width
 * bytes. Granularity and translation are always 0 here, and min and max
 * are both fixed, so length is exactly max - min + 1.
 */
static void res_addr_space(struct aml *a, unsigned int width, u8 type,
			   u8 flags, u8 type_flags, u64 base, u64 size)
{
	u8 d[46] = { 0 };
	u64 limit = width == 8 ? ~0ULL : (1ULL << (8 * width)) - 1;

	if (!size || base > limit || size - 1 > limit - base)
		a->invalid = true;
	d[0] = width == 2 ? RES_WORD_ADDR :
	       width == 4 ? RES_DWORD_ADDR : RES_QWORD_ADDR;
	put_le(d + 1, 3 + 5 * width, 2);
	d[3] = type;
	d[4] = flags | ADDR_MIN_FIXED | ADDR_MAX_FIXED;
	d[5] = type_flags;
	put_le(d + 6 + 1 * width, base, width);
	put_le(d + 6 + 2 * width, base + size - 1, width);
	put_le(d + 6 + 4 * width, size, width);
	aml_raw(a, d, 6 + 5 * width);
}

/*
 * QWordMemory(ResourceConsumer, PosDecode, MinFixed, MaxFixed,
 * NonCacheable, rw, 0, base, base + size - 1, 0, size): for windows that do
 * not fit Memory32Fixed.
 */
void aml_res_qword_memory(struct aml *a, bool rw, u64 base, u64 size)
{
	res_addr_space(a, 8, ADDR_SPACE_MEMORY, ADDR_CONSUMER,
		       rw ? ADDR_MEM_RW : 0, base, size);
}

/* WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, ...) */
void aml_res_bus_window(struct aml *a, u8 first, u8 last)
{
	if (last < first)
		a->invalid = true;
	res_addr_space(a, 2, ADDR_SPACE_BUS, 0, 0, first,
		       (u64)last - first + 1);
}

/* WordIO(ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, ...) */
void aml_res_io_window(struct aml *a, u16 base, u32 size)
{
	res_addr_space(a, 2, ADDR_SPACE_IO, 0, ADDR_IO_ENTIRE_RANGE, base,
		       size);
}

/*
 * DWordMemory, or QWordMemory when the window does not fit below 4G
 * (ResourceProducer, PosDecode, MinFixed, MaxFixed, ReadWrite):
 * non-cacheable unless prefetchable, as a PCI BAR declares itself.
 */
void aml_res_mem_window(struct aml *a, bool prefetch, u64 base, u64 size)
{
	u8 flags = ADDR_MEM_RW | (prefetch ? ADDR_MEM_PREFETCH : 0);
	bool low = size && base <= 0xffffffffULL &&
		   size - 1 <= 0xffffffffULL - base;

	res_addr_space(a, low ? 4 : 8, ADDR_SPACE_MEMORY, 0, flags, base,
		       size);
}

/* Interrupt(ResourceConsumer, ...){gsi}: the extended IRQ descriptor. */
void aml_res_interrupt(struct aml *a, unsigned int flags, u32 gsi)
{
	u8 d[9] = { RES_EXT_IRQ, 6, 0 };

	d[3] = 0x01;			/* consumer */
	if (flags & AML_IRQ_EDGE)
		d[3] |= 0x02;
	if (flags & AML_IRQ_ACTIVE_LOW)
		d[3] |= 0x04;
	if (flags & AML_IRQ_SHARED)
		d[3] |= 0x08;
	d[4] = 1;			/* interrupt table length */
	put_le(d + 5, gsi, 4);
	aml_raw(a, d, sizeof(d));
}
