/* SPDX-License-Identifier: MIT */
/*
 * The guest-physical address map. One table of constants shared by the
 * memory setup, the boot tables and the PCI host bridge.
 *
 *   0x00000000  real-mode area; 0x7000 zero page, 0x9000 page tables,
 *               0x20000 command line
 *   0x0009fc00  reserved up to 1 MiB; ACPI tables at 0xe0000
 *   0x00100000  RAM up to min(mem, LAYOUT_LOWMEM_END)
 *   0xc0000000  32-bit PCI MMIO window (BARs below 4 GiB)
 *   0xe0000000  ECAM, bus 0 only (1 MiB): LAYOUT_PCI_BUSES
 *   0xfec00000  IOAPIC, 0xfee00000 LAPIC
 *   0x100000000 RAM above 4 GiB when mem > LAYOUT_LOWMEM_END
 *   then        64-bit PCI MMIO window, 1 GiB aligned, LAYOUT_MMIO64_SIZE long
 */
#ifndef PTVM_ARCH_X86_LAYOUT_H
#define PTVM_ARCH_X86_LAYOUT_H

#define LAYOUT_ZERO_PAGE 0x7000ULL
#define LAYOUT_GDT 0x8000ULL
#define LAYOUT_PML4 0x9000ULL
#define LAYOUT_PDPT 0xa000ULL
#define LAYOUT_PD 0xb000ULL /* four pages: identity map of 4 GiB, 2 MiB pages */
#define LAYOUT_CMDLINE 0x20000ULL
#define LAYOUT_CMDLINE_MAX 0x10000ULL
#define LAYOUT_EBDA 0x9fc00ULL
#define LAYOUT_ACPI 0xe0000ULL /* RSDP here; the tables follow */
#define LAYOUT_ACPI_SIZE 0x20000ULL
#define LAYOUT_HIMEM_START 0x100000ULL

#define LAYOUT_LOWMEM_END 0xc0000000ULL
#define LAYOUT_MMIO32_BASE 0xc0000000ULL
#define LAYOUT_MMIO32_SIZE 0x20000000ULL
#define LAYOUT_ECAM_BASE 0xe0000000ULL
/*
 * One PCI bus, bus 0: the MCFG's bus range, the root bridge's _CRS, the
 * ECAM window (1 MiB a bus: 32 devices x 8 functions x 4 KiB) and its e820
 * and motherboard-resource reservations all follow from this, and the host
 * bridge (pci/host.c) decodes that bus alone. Linux probes every bus up to
 * the MCFG's end bus for peer host bridges: more buses cost guest exits.
 */
#define LAYOUT_PCI_BUSES 1ULL
#define LAYOUT_ECAM_SIZE (LAYOUT_PCI_BUSES << 20)
#define LAYOUT_IOAPIC 0xfec00000ULL
#define LAYOUT_LAPIC 0xfee00000ULL
#define LAYOUT_4G 0x100000000ULL
#define LAYOUT_MMIO64_ALIGN 0x40000000ULL
#define LAYOUT_MMIO64_SIZE 0x1000000000ULL /* 64 GiB */
/* For struct mem_map (memory.h): RAM below the PCI hole, the rest above 4 GiB. */
#define LAYOUT_MEM_MAP                                      \
	{                                                   \
		0, LAYOUT_LOWMEM_END, LAYOUT_4G, LAYOUT_4G, \
			LAYOUT_MMIO64_ALIGN                 \
	}

/* I/O ports that ptvm emulates itself. */
#define LAYOUT_PIO_UART 0x3f8 /* COM1, 8 ports, ISA IRQ LAYOUT_UART_IRQ */
#define LAYOUT_UART_IRQ 4
#define LAYOUT_PIO_PCI_BASE 0xc000 /* I/O BAR window */
#define LAYOUT_PIO_PCI_SIZE 0x4000
#define LAYOUT_PIO_ACPI_PM1_EVT 0x600 /* 4 bytes: PM1a status, enable */
#define LAYOUT_PIO_ACPI_PM1_CNT 0x604 /* 2 bytes: PM1a control */
#define LAYOUT_PIO_RESET 0xcf9 /* reset control; the FADT's reset register */
#define LAYOUT_ACPI_SCI_IRQ 9
#define LAYOUT_ACPI_SLP_TYP_S5 5 /* what our DSDT's \_S5 says */

#endif
