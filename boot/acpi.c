/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/acpi_tables.h"
#include "boot/aml.h"
#include "arch/x86/layout.h"

/*
 * One OEM Table ID for every table: ACPI 6.4, 5.2.9 wants the FADT's to
 * match the XSDT's.
 */
#define OEM_ID "PTVM  "
#define OEM_TABLE_ID "PTVM    "
#define OEM_REVISION 1
#define CREATOR_ID "PTVM"
#define CREATOR_REVISION 1

#define ECAM_BUS_SIZE (1ULL << 20) /* 32 devices x 8 functions x 4 KiB */
#define LAST_BUS (LAYOUT_PCI_BUSES - 1)
_Static_assert(LAYOUT_ECAM_SIZE == LAYOUT_PCI_BUSES * ECAM_BUS_SIZE, "ECAM");

unsigned int acpi_intx_gsi(unsigned int slot, unsigned int pin)
{
	/*
	 * The swizzle that a PCI-to-PCI bridge applies to the devices
	 * behind it, here over eight pins: devices in neighbouring slots
	 * do not all share one line through their INTA.
	 */
	return 16 + ((slot + pin - 2) & 7);
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Pads with zeros so that the next table's guest address is aligned. */
static size_t table_begin(struct aml *a, uint64_t gpa, uint64_t align)
{
	static const uint8_t zeros[64];
	uint64_t pad = (align - (gpa + a->len) % align) % align;

	aml_bytes(a, zeros, (size_t)pad);
	return a->len;
}

static void header_init(struct acpi_header *h, const char *sig, uint8_t rev)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->sig, sig, 4);
	h->revision = rev;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = OEM_REVISION;
	memcpy(h->creator_id, CREATOR_ID, 4);
	h->creator_revision = CREATOR_REVISION;
}

/* Fills in the length and checksum of the table that starts at off. */
static void table_end(struct aml *a, size_t off)
{
	uint32_t len = (uint32_t)(a->len - off);
	uint8_t *t = a->buf + off;

	if (a->err)
		return;
	memcpy(t + offsetof(struct acpi_header, length), &len, 4);
	t[offsetof(struct acpi_header, checksum)] = 0;
	t[offsetof(struct acpi_header, checksum)] = (uint8_t)-sum8(t, len);
}

/* ACPI 6.4, 5.2.10: 64-byte aligned; no waking vector, since no S1-S4. */
static size_t build_facs(struct aml *a, uint64_t gpa)
{
	struct acpi_facs f = {
		.sig = "FACS",
		.length = sizeof(f),
		.version = 2,
	};
	size_t off = table_begin(a, gpa, 64);

	aml_bytes(a, &f, sizeof(f));
	return off;
}

/* Device(PCI0)'s _CRS: ACPI 6.4, 6.2.2, with the descriptors of 6.4. */
static void dsdt_pci0_crs(struct aml *a, const struct acpi_config *cfg)
{
	size_t rt;

	aml_name(a, "_CRS");
	rt = aml_restemplate_begin(a);
	/* Buses 0..LAST_BUS, as in the MCFG: no room for a peer bridge. */
	aml_res_addr(a, 2, AML_RES_BUS, 0, 0, 0, LAST_BUS);
	/*
	 * The config ports, consumed by the bridge itself (Linux drops this
	 * one from the root bus resources).
	 */
	aml_res_io(a, 0xcf8, 8);
	/*
	 * The legacy ports below them: on a PC the ISA devices (here the
	 * UART, PIC, PIT and the ACPI PM registers that ptvm emulates) sit
	 * behind the host bridge, so their port requests nest under this
	 * window. No BAR is ever placed there: Linux allocates I/O from 0x1000.
	 */
	aml_res_addr(a, 2, AML_RES_IO, 0, AML_RES_IO_ENTIRE, 0, 0xcf7);
	/*
	 * 0xd00 up to the I/O BAR window is not decoded by anything, so it
	 * is not a window: Linux must not move an I/O BAR there.
	 */
	if (cfg->pio_size)
		aml_res_addr(a, 2, AML_RES_IO, 0, AML_RES_IO_ENTIRE,
			     cfg->pio_base,
			     (uint64_t)cfg->pio_base + cfg->pio_size - 1);
	/*
	 * Both memory windows are non-prefetchable: at the root there is
	 * no bridge for which it would matter, and Linux refuses to claim a
	 * non-prefetchable BAR that ptvm placed inside a prefetchable
	 * window (pci_find_parent_resource), which would make it move BARs.
	 * No 0xa0000 VGA window: there is no VGA.
	 */
	if (cfg->mmio32_size)
		aml_res_addr(a, 4, AML_RES_MEM, 0, AML_RES_MEM_RW,
			     cfg->mmio32_base,
			     cfg->mmio32_base + cfg->mmio32_size - 1);
	if (cfg->mmio64_size)
		aml_res_addr(a, 8, AML_RES_MEM, 0, AML_RES_MEM_RW,
			     cfg->mmio64_base,
			     cfg->mmio64_base + cfg->mmio64_size - 1);
	aml_restemplate_end(a, rt);
}

