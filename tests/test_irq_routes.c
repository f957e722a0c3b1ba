// SPDX-License-Identifier: MIT
#include <errno.h>

#include "arch.h"
#include "irq/routes.h"
#include "tests/harness.h"

static int count(const struct irq_routes *r, unsigned int gsi,
		 unsigned int type)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < r->n; i++)
		n += r->e[i].gsi == gsi && r->e[i].type == type;
	return n;
}

TEST(legacy_entries)
{
	struct irq_routes r;
	unsigned int i;

	irq_routes_init(&r);
	EXPECT_EQ(r.n, 0);
	arch_irq_routes(&r);
	EXPECT_EQ(r.n, 15 + 23);
	for (i = 0; i < r.n; i++) {
		const struct kvm_irq_routing_entry *e = &r.e[i];

		ASSERT_EQ(e->type, KVM_IRQ_ROUTING_IRQCHIP);
		if (e->u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC) {
			/* the PIT's IRQ 0 is on pin 2, as the MADT says */
			EXPECT_EQ(e->u.irqchip.pin, e->gsi == 0 ? 2 : e->gsi);
			EXPECT_NE(e->gsi, 2);
		} else {
			EXPECT_LT(e->gsi, 16);
			EXPECT_EQ(e->u.irqchip.pin, e->gsi % 8);
		}
	}
	EXPECT_EQ(count(&r, 2, KVM_IRQ_ROUTING_IRQCHIP), 0);
	EXPECT_EQ(count(&r, 20, KVM_IRQ_ROUTING_IRQCHIP), 1);
}

TEST(msi_alloc_set_free)
{
	struct irq_routes r;
	int g1, g2, n0;

	irq_routes_init(&r);
	n0 = (int)r.n;
	g1 = irq_routes_msi_alloc(&r);
	g2 = irq_routes_msi_alloc(&r);
	EXPECT_EQ(g1, IRQ_ROUTES_MSI_BASE);
	EXPECT_EQ(g2, IRQ_ROUTES_MSI_BASE + 1);
	EXPECT_EQ(r.n, n0); /* nothing routed yet */
	ASSERT_EQ(irq_routes_msi_set(&r, g1, 0xfee00000, 0x4021, 8), 0);
	ASSERT_EQ(irq_routes_msi_set(&r, g1, 0xfee01000, 0x4022, 8), 0);
	EXPECT_EQ(count(&r, g1, KVM_IRQ_ROUTING_MSI), 1);
	EXPECT_EQ(r.e[r.n - 1].u.msi.address_lo, 0xfee01000);
	EXPECT_EQ(r.e[r.n - 1].u.msi.data, 0x4022);
	EXPECT_EQ(irq_routes_msi_set(&r, 500, 0, 0, 0), -EINVAL);
	EXPECT_EQ(irq_routes_msi_set(&r, 5000, 0, 0, 0), -EINVAL);
	irq_routes_msi_free(&r, g1);
	EXPECT_EQ(count(&r, g1, KVM_IRQ_ROUTING_MSI), 0);
	EXPECT_EQ(r.n, n0);
	EXPECT_EQ(irq_routes_msi_alloc(&r), g1); /* reused */
	irq_routes_msi_free(&r, 9999); /* harmless */
}

TEST(exhaustion_stays_in_bounds)
{
	struct irq_routes r;
	int g, n = 0;

	irq_routes_init(&r);
	while ((g = irq_routes_msi_alloc(&r)) >= 0) {
		ASSERT_EQ(irq_routes_msi_set(&r, g, 0xfee00000, (uint32_t)g, 0),
			  0);
		n++;
	}
	EXPECT_EQ(g, -ENOSPC);
	EXPECT_EQ(n, IRQ_ROUTES_MAX_GSI - IRQ_ROUTES_MSI_BASE);
	EXPECT_LE(r.n, IRQ_ROUTES_MAX_ENTRIES);
}

TEST(msi_devid_only_when_asked)
{
	struct irq_routes r;
	int g;

	irq_routes_init(&r);
	g = irq_routes_msi_alloc(&r);
	ASSERT_EQ(irq_routes_msi_set(&r, g, 0xfee00000, 0x41, 0x18), 0);
	EXPECT_EQ(r.e[r.n - 1].flags, 0);
	EXPECT_EQ(r.e[r.n - 1].u.msi.devid, 0);
	r.msi_devid = 1; /* an ITS: the requester ID goes with the message */
	ASSERT_EQ(irq_routes_msi_set(&r, g, 0x8090040, 3, 0x18), 0);
	EXPECT_EQ(r.e[r.n - 1].flags, KVM_MSI_VALID_DEVID);
	EXPECT_EQ(r.e[r.n - 1].u.msi.devid, 0x18);
	EXPECT_EQ(r.e[r.n - 1].u.msi.address_lo, 0x8090040);
}

TEST(pins_stay_below_msi_gsis)
{
	struct irq_routes r;
	unsigned int i;

	irq_routes_init(&r);
	EXPECT_EQ(irq_routes_add_pin(&r, IRQ_ROUTES_MSI_BASE, 0, 0), -EINVAL);
	for (i = 0; i < IRQ_ROUTES_PIN_ENTRIES; i++)
		ASSERT_EQ(irq_routes_add_pin(&r, i % IRQ_ROUTES_MSI_BASE, 0, i),
			  0);
	EXPECT_EQ(irq_routes_add_pin(&r, 1, 0, 1), -EINVAL);
	EXPECT_EQ(r.n, IRQ_ROUTES_PIN_ENTRIES);
}

TEST_MAIN()
