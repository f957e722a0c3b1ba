// SPDX-License-Identifier: MIT
#include <string.h>

#include "tests/fdt_read.h"

/* Devicetree Specification v0.4, 5.4.1: the structure block's tokens. */
enum { T_BEGIN = 1, T_END_NODE = 2, T_PROP = 3, T_NOP = 4, T_END = 9 };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

/* The padding bytes [from, to) are zero (5.4.1: "zeroed padding"). */
static int zeroed(const uint8_t *p, uint32_t from, uint32_t to)
{
	for (; from < to; from++)
		if (p[from])
			return 0;
	return 1;
}

uint32_t fdtr_hdr(const void *blob, unsigned int off)
{
	return be32((const uint8_t *)blob + off);
}

uint32_t fdtr_cell(const uint8_t *val, unsigned int i)
{
	return be32(val + 4 * i);
}

uint64_t fdtr_cell64(const uint8_t *val, unsigned int i)
{
	return (uint64_t)fdtr_cell(val, i) << 32 | fdtr_cell(val, i + 1);
}

int fdtr_check(const void *blob, size_t size)
{
	const uint8_t *b = blob, *p;
	uint32_t total, soff, ssize, stroff, strsize, rsv, off, len, nameoff;
	unsigned int depth = 0, roots = 0, after_child = 0;
	const uint8_t *nul;

	if (size < 40 || fdtr_hdr(b, 0) != 0xd00dfeed)
		return -1;
	total = fdtr_hdr(b, 4);
	soff = fdtr_hdr(b, 8);
	stroff = fdtr_hdr(b, 12);
	rsv = fdtr_hdr(b, 16);
	strsize = fdtr_hdr(b, 32);
	ssize = fdtr_hdr(b, 36);
	if (total > size || fdtr_hdr(b, 20) != 17 || fdtr_hdr(b, 24) != 16)
		return -2;
	/* 5.1: the reservation map 8-byte, the structure block 4-byte aligned */
	if (rsv % 8 || soff % 4 || rsv < 40 || soff < 40)
		return -3;
	if (soff > total || ssize > total - soff || stroff > total ||
	    strsize > total - stroff)
		return -4;
	if (soff < stroff + strsize && stroff < soff + ssize)
		return -5; /* the blocks overlap */
	for (off = rsv;; off += 16) { /* 5.3: entries until one of zeros */
		if (off > soff || soff - off < 16)
			return -6;
		if (zeroed(b + off, 0, 16))
			break;
	}
	for (off = 0;;) {
		if (off > ssize || ssize - off < 4)
			return -7;
		p = b + soff + off;
		switch (be32(p)) {
		case T_BEGIN:
			nul = memchr(p + 4, 0, ssize - off - 4);
			if (!nul)
				return -8;
			len = (uint32_t)(nul - p) - 4 + 1; /* with its NUL */
			if (ssize - off - 4 < pad4(len) ||
			    !zeroed(p + 4, len, pad4(len)))
				return -9;
			if (!depth && (roots || len != 1))
				return -10; /* one root, named "" */
			roots++;
			depth++;
			after_child = 0;
			off += 4 + pad4(len);
			break;
		case T_END_NODE:
			if (!depth)
				return -11;
			depth--;
			after_child = 1;
			off += 4;
			break;
		case T_PROP:
			if (ssize - off < 12)
				return -12;
			len = be32(p + 4);
			nameoff = be32(p + 8);
			if (len > ssize - off - 12 ||
			    pad4(len) > ssize - off - 12 ||
			    !zeroed(p + 12, len, pad4(len)))
				return -13;
			if (nameoff >= strsize ||
			    !memchr(b + stroff + nameoff, 0, strsize - nameoff))
				return -14;
			if (!depth || after_child)
				return -15;
			off += 12 + pad4(len);
			break;
		case T_NOP:
			off += 4;
			break;
		case T_END:
			if (depth || !roots)
				return -16;
			return off + 4 == ssize ? 0 : -17;
		default:
			return -18;
		}
	}
}

struct walk {
	const char *want; /* the node's path, "" for the root */
	const char *prop, *prefix;
	const uint8_t *val;
	uint32_t len;
	int node;
	unsigned int children;
};

/* Walks a tree that passed fdtr_check, building each node's path. */
static void fdtr_walk(const uint8_t *b, struct walk *w)
{
	const uint8_t *p = b + fdtr_hdr(b, 8);
	const char *strings = (const char *)b + fdtr_hdr(b, 12), *name;
	size_t keep[64], n;
	unsigned int depth = 0;
	char cur[512] = "";

	for (;;) {
		switch (be32(p)) {
		case T_BEGIN:
			name = (const char *)p + 4;
			n = strlen(name);
			keep[depth] = strlen(cur);
			if (depth && !strcmp(cur, w->want) &&
			    !strncmp(name, w->prefix, strlen(w->prefix)))
				w->children++;
			if (depth && keep[depth] + n + 2 < sizeof(cur)) {
				strcat(cur, "/");
				strcat(cur, name);
			}
			if (++depth == 64)
				return;
			if (!strcmp(cur, w->want))
				w->node = 1;
			p += 4 + pad4((uint32_t)n + 1);
			break;
		case T_END_NODE:
			cur[keep[--depth]] = 0;
			p += 4;
			break;
		case T_PROP:
			if (w->prop && !strcmp(cur, w->want) &&
			    !strcmp(strings + be32(p + 8), w->prop)) {
				w->val = p + 12;
				w->len = be32(p + 4);
			}
			p += 12 + pad4(be32(p + 4));
			break;
		case T_NOP:
			p += 4;
			break;
		default:
			return;
		}
	}
}

static struct walk fdtr_find(const void *blob, const char *path,
			     const char *prop, const char *prefix)
{
	struct walk w = { .want = strcmp(path, "/") ? path : "",
			  .prop = prop,
			  .prefix = prefix ? prefix : "" };

	fdtr_walk(blob, &w);
	return w;
}

const uint8_t *fdtr_prop(const void *blob, const char *path, const char *name,
			 uint32_t *len)
{
	struct walk w = fdtr_find(blob, path, name, NULL);

	if (len)
		*len = w.len;
	return w.val;
}

int fdtr_node(const void *blob, const char *path)
{
	return fdtr_find(blob, path, NULL, NULL).node;
}

unsigned int fdtr_children(const void *blob, const char *path,
			   const char *prefix)
{
	return fdtr_find(blob, path, NULL, prefix).children;
}

uint32_t fdtr_u32(const void *blob, const char *path, const char *name,
		  uint32_t def)
{
	uint32_t len;
	const uint8_t *v = fdtr_prop(blob, path, name, &len);

	return v && len == 4 ? be32(v) : def;
}
