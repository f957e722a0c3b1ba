/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "memory.h"

void mem_layout(struct mem *m, const struct mem_map *map, uint8_t *base,
		uint64_t size)
{
	uint64_t room = map->low_end - map->ram_base;
	uint64_t low = size < room ? size : room;

	m->map = map;
	m->base = base;
	m->size = size;
	m->range[0] = (struct mem_range){ map->ram_base, low, base };
	m->range[1] = (struct mem_range){ map->high_base, size - low,
					  base ? base + low : NULL };
	m->nranges = size > low ? 2 : 1;
}

uint64_t mem_top_aligned(const struct mem *m)
{
	const struct mem_range *r = &m->range[m->nranges - 1];
	uint64_t top = r->gpa + r->size, align = m->map->mmio64_align;

	if (top < m->map->mmio64_min)
		top = m->map->mmio64_min;
	return (top + align - 1) & ~(align - 1);
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

int mem_alloc(struct mem *m, const struct mem_map *map, uint64_t size,
	      int hugepages)
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
	mem_layout(m, map, p, size);
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

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define PREFAULT_STEP (64ULL << 20) /* between looks at *stop */
#define PREFAULT_AUTO_MIN (1ULL << 30)
#define PREFAULT_AUTO_MAX 8

struct prefault_part {
	uint8_t *p;
	uint64_t len;
	const _Atomic int *stop;
	int err;
	int started;
	pthread_t thread;
};

/*
 * Faults every page of the part in for writing without changing a byte:
 * the guest may already run. MADV_POPULATE_WRITE where the kernel has it,
 * else a locked add of 0 per page.
 */
static void *prefault_part(void *arg)
{
	struct prefault_part *w = arg;
	uint64_t off, n, i;

	for (off = 0; off < w->len && !*w->stop; off += n) {
		n = w->len - off < PREFAULT_STEP ? w->len - off : PREFAULT_STEP;
		if (!madvise(w->p + off, n, MADV_POPULATE_WRITE))
			continue;
		if (errno != EINVAL) {
			w->err = -errno;
			break;
		}
		for (i = 0; i < n; i += 4096)
			__atomic_fetch_add(w->p + off + i, 0, __ATOMIC_RELAXED);
	}
	return NULL;
}

unsigned int mem_prefault_auto(uint64_t size)
{
	cpu_set_t set;
	int n;

	if (size < PREFAULT_AUTO_MIN || sched_getaffinity(0, sizeof(set), &set))
		return 0;
	n = CPU_COUNT(&set);
	if (n > PREFAULT_AUTO_MAX)
		n = PREFAULT_AUTO_MAX;
	return n >= 2 ? (unsigned int)n : 0;
}

int mem_prefault(const struct mem *m, unsigned int threads,
		 const _Atomic int *stop)
{
	struct prefault_part w[MEM_PREFAULT_MAX_THREADS];
	uint64_t part, off = 0;
	unsigned int i, n;
	int ret = 0;

	if (!threads || !m->size)
		return 0;
	if (threads > MEM_PREFAULT_MAX_THREADS)
		threads = MEM_PREFAULT_MAX_THREADS;
	/* parts of whole 2 MiB pages, so that hugepages split cleanly */
	part = (m->size / threads + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	for (n = 0; n < threads && off < m->size; n++, off += part)
		w[n] = (struct prefault_part){ .p = m->base + off,
					       .len = m->size - off < part
							      ? m->size - off
							      : part,
					       .stop = stop };
	/* the first part runs here, the others on threads of their own */
	for (i = 1; i < n; i++)
		w[i].started = !pthread_create(&w[i].thread, NULL,
					       prefault_part, &w[i]);
	prefault_part(&w[0]);
	for (i = 0; i < n; i++) {
		if (i && w[i].started)
			pthread_join(w[i].thread, NULL);
		else if (i)
			prefault_part(&w[i]); /* no thread: here, in turn */
		if (w[i].err && !ret)
			ret = w[i].err;
	}
	return ret;
}
