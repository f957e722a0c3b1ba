// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/fdt.h"
#include "arch/arm64/layout.h"
#include "tests/fdt_read.h"
#include "tests/harness.h"

#define RAM (512ULL << 20)
#define INITRD_START (LAYOUT_RAM_BASE + 0x10000000ULL)
#define INITRD_END (INITRD_START + 12345)
#define MMIO64 0x8000000000ULL

/* KVM's MPIDR_EL1 for vCPU i: Aff0 = i % 16, Aff1 = i / 16, bit 31 RES1. */
static uint64_t kvm_mpidr(unsigned int i)
{
	return 0x80000000ULL | (i & 15) | (uint64_t)(i >> 4) << 8;
}

static struct arm64_fdt_config config(unsigned int ncpus)
{
	struct arm64_fdt_config c = {
		.ncpus = ncpus,
		.ram_base = LAYOUT_RAM_BASE,
		.ram_size = RAM,
		.cmdline = "console=ttyS0 root=/dev/vda",
		.initrd_start = INITRD_START,
		.initrd_end = INITRD_END,
		.mmio32_base = LAYOUT_MMIO32_BASE,
		.mmio32_size = LAYOUT_MMIO32_SIZE,
		.mmio64_base = MMIO64,
		.mmio64_size = LAYOUT_MMIO64_SIZE,
		.pio_base = LAYOUT_PIO_MMIO,
		.pio_size = 0x10000,
	};
	unsigned int i;

	for (i = 0; i < ncpus; i++)
		c.mpidr[i] = kvm_mpidr(i);
	return c;
}

/* Builds cfg into a fresh LAYOUT_FDT_MAX buffer and checks its form. */
static uint8_t *build(const struct arm64_fdt_config *cfg)
{
	uint8_t *b = malloc(LAYOUT_FDT_MAX);
	int len = arm64_fdt_build(b, LAYOUT_FDT_MAX, cfg);

	ASSERT_GE(len, 56);
	ASSERT_EQ(fdtr_check(b, (size_t)len), 0);
	return b;
}

static int prop_is(const uint8_t *b, const char *path, const char *name,
		   const void *val, uint32_t len)
{
	uint32_t l;
	const uint8_t *v = fdtr_prop(b, path, name, &l);

	return v && l == len && !memcmp(v, val, len);
}

#define PROP_IS(b, path, name, str) prop_is(b, path, name, str, sizeof(str))

/* A string property naming a node that is in the tree. */
static int path_exists(const uint8_t *b, const char *path, const char *name)
{
	uint32_t l;
	const uint8_t *v = fdtr_prop(b, path, name, &l);

	return v && l && !v[l - 1] && fdtr_node(b, (const char *)v);
}

