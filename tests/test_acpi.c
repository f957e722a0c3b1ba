/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for boot/acpi.c and boot/aml.c. The tables are read back the
 * way an OS reads them: from the RSDP through the XSDT, with offsets taken
 * from the ACPI 6.4 spec here rather than from acpi.c's structs, and the
 * DSDT is decoded by a small AML reader of its own.
 */
#include <errno.h>

#include "boot/acpi.h"
#include "boot/aml.h"
#include "arch/x86/layout.h"
#include "tests/harness.h"

#define BUF_SIZE 0x20000
#define GUARD 64

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A little-endian field of w bytes (2, 4 or 8). */
static uint64_t rdw(const uint8_t *p, unsigned int w)
{
	return w == 2 ? rd16(p) : w == 4 ? rd32(p) : rd64(p);
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

static struct acpi_config config(unsigned int ncpus, unsigned int nslots,
				 uint64_t mmio64_size)
{
	return (struct acpi_config){
		.ncpus = ncpus,
		.ecam_base = LAYOUT_ECAM_BASE,
		.mmio32_base = LAYOUT_MMIO32_BASE,
		.mmio32_size = LAYOUT_MMIO32_SIZE,
		.mmio64_base = 0x800000000ULL,
		.mmio64_size = mmio64_size,
		.pio_base = LAYOUT_PIO_PCI_BASE,
		.pio_size = LAYOUT_PIO_PCI_SIZE,
		.nslots = nslots,
	};
}

/* The tables as built at LAYOUT_ACPI, and where each one is. */
struct tables {
	uint8_t buf[BUF_SIZE];
	uint64_t gpa;
	size_t len;
	const uint8_t *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt, *mcfg;
};

/* The bytes at guest address addr, if all len of them were built. */
static const uint8_t *at(const struct tables *t, uint64_t addr, size_t len)
{
	if (addr < t->gpa || addr - t->gpa > t->len ||
	    len > t->len - (addr - t->gpa))
		return NULL;
	return t->buf + (addr - t->gpa);
}

/* A table with a standard header (ACPI 6.4, 5.2.6), checked whole. */
static const uint8_t *table(const struct tables *t, uint64_t addr,
			    const char *sig, uint8_t rev)
{
	const uint8_t *h = at(t, addr, 36);

	ASSERT_TRUE(h);
	ASSERT_EQ(memcmp(h, sig, 4), 0);
	ASSERT_TRUE(at(t, addr, rd32(h + 4)));
	EXPECT_EQ(sum8(h, rd32(h + 4)), 0);
	EXPECT_EQ(h[8], rev);
	EXPECT_EQ(memcmp(h + 10, "PTVM  ", 6), 0);
	EXPECT_EQ(memcmp(h + 16, "PTVM    ", 8), 0); /* same in every table */
	EXPECT_EQ(memcmp(h + 28, "PTVM", 4), 0);
	return h;
}

/* Builds at gpa and walks RSDP -> XSDT -> FADT (-> FACS, DSDT), MADT, MCFG. */
static void build_at(struct tables *t, const struct acpi_config *cfg,
		     uint64_t gpa)
{
	ssize_t n;
	unsigned int i, nent;

	memset(t, 0, sizeof(*t));
	t->gpa = gpa;
	n = acpi_build(t->buf, sizeof(t->buf), gpa, cfg);
	ASSERT_GE(n, 36);
	ASSERT_LE(n, sizeof(t->buf));
	t->len = (size_t)n;

	/* ACPI 6.4, 5.2.5.3 */
	t->rsdp = t->buf;
	ASSERT_EQ(memcmp(t->rsdp, "RSD PTR ", 8), 0);
	EXPECT_EQ(sum8(t->rsdp, 20), 0);
	EXPECT_EQ(sum8(t->rsdp, 36), 0);
	EXPECT_EQ(memcmp(t->rsdp + 9, "PTVM  ", 6), 0);
	EXPECT_EQ(t->rsdp[15], 2);
	EXPECT_EQ(rd32(t->rsdp + 16), 0); /* no RSDT */
	EXPECT_EQ(rd32(t->rsdp + 20), 36);

	/* ACPI 6.4, 5.2.8 */
	t->xsdt = table(t, rd64(t->rsdp + 24), "XSDT", 1);
	nent = (rd32(t->xsdt + 4) - 36) / 8;
	ASSERT_EQ(rd32(t->xsdt + 4), 36 + 8 * nent);
	ASSERT_EQ(nent, 3);
	for (i = 0; i < nent; i++) {
		uint64_t addr = rd64(t->xsdt + 36 + 8 * i);
		const uint8_t *h = at(t, addr, 4);

		ASSERT_TRUE(h);
		if (!memcmp(h, "FACP", 4)) {
			ASSERT_FALSE(t->fadt);
			t->fadt = table(t, addr, "FACP", 6);
		} else if (!memcmp(h, "APIC", 4)) {
			ASSERT_FALSE(t->madt);
			t->madt = table(t, addr, "APIC", 5);
		} else if (!memcmp(h, "MCFG", 4)) {
			ASSERT_FALSE(t->mcfg);
			t->mcfg = table(t, addr, "MCFG", 1);
		} else {
			ASSERT_TRUE(0); /* a table nobody asked for */
		}
	}
	ASSERT_TRUE(t->fadt && t->madt && t->mcfg);
	EXPECT_EQ(t->fadt, at(t, rd64(t->xsdt + 36), 4)); /* first */

	/* ACPI 6.4, 5.2.9 Table 5.9: FIRMWARE_CTRL at 36, DSDT 40, X_DSDT 140. */
	ASSERT_EQ(rd32(t->fadt + 4), 276);
	t->dsdt = table(t, rd32(t->fadt + 40), "DSDT", 2);
	EXPECT_EQ(rd64(t->fadt + 140), rd32(t->fadt + 40));
	/* 5.2.10: 64-byte aligned, no checksum, one of the two pointers. */
	ASSERT_NE(rd32(t->fadt + 36), 0);
	EXPECT_EQ(rd64(t->fadt + 132), 0);
	EXPECT_EQ(rd32(t->fadt + 36) % 64, 0);
	t->facs = at(t, rd32(t->fadt + 36), 64);
	ASSERT_TRUE(t->facs);
	EXPECT_EQ(memcmp(t->facs, "FACS", 4), 0);
	EXPECT_EQ(rd32(t->facs + 4), 64);
	EXPECT_EQ(t->facs[32], 2);
}

static void build(struct tables *t, const struct acpi_config *cfg)
{
	build_at(t, cfg, LAYOUT_ACPI);
}

/* ------------------------------------------------------------------ */
/* A small AML reader (ACPI 6.4, 20.2), independent of boot/aml.c.      */

/* PkgLength at p: its value, and in *n the bytes it takes; 0 if bad. */
static size_t pkglen_read(const uint8_t *p, const uint8_t *end, size_t *n)
{
	size_t v, i, follow;

	*n = 0;
	if (p >= end)
		return 0;
	follow = p[0] >> 6;
	if (!follow) {
		*n = 1;
		return p[0] & 0x3f;
	}
	if (p[0] & 0x30 || (size_t)(end - p) < follow + 1)
		return 0;
	v = p[0] & 0xf;
	for (i = 1; i <= follow; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	*n = follow + 1;
	return v;
}

/* An integer at p: its value, and in *n its length (0 if not an integer). */
static uint64_t int_read(const uint8_t *p, const uint8_t *end, size_t *n)
{
	static const unsigned int width[] = {
		[0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8
	};
	uint64_t v = 0;
	unsigned int i, w;

	*n = 0;
	if (p >= end)
		return 0;
	if (p[0] == 0x00 || p[0] == 0x01) {
		*n = 1;
		return p[0];
	}
	if (p[0] == 0xff) {
		*n = 1;
		return UINT64_MAX; /* Ones, in a revision 2 table */
	}
	if (p[0] > 0x0e || !width[p[0]])
		return 0;
	w = width[p[0]];
	if ((size_t)(end - p) < 1 + w)
		return 0;
	for (i = 0; i < w; i++)
		v |= (uint64_t)p[1 + i] << (8 * i);
	*n = 1 + w;
	return v;
}

/* A NameString at p as text ("\\_SB_.PCI0"); its length, 0 if bad. */
static size_t name_read(const uint8_t *p, const uint8_t *end, char *out,
			size_t outsz)
{
	const uint8_t *q = p;
	size_t o = 0, nsegs, i;

	while (q < end && (*q == '\\' || *q == '^') && o + 1 < outsz)
		out[o++] = (char)*q++;
	if (q >= end)
		return 0;
	if (*q == 0x00) {
		nsegs = 0;
		q++;
	} else if (*q == 0x2e) {
		nsegs = 2;
		q++;
	} else if (*q == 0x2f) {
		if (q + 1 >= end)
			return 0;
		nsegs = q[1];
		q += 2;
	} else {
		nsegs = 1;
	}
	for (i = 0; i < nsegs; i++) {
		if (end - q < 4 || o + 6 > outsz)
			return 0;
		if (i)
			out[o++] = '.';
		memcpy(out + o, q, 4);
		o += 4;
		q += 4;
	}
	out[o] = 0;
	return (size_t)(q - p);
}

/* Length of the data object at p (integer, Buffer, Package), 0 if bad. */
static size_t data_len(const uint8_t *p, const uint8_t *end)
{
	size_t n, pl, len;
	const uint8_t *q, *bend;
	unsigned int count, i;

	int_read(p, end, &n);
	if (n)
		return n;
	if (p >= end || (p[0] != 0x11 && p[0] != 0x12))
		return 0;
	len = pkglen_read(p + 1, end, &pl);
	if (!len || len > (size_t)(end - p - 1) || len < pl)
		return 0;
	bend = p + 1 + len;
	q = p + 1 + pl;
	if (p[0] == 0x11) { /* BufferSize, then exactly that many bytes */
		uint64_t size = int_read(q, bend, &n);

		if (!n || size != (uint64_t)(bend - q - n))
			return 0;
		return 1 + len;
	}
	if (q >= bend) /* Package: NumElements, then that many objects */
		return 0;
	count = *q++;
	for (i = 0; i < count; i++) {
		n = data_len(q, bend);
		if (!n)
			return 0;
		q += n;
	}
	return q == bend ? 1 + len : 0;
}

enum { OBJ_NAME, OBJ_DEVICE, OBJ_METHOD };

struct obj {
	char path[64];
	int kind;
	const uint8_t *p; /* Name: the data object; Method: its flags byte */
	const uint8_t *end;
};

struct aml_walk {
	struct obj o[32];
	unsigned int n;
};

static void join(char *out, size_t sz, const char *scope, const char *name)
{
	if (name[0] == '\\')
		snprintf(out, sz, "%s", name);
	else if (!strcmp(scope, "\\"))
		snprintf(out, sz, "\\%s", name);
	else
		snprintf(out, sz, "%s.%s", scope, name);
}

static int add(struct aml_walk *w, const char *path, int kind, const uint8_t *p,
	       const uint8_t *end)
{
	if (w->n == sizeof(w->o) / sizeof(w->o[0]))
		return -1;
	snprintf(w->o[w->n].path, sizeof(w->o[0].path), "%s", path);
	w->o[w->n].kind = kind;
	w->o[w->n].p = p;
	w->o[w->n].end = end;
	w->n++;
	return 0;
}

/*
 * Walks a TermList of Name, Scope, Device and Method objects. Every
 * PkgLength must end inside its parent and the list must end exactly at
 * end: one wrong PkgLength and the walk fails.
 */
static int walk(struct aml_walk *w, const char *scope, const uint8_t *p,
		const uint8_t *end)
{
	char name[64], path[64];
	size_t n, pl, len;
	const uint8_t *bend;

	while (p < end) {
		if (p[0] == 0x08) { /* NameOp NameString DataRefObject */
			n = name_read(p + 1, end, name, sizeof(name));
			if (!n)
				return -1;
			p += 1 + n;
			n = data_len(p, end);
			if (!n)
				return -1;
			join(path, sizeof(path), scope, name);
			if (add(w, path, OBJ_NAME, p, p + n))
				return -1;
			p += n;
			continue;
		}
		if (p[0] == 0x10 || p[0] == 0x14 ||
		    (p[0] == 0x5b && end - p > 1 && p[1] == 0x82)) {
			int kind = p[0] == 0x14 ? OBJ_METHOD : OBJ_DEVICE;
			const uint8_t *op = p + (p[0] == 0x5b ? 2 : 1);
			int scope_op = p[0] == 0x10;

			len = pkglen_read(op, end, &pl);
			if (!len || len < pl || len > (size_t)(end - op))
				return -1;
			bend = op + len;
			n = name_read(op + pl, bend, name, sizeof(name));
			if (!n)
				return -1;
			join(path, sizeof(path), scope, name);
			p = op + pl + n;
			if (kind == OBJ_METHOD) {
				if (p >= bend || add(w, path, kind, p, bend))
					return -1;
			} else {
				if (!scope_op && add(w, path, kind, p, bend))
					return -1;
				if (walk(w, path, p, bend))
					return -1;
			}
			p = bend;
			continue;
		}
		return -1;
	}
	return p == end ? 0 : -1;
}

static const struct obj *find(const struct aml_walk *w, const char *path)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (!strcmp(w->o[i].path, path))
			return &w->o[i];
	return NULL;
}

static void dsdt_walk(const struct tables *t, struct aml_walk *w)
{
	memset(w, 0, sizeof(*w));
	ASSERT_EQ(walk(w, "\\", t->dsdt + 36, t->dsdt + rd32(t->dsdt + 4)), 0);
}

static uint64_t name_int(const struct aml_walk *w, const char *path)
{
	const struct obj *o = find(w, path);
	uint64_t v;
	size_t n;

	ASSERT_TRUE(o);
	v = int_read(o->p, o->end, &n);
	ASSERT_EQ(n, o->end - o->p);
	return v;
}

/* Package element i of a Name's package: its start, or NULL. */
static const uint8_t *pkg_elem(const uint8_t *p, const uint8_t *end,
			       unsigned int i, unsigned int *count)
{
	size_t pl, n;
	const uint8_t *q;

	if (p[0] != 0x12 || !pkglen_read(p + 1, end, &pl))
		return NULL;
	q = p + 1 + pl;
	*count = *q++;
	for (; i; i--) {
		n = data_len(q, end);
		if (!n)
			return NULL;
		q += n;
	}
	return q;
}

/* One resource descriptor of a _CRS, decoded. */
struct res {
	uint8_t tag; /* small: 0x47 IO...; large: 0x86, 0x87, 0x88, 0x8a */
	uint8_t type, gflags, tflags;
	uint64_t gran, min, max, tra, len;
};

/* Decodes the ResourceTemplate Buffer at p; returns the count, -1 if bad. */
static int crs_read(const uint8_t *p, const uint8_t *end, struct res *r,
		    int max)
{
	size_t pl, n, len;
	const uint8_t *q, *bend, *start;
	int count = 0;
	unsigned int w;

	if (p[0] != 0x11)
		return -1;
	len = pkglen_read(p + 1, end, &pl);
	bend = p + 1 + len;
	int_read(p + 1 + pl, bend, &n);
	start = q = p + 1 + pl + n;
	if (sum8(start, (size_t)(bend - start)))
		return -1; /* the End Tag's checksum */
	while (q < bend) {
		struct res *d = &r[count];

		if (count == max)
			return -1;
		memset(d, 0, sizeof(*d));
		d->tag = q[0];
		if (q[0] == 0x79) /* End Tag: must be the last two bytes */
			return q + 2 == bend ? count : -1;
		if (!(q[0] & 0x80)) {
			len = q[0] & 7;
			if (q[0] == 0x47) { /* I/O port, 6.4.2.5 */
				d->min = rd16(q + 2);
				d->max = rd16(q + 4);
				d->gran = q[6];
				d->len = q[7];
				d->gflags = q[1];
			}
			q += 1 + len;
		} else {
			len = rd16(q + 1);
			w = q[0] == 0x88 ? 2 : q[0] == 0x87 ? 4 : 8;
			if (q[0] == 0x86) { /* Memory32Fixed, 6.4.3.4 */
				d->tflags = q[3];
				d->min = rd32(q + 4);
				d->len = rd32(q + 8);
			} else if (q[0] == 0x87 || q[0] == 0x88 ||
				   q[0] == 0x8a) {
				if (len != 3 + 5 * w)
					return -1;
				d->type = q[3];
				d->gflags = q[4];
				d->tflags = q[5];
				d->gran = rdw(q + 6, w);
				d->min = rdw(q + 6 + w, w);
				d->max = rdw(q + 6 + 2 * w, w);
				d->tra = rdw(q + 6 + 3 * w, w);
				d->len = rdw(q + 6 + 4 * w, w);
			}
			q += 3 + len;
		}
		count++;
	}
	return -1; /* no End Tag */
}

/* A fixed window [min, max]: producer, _MIF, _MAF, _LEN = max - min + 1. */
static void expect_window(const struct res *r, uint8_t tag, uint8_t type,
			  uint8_t tflags, uint64_t min, uint64_t max)
{
	EXPECT_EQ(r->tag, tag);
	EXPECT_EQ(r->type, type);
	EXPECT_EQ(r->gflags, 0x0c);
	EXPECT_EQ(r->tflags, tflags);
	EXPECT_EQ(r->gran, 0);
	EXPECT_EQ(r->min, min);
	EXPECT_EQ(r->max, max);
	EXPECT_EQ(r->tra, 0);
	EXPECT_EQ(r->len, max - min + 1);
}

/* ------------------------------------------------------------------ */
/* The AML encoder.                                                     */

static size_t emit_int(uint8_t *out, uint64_t v)
{
	struct aml a;

	aml_init(&a, out, 16);
	aml_int(&a, v);
	ASSERT_EQ(a.err, 0);
	return a.len;
}

#define EXPECT_BYTES(got, n, ...)                                \
	do {                                                     \
		static const uint8_t want_[] = { __VA_ARGS__ };  \
		EXPECT_EQ(n, sizeof(want_));                     \
		EXPECT_EQ(memcmp(got, want_, sizeof(want_)), 0); \
	} while (0)

TEST(aml_int_shortest_encoding)
{
	uint8_t b[16];
	size_t n;

	n = emit_int(b, 0);
	EXPECT_BYTES(b, n, 0x00);
	n = emit_int(b, 1);
	EXPECT_BYTES(b, n, 0x01);
	n = emit_int(b, 2);
	EXPECT_BYTES(b, n, 0x0a, 0x02);
	n = emit_int(b, 0xff);
	EXPECT_BYTES(b, n, 0x0a, 0xff);
	n = emit_int(b, 0x100);
	EXPECT_BYTES(b, n, 0x0b, 0x00, 0x01);
	n = emit_int(b, 0xffff);
	EXPECT_BYTES(b, n, 0x0b, 0xff, 0xff);
	n = emit_int(b, 0x10000);
	EXPECT_BYTES(b, n, 0x0c, 0x00, 0x00, 0x01, 0x00);
	n = emit_int(b, 0xffffffff);
	EXPECT_BYTES(b, n, 0x0c, 0xff, 0xff, 0xff, 0xff);
	n = emit_int(b, 1ULL << 32);
	EXPECT_BYTES(b, n, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
		     0x00);
	n = emit_int(b, 0x0123456789abcdefULL);
	EXPECT_BYTES(b, n, 0x0e, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23,
		     0x01);
}

TEST(aml_pkglen_boundaries)
{
	uint8_t b[4];
	size_t n;

	n = aml_pkglen(b, 0);
	EXPECT_BYTES(b, n, 0x00);
	n = aml_pkglen(b, 63);
	EXPECT_BYTES(b, n, 0x3f);
	n = aml_pkglen(b, 64);
	EXPECT_BYTES(b, n, 0x40, 0x04);
	n = aml_pkglen(b, 4095);
	EXPECT_BYTES(b, n, 0x4f, 0xff);
	n = aml_pkglen(b, 4096);
	EXPECT_BYTES(b, n, 0x80, 0x00, 0x01);
	n = aml_pkglen(b, 0xfffff);
	EXPECT_BYTES(b, n, 0x8f, 0xff, 0xff);
	n = aml_pkglen(b, 0x100000);
	EXPECT_BYTES(b, n, 0xc0, 0x00, 0x00, 0x01);
	n = aml_pkglen(b, 0xfffffff);
	EXPECT_BYTES(b, n, 0xcf, 0xff, 0xff, 0xff);
	EXPECT_EQ(aml_pkglen(b, 0x10000000), 0);
}

/*
 * A block's PkgLength counts its own bytes: a body of 62 bytes takes one
 * (63), a body of 63 takes two (65); 4093 two (4095), 4094 three (4097).
 * The body must come out intact after the PkgLength is inserted.
 */
TEST(aml_block_pkglen_counts_itself)
{
	static const struct {
		size_t body, n, value;
	} c[] = { { 0, 1, 1 },
		  { 62, 1, 63 },
		  { 63, 2, 65 },
		  { 64, 2, 66 },
		  { 4093, 2, 4095 },
		  { 4094, 3, 4097 },
		  { 0xffffc, 3, 0xfffff },
		  { 0xffffd, 4, 0x100001 } };
	static uint8_t buf[0x100010];
	unsigned int i;
	size_t j, m, pl;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct aml a;

		aml_init(&a, buf, sizeof(buf));
		m = aml_block_begin(&a, AML_SCOPE);
		for (j = 0; j < c[i].body; j++)
			aml_byte(&a, (uint8_t)(j * 7 + 3));
		aml_block_end(&a, m);
		ASSERT_EQ(a.err, 0);
		EXPECT_EQ(a.len, 1 + c[i].n + c[i].body);
		EXPECT_EQ(buf[0], AML_SCOPE);
		EXPECT_EQ(pkglen_read(buf + 1, buf + a.len, &pl), c[i].value);
		EXPECT_EQ(pl, c[i].n);
		EXPECT_EQ(1 + c[i].value, a.len); /* ends exactly at the end */
		for (j = 0; j < c[i].body; j++)
			if (buf[1 + pl + j] != (uint8_t)(j * 7 + 3))
				break;
		EXPECT_EQ(j, c[i].body);
	}
}

TEST(aml_nested_blocks_and_packages)
{
	uint8_t buf[64];
	struct aml a;
	size_t s, p, n;
	unsigned int count = 0;

	aml_init(&a, buf, sizeof(buf));
	s = aml_block_begin(&a, AML_DEVICE);
	aml_namestring(&a, "DEV");
	aml_name(&a, "PKG");
	p = aml_package_begin(&a, 2);
	aml_int(&a, 0x1234);
	aml_int(&a, 0);
	aml_block_end(&a, p);
	aml_block_end(&a, s);
	ASSERT_EQ(a.err, 0);
	EXPECT_BYTES(buf, a.len, 0x5b, 0x82, 17, 'D', 'E', 'V', '_', 0x08, 'P',
		     'K', 'G', '_', 0x12, 6, 2, 0x0b, 0x34, 0x12, 0x00);
	n = data_len(buf + 12, buf + a.len);
	EXPECT_EQ(n, 7);
	EXPECT_TRUE(pkg_elem(buf + 12, buf + a.len, 1, &count));
	EXPECT_EQ(count, 2);
}

TEST(aml_namestring_forms)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "_S5");
	EXPECT_BYTES(buf, a.len, '_', 'S', '5', '_');

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "\\_SB.PCI0");
	EXPECT_BYTES(buf, a.len, '\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I',
		     '0');

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "\\_SB.PCI0.S08");
	EXPECT_BYTES(buf, a.len, '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C',
		     'I', '0', 'S', '0', '8', '_');

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "^^AB");
	EXPECT_BYTES(buf, a.len, '^', '^', 'A', 'B', '_', '_');

	aml_init(&a, buf, sizeof(buf));
	aml_namestring(&a, "\\");
	EXPECT_BYTES(buf, a.len, '\\', 0x00);
	EXPECT_EQ(a.err, 0);

	static const char *const bad[] = { "1ABC", "ABCDE",  "A..B",
					   "a",	   "\\_SB.", "AB-C" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, buf, sizeof(buf));
		aml_namestring(&a, bad[i]);
		EXPECT_EQ(a.err, -EINVAL);
	}
}

