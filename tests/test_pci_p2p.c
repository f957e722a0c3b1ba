// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "pci/p2p.h"
#include "tests/fake_pci.h"
#include "tests/harness.h"

#define RAM_TOP 0x20000000ULL /* a 512 MiB guest */
#define ECAM 0xe0000000ULL
#define APIC 0xfec00000ULL
#define G4 0x100000000ULL

/* Host memory standing in for a BAR's mmap: page-aligned, never touched. */
static uint8_t *const hva = (uint8_t *)0x7f0000000000ULL;

struct bench {
	struct fake_pci f;
	struct pci_p2p p;
};

/* A fake IOMMU and a p2p table with a 512 MiB guest's reserved ranges. */
static struct bench *bench_new(void)
{
	struct bench *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	fake_pci_init(&b->f, 0x1234, 0x5678);
	pci_p2p_init(&b->p, &fake_pci_dma_ops, &b->f);
	if (pci_p2p_reserve(&b->p, 0, RAM_TOP) ||
	    pci_p2p_reserve(&b->p, ECAM, 0x100000) ||
	    pci_p2p_reserve(&b->p, APIC, G4 - APIC))
		abort();
	return b;
}

TEST(bar_placed_and_mapped_at_its_guest_address)
{
	struct bench *b = bench_new();
	const struct fake_call *c;

	ASSERT_EQ(pci_p2p_place(&b->p, pci_p2p_id(0, 2), 0xc0000000, 0x2000),
		  0);
	ASSERT_EQ(pci_p2p_map(&b->p, pci_p2p_id(0, 2), 0, 0x2000, hva), 0);
	ASSERT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 1);
	c = fake_pci_nth(&b->f, FAKE_DMA_MAP, -1, 0);
	EXPECT_EQ(c->addr, 0xc0000000);
	EXPECT_EQ(c->off, 0x2000);
	EXPECT_EQ(b->f.dma[0].hva, hva);
	EXPECT_EQ(b->p.stats.maps, 1);
	pci_p2p_release(&b->p, pci_p2p_id(0, 2));
	ASSERT_EQ(fake_pci_count(&b->f, FAKE_DMA_UNMAP, -1), 1);
	c = fake_pci_nth(&b->f, FAKE_DMA_UNMAP, -1, 0);
	EXPECT_EQ(c->addr, 0xc0000000);
	EXPECT_EQ(c->off, 0x2000);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.unmaps, 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(sparse_areas_cut_to_pages_and_to_the_bar)
{
	struct bench *b = bench_new();
	unsigned int id = pci_p2p_id(1, 0);

	ASSERT_EQ(pci_p2p_place(&b->p, id, 0xc0100000, 0x10000), 0);
	/* two areas around an MSI-X page at 0x3000: each mapped as given */
	EXPECT_EQ(pci_p2p_map(&b->p, id, 0, 0x3000, hva), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, id, 0x4000, 0xc000, hva + 0x4000), 0);
	/* an area not on page boundaries is cut inward */
	EXPECT_EQ(pci_p2p_map(&b->p, id, 0x3800, 0x100, hva + 0x3800), 0);
	/* an area past the BAR's end is cut to it */
	ASSERT_EQ(pci_p2p_place(&b->p, pci_p2p_id(1, 1), 0xc0200000, 0x4000),
		  0);
	EXPECT_EQ(pci_p2p_map(&b->p, pci_p2p_id(1, 1), 0x1000, 0x100000,
			      hva + 0x10000),
		  0);
	ASSERT_EQ(b->f.ndma, 3);
	EXPECT_EQ(b->f.dma[0].iova, 0xc0100000);
	EXPECT_EQ(b->f.dma[0].size, 0x3000);
	EXPECT_EQ(b->f.dma[1].iova, 0xc0104000);
	EXPECT_EQ(b->f.dma[1].size, 0xc000);
	EXPECT_EQ(b->f.dma[2].iova, 0xc0201000);
	EXPECT_EQ(b->f.dma[2].size, 0x3000);
	/* unmapping gives back exactly what was mapped */
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.maps, 3);
	EXPECT_EQ(b->p.stats.unmaps, 3);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(a_bar_over_ram_ecam_or_apics_is_refused_and_counted)
{
	struct bench *b = bench_new();
	static const uint64_t bad[] = { 0, RAM_TOP - 0x1000, ECAM + 0x80000,
					APIC, 0xfee00000 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(pci_p2p_place(&b->p, 0, bad[i], 0x2000), -EADDRINUSE);
		EXPECT_EQ(pci_p2p_map(&b->p, 0, 0, 0x2000, hva), -EINVAL);
	}
	/* wrapping past the top of the address space */
	EXPECT_EQ(pci_p2p_place(&b->p, 0, ~0ULL - 0xfff, 0x2000), -EADDRINUSE);
	EXPECT_EQ(b->p.stats.refused, 6);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 0);
	/* right after RAM is fine */
	EXPECT_EQ(pci_p2p_place(&b->p, 0, RAM_TOP, 0x2000), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(a_bar_over_another_bar_is_refused_the_first_keeps_its_place)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0), c = pci_p2p_id(1, 2);

	ASSERT_EQ(pci_p2p_place(&b->p, a, G4, 0x40000000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x40000000, hva), 0);
	EXPECT_EQ(pci_p2p_place(&b->p, c, G4 + 0x3ff00000, 0x200000),
		  -EADDRINUSE);
	EXPECT_EQ(b->p.stats.refused, 1);
	EXPECT_EQ(b->f.ndma, 1);
	/* moving the first away frees the place */
	ASSERT_EQ(pci_p2p_place(&b->p, a, 2 * G4, 0x40000000), 0);
	EXPECT_EQ(b->f.ndma, 0); /* its old mapping went with its old place */
	EXPECT_EQ(pci_p2p_place(&b->p, c, G4 + 0x3ff00000, 0x200000), 0);
	/* a BAR moving within its own old place is not refused by itself */
	EXPECT_EQ(pci_p2p_place(&b->p, c, G4 + 0x3fe00000, 0x200000), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(moving_a_bar_unmaps_the_old_place_before_mapping_the_new)
{
	struct bench *b = bench_new();
	unsigned int id = pci_p2p_id(2, 4);

	ASSERT_EQ(pci_p2p_place(&b->p, id, 0xc0000000, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, id, 0, 0x1000, hva), 0);
	fake_pci_clear_log(&b->f);
	ASSERT_EQ(pci_p2p_place(&b->p, id, 0xc0001000, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, id, 0, 0x1000, hva), 0);
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_DMA_UNMAP);
	EXPECT_EQ(b->f.log[0].addr, 0xc0000000);
	EXPECT_EQ(b->f.log[1].op, FAKE_DMA_MAP);
	EXPECT_EQ(b->f.log[1].addr, 0xc0001000);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(an_iommu_refusal_is_counted_the_bar_keeps_its_place)
{
	struct bench *b = bench_new();
	unsigned int id = pci_p2p_id(0, 2);

	b->f.dma_limit = 1ULL << 39; /* L1's emulated IOMMU: 39 bits */
	ASSERT_EQ(pci_p2p_place(&b->p, id, 1ULL << 39, 0x100000), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, id, 0, 0x100000, hva), -EINVAL);
	EXPECT_EQ(b->p.stats.map_failed, 1);
	EXPECT_EQ(b->p.stats.maps, 0);
	/* still placed: another BAR cannot take the place */
	EXPECT_EQ(pci_p2p_place(&b->p, pci_p2p_id(1, 0), 1ULL << 39, 0x1000),
		  -EADDRINUSE);
	/* and nothing to unmap at release */
	pci_p2p_release(&b->p, id);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_UNMAP, -1), 0);
	EXPECT_EQ(pci_p2p_place(&b->p, pci_p2p_id(1, 0), 1ULL << 39, 0x1000),
		  0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(unaligned_places_and_memory_map_nothing)
{
	struct bench *b = bench_new();

	/* a 1 KiB BAR at an address inside a page: placed, never mapped */
	ASSERT_EQ(pci_p2p_place(&b->p, 0, 0xc0000400, 0x400), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, 0, 0, 0x400, hva), 0);
	ASSERT_EQ(pci_p2p_place(&b->p, 1, 0xc0010000, 0x2000), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, 1, 0, 0x2000, hva + 0x10), 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, 1, 0x2000, 0x1000, hva), -EINVAL);
	EXPECT_EQ(pci_p2p_place(&b->p, PCI_P2P_MAX_BARS, 0xc0020000, 0x1000),
		  -EINVAL);
	EXPECT_EQ(pci_p2p_place(&b->p, 2, 0xc0020000, 0), -EINVAL);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(an_unmap_error_is_counted_and_the_place_released)
{
	struct bench *b = bench_new();

	ASSERT_EQ(pci_p2p_place(&b->p, 3, 0xc0000000, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, 3, 0, 0x1000, hva), 0);
	b->f.ndma = 0; /* the IOMMU lost it: the unmap fails */
	pci_p2p_release(&b->p, 3);
	EXPECT_EQ(b->p.stats.unmap_failed, 1);
	EXPECT_EQ(b->p.bar[3].placed, 0);
	EXPECT_EQ(b->p.bar[3].npieces, 0);
	free(b);
}

