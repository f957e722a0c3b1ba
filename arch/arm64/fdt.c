/* SPDX-License-Identifier: MIT */
/*
 * The arm64 platform's device tree. Bindings from Linux's
 * Documentation/devicetree/bindings (cited per node); the set of nodes is
 * what an arm64 kernel without ACPI needs to boot to a console, power off
 * on the power button and probe passed-through PCI devices with MSI-X
 * through the ITS, or INTx through the GIC.
 */
#include <errno.h>
#include <string.h>

#include <linux/input-event-codes.h>

#include "arch/arm64/fdt.h"
#include "boot/fdt.h"

/*
 * The GIC's three-cell interrupt specifier (interrupt-controller/
 * arm,gic-v3.yaml): type, number within the type, flags. These are DT
 * binding values (dt-bindings/interrupt-controller/arm-gic.h, irq.h),
 * not in any uapi header.
 */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4

/* arm,armv8-timer: the secure, non-secure, virtual, hypervisor PPIs. */
static const uint32_t timer_ppis[] = { 13, 14, 11, 10 };

enum { PH_GIC = 1, PH_ITS, PH_CLK, PH_GPIO };

/* The space code in a PCI address's phys.hi cell (IEEE 1275 PCI binding). */
#define PCI_SPACE_IO 0x01000000
#define PCI_SPACE_MEM32 0x02000000
#define PCI_SPACE_MEM64 0x03000000
#define PCI_DEVFN_SHIFT 8 /* phys.hi bits 15:8 are the devfn */

/* The 16550's usual 1.8432 MHz crystal: 115200 baud at divisor 1. */
#define UART_CLOCK 1843200
#define APB_CLOCK 24000000

/* Two cells of a 64-bit value, high first (#address-cells/#size-cells 2). */
static uint32_t *put64(uint32_t *c, uint64_t v)
{
	c[0] = (uint32_t)(v >> 32);
	c[1] = (uint32_t)v;
	return c + 2;
}

static void arm64_fdt_reg(struct fdt *f, uint64_t base, uint64_t size)
{
	uint32_t c[4];

	put64(put64(c, base), size);
	fdt_prop_cells(f, "reg", c, 4);
}

/* A GIC SPI, level-high: what ptvm's KVM_IRQ_LINE and irqfd lines are. */
static void arm64_fdt_spi(struct fdt *f, unsigned int spi)
{
	uint32_t c[3] = { GIC_SPI, spi, IRQ_LEVEL_HIGH };

	fdt_prop_cells(f, "interrupts", c, 3);
}

