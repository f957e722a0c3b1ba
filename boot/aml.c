/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "boot/aml.h"

void aml_init(struct aml *a, void *buf, size_t size)
{
	a->buf = buf;
	a->size = buf ? size : 0;
	a->len = 0;
	a->err = 0;
}

static void aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

/*
 * Inserts n bytes at offset at, moving what follows. Appending is an
 * insert at a->len; closing a block inserts its PkgLength at the mark.
 * Nothing is written at or past a->size.
 */
static void aml_insert(struct aml *a, size_t at, const void *p, size_t n)
{
	if (a->err || !n)
		return;
	if (at > a->len || n > a->size - a->len) {
		aml_fail(a, at > a->len ? -EINVAL : -ENOSPC);
		return;
	}
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	aml_insert(a, a->len, p, n);
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_insert(a, a->len, &b, 1);
}

void aml_op(struct aml *a, unsigned int op)
{
	if (op > 0xff)
		aml_byte(a, (uint8_t)(op >> 8));
	aml_byte(a, (uint8_t)op);
}

/* ACPI 6.4, 20.2.3: ComputationalData and ConstObj. */
static unsigned int int_encode(uint8_t out[9], uint64_t v)
{
	unsigned int n, i;

	if (v <= 1) {
		out[0] = v ? AML_ONE : AML_ZERO;
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
	for (i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return n + 1;
}

void aml_int(struct aml *a, uint64_t v)
{
	uint8_t b[9];

	aml_bytes(a, b, int_encode(b, v));
}

/* ACPI 6.4, 20.2.2: NameSeg := LeadNameChar NameChar NameChar NameChar. */
static int nameseg(const char *s, size_t n, uint8_t seg[4])
{
	size_t i;

	if (n < 1 || n > 4)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		char c = i < n ? s[i] : '_';

		if (!(c == '_' || (c >= 'A' && c <= 'Z') ||
		      (i > 0 && c >= '0' && c <= '9')))
			return -EINVAL;
		seg[i] = (uint8_t)c;
	}
	return 0;
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path, *q;
	unsigned int nsegs = 0;
	uint8_t seg[4];

	if (*p == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		for (; *p == '^'; p++)
			aml_byte(a, AML_PARENT_PREFIX);
	}
	if (!*p) {
		aml_byte(a, 0x00); /* NullName */
		return;
	}
	for (q = p, nsegs = 1; *q; q++)
		nsegs += *q == '.';
	if (nsegs > 255) {
		aml_fail(a, -EINVAL);
		return;
	}
	if (nsegs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nsegs);
	}
	for (;;) {
		q = strchr(p, '.');
		if (!q)
			q = p + strlen(p);
		if (nameseg(p, (size_t)(q - p), seg)) {
			aml_fail(a, -EINVAL);
			return;
		}
		aml_bytes(a, seg, 4);
		if (!*q)
			return;
		p = q + 1;
	}
}

void aml_name(struct aml *a, const char *path)
{
	aml_byte(a, AML_NAME);
	aml_namestring(a, path);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void aml_eisaid(struct aml *a, const char *id)
{
	unsigned int i, l[3], h[4];

	if (strlen(id) != 7) {
		aml_fail(a, -EINVAL);
		return;
	}
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			aml_fail(a, -EINVAL);
			return;
		}
		l[i] = (unsigned int)(id[i] - 'A' + 1);
	}
	for (i = 0; i < 4; i++) {
		/* "N is a hexadecimal digit": upper case, as the letters. */
		if (hexval(id[3 + i]) < 0 ||
		    (id[3 + i] >= 'a' && id[3 + i] <= 'f')) {
			aml_fail(a, -EINVAL);
			return;
		}
		h[i] = (unsigned int)hexval(id[3 + i]);
	}
	/*
	 * Big-endian bit string 0LLLLLMMMMMNNNNN hhhh hhhh hhhh hhhh, stored
	 * byte by byte in that order, and read back as a little-endian DWord.
	 */
	aml_int(a, (uint64_t)((l[0] << 2 | l[1] >> 3) |
			      ((l[1] << 5 | l[2]) & 0xff) << 8 |
			      (h[0] << 4 | h[1]) << 16 |
			      (uint32_t)(h[2] << 4 | h[3]) << 24));
}

