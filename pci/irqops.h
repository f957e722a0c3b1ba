/* SPDX-License-Identifier: MIT */
/*
 * The interrupt side effects the MSI and MSI-X models ask for; vfio/pci.c
 * does them with VFIO_DEVICE_SET_IRQS and KVM irqfds, tests with fakes.
 * index is VFIO_PCI_MSI_IRQ_INDEX or VFIO_PCI_MSIX_IRQ_INDEX. 0 or -errno.
 */
#ifndef PTVM_PCI_IRQOPS_H
#define PTVM_PCI_IRQOPS_H

#include <stdint.h>

struct pci_irq_ops {
	/* Physical enable with nvec vectors, each with its own eventfd. */
	int (*irq_enable)(void *opaque, unsigned int index, unsigned int nvec);
	int (*irq_disable)(void *opaque, unsigned int index);
	/* The vector now reaches the guest as this message (KVM route + irqfd). */
	int (*irq_route)(void *opaque, unsigned int index, unsigned int vec,
			 uint64_t addr, uint32_t data);
	/* The vector must not reach the guest; fires come back as pending. */
	int (*irq_unroute)(void *opaque, unsigned int index, unsigned int vec);
	/* Deliver a routed vector once (a pending one that was unmasked). */
	int (*irq_inject)(void *opaque, unsigned int index, unsigned int vec);
};

#endif