TEST(aml_eisaid_and_uuid)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "PNP0A03");
	EXPECT_BYTES(buf, a.len, 0x0c, 0x41, 0xd0, 0x0a, 0x03);
	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "PNP0C02");
	EXPECT_BYTES(buf, a.len, 0x0c, 0x41, 0xd0, 0x0c, 0x02);
	aml_init(&a, buf, sizeof(buf));
	aml_eisaid(&a, "PNP0a03");
	EXPECT_EQ(a.err, -EINVAL);

	/* The PCI host bridge _OSC UUID as iasl's ToUUID() lays it out. */
	aml_init(&a, buf, sizeof(buf));
	aml_uuid(&a, "33db4d5b-1ff7-401c-9657-7441c03dd766");
	EXPECT_BYTES(buf, a.len, 0x11, 0x13, 0x0a, 0x10, 0x5b, 0x4d, 0xdb, 0x33,
		     0xf7, 0x1f, 0x1c, 0x40, 0x96, 0x57, 0x74, 0x41, 0xc0, 0x3d,
		     0xd7, 0x66);
	aml_init(&a, buf, sizeof(buf));
	aml_uuid(&a, "33db4d5b-1ff7-401c-9657+7441c03dd766");
	EXPECT_EQ(a.err, -EINVAL);
}

