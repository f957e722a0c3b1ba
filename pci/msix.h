/* SPDX-License-Identifier: MIT */
/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2), as ptvm emulates it for a passed-through
 * function: the guest's view (enable, function mask, the table, the PBA)
 * and the physical state (VFIO enabled, which vectors are routed with which
 * message) are tracked apart. Nothing physical happens until the guest sets
 * the enable bit: enabling early changes what some devices show in their
 * BARs (the kvmtool thread in shared/seed). Pure.
 */
#ifndef PTVM_PCI_MSIX_H
#define PTVM_PCI_MSIX_H

#include <stdint.h>

#include "pci/irqops.h"

#define PCI_MSIX_MAX 2048
#define PCI_MSIX_ENTRY 16

struct pci_msix_stats {
	uint64_t bad_access; /* odd-sized, unaligned or out of range */
	uint64_t op_errors; /* ops that failed */
	uint64_t routes; /* irq_route calls */
};

struct pci_msix {
	const struct pci_irq_ops *ops;
	void *opaque;
	unsigned int nvec;
	unsigned int table_bar, pba_bar;
	uint32_t table_off, pba_off;
	/* virtual */
	uint16_t ctrl; /* PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL */
	uint32_t table[PCI_MSIX_MAX]
		      [4]; /* addr lo, addr hi, data, vector control */
	uint64_t pending[PCI_MSIX_MAX / 64];
	/* physical */
	int enabled;
	uint8_t routed[PCI_MSIX_MAX];
	uint64_t route_addr[PCI_MSIX_MAX];
	uint32_t route_data[PCI_MSIX_MAX];
	struct pci_msix_stats stats;
};

/*
 * nvec vectors (1..PCI_MSIX_MAX); table and PBA locations as the
 * capability gives them (BIR and offset). Every vector starts masked.
 */
void pci_msix_init(struct pci_msix *m, const struct pci_irq_ops *ops,
		   void *opaque, unsigned int nvec, uint32_t table,
		   uint32_t pba);
/*
 * The guest wrote the message control word (ENABLE and MASKALL count).
 * The caller turns MSI off first: the two are never on at once.
 */
void pci_msix_ctrl_write(struct pci_msix *m, uint16_t ctrl);
/* 1 if [off, off+len) of BAR bar falls in the table or the PBA. */
int pci_msix_claims(const struct pci_msix *m, unsigned int bar, uint64_t off,
		    unsigned int len);
/* Table and PBA accesses: off relative to the BAR; 4 or 8 bytes aligned. */
void pci_msix_read(struct pci_msix *m, unsigned int bar, uint64_t off,
		   unsigned int len, uint64_t *val);
void pci_msix_write(struct pci_msix *m, unsigned int bar, uint64_t off,
		    unsigned int len, uint64_t val);
/* An unrouted vector fired: pending while masked, delivered otherwise. */
void pci_msix_fired(struct pci_msix *m, unsigned int vec);
/* Back to power-on: physically off, all masked, nothing pending. */
void pci_msix_reset(struct pci_msix *m);

#endif
