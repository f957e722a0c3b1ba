/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM into the VFIO container: prefaulted on parallel threads, then
 * mapped in chunks. Either before the guest starts (--dma-map=before), or
 * on a thread of its own while the guest boots (the default): the mapper
 * touches only guest memory and the container fd, and tells the loop
 * through an eventfd when it is done. Until then the loop holds back
 * every config write that would let a device master the bus (vmm.c).
 */
#ifndef PTVM_VFIO_DMAMAP_H
#define PTVM_VFIO_DMAMAP_H

#include <pthread.h>
#include <stdint.h>

#include "memory.h"
#include "vfio/vfio.h"

/* Mapped per VFIO_IOMMU_MAP_DMA: the longest a stop waits for the mapper. */
#define DMAMAP_CHUNK (256ULL << 20)

struct dmamap {
	struct vfio *vfio;
	const struct mem *mem;
	unsigned int prefault_threads;
	_Atomic int stop; /* set by the loop: give up between chunks */
	/* the outcome, read by the loop after done_fd fired or the join */
	int err; /* 0 or -errno */
	uint64_t fail_gpa; /* the chunk the IOMMU refused */
	uint64_t prefault_ns, map_ns;
	/* the thread */
	int done_fd; /* eventfd, written once when the thread ends; -1 */
	pthread_t thread;
	int started;
};

/* Prefaults and maps all of guest RAM here and now; 0 or d->err. */
int dmamap_run(struct dmamap *d);
/*
 * The same on a thread; d->done_fd becomes readable when it ends. 0 or
 * -errno (no thread).
 */
int dmamap_start(struct dmamap *d);
/* Waits for the thread (asking it to stop first if stop); idempotent. */
void dmamap_join(struct dmamap *d, int stop);

#endif
