/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "irq/routes.h"

static void add_irqchip(struct irq_routes *r, unsigned int gsi,
			unsigned int chip, unsigned int pin)
{
	struct kvm_irq_routing_entry *e = &r->e[r->n++];

	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

void irq_routes_init(struct irq_routes *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 16; i++) {
		if (i != 2) /* PIC pin 2 is the cascade */
			add_irqchip(r, i,
				    i < 8 ? KVM_IRQCHIP_PIC_MASTER
					  : KVM_IRQCHIP_PIC_SLAVE,
				    i % 8);
	}
	for (i = 0; i < IRQ_ROUTES_IOAPIC_PINS; i++) {
		if (i == 2)
			continue;
		add_irqchip(r, i, KVM_IRQCHIP_IOAPIC, i == 0 ? 2 : i);
	}
}

static struct kvm_irq_routing_entry *find_msi(struct irq_routes *r,
					      unsigned int gsi)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->e[i].gsi == gsi && r->e[i].type == KVM_IRQ_ROUTING_MSI)
			return &r->e[i];
	return NULL;
}

int irq_routes_msi_alloc(struct irq_routes *r)
{
	unsigned int gsi;

	for (gsi = IRQ_ROUTES_MSI_BASE; gsi < IRQ_ROUTES_MAX_GSI; gsi++) {
		if (!r->msi_used[gsi]) {
			r->msi_used[gsi] = 1;
			return (int)gsi;
		}
	}
	return -ENOSPC;
}

int irq_routes_msi_set(struct irq_routes *r, unsigned int gsi, uint64_t addr,
		       uint32_t data)
{
	struct kvm_irq_routing_entry *e;

	if (gsi >= IRQ_ROUTES_MAX_GSI || !r->msi_used[gsi])
		return -EINVAL;
	e = find_msi(r, gsi);
	if (!e) {
		e = &r->e[r->n++];
		memset(e, 0, sizeof(*e));
		e->gsi = gsi;
		e->type = KVM_IRQ_ROUTING_MSI;
	}
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
	return 0;
}

void irq_routes_msi_free(struct irq_routes *r, unsigned int gsi)
{
	struct kvm_irq_routing_entry *e;

	if (gsi >= IRQ_ROUTES_MAX_GSI)
		return;
	e = find_msi(r, gsi);
	if (e)
		*e = r->e[--r->n];
	r->msi_used[gsi] = 0;
}
