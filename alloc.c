/* SPDX-License-Identifier: MIT */
/*
 * malloc for ptvm: every allocation is a mapping of its own. ptvm
 * allocates a few dozen objects, all at setup (the VM, the kernel image,
 * the devices' tables, a FILE), and none on the paths a running guest
 * takes, so musl's general-purpose allocator (mallocng, about 6 KiB of a
 * binary that must stay under 100 KiB) buys nothing. musl takes these
 * definitions in place of its own (it supports replacing malloc).
 * Fresh anonymous mappings are zeroed, which calloc relies on.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

/* A header in front of each block: the mapping's length. */
#define ALLOC_HDR 16

void *malloc(size_t n)
{
	size_t *p;

	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	p = mmap(NULL, n + ALLOC_HDR, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	p[0] = n + ALLOC_HDR;
	return (char *)p + ALLOC_HDR;
}

void free(void *q)
{
	size_t *p;

	if (!q)
		return;
	p = (size_t *)((char *)q - ALLOC_HDR);
	munmap(p, p[0]);
}

void *calloc(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(a * b);
}

void *realloc(void *q, size_t n)
{
	size_t old;
	void *r;

	if (!q)
		return malloc(n);
	old = ((size_t *)((char *)q - ALLOC_HDR))[0] - ALLOC_HDR;
	r = malloc(n);
	if (!r)
		return NULL;
	memcpy(r, q, old < n ? old : n);
	free(q);
	return r;
}