TEST(aml_resource_template_checksum)
{
	uint8_t buf[128];
	struct res r[4];
	struct aml a;
	size_t m;

	aml_init(&a, buf, sizeof(buf));
	m = aml_restemplate_begin(&a);
	aml_res_io(&a, 0xcf8, 8);
	aml_res_addr(&a, 8, AML_RES_MEM, 0, AML_RES_MEM_RW, 1ULL << 36,
		     (1ULL << 37) - 1);
	aml_restemplate_end(&a, m);
	ASSERT_EQ(a.err, 0);
	EXPECT_EQ(data_len(buf, buf + a.len), a.len);
	ASSERT_EQ(crs_read(buf, buf + a.len, r, 4), 2);
	EXPECT_EQ(r[0].tag, 0x47);
	EXPECT_EQ(r[0].min, 0xcf8);
	EXPECT_EQ(r[0].max, 0xcf8);
	EXPECT_EQ(r[0].len, 8);
	expect_window(&r[1], 0x8a, AML_RES_MEM, 0x01, 1ULL << 36,
		      (1ULL << 37) - 1);
	EXPECT_EQ(buf[a.len - 2], 0x79);
	EXPECT_NE(buf[a.len - 1], 0); /* a real checksum, not "none" */

	aml_init(&a, buf, sizeof(buf));
	aml_res_addr(&a, 2, AML_RES_IO, 0, 0, 0, 0x10000);
	EXPECT_EQ(a.err, -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	aml_res_addr(&a, 4, AML_RES_MEM, 0, 0, 2, 1);
	EXPECT_EQ(a.err, -EINVAL);
}

TEST(aml_overflow_sticks_and_stays_in_bounds)
{
	uint8_t buf[8 + GUARD];
	struct aml a;
	size_t m;
	unsigned int i;

	memset(buf, 0xa5, sizeof(buf));
	aml_init(&a, buf, 8);
	m = aml_block_begin(&a, AML_SCOPE);
	for (i = 0; i < 7; i++)
		aml_byte(&a, 0x11);
	aml_block_end(&a, m); /* the PkgLength is the ninth byte */
	EXPECT_EQ(a.err, -ENOSPC);
	EXPECT_LE(a.len, 8);
	aml_int(&a, 0); /* and later calls do nothing */
	EXPECT_EQ(a.err, -ENOSPC);
	for (i = 8; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], 0xa5);
}