TEST(reserved_ranges_are_bounded)
{
	struct bench *b = bench_new();
	unsigned int i;

	for (i = b->p.nreserved; i < PCI_P2P_MAX_RESERVED; i++)
		EXPECT_EQ(pci_p2p_reserve(&b->p, 0x1000 * i, 0x1000), 0);
	EXPECT_EQ(pci_p2p_reserve(&b->p, 0, 0x1000), -ENOSPC);
	free(b);
}

/* ---- held maps: recorded while guest RAM is being mapped ---- */

TEST(held_maps_are_recorded_not_made)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0), c = pci_p2p_id(1, 2);

	pci_p2p_hold(&b->p);
	ASSERT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x10000), 0);
	ASSERT_EQ(pci_p2p_place(&b->p, c, G4, 0x4000), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, a, 0, 0x3000, hva), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, a, 0x4000, 0xc000, hva + 0x4000), 0);
	EXPECT_EQ(pci_p2p_map(&b->p, c, 0x1000, 0x100000, hva + 0x20000), 0);
	/* places and refusals work as always */
	EXPECT_EQ(pci_p2p_place(&b->p, pci_p2p_id(2, 0), 0xc0008000, 0x1000),
		  -EADDRINUSE);
	EXPECT_EQ(pci_p2p_place(&b->p, pci_p2p_id(2, 0), ECAM, 0x1000),
		  -EADDRINUSE);
	EXPECT_EQ(b->p.stats.refused, 2);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 0);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.maps, 0);
	EXPECT_EQ(b->p.stats.map_failed, 0);
	EXPECT_EQ(b->p.bar[a].npieces, 2);
	EXPECT_EQ(b->p.bar[c].npieces, 1);
	/* resuming makes them all, where they were asked for */
	EXPECT_EQ(pci_p2p_resume(&b->p), 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 3);
	ASSERT_EQ(b->f.ndma, 3);
	EXPECT_EQ(b->f.dma[0].iova, 0xc0000000);
	EXPECT_EQ(b->f.dma[0].size, 0x3000);
	EXPECT_EQ(b->f.dma[0].hva, hva);
	EXPECT_EQ(b->f.dma[1].iova, 0xc0004000);
	EXPECT_EQ(b->f.dma[1].size, 0xc000);
	EXPECT_EQ(b->f.dma[1].hva, hva + 0x4000);
	EXPECT_EQ(b->f.dma[2].iova, G4 + 0x1000);
	EXPECT_EQ(b->f.dma[2].size, 0x3000);
	EXPECT_EQ(b->f.dma[2].hva, hva + 0x20000);
	EXPECT_EQ(b->p.stats.maps, 3);
	/* a second resume has nothing left to do */
	EXPECT_EQ(pci_p2p_resume(&b->p), 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 3);
	EXPECT_EQ(b->p.stats.maps, 3);
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_UNMAP, -1), 3);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.unmaps, 3);
	EXPECT_EQ(b->p.stats.unmap_failed, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(a_held_map_released_or_moved_before_resume_is_never_made)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0), c = pci_p2p_id(0, 2);

	pci_p2p_hold(&b->p);
	ASSERT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x2000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x2000, hva), 0);
	pci_p2p_release(&b->p, a);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_UNMAP, -1), 0);
	EXPECT_EQ(b->p.stats.unmaps, 0);
	EXPECT_EQ(b->p.stats.unmap_failed, 0);
	EXPECT_EQ(b->p.bar[a].placed, 0);
	/* moved while held: only the new place is mapped on resume */
	ASSERT_EQ(pci_p2p_place(&b->p, c, 0xc0100000, 0x2000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, c, 0, 0x2000, hva + 0x10000), 0);
	ASSERT_EQ(pci_p2p_place(&b->p, c, 0xc0200000, 0x2000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, c, 0, 0x2000, hva + 0x10000), 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_UNMAP, -1), 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 0);
	EXPECT_EQ(pci_p2p_resume(&b->p), 0);
	ASSERT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 1);
	EXPECT_EQ(fake_pci_nth(&b->f, FAKE_DMA_MAP, -1, 0)->addr, 0xc0200000);
	EXPECT_EQ(b->p.stats.maps, 1);
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->p.stats.unmaps, 1);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

