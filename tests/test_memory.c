// SPDX-License-Identifier: MIT
/*
 * Guest RAM prefaulting: every page resident afterwards, the contents as
 * they were, on any number of threads and for any size; nothing done with
 * no threads or once stopped. And the automatic thread count.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "memory.h"
#include "tests/harness.h"
#include "arch/x86/layout.h"

static const struct mem_map pc_map = LAYOUT_MEM_MAP;

#define MIB (1ULL << 20)
#define PAGE 4096ULL
#define SIZE (64 * MIB)

static _Atomic int go, stop = 1;

/* Pages of m resident now (mincore). */
static uint64_t resident(const struct mem *m)
{
	uint64_t n = (m->size + PAGE - 1) / PAGE, i, r = 0;
	unsigned char *v = malloc(n);

	if (!v)
		abort();
	if (mincore(m->base, m->size, v))
		abort();
	for (i = 0; i < n; i++)
		r += v[i] & 1;
	free(v);
	return r;
}

static uint64_t npages(const struct mem *m)
{
	return (m->size + PAGE - 1) / PAGE;
}

static void alloc(struct mem *m, uint64_t size)
{
	if (mem_alloc(m, &pc_map, size, 0))
		abort();
}

/* What the test wrote at off: a byte that depends on off, never 0. */
static uint8_t pat(uint64_t off)
{
	return (uint8_t)((off * 2654435761u) >> 24) | 1;
}

/*
 * The offsets the test writes: three bytes in every 37th page, but none in
 * the pages at the edges of the 2 MiB parts or at the region's ends, which
 * must be left for the prefault to fault in.
 */
static void for_marked(struct mem *m, void (*fn)(struct mem *m, uint64_t off))
{
	uint64_t p, last = (m->size - 1) / PAGE;

	for (p = 5; p < last; p += 37) {
		if (p % 512 == 0 || p % 512 == 511)
			continue;
		fn(m, p * PAGE);
		fn(m, p * PAGE + 123);
		fn(m, p * PAGE + PAGE - 1);
	}
}

static uint64_t bad; /* first offset found wrong, + 1 */

static void mark(struct mem *m, uint64_t off)
{
	m->base[off] = pat(off);
}

static void unmark(struct mem *m, uint64_t off)
{
	if (m->base[off] != pat(off) && !bad)
		bad = off + 1;
	m->base[off] = 0;
}

/* 0 if marked bytes hold their pattern, all others 0; else bad offset + 1. */
static uint64_t check_pattern(struct mem *m)
{
	const uint64_t *w = (const uint64_t *)m->base;
	uint64_t i;

	bad = 0;
	for_marked(m, unmark); /* each marked byte right, then cleared */
	for (i = 0; i < m->size / 8 && !bad; i++)
		if (w[i])
			bad = 8 * i + 1;
	for (i = m->size & ~7ULL; i < m->size && !bad; i++)
		if (m->base[i])
			bad = i + 1;
	for_marked(m, mark);
	return bad;
}

/* Prefaults a fresh region of size on threads: all in, nothing changed. */
static void prefault_all(uint64_t size, unsigned int threads)
{
	struct mem m;

	alloc(&m, size);
	for_marked(&m, mark);
	ASSERT_EQ(mem_prefault(&m, threads, &go), 0);
	if (resident(&m) != npages(&m))
		HARNESS_REPORT("size 0x%llx, %u threads",
			       (unsigned long long)size, threads);
	EXPECT_EQ(resident(&m), npages(&m));
	EXPECT_EQ(check_pattern(&m), 0);
	/* a second pass changes nothing either */
	ASSERT_EQ(mem_prefault(&m, threads, &go), 0);
	EXPECT_EQ(check_pattern(&m), 0);
	mem_free(&m);
}

TEST(prefault_one_thread)
{
	prefault_all(SIZE, 1);
}

TEST(prefault_three_threads)
{
	prefault_all(SIZE, 3); /* parts of 22, 22 and 20 MiB */
}

TEST(prefault_sixteen_threads)
{
	prefault_all(SIZE, 16);
}

TEST(prefault_more_threads_than_allowed)
{
	prefault_all(SIZE, 1000);
}

/* Fewer 2 MiB parts than threads: only as many threads as parts. */
TEST(prefault_region_smaller_than_the_threads)
{
	prefault_all(3 * MIB, 16);
	prefault_all(5 * MIB + 3 * PAGE, 3);
	prefault_all(2 * MIB, 2);
	prefault_all(PAGE, 16);
	prefault_all(16 * PAGE + 100, 8); /* not a whole number of pages */
}

TEST(prefault_no_threads_does_nothing)
{
	struct mem m;

	alloc(&m, SIZE);
	EXPECT_EQ(resident(&m), 0);
	EXPECT_EQ(mem_prefault(&m, 0, &go), 0);
	EXPECT_EQ(resident(&m), 0);
	mem_free(&m);
}

