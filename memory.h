/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one anonymous host mapping, seen by the guest as up to two
 * ranges around the arch's PCI hole (struct mem_map: x86 has RAM at 0 up to
 * 3 GiB and the rest above 4 GiB, arm64 one range from 1 GiB). Every guest
 * address ptvm touches goes through mem_gpa(), the one checked translation.
 */
#ifndef PTVM_MEMORY_H
#define PTVM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct mem_range {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

/*
 * Where an arch puts guest RAM (arch/<arch>/layout.h): from ram_base up to
 * low_end, the rest from high_base; the 64-bit PCI window starts above RAM
 * and above mmio64_min, aligned to mmio64_align.
 */
struct mem_map {
	uint64_t ram_base, low_end, high_base;
	uint64_t mmio64_min, mmio64_align;
};

struct mem {
	const struct mem_map *map;
	uint8_t *base; /* host mapping of all guest RAM */
	uint64_t size; /* total guest RAM */
	struct mem_range range[2]; /* low, high (size 0 if absent) */
	unsigned int nranges;
	int hugepages;
};

/* Splits size bytes of RAM around the PCI hole; base may be NULL (unit tests). */
void mem_layout(struct mem *m, const struct mem_map *map, uint8_t *base,
		uint64_t size);

/* First guest address above RAM, aligned: where the 64-bit PCI window starts. */
uint64_t mem_top_aligned(const struct mem *m);

/*
 * Host pointer for [gpa, gpa + len) if that whole range is guest RAM,
 * else NULL. Never trusts gpa or len: overflow is checked.
 */
void *mem_gpa(const struct mem *m, uint64_t gpa, uint64_t len);

/* Maps guest RAM (MAP_HUGETLB when hugepages), laid out by map. 0 or -errno. */
int mem_alloc(struct mem *m, const struct mem_map *map, uint64_t size,
	      int hugepages);
void mem_free(struct mem *m);

#define MEM_PREFAULT_MAX_THREADS 16
/*
 * Faults all guest RAM in for writing on threads parallel threads (the
 * calling one among them), leaving its contents as they are; stops early
 * once *stop is set. 0 or the first -errno.
 */
int mem_prefault(const struct mem *m, unsigned int threads,
		 const _Atomic int *stop);
/*
 * The thread count where prefaulting pays: the host CPUs this process may
 * run on (at most 8), for 1 GiB of RAM or more;
 * 0 (none) with one CPU, where pinning faults the pages in as fast.
 */
unsigned int mem_prefault_auto(uint64_t size);

/* Registers the RAM ranges as KVM memory slots 0 and 1. 0 or -errno. */
int mem_kvm_register(const struct mem *m, int vm_fd);
/* First slot number free for others (BAR mappings). */
#define MEM_SLOT_FIRST_FREE 2

#endif
