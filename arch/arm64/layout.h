/* SPDX-License-Identifier: MIT */
/*
 * The arm64 guest-physical address map. One table of constants shared by
 * the memory setup, the device tree and the PCI host bridge.
 *
 *   0x01000000  16550 UART (4 KiB), SPI LAYOUT_SPI_UART
 *   0x01001000  PL061 GPIO (4 KiB), SPI LAYOUT_SPI_GPIO; line 3 is the
 *               power button (gpio-keys, KEY_POWER)
 *   0x08000000  GICv3 distributor (64 KiB)
 *   0x08080000  GICv3 ITS (128 KiB)
 *   0x080a0000  GICv3 redistributors, 128 KiB per vCPU (up to 64)
 *   0x10000000  32-bit PCI MMIO window (512 MiB)
 *   0x3eff0000  PCI I/O window: port P of an I/O BAR at 0x3eff0000 + P
 *   0x3f000000  ECAM, bus 0 only (1 MiB): LAYOUT_PCI_BUSES
 *   0x40000000  RAM, one range
 *   then        64-bit PCI MMIO window, 1 GiB aligned, LAYOUT_MMIO64_SIZE long
 *
 * The IOVAs that VFIO reserves on an SMMUv3 (the MSI doorbell,
 * 0x8000000-0x80fffff) are below RAM: guest RAM never overlaps them.
 */
#ifndef PTVM_ARCH_ARM64_LAYOUT_H
#define PTVM_ARCH_ARM64_LAYOUT_H

#define LAYOUT_UART 0x01000000ULL
#define LAYOUT_UART_SIZE 0x1000ULL
#define LAYOUT_GPIO 0x01001000ULL
#define LAYOUT_GPIO_SIZE 0x1000ULL
#define LAYOUT_GPIO_POWER_LINE 3 /* as QEMU's virt board */

#define LAYOUT_GICD 0x08000000ULL
#define LAYOUT_GICD_SIZE 0x10000ULL
#define LAYOUT_GITS 0x08080000ULL
#define LAYOUT_GITS_SIZE 0x20000ULL
#define LAYOUT_GICR 0x080a0000ULL
#define LAYOUT_GICR_STRIDE 0x20000ULL /* KVM_VGIC_V3_REDIST_SIZE */
#define LAYOUT_GICR_MAX_CPUS 64
#define LAYOUT_PLATFORM_END \
	(LAYOUT_GICR + LAYOUT_GICR_STRIDE * LAYOUT_GICR_MAX_CPUS)

#define LAYOUT_MMIO32_BASE 0x10000000ULL
#define LAYOUT_MMIO32_SIZE 0x20000000ULL
#define LAYOUT_PIO_MMIO 0x3eff0000ULL /* the CPU address of port 0 */
#define LAYOUT_PIO_SIZE 0x10000ULL /* ports 0-0xffff */
#define LAYOUT_PIO_PCI_BASE 0x1000 /* I/O BARs are placed from here */
#define LAYOUT_PIO_PCI_SIZE 0xf000
#define LAYOUT_ECAM_BASE 0x3f000000ULL
#define LAYOUT_PCI_BUSES 1ULL
#define LAYOUT_ECAM_SIZE (LAYOUT_PCI_BUSES << 20)

#define LAYOUT_RAM_BASE 0x40000000ULL
#define LAYOUT_MMIO64_ALIGN 0x40000000ULL
#define LAYOUT_MMIO64_SIZE 0x1000000000ULL /* 64 GiB */

/*
 * Shared interrupts (SPI numbers; the GIC's INTID is 32 + the number,
 * and KVM's GSI for it is the number): the UART, the GPIO block, and
 * eight PCI INTx lines, pin `pin` of `slot` on LAYOUT_SPI_PCI +
 * ((slot + pin - 2) & 7), the usual swizzle.
 */
#define LAYOUT_SPI_UART 1
#define LAYOUT_SPI_GPIO 2
#define LAYOUT_SPI_PCI 16
#define LAYOUT_SPI_PCI_LINES 8
#define LAYOUT_NR_SPIS 32 /* what the distributor is sized for */

/*
 * Where the boot pieces go in RAM: an arm64 Image at the first 2 MiB
 * boundary from RAM_BASE plus its text_offset, the device tree and the
 * initrd at the top of RAM (below 4 GiB where RAM reaches, as Linux
 * prefers), the DTB at most LAYOUT_FDT_MAX bytes.
 */
#define LAYOUT_FDT_MAX 0x10000ULL

#endif
