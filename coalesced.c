/* SPDX-License-Identifier: MIT */
/*
 * Draining KVM's coalesced ring (coalesced.h). The kernel's side, in
 * virt/kvm/coalesced_mmio.c: under a spinlock it reads last, refuses the
 * write if the ring is full, fills entry[last], issues a write barrier and
 * stores last + 1 (mod max). Our side pairs with it: an acquire load of
 * last before reading entries, and a release store of first after an
 * entry is copied, so that the kernel never reuses an entry we read.
 */
#include "coalesced.h"

unsigned int coalesced_drain(struct coalesced_ring *c, coalesced_fn *fn,
			     void *opaque)
{
	struct kvm_coalesced_mmio_ring *r = c->r;
	uint32_t first, last;
	unsigned int n = 0;

	if (!r)
		return 0;
	first = __atomic_load_n(&r->first, __ATOMIC_RELAXED); /* ours */
	last = __atomic_load_n(&r->last, __ATOMIC_ACQUIRE);
	if (first >= c->max || last >= c->max) {
		/* Not written by a sane kernel; start over where KVM is. */
		c->bad_index++;
		__atomic_store_n(&r->first, last < c->max ? last : 0,
				 __ATOMIC_RELEASE);
		return 0;
	}
	/* Only what was queued when we looked: at most max - 1 entries. */
	while (first != last) {
		struct kvm_coalesced_mmio e = r->coalesced_mmio[first];

		first = (first + 1) % c->max;
		__atomic_store_n(&r->first, first, __ATOMIC_RELEASE);
		fn(opaque, &e);
		n++;
	}
	c->replayed += n;
	return n;
}
