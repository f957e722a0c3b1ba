/* SPDX-License-Identifier: MIT */
/*
 * The VM's GSI routing table, kept whole in ptvm because KVM_SET_GSI_ROUTING
 * replaces the entire table at each call. GSIs 0-23 are the legacy PIC and
 * IOAPIC pins; MSI routes get GSIs from IRQ_ROUTES_MSI_BASE up. Pure.
 */
#ifndef PTVM_IRQ_ROUTES_H
#define PTVM_IRQ_ROUTES_H

#include <stdint.h>

#include <linux/kvm.h>

#define IRQ_ROUTES_IOAPIC_PINS 24
#define IRQ_ROUTES_MSI_BASE 24
#define IRQ_ROUTES_MAX_GSI 1024 /* well under KVM_MAX_IRQ_ROUTES */
/* 16 PIC pins + 24 IOAPIC pins, then one entry per MSI GSI. */
#define IRQ_ROUTES_MAX_ENTRIES \
	(16 + IRQ_ROUTES_IOAPIC_PINS + IRQ_ROUTES_MAX_GSI)

struct irq_routes {
	unsigned int n;
	struct kvm_irq_routing_entry e[IRQ_ROUTES_MAX_ENTRIES];
	uint8_t msi_used[IRQ_ROUTES_MAX_GSI]; /* by GSI */
};

/*
 * The legacy entries: ISA IRQs 0-15 on the PIC pins and the same IOAPIC
 * pins, except IRQ 0 (the PIT) on IOAPIC pin 2 as the MADT's interrupt
 * source override says; PCI GSIs 16-23 on the IOAPIC only.
 */
void irq_routes_init(struct irq_routes *r);

/* A free GSI for an MSI route, or -ENOSPC. */
int irq_routes_msi_alloc(struct irq_routes *r);
/* Sets (adds or updates) gsi's MSI message. -EINVAL if gsi is not allocated. */
int irq_routes_msi_set(struct irq_routes *r, unsigned int gsi, uint64_t addr,
		       uint32_t data);
/* Drops gsi's route and frees it. */
void irq_routes_msi_free(struct irq_routes *r, unsigned int gsi);

#endif