/* ------------------------------------------------------------------ */
/* The tables.                                                          */

TEST(intx_gsi_swizzle)
{
	static const unsigned int want[8][4] = {
		{ 16, 17, 18, 19 }, { 17, 18, 19, 20 }, { 18, 19, 20, 21 },
		{ 19, 20, 21, 22 }, { 20, 21, 22, 23 }, { 21, 22, 23, 16 },
		{ 22, 23, 16, 17 }, { 23, 16, 17, 18 },
	};
	unsigned int slot, pin;

	for (slot = 1; slot <= 8; slot++)
		for (pin = 1; pin <= 4; pin++)
			EXPECT_EQ(acpi_intx_gsi(slot, pin),
				  want[slot - 1][pin - 1]);
	EXPECT_EQ(acpi_intx_gsi(9, 1), 16);
	EXPECT_EQ(acpi_intx_gsi(31, 4), 16 + (33 & 7));
}

TEST(rsdp_xsdt_walk)
{
	struct acpi_config cfg = config(2, 4, LAYOUT_MMIO64_SIZE);
	static struct tables t;

	build(&t, &cfg);
	EXPECT_EQ((uintptr_t)(t.rsdp - t.buf), 0);
	/* Every table lies inside what acpi_build() said it used. */
	EXPECT_LE(t.dsdt + rd32(t.dsdt + 4), t.buf + t.len);
	EXPECT_LE(t.mcfg + rd32(t.mcfg + 4), t.buf + t.len);
}