/* "name@addr": the unit address in lowercase hex, no leading zeros (2.2.1). */
static const char *unit(char *buf, const char *name, uint64_t addr)
{
	char *p = stpcpy(buf, name);
	int shift = 60;

	*p++ = '@';
	while (shift && !(addr >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(addr >> shift) & 15];
	*p = 0;
	return buf;
}

/*
 * cpus.yaml and arm/cpus.yaml: reg is MPIDR_EL1's affinity, Aff3 in a
 * second (upper) cell, needed only when some Aff3 is non-zero.
 */
static void arm64_fdt_cpus(struct fdt *f, const struct arm64_fdt_config *cfg)
{
	uint64_t aff3 = 0, reg;
	unsigned int i;
	char name[32];

	for (i = 0; i < cfg->ncpus; i++)
		aff3 |= cfg->mpidr[i] & 0xff00000000ULL;
	fdt_begin_node(f, "cpus");
	fdt_prop_u32(f, "#address-cells", aff3 ? 2 : 1);
	fdt_prop_u32(f, "#size-cells", 0);
	for (i = 0; i < cfg->ncpus; i++) {
		reg = cfg->mpidr[i] & 0xff00ffffffULL;
		fdt_begin_node(f, unit(name, "cpu", reg));
		fdt_prop_string(f, "device_type", "cpu");
		fdt_prop_string(f, "compatible", "arm,arm-v8");
		if (aff3)
			fdt_prop_u64(f, "reg", reg);
		else
			fdt_prop_u32(f, "reg", (uint32_t)reg);
		/* Secondaries start (and all stop) through PSCI CPU_ON/OFF. */
		fdt_prop_string(f, "enable-method", "psci");
		fdt_end_node(f);
	}
	fdt_end_node(f);
}

/*
 * arm,gic-v3.yaml: the distributor, then one redistributor region holding
 * a 128 KiB frame per vCPU (KVM marks the last one GICR_TYPER.Last). The
 * ITS is a child, so the GIC needs #address-cells, #size-cells and an
 * identity ranges; its #address-cells also sizes the parent unit address
 * in every interrupt-map entry pointing at it (arm64_fdt_pcie).
 */
static void arm64_fdt_gic(struct fdt *f, unsigned int ncpus)
{
	uint32_t c[8], *p = c;
	char name[32];

	fdt_begin_node(f, unit(name, "intc", LAYOUT_GICD));
	fdt_prop_string(f, "compatible", "arm,gic-v3");
	fdt_prop_u32(f, "#interrupt-cells", 3);
	fdt_prop(f, "interrupt-controller", NULL, 0);
	fdt_prop_u32(f, "#address-cells", 2);
	fdt_prop_u32(f, "#size-cells", 2);
	fdt_prop(f, "ranges", NULL, 0);
	p = put64(put64(p, LAYOUT_GICD), LAYOUT_GICD_SIZE);
	put64(put64(p, LAYOUT_GICR), LAYOUT_GICR_STRIDE * ncpus);
	fdt_prop_cells(f, "reg", c, 8);
	fdt_prop_u32(f, "phandle", PH_GIC);

	/* arm,gic-v3-its.yaml: #msi-cells 1, the device ID. */
	fdt_begin_node(f, unit(name, "its", LAYOUT_GITS));
	fdt_prop_string(f, "compatible", "arm,gic-v3-its");
	fdt_prop(f, "msi-controller", NULL, 0);
	fdt_prop_u32(f, "#msi-cells", 1);
	arm64_fdt_reg(f, LAYOUT_GITS, LAYOUT_GITS_SIZE);
	fdt_prop_u32(f, "phandle", PH_ITS);
	fdt_end_node(f);
	fdt_end_node(f);
}

/*
 * timer/arm,arch_timer.yaml. GICv3 PPI flags carry no CPU mask (that is
 * GICv2's). Level-high as QEMU's virt board says (kvmtool says level-low;
 * Linux's arch_timer takes either, check_ppi_trigger).
 */
static void arm64_fdt_timer(struct fdt *f)
{
	uint32_t c[12];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		c[3 * i] = GIC_PPI;
		c[3 * i + 1] = timer_ppis[i];
		c[3 * i + 2] = IRQ_LEVEL_HIGH;
	}
	fdt_begin_node(f, "timer");
	fdt_prop_string(f, "compatible", "arm,armv8-timer");
	fdt_prop_cells(f, "interrupts", c, 12);
	/* KVM's timers keep their state across the vCPU's idle states. */
	fdt_prop(f, "always-on", NULL, 0);
	fdt_end_node(f);
}

/*
 * serial/8250.yaml: ptvm's 16550A has byte-wide registers one byte apart.
 * Linux's 8250_of takes its port line (ttyS<n>) from the serial<n> alias.
 */
static void arm64_fdt_uart(struct fdt *f, const char *name)
{
	fdt_begin_node(f, name);
	fdt_prop_string(f, "compatible", "ns16550a");
	arm64_fdt_reg(f, LAYOUT_UART, LAYOUT_UART_SIZE);
	arm64_fdt_spi(f, LAYOUT_SPI_UART);
	fdt_prop_u32(f, "clock-frequency", UART_CLOCK);
	fdt_prop_u32(f, "reg-shift", 0);
	fdt_prop_u32(f, "reg-io-width", 1);
	fdt_end_node(f);
}

/*
 * gpio/pl061-gpio.yaml. A PrimeCell: Linux's AMBA bus will not probe it
 * without its "apb_pclk" clock (clock/fixed-clock.yaml), and reads the
 * PrimeCell ID registers at the top of its 4 KiB. The power button is
 * gpio-keys on line LAYOUT_GPIO_POWER_LINE (input/gpio-keys.yaml):
 * a rising edge there sends KEY_POWER, which systemd-logind or acpid
 * turn into a shutdown.
 */
