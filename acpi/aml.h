/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_AML_H
#define LKVM_AML_H

#include "../core/util.h"

/*
 * A tiny AML byte-code writer, just enough for a DSDT that describes a few
 * devices. Objects with a PkgLength are written open-ended (..._begin) and
 * closed (..._end); closing slides the body up to make room for the length,
 * since its encoded size is only known once the body is complete.
 *
 * Errors are sticky: once the buffer is full the writer keeps counting bytes
 * but stores nothing, so a pass with a NULL buffer measures the output.
 */
#define AML_MAX_DEPTH		8

struct aml {
	u8 *buf;
	size_t size;
	size_t len;			/* bytes produced, even past size */
	bool overflow;			/* len exceeded size at some point */
	bool invalid;			/* bad name, value or nesting */
	unsigned int depth;
	size_t open[AML_MAX_DEPTH];	/* where each open body starts */
};

/* Flags for aml_res_interrupt(); zero is level, active-high, exclusive. */
#define AML_IRQ_EDGE		(1u << 0)
#define AML_IRQ_ACTIVE_LOW	(1u << 1)
#define AML_IRQ_SHARED		(1u << 2)

void aml_init(struct aml *a, void *buf, size_t size);
/* 0, -ENOSPC or -EINVAL; a measuring pass (NULL buffer) sees -ENOSPC. */
int aml_status(const struct aml *a);

/* PkgLength: encodes value len (which counts its own bytes) into out. */
unsigned int aml_pkglen_encode(u8 out[4], size_t len);
/* How many PkgLength bytes a body of body_len bytes needs, 0 if too big. */
unsigned int aml_pkglen_bytes(size_t body_len);
bool aml_nameseg_valid(const char *seg);

void aml_raw(struct aml *a, const void *p, size_t n);
void aml_namestring(struct aml *a, const char *path);
void aml_integer(struct aml *a, u64 v);
void aml_string(struct aml *a, const char *s);
void aml_eisaid(struct aml *a, const char *id);

/* Name(name, <object>): the caller writes the object next. */
void aml_name(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, u64 v);
void aml_name_string(struct aml *a, const char *name, const char *s);

void aml_scope_begin(struct aml *a, const char *name);
void aml_scope_end(struct aml *a);
void aml_device_begin(struct aml *a, const char *name);
void aml_device_end(struct aml *a);
void aml_method_begin(struct aml *a, const char *name, unsigned int nargs,
		      bool serialized);
void aml_method_end(struct aml *a);
void aml_return(struct aml *a);
void aml_package_begin(struct aml *a, unsigned int nr_elems);
void aml_package_end(struct aml *a);
void aml_buffer_begin(struct aml *a);
void aml_buffer_end(struct aml *a);

/* ResourceTemplate(): a Buffer of descriptors closed by a checksummed EndTag. */
void aml_restemplate_begin(struct aml *a);
void aml_restemplate_end(struct aml *a);
void aml_res_io16(struct aml *a, u16 min, u16 max, u8 align, u8 len);
void aml_res_irq_noflags(struct aml *a, unsigned int irq);
void aml_res_memory32_fixed(struct aml *a, bool rw, u32 base, u32 size);
void aml_res_qword_memory(struct aml *a, bool rw, u64 base, u64 size);
void aml_res_interrupt(struct aml *a, unsigned int flags, u32 gsi);

/* A bridge's windows: fixed ranges it produces for the devices behind it. */
void aml_res_bus_window(struct aml *a, u8 first, u8 last);
void aml_res_io_window(struct aml *a, u16 base, u32 size);
void aml_res_mem_window(struct aml *a, bool prefetch, u64 base, u64 size);

#endif