/* The FACS must be 64-byte aligned in the guest, wherever the buffer goes. */
TEST(facs_aligned_at_any_gpa)
{
	struct acpi_config cfg = config(2, 2, LAYOUT_MMIO64_SIZE);
	static struct tables t;
	uint64_t off;

	for (off = 0; off < 64; off += 16) {
		build_at(&t, &cfg, LAYOUT_ACPI + off);
		EXPECT_EQ(rd32(t.fadt + 36) % 64, 0);
		EXPECT_EQ(rd64(t.rsdp + 24) % 16, 0); /* and the rest 16 */
		EXPECT_EQ(rd32(t.fadt + 40) % 16, 0);
	}
}

TEST(fadt_fields)
{
	struct acpi_config cfg = config(1, 1, LAYOUT_MMIO64_SIZE);
	static struct tables t;
	const uint8_t *f;
	uint16_t boot;
	uint32_t flags;

	build(&t, &cfg);
	f = t.fadt;
	EXPECT_EQ(rd16(f + 46), LAYOUT_ACPI_SCI_IRQ);
	EXPECT_EQ(rd32(f + 48), 0); /* SMI_CMD: ACPI mode already */
	EXPECT_EQ(rd32(f + 56), LAYOUT_PIO_ACPI_PM1_EVT);
	EXPECT_EQ(rd32(f + 60), 0); /* no PM1b */
	EXPECT_EQ(rd32(f + 64), LAYOUT_PIO_ACPI_PM1_CNT);
	EXPECT_EQ(rd32(f + 68), 0);
	EXPECT_EQ(rd32(f + 72), 0); /* PM2 */
	EXPECT_EQ(rd32(f + 76), 0); /* PM timer */
	EXPECT_EQ(rd32(f + 80), 0); /* GPE0 */
	EXPECT_EQ(rd32(f + 84), 0); /* GPE1 */
	EXPECT_EQ(f[88], 4);
	EXPECT_EQ(f[89], 2);
	EXPECT_EQ(f[90], 0);
	EXPECT_EQ(f[91], 0);
	EXPECT_EQ(f[92], 0);
	EXPECT_EQ(f[93], 0);
	EXPECT_GE(rd16(f + 96), 101); /* no C2 */
	EXPECT_GE(rd16(f + 98), 1001); /* no C3 */

	boot = rd16(f + 109);
	EXPECT_FALSE(boot & (1 << 1)); /* no 8042 */
	EXPECT_TRUE(boot & (1 << 2)); /* no VGA */
	EXPECT_FALSE(boot & (1 << 3)); /* MSI allowed */
	EXPECT_FALSE(boot & (1 << 4)); /* ASPM not forbidden */
	EXPECT_TRUE(boot & (1 << 5)); /* no CMOS RTC */

	flags = rd32(f + 112);
	EXPECT_TRUE(flags & (1 << 0)); /* WBINVD */
	/* the power button is a fixed feature: ptvm presses it on SIGTERM */
	EXPECT_FALSE(flags & (1 << 4));
	EXPECT_TRUE(flags & (1 << 5)); /* no fixed sleep button */
	EXPECT_TRUE(flags & (1 << 10)); /* RESET_REG_SUP */
	EXPECT_FALSE(flags & (1 << 8)); /* TMR_VAL_EXT: there is no timer */
	EXPECT_FALSE(flags & (1 << 20)); /* not hardware-reduced */

	/* RESET_REG: SystemIO, 8 bits, byte access, 0xcf9; value 6. */
	EXPECT_EQ(f[116], 1);
	EXPECT_EQ(f[117], 8);
	EXPECT_EQ(f[118], 0);
	EXPECT_EQ(f[119], 1);
	EXPECT_EQ(rd64(f + 120), 0xcf9);
	EXPECT_EQ(f[128], 6);

	/* X_PM1a_EVT_BLK (148) and X_PM1a_CNT_BLK (172) match the 32-bit ones. */
	EXPECT_EQ(f[148], 1);
	EXPECT_EQ(f[149], 32);
	EXPECT_EQ(f[150], 0);
	EXPECT_EQ(rd64(f + 152), LAYOUT_PIO_ACPI_PM1_EVT);
	EXPECT_EQ(f[172], 1);
	EXPECT_EQ(f[173], 16);
	EXPECT_EQ(f[174], 0);
	EXPECT_EQ(rd64(f + 176), LAYOUT_PIO_ACPI_PM1_CNT);
	/* X_PM1b_EVT, X_PM1b_CNT, X_PM2, X_PM_TMR, X_GPE0, X_GPE1, sleep: empty. */
	EXPECT_EQ(rd64(f + 160 + 4), 0);
	EXPECT_EQ(rd64(f + 184 + 4), 0);
	EXPECT_EQ(rd64(f + 196 + 4), 0);
	EXPECT_EQ(rd64(f + 208 + 4), 0);
	EXPECT_EQ(rd64(f + 220 + 4), 0);
	EXPECT_EQ(rd64(f + 232 + 4), 0);
	EXPECT_EQ(rd64(f + 244 + 4), 0);
	EXPECT_EQ(rd64(f + 256 + 4), 0);
}

