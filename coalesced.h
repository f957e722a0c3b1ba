/* SPDX-License-Identifier: MIT */
/*
 * KVM's coalesced I/O ring (KVM_REGISTER_COALESCED_MMIO, linux/kvm.h): a
 * page shared with the kernel in which KVM queues guest writes to a
 * registered zone instead of exiting. KVM fills entries at `last` and
 * advances it; the reader consumes from `first` and advances that. One
 * entry always stays free, so first == last means empty. When the ring
 * is full KVM stops queueing and exits as for any other write, so a
 * reader that drains the ring before it handles an exit sees the writes
 * in guest order. (Kernels before the 2024 fix "KVM: Fix
 * coalesced_mmio_has_room() to avoid premature userspace exit" compute
 * the room with unsigned wrap-around: some writes exit although there is
 * room, which is harmless, and a ring filled from entry 0 to the end is
 * taken for empty, which loses those writes; only a guest that writes
 * 0xcf8 169 times in a row without another exit gets there, Linux never
 * does. tests/test_kvm_ring.c checks the running kernel.)
 */
#ifndef PTVM_COALESCED_H
#define PTVM_COALESCED_H

#include <stdint.h>

#include <linux/kvm.h>

/* Entries in a ring page of page_size bytes (KVM_COALESCED_MMIO_MAX). */
static inline uint32_t coalesced_max(unsigned long page_size)
{
	return (uint32_t)((page_size - sizeof(struct kvm_coalesced_mmio_ring)) /
			  sizeof(struct kvm_coalesced_mmio));
}

struct coalesced_ring {
	struct kvm_coalesced_mmio_ring *r; /* NULL: no ring, nothing queued */
	uint32_t max; /* coalesced_max() of the kernel's page size */
	uint64_t replayed; /* entries handed to fn */
	uint64_t bad_index; /* first or last out of range, ring reset */
};

/* Called for each queued write, oldest first. */
typedef void coalesced_fn(void *opaque, const struct kvm_coalesced_mmio *e);

/*
 * Hands every entry queued now to fn, oldest first, and frees it. Reads
 * at most max - 1 entries (a full ring), so it ends even while vCPUs keep
 * queueing. Only one thread may drain a ring. Returns the number replayed.
 */
unsigned int coalesced_drain(struct coalesced_ring *c, coalesced_fn *fn,
			     void *opaque);

#endif