/*
 * ACPI 6.4, 6.2.13: one entry per slot and pin, { _ADR of the slot (any
 * function), pin (0 = INTA), source 0 (so the index is a GSI, wired
 * level-triggered and active-low), GSI }.
 */
static void dsdt_pci0_prt(struct aml *a, const struct acpi_config *cfg)
{
	unsigned int slot, pin;
	size_t prt, e;

	aml_name(a, "_PRT");
	prt = aml_package_begin(a, cfg->nslots * 4);
	for (slot = 1; slot <= cfg->nslots; slot++) {
		for (pin = 0; pin < 4; pin++) {
			e = aml_package_begin(a, 4);
			aml_int(a, (uint64_t)slot << 16 | 0xffff);
			aml_int(a, pin);
			aml_int(a, 0);
			aml_int(a, acpi_intx_gsi(slot, pin + 1));
			aml_block_end(a, e);
		}
	}
	aml_block_end(a, prt);
}

/*
 * PCI Firmware Specification 3.3, 4.5: grant the OS every control it
 * asks for (Arg3 returned unchanged). Without _OSC, Linux keeps ASPM off
 * and logs that the platform retains control of PCIe features. The guest
 * sees no root ports or switches, so native hotplug, AER, PME and DPC have
 * nothing to bind to; what matters is that nothing is refused. MSI does
 * not depend on _OSC (only on the FADT's MSI_NOT_SUPPORTED, left clear).
 *
 *	Method (_OSC, 4) {
 *		CreateDWordField (Arg3, 0, CDW1)
 *		If (Arg0 == ToUUID (PCI_HOST_OSC_UUID)) {
 *			If (!(Arg1 == 1)) { CDW1 |= 0x08 }
 *			Return (Arg3)
 *		}
 *		CDW1 |= 0x04
 *		Return (Arg3)
 *	}
 */
static void dsdt_pci0_osc(struct aml *a)
{
	size_t m, uuid, rev;

	m = aml_block_begin(a, AML_METHOD);
	aml_namestring(a, "_OSC");
	aml_byte(a, 4); /* MethodFlags: 4 arguments, not serialized */

	aml_byte(a, AML_CREATE_DWORD_FIELD);
	aml_byte(a, AML_ARG0 + 3);
	aml_int(a, 0);
	aml_namestring(a, "CDW1");

	uuid = aml_block_begin(a, AML_IF);
	aml_byte(a, AML_LEQUAL);
	aml_byte(a, AML_ARG0);
	aml_uuid(a, PCI_HOST_OSC_UUID);

	rev = aml_block_begin(a, AML_IF);
	aml_byte(a, AML_LNOT);
	aml_byte(a, AML_LEQUAL);
	aml_byte(a, AML_ARG0 + 1);
	aml_int(a, 1);
	aml_byte(a, AML_OR);
	aml_namestring(a, "CDW1");
	aml_int(a, OSC_UNRECOGNIZED_REVISION);
	aml_namestring(a, "CDW1");
	aml_block_end(a, rev);

	aml_byte(a, AML_RETURN);
	aml_byte(a, AML_ARG0 + 3);
	aml_block_end(a, uuid);

	aml_byte(a, AML_OR);
	aml_namestring(a, "CDW1");
	aml_int(a, OSC_UNRECOGNIZED_UUID);
	aml_namestring(a, "CDW1");
	aml_byte(a, AML_RETURN);
	aml_byte(a, AML_ARG0 + 3);
	aml_block_end(a, m);
}

