/* SPDX-License-Identifier: MIT */
/*
 * A small kselftest-style TAP harness for ptvm's unit tests.
 *
 *   TEST(name) { ASSERT_EQ(1, 1); EXPECT_TRUE(x); }
 *   TEST_MAIN()
 *
 * Every test runs in its own forked child, so a crash fails only that test.
 * ASSERT_* end the test on failure, EXPECT_* record it and go on. SKIP(why)
 * ends the test as skipped. Output is TAP 13, read by `prove`.
 */
#ifndef PTVM_TESTS_HARNESS_H
#define PTVM_TESTS_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct harness_test {
	const char *name;
	void (*fn)(void);
};

#define HARNESS_MAX_TESTS 256
extern struct harness_test harness_tests[HARNESS_MAX_TESTS];
extern int harness_ntests;
extern int harness_failed; /* set inside the child */

#define HARNESS_SKIP_CODE 77

#define TEST(name_)                                                            \
	static void test_##name_(void);                                        \
	__attribute__((constructor)) static void register_##name_(void)        \
	{                                                                      \
		if (harness_ntests < HARNESS_MAX_TESTS)                        \
			harness_tests[harness_ntests++] =                      \
				(struct harness_test){ #name_, test_##name_ }; \
	}                                                                      \
	static void test_##name_(void)

#define HARNESS_REPORT(fmt, ...) \
	fprintf(stdout, "# %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

#define HARNESS_CMP(fatal, a, op, b)                                           \
	do {                                                                   \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);               \
		if (!(a_ op b_)) {                                             \
			HARNESS_REPORT("expected %s %s %s (0x%llx %s 0x%llx)", \
				       #a, #op, #b, (unsigned long long)a_,    \
				       #op, (unsigned long long)b_);           \
			harness_failed = 1;                                    \
			if (fatal) {                                           \
				fflush(stdout);                                \
				_exit(1);                                      \
			}                                                      \
		}                                                              \
	} while (0)

#define ASSERT_EQ(a, b) HARNESS_CMP(1, a, ==, b)
#define ASSERT_NE(a, b) HARNESS_CMP(1, a, !=, b)
#define ASSERT_LT(a, b) HARNESS_CMP(1, a, <, b)
#define ASSERT_LE(a, b) HARNESS_CMP(1, a, <=, b)
#define ASSERT_GE(a, b) HARNESS_CMP(1, a, >=, b)
#define ASSERT_TRUE(a) HARNESS_CMP(1, !!(a), ==, 1)
#define ASSERT_FALSE(a) HARNESS_CMP(1, !!(a), ==, 0)
#define EXPECT_EQ(a, b) HARNESS_CMP(0, a, ==, b)
#define EXPECT_NE(a, b) HARNESS_CMP(0, a, !=, b)
#define EXPECT_LT(a, b) HARNESS_CMP(0, a, <, b)
#define EXPECT_LE(a, b) HARNESS_CMP(0, a, <=, b)
#define EXPECT_GE(a, b) HARNESS_CMP(0, a, >=, b)
#define EXPECT_TRUE(a) HARNESS_CMP(0, !!(a), ==, 1)
#define EXPECT_FALSE(a) HARNESS_CMP(0, !!(a), ==, 0)

#define ASSERT_STREQ(a, b)                                          \
	do {                                                        \
		const char *a_ = (a), *b_ = (b);                    \
		if (!a_ || !b_ || strcmp(a_, b_)) {                 \
			HARNESS_REPORT("expected \"%s\" == \"%s\"", \
				       a_ ? a_ : "(null)",          \
				       b_ ? b_ : "(null)");         \
			fflush(stdout);                             \
			_exit(1);                                   \
		}                                                   \
	} while (0)

#define SKIP(why)                                    \
	do {                                         \
		fprintf(stdout, "# SKIP %s\n", why); \
		fflush(stdout);                      \
		_exit(HARNESS_SKIP_CODE);            \
	} while (0)

/* Runs every registered test in a forked child and prints TAP. */
#define TEST_MAIN()                                                       \
	struct harness_test harness_tests[HARNESS_MAX_TESTS];             \
	int harness_ntests;                                               \
	int harness_failed;                                               \
	int main(void)                                                    \
	{                                                                 \
		int i, fails = 0;                                         \
		printf("TAP version 13\n1..%d\n", harness_ntests);        \
		for (i = 0; i < harness_ntests; i++) {                    \
			int status = 0;                                   \
			pid_t pid;                                        \
			fflush(stdout);                                   \
			pid = fork();                                     \
			if (pid == 0) {                                   \
				harness_tests[i].fn();                    \
				fflush(stdout);                           \
				_exit(harness_failed ? 1 : 0);            \
			}                                                 \
			if (pid < 0 || waitpid(pid, &status, 0) < 0) {    \
				status = 1 << 8;                          \
			}                                                 \
			if (WIFEXITED(status) &&                          \
			    WEXITSTATUS(status) == HARNESS_SKIP_CODE) {   \
				printf("ok %d %s # SKIP\n", i + 1,        \
				       harness_tests[i].name);            \
			} else if (WIFEXITED(status) &&                   \
				   WEXITSTATUS(status) == 0) {            \
				printf("ok %d %s\n", i + 1,               \
				       harness_tests[i].name);            \
			} else {                                          \
				if (WIFSIGNALED(status))                  \
					printf("# killed by signal %d\n", \
					       WTERMSIG(status));         \
				printf("not ok %d %s\n", i + 1,           \
				       harness_tests[i].name);            \
				fails++;                                  \
			}                                                 \
		}                                                         \
		return fails ? 1 : 0;                                     \
	}

#endif