static void check_madt(unsigned int ncpus)
{
	struct acpi_config cfg = config(ncpus, 2, LAYOUT_MMIO64_SIZE);
	static struct tables t;
	const uint8_t *m, *e, *end;
	unsigned int n = 0, nlapic = 0, nioapic = 0, niso = 0, nnmi = 0;
	int iso0 = 0, iso9 = 0;

	build(&t, &cfg);
	m = t.madt;
	EXPECT_EQ(rd32(m + 36), LAYOUT_LAPIC);
	EXPECT_EQ(rd32(m + 40), 1); /* PCAT_COMPAT */
	end = m + rd32(m + 4);
	for (e = m + 44; e < end; e += e[1]) {
		ASSERT_GE(e[1], 2);
		ASSERT_LE(e + e[1], end);
		n++;
		switch (e[0]) {
		case 0: /* 5.2.12.2 */
			ASSERT_EQ(e[1], 8);
			EXPECT_EQ(e[2], nlapic); /* UID */
			EXPECT_EQ(e[3], nlapic); /* APIC ID */
			EXPECT_EQ(rd32(e + 4), 1); /* enabled */
			nlapic++;
			break;
		case 1: /* 5.2.12.3 */
			ASSERT_EQ(e[1], 12);
			EXPECT_EQ(e[2], ncpus);
			EXPECT_EQ(rd32(e + 4), LAYOUT_IOAPIC);
			EXPECT_EQ(rd32(e + 8), 0);
			nioapic++;
			break;
		case 2: /* 5.2.12.5 */
			ASSERT_EQ(e[1], 10);
			EXPECT_EQ(e[2], 0); /* ISA */
			if (e[3] == 0) {
				EXPECT_EQ(rd32(e + 4), 2);
				EXPECT_EQ(rd16(e + 8), 0);
				iso0++;
			} else if (e[3] == 9) {
				EXPECT_EQ(rd32(e + 4), 9);
				EXPECT_EQ(rd16(e + 8), 0x0d); /* level, high */
				iso9++;
			} else {
				EXPECT_TRUE(0);
			}
			niso++;
			break;
		case 4: /* 5.2.12.7 */
			ASSERT_EQ(e[1], 6);
			EXPECT_EQ(e[2], 0xff);
			EXPECT_EQ(e[5], 1); /* LINT1 */
			nnmi++;
			break;
		default:
			EXPECT_TRUE(0);
		}
	}
	EXPECT_EQ(e, end);
	EXPECT_EQ(nlapic, ncpus);
	EXPECT_EQ(nioapic, 1);
	EXPECT_EQ(niso, 2);
	EXPECT_EQ(iso0, 1);
	EXPECT_EQ(iso9, 1);
	EXPECT_EQ(nnmi, 1);
	EXPECT_EQ(n, ncpus + 1 + 2 + 1);
	EXPECT_EQ(rd32(m + 4), 44 + 8 * ncpus + 12 + 2 * 10 + 6);
}

TEST(madt_one_cpu)
{
	check_madt(1);
}

TEST(madt_eight_cpus)
{
	check_madt(8);
}

TEST(madt_max_cpus)
{
	check_madt(ACPI_MAX_CPUS);
}

TEST(mcfg_one_bus)
{
	struct acpi_config cfg = config(1, 1, LAYOUT_MMIO64_SIZE);
	static struct tables t;

	build(&t, &cfg);
	ASSERT_EQ(rd32(t.mcfg + 4), 36 + 8 + 16);
	EXPECT_EQ(rd64(t.mcfg + 44), LAYOUT_ECAM_BASE);
	EXPECT_EQ(rd16(t.mcfg + 52), 0); /* segment */
	EXPECT_EQ(t.mcfg[54], 0); /* start bus */
	EXPECT_EQ(t.mcfg[55], 0); /* end bus */
}

