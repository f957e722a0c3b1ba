/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "boot/layout.h"
#include "memory.h"

void mem_layout(struct mem *m, uint8_t *base, uint64_t size)
{
	uint64_t low = size < LAYOUT_LOWMEM_END ? size : LAYOUT_LOWMEM_END;

	m->base = base;
	m->size = size;
	m->range[0] = (struct mem_range){ 0, low, base };
	m->range[1] = (struct mem_range){ LAYOUT_4G, size - low,
					  base ? base + low : NULL };
	m->nranges = size > low ? 2 : 1;
}

uint64_t mem_top_aligned(const struct mem *m)
{
	const struct mem_range *r = &m->range[m->nranges - 1];
	uint64_t top = r->gpa + r->size;

	if (top < LAYOUT_4G)
		top = LAYOUT_4G;
	return (top + LAYOUT_MMIO64_ALIGN - 1) & ~(LAYOUT_MMIO64_ALIGN - 1);
}

void *mem_gpa(const struct mem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nranges; i++) {
		const struct mem_range *r = &m->range[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int mem_alloc(struct mem *m, uint64_t size, int hugepages)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;

	/*
	 * Hugepages are reserved at mmap time, so that a short pool fails
	 * here with a clear line rather than as SIGBUS on first touch.
	 */
	if (hugepages)
		flags = (flags & ~MAP_NORESERVE) | MAP_HUGETLB;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* Guest RAM is of no use in a core dump, and may be large. */
	madvise(p, size, MADV_DONTDUMP);
	mem_layout(m, p, size);
	m->hugepages = hugepages;
	return 0;
}

void mem_free(struct mem *m)
{
	if (m->base)
		munmap(m->base, m->size);
	m->base = NULL;
}

int mem_kvm_register(const struct mem *m, int vm_fd)
{
	unsigned int i;

	for (i = 0; i < m->nranges; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = m->range[i].gpa,
			.memory_size = m->range[i].size,
			.userspace_addr = (uintptr_t)m->range[i].hva,
		};

		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return -errno;
	}
	return 0;
}
