/* SPDX-License-Identifier: MIT */
/*
 * Flattened device tree writer (Devicetree Specification v0.4, chapter 5).
 *
 * The structure block grows up from FDT_STRUCT_OFF and the strings block
 * grows down from the end of the buffer, so neither needs its size known
 * in advance. Until fdt_finish a property's nameoff counts back from the
 * end of the buffer; fdt_finish moves the strings down behind the
 * structure block and turns each nameoff into an offset from the start
 * of the strings block (5.5). Everything is written byte by byte, big
 * endian (5.1): the caller's buffer need not be aligned.
 */
#include <errno.h>
#include <string.h>

#include "boot/fdt.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void fdt_fail(struct fdt *f, int err)
{
	if (!f->err)
		f->err = err;
}

/*
 * n more bytes of structure block, zeroed up to the next 4-byte boundary
 * (tokens are 32-bit aligned, 5.4.2), or NULL after an error.
 */
static uint8_t *fdt_grow(struct fdt *f, size_t n)
{
	uint8_t *p;

	if (f->err)
		return NULL;
	if (n > f->strings - f->pos || align4(n) > f->strings - f->pos) {
		fdt_fail(f, -ENOSPC);
		return NULL;
	}
	p = f->buf + f->pos;
	memset(p, 0, align4(n));
	f->pos += align4(n);
	return p;
}

/*
 * The nameoff of name, counted back from the end of the buffer. Any
 * "name\0" already in the strings block serves, also the tail of a longer
 * name (5.5 only asks that nameoff lead to the name's bytes and its NUL).
 */
static uint32_t fdt_string(struct fdt *f, const char *name)
{
	size_t n = strlen(name) + 1, i;

	/* a plain scan: memmem would bring musl's two-way search, 1.3 KiB */
	for (i = f->strings; i + n <= f->size; i++)
		if (!memcmp(f->buf + i, name, n))
			return (uint32_t)(f->size - i);
	if (n > f->strings - f->pos) {
		fdt_fail(f, -ENOSPC);
		return 0;
	}
	f->strings -= n;
	memcpy(f->buf + f->strings, name, n);
	return (uint32_t)(f->size - f->strings);
}

void fdt_begin(struct fdt *f, void *buf, size_t size)
{
	*f = (struct fdt){ .buf = buf,
			   .size = size > INT32_MAX ? INT32_MAX : size };
	f->strings = f->size;
	if (f->size < FDT_STRUCT_OFF) {
		f->err = -ENOSPC;
		return;
	}
	/* The header, filled by fdt_finish, and the reservation map's end. */
	memset(buf, 0, FDT_STRUCT_OFF);
	f->pos = FDT_STRUCT_OFF;
}

void fdt_begin_node(struct fdt *f, const char *name)
{
	size_t n = strlen(name) + 1;
	uint8_t *p;

	/* One root, named "" (5.4.2 and 2.2.1). */
	if (!f->depth && (f->roots || *name))
		fdt_fail(f, -EINVAL);
	p = fdt_grow(f, 4 + n);
	if (!p)
		return;
	put32(p, FDT_BEGIN_NODE);
	memcpy(p + 4, name, n);
	f->roots = 1;
	f->depth++;
	f->after_child = 0;
}

void fdt_end_node(struct fdt *f)
{
	uint8_t *p;

	if (!f->depth)
		fdt_fail(f, -EINVAL);
	p = fdt_grow(f, 4);
	if (!p)
		return;
	put32(p, FDT_END_NODE);
	f->depth--;
	f->after_child = 1;
}

/*
 * A property's token, length and nameoff; the len bytes of value to fill
 * (already zero-padded), or NULL. A node's properties come before its
 * children (5.4.2): readers stop looking for them at the first child.
 */
static uint8_t *fdt_prop_head(struct fdt *f, const char *name, size_t len)
{
	uint32_t off;
	uint8_t *p;

	if (!f->depth || f->after_child)
		fdt_fail(f, -EINVAL);
	if (len > f->size)
		fdt_fail(f, -ENOSPC);
	if (f->err)
		return NULL;
	off = fdt_string(f, name);
	p = fdt_grow(f, 12 + len);
	if (!p)
		return NULL;
	put32(p, FDT_PROP);
	put32(p + 4, (uint32_t)len);
	put32(p + 8, off);
	return p + 12;
}

void fdt_prop(struct fdt *f, const char *name, const void *val, size_t len)
{
	uint8_t *p = fdt_prop_head(f, name, len);

	if (p && len)
		memcpy(p, val, len);
}

void fdt_prop_u32(struct fdt *f, const char *name, uint32_t v)
{
	fdt_prop_cells(f, name, &v, 1);
}

void fdt_prop_u64(struct fdt *f, const char *name, uint64_t v)
{
	uint32_t c[2] = { (uint32_t)(v >> 32), (uint32_t)v };

	fdt_prop_cells(f, name, c, 2);
}

void fdt_prop_cells(struct fdt *f, const char *name, const uint32_t *cells,
		    unsigned int n)
{
	uint8_t *p = fdt_prop_head(f, name, (size_t)n * 4);
	unsigned int i;

	for (i = 0; p && i < n; i++)
		put32(p + 4 * i, cells[i]);
}

void fdt_prop_string(struct fdt *f, const char *name, const char *s)
{
	fdt_prop(f, name, s, strlen(s) + 1);
}

void fdt_prop_strings(struct fdt *f, const char *name, const char *const *list,
		      unsigned int n)
{
	size_t len = 0, l;
	unsigned int i;
	uint8_t *p;

	for (i = 0; i < n; i++)
		len += strlen(list[i]) + 1;
	p = fdt_prop_head(f, name, len);
	for (i = 0; p && i < n; i++) {
		l = strlen(list[i]) + 1;
		memcpy(p, list[i], l);
		p += l;
	}
}

int fdt_finish(struct fdt *f)
{
	size_t slen, off, total;
	uint8_t *p, *h = f->buf;

	if (f->depth || !f->roots)
		fdt_fail(f, -EINVAL);
	p = fdt_grow(f, 4);
	if (!p)
		return f->err;
	put32(p, FDT_END);
	slen = f->size - f->strings;
	memmove(f->buf + f->pos, f->buf + f->strings, slen);
	/* Our own tokens, so the walk trusts them. */
	for (off = FDT_STRUCT_OFF; off < f->pos;) {
		p = f->buf + off;
		if (get32(p) == FDT_BEGIN_NODE) {
			off += 4 + align4(strlen((char *)p + 4) + 1);
		} else if (get32(p) == FDT_PROP) {
			put32(p + 8, (uint32_t)slen - get32(p + 8));
			off += 12 + align4(get32(p + 4));
		} else {
			off += 4;
		}
	}
	total = f->pos + slen;
	/* 5.2: the header; the reservation map (5.3) is its end entry alone. */
	put32(h, FDT_MAGIC);
	put32(h + 4, (uint32_t)total);
	put32(h + 8, FDT_STRUCT_OFF);
	put32(h + 12, (uint32_t)f->pos);
	put32(h + 16, FDT_RSVMAP_OFF);
	put32(h + 20, FDT_VERSION);
	put32(h + 24, FDT_LAST_COMP_VERSION);
	put32(h + 28, 0); /* boot_cpuid_phys: arm64 Linux reads MPIDR_EL1 */
	put32(h + 32, (uint32_t)slen);
	put32(h + 36, (uint32_t)(f->pos - FDT_STRUCT_OFF));
	/* Spent: the nameoffs are final, a second finish would redo them. */
	f->err = -EINVAL;
	return (int)total;
}