TEST(dsdt_s5)
{
	struct acpi_config cfg = config(1, 0, 0);
	static struct tables t;
	struct aml_walk w;
	const struct obj *s5;
	const uint8_t *e;
	unsigned int count = 0;
	size_t n;

	build(&t, &cfg);
	dsdt_walk(&t, &w);
	s5 = find(&w, "\\_S5_");
	ASSERT_TRUE(s5);
	e = pkg_elem(s5->p, s5->end, 0, &count);
	ASSERT_TRUE(e);
	EXPECT_GE(count, 2);
	EXPECT_EQ(int_read(e, s5->end, &n), LAYOUT_ACPI_SLP_TYP_S5);
	EXPECT_NE(n, 0);
}

static void check_dsdt(unsigned int nslots, uint64_t mmio64_size)
{
	struct acpi_config cfg = config(2, nslots, mmio64_size);
	static struct tables t;
	struct aml_walk w;
	const struct obj *o;
	struct res r[8];
	int nres, i;
	unsigned int count, slot, pin;
	size_t pl;

	build(&t, &cfg);
	dsdt_walk(&t, &w);

	o = find(&w, "\\_SB_.PCI0");
	ASSERT_TRUE(o);
	EXPECT_EQ(o->kind, OBJ_DEVICE);
	EXPECT_EQ(name_int(&w, "\\_SB_.PCI0._HID"), 0x080ad041); /* PNP0A08 */
	EXPECT_EQ(name_int(&w, "\\_SB_.PCI0._CID"), 0x030ad041); /* PNP0A03 */
	EXPECT_EQ(name_int(&w, "\\_SB_.PCI0._SEG"), 0);
	EXPECT_EQ(name_int(&w, "\\_SB_.PCI0._BBN"), 0);
	EXPECT_EQ(name_int(&w, "\\_SB_.PCI0._UID"), 0);

	o = find(&w, "\\_SB_.PCI0._CRS");
	ASSERT_TRUE(o);
	nres = crs_read(o->p, o->end, r, 8);
	ASSERT_EQ(nres, 5 + (mmio64_size != 0));
	expect_window(&r[0], 0x88, AML_RES_BUS, 0, 0, 0);
	EXPECT_EQ(r[1].tag, 0x47); /* IO(Decode16, 0xcf8, 0xcf8, 1, 8) */
	EXPECT_EQ(r[1].gflags, 1);
	EXPECT_EQ(r[1].min, 0xcf8);
	EXPECT_EQ(r[1].max, 0xcf8);
	EXPECT_EQ(r[1].gran, 1);
	EXPECT_EQ(r[1].len, 8);
	expect_window(&r[2], 0x88, AML_RES_IO, 3, 0, 0xcf7);
	expect_window(&r[3], 0x88, AML_RES_IO, 3, LAYOUT_PIO_PCI_BASE,
		      LAYOUT_PIO_PCI_BASE + LAYOUT_PIO_PCI_SIZE - 1);
	expect_window(&r[4], 0x87, AML_RES_MEM, 1, LAYOUT_MMIO32_BASE,
		      LAYOUT_MMIO32_BASE + LAYOUT_MMIO32_SIZE - 1);
	if (mmio64_size)
		expect_window(&r[5], 0x8a, AML_RES_MEM, 1, cfg.mmio64_base,
			      cfg.mmio64_base + mmio64_size - 1);
	if (!mmio64_size)
		for (i = 0; i < nres; i++)
			EXPECT_NE(r[i].tag, 0x8a); /* no QWord window */

	o = find(&w, "\\_SB_.PCI0._PRT");
	if (!nslots) {
		EXPECT_FALSE(o);
	} else {
		ASSERT_TRUE(o);
		ASSERT_TRUE(pkg_elem(o->p, o->end, 0, &count));
		ASSERT_EQ(count, 4 * nslots);
		/* The shortest PkgLength: 1 byte up to 63, else 2 here. */
		pkglen_read(o->p + 1, o->end, &pl);
		EXPECT_EQ(pl, o->end - o->p - 1 <= 63 ? 1 : 2);
		for (slot = 1; slot <= nslots; slot++) {
			for (pin = 0; pin < 4; pin++) {
				const uint8_t *e, *f;
				unsigned int n4 = 0;
				size_t n;

				e = pkg_elem(o->p, o->end, (slot - 1) * 4 + pin,
					     &count);
				ASSERT_TRUE(e);
				f = pkg_elem(e, o->end, 0, &n4);
				ASSERT_EQ(n4, 4);
				EXPECT_EQ(int_read(f, o->end, &n),
					  (uint64_t)slot << 16 | 0xffff);
				f += n;
				EXPECT_EQ(int_read(f, o->end, &n), pin);
				f += n;
				EXPECT_EQ(int_read(f, o->end, &n), 0);
				f += n;
				EXPECT_EQ(int_read(f, o->end, &n),
					  acpi_intx_gsi(slot, pin + 1));
				EXPECT_NE(n, 0);
			}
		}
	}

	o = find(&w, "\\_SB_.PCI0._OSC");
	ASSERT_TRUE(o);
	EXPECT_EQ(o->kind, OBJ_METHOD);
	EXPECT_EQ(o->p[0] & 7, 4); /* four arguments */
	{
		static const uint8_t uuid[16] = { 0x5b, 0x4d, 0xdb, 0x33,
						  0xf7, 0x1f, 0x1c, 0x40,
						  0x96, 0x57, 0x74, 0x41,
						  0xc0, 0x3d, 0xd7, 0x66 };
		const uint8_t *p;
		int found = 0;

		for (p = o->p; p + 16 <= o->end; p++)
			found |= !memcmp(p, uuid, 16);
		EXPECT_TRUE(found);
	}

	/* The ECAM range, reserved as a motherboard resource. */
	EXPECT_EQ(name_int(&w, "\\_SB_.MRES._HID"), 0x020cd041); /* PNP0C02 */
	o = find(&w, "\\_SB_.MRES._CRS");
	ASSERT_TRUE(o);
	ASSERT_EQ(crs_read(o->p, o->end, r, 8), 1);
	EXPECT_EQ(r[0].tag, 0x86);
	EXPECT_EQ(r[0].min, LAYOUT_ECAM_BASE);
	EXPECT_EQ(r[0].len, LAYOUT_ECAM_SIZE);
}

