/* SPDX-License-Identifier: MIT */
/* The virtual capability chain of a passed-through function. */
#ifndef PTVM_PCI_VCAPS_H
#define PTVM_PCI_VCAPS_H

#include "pci/vdev.h"

/*
 * Rebuilds d's capability chain from the physical one in d->cfg, keeping
 * only what ptvm handles. -EINVAL if MSI-X cannot be virtualized.
 */
int pci_vdev_caps_init(struct pci_vdev *d, const struct pci_vdev_config *cfg);

#endif
