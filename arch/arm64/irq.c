/* SPDX-License-Identifier: MIT */
/*
 * arm64's fixed interrupt lines (arch.h), pure: the SPIs of the UART, the
 * GPIO block and the PCI INTx lines as GSIs (the GSI is the SPI number,
 * KVM's pin of irqchip 0), and where a PCI function's INTx pin lands (the
 * device tree's interrupt-map, arch/arm64/fdt.c).
 */
#include "arch.h"
#include "arch/arm64/fdt.h"
#include "arch/arm64/layout.h"
#include "irq/routes.h"

void arch_irq_routes(struct irq_routes *r)
{
	unsigned int i;

	irq_routes_add_pin(r, LAYOUT_SPI_UART, 0, LAYOUT_SPI_UART);
	irq_routes_add_pin(r, LAYOUT_SPI_GPIO, 0, LAYOUT_SPI_GPIO);
	for (i = 0; i < LAYOUT_SPI_PCI_LINES; i++)
		irq_routes_add_pin(r, LAYOUT_SPI_PCI + i, 0,
				   LAYOUT_SPI_PCI + i);
}

unsigned int arch_intx_gsi(unsigned int slot, unsigned int pin)
{
	return arm64_intx_spi(slot, pin);
}
