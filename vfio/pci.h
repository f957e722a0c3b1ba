/* SPDX-License-Identifier: MIT */
/*
 * A passed-through PCI function: the VFIO device, the pure model of what the
 * guest sees (pci/vdev.h), and the plumbing between them that the model
 * drives through its ops: BAR mmaps as KVM memory slots, forwarded region
 * accesses, and interrupts wired VFIO eventfd -> KVM irqfd.
 */
#ifndef PTVM_VFIO_PCI_H
#define PTVM_VFIO_PCI_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "pci/vdev.h"
#include "vfio/vfio.h"
#include "vmm.h"

#define PTDEV_BAR_PIECES 4 /* KVM slots per BAR: mmap-able parts around traps */

struct ptdev;

struct ptdev_vec {
	struct ptdev *pt;
	unsigned int index, vec;
	int efd;
	int gsi; /* -1 until first routed */
	int routed; /* irqfd bound: fires go straight into the guest */
	int watched; /* in the loop's epoll set: fires are counted as pending */
	struct vm_source src;
};

struct ptdev_bar {
	int decoded;
	uint64_t addr, size;
	int io;
	unsigned int nslots;
	struct {
		unsigned int slot;
		uint64_t off, size;
	} piece[PTDEV_BAR_PIECES];
};

#define PTDEV_STATS_VECS 64

/* Counted by the loop for --stats: trapped guest accesses by region. */
struct ptdev_stats {
	uint64_t cfg; /* config space, through 0xcf8/0xcfc or ECAM */
	uint64_t msix_table, msix_pba;
	uint64_t bar[PCI_STD_NUM_BARS]; /* other trapped BAR accesses */
	uint64_t route_changes; /* KVM routes made or changed */
	/* resets the guest asked for: done, failed, time in them */
	uint64_t resets, reset_failed, reset_ns, reset_max_ns;
	/* the same per vector: [0] MSI, [1] MSI-X; the first 64 vectors */
	uint64_t vec_routes[2][PTDEV_STATS_VECS];
};

/* VFIO's error and request notifications (vfio/notify.c). */
#define PTDEV_NOTIFY 2
struct ptdev_notify {
	struct ptdev *pt;
	unsigned int kind; /* 0: error, 1: request */
	unsigned int index; /* VFIO_PCI_ERR_IRQ_INDEX or _REQ_ */
	int efd; /* -1: not wired */
	struct vm_source src;
};

/* A function reset the guest asked for, on its own thread (vfio/reset.c). */
struct ptdev_reset {
	pthread_t thread;
	int efd; /* -1 until the first reset: the thread's "done" */
	int running, err;
	uint64_t t0;
	struct vm_source src;
};

struct ptdev {
	struct vm *vm;
	unsigned int index; /* among the VM's devices */
	unsigned int slot; /* guest PCI slot on bus 0 */
	unsigned int devfn; /* its requester ID there: slot << 3 | fn */
	struct vfio_dev dev;
	struct pci_vdev vdev;
	struct ptdev_bar bar[PCI_STD_NUM_BARS];
	struct ptdev_vec *vec[VFIO_PCI_NUM_IRQS];
	unsigned int nvec[VFIO_PCI_NUM_IRQS];
	int intx_efd, intx_resample, intx_gsi, intx_on;
	struct ptdev_stats stats;
	struct ptdev_notify notify[PTDEV_NOTIFY];
	struct ptdev_reset reset;
	uint64_t warned_bad, warned_ns; /* rate limit of the bad-access line */
};

/*
 * Opens bdf in group g (attached, with the IOMMU set), builds the guest's
 * view of it at guest slot.fn, and registers it on the VM's host bridge. -errno on failure,
 * with nothing left open.
 */
int ptdev_open(struct ptdev *pt, struct vm *vm, struct vfio_group *g,
	       const char *bdf, unsigned int index, unsigned int slot,
	       unsigned int fn, int multifunction);
/* Resets the device where it can and releases everything ptdev_open took. */
void ptdev_close(struct ptdev *pt);

/*
 * A trapped guest access at guest address addr (MMIO, or PIO when io):
 * 1 if one of pt's BARs decodes it (and it was handled), else 0.
 */
int ptdev_access(struct ptdev *pt, int io, uint64_t addr, unsigned int len,
		 int write, uint8_t *data);

#endif