TEST(prefault_empty_region_does_nothing)
{
	struct mem m;

	mem_layout(&m, &pc_map, NULL, 0);
	EXPECT_EQ(mem_prefault(&m, 1, &go), 0);
	EXPECT_EQ(mem_prefault(&m, 16, &go), 0);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * From now on (in this test's child, and the threads it starts)
 * madvise(MADV_POPULATE_WRITE) fails with err, as on a kernel before
 * 5.14 (EINVAL) or when memory runs out (ENOMEM); except, if allow is not
 * NULL, at allow (compared on its low 32 bits).
 */
static void populate_fails(int err, const void *allow)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_madvise, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MADV_POPULATE_WRITE, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(uintptr_t)allow,
			 0, 1),
		BPF_STMT(BPF_RET | BPF_K,
			 allow ? SECCOMP_RET_ALLOW
			       : SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K,
			 SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		SKIP("no seccomp filter");
}

/* Without MADV_POPULATE_WRITE: touched page by page, contents kept. */
TEST(prefault_without_madv_populate_write)
{
	populate_fails(EINVAL, NULL);
	prefault_all(SIZE, 1);
	prefault_all(SIZE, 3);
	prefault_all(5 * MIB + 3 * PAGE, 16);
}

/* Any other failure ends the part: the first -errno is returned. */
TEST(prefault_error_is_returned)
{
	struct mem m;

	alloc(&m, SIZE);
	populate_fails(ENOMEM, NULL);
	EXPECT_EQ(mem_prefault(&m, 1, &go), -ENOMEM);
	EXPECT_EQ(mem_prefault(&m, 3, &go), -ENOMEM);
	EXPECT_EQ(mem_prefault(&m, 16, &go), -ENOMEM);
	EXPECT_EQ(resident(&m), 0);
	/* no threads: nothing tried, nothing to fail */
	EXPECT_EQ(mem_prefault(&m, 0, &go), 0);
	mem_free(&m);
}

/* A failure on another thread's part is returned too; the others go on. */
TEST(prefault_error_on_a_thread_is_returned)
{
	struct mem m;

	alloc(&m, SIZE);
	populate_fails(ENOMEM, m.base); /* the first part (22 MiB) works */
	EXPECT_EQ(mem_prefault(&m, 3, &go), -ENOMEM);
	EXPECT_GE(resident(&m), npages(&m) / 4);
	EXPECT_LT(resident(&m), npages(&m));
	mem_free(&m);
}

/* CPU time of the whole process, all its threads, in ns. */
static long long cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * Stopped before it began: no page faulted in, and quickly. Timed in CPU
 * time (wall time on a loaded host says little) over 1 GiB, which takes
 * about half a second of CPU to fault in; the region is never touched.
 */
TEST(prefault_stopped_does_nothing)
{
	static const unsigned int threads[] = { 1, 3, 16 };
	unsigned int i;
	long long t;
	struct mem m;

	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		alloc(&m, 1024 * MIB);
		t = cpu_ns();
		EXPECT_EQ(mem_prefault(&m, threads[i], &stop), 0);
		t = cpu_ns() - t;
		if (t >= 50000000)
			HARNESS_REPORT("%u threads: %lld ns", threads[i], t);
		EXPECT_LT(t, 50000000);
		EXPECT_LT(resident(&m), npages(&m) / 4);
		mem_free(&m);
	}
}

TEST(prefault_auto)
{
	cpu_set_t set, one;
	unsigned int n, want;

	ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
	want = CPU_COUNT(&set) > 8 ? 8 : (unsigned int)CPU_COUNT(&set);
	if (want < 2)
		want = 0;
	/* small guests: never */
	EXPECT_EQ(mem_prefault_auto(0), 0);
	EXPECT_EQ(mem_prefault_auto(512 * MIB), 0);
	EXPECT_EQ(mem_prefault_auto(1024 * MIB - PAGE), 0);
	/* from 1 GiB: the CPUs this process may run on, 2 to 8, or none */
	n = mem_prefault_auto(4096 * MIB);
	EXPECT_TRUE(n == 0 || (n >= 2 && n <= 8));
	EXPECT_EQ(n, want);
	EXPECT_EQ(mem_prefault_auto(1024 * MIB), want);
	EXPECT_EQ(mem_prefault_auto(1ULL << 40), want);
	/* pinned to one CPU: none (this test runs in a child of its own) */
	CPU_ZERO(&one);
	for (n = 0; n < CPU_SETSIZE && !CPU_ISSET(n, &set); n++)
		;
	ASSERT_LT(n, CPU_SETSIZE);
	CPU_SET(n, &one);
	ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
	EXPECT_EQ(mem_prefault_auto(4096 * MIB), 0);
	/* on two: two */
	for (n++; n < CPU_SETSIZE && !CPU_ISSET(n, &set); n++)
		;
	if (n == CPU_SETSIZE)
		return;
	CPU_SET(n, &one);
	ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
	EXPECT_EQ(mem_prefault_auto(4096 * MIB), 2);
	EXPECT_EQ(mem_prefault_auto(512 * MIB), 0);
}

TEST_MAIN()
