/* SPDX-License-Identifier: MIT */
/*
 * ptvm's arm64 platform as a flattened device tree: what a stock arm64
 * Linux needs to find its vCPUs, RAM, the GICv3 and its ITS, the
 * architected timer, PSCI, the 16550 console, the PL061 power button and
 * the ECAM PCI host bridge, at the addresses of arch/arm64/layout.h; the
 * same blob serves other kernels that read a device tree. Pure: writes
 * into a caller's buffer (boot/fdt.c).
 */
#ifndef PTVM_ARCH_ARM64_FDT_H
#define PTVM_ARCH_ARM64_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/layout.h"

struct arm64_fdt_config {
	unsigned int ncpus; /* 1 to LAYOUT_GICR_MAX_CPUS */
	/*
	 * Each vCPU's MPIDR_EL1 as KVM reports it: its affinity fields
	 * (Aff3 at bits 39:32, Aff2-0 at 23:0) are the cpu node's reg.
	 */
	uint64_t mpidr[LAYOUT_GICR_MAX_CPUS];
	uint64_t ram_base, ram_size; /* the one RAM range */
	const char *cmdline; /* bootargs; NULL: none */
	uint64_t initrd_start, initrd_end; /* [start, end); 0, 0: none */
	/* The PCI host bridge's windows; a size of 0 leaves one out. */
	uint64_t mmio32_base, mmio32_size; /* PCI address = CPU address */
	uint64_t mmio64_base, mmio64_size; /* PCI address = CPU address */
	uint64_t pio_base, pio_size; /* CPU address of I/O port 0, ports */
};

/*
 * Writes the whole tree into buf. Its length (at most size), or
 * -EINVAL: ncpus out of range, no RAM, initrd_end before initrd_start;
 * -ENOSPC: size too small (nothing is written past buf + size).
 * The blob's own address appears nowhere in it: place it before building.
 */
int arm64_fdt_build(void *buf, size_t size, const struct arm64_fdt_config *cfg);

/*
 * The SPI (GSI) that INTx pin `pin` (1 = INTA .. 4 = INTD) of a device
 * in slot `slot` raises: the usual swizzle over LAYOUT_SPI_PCI_LINES
 * lines. The tree's interrupt-map is built from this, so the two agree.
 */
static inline unsigned int arm64_intx_spi(unsigned int slot, unsigned int pin)
{
	return LAYOUT_SPI_PCI + ((slot + pin - 2) & (LAYOUT_SPI_PCI_LINES - 1));
}

#endif