/*
 * The IOMMU refuses some recorded pieces at resume (past its width): they
 * are dropped and counted, resume gives the first -errno, every other
 * piece (before, between and after them, in any BAR) is still mapped.
 */
TEST(a_piece_refused_on_resume_is_dropped_the_others_mapped)
{
	struct bench *b = bench_new();
	const uint64_t lim = 1ULL << 39, base = lim - 0x2000;
	unsigned int a = pci_p2p_id(0, 0), c = pci_p2p_id(0, 1);
	unsigned int e = pci_p2p_id(3, 5);
	uint64_t seen = 0;
	unsigned int i;

	b->f.dma_limit = lim;
	pci_p2p_hold(&b->p);
	ASSERT_EQ(pci_p2p_place(&b->p, a, base, 0x4000), 0);
	/* fits, refused, refused, fits: in this order */
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x1000, hva), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0x2000, 0x1000, hva + 0x2000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0x3000, 0x1000, hva + 0x3000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0x1000, 0x1000, hva + 0x1000), 0);
	ASSERT_EQ(pci_p2p_place(&b->p, c, 0xc0000000, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, c, 0, 0x1000, hva + 0x8000), 0);
	ASSERT_EQ(pci_p2p_place(&b->p, e, 2 * lim, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, e, 0, 0x1000, hva + 0x9000), 0);
	EXPECT_EQ(b->p.bar[a].npieces, 4);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 0);

	EXPECT_EQ(pci_p2p_resume(&b->p), -EINVAL);
	EXPECT_EQ(b->p.stats.map_failed, 3);
	EXPECT_EQ(b->p.stats.maps, 3);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 6);
	ASSERT_EQ(b->f.ndma, 3);
	for (i = 0; i < b->f.ndma; i++) {
		if (b->f.dma[i].iova == base) {
			EXPECT_EQ(b->f.dma[i].hva, hva);
			seen |= 1;
		} else if (b->f.dma[i].iova == base + 0x1000) {
			EXPECT_EQ(b->f.dma[i].hva, hva + 0x1000);
			seen |= 2;
		} else if (b->f.dma[i].iova == 0xc0000000) {
			EXPECT_EQ(b->f.dma[i].hva, hva + 0x8000);
			seen |= 4;
		}
		EXPECT_EQ(b->f.dma[i].size, 0x1000);
	}
	EXPECT_EQ(seen, 7);
	/* the refused ones are gone: the BARs keep what is mapped */
	ASSERT_EQ(b->p.bar[a].npieces, 2);
	EXPECT_EQ(b->p.bar[a].piece[0].off, 0);
	EXPECT_EQ(b->p.bar[a].piece[1].off, 0x1000);
	EXPECT_EQ(b->p.bar[e].npieces, 0);
	EXPECT_TRUE(b->p.bar[e].placed);

	/* after resume, maps go straight through */
	ASSERT_EQ(pci_p2p_place(&b->p, pci_p2p_id(1, 0), 0xc0100000, 0x2000),
		  0);
	EXPECT_EQ(pci_p2p_map(&b->p, pci_p2p_id(1, 0), 0, 0x2000,
			      hva + 0x10000),
		  0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 7);
	EXPECT_EQ(b->f.ndma, 4);
	EXPECT_EQ(b->p.stats.maps, 4);
	EXPECT_EQ(pci_p2p_map(&b->p, e, 0, 0x1000, hva + 0x9000), -EINVAL);
	EXPECT_EQ(b->p.stats.map_failed, 4);

	/* release gives back exactly what was mapped */
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.unmaps, b->p.stats.maps);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_DMA_UNMAP, -1), 4);
	EXPECT_EQ(b->p.stats.unmap_failed, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

/* Maps made before a hold stay; resume maps only what was held. */
TEST(resume_leaves_earlier_mappings_alone)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0);

	ASSERT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x10000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x2000, hva), 0);
	EXPECT_EQ(b->f.ndma, 1);
	pci_p2p_hold(&b->p);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0x4000, 0x2000, hva + 0x4000), 0);
	EXPECT_EQ(b->f.ndma, 1);
	fake_pci_clear_log(&b->f);
	EXPECT_EQ(pci_p2p_resume(&b->p), 0);
	ASSERT_EQ(fake_pci_count(&b->f, FAKE_DMA_MAP, -1), 1);
	EXPECT_EQ(fake_pci_nth(&b->f, FAKE_DMA_MAP, -1, 0)->addr, 0xc0004000);
	EXPECT_EQ(b->f.ndma, 2);
	EXPECT_EQ(b->p.stats.maps, 2);
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->p.stats.unmaps, 2);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

