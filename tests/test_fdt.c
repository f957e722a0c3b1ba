// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fdt.h"
#include "tests/fdt_read.h"
#include "tests/harness.h"

#define BIG 4096

/*
 * A root with three properties and two children; "reg" and "compatible"
 * come back in the second child and "cells" is the tail of "#size-cells",
 * so the strings block holds 51 bytes:
 * "#address-cells" "#size-cells" "compatible" "reg" "flag" "odd".
 */
static int sample(void *buf, size_t size)
{
	static const char *const compat[] = { "vendor,one", "generic" };
	static const uint32_t cells[3] = { 1, 2, 0xdeadbeef };
	struct fdt f;

	fdt_begin(&f, buf, size);
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_prop_u32(&f, "#size-cells", 2);
	fdt_prop_strings(&f, "compatible", compat, 2);
	fdt_begin_node(&f, "a@1");
	fdt_prop_u64(&f, "reg", 0x123456789abcdef0ULL);
	fdt_prop_cells(&f, "cells", cells, 3);
	fdt_prop(&f, "flag", NULL, 0);
	fdt_prop(&f, "odd", "\x01\x02\x03", 3);
	fdt_end_node(&f);
	fdt_begin_node(&f, "bb");
	fdt_prop_u32(&f, "reg", 7);
	fdt_prop_string(&f, "compatible", "x");
	fdt_end_node(&f);
	fdt_end_node(&f);
	return fdt_finish(&f);
}

TEST(header_fields)
{
	uint8_t *b = malloc(BIG);
	int len = sample(b, BIG);
	uint32_t soff, ssize;

	ASSERT_GE(len, FDT_STRUCT_OFF);
	ASSERT_EQ(fdtr_check(b, (size_t)len), 0);
	EXPECT_EQ(fdtr_hdr(b, 0), 0xd00dfeed);
	EXPECT_EQ(fdtr_hdr(b, 4), len); /* totalsize */
	soff = fdtr_hdr(b, 8);
	ssize = fdtr_hdr(b, 36);
	EXPECT_EQ(soff, 56);
	EXPECT_EQ(fdtr_hdr(b, 12), soff + ssize); /* strings follow struct */
	EXPECT_EQ(fdtr_hdr(b, 16), 40); /* off_mem_rsvmap */
	EXPECT_EQ(fdtr_hdr(b, 20), 17);
	EXPECT_EQ(fdtr_hdr(b, 24), 16);
	EXPECT_EQ(fdtr_hdr(b, 28), 0); /* boot_cpuid_phys */
	EXPECT_EQ(fdtr_hdr(b, 32), 51); /* size_dt_strings, deduplicated */
	EXPECT_EQ(soff + ssize + 51, len);
	EXPECT_EQ(ssize % 4, 0);
	/* the memory reservation map: its terminating entry alone */
	EXPECT_EQ(fdtr_cell64(b + 40, 0), 0);
	EXPECT_EQ(fdtr_cell64(b + 40, 2), 0);
	free(b);
}

TEST(exact_sizes_of_a_minimal_tree)
{
	uint8_t b[128];
	struct fdt f;

	fdt_begin(&f, b, sizeof(b));
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "a", 5);
	fdt_end_node(&f);
	/* BEGIN + "" padded (8), PROP + len + nameoff + value (16), END_NODE, END */
	ASSERT_EQ(fdt_finish(&f), 56 + 32 + 2);
	EXPECT_EQ(fdtr_hdr(b, 36), 32);
	EXPECT_EQ(fdtr_hdr(b, 32), 2);
	EXPECT_EQ(fdtr_check(b, sizeof(b)), 0);
	EXPECT_EQ(fdtr_u32(b, "/", "a", 0), 5);
}

