/* SPDX-License-Identifier: MIT */
/*
 * The VM's GSI routing table, kept whole in ptvm because KVM_SET_GSI_ROUTING
 * replaces the entire table at each call. GSIs below IRQ_ROUTES_MSI_BASE are
 * the arch's fixed lines (x86: the PIC and IOAPIC pins; arm64: the GIC's
 * SPIs), added by the arch (arch_irq_routes); MSI routes get GSIs from
 * IRQ_ROUTES_MSI_BASE up. Pure.
 */
#ifndef PTVM_IRQ_ROUTES_H
#define PTVM_IRQ_ROUTES_H

#include <stdint.h>

#include <linux/kvm.h>

#define IRQ_ROUTES_MSI_BASE 24
#define IRQ_ROUTES_MAX_GSI 1024 /* well under KVM_MAX_IRQ_ROUTES */
/* Fixed lines: room for 16 PIC pins and 24 IOAPIC pins. */
#define IRQ_ROUTES_PIN_ENTRIES 40
#define IRQ_ROUTES_MAX_ENTRIES (IRQ_ROUTES_PIN_ENTRIES + IRQ_ROUTES_MAX_GSI)

struct irq_routes {
	unsigned int n;
	/*
	 * MSI routes carry the requester ID as their device ID
	 * (KVM_MSI_VALID_DEVID), which an arm64 ITS needs (KVM_CAP_MSI_DEVID).
	 */
	int msi_devid;
	struct kvm_irq_routing_entry e[IRQ_ROUTES_MAX_ENTRIES];
	uint8_t msi_used[IRQ_ROUTES_MAX_GSI]; /* by GSI */
};

/* An empty table. */
void irq_routes_init(struct irq_routes *r);
/*
 * Routes fixed line gsi (below IRQ_ROUTES_MSI_BASE) to pin of in-kernel
 * irqchip chip. -EINVAL past the limits.
 */
int irq_routes_add_pin(struct irq_routes *r, unsigned int gsi,
		       unsigned int chip, unsigned int pin);

/* A free GSI for an MSI route, or -ENOSPC. */
int irq_routes_msi_alloc(struct irq_routes *r);
/*
 * Sets (adds or updates) gsi's MSI message; devid is the function's
 * requester ID (bus << 8 | devfn), used when msi_devid is set. -EINVAL if
 * gsi is not allocated.
 */
int irq_routes_msi_set(struct irq_routes *r, unsigned int gsi, uint64_t addr,
		       uint32_t data, uint32_t devid);
/* Drops gsi's route and frees it. */
void irq_routes_msi_free(struct irq_routes *r, unsigned int gsi);

#endif