/* BAR id placed at addr and all of it mapped, backed by h: set-up. */
static void place_mapped(struct bench *b, unsigned int id, uint64_t addr,
			 uint64_t size, uint8_t *h)
{
	if (pci_p2p_place(&b->p, id, addr, size) ||
	    pci_p2p_map(&b->p, id, 0, size, h))
		abort();
}

/*
 * Linux turns decoding off and on around each BAR it sizes: a BAR that
 * comes back where it was keeps its mappings, with no IOMMU call.
 */
TEST(a_parked_bar_back_at_its_place_keeps_its_mappings)
{
	struct bench *b = bench_new();
	unsigned int id = pci_p2p_id(0, 2);

	place_mapped(b, id, G4, 0x40000000, hva);
	fake_pci_clear_log(&b->f);
	EXPECT_EQ(pci_p2p_park(&b->p, id, 1000), 1);
	EXPECT_EQ(b->f.ncalls, 0);
	EXPECT_EQ(b->f.ndma, 1);
	/* a map while parked is refused: it holds no place */
	EXPECT_EQ(pci_p2p_map(&b->p, id, 0, 0x40000000, hva), -EINVAL);
	ASSERT_EQ(pci_p2p_place(&b->p, id, G4, 0x40000000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, id, 0, 0x40000000, hva), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	EXPECT_EQ(b->p.stats.kept, 1);
	EXPECT_EQ(b->p.stats.maps, 1);
	/* nothing is left parked for a flush */
	EXPECT_EQ(pci_p2p_flush(&b->p, ~0ULL, 1), 0);
	EXPECT_EQ(b->f.ndma, 1);
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.unmaps, 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(a_parked_bar_placed_elsewhere_is_unmapped_first)
{
	struct bench *b = bench_new();
	unsigned int id = pci_p2p_id(1, 0);

	place_mapped(b, id, 0xc0000000, 0x2000, hva);
	EXPECT_EQ(pci_p2p_park(&b->p, id, 0), 1);
	fake_pci_clear_log(&b->f);
	/* the same address with another size is elsewhere too */
	ASSERT_EQ(pci_p2p_place(&b->p, id, 0xc0000000, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, id, 0, 0x1000, hva), 0);
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_DMA_UNMAP);
	EXPECT_EQ(b->f.log[0].off, 0x2000);
	EXPECT_EQ(b->f.log[1].op, FAKE_DMA_MAP);
	EXPECT_EQ(b->f.log[1].off, 0x1000);
	EXPECT_EQ(b->p.stats.kept, 0);
	pci_p2p_release_all(&b->p);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

/* A parked BAR holds no place: another BAR may take it, and it goes. */
TEST(a_bar_placed_over_a_parked_one_evicts_its_mappings)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0), c = pci_p2p_id(1, 0);

	place_mapped(b, a, 0xc0000000, 0x4000, hva);
	EXPECT_EQ(pci_p2p_park(&b->p, a, 0), 1);
	fake_pci_clear_log(&b->f);
	ASSERT_EQ(pci_p2p_place(&b->p, c, 0xc0002000, 0x2000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, c, 0, 0x2000, hva + 0x10000), 0);
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_DMA_UNMAP);
	EXPECT_EQ(b->f.log[0].addr, 0xc0000000);
	EXPECT_EQ(b->f.log[1].op, FAKE_DMA_MAP);
	EXPECT_EQ(b->f.log[1].addr, 0xc0002000);
	EXPECT_EQ(b->p.stats.refused, 0);
	/* the first, back at its old place, is now refused: c holds it */
	EXPECT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x4000), -EADDRINUSE);
	EXPECT_EQ(b->f.ndma, 1);
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST(flush_unmaps_what_was_parked_long_enough_and_says_when_next)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0), c = pci_p2p_id(0, 2);

	place_mapped(b, a, 0xc0000000, 0x1000, hva);
	place_mapped(b, c, 0xc0001000, 0x1000, hva + 0x1000);
	EXPECT_EQ(pci_p2p_park(&b->p, a, 100), 1);
	EXPECT_EQ(pci_p2p_park(&b->p, c, 300), 1);
	EXPECT_EQ(pci_p2p_flush(&b->p, 200, 250), 350);
	EXPECT_EQ(b->f.ndma, 2);
	EXPECT_EQ(pci_p2p_flush(&b->p, 350, 250), 550);
	EXPECT_EQ(b->f.ndma, 1);
	EXPECT_EQ(b->f.dma[0].iova, 0xc0001000);
	EXPECT_EQ(pci_p2p_flush(&b->p, 550, 250), 0);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_EQ(b->p.stats.unmaps, 2);
	/* flushed means gone: back at the old place, it maps anew */
	ASSERT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x1000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x1000, hva), 0);
	EXPECT_EQ(b->p.stats.maps, 3);
	EXPECT_EQ(b->p.stats.kept, 0);
	pci_p2p_release_all(&b->p);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