TEST(values_read_back)
{
	uint8_t *b = malloc(BIG);
	const uint8_t *v;
	uint32_t len;

	ASSERT_GE(sample(b, BIG), 0);
	EXPECT_EQ(fdtr_u32(b, "/", "#address-cells", 0), 2);
	EXPECT_EQ(fdtr_u32(b, "/", "#size-cells", 0), 2);
	v = fdtr_prop(b, "/", "compatible", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 19);
	EXPECT_EQ(memcmp(v, "vendor,one\0generic\0", 19), 0);
	v = fdtr_prop(b, "/a@1", "reg", &len);
	ASSERT_TRUE(v);
	EXPECT_EQ(len, 8);
	EXPECT_EQ(fdtr_cell64(v, 0), 0x123456789abcdef0ULL);
	v = fdtr_prop(b, "/a@1", "cells", &len);
	ASSERT_TRUE(v);
	EXPECT_EQ(len, 12);
	EXPECT_EQ(fdtr_cell(v, 0), 1);
	EXPECT_EQ(fdtr_cell(v, 2), 0xdeadbeef);
	v = fdtr_prop(b, "/a@1", "flag", &len);
	EXPECT_TRUE(v);
	EXPECT_EQ(len, 0);
	v = fdtr_prop(b, "/a@1", "odd", &len);
	ASSERT_TRUE(v);
	EXPECT_EQ(len, 3);
	EXPECT_EQ(memcmp(v, "\x01\x02\x03", 3), 0);
	EXPECT_EQ(fdtr_u32(b, "/bb", "reg", 0), 7);
	v = fdtr_prop(b, "/bb", "compatible", &len);
	ASSERT_TRUE(v);
	EXPECT_EQ(len, 2);
	EXPECT_EQ(memcmp(v, "x", 2), 0);
	EXPECT_FALSE(fdtr_prop(b, "/bb", "flag", NULL));
	EXPECT_FALSE(fdtr_prop(b, "/a@1", "#size-cells", NULL));
	EXPECT_EQ(fdtr_children(b, "/", ""), 2);
	free(b);
}

/* How many of the NUL-terminated strings in [s, s + len) are name. */
static unsigned int count_strings(const char *s, uint32_t len, const char *name)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < len; i += (uint32_t)strlen(s + i) + 1)
		n += !strcmp(s + i, name);
	return n;
}

TEST(names_are_deduplicated_and_shared)
{
	uint8_t *b = malloc(BIG);
	const char *s;
	uint32_t slen;

	ASSERT_GE(sample(b, BIG), 0);
	s = (const char *)b + fdtr_hdr(b, 12);
	slen = fdtr_hdr(b, 32);
	EXPECT_EQ(count_strings(s, slen, "reg"), 1);
	EXPECT_EQ(count_strings(s, slen, "compatible"), 1);
	EXPECT_EQ(count_strings(s, slen, "#size-cells"), 1);
	/* "cells" is no string of its own: the tail of a "...-cells" */
	EXPECT_EQ(count_strings(s, slen, "cells"), 0);
	EXPECT_EQ(slen, 15 + 12 + 11 + 4 + 5 + 4);
	free(b);
}

/* Names and values of every length pad to 4 bytes with zeros (5.4.1). */
TEST(tokens_are_aligned_and_padding_zeroed)
{
	static const char name[] = "abcdefghij";
	uint8_t *b = malloc(BIG);
	char node[16], prop[16];
	unsigned int i, j;
	struct fdt f;
	int len;

	memset(b, 0xff, BIG); /* padding must be written, not found */
	fdt_begin(&f, b, BIG);
	fdt_begin_node(&f, "");
	for (i = 0; i < 9; i++) {
		memcpy(node, name, i + 1);
		node[i + 1] = 0;
		fdt_begin_node(&f, node);
		for (j = 0; j < 10; j++) {
			memcpy(prop, name, j + 1);
			prop[j + 1] = 0;
			fdt_prop(&f, prop, name, j);
		}
		fdt_end_node(&f);
	}
	fdt_end_node(&f);
	len = fdt_finish(&f);
	ASSERT_GE(len, 0);
	ASSERT_EQ(fdtr_check(b, (size_t)len), 0);
	for (i = 0; i < 9; i++) {
		char path[20] = "/";

		memcpy(path + 1, name, i + 1);
		path[i + 2] = 0;
		for (j = 0; j < 10; j++) {
			const uint8_t *v;
			uint32_t vlen;

			memcpy(prop, name, j + 1);
			prop[j + 1] = 0;
			v = fdtr_prop(b, path, prop, &vlen);
			ASSERT_TRUE(v);
			ASSERT_EQ(vlen, j);
			ASSERT_EQ(memcmp(v, name, j), 0);
			ASSERT_EQ(((uintptr_t)(v - b)) % 4, 0);
		}
	}
	/* "a".."abcdefghij" are one string's prefixes, not tails: ten names */
	EXPECT_EQ(fdtr_hdr(b, 32), 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11);
	free(b);
}

