/* SPDX-License-Identifier: MIT */
/*
 * A small AML encoder (ACPI 6.4, chapter 20) for the DSDT that acpi.c
 * builds: integers, names, packages, buffers, blocks that carry a
 * PkgLength (Scope, Device, Method, If) and the resource descriptors of a
 * ResourceTemplate (ACPI 6.4, 6.4 Resource Data Types). Pure.
 *
 * Everything appends to one bounded buffer. A block's PkgLength is
 * inserted when the block is closed, once its length is known, so the
 * buffer never holds more than the finished output. The first error
 * sticks: a builder emits a whole table and checks aml.err once.
 *
 *	struct aml a;
 *	size_t dev;
 *
 *	aml_init(&a, buf, size);
 *	dev = aml_block_begin(&a, AML_DEVICE);
 *	aml_namestring(&a, "\\_SB.PCI0");
 *	aml_name(&a, "_UID");
 *	aml_int(&a, 0);
 *	aml_block_end(&a, dev);
 *	if (a.err)
 *		return a.err;
 */
#ifndef PTVM_BOOT_AML_H
#define PTVM_BOOT_AML_H

#include <stddef.h>
#include <stdint.h>

/* Opcodes and prefixes (ACPI 6.4, 20.3 AML Byte Stream Byte Values). */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_METHOD 0x14
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_PREFIX 0x5b
#define AML_ROOT_CHAR 0x5c /* '\' */
#define AML_PARENT_PREFIX 0x5e /* '^' */
#define AML_ARG0 0x68 /* Arg0..Arg6 are 0x68..0x6e */
#define AML_OR 0x7d
#define AML_CREATE_DWORD_FIELD 0x8a
#define AML_LNOT 0x92
#define AML_LEQUAL 0x93
#define AML_IF 0xa0
#define AML_RETURN 0xa4
/* Two-byte opcodes (ExtOpPrefix first), for aml_op() and aml_block_begin(). */
#define AML_DEVICE 0x5b82

/* Resource data (ACPI 6.4, 6.4.3.5): address space descriptor types. */
#define AML_RES_MEM 0
#define AML_RES_IO 1
#define AML_RES_BUS 2
/* General flags bit 0: the device consumes the range (clear: a window). */
#define AML_RES_CONSUMER 0x01
/* Type-specific flags: memory read-write non-cacheable; I/O, all ranges. */
#define AML_RES_MEM_RW 0x01
#define AML_RES_IO_ENTIRE 0x03

struct aml {
	uint8_t *buf;
	size_t size; /* bytes available at buf */
	size_t len; /* bytes emitted; never more than size */
	int err; /* first error, -ENOSPC or -EINVAL; then every call does nothing */
};

void aml_init(struct aml *a, void *buf, size_t size);

/* Raw bytes; one opcode of one or two bytes (AML_DEVICE). */
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, uint8_t b);
void aml_op(struct aml *a, unsigned int op);

/*
 * An integer in the shortest form (20.2.3): ZeroOp, OneOp, or a Byte,
 * Word, DWord or QWord prefix with its value.
 */
void aml_int(struct aml *a, uint64_t v);

/*
 * A NameString (20.2.2) from a dotted path: "\\_SB.PCI0", "^PCI0", "_S5".
 * A segment shorter than four characters is padded with '_'. A path with
 * no segment ("\\") gives the NullName. -EINVAL for a segment that is
 * empty, longer than four characters, or not [A-Z_][A-Z0-9_]*.
 */
void aml_namestring(struct aml *a, const char *path);
/* Name(path, ...): NameOp and the NameString; the caller emits the object. */
void aml_name(struct aml *a, const char *path);

/*
 * The integer of ASL's EISAID("PNP0A08") (ACPI 6.4, 19.3.4 ASL Macros): three
 * letters of 5 bits each and four hex digits. -EINVAL if id is not that.
 */
void aml_eisaid(struct aml *a, const char *id);
/*
 * The 16-byte Buffer of ASL's ToUUID("33db4d5b-1ff7-401c-9657-7441c03dd766")
 * (ACPI 6.4, 19.3.4 ASL Macros): the first three groups little-endian, the
 * rest in order. -EINVAL if uuid is not in that form.
 */
void aml_uuid(struct aml *a, const char *uuid);

/*
 * Encodes the PkgLength value len (20.2.4), which counts its own bytes.
 * Returns the bytes written to out (1-4), or 0 if len >= 2^28.
 */
unsigned int aml_pkglen(uint8_t out[4], size_t len);

/*
 * A block: op (AML_SCOPE, AML_DEVICE, AML_METHOD, AML_IF, AML_PACKAGE...)
 * followed by a PkgLength that covers everything emitted until the
 * matching aml_block_end(). Returns the mark to pass to it. Blocks nest.
 */
size_t aml_block_begin(struct aml *a, unsigned int op);
void aml_block_end(struct aml *a, size_t mark);

/*
 * Package(nelem) {...}: a block whose body starts with NumElements.
 * -EINVAL if nelem > 255.
 */
size_t aml_package_begin(struct aml *a, unsigned int nelem);

/* Buffer() {...}: BufferSize is inserted at the end, from what was emitted. */
size_t aml_buffer_begin(struct aml *a);
void aml_buffer_end(struct aml *a, size_t mark);

/*
 * ResourceTemplate() {...}: a Buffer of resource descriptors. The end adds
 * the End Tag (6.4.2.9) with a checksum that makes the descriptors sum to 0.
 */
size_t aml_restemplate_begin(struct aml *a);
void aml_restemplate_end(struct aml *a, size_t mark);

/* IO(Decode16, base, base, 1, len): a fixed range of ports (6.4.2.5). */
void aml_res_io(struct aml *a, uint16_t base, uint8_t len);
/* Memory32Fixed(ReadWrite, base, len) (6.4.3.4). */
void aml_res_mem32_fixed(struct aml *a, uint32_t base, uint32_t len);
/*
 * Word (width 2), DWord (4) or QWord (8) address space descriptor
 * (6.4.3.5.1-3) for [min, max]: type AML_RES_*, general flags 0 or
 * AML_RES_CONSUMER, type-specific flags tflags; always positive decode,
 * fixed minimum and maximum, granularity and translation 0, length
 * max - min + 1. -EINVAL if max < min or either does not fit width.
 */
void aml_res_addr(struct aml *a, unsigned int width, unsigned int type,
		  unsigned int flags, unsigned int tflags, uint64_t min,
		  uint64_t max);

#endif
