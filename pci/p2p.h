/* SPDX-License-Identifier: MIT */
/*
 * Where passed-through memory BARs may sit in the guest's bus address
 * space, and their peer-to-peer DMA mappings. Pure: the IOMMU is reached
 * through struct pci_p2p_ops (vfio/devices.c implements it with
 * VFIO_IOMMU_MAP_DMA; the unit tests fake it).
 *
 * The one decision of whether a BAR may be mapped at an address lives
 * here: a BAR over a reserved range (guest RAM, ECAM, the APICs) or over
 * another BAR that holds its place is refused, counted, and then traps
 * (no KVM slot, no IOMMU mapping). A BAR that holds its place gets its
 * mmap-able parts mapped in the IOMMU at its guest address, so devices
 * can DMA to it (their own BAR or a peer's). A map the IOMMU refuses
 * (an address past its width) is counted; the BAR keeps its place and
 * its KVM slots.
 *
 * A BAR whose decoding the guest turns off is parked, not unmapped: its
 * IOMMU mappings stay where they were for a while. Linux turns decoding
 * off and on around the sizing of every BAR; when it comes back on at the
 * same place, the mappings are taken up again as they are, where an unmap
 * and a map of a 1 GiB BAR cost over half a second each in the sandbox. A
 * parked mapping only ever reaches the guest's own device memory; it goes
 * when a BAR is placed over it, when its BAR comes back elsewhere, when
 * pci_p2p_flush finds it parked long enough, and at teardown.
 */
#ifndef PTVM_PCI_P2P_H
#define PTVM_PCI_P2P_H

#include <stdint.h>

#include <linux/pci_regs.h>

#include "opts.h"

struct pci_p2p_ops {
	int (*dma_map)(void *opaque, uint64_t iova, void *hva, uint64_t size);
	int (*dma_unmap)(void *opaque, uint64_t iova, uint64_t size);
};

#define PCI_P2P_MAX_RESERVED 8
#define PCI_P2P_MAX_BARS (OPTS_MAX_DEVICES * PCI_STD_NUM_BARS)
#define PCI_P2P_MAX_PIECES 8 /* VFIO's sparse areas per BAR */
#define PCI_P2P_PAGE 4096ULL

struct pci_p2p_bar {
	int placed; /* holds [addr, addr + size) */
	int parked; /* not placed, its mappings kept at addr (pci_p2p_park) */
	uint64_t parked_ns; /* since when */
	uint64_t addr, size;
	unsigned int npieces; /* IOMMU mappings wanted, in BAR offsets */
	struct {
		uint64_t off, size;
		void *hva; /* host memory behind BAR offset off */
		int mapped; /* 0 only while the mappings are held */
	} piece[PCI_P2P_MAX_PIECES];
};

struct pci_p2p_stats {
	uint64_t maps, unmaps; /* IOMMU map and unmap calls that succeeded */
	uint64_t map_failed, unmap_failed; /* refused by the IOMMU */
	uint64_t refused; /* BARs over reserved ranges or other BARs */
	uint64_t kept; /* parked BARs placed again where they were */
};

struct pci_p2p {
	const struct pci_p2p_ops *ops;
	void *opaque;
	unsigned int nreserved;
	struct {
		uint64_t addr, size;
	} reserved[PCI_P2P_MAX_RESERVED];
	struct pci_p2p_bar bar[PCI_P2P_MAX_BARS];
	int held; /* pci_p2p_hold: maps are recorded, not made */
	struct pci_p2p_stats stats;
};

/* BAR bar of device dev (index among the VM's devices) as an id. */
static inline unsigned int pci_p2p_id(unsigned int dev, unsigned int bar)
{
	return dev * PCI_STD_NUM_BARS + bar;
}

void pci_p2p_init(struct pci_p2p *p, const struct pci_p2p_ops *ops,
		  void *opaque);
/* A range no BAR may cover (RAM, ECAM, APICs). -ENOSPC when full. */
int pci_p2p_reserve(struct pci_p2p *p, uint64_t addr, uint64_t size);
/*
 * BAR id takes [addr, addr + size) (releasing its old place first).
 * -EADDRINUSE, counted, if that overlaps a reserved range or another
 * placed BAR (or wraps); -EINVAL for a bad id or size 0.
 */
int pci_p2p_place(struct pci_p2p *p, unsigned int id, uint64_t addr,
		  uint64_t size);
/*
 * Maps [off, off + size) of placed BAR id, backed by host memory at hva
 * (hva is the host address of BAR offset off), at its guest address plus
 * off. Cut inward to whole pages and to the BAR; nothing left is 0. The
 * op's -errno when the IOMMU refuses (counted; nothing is mapped).
 */
int pci_p2p_map(struct pci_p2p *p, unsigned int id, uint64_t off, uint64_t size,
		void *hva);
/*
 * Until pci_p2p_resume, maps are only recorded (no device can master the
 * bus yet, and the IOMMU is busy mapping guest RAM); places and refusals
 * work as always.
 */
void pci_p2p_hold(struct pci_p2p *p);
/* Makes the recorded maps. 0, or the first refusal's -errno (counted). */
int pci_p2p_resume(struct pci_p2p *p);
/* Unmaps everything of BAR id and gives up its place. */
void pci_p2p_release(struct pci_p2p *p, unsigned int id);
/*
 * Gives up BAR id's place but keeps its IOMMU mappings (parked since
 * now_ns), until pci_p2p_place puts it back at the same address and size
 * (then pci_p2p_map finds its pieces mapped already) or somewhere else,
 * another BAR is placed over it, or pci_p2p_flush. A BAR with nothing
 * mapped is released. 1 when something was parked.
 */
int pci_p2p_park(struct pci_p2p *p, unsigned int id, uint64_t now_ns);
/*
 * Unmaps the BARs parked for age_ns or more. Returns when the next of the
 * others is due (its park time + age_ns), or 0 when none is parked.
 */
uint64_t pci_p2p_flush(struct pci_p2p *p, uint64_t now_ns, uint64_t age_ns);
/* The same for every BAR: nothing stays mapped. */
void pci_p2p_release_all(struct pci_p2p *p);

#endif