static void arm64_fdt_gpio(struct fdt *f)
{
	static const char *const compat[] = { "arm,pl061", "arm,primecell" };
	uint32_t gpios[3] = { PH_GPIO, LAYOUT_GPIO_POWER_LINE, 0 };
	char name[32];

	fdt_begin_node(f, "apb-pclk");
	fdt_prop_string(f, "compatible", "fixed-clock");
	fdt_prop_u32(f, "#clock-cells", 0);
	fdt_prop_u32(f, "clock-frequency", APB_CLOCK);
	fdt_prop_string(f, "clock-output-names", "clk24mhz");
	fdt_prop_u32(f, "phandle", PH_CLK);
	fdt_end_node(f);

	fdt_begin_node(f, unit(name, "pl061", LAYOUT_GPIO));
	fdt_prop_strings(f, "compatible", compat, 2);
	arm64_fdt_reg(f, LAYOUT_GPIO, LAYOUT_GPIO_SIZE);
	arm64_fdt_spi(f, LAYOUT_SPI_GPIO);
	fdt_prop(f, "gpio-controller", NULL, 0);
	fdt_prop_u32(f, "#gpio-cells", 2);
	fdt_prop_u32(f, "clocks", PH_CLK);
	fdt_prop_string(f, "clock-names", "apb_pclk");
	fdt_prop_u32(f, "phandle", PH_GPIO);
	fdt_end_node(f);

	fdt_begin_node(f, "gpio-keys");
	fdt_prop_string(f, "compatible", "gpio-keys");
	fdt_begin_node(f, "poweroff");
	fdt_prop_string(f, "label", "GPIO Key Poweroff");
	fdt_prop_u32(f, "linux,code", KEY_POWER);
	fdt_prop_cells(f, "gpios", gpios, 3); /* flags 0: active high */
	fdt_end_node(f);
	fdt_end_node(f);
}

/* One ranges entry: PCI address (3 cells), CPU address (2), size (2). */
static uint32_t *pci_range(uint32_t *c, uint32_t space, uint64_t pci,
			   uint64_t cpu, uint64_t size)
{
	*c++ = space;
	return put64(put64(put64(c, pci), cpu), size);
}

/*
 * pci/host-generic-pci.yaml (pci-host-ecam-generic) on the PCI bus
 * binding: ECAM for bus 0 .. LAYOUT_PCI_BUSES - 1, the windows, MSIs to
 * the ITS with the requester ID as device ID (pci/pci-msi.txt: msi-map
 * <rid-base &its msi-base length>), and INTx by interrupt-map.
 */
static void arm64_fdt_pcie(struct fdt *f, const struct arm64_fdt_config *cfg)
{
	/* Slot bits 13:11 of phys.hi and the pin: 8 slots x 4 pins cover all. */
	static const uint32_t mask[4] = { (LAYOUT_SPI_PCI_LINES - 1) << 11, 0,
					  0, 7 };
	uint32_t ranges[3 * 7], *r = ranges, map[8 * 4 * 10], *m = map;
	uint32_t msi[4] = { 0, PH_ITS, 0, 0x10000 };
	uint32_t bus[2] = { 0, LAYOUT_PCI_BUSES - 1 };
	unsigned int slot, pin;
	char name[32];

	if (cfg->pio_size)
		r = pci_range(r, PCI_SPACE_IO, 0, cfg->pio_base, cfg->pio_size);
	if (cfg->mmio32_size)
		r = pci_range(r, PCI_SPACE_MEM32, cfg->mmio32_base,
			      cfg->mmio32_base, cfg->mmio32_size);
	if (cfg->mmio64_size)
		r = pci_range(r, PCI_SPACE_MEM64, cfg->mmio64_base,
			      cfg->mmio64_base, cfg->mmio64_size);
	/*
	 * Each entry: child unit address (3 cells) and pin (1), the GIC's
	 * phandle, the GIC's unit address (its #address-cells: 2 cells, 0),
	 * the GIC's specifier (3).
	 */
	for (slot = 0; slot < LAYOUT_SPI_PCI_LINES; slot++) {
		for (pin = 1; pin <= 4; pin++) {
			*m++ = slot << (PCI_DEVFN_SHIFT + 3);
			*m++ = 0;
			*m++ = 0;
			*m++ = pin;
			*m++ = PH_GIC;
			*m++ = 0;
			*m++ = 0;
			*m++ = GIC_SPI;
			*m++ = arm64_intx_spi(slot, pin);
			*m++ = IRQ_LEVEL_HIGH;
		}
	}

	fdt_begin_node(f, unit(name, "pcie", LAYOUT_ECAM_BASE));
	fdt_prop_string(f, "compatible", "pci-host-ecam-generic");
	fdt_prop_string(f, "device_type", "pci");
	fdt_prop_u32(f, "#address-cells", 3);
	fdt_prop_u32(f, "#size-cells", 2);
	fdt_prop_u32(f, "#interrupt-cells", 1);
	arm64_fdt_reg(f, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE);
	fdt_prop_cells(f, "bus-range", bus, 2);
	fdt_prop_u32(f, "linux,pci-domain", 0);
	/* Guest RAM is cacheable and device DMA snoops it: no cache upkeep. */
	fdt_prop(f, "dma-coherent", NULL, 0);
	fdt_prop_cells(f, "ranges", ranges, (unsigned int)(r - ranges));
	fdt_prop_cells(f, "msi-map", msi, 4);
	fdt_prop_cells(f, "interrupt-map-mask", mask, 4);
	fdt_prop_cells(f, "interrupt-map", map, (unsigned int)(m - map));
	fdt_end_node(f);
}

