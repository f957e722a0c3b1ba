/* SPDX-License-Identifier: MIT */
/* irqlat's interrupts through a UIO driver (uio_pci_generic, uio_msi). */
#ifndef IRQLAT_UIO_H
#define IRQLAT_UIO_H

#include "tools/irqlat.h"

int uio_pick(struct irqlat *il);
int uio_setup(struct irqlat *il);
int uio_unmask(struct irqlat *il);
unsigned long uio_take(struct irqlat *il);

#endif