void aml_uuid(struct aml *a, const char *uuid)
{
	/* Where each byte of the text goes in the buffer. */
	static const uint8_t order[16] = { 3, 2, 1,  0,	 5,  4,	 7,  6,
					   8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t b[16];
	unsigned int i, n = 0;
	size_t m;

	if (strlen(uuid) != 36) {
		aml_fail(a, -EINVAL);
		return;
	}
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (uuid[i] != '-') {
				aml_fail(a, -EINVAL);
				return;
			}
			continue;
		}
		hi = hexval(uuid[i]);
		lo = hexval(uuid[i + 1]);
		if (hi < 0 || lo < 0) {
			aml_fail(a, -EINVAL);
			return;
		}
		b[order[n++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	m = aml_buffer_begin(a);
	aml_bytes(a, b, sizeof(b));
	aml_buffer_end(a, m);
}

/*
 * ACPI 6.4, 20.2.4: one byte holds 0-63; otherwise bits 7-6 of the lead
 * byte count the bytes that follow, its bits 3-0 are the low nibble, and
 * each following byte the next 8 bits.
 */
unsigned int aml_pkglen(uint8_t out[4], size_t len)
{
	unsigned int n, i;

	if (len <= 0x3f) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len <= 0xfff)
		n = 2;
	else if (len <= 0xfffff)
		n = 3;
	else if (len <= 0xfffffff)
		n = 4;
	else
		return 0;
	out[0] = (uint8_t)((n - 1) << 6 | (len & 0xf));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
	return n;
}

size_t aml_block_begin(struct aml *a, unsigned int op)
{
	aml_op(a, op);
	return a->len;
}

void aml_block_end(struct aml *a, size_t mark)
{
	uint8_t pl[4];
	unsigned int n;
	size_t body;

	if (a->err)
		return;
	if (mark > a->len) {
		aml_fail(a, -EINVAL);
		return;
	}
	/* The PkgLength counts itself: take the first size that holds body + size. */
	body = a->len - mark;
	for (n = 1; n <= 4; n++)
		if (aml_pkglen(pl, body + n) == n)
			break;
	if (n > 4) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_insert(a, mark, pl, n);
}

size_t aml_package_begin(struct aml *a, unsigned int nelem)
{
	size_t mark = aml_block_begin(a, AML_PACKAGE);

	/* NumElements is a byte; longer lists would need VarPackageOp. */
	if (nelem > 255)
		aml_fail(a, -EINVAL);
	aml_byte(a, (uint8_t)nelem);
	return mark;
}

size_t aml_buffer_begin(struct aml *a)
{
	return aml_block_begin(a, AML_BUFFER);
}

void aml_buffer_end(struct aml *a, size_t mark)
{
	uint8_t b[9];

	if (a->err)
		return;
	if (mark > a->len) {
		aml_fail(a, -EINVAL);
		return;
	}
	/* DefBuffer := BufferOp PkgLength BufferSize ByteList */
	aml_insert(a, mark, b, int_encode(b, a->len - mark));
	aml_block_end(a, mark);
}

size_t aml_restemplate_begin(struct aml *a)
{
	return aml_buffer_begin(a);
}

void aml_restemplate_end(struct aml *a, size_t mark)
{
	uint8_t sum = 0;
	size_t i;

	aml_byte(a, 0x79); /* End Tag, small item 0xf, length 1 */
	if (a->err)
		return;
	for (i = mark; i < a->len; i++)
		sum += a->buf[i];
	aml_byte(a, (uint8_t)-sum);
	aml_buffer_end(a, mark);
}

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void aml_res_io(struct aml *a, uint16_t base, uint8_t len)
{
	uint8_t d[8];

	d[0] = 0x47; /* small item 0x08, length 7 */
	d[1] = 0x01; /* decodes 16 address bits */
	put_le(d + 2, base, 2); /* minimum */
	put_le(d + 4, base, 2); /* maximum */
	d[6] = 1; /* alignment */
	d[7] = len;
	aml_bytes(a, d, sizeof(d));
}

void aml_res_mem32_fixed(struct aml *a, uint32_t base, uint32_t len)
{
	uint8_t d[12];

	d[0] = 0x86; /* large item 0x06 */
	put_le(d + 1, 9, 2);
	d[3] = 0x01; /* read-write */
	put_le(d + 4, base, 4);
	put_le(d + 8, len, 4);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_addr(struct aml *a, unsigned int width, unsigned int type,
		  unsigned int flags, unsigned int tflags, uint64_t min,
		  uint64_t max)
{
	uint8_t d[3 + 3 + 5 * 8];
	uint64_t lim;
	uint8_t tag;

	switch (width) {
	case 2:
		tag = 0x88;
		lim = 0xffff;
		break;
	case 4:
		tag = 0x87;
		lim = 0xffffffff;
		break;
	case 8:
		tag = 0x8a;
		lim = UINT64_MAX;
		break;
	default:
		aml_fail(a, -EINVAL);
		return;
	}
	/* A window of the whole 64-bit space would have a length of 2^64. */
	if (max < min || max > lim || (min == 0 && max == UINT64_MAX)) {
		aml_fail(a, -EINVAL);
		return;
	}
	d[0] = tag;
	put_le(d + 1, 3 + 5 * width, 2);
	d[3] = (uint8_t)type;
	/* _MAF and _MIF (bits 3, 2) set, _DEC (bit 1) clear: positive decode. */
	d[4] = (uint8_t)(0x0c | (flags & AML_RES_CONSUMER));
	d[5] = (uint8_t)tflags;
	put_le(d + 6, 0, width); /* _GRA: 0 for a fixed range */
	put_le(d + 6 + width, min, width);
	put_le(d + 6 + 2 * width, max, width);
	put_le(d + 6 + 3 * width, 0, width); /* _TRA */
	put_le(d + 6 + 4 * width, max - min + 1, width);
	aml_bytes(a, d, 6 + 5 * width);
}
