/* SPDX-License-Identifier: MIT */
/*
 * The guest's ACPI tables (ACPI 6.4): RSDP, XSDT, FADT, FACS, DSDT, MADT
 * and MCFG, for a PC-compatible guest (8259 PICs, IOAPIC, PIT: not
 * hardware-reduced) booted without firmware. Pure: writes into a buffer.
 *
 * What the guest gets:
 *  - MADT: one local APIC per vCPU, the IOAPIC (24 pins, GSI 0-23), ISA
 *    IRQ 0 on GSI 2 and the SCI (IRQ 9) level-triggered, active-high;
 *    LINT1 is NMI on every processor.
 *  - MCFG: ECAM for segment 0, bus 0 only (LAYOUT_PCI_BUSES), which is
 *    also the root bridge's bus range (_CRS) and what \_SB.MRES reserves.
 *  - FADT: the PM1a event and control blocks at LAYOUT_PIO_ACPI_PM1_*,
 *    already in ACPI mode (no SMI command port), no PM timer, no GPE
 *    blocks, the power button as a fixed feature (pm.c presses it) and
 *    no sleep button, reset through port 0xcf9.
 *  - DSDT: \_S5 for poweroff, and \_SB.PCI0, the PCIe root bridge of bus 0
 *    with its windows (_CRS), INTx routing (_PRT) and _OSC; \_SB.MRES
 *    reserves the ECAM range as a motherboard resource.
 */
#ifndef PTVM_BOOT_ACPI_H
#define PTVM_BOOT_ACPI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * APIC IDs are 8-bit in the MADT's local APIC entries, 0xff is the
 * broadcast ID, and the IOAPIC takes the ID after the last vCPU.
 */
#define ACPI_MAX_CPUS 254
/* Slots on bus 0 that can hold a device; slot 0 is the host bridge. */
#define ACPI_MAX_SLOTS 31

struct acpi_config {
	/* LAPIC IDs 0..ncpus-1, processor UIDs likewise */
	unsigned int ncpus;
	/* ECAM for segment 0, buses 0..LAYOUT_PCI_BUSES-1 (LAYOUT_ECAM_SIZE) */
	uint64_t ecam_base;
	/* 32-bit PCI window (non-prefetchable); size 0: none */
	uint64_t mmio32_base, mmio32_size;
	/* 64-bit PCI window; size 0: none */
	uint64_t mmio64_base, mmio64_size;
	/* PCI I/O port window for I/O BARs; size 0: none */
	uint16_t pio_base, pio_size;
	/* PCI slots 1..nslots exist on bus 0 (slot 0 = host bridge) */
	unsigned int nslots;
};

/*
 * Builds the tables into buf, which the guest sees at guest-physical
 * address gpa: the RSDP at buf[0], the others after it. Pass gpa as
 * boot_params.acpi_rsdp_addr. Returns the bytes used, or
 * -ENOSPC: they do not fit in size bytes (nothing is written past size,
 *          but buf may have been partly written);
 * -EINVAL: gpa is not 16-byte aligned or the tables would not end below
 *          4 GiB; ncpus is 0 or above ACPI_MAX_CPUS; nslots is above
 *          ACPI_MAX_SLOTS; ecam_base is not 1 MiB aligned; the 32-bit
 *          window does not end below 4 GiB; a window wraps; or the I/O
 *          window starts below 0xd00 (0-0xcf7 is already a window and
 *          0xcf8-0xcff the config ports) or runs past 0xffff.
 * The same config and gpa always give the same bytes.
 */
ssize_t acpi_build(void *buf, size_t size, uint64_t gpa,
		   const struct acpi_config *cfg);

/*
 * The GSI that INTx pin `pin` (1 = INTA .. 4 = INTD, the Interrupt Pin
 * register's value) of the device in `slot` on bus 0 is wired to:
 * 16 + ((slot + pin - 2) & 7), the usual swizzle over IOAPIC pins 16-23,
 * level-triggered and active-low as the _PRT implies (ACPI 6.4, 6.2.13).
 * The DSDT's _PRT is built from this function and the VMM wires INTx with
 * it, so the two cannot disagree. Always in 16..23.
 */
unsigned int acpi_intx_gsi(unsigned int slot, unsigned int pin);

#endif
