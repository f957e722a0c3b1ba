// SPDX-License-Identifier: MIT
/*
 * The --stats timeline in milliseconds, written with integer arithmetic:
 * the same text as printf's "%.1f" / "%.3f" of ns / 1e6, which is what it
 * replaced and what tests/e2e/stats.t and scripts/bench parse.
 */
#include "stats.h"
#include "tests/harness.h"

static void same_as_printf(int64_t ns, unsigned int decimals)
{
	char got[32], want[32];

	stats_fmt_ms(got, sizeof(got), ns, decimals);
	snprintf(want, sizeof(want), decimals == 3 ? "%.3f" : "%.1f",
		 (double)ns / 1e6);
	ASSERT_STREQ(got, want);
}

TEST(fixed_values)
{
	char b[32];

	stats_fmt_ms(b, sizeof(b), 0, 3);
	ASSERT_STREQ(b, "0.000");
	stats_fmt_ms(b, sizeof(b), 1234567, 3);
	ASSERT_STREQ(b, "1.235");
	stats_fmt_ms(b, sizeof(b), 1234567, 1);
	ASSERT_STREQ(b, "1.2");
	stats_fmt_ms(b, sizeof(b), 1960000, 1);
	ASSERT_STREQ(b, "2.0");
	stats_fmt_ms(b, sizeof(b), 12345678901234, 3);
	ASSERT_STREQ(b, "12345678.901");
	stats_fmt_ms(b, sizeof(b), 999999, 3);
	ASSERT_STREQ(b, "1.000");
	stats_fmt_ms(b, sizeof(b), 49, 1);
	ASSERT_STREQ(b, "0.0");
}

/* A stage not reached is -1, in the same number of decimals. */
TEST(not_reached)
{
	char b[32];

	stats_fmt_ms(b, sizeof(b), -1, 3);
	ASSERT_STREQ(b, "-1.000");
	stats_fmt_ms(b, sizeof(b), -1, 1);
	ASSERT_STREQ(b, "-1.0");
	same_as_printf(-1000000, 3);
	same_as_printf(-1000000, 1);
}

/*
 * Against printf over a spread of values. Exact halves (printf rounds the
 * nearest double, which may fall either side) are left out.
 */
TEST(matches_printf)
{
	uint64_t x = 88172645463325252ull;
	unsigned int i;

	for (i = 0; i < 200000; i++) {
		int64_t ns;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ns = (int64_t)(x % (i & 1 ? 100000000000ull : 10000000ull));
		if (ns % 1000 != 500)
			same_as_printf(ns, 3);
		if (ns % 100000 != 50000)
			same_as_printf(ns, 1);
	}
}

TEST_MAIN()