TEST(root_memory_chosen)
{
	struct arm64_fdt_config cfg = config(1);
	uint8_t *b = build(&cfg);
	const uint8_t *v;
	uint32_t len;
	char mem[32];

	EXPECT_TRUE(PROP_IS(b, "/", "compatible", "linux,dummy-virt"));
	EXPECT_EQ(fdtr_u32(b, "/", "#address-cells", 0), 2);
	EXPECT_EQ(fdtr_u32(b, "/", "#size-cells", 0), 2);
	EXPECT_EQ(fdtr_u32(b, "/", "interrupt-parent", 0),
		  fdtr_u32(b, "/intc@8000000", "phandle", 1));

	snprintf(mem, sizeof(mem), "/memory@%llx",
		 (unsigned long long)LAYOUT_RAM_BASE);
	EXPECT_TRUE(PROP_IS(b, mem, "device_type", "memory"));
	v = fdtr_prop(b, mem, "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 16);
	EXPECT_EQ(fdtr_cell64(v, 0), LAYOUT_RAM_BASE);
	EXPECT_EQ(fdtr_cell64(v, 2), RAM);

	EXPECT_TRUE(PROP_IS(b, "/chosen", "bootargs",
			    "console=ttyS0 root=/dev/vda"));
	v = fdtr_prop(b, "/chosen", "linux,initrd-start", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 8);
	EXPECT_EQ(fdtr_cell64(v, 0), INITRD_START);
	v = fdtr_prop(b, "/chosen", "linux,initrd-end", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 8);
	EXPECT_EQ(fdtr_cell64(v, 0), INITRD_END);
	EXPECT_TRUE(PROP_IS(b, "/chosen", "stdout-path", "/uart@1000000"));
	EXPECT_TRUE(path_exists(b, "/chosen", "stdout-path"));
	EXPECT_TRUE(PROP_IS(b, "/aliases", "serial0", "/uart@1000000"));
	/* Linux keeps ptvm's BARs instead of assigning them again */
	v = fdtr_prop(b, "/chosen", "linux,pci-probe-only", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 4);
	EXPECT_EQ(fdtr_cell(v, 0), 1);
	free(b);
}

TEST(no_initrd_no_cmdline)
{
	struct arm64_fdt_config cfg = config(1);
	uint8_t *b;

	cfg.initrd_start = cfg.initrd_end = 0;
	cfg.cmdline = NULL;
	b = build(&cfg);
	EXPECT_TRUE(fdtr_node(b, "/chosen"));
	EXPECT_FALSE(fdtr_prop(b, "/chosen", "linux,initrd-start", NULL));
	EXPECT_FALSE(fdtr_prop(b, "/chosen", "linux,initrd-end", NULL));
	EXPECT_FALSE(fdtr_prop(b, "/chosen", "bootargs", NULL));
	EXPECT_TRUE(path_exists(b, "/chosen", "stdout-path"));
	free(b);
}

TEST(cpus_psci_timer)
{
	struct arm64_fdt_config cfg = config(8);
	uint8_t *b = build(&cfg);
	const uint8_t *v;
	uint32_t len;
	unsigned int i;
	char path[32];

	EXPECT_EQ(fdtr_u32(b, "/cpus", "#address-cells", 0), 1);
	EXPECT_EQ(fdtr_u32(b, "/cpus", "#size-cells", 1), 0);
	EXPECT_EQ(fdtr_children(b, "/cpus", "cpu@"), 8);
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		/* MPIDR bit 31 (RES1) is no affinity: reg is i */
		EXPECT_EQ(fdtr_u32(b, path, "reg", ~0u), i);
		EXPECT_TRUE(PROP_IS(b, path, "device_type", "cpu"));
		EXPECT_TRUE(PROP_IS(b, path, "compatible", "arm,arm-v8"));
		EXPECT_TRUE(PROP_IS(b, path, "enable-method", "psci"));
	}
	EXPECT_TRUE(PROP_IS(b, "/psci", "compatible",
			    "arm,psci-1.0\0arm,psci-0.2"));
	EXPECT_TRUE(PROP_IS(b, "/psci", "method", "hvc"));

	EXPECT_TRUE(PROP_IS(b, "/timer", "compatible", "arm,armv8-timer"));
	EXPECT_TRUE(fdtr_prop(b, "/timer", "always-on", NULL));
	v = fdtr_prop(b, "/timer", "interrupts", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 48);
	for (i = 0; i < 4; i++) {
		static const uint32_t ppi[4] = { 13, 14, 11, 10 };

		EXPECT_EQ(fdtr_cell(v, 3 * i), 1); /* GIC_PPI */
		EXPECT_EQ(fdtr_cell(v, 3 * i + 1), ppi[i]);
		EXPECT_EQ(fdtr_cell(v, 3 * i + 2), 4); /* level-high, no mask */
	}
	free(b);
}

