// SPDX-License-Identifier: MIT
/* coalesced.c: the ring drain against a fake ring page filled as KVM does. */
#include <stdlib.h>

#include "coalesced.h"
#include "harness.h"

#define PAGE 4096

struct fake {
	struct kvm_coalesced_mmio_ring *r;
	uint32_t max;
};

static struct fake fake_new(void)
{
	struct fake f = { .r = calloc(1, PAGE), .max = coalesced_max(PAGE) };

	return f;
}

/* KVM's coalesced_mmio_write(): 0 queued, -1 full (KVM then exits). */
static int kvm_write(struct fake *f, uint64_t port, uint32_t len, uint32_t val)
{
	uint32_t last = f->r->last;
	struct kvm_coalesced_mmio *e;

	if ((last + 1) % f->max == f->r->first)
		return -1;
	e = &f->r->coalesced_mmio[last];
	e->phys_addr = port;
	e->len = len;
	e->pio = 1;
	memcpy(e->data, &val, len);
	f->r->last = (last + 1) % f->max;
	return 0;
}

struct seen {
	unsigned int n;
	uint32_t val[512];
	uint64_t port[512];
};

static void record(void *opaque, const struct kvm_coalesced_mmio *e)
{
	struct seen *s = opaque;
	uint32_t v = 0;

	memcpy(&v, e->data, e->len);
	s->port[s->n] = e->phys_addr;
	s->val[s->n++] = v;
}

TEST(max_matches_the_uapi_on_4k_pages)
{
	/* (4096 - 8) / 24, what KVM_COALESCED_MMIO_MAX gives on x86. */
	ASSERT_EQ(coalesced_max(PAGE), 170);
}

TEST(no_ring_drains_nothing)
{
	struct coalesced_ring c = { 0 };
	struct seen s = { 0 };

	ASSERT_EQ(coalesced_drain(&c, record, &s), 0);
}

TEST(writes_come_back_in_order_and_the_ring_empties)
{
	struct fake f = fake_new();
	struct coalesced_ring c = { .r = f.r, .max = f.max };
	struct seen s = { 0 };

	ASSERT_EQ(kvm_write(&f, 0xcf8, 4, 0x80000000), 0);
	ASSERT_EQ(kvm_write(&f, 0xcfb, 1, 0x01), 0);
	ASSERT_EQ(coalesced_drain(&c, record, &s), 2);
	EXPECT_EQ(s.port[0], 0xcf8);
	EXPECT_EQ(s.val[0], 0x80000000);
	EXPECT_EQ(s.port[1], 0xcfb);
	EXPECT_EQ(s.val[1], 1);
	EXPECT_EQ(f.r->first, f.r->last);
	EXPECT_EQ(coalesced_drain(&c, record, &s), 0);
	EXPECT_EQ(c.replayed, 2);
	free(f.r);
}

TEST(wraps_around_the_end_of_the_page)
{
	struct fake f = fake_new();
	struct coalesced_ring c = { .r = f.r, .max = f.max };
	struct seen s = { 0 };
	uint32_t i;

	/* Both indices near the end: the next writes wrap to entry 0. */
	f.r->first = f.r->last = f.max - 2;
	for (i = 0; i < 5; i++)
		ASSERT_EQ(kvm_write(&f, 0xcf8, 4, 0x80000000 | i << 2), 0);
	ASSERT_EQ(f.r->last, 3);
	ASSERT_EQ(coalesced_drain(&c, record, &s), 5);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(s.val[i], 0x80000000 | i << 2);
	EXPECT_EQ(f.r->first, 3);
	free(f.r);
}

TEST(a_full_ring_is_drained_whole_and_kvm_may_queue_again)
{
	struct fake f = fake_new();
	struct coalesced_ring c = { .r = f.r, .max = f.max };
	struct seen s = { 0 };
	uint32_t i, n = 0;

	f.r->first = f.r->last = 37;
	while (!kvm_write(&f, 0xcf8, 4, n))
		n++;
	ASSERT_EQ(n, f.max - 1); /* one entry always stays free */
	ASSERT_EQ(coalesced_drain(&c, record, &s), f.max - 1);
	for (i = 0; i < n; i++)
		EXPECT_EQ(s.val[i], i);
	EXPECT_EQ(kvm_write(&f, 0xcf8, 4, 7), 0);
	free(f.r);
}

/* A producer that keeps queueing while we drain: the drain still ends. */
static struct fake *busy;
static void record_and_queue(void *opaque, const struct kvm_coalesced_mmio *e)
{
	record(opaque, e);
	kvm_write(busy, 0xcf8, 4, 0xdead);
}

TEST(ends_while_the_guest_keeps_queueing)
{
	struct fake f = fake_new();
	struct coalesced_ring c = { .r = f.r, .max = f.max };
	struct seen s = { 0 };

	busy = &f;
	ASSERT_EQ(kvm_write(&f, 0xcf8, 4, 1), 0);
	ASSERT_EQ(kvm_write(&f, 0xcf8, 4, 2), 0);
	ASSERT_EQ(coalesced_drain(&c, record_and_queue, &s), 2);
	EXPECT_EQ(s.val[1], 2);
	/* What came in meanwhile is for the next drain. */
	EXPECT_EQ(coalesced_drain(&c, record, &s), 2);
	free(f.r);
}

TEST(bad_indices_reset_the_ring_instead_of_reading_past_it)
{
	struct fake f = fake_new();
	struct coalesced_ring c = { .r = f.r, .max = f.max };
	struct seen s = { 0 };

	f.r->first = 1000;
	f.r->last = 4;
	EXPECT_EQ(coalesced_drain(&c, record, &s), 0);
	EXPECT_EQ(c.bad_index, 1);
	EXPECT_EQ(f.r->first, 4);
	f.r->last = 0xffffffff;
	EXPECT_EQ(coalesced_drain(&c, record, &s), 0);
	EXPECT_EQ(f.r->first, 0);
	EXPECT_EQ(s.n, 0);
	free(f.r);
}

TEST_MAIN()
