// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <errno.h>
/*
 * fmt.c against the C library's own printf, conversion by conversion: the
 * messages and --stats output must read as they did before fmt.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "fmt.h"
#include "tests/harness.h"

static void same(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* fmt_vsnprintf and vsnprintf agree on text and length, whole and cut. */
static void same(const char *f, ...)
{
	char got[256], want[256], got4[4], want4[4];
	va_list ap;
	int g, w;

	va_start(ap, f);
	g = fmt_vsnprintf(got, sizeof(got), f, ap);
	va_end(ap);
	va_start(ap, f);
	w = vsnprintf(want, sizeof(want), f, ap);
	va_end(ap);
	ASSERT_STREQ(got, want);
	EXPECT_EQ(g, w);
	va_start(ap, f);
	fmt_vsnprintf(got4, sizeof(got4), f, ap);
	va_end(ap);
	va_start(ap, f);
	vsnprintf(want4, sizeof(want4), f, ap);
	va_end(ap);
	ASSERT_STREQ(got4, want4);
}

TEST(strings_and_chars)
{
	same("plain text");
	same("%s", "x");
	same("%s", "");
	same("a %s b %s c", "one", "two");
	same("[%-14s]", "left");
	same("[%14s]", "right");
	same("[%-3s]", "longer than the width");
	same("[%.3s]", "precision");
	same("[%*s|%-*s]", 6, "ab", 6, "cd");
	same("[%.*s]", 2, "abcdef");
	same("[%c%c%5c]", 'x', 'y', 'z');
	same("100%%");
}

TEST(signed)
{
	same("%d %d %d", 0, -1, 42);
	same("%d %d", INT_MAX, INT_MIN);
	same("%i", -12345);
	same("%ld %ld", LONG_MAX, LONG_MIN);
	same("%lld %lld", LLONG_MAX, LLONG_MIN);
	same("[%5d|%-5d|%05d|%05d]", 42, 42, 42, -42);
	same("[%.3d|%8.3d|%.0d]", 7, -7, 0);
	same("%hd %hhd", (short)-300, (signed char)-100);
	same("%zd %td", (ssize_t)-5, (ptrdiff_t)77);
}

TEST(unsigned_and_hex)
{
	same("%u %u", 0u, UINT_MAX);
	same("%lu %llu", ULONG_MAX, ULLONG_MAX);
	same("%zu", (size_t)123456789);
	same("%x %X %x", 0xdeadbeefu, 0xdeadbeefu, 0u);
	same("%02x:%02x.%x", 0u, 0x1fu, 7u);
	same("%04x:%04x", 0x8086u, 0xau);
	same("%016llx %llx", 0xfee00000ull, 0ull);
	same("%016llx", ULLONG_MAX);
	same("%hx %hhx %hu", (unsigned short)0xbeef, (unsigned char)0x7f,
	     (unsigned short)65535);
	same("%jx %ju", (uintmax_t)0xabc, (uintmax_t)99);
}

/* What ptvm prints, shaped as it prints it. */
TEST(ptvm_lines)
{
	same("ptvm: %s: %s (%s)", "0000:01:00.0", "group 7 not viable",
	     "unbind 0000:01:00.1");
	same("ptvm: stats: %s: traps: config %llu, bar0 %llu", "0000:00:03.0",
	     12345ull, 0ull);
	same("{\"bdf\":\"%s\",\"route_changes\":%llu,", "0000:00:03.0", 7ull);
	same("rip %016llx rsp %016llx", 0xffffffff81000000ull, 0x7ffull);
}

/* The stream side gives the same bytes, past its internal chunk too. */
TEST(stream)
{
	char big[1000], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	ASSERT_TRUE(f != NULL);
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	r = fmt_fprintf(f, "<%s> %d %04x", big, -3, 0xbeu);
	fclose(f);
	EXPECT_EQ(r, 999 + 2 + 3 + 5);
	EXPECT_EQ(len, 999 + 2 + 3 + 5);
	EXPECT_EQ(buf[0], '<');
	EXPECT_EQ(buf[1000], '>');
	ASSERT_STREQ(buf + 1001, " -3 00be");
	free(buf);
}

TEST(strtoull_matches_libc)
{
	static const struct {
		const char *s;
		int base;
	} c[] = {
		{ "0", 10 },
		{ "42", 10 },
		{ "  17x", 10 },
		{ "18446744073709551615", 10 },
		{ "18446744073709551616", 10 },
		{ "99999999999999999999999", 10 },
		{ "", 10 },
		{ "x", 10 },
		{ "-", 10 },
		{ "0x00000000fe000000 0x1", 16 },
		{ "0xFFFFffffFFFFffff", 16 },
		{ "0x10000000000000000", 16 },
		{ "0x", 16 },
		{ "0xg", 16 },
		{ "abc", 16 },
		{ "\t0x3\n", 16 },
		{ "5", 16 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *e1, *e2;
		unsigned long long a, b;
		int r1, r2;

		errno = 0;
		a = strtoull(c[i].s, &e1, c[i].base);
		r1 = errno;
		errno = 0;
		b = fmt_strtoull(c[i].s, &e2, c[i].base);
		r2 = errno;
		EXPECT_EQ(a, b);
		EXPECT_EQ(e1 - c[i].s, e2 - c[i].s);
		EXPECT_EQ(r1 == ERANGE,
			  r2 == ERANGE); /* musl adds EINVAL for no digits */
	}
}

TEST_MAIN()
