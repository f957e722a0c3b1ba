/* SPDX-License-Identifier: MIT */
/*
 * One passed-through PCI function as the guest sees it: a virtual config
 * space built from the physical one (header, emulated BARs, a rebuilt
 * capability chain), the MSI-X table and PBA, and MSI. Pure: every side
 * effect goes through struct pci_vdev_ops, which vfio/pci.c implements
 * with VFIO and KVM and the unit tests fake.
 *
 * The guest is untrusted: every entry point takes any offset, size and
 * value. Bad accesses are ignored (reads give all-ones) and counted.
 */
#ifndef PTVM_PCI_VDEV_H
#define PTVM_PCI_VDEV_H

#include <stdint.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci/irqops.h"
#include "pci/msi.h"
#include "pci/msix.h"

struct pci_vdev_ops {
	/* Physical config space (VFIO's config region). */
	int (*cfg_read)(void *opaque, unsigned int off, void *buf,
			unsigned int len);
	int (*cfg_write)(void *opaque, unsigned int off, const void *buf,
			 unsigned int len);
	/* A trapped access at off inside BAR bar, forwarded to the device. */
	int (*bar_read)(void *opaque, unsigned int bar, uint64_t off, void *buf,
			unsigned int len);
	int (*bar_write)(void *opaque, unsigned int bar, uint64_t off,
			 const void *buf, unsigned int len);
	/*
	 * BAR bar starts decoding at guest address addr (memory or I/O space
	 * by its kind), or stops. map comes when decoding is turned on with
	 * a valid address; unmap before it stops or moves.
	 */
	int (*bar_map)(void *opaque, unsigned int bar, uint64_t addr);
	int (*bar_unmap)(void *opaque, unsigned int bar, uint64_t addr);
	/*
	 * The guest asked for a function reset (an FLR): reset the device.
	 * The model has already put its own state back to power-on and
	 * stopped decoding and interrupts; the plumbing holds the guest's
	 * next accesses to the function until the device is done.
	 */
	int (*reset)(void *opaque);
	struct pci_irq_ops irq;
};

/* What VFIO said about the device. */
struct pci_vdev_config {
	uint64_t bar_size[PCI_STD_NUM_BARS]; /* region sizes; 0 = absent */
	int intx; /* INTx is wired: expose the interrupt pin */
	unsigned int msi_nvec, msix_nvec; /* VFIO's IRQ counts */
	int multifunction; /* other functions share its guest slot */
};

struct pci_vdev_bar_desc {
	int io, is64, prefetch;
	uint64_t size; /* 0: no BAR here (or the high half of a 64-bit one) */
};

struct pci_vdev_range {
	uint64_t off, len;
};

#define PCI_VDEV_MAX_TRAPS 2 /* the MSI-X table and the PBA */

struct pci_vdev_stats {
	uint64_t bad_cfg; /* odd-sized or unaligned config accesses */
	uint64_t ro_writes; /* writes that hit only read-only bits */
	uint64_t bad_bar; /* BAR accesses outside a BAR or of a bad size */
	uint64_t op_errors;
	uint64_t resets; /* function resets the guest asked for */
};

struct pci_vdev {
	const struct pci_vdev_ops *ops;
	void *opaque;
	unsigned int cfg_size; /* 256, or 4096 for PCI Express */
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE]; /* what the guest reads */
	uint8_t wmask[PCI_CFG_SPACE_EXP_SIZE]; /* bits the guest may change */
	/* cfg as the device came out of reset: what an FLR gives back */
	uint8_t cfg0[PCI_CFG_SPACE_EXP_SIZE];
	/*
	 * Device-specific bytes (after the header, in no capability): the
	 * guest reads and writes them on the device, as VFIO allows.
	 */
	uint8_t raw[PCI_CFG_SPACE_SIZE];
	struct pci_vdev_bar_desc bar[PCI_STD_NUM_BARS];
	uint64_t bar_addr[PCI_STD_NUM_BARS]; /* the address being decoded */
	uint8_t bar_mapped[PCI_STD_NUM_BARS];
	unsigned int msix_pos, msi_pos, exp_pos;
	unsigned int af_pos; /* Advanced Features, kept for its FLR */
	struct pci_msix msix;
	struct pci_msi msi;
	struct pci_vdev_stats stats;
};

/*
 * Reads the physical config space through ops and builds the guest's
 * view. -EINVAL when the device cannot be virtualized (config unreadable,
 * MSI-X table or PBA in an absent BAR or past its end).
 */
int pci_vdev_init(struct pci_vdev *d, const struct pci_vdev_ops *ops,
		  void *opaque, const struct pci_vdev_config *cfg);
/* Config space: off < 4096, len 1/2/4 naturally aligned, else ignored. */
void pci_vdev_cfg_read(struct pci_vdev *d, unsigned int off, unsigned int len,
		       uint32_t *val);
void pci_vdev_cfg_write(struct pci_vdev *d, unsigned int off, unsigned int len,
			uint32_t val);
/*
 * 1 if this config write would leave the device able to master the bus:
 * it sets Bus Master Enable, MSI Enable or MSI-X Enable. No side effect:
 * the caller may hold the write back (until DMA is ready) and retry it.
 */
int pci_vdev_write_masters(const struct pci_vdev *d, unsigned int off,
			   unsigned int len, uint32_t val);
/* A trapped access at off inside BAR bar: MSI-X table/PBA or forwarded. */
void pci_vdev_bar_read(struct pci_vdev *d, unsigned int bar, uint64_t off,
		       unsigned int len, uint64_t *val);
void pci_vdev_bar_write(struct pci_vdev *d, unsigned int bar, uint64_t off,
			unsigned int len, uint64_t val);
/* The plumbing saw an unrouted vector fire (index: VFIO_PCI_MSI*_IRQ_INDEX). */
void pci_vdev_irq_fired(struct pci_vdev *d, unsigned int index,
			unsigned int vec);
/* BAR bar's kind and size; -EINVAL for bar >= 6. */
int pci_vdev_bar_info(const struct pci_vdev *d, unsigned int bar,
		      struct pci_vdev_bar_desc *desc);
/* The parts of BAR bar that must trap rather than be mapped. */
unsigned int pci_vdev_bar_traps(const struct pci_vdev *d, unsigned int bar,
				struct pci_vdev_range *r, unsigned int max);
/* Firmware's initial assignment; decoding stays as it is. */
void pci_vdev_bar_set(struct pci_vdev *d, unsigned int bar, uint64_t addr);
/*
 * What firmware does after assigning: memory and I/O decoding on for the
 * kinds of BARs the device has (not bus mastering), on the device and in
 * the command register the guest reads; the BARs get mapped.
 */
void pci_vdev_decode_on(struct pci_vdev *d);
/* Power-on state: interrupts off physically, BARs not decoding. */
void pci_vdev_reset(struct pci_vdev *d);

#endif