/* Nothing mapped (held, or never mapped): parking is releasing. */
TEST(parking_a_bar_with_nothing_mapped_releases_it)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0);

	pci_p2p_hold(&b->p);
	place_mapped(b, a, 0xc0000000, 0x1000, hva);
	EXPECT_EQ(pci_p2p_park(&b->p, a, 0), 0);
	EXPECT_FALSE(b->p.bar[a].placed);
	EXPECT_FALSE(b->p.bar[a].parked);
	EXPECT_EQ(pci_p2p_resume(&b->p), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	EXPECT_EQ(pci_p2p_park(&b->p, pci_p2p_id(3, 3), 0), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

/* A kept piece while held stays recorded and is mapped on resume. */
TEST(a_parked_bar_with_held_pieces_maps_them_on_resume)
{
	struct bench *b = bench_new();
	unsigned int a = pci_p2p_id(0, 0);

	ASSERT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x10000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x2000, hva), 0);
	pci_p2p_hold(&b->p);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0x4000, 0x2000, hva + 0x4000), 0);
	EXPECT_EQ(pci_p2p_park(&b->p, a, 0), 1);
	ASSERT_EQ(pci_p2p_place(&b->p, a, 0xc0000000, 0x10000), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0, 0x2000, hva), 0);
	ASSERT_EQ(pci_p2p_map(&b->p, a, 0x4000, 0x2000, hva + 0x4000), 0);
	EXPECT_EQ(b->p.bar[a].npieces, 2);
	EXPECT_EQ(b->f.ndma, 1);
	EXPECT_EQ(pci_p2p_resume(&b->p), 0);
	EXPECT_EQ(b->f.ndma, 2);
	EXPECT_EQ(b->p.stats.maps, 2);
	pci_p2p_release_all(&b->p);
	EXPECT_EQ(b->f.ndma, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(b);
}

TEST_MAIN()
