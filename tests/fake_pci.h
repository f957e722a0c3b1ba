/* SPDX-License-Identifier: MIT */
/*
 * A fake passed-through PCI function for the pci/ unit tests: it
 * implements struct pci_vdev_ops (and the pci_irq_ops inside it) over a
 * 256-byte physical config space the test builds, six small BARs of
 * storage, and a log of every op call with its arguments.
 *
 * It also keeps the physical state those calls imply (which interrupt
 * index is on, which vectors are routed, which BARs are mapped) and
 * counts every call that makes no sense in that state: a second enable,
 * a route while off, MSI and MSI-X on at once, an unmap of a BAR that is
 * not mapped. A test that ends with violations == 0 has driven the ops in
 * an order real VFIO and KVM would accept.
 */
#ifndef PTVM_TESTS_FAKE_PCI_H
#define PTVM_TESTS_FAKE_PCI_H

#include <stdint.h>

#include "pci/p2p.h"
#include "pci/vdev.h"

#define FAKE_BAR_BYTES 0x4000 /* storage behind each BAR */
#define FAKE_MAX_CALLS 4096
#define FAKE_NIDX (VFIO_PCI_MSIX_IRQ_INDEX + 1) /* indexed like VFIO */
#define FAKE_MAX_VEC 2048
#define FAKE_MAX_DMA 64 /* IOMMU mappings held at once */

enum fake_op {
	FAKE_CFG_READ,
	FAKE_CFG_WRITE,
	FAKE_BAR_READ,
	FAKE_BAR_WRITE,
	FAKE_BAR_MAP,
	FAKE_BAR_UNMAP,
	FAKE_IRQ_ENABLE,
	FAKE_IRQ_DISABLE,
	FAKE_IRQ_ROUTE,
	FAKE_IRQ_UNROUTE,
	FAKE_IRQ_INJECT,
	FAKE_RESET, /* the device's function reset */
	FAKE_DMA_MAP, /* struct pci_p2p_ops: iova in addr, size in off */
	FAKE_DMA_UNMAP,
	FAKE_NOPS
};

/*
 * One op call. cfg_*: off, len. bar_read/write: bar, off, len.
 * bar_(un)map: bar, addr. irq_*: index, vec (nvec for irq_enable), and
 * for irq_route the message addr and data.
 */
struct fake_call {
	enum fake_op op;
	unsigned int bar, index, vec, len;
	uint64_t off, addr;
	uint32_t data;
};

struct fake_pci {
	uint8_t cfg[256]; /* the physical config space */
	uint8_t bar[PCI_STD_NUM_BARS][FAKE_BAR_BYTES];
	struct pci_vdev_config conf; /* what "VFIO" reports */
	int fail[FAKE_NOPS]; /* make this op return -EIO */

	struct fake_call log[FAKE_MAX_CALLS];
	unsigned int ncalls, lost; /* lost: calls past the end of log */
	struct fake_call spill; /* where those go */

	/* the physical state the calls so far imply */
	unsigned int irq_on[FAKE_NIDX]; /* nvec enabled, 0 = off */
	uint8_t routed[FAKE_NIDX][FAKE_MAX_VEC];
	uint64_t route_addr[FAKE_NIDX][FAKE_MAX_VEC];
	uint32_t route_data[FAKE_NIDX][FAKE_MAX_VEC];
	uint8_t mapped[PCI_STD_NUM_BARS];
	uint64_t map_addr[PCI_STD_NUM_BARS];
	/* the IOMMU mappings made through fake_pci_dma_ops, not yet undone */
	unsigned int ndma;
	uint64_t dma_limit; /* 0: no address width limit */
	struct {
		uint64_t iova, size;
		void *hva;
	} dma[FAKE_MAX_DMA];
	unsigned int violations;
	char why[160]; /* the first violation */
};

extern const struct pci_vdev_ops fake_pci_ops;
/*
 * An IOMMU (opaque: a struct fake_pci): maps must not overlap what is
 * mapped, unmaps must match a mapping exactly; fail[FAKE_DMA_MAP] refuses
 * maps with -EINVAL, and so does an iova at or above dma_limit if set.
 */
