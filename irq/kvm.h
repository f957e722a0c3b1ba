/* SPDX-License-Identifier: MIT */
/* The KVM side of interrupts: routing table commits, irqfds, IRQ lines. */
#ifndef PTVM_IRQ_KVM_H
#define PTVM_IRQ_KVM_H

#include "irq/routes.h"

/* KVM_SET_GSI_ROUTING with the whole table. 0 or -errno. */
int irq_kvm_commit(int vm_fd, const struct irq_routes *r);
/*
 * Binds eventfd efd to gsi (KVM_IRQFD). resample_fd >= 0 makes it a
 * level-triggered line that KVM de-asserts on EOI and signals resample_fd.
 */
int irq_kvm_irqfd(int vm_fd, int efd, unsigned int gsi, int resample_fd);
int irq_kvm_irqfd_del(int vm_fd, int efd, unsigned int gsi);
/* KVM_IRQ_LINE: sets an ISA/IOAPIC line's level. */
int irq_kvm_line(int vm_fd, unsigned int gsi, int level);

#endif
