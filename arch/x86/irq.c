/* SPDX-License-Identifier: MIT */
/*
 * x86's fixed interrupt lines (arch.h), pure: the PIC and IOAPIC pins as
 * GSIs, and where a PCI function's INTx pin lands (boot/acpi.c's _PRT).
 */
#include "arch.h"
#include "boot/acpi.h"
#include "irq/routes.h"

/*
 * ISA IRQs 0-15 on the PIC pins and the same IOAPIC pins, except IRQ 0
 * (the PIT) on IOAPIC pin 2 as the MADT's interrupt source override says;
 * PCI GSIs 16-23 on the IOAPIC only.
 */
void arch_irq_routes(struct irq_routes *r)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (i != 2) /* PIC pin 2 is the cascade */
			irq_routes_add_pin(r, i,
					   i < 8 ? KVM_IRQCHIP_PIC_MASTER
						 : KVM_IRQCHIP_PIC_SLAVE,
					   i % 8);
	}
	for (i = 0; i < 24; i++) {
		if (i == 2)
			continue;
		irq_routes_add_pin(r, i, KVM_IRQCHIP_IOAPIC, i == 0 ? 2 : i);
	}
}

unsigned int arch_intx_gsi(unsigned int slot, unsigned int pin)
{
	return acpi_intx_gsi(slot, pin);
}
