/* SPDX-License-Identifier: MIT */
/*
 * A passed-through function's interrupts: MSI and MSI-X vectors as VFIO
 * eventfds bound to KVM irqfds, and INTx through a resampling irqfd.
 */
#ifndef PTVM_VFIO_IRQ_H
#define PTVM_VFIO_IRQ_H

#include <stdint.h>

struct ptdev;

/*
 * For vfio/pci.c: the model's irq ops (pci/irqops.h), and INTx:
 * ptdev_intx_open wires the pin to its GSI when the device has one;
 * ptdev_intx_set turns VFIO's INTx on or off (off while MSI or MSI-X is).
 */
int ptdev_irq_enable(void *opaque, unsigned int index, unsigned int nvec);
int ptdev_irq_disable(void *opaque, unsigned int index);
int ptdev_irq_route(void *opaque, unsigned int index, unsigned int vec,
		    uint64_t addr, uint32_t data);
int ptdev_irq_unroute(void *opaque, unsigned int index, unsigned int vec);
int ptdev_irq_inject(void *opaque, unsigned int index, unsigned int vec);
int ptdev_intx_open(struct ptdev *pt);
void ptdev_intx_set(struct ptdev *pt, int on);

#endif