/*
 * Every buffer too small by any number of bytes fails with -ENOSPC and
 * leaves what follows it alone; the exact size suffices, and a larger
 * one gives the same bytes.
 */
TEST(too_small_is_enospc_and_nothing_written_past_the_end)
{
	uint8_t *ref = malloc(BIG), *b = malloc(BIG + 64);
	int n = sample(ref, BIG), size, i;

	ASSERT_GE(n, 0);
	for (size = 0; size < n; size++) {
		memset(b, 0xa5, BIG + 64);
		ASSERT_EQ(sample(b, (size_t)size), -ENOSPC);
		for (i = size; i < size + 64; i++)
			ASSERT_EQ(b[i], 0xa5);
	}
	memset(b, 0xa5, BIG + 64);
	ASSERT_EQ(sample(b, (size_t)n), n);
	EXPECT_EQ(memcmp(b, ref, (size_t)n), 0);
	for (i = n; i < n + 64; i++)
		ASSERT_EQ(b[i], 0xa5);
	ASSERT_EQ(sample(b, (size_t)n + 100), n);
	EXPECT_EQ(memcmp(b, ref, (size_t)n), 0);
	EXPECT_EQ(sample(NULL, 0), -ENOSPC);
	free(ref);
	free(b);
}

TEST(huge_values_are_enospc)
{
	uint8_t b[256];
	struct fdt f;

	fdt_begin(&f, b, sizeof(b));
	fdt_begin_node(&f, "");
	fdt_prop(&f, "x", b, SIZE_MAX);
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -ENOSPC);
	fdt_begin(&f, b, sizeof(b));
	fdt_begin_node(&f, "");
	fdt_prop_cells(&f, "x", (const uint32_t *)b, UINT_MAX);
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -ENOSPC);
}

TEST(unbalanced_and_misplaced_are_einval)
{
	uint8_t b[512];
	struct fdt f;

	fdt_begin(&f, b, sizeof(b)); /* a node left open */
	fdt_begin_node(&f, "");
	fdt_begin_node(&f, "a");
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* an end without a begin */
	fdt_begin_node(&f, "");
	fdt_end_node(&f);
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* a property outside any node */
	fdt_prop_u32(&f, "a", 1);
	fdt_begin_node(&f, "");
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* a second root */
	fdt_begin_node(&f, "");
	fdt_end_node(&f);
	fdt_begin_node(&f, "");
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* a root with a name */
	fdt_begin_node(&f, "root");
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* no root at all */
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* a property after a child */
	fdt_begin_node(&f, "");
	fdt_begin_node(&f, "a");
	fdt_end_node(&f);
	fdt_prop_u32(&f, "late", 1);
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);
}

TEST(the_first_error_sticks)
{
	uint8_t b[512], copy[512];
	struct fdt f;
	int len;

	fdt_begin(&f, b, 64); /* -ENOSPC, then an -EINVAL */
	fdt_begin_node(&f, "");
	fdt_prop(&f, "big", b, 100);
	fdt_end_node(&f);
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -ENOSPC);

	fdt_begin(&f, b, sizeof(b)); /* -EINVAL, then all well */
	fdt_end_node(&f);
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "a", 1);
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);

	fdt_begin(&f, b, sizeof(b)); /* a finished tree is left alone */
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "a", 1);
	fdt_end_node(&f);
	len = fdt_finish(&f);
	ASSERT_GE(len, 0);
	memcpy(copy, b, sizeof(b));
	fdt_prop_u32(&f, "b", 2);
	EXPECT_EQ(fdt_finish(&f), -EINVAL);
	EXPECT_EQ(memcmp(copy, b, sizeof(b)), 0);
	EXPECT_EQ(fdtr_check(b, (size_t)len), 0);
}

TEST_MAIN()
