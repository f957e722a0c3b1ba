/* SPDX-License-Identifier: MIT */
/*
 * A sequential writer of flattened device trees (Devicetree Specification
 * v0.4, chapter 5) into a caller's buffer: begin, then nodes and their
 * properties in order, then finish. Pure: no allocation, no I/O.
 *
 *   struct fdt f;
 *
 *   fdt_begin(&f, buf, size);
 *   fdt_begin_node(&f, "");               the root, named ""
 *   fdt_prop_u32(&f, "#address-cells", 2);
 *   fdt_begin_node(&f, "chosen");
 *   fdt_prop_string(&f, "bootargs", "console=ttyS0");
 *   fdt_end_node(&f);
 *   fdt_end_node(&f);
 *   len = fdt_finish(&f);                 the blob's length, or -errno
 *
 * The first error sticks: later calls do nothing and fdt_finish returns
 * it, so callers check once. -ENOSPC: the buffer is too small; -EINVAL: a
 * property outside a node, an end without a begin, a second root, or
 * nodes left open at fdt_finish. Nothing is ever written at or past
 * buf + size.
 */
#ifndef PTVM_BOOT_FDT_H
#define PTVM_BOOT_FDT_H

#include <stddef.h>
#include <stdint.h>

/* Devicetree Specification v0.4, 5.2 and 5.4.1. */
#define FDT_MAGIC 0xd00dfeed
#define FDT_VERSION 17
#define FDT_LAST_COMP_VERSION 16
#define FDT_BEGIN_NODE 0x1
#define FDT_END_NODE 0x2
#define FDT_PROP 0x3
#define FDT_NOP 0x4
#define FDT_END 0x9
#define FDT_HEADER_SIZE 40
/* The memory reservation block: the terminating entry only (5.3). */
#define FDT_RSVMAP_OFF FDT_HEADER_SIZE
#define FDT_STRUCT_OFF (FDT_RSVMAP_OFF + 16)

struct fdt {
	uint8_t *buf;
	size_t size; /* at most INT32_MAX: fdt_finish returns the length */
	size_t pos; /* end of the structure block so far */
	size_t strings; /* the strings, kept at [strings, size) until finish */
	unsigned int depth; /* nodes open */
	int roots; /* root nodes begun: exactly one is allowed */
	int after_child; /* the open node has had a child: no more properties */
	int err; /* the first error, sticky */
};

/* Writes the header's place and an empty memory reservation map. */
void fdt_begin(struct fdt *f, void *buf, size_t size);

/* A node named name (unit address included: "cpu@1"); the root is "". */
void fdt_begin_node(struct fdt *f, const char *name);
void fdt_end_node(struct fdt *f);

/* A property of len raw bytes (val may be NULL when len is 0: a flag). */
void fdt_prop(struct fdt *f, const char *name, const void *val, size_t len);
/* One big-endian cell, two cells, n cells. */
void fdt_prop_u32(struct fdt *f, const char *name, uint32_t v);
void fdt_prop_u64(struct fdt *f, const char *name, uint64_t v);
void fdt_prop_cells(struct fdt *f, const char *name, const uint32_t *cells,
		    unsigned int n);
/* A NUL-terminated string; n of them back to back (a <stringlist>). */
void fdt_prop_string(struct fdt *f, const char *name, const char *s);
void fdt_prop_strings(struct fdt *f, const char *name, const char *const *list,
		      unsigned int n);

/*
 * Ends the structure block, moves the strings block after it and fills
 * the header. The blob's length (its totalsize), or the first error.
 * f is spent afterwards (later calls fail with -EINVAL).
 */
int fdt_finish(struct fdt *f);

#endif
