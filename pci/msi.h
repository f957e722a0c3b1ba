/* SPDX-License-Identifier: MIT */
/*
 * MSI (PCI Local Bus 3.0, 6.8.1) as ptvm emulates it: the capability's
 * registers are virtual; routes are made when the guest enables MSI and
 * follow what it programs (32- or 64-bit address, multiple messages,
 * per-vector masking when the device has it). Pure.
 */
#ifndef PTVM_PCI_MSI_H
#define PTVM_PCI_MSI_H

#include <stdint.h>

#include "pci/irqops.h"

#define PCI_MSI_MAX 32
#define PCI_MSI_REGS 24 /* the largest layout: 64-bit with masking */

struct pci_msi {
	const struct pci_irq_ops *ops;
	void *opaque;
	unsigned int size; /* bytes of the capability: 10, 14, 20 or 24 */
	unsigned int maxvec; /* what the device and VFIO both allow */
	int is64, maskable;
	uint8_t regs[PCI_MSI_REGS]; /* virtual, from the capability header on */
	uint8_t wmask[PCI_MSI_REGS];
	int blocked; /* MSI-X is on: MSI stays physically off */
	/* physical */
	unsigned int enabled; /* vectors VFIO has on; 0 = off */
	uint8_t routed[PCI_MSI_MAX];
	uint64_t route_addr[PCI_MSI_MAX];
	uint32_t route_data[PCI_MSI_MAX];
	uint64_t op_errors;
};

/*
 * cap: the physical capability bytes from its ID on (PCI_MSI_REGS of
 * them); vfio_count: vectors VFIO reports. The next pointer is the
 * caller's business.
 */
void pci_msi_init(struct pci_msi *m, const struct pci_irq_ops *ops,
		  void *opaque, const uint8_t *cap, unsigned int vfio_count);
/* Reads and writes at off inside the capability (off < m->size). */
uint32_t pci_msi_read(const struct pci_msi *m, unsigned int off,
		      unsigned int len);
void pci_msi_write(struct pci_msi *m, unsigned int off, unsigned int len,
		   uint32_t val);
/* 1 if the guest has the enable bit set. */
int pci_msi_enabled(const struct pci_msi *m);
/* MSI-X went on (block = 1) or off: MSI follows, never on together. */
void pci_msi_block(struct pci_msi *m, int block);
void pci_msi_fired(struct pci_msi *m, unsigned int vec);
void pci_msi_reset(struct pci_msi *m);

#endif