extern const struct pci_p2p_ops fake_pci_dma_ops;

/*
 * A type 0 function with this vendor and device ID, class 0x020000,
 * status 66MHz|DEVSEL medium, interrupt pin A, no BARs, no capabilities.
 */
void fake_pci_init(struct fake_pci *f, uint16_t vendor, uint16_t device);
void fake_pci_set8(struct fake_pci *f, unsigned int off, uint8_t v);
void fake_pci_set16(struct fake_pci *f, unsigned int off, uint16_t v);
void fake_pci_set32(struct fake_pci *f, unsigned int off, uint32_t v);
uint32_t fake_pci_get(const struct fake_pci *f, unsigned int off,
		      unsigned int len);
/* BAR bar: its low flag bits (PCI_BASE_ADDRESS_*) and VFIO region size. */
void fake_pci_bar(struct fake_pci *f, unsigned int bar, uint32_t flags,
		  uint64_t size);
/* The header points at pos (0 clears the Capabilities List bit). */
void fake_pci_caps_start(struct fake_pci *f, unsigned int pos);
/* A capability header (id, next) at pos; the body is left alone. */
void fake_pci_cap(struct fake_pci *f, unsigned int pos, unsigned int id,
		  unsigned int next);
/* MSI-X with nvec vectors (VFIO gets as many) and its table and PBA. */
void fake_pci_msix_cap(struct fake_pci *f, unsigned int pos, unsigned int next,
		       unsigned int nvec, uint32_t table, uint32_t pba);
/* MSI with these message control flags; VFIO reports vfio_count. */
void fake_pci_msi_cap(struct fake_pci *f, unsigned int pos, unsigned int next,
		      uint16_t flags, unsigned int vfio_count);
/* PCI Express with these capability flags (version, port type). */
void fake_pci_exp_cap(struct fake_pci *f, unsigned int pos, unsigned int next,
		      uint16_t flags);

/* pci_vdev_init over the fake, with f->conf. */
int fake_pci_vdev_init(struct pci_vdev *d, struct fake_pci *f);

/* A fake and the model over it; too big for a stack, so allocated. */
struct fake_bench {
	struct fake_pci f;
	struct pci_vdev d;
};

/* A fresh fake_pci_init()ed bench, not yet pci_vdev_init()ed; never NULL. */
struct fake_bench *fake_bench_new(uint16_t vendor, uint16_t device);
/* 1 if the ops were driven sanely so far; else dumps the log, gives 0. */
int fake_pci_ok(const struct fake_pci *f);

void fake_pci_clear_log(struct fake_pci *f);
/* Calls of op logged so far (for irq ops of this index if index >= 0). */
unsigned int fake_pci_count(const struct fake_pci *f, enum fake_op op,
			    int index);
/* The nth such call (from 0), or NULL. */
const struct fake_call *fake_pci_nth(const struct fake_pci *f, enum fake_op op,
				     int index, unsigned int nth);
/* Log position of the nth such call, or -1. */
int fake_pci_pos(const struct fake_pci *f, enum fake_op op, int index,
		 unsigned int nth);
/* Vectors of index routed right now. */
unsigned int fake_pci_nrouted(const struct fake_pci *f, unsigned int index);
/* Prints the log to stdout as TAP comments (for a failing test). */
void fake_pci_dump(const struct fake_pci *f);

/* The guest's config accesses, as the tests write them. */
static inline uint32_t rd(struct pci_vdev *d, unsigned int off,
			  unsigned int len)
{
	uint32_t v = 0xdeadbeef; /* a read that forgets to answer shows */

	pci_vdev_cfg_read(d, off, len, &v);
	return v;
}

static inline void wr(struct pci_vdev *d, unsigned int off, unsigned int len,
		      uint32_t v)
{
	pci_vdev_cfg_write(d, off, len, v);
}

/* Writes all-ones, reads the answer, restores the address: how Linux sizes. */
static inline uint32_t size_bar(struct pci_vdev *d, unsigned int bar)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t old = rd(d, reg, 4), v;

	wr(d, reg, 4, 0xffffffff);
	v = rd(d, reg, 4);
	wr(d, reg, 4, old);
	return v;
}

#endif