/* The PCIe root bridge of segment 0, bus 0 (ACPI 6.4, 6.1.5, 6.5.5, 6.5.6). */
static void dsdt_pci0(struct aml *a, const struct acpi_config *cfg)
{
	size_t dev = aml_block_begin(a, AML_DEVICE);

	aml_namestring(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A08"); /* PCI Express root bridge */
	aml_name(a, "_CID");
	aml_eisaid(a, "PNP0A03"); /* PCI root bridge */
	aml_name(a, "_UID");
	aml_int(a, 0);
	aml_name(a, "_SEG");
	aml_int(a, 0);
	aml_name(a, "_BBN");
	aml_int(a, 0);
	dsdt_pci0_crs(a, cfg);
	/* An empty _PRT package draws an ACPICA warning; no slots, no _PRT. */
	if (cfg->nslots)
		dsdt_pci0_prt(a, cfg);
	dsdt_pci0_osc(a);
	aml_block_end(a, dev);
}

/*
 * PCI Firmware Specification 3.3, 4.1.2: the MCFG range must be reserved
 * by a motherboard resource device (PNP0C02) under \_SB, and not claimed in
 * the root bridge's _CRS. Linux looks for it first; without it, it logs a
 * "[Firmware Info]" line and falls back to the e820 map.
 */
static void dsdt_mres(struct aml *a, const struct acpi_config *cfg)
{
	uint64_t end = cfg->ecam_base + LAYOUT_ECAM_SIZE - 1;
	size_t dev, rt;

	dev = aml_block_begin(a, AML_DEVICE);
	aml_namestring(a, "MRES");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C02");
	aml_name(a, "_CRS");
	rt = aml_restemplate_begin(a);
	if (end <= UINT32_MAX)
		aml_res_mem32_fixed(a, (uint32_t)cfg->ecam_base,
				    (uint32_t)LAYOUT_ECAM_SIZE);
	else
		aml_res_addr(a, 8, AML_RES_MEM, AML_RES_CONSUMER,
			     AML_RES_MEM_RW, cfg->ecam_base, end);
	aml_restemplate_end(a, rt);
	aml_block_end(a, dev);
}

/* ACPI 6.4, 5.2.11.1; revision 2: integers are 64-bit. */
static size_t build_dsdt(struct aml *a, uint64_t gpa,
			 const struct acpi_config *cfg)
{
	struct acpi_header h;
	size_t off = table_begin(a, gpa, 16), s5, sb;

	header_init(&h, "DSDT", 2);
	aml_bytes(a, &h, sizeof(h));

	/*
	 * ACPI 6.4, 7.4.2: \_S5 is { SLP_TYPa, SLP_TYPb, reserved,
	 * reserved }. The guest writes SLP_TYPa with SLP_EN to PM1a_CNT to
	 * power off (4.8.3.2.1); there is no PM1b block.
	 */
	aml_name(a, "\\_S5");
	s5 = aml_package_begin(a, 4);
	aml_int(a, LAYOUT_ACPI_SLP_TYP_S5);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_block_end(a, s5);

	sb = aml_block_begin(a, AML_SCOPE);
	aml_namestring(a, "\\_SB");
	dsdt_pci0(a, cfg);
	dsdt_mres(a, cfg);
	aml_block_end(a, sb);

	table_end(a, off);
	return off;
}

static struct acpi_gas gas_io(uint16_t port, uint8_t bytes, uint8_t access)
{
	return (struct acpi_gas){
		.space = GAS_SYSTEM_IO,
		.bit_width = (uint8_t)(bytes * 8),
		.access_size = access,
		.address = port,
	};
}

/* ACPI 6.4, 5.2.9: FADT revision 6 (ACPI 6.4), 276 bytes. */
static size_t build_fadt(struct aml *a, uint64_t gpa, size_t facs, size_t dsdt)
{
	struct acpi_fadt f;
	size_t off = table_begin(a, gpa, 16);

	memset(&f, 0, sizeof(f));
	header_init(&f.h, "FACP", 6);
	f.minor_version = 4;
	/*
	 * The FACS is below 4 GiB: "If the X_FIRMWARE_CTRL field contains a
	 * non zero value then this field must be zero", so only the 32-bit
	 * field. The DSDT goes in both, equal (ACPICA accepts equal values).
	 */
	f.firmware_ctrl = (uint32_t)(gpa + facs);
	f.dsdt = (uint32_t)(gpa + dsdt);
	f.x_dsdt = gpa + dsdt;
	f.pm_profile = 0; /* unspecified */
	f.sci_int = LAYOUT_ACPI_SCI_IRQ;
	/*
	 * No SMI command port: the hardware is always in ACPI mode (ptvm's
	 * PM1a_CNT reads back SCI_EN), so the OS never tries to switch.
	 */
	f.smi_cmd = 0;
	f.pm1a_evt_blk = LAYOUT_PIO_ACPI_PM1_EVT;
	f.pm1_evt_len = 4; /* 2-byte status, 2-byte enable */
	f.x_pm1a_evt_blk = gas_io(LAYOUT_PIO_ACPI_PM1_EVT, 4, GAS_ACCESS_WORD);
	f.pm1a_cnt_blk = LAYOUT_PIO_ACPI_PM1_CNT;
	f.pm1_cnt_len = 2;
	f.x_pm1a_cnt_blk = gas_io(LAYOUT_PIO_ACPI_PM1_CNT, 2, GAS_ACCESS_WORD);
	/*
	 * No PM timer (optional since ACPI 5.0: length 0), no GPE blocks,
	 * no PM2. C2 and C3 latencies above 100 and 1000 us mean "not
	 * supported": the guest idles with HLT (C1).
	 */
	f.p_lvl2_lat = 101;
	f.p_lvl3_lat = 1001;
	/*
	 * LEGACY_DEVICES: COM1 is an ISA device that needs a driver (64-bit
	 * Linux reads the bit only to skip PnP BIOS).
	 * 8042 clear: there is no keyboard controller. Linux then leaves
	 * i8042 alone instead of timing out on it; its reboot path still
	 * writes 0xfe to port 0x64, which ptvm takes as a reset.
	 * VGA_NOT_PRESENT and CMOS_RTC_NOT_PRESENT: ptvm has neither, and
	 * reads of unknown ports give all-ones, which a probe may misread.
	 * MSI_NOT_SUPPORTED must stay clear: passed-through devices use
	 * MSI/MSI-X. PCIE_ASPM_CONTROLS clear: the guest sees no link to
	 * manage, and setting it only adds a message to Linux's _OSC path.
	 */
	f.iapc_boot_arch = BOOT_LEGACY_DEVICES | BOOT_VGA_NOT_PRESENT |
			   BOOT_CMOS_RTC_NOT_PRESENT;
	/*
	 * WBINVD works; C1 (HLT) on every CPU. PWR_BUTTON clear: the power
	 * button is a fixed feature (PWRBTN_STS/EN in PM1a, ACPI 6.4,
	 * 4.8.2.2.1), which ptvm presses when it is asked to stop. SLP_BUTTON
	 * set: no sleep button. FIX_RTC set: no RTC wake status
	 * in PM1. HEADLESS: no monitor or keyboard to detect. Not
	 * HW_REDUCED_ACPI: the PC legacy hardware is there.
	 */
	f.flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
		  FADT_RESET_REG_SUP | FADT_HEADLESS;
	f.reset_reg = gas_io(RESET_PORT, 1, GAS_ACCESS_BYTE);
	f.reset_value = RESET_VALUE;
	memcpy(f.hypervisor_vendor, "PTVM", 4);
	aml_bytes(a, &f, sizeof(f));
	table_end(a, off);
	return off;
}

/* ACPI 6.4, 5.2.12: MADT revision 5. */
static size_t build_madt(struct aml *a, uint64_t gpa,
			 const struct acpi_config *cfg)
{
	struct acpi_madt m;
	struct madt_ioapic io = {
		.type = MADT_IOAPIC,
		.length = sizeof(io),
		.id = (uint8_t)cfg->ncpus,
		.addr = (uint32_t)LAYOUT_IOAPIC,
		.gsi_base = 0,
	};
	/*
	 * KVM's in-kernel PIT raises GSI 0, routed to IOAPIC pin 2 as on
	 * real boards (irq/routes.c); ISA bus, flags 0: as the bus says.
	 */
	struct madt_iso pit = {
		.type = MADT_ISO,
		.length = sizeof(pit),
		.bus = 0,
		.source = 0,
		.gsi = 2,
	};
	/* The SCI: level-triggered, active-high (ACPI 6.4, 5.2.9 SCI_INT). */
	struct madt_iso sci = {
		.type = MADT_ISO,
		.length = sizeof(sci),
		.bus = 0,
		.source = LAYOUT_ACPI_SCI_IRQ,
		.gsi = LAYOUT_ACPI_SCI_IRQ,
		.flags = INTI_ACTIVE_HIGH | INTI_LEVEL,
	};
	/* LINT1 is NMI on all processors (UID 0xff), edge, active-high. */
	struct madt_lapic_nmi nmi = {
		.type = MADT_LAPIC_NMI,
		.length = sizeof(nmi),
		.uid = 0xff,
		.flags = INTI_ACTIVE_HIGH | INTI_EDGE,
		.lint = 1,
	};
	size_t off = table_begin(a, gpa, 16);
	unsigned int i;

	memset(&m, 0, sizeof(m));
	header_init(&m.h, "APIC", 5);
	m.lapic_addr = (uint32_t)LAYOUT_LAPIC;
	m.flags = MADT_PCAT_COMPAT; /* the 8259s are there: mask them */
	aml_bytes(a, &m, sizeof(m));
	for (i = 0; i < cfg->ncpus; i++) {
		struct madt_lapic l = {
			.type = MADT_LAPIC,
			.length = sizeof(l),
			.uid = (uint8_t)i,
			.apic_id = (uint8_t)i,
			.flags = MADT_LAPIC_ENABLED,
		};

		aml_bytes(a, &l, sizeof(l));
	}
	aml_bytes(a, &io, sizeof(io));
	aml_bytes(a, &pit, sizeof(pit));
	aml_bytes(a, &sci, sizeof(sci));
	aml_bytes(a, &nmi, sizeof(nmi));
	table_end(a, off);
	return off;
}

static size_t build_mcfg(struct aml *a, uint64_t gpa,
			 const struct acpi_config *cfg)
{
	struct acpi_mcfg m;
	struct mcfg_alloc e = {
		.base = cfg->ecam_base,
		.segment = 0,
		.bus_start = 0,
		/*
		 * Linux takes its last bus from here (pcibios_last_bus) and
		 * probes every bus up to it for peer host bridges, 32 config
		 * reads a bus (arch/x86/pci/legacy.c): end at the one bus.
		 */
		.bus_end = LAST_BUS,
	};
	size_t off = table_begin(a, gpa, 16);

	memset(&m, 0, sizeof(m));
	header_init(&m.h, "MCFG", 1);
	aml_bytes(a, &m, sizeof(m));
	aml_bytes(a, &e, sizeof(e));
	table_end(a, off);
	return off;
}

/*
 * ACPI 6.4, 5.2.8. No RSDT: an RSDP of revision 2 with an XSDT is all
 * that an ACPI 2.0+ OS reads, and one list cannot disagree with another.
 */
static size_t build_xsdt(struct aml *a, uint64_t gpa, const size_t *tables,
			 unsigned int n)
{
	struct acpi_header h;
	size_t off = table_begin(a, gpa, 16);
	unsigned int i;

	header_init(&h, "XSDT", 1);
	aml_bytes(a, &h, sizeof(h));
	for (i = 0; i < n; i++) {
		uint64_t addr = gpa + tables[i];

		aml_bytes(a, &addr, sizeof(addr));
	}
	table_end(a, off);
	return off;
}

static int check_config(uint64_t gpa, const struct acpi_config *c)
{
	if (gpa % 16 || gpa >= 1ULL << 32)
		return -EINVAL;
	if (!c->ncpus || c->ncpus > ACPI_MAX_CPUS || c->nslots > ACPI_MAX_SLOTS)
		return -EINVAL;
	if (c->ecam_base % ECAM_BUS_SIZE ||
	    c->ecam_base > UINT64_MAX - LAYOUT_ECAM_SIZE)
		return -EINVAL;
	if (c->mmio32_size && (c->mmio32_base > 1ULL << 32 ||
			       c->mmio32_size > (1ULL << 32) - c->mmio32_base))
		return -EINVAL;
	/* A 64-bit window of 2^64 bytes cannot be described (_LEN). */
	if (c->mmio64_size && c->mmio64_size - 1 > UINT64_MAX - c->mmio64_base)
		return -EINVAL;
	if (c->pio_size && (c->pio_base < 0xd00 ||
			    (uint32_t)c->pio_base + c->pio_size > 0x10000))
		return -EINVAL;
	return 0;
}

ssize_t acpi_build(void *buf, size_t size, uint64_t gpa,
		   const struct acpi_config *cfg)
{
	static const struct acpi_rsdp zero_rsdp;
	struct acpi_rsdp rsdp;
	size_t facs, dsdt, list[3], xsdt;
	struct aml a;
	int ret;

	ret = check_config(gpa, cfg);
	if (ret)
		return ret;
	aml_init(&a, buf, size);

	/*
	 * The RSDP is first, and filled in last: every table is written
	 * after the ones it points to, so each is finished in one go.
	 */
	aml_bytes(&a, &zero_rsdp, sizeof(zero_rsdp));
	facs = build_facs(&a, gpa);
	dsdt = build_dsdt(&a, gpa, cfg);
	list[0] = build_fadt(&a, gpa, facs, dsdt);
	list[1] = build_madt(&a, gpa, cfg);
	list[2] = build_mcfg(&a, gpa, cfg);
	xsdt = build_xsdt(&a, gpa, list, 3);
	if (a.err)
		return a.err;
	/* FIRMWARE_CTRL and DSDT are 32-bit fields. */
	if (gpa + a.len > 1ULL << 32)
		return -EINVAL;

	/* ACPI 6.4, 5.2.5.3: revision 2, both checksums. */
	memset(&rsdp, 0, sizeof(rsdp));
	memcpy(rsdp.sig, "RSD PTR ", 8);
	memcpy(rsdp.oem_id, OEM_ID, 6);
	rsdp.revision = 2;
	rsdp.length = sizeof(rsdp);
	rsdp.xsdt = gpa + xsdt;
	rsdp.checksum = (uint8_t)-sum8((const uint8_t *)&rsdp, 20);
	rsdp.ext_checksum =
		(uint8_t)-sum8((const uint8_t *)&rsdp, sizeof(rsdp));
	memcpy(a.buf, &rsdp, sizeof(rsdp));
	return (ssize_t)a.len;
}
