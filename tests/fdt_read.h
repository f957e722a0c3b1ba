/* SPDX-License-Identifier: MIT */
/*
 * A tiny flattened-device-tree reader for the unit tests, written from
 * the Devicetree Specification v0.4, chapter 5, independently of
 * boot/fdt.c, to read back what the writer wrote.
 */
#ifndef PTVM_TESTS_FDT_READ_H
#define PTVM_TESTS_FDT_READ_H

#include <stddef.h>
#include <stdint.h>

/*
 * 0 if blob is a well-formed version 17 tree within size bytes: header
 * fields consistent, blocks aligned and inside totalsize, the reservation
 * map terminated, every token aligned and inside the structure block,
 * names and nameoffs NUL-terminated inside their blocks, one root,
 * balanced nodes, properties before subnodes, FDT_END last. Else a
 * negative number saying which check failed.
 */
int fdtr_check(const void *blob, size_t size);

/* Big-endian header field at byte offset off. */
uint32_t fdtr_hdr(const void *blob, unsigned int off);

/*
 * The value of property name of the node at path ("/", "/cpus/cpu@0"),
 * its length in *len (may be NULL); NULL if there is no such property.
 */
const uint8_t *fdtr_prop(const void *blob, const char *path, const char *name,
			 uint32_t *len);

/* Whether a node is at path. */
int fdtr_node(const void *blob, const char *path);

/* How many children of the node at path have names starting with prefix. */
unsigned int fdtr_children(const void *blob, const char *path,
			   const char *prefix);

/* Cell i of a property value; cells i and i + 1 as one 64-bit number. */
uint32_t fdtr_cell(const uint8_t *val, unsigned int i);
uint64_t fdtr_cell64(const uint8_t *val, unsigned int i);

/* A u32 property's value, or def when absent or not 4 bytes long. */
uint32_t fdtr_u32(const void *blob, const char *path, const char *name,
		  uint32_t def);

#endif