/* 64 vCPUs as KVM numbers them: Aff1 counts the groups of 16. */
TEST(sixty_four_cpus_with_aff1)
{
	struct arm64_fdt_config cfg = config(LAYOUT_GICR_MAX_CPUS);
	uint8_t *b = build(&cfg);

	EXPECT_EQ(fdtr_children(b, "/cpus", "cpu@"), 64);
	EXPECT_EQ(fdtr_u32(b, "/cpus/cpu@0", "reg", ~0u), 0);
	EXPECT_EQ(fdtr_u32(b, "/cpus/cpu@f", "reg", ~0u), 15);
	EXPECT_EQ(fdtr_u32(b, "/cpus/cpu@100", "reg", ~0u), 0x100);
	EXPECT_EQ(fdtr_u32(b, "/cpus/cpu@30f", "reg", ~0u), 0x30f);
	free(b);
}

/* An Aff3 makes the cpus two address cells wide; MT and U are not affinity. */
TEST(aff3_takes_two_cells)
{
	struct arm64_fdt_config cfg = config(2);
	const uint8_t *v;
	uint32_t len;
	uint8_t *b;

	cfg.mpidr[0] = 0x80000000ULL | 1ULL << 30 | 1ULL << 24;
	cfg.mpidr[1] = 0x80000000ULL | 0x200000000ULL | 0x030201;
	b = build(&cfg);
	EXPECT_EQ(fdtr_u32(b, "/cpus", "#address-cells", 0), 2);
	v = fdtr_prop(b, "/cpus/cpu@0", "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 8);
	EXPECT_EQ(fdtr_cell64(v, 0), 0);
	v = fdtr_prop(b, "/cpus/cpu@200030201", "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 8);
	EXPECT_EQ(fdtr_cell(v, 0), 2);
	EXPECT_EQ(fdtr_cell(v, 1), 0x030201);
	free(b);
}

static void check_gic(unsigned int ncpus)
{
	struct arm64_fdt_config cfg = config(ncpus);
	uint8_t *b = build(&cfg);
	const char *gic = "/intc@8000000", *its = "/intc@8000000/its@8080000";
	const uint8_t *v;
	uint32_t len;

	EXPECT_TRUE(PROP_IS(b, gic, "compatible", "arm,gic-v3"));
	EXPECT_EQ(fdtr_u32(b, gic, "#interrupt-cells", 0), 3);
	EXPECT_TRUE(fdtr_prop(b, gic, "interrupt-controller", NULL));
	EXPECT_EQ(fdtr_u32(b, gic, "#address-cells", 0), 2);
	EXPECT_EQ(fdtr_u32(b, gic, "#size-cells", 0), 2);
	v = fdtr_prop(b, gic, "ranges", &len);
	EXPECT_TRUE(v);
	EXPECT_EQ(len, 0);
	v = fdtr_prop(b, gic, "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 32);
	EXPECT_EQ(fdtr_cell64(v, 0), LAYOUT_GICD);
	EXPECT_EQ(fdtr_cell64(v, 2), LAYOUT_GICD_SIZE);
	EXPECT_EQ(fdtr_cell64(v, 4), LAYOUT_GICR);
	EXPECT_EQ(fdtr_cell64(v, 6), ncpus * LAYOUT_GICR_STRIDE);

	EXPECT_TRUE(PROP_IS(b, its, "compatible", "arm,gic-v3-its"));
	EXPECT_TRUE(fdtr_prop(b, its, "msi-controller", NULL));
	EXPECT_EQ(fdtr_u32(b, its, "#msi-cells", 0), 1);
	v = fdtr_prop(b, its, "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 16);
	EXPECT_EQ(fdtr_cell64(v, 0), LAYOUT_GITS);
	EXPECT_EQ(fdtr_cell64(v, 2), LAYOUT_GITS_SIZE);
	EXPECT_NE(fdtr_u32(b, gic, "phandle", 0), 0);
	EXPECT_NE(fdtr_u32(b, its, "phandle", 0), 0);
	EXPECT_NE(fdtr_u32(b, gic, "phandle", 0),
		  fdtr_u32(b, its, "phandle", 0));
	free(b);
}

TEST(gic_one_cpu)
{
	check_gic(1);
}

TEST(gic_eight_cpus)
{
	check_gic(8);
}

TEST(uart_gpio_power_key)
{
	struct arm64_fdt_config cfg = config(1);
	uint8_t *b = build(&cfg);
	const char *uart = "/uart@1000000", *gpio = "/pl061@1001000";
	const uint8_t *v;
	uint32_t len;

	EXPECT_TRUE(PROP_IS(b, uart, "compatible", "ns16550a"));
	v = fdtr_prop(b, uart, "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 16);
	EXPECT_EQ(fdtr_cell64(v, 0), LAYOUT_UART);
	EXPECT_EQ(fdtr_cell64(v, 2), LAYOUT_UART_SIZE);
	v = fdtr_prop(b, uart, "interrupts", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 12);
	EXPECT_EQ(fdtr_cell(v, 0), 0); /* GIC_SPI */
	EXPECT_EQ(fdtr_cell(v, 1), LAYOUT_SPI_UART);
	EXPECT_EQ(fdtr_cell(v, 2), 4);
	EXPECT_EQ(fdtr_u32(b, uart, "clock-frequency", 0), 1843200);
	EXPECT_EQ(fdtr_u32(b, uart, "reg-shift", 9), 0);
	EXPECT_EQ(fdtr_u32(b, uart, "reg-io-width", 9), 1);

	EXPECT_TRUE(PROP_IS(b, gpio, "compatible", "arm,pl061\0arm,primecell"));
	v = fdtr_prop(b, gpio, "reg", &len);
	ASSERT_TRUE(v);
	EXPECT_EQ(fdtr_cell64(v, 0), LAYOUT_GPIO);
	EXPECT_EQ(fdtr_cell64(v, 2), LAYOUT_GPIO_SIZE);
	v = fdtr_prop(b, gpio, "interrupts", &len);
	ASSERT_TRUE(v);
	EXPECT_EQ(fdtr_cell(v, 1), LAYOUT_SPI_GPIO);
	EXPECT_TRUE(fdtr_prop(b, gpio, "gpio-controller", NULL));
	EXPECT_EQ(fdtr_u32(b, gpio, "#gpio-cells", 0), 2);
	EXPECT_TRUE(PROP_IS(b, gpio, "clock-names", "apb_pclk"));
	EXPECT_EQ(fdtr_u32(b, gpio, "clocks", 0),
		  fdtr_u32(b, "/apb-pclk", "phandle", 1));
	EXPECT_TRUE(PROP_IS(b, "/apb-pclk", "compatible", "fixed-clock"));
	EXPECT_EQ(fdtr_u32(b, "/apb-pclk", "#clock-cells", 1), 0);

	EXPECT_TRUE(PROP_IS(b, "/gpio-keys", "compatible", "gpio-keys"));
	EXPECT_EQ(fdtr_u32(b, "/gpio-keys/poweroff", "linux,code", 0), 116);
	EXPECT_TRUE(fdtr_prop(b, "/gpio-keys/poweroff", "label", NULL));
	v = fdtr_prop(b, "/gpio-keys/poweroff", "gpios", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 12);
	EXPECT_EQ(fdtr_cell(v, 0), fdtr_u32(b, gpio, "phandle", 0));
	EXPECT_EQ(fdtr_cell(v, 1), LAYOUT_GPIO_POWER_LINE);
	EXPECT_EQ(fdtr_cell(v, 2), 0);
	free(b);
}

TEST(pcie_host_bridge)
{
	struct arm64_fdt_config cfg = config(1);
	uint8_t *b = build(&cfg);
	const char *pci = "/pcie@3f000000";
	const uint8_t *v;
	uint32_t len;

	EXPECT_TRUE(PROP_IS(b, pci, "compatible", "pci-host-ecam-generic"));
	EXPECT_TRUE(PROP_IS(b, pci, "device_type", "pci"));
	EXPECT_EQ(fdtr_u32(b, pci, "#address-cells", 0), 3);
	EXPECT_EQ(fdtr_u32(b, pci, "#size-cells", 0), 2);
	EXPECT_EQ(fdtr_u32(b, pci, "#interrupt-cells", 0), 1);
	EXPECT_EQ(fdtr_u32(b, pci, "linux,pci-domain", 1), 0);
	EXPECT_TRUE(fdtr_prop(b, pci, "dma-coherent", NULL));
	v = fdtr_prop(b, pci, "reg", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 16);
	EXPECT_EQ(fdtr_cell64(v, 0), LAYOUT_ECAM_BASE);
	EXPECT_EQ(fdtr_cell64(v, 2), LAYOUT_ECAM_SIZE);
	v = fdtr_prop(b, pci, "bus-range", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 8);
	EXPECT_EQ(fdtr_cell(v, 0), 0);
	EXPECT_EQ(fdtr_cell(v, 1), 0);

	v = fdtr_prop(b, pci, "ranges", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 3 * 7 * 4);
	EXPECT_EQ(fdtr_cell(v, 0), 0x01000000); /* I/O: port 0 at PIO_MMIO */
	EXPECT_EQ(fdtr_cell64(v, 1), 0);
	EXPECT_EQ(fdtr_cell64(v, 3), LAYOUT_PIO_MMIO);
	EXPECT_EQ(fdtr_cell64(v, 5), 0x10000);
	EXPECT_EQ(fdtr_cell(v, 7), 0x02000000); /* 32-bit, identity */
	EXPECT_EQ(fdtr_cell64(v, 8), LAYOUT_MMIO32_BASE);
	EXPECT_EQ(fdtr_cell64(v, 10), LAYOUT_MMIO32_BASE);
	EXPECT_EQ(fdtr_cell64(v, 12), LAYOUT_MMIO32_SIZE);
	EXPECT_EQ(fdtr_cell(v, 14), 0x03000000); /* 64-bit, identity */
	EXPECT_EQ(fdtr_cell64(v, 15), MMIO64);
	EXPECT_EQ(fdtr_cell64(v, 17), MMIO64);
	EXPECT_EQ(fdtr_cell64(v, 19), LAYOUT_MMIO64_SIZE);

	/* requester ID n is ITS device ID n, for all 65536 */
	v = fdtr_prop(b, pci, "msi-map", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 16);
	EXPECT_EQ(fdtr_cell(v, 0), 0);
	EXPECT_EQ(fdtr_cell(v, 1),
		  fdtr_u32(b, "/intc@8000000/its@8080000", "phandle", 0));
	EXPECT_EQ(fdtr_cell(v, 2), 0);
	EXPECT_EQ(fdtr_cell(v, 3), 0x10000);
	free(b);
}

TEST(pcie_without_a_64_bit_window)
{
	struct arm64_fdt_config cfg = config(1);
	const uint8_t *v;
	uint32_t len;
	uint8_t *b;

	cfg.mmio64_size = 0;
	b = build(&cfg);
	v = fdtr_prop(b, "/pcie@3f000000", "ranges", &len);
	ASSERT_TRUE(v);
	ASSERT_EQ(len, 2 * 7 * 4);
	EXPECT_EQ(fdtr_cell(v, 7), 0x02000000);
	free(b);
}

TEST(intx_swizzle)
{
	EXPECT_EQ(arm64_intx_spi(0, 1), LAYOUT_SPI_PCI + 7);
	EXPECT_EQ(arm64_intx_spi(1, 1), LAYOUT_SPI_PCI);
	EXPECT_EQ(arm64_intx_spi(1, 4), LAYOUT_SPI_PCI + 3);
	EXPECT_EQ(arm64_intx_spi(2, 1), LAYOUT_SPI_PCI + 1);
	EXPECT_EQ(arm64_intx_spi(7, 4), LAYOUT_SPI_PCI + 1);
	EXPECT_EQ(arm64_intx_spi(9, 1), LAYOUT_SPI_PCI);
	EXPECT_EQ(arm64_intx_spi(31, 4), LAYOUT_SPI_PCI + 1);
	EXPECT_LT(arm64_intx_spi(31, 4), LAYOUT_NR_SPIS);
}

/*
 * Resolves every slot's every pin through interrupt-map-mask and
 * interrupt-map as Linux's of_irq_parse_raw does (the child address
 * phys.hi = devfn << 8 on bus 0, the pin; entries sized by the parent's
 * #address-cells and #interrupt-cells) and checks it lands on
 * arm64_intx_spi, and on the swizzle computed here once more.
 */
TEST(interrupt_map_matches_arm64_intx_spi)
{
	struct arm64_fdt_config cfg = config(1);
	uint8_t *b = build(&cfg);
	const char *pci = "/pcie@3f000000";
	const uint8_t *map, *mask;
	uint32_t mlen, klen, gic = fdtr_u32(b, "/intc@8000000", "phandle", 0);
	uint32_t acells = fdtr_u32(b, "/intc@8000000", "#address-cells", 0);
	uint32_t icells = fdtr_u32(b, "/intc@8000000", "#interrupt-cells", 0);
	uint32_t stride = 3 + 1 + 1 + acells + icells, n, e, i;
	unsigned int slot, pin, hits;

	mask = fdtr_prop(b, pci, "interrupt-map-mask", &klen);
	ASSERT_TRUE(mask);
	ASSERT_EQ(klen, 16);
	EXPECT_EQ(fdtr_cell(mask, 0), 0x3800);
	EXPECT_EQ(fdtr_cell(mask, 1), 0);
	EXPECT_EQ(fdtr_cell(mask, 2), 0);
	EXPECT_EQ(fdtr_cell(mask, 3), 7);
	map = fdtr_prop(b, pci, "interrupt-map", &mlen);
	ASSERT_TRUE(map);
	ASSERT_EQ(acells, 2);
	ASSERT_EQ(icells, 3);
	ASSERT_EQ(mlen % (stride * 4), 0);
	n = mlen / (stride * 4);
	ASSERT_EQ(n, 8 * 4);
	for (e = 0; e < n; e++) { /* every entry well-formed */
		const uint8_t *en = map + e * stride * 4;

		EXPECT_EQ(fdtr_cell(en, 4), gic);
		EXPECT_EQ(fdtr_cell(en, 5), 0);
		EXPECT_EQ(fdtr_cell(en, 6), 0);
		EXPECT_EQ(fdtr_cell(en, 7), 0); /* GIC_SPI */
		EXPECT_EQ(fdtr_cell(en, 9), 4); /* level-high */
	}
	for (slot = 0; slot < 32; slot++) {
		for (pin = 1; pin <= 4; pin++) {
			uint32_t want[4] = { (slot << 3) << 8, 0, 0, pin };
			const uint8_t *hit = NULL;

			for (e = 0, hits = 0; e < n; e++) {
				const uint8_t *en = map + e * stride * 4;
				int match = 1;

				for (i = 0; i < 4; i++)
					match &=
						!((want[i] ^ fdtr_cell(en, i)) &
						  fdtr_cell(mask, i));
				if (match) {
					hit = en;
					hits++;
				}
			}
			ASSERT_EQ(hits, 1);
			EXPECT_EQ(fdtr_cell(hit, 8), arm64_intx_spi(slot, pin));
			EXPECT_EQ(fdtr_cell(hit, 8),
				  LAYOUT_SPI_PCI + (slot + pin + 6) % 8);
		}
	}
	free(b);
}

TEST(refusals)
{
	struct arm64_fdt_config cfg = config(1);
	uint8_t b[64];

	cfg.ncpus = 0;
	EXPECT_EQ(arm64_fdt_build(b, sizeof(b), &cfg), -EINVAL);
	cfg.ncpus = LAYOUT_GICR_MAX_CPUS + 1;
	EXPECT_EQ(arm64_fdt_build(b, sizeof(b), &cfg), -EINVAL);
	cfg = config(1);
	cfg.ram_size = 0;
	EXPECT_EQ(arm64_fdt_build(b, sizeof(b), &cfg), -EINVAL);
	cfg = config(1);
	cfg.initrd_end = cfg.initrd_start - 1;
	EXPECT_EQ(arm64_fdt_build(b, sizeof(b), &cfg), -EINVAL);
}

/* Any buffer too small fails cleanly; 64 vCPUs fit in LAYOUT_FDT_MAX. */
TEST(too_small_is_enospc_and_nothing_written_past_the_end)
{
	struct arm64_fdt_config cfg = config(LAYOUT_GICR_MAX_CPUS);
	uint8_t *b = malloc(LAYOUT_FDT_MAX + 64);
	int len = arm64_fdt_build(b, LAYOUT_FDT_MAX, &cfg), size, i;

	ASSERT_GE(len, 0);
	ASSERT_LT(len, LAYOUT_FDT_MAX);
	for (size = 0; size < len; size += 7) {
		memset(b, 0x5a, LAYOUT_FDT_MAX + 64);
		ASSERT_EQ(arm64_fdt_build(b, (size_t)size, &cfg), -ENOSPC);
		for (i = size; i < size + 64; i++)
			ASSERT_EQ(b[i], 0x5a);
	}
	EXPECT_EQ(arm64_fdt_build(b, (size_t)len - 1, &cfg), -ENOSPC);
	EXPECT_EQ(arm64_fdt_build(b, (size_t)len, &cfg), len);
	free(b);
}

/* Runs cmd with stderr to errf; its status, and whether it said nothing. */
static int run_quiet(const char *cmd, const char *errf)
{
	char line[1024];
	FILE *f;
	int st = system(cmd), quiet = 1;

	f = fopen(errf, "r");
	while (f && fgets(line, sizeof(line), f)) {
		printf("# dtc: %s", line);
		quiet = 0;
	}
	if (f)
		fclose(f);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && quiet ? 0 : -1;
}

/*
 * dtc (device-tree-compiler) decompiles the blob running all its checks
 * (reg and ranges sizes against #address-cells, interrupts and
 * interrupt-map against their parents, phandle references, gpios,
 * clocks, aliases, stdout-path, PCI bridge properties): any warning
 * fails, and so does compiling the result back. (dtc 1.6 does not check
 * interrupt-map entries: interrupt_map_matches_arm64_intx_spi does.)
 */
TEST(dtc_accepts_it_without_warnings)
{
	struct arm64_fdt_config cfg = config(8);
	char dir[] = "/tmp/ptvm-dtc-XXXXXX", cmd[512], dtb[64], dts[64],
	     err[64];
	uint8_t *b;
	FILE *f;
	int len;

	if (system("command -v dtc >/dev/null 2>&1"))
		SKIP("dtc not installed (apt-get install device-tree-compiler)");
	b = malloc(LAYOUT_FDT_MAX);
	len = arm64_fdt_build(b, LAYOUT_FDT_MAX, &cfg);
	ASSERT_GE(len, 0);
	ASSERT_TRUE(mkdtemp(dir));
	snprintf(dtb, sizeof(dtb), "%s/ptvm.dtb", dir);
	snprintf(dts, sizeof(dts), "%s/ptvm.dts", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	f = fopen(dtb, "w");
	ASSERT_TRUE(f);
	ASSERT_EQ(fwrite(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o %s %s 2>%s", dts, dtb,
		 err);
	EXPECT_EQ(run_quiet(cmd, err), 0);
	snprintf(cmd, sizeof(cmd),
		 "grep -q 'compatible = \"arm,gic-v3\";' %s && "
		 "grep -q 'msi-map = <0x00 0x[0-9a-f]* 0x00 0x10000>;' %s",
		 dts, dts);
	EXPECT_EQ(system(cmd), 0);
	/* Decompiled, phandles are plain numbers: those two checks cannot know. */
	snprintf(cmd, sizeof(cmd),
		 "dtc -W no-clocks_property -W no-gpios_property "
		 "-I dts -O dtb -o /dev/null %s 2>%s",
		 dts, err);
	EXPECT_EQ(run_quiet(cmd, err), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	EXPECT_EQ(system(cmd), 0);
	free(b);
}

TEST_MAIN()
