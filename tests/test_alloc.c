// SPDX-License-Identifier: MIT
/* ptvm's malloc (alloc.c), linked in place of musl's as in the binary. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

TEST(calloc_zeroes_and_free_returns)
{
	unsigned char *p = calloc(3, 5000);
	unsigned int i, nz = 0;

	ASSERT_TRUE(p != NULL);
	for (i = 0; i < 15000; i++)
		nz += p[i] != 0;
	EXPECT_EQ(nz, 0);
	memset(p, 0xa5, 15000);
	free(p);
	free(NULL);
}

TEST(realloc_keeps_the_bytes)
{
	char *p = malloc(10), *q;

	ASSERT_TRUE(p != NULL);
	memcpy(p, "ptvm-0123", 10);
	q = realloc(p, 100000);
	ASSERT_TRUE(q != NULL);
	ASSERT_STREQ(q, "ptvm-0123");
	q[99999] = 1;
	p = realloc(q, 4);
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(memcmp(p, "ptvm", 4), 0);
	free(p);
	p = realloc(NULL, 8);
	ASSERT_TRUE(p != NULL);
	free(p);
}

TEST(overflow_is_refused)
{
	/* volatile: the compiler would refuse the sizes at compile time */
	volatile size_t half = SIZE_MAX / 2, huge = SIZE_MAX - 8;

	EXPECT_TRUE(calloc(half, 4) == NULL);
	EXPECT_TRUE(malloc(huge) == NULL);
}

TEST_MAIN()
