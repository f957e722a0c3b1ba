/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "irq/routes.h"

void irq_routes_init(struct irq_routes *r)
{
	memset(r, 0, sizeof(*r));
}

int irq_routes_add_pin(struct irq_routes *r, unsigned int gsi,
		       unsigned int chip, unsigned int pin)
{
	struct kvm_irq_routing_entry *e;

	if (gsi >= IRQ_ROUTES_MSI_BASE || r->n >= IRQ_ROUTES_PIN_ENTRIES)
		return -EINVAL;
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
	return 0;
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
		       uint32_t data, uint32_t devid)
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
	if (r->msi_devid) {
		e->flags = KVM_MSI_VALID_DEVID;
		e->u.msi.devid = devid;
	}
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