/*
 * One bus, described the same way everywhere: the MCFG's bus range sizes
 * the ECAM window (1 MiB a bus) that the host bridge decodes, the root
 * bridge's _BBN and bus range match it, and \_SB.MRES reserves exactly
 * that window. Linux probes every bus up to the MCFG's end bus.
 */
TEST(one_bus_everywhere)
{
	struct acpi_config cfg = config(2, 3, LAYOUT_MMIO64_SIZE);
	static struct tables t;
	struct aml_walk w;
	const struct obj *o;
	struct res r[8];
	unsigned int start, end;
	uint64_t size;

	build(&t, &cfg);
	start = t.mcfg[54];
	end = t.mcfg[55];
	ASSERT_GE(end, start);
	size = (uint64_t)(end - start + 1) << 20;
	EXPECT_EQ(start, 0);
	EXPECT_EQ(end, LAYOUT_PCI_BUSES - 1);
	EXPECT_EQ(end, 0);
	EXPECT_EQ(rd64(t.mcfg + 44), LAYOUT_ECAM_BASE);
	EXPECT_EQ(size, LAYOUT_ECAM_SIZE);

	dsdt_walk(&t, &w);
	EXPECT_EQ(name_int(&w, "\\_SB_.PCI0._BBN"), start);
	o = find(&w, "\\_SB_.PCI0._CRS");
	ASSERT_TRUE(o);
	ASSERT_GE(crs_read(o->p, o->end, r, 8), 1);
	expect_window(&r[0], 0x88, AML_RES_BUS, 0, start, end);

	o = find(&w, "\\_SB_.MRES._CRS");
	ASSERT_TRUE(o);
	ASSERT_EQ(crs_read(o->p, o->end, r, 8), 1);
	EXPECT_EQ(r[0].tag, 0x86); /* Memory32Fixed, read-write */
	EXPECT_EQ(r[0].tflags, 1);
	EXPECT_EQ(r[0].min, rd64(t.mcfg + 44));
	EXPECT_EQ(r[0].len, size);
}

TEST(dsdt_no_slots)
{
	check_dsdt(0, LAYOUT_MMIO64_SIZE);
}

TEST(dsdt_eight_slots)
{
	check_dsdt(8, LAYOUT_MMIO64_SIZE);
}

TEST(dsdt_all_slots)
{
	check_dsdt(ACPI_MAX_SLOTS, LAYOUT_MMIO64_SIZE);
}

TEST(dsdt_no_mmio64_window)
{
	check_dsdt(8, 0);
}

TEST(enospc_never_writes_past_size)
{
	struct acpi_config cfg = config(8, 8, LAYOUT_MMIO64_SIZE);
	static uint8_t ref[BUF_SIZE], buf[BUF_SIZE + GUARD];
	ssize_t need, r;
	size_t size, i;
	unsigned int bad_ret = 0, bad_guard = 0;

	need = acpi_build(ref, sizeof(ref), LAYOUT_ACPI, &cfg);
	ASSERT_GE(need, 36);
	EXPECT_EQ(acpi_build(NULL, 0, LAYOUT_ACPI, &cfg), -ENOSPC);
	for (size = 0; size <= (size_t)need; size++) {
		memset(buf, 0xa5, sizeof(buf));
		r = acpi_build(buf, size, LAYOUT_ACPI, &cfg);
		if (r != (size < (size_t)need ? -ENOSPC : need))
			bad_ret++;
		for (i = size; i < size + GUARD; i++)
			bad_guard += buf[i] != 0xa5;
	}
	EXPECT_EQ(bad_ret, 0);
	EXPECT_EQ(bad_guard, 0);
	/* Built in a buffer of exactly the size needed: the same bytes. */
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(acpi_build(buf, (size_t)need, LAYOUT_ACPI, &cfg), need);
	EXPECT_EQ(memcmp(buf, ref, (size_t)need), 0);
}

TEST(bad_configs_are_einval)
{
	static uint8_t buf[BUF_SIZE];
	struct acpi_config c;

	c = config(0, 1, 0);
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(ACPI_MAX_CPUS + 1, 1, 0);
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(1, ACPI_MAX_SLOTS + 1, 0);
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(1, 1, 0);
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI + 8, &c), -EINVAL);
	EXPECT_EQ(acpi_build(buf, sizeof(buf), 0xffffff00, &c), -EINVAL);
	c.ecam_base = LAYOUT_ECAM_BASE + 0x1000;
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(1, 1, 0);
	c.mmio32_base = 0xf0000000;
	c.mmio32_size = 0x20000000;
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(1, 1, 0);
	c.pio_base = 0xc00;
	c.pio_size = 0x100;
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(1, 1, 0);
	c.pio_base = 0xf000;
	c.pio_size = 0x2000;
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	c = config(1, 1, 1ULL << 40);
	c.mmio64_base = UINT64_MAX - (1ULL << 39);
	EXPECT_EQ(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), -EINVAL);
	/* And the edges that are fine: I/O window up to 0xffff, no windows. */
	c = config(1, 1, 0);
	c.pio_base = 0xd00;
	c.pio_size = 0xf300;
	EXPECT_GE(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), 36);
	c.pio_size = 0;
	c.mmio32_size = 0;
	EXPECT_GE(acpi_build(buf, sizeof(buf), LAYOUT_ACPI, &c), 36);
}

TEST(tables_follow_gpa)
{
	struct acpi_config cfg = config(4, 4, LAYOUT_MMIO64_SIZE);
	static uint8_t a[BUF_SIZE], b[BUF_SIZE];
	ssize_t na, nb;

	/* Same config and gpa, same bytes; another gpa moves every pointer. */
	na = acpi_build(a, sizeof(a), LAYOUT_ACPI, &cfg);
	nb = acpi_build(b, sizeof(b), LAYOUT_ACPI, &cfg);
	ASSERT_EQ(na, nb);
	EXPECT_EQ(memcmp(a, b, (size_t)na), 0);
	nb = acpi_build(b, sizeof(b), LAYOUT_ACPI + 0x40, &cfg);
	ASSERT_EQ(na, nb);
	EXPECT_EQ(rd64(b + 24), rd64(a + 24) + 0x40); /* RSDP -> XSDT */
	EXPECT_EQ(sum8(b, 36), 0);
}

TEST_MAIN()