/*
 * chosen.yaml: the command line, the initrd [start, end), the console;
 * and linux,pci-probe-only, so that Linux keeps the BARs where ptvm put
 * them, as a PC guest keeps its firmware's (without it Linux's generic
 * host driver assigns every BAR again).
 */
static void arm64_fdt_chosen(struct fdt *f, const struct arm64_fdt_config *cfg,
			     const char *uart)
{
	fdt_begin_node(f, "chosen");
	if (cfg->cmdline)
		fdt_prop_string(f, "bootargs", cfg->cmdline);
	if (cfg->initrd_end > cfg->initrd_start) {
		fdt_prop_u64(f, "linux,initrd-start", cfg->initrd_start);
		fdt_prop_u64(f, "linux,initrd-end", cfg->initrd_end);
	}
	fdt_prop_string(f, "stdout-path", uart);
	fdt_prop_u32(f, "linux,pci-probe-only", 1);
	fdt_end_node(f);
}

int arm64_fdt_build(void *buf, size_t size, const struct arm64_fdt_config *cfg)
{
	static const char *const psci_compat[] = { "arm,psci-1.0",
						   "arm,psci-0.2" };
	char uart[32], name[32];
	struct fdt f;

	if (!cfg->ncpus || cfg->ncpus > LAYOUT_GICR_MAX_CPUS ||
	    !cfg->ram_size || cfg->initrd_end < cfg->initrd_start)
		return -EINVAL;
	unit(uart, "/uart", LAYOUT_UART);

	fdt_begin(&f, buf, size);
	fdt_begin_node(&f, "");
	fdt_prop_string(&f, "model", "ptvm");
	/* Linux's generic arm64 machine: no board-specific code applies. */
	fdt_prop_string(&f, "compatible", "linux,dummy-virt");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_prop_u32(&f, "#size-cells", 2);
	fdt_prop_u32(&f, "interrupt-parent", PH_GIC);

	arm64_fdt_chosen(&f, cfg, uart);
	fdt_begin_node(&f, "aliases");
	fdt_prop_string(&f, "serial0", uart);
	fdt_end_node(&f);

	fdt_begin_node(&f, unit(name, "memory", cfg->ram_base));
	fdt_prop_string(&f, "device_type", "memory");
	arm64_fdt_reg(&f, cfg->ram_base, cfg->ram_size);
	fdt_end_node(&f);

	arm64_fdt_cpus(&f, cfg);

	/* psci.yaml: KVM implements PSCI 1.x (0.2 calls included) on HVC. */
	fdt_begin_node(&f, "psci");
	fdt_prop_strings(&f, "compatible", psci_compat, 2);
	fdt_prop_string(&f, "method", "hvc");
	fdt_end_node(&f);

	arm64_fdt_timer(&f);
	arm64_fdt_gic(&f, cfg->ncpus);
	arm64_fdt_uart(&f, uart + 1);
	arm64_fdt_gpio(&f);
	arm64_fdt_pcie(&f, cfg);
	fdt_end_node(&f);
	return fdt_finish(&f);
}
