// SPDX-License-Identifier: MIT
/*
 * pvh-probe: a freestanding PVH guest, what an embedded image does with a
 * passed-through device under ptvm. No firmware, no Linux: it reads the
 * memory map from hvm_start_info, follows RSDP -> XSDT -> MCFG to ECAM,
 * enumerates bus 0, finds QEMU's edu device (1234:11e8), moves its BAR,
 * points its MSI at the local APIC, makes it raise the interrupt and counts
 * it through its own IDT, then powers off through the FADT's PM1a control
 * register. Each step is one "PVH-PROBE" line on COM1; a failed step says
 * "PVH-PROBE FAIL" and powers off.
 *
 * 32-bit protected mode, paging off: every address below 4 GiB is reached
 * directly. References: Xen's docs/misc/pvh.pandoc, ACPI 6.4 (5.2.5 RSDP,
 * 5.2.8 XSDT, 5.2.9 FADT), PCI Firmware 3.2 (4.1.2 MCFG), PCI Local Bus 3.0
 * (6.8.1 MSI), Intel SDM vol. 3 (10.4 local APIC, 6.11 IDT), QEMU's
 * docs/specs/edu.rst.
 */
#include <stdint.h>

#define COM1 0x3f8
#define LAPIC 0xfee00000u
#define MSI_VECTOR 0x41
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_IDENT 0x00
#define EDU_LIVENESS 0x04
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define NRAISE 3

struct start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};

static struct idt_gate idt[256];
static volatile uint32_t msi_count, spurious_count, edu_bar;
static uint16_t pm1a_cnt = 0x604; /* until the FADT says */
static uint8_t slp_typ = 5;

void msi_entry(void);
void spurious_entry(void);
void fault_entry(void);

/* ---- ports, MMIO, UART ---- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t rd32(uint32_t a)
{
	return *(volatile uint32_t *)a;
}

static inline uint16_t rd16(uint32_t a)
{
	return *(volatile uint16_t *)a;
}

static inline uint8_t rd8(uint32_t a)
{
	return *(volatile uint8_t *)a;
}

static inline void wr32(uint32_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline void wr16(uint32_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static void putc(char c)
{
	unsigned int n = 100000;

	while (!(inb(COM1 + 5) & 0x20) && --n) /* LSR: THR empty */
		;
	outb(COM1, (uint8_t)c);
}

static void puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			putc('\r');
		putc(*s++);
	}
}

static void puthex(uint32_t v)
{
	static const char d[] = "0123456789abcdef";
	int i;

	puts("0x");
	for (i = 28; i >= 0; i -= 4)
		putc(d[(v >> i) & 0xf]);
}

static void putbdf(unsigned int dev)
{
	puts("00:");
	putc("0123456789abcdef"[dev >> 4]);
	putc("0123456789abcdef"[dev & 15]);
	puts(".0");
}

static void putdec(uint32_t v)
{
	char b[11];
	int i = 10;

	b[i] = 0;
	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	puts(b + i);
}

static int memeq(uint32_t a, const char *s, unsigned int n)
{
	while (n--)
		if (rd8(a++) != (uint8_t)*s++)
			return 0;
	return 1;
}

/* ---- power ---- */

static void poweroff(void)
{
	puts("PVH-PROBE poweroff: PM1a_CNT ");
	puthex(pm1a_cnt);
	puts(" SLP_TYP ");
	putdec(slp_typ);
	puts("\n");
	/* ACPI 6.4, 4.8.3.2.1: SLP_TYP in bits 10-12, SLP_EN bit 13 */
	outw(pm1a_cnt, (uint16_t)(slp_typ << 10 | 1 << 13));
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void fail(const char *why)
{
	puts("PVH-PROBE FAIL: ");
	puts(why);
	puts("\n");
	poweroff();
}

void fault_handler(void)
{
	fail("CPU exception");
}

/* ---- interrupts ---- */

void msi_handler(void)
{
	uint32_t st = rd32(edu_bar + EDU_IRQ_STATUS);

	wr32(edu_bar + EDU_IRQ_ACK, st); /* lowers the device's request */
	msi_count++;
	wr32(LAPIC + 0xb0, 0); /* EOI */
}

void spurious_handler(void)
{
	spurious_count++;
	wr32(LAPIC + 0xb0, 0);
}

static void idt_set(unsigned int v, void (*fn)(void), uint16_t cs)
{
	uint32_t a = (uint32_t)fn;

	idt[v] = (struct idt_gate){ (uint16_t)a, cs, 0,
				    0x8e, /* P, 32-bit int gate */
				    (uint16_t)(a >> 16) };
}

static void idt_setup(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} d = { sizeof(idt) - 1, (uint32_t)idt };
	uint16_t cs;
	unsigned int v;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (v = 0; v < 256; v++)
		idt_set(v, v < 32 ? fault_entry : spurious_entry, cs);
	idt_set(MSI_VECTOR, msi_entry, cs);
	__asm__ volatile("lidt %0" : : "m"(d));
}

/* ---- ACPI ---- */

struct acpi {
	uint32_t ecam, fadt, dsdt;
};

/* \_S5's first package element (ACPI 6.4, 7.4.2): SLP_TYP for PM1a. */
static int s5_from_dsdt(uint32_t dsdt)
{
	uint32_t len = rd32(dsdt + 4), p;

	for (p = dsdt + 36; p + 8 < dsdt + len; p++) {
		if (!memeq(p, "_S5_", 4) || rd8(p + 4) != 0x12) /* PackageOp */
			continue;
		p += 5;
		p += (rd8(p) >> 6) + 1; /* PkgLength */
		p++; /* NumElements */
		switch (rd8(p)) {
		case 0x0a: /* BytePrefix */
			return rd8(p + 1);
		case 0x00: /* ZeroOp */
		case 0x01: /* OneOp */
			return rd8(p);
		}
		return -1;
	}
	return -1;
}

static void acpi_probe(const struct start_info *si, struct acpi *a)
{
	uint32_t rsdp = (uint32_t)si->rsdp_paddr, xsdt, n, i;
	int s5;

	if (!rsdp || si->rsdp_paddr >> 32 || !memeq(rsdp, "RSD PTR ", 8))
		fail("no RSDP at hvm_start_info.rsdp_paddr");
	if (rd8(rsdp + 15) < 2)
		fail("RSDP revision < 2: no XSDT");
	xsdt = rd32(rsdp + 24);
	if (!memeq(xsdt, "XSDT", 4))
		fail("RSDP points at no XSDT");
	puts("PVH-PROBE rsdp: ");
	puthex(rsdp);
	puts(" xsdt ");
	puthex(xsdt);
	puts("\n");
	n = (rd32(xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		uint32_t t = rd32(xsdt + 36 + i * 8);

		if (memeq(t, "MCFG",
			  4)) /* first allocation: base, segment, buses */
			a->ecam = rd32(t + 44);
		if (memeq(t, "FACP", 4))
			a->fadt = t;
	}
	if (!a->ecam || !a->fadt)
		fail("no MCFG or no FADT in the XSDT");
	pm1a_cnt = (uint16_t)rd32(a->fadt + 64); /* PM1a_CNT_BLK */
	a->dsdt = rd32(a->fadt + 40);
	if (rd32(a->fadt + 4) >= 148 && rd32(a->fadt + 140))
		a->dsdt = rd32(a->fadt + 140); /* X_DSDT */
	s5 = memeq(a->dsdt, "DSDT", 4) ? s5_from_dsdt(a->dsdt) : -1;
	if (s5 < 0)
		fail("no \\_S5 package in the DSDT");
	slp_typ = (uint8_t)s5;
	puts("PVH-PROBE acpi: MCFG ecam ");
	puthex(a->ecam);
	puts(", FADT pm1a_cnt ");
	puthex(pm1a_cnt);
	puts(", DSDT \\_S5 slp_typ ");
	putdec(slp_typ);
	puts("\n");
}

/* ---- PCI ---- */

static uint32_t cfg(uint32_t ecam, unsigned int dev, unsigned int off)
{
	return ecam + (dev << 15) + off; /* bus 0, function 0 */
}

static uint8_t find_cap(uint32_t ecam, unsigned int dev, uint8_t id)
{
	uint8_t p;
	int n = 48;

	if (!(rd16(cfg(ecam, dev, 0x06)) & 0x10)) /* status: capability list */
		return 0;
	for (p = rd8(cfg(ecam, dev, 0x34)) & 0xfc; p && n--;
	     p = rd8(cfg(ecam, dev, p + 1)) & 0xfc)
		if (rd8(cfg(ecam, dev, p)) == id)
			return p;
	return 0;
}

static int pci_scan(uint32_t ecam)
{
	int edu = -1;
	unsigned int dev;

	for (dev = 0; dev < 32; dev++) {
		uint32_t id = rd32(cfg(ecam, dev, 0));

		if ((id & 0xffff) == 0xffff)
			continue;
		puts("PVH-PROBE pci: ");
		putbdf(dev);
		putc(' ');
		puthex(id);
		puts("\n");
		if ((id & 0xffff) == EDU_VENDOR && id >> 16 == EDU_DEVICE)
			edu = (int)dev;
	}
	return edu;
}

/* Sizes BAR0, then moves it to a new address in the 32-bit window. */
static uint32_t bar_move(uint32_t ecam, unsigned int dev)
{
	uint32_t bar = cfg(ecam, dev, 0x10), cmd = cfg(ecam, dev, 0x04);
	uint32_t old = rd32(bar) & ~0xfu, size, want;

	wr16(cmd, rd16(cmd) & ~0x6); /* memory and bus master off */
	wr32(bar, 0xffffffff);
	size = ~(rd32(bar) & ~0xfu) + 1;
	if (!size || size > 0x08000000)
		fail("BAR0 size is not a 32-bit memory BAR of edu's kind");
	/* ptvm's window is 0xc0000000-0xdfffffff; go elsewhere in it */
	want = old == 0xd0000000 ? 0xc8000000 : 0xd0000000;
	wr32(bar, want);
	if ((rd32(bar) & ~0xfu) != want)
		fail("BAR0 did not take the new address");
	wr16(cmd, rd16(cmd) | 0x6 | 0x400); /* memory, bus master, INTx off */
	puts("PVH-PROBE bar: BAR0 of ");
	puthex(size);
	puts(" bytes moved from ");
	puthex(old);
	puts(" to ");
	puthex(want);
	puts("\n");
	return want;
}

/* PCI 3.0, 6.8.1: MSI to the local APIC of apic_id, fixed, edge. */
static void msi_enable(uint32_t ecam, unsigned int dev, uint8_t apic_id)
{
	uint8_t cap = find_cap(ecam, dev, 0x05);
	uint32_t ctl, data;

	if (!cap)
		fail("edu has no MSI capability");
	ctl = cfg(ecam, dev, cap + 2);
	wr32(cfg(ecam, dev, cap + 4), 0xfee00000u | (uint32_t)apic_id << 12);
	if (rd16(ctl) & 0x80) { /* 64-bit address */
		wr32(cfg(ecam, dev, cap + 8), 0);
		data = cfg(ecam, dev, cap + 12);
	} else {
		data = cfg(ecam, dev, cap + 8);
	}
	wr16(data, MSI_VECTOR);
	wr16(ctl, (rd16(ctl) & ~0x70) | 1); /* one vector, enabled */
	if (!(rd16(ctl) & 1))
		fail("MSI enable did not stick");
	puts("PVH-PROBE msi: capability at ");
	puthex(cap);
	puts(", vector ");
	puthex(MSI_VECTOR);
	puts(" to local APIC ");
	putdec(apic_id);
	puts(", enabled\n");
}

static uint8_t lapic_setup(void)
{
	uint8_t id = (uint8_t)(rd32(LAPIC + 0x20) >> 24);

	/* 8259s masked: only the local APIC delivers */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	wr32(LAPIC + 0x350, 1 << 16); /* LINT0 masked */
	wr32(LAPIC + 0x320, 1 << 16); /* timer masked */
	wr32(LAPIC + 0x80, 0); /* TPR: accept all */
	wr32(LAPIC + 0xf0, 0x100 | 0xff); /* software enable, spurious 0xff */
	puts("PVH-PROBE lapic: id ");
	putdec(id);
	puts(", version ");
	puthex(rd32(LAPIC + 0x30) & 0xff);
	puts(", enabled at 0xfee00000\n");
	return id;
}

static void edu_raise(void)
{
	unsigned int i, spin;

	__asm__ volatile("sti");
	for (i = 1; i <= NRAISE; i++) {
		wr32(edu_bar + EDU_IRQ_RAISE, i);
		for (spin = 0; msi_count < i && spin < 100000000; spin++)
			__asm__ volatile("pause");
	}
	__asm__ volatile("cli");
	puts("PVH-PROBE irq: ");
	putdec(msi_count);
	puts(" of ");
	putdec(NRAISE);
	puts(" MSI interrupts counted on vector ");
	puthex(MSI_VECTOR);
	puts(", ");
	putdec(spurious_count);
	puts(" spurious, irq status ");
	puthex(rd32(edu_bar + EDU_IRQ_STATUS));
	puts("\n");
}

/* ---- the steps ---- */

static void memmap(const struct start_info *si)
{
	const struct memmap_entry *e;
	uint32_t ram_mib = 0, i;

	if (si->version < 1 || !si->memmap_entries || si->memmap_paddr >> 32)
		fail("no memory map in hvm_start_info (version 1 needed)");
	e = (const struct memmap_entry *)(uint32_t)si->memmap_paddr;
	for (i = 0; i < si->memmap_entries; i++)
		if (e[i].type == 1)
			ram_mib += (uint32_t)(e[i].size >> 20);
	puts("PVH-PROBE memmap: ");
	putdec(si->memmap_entries);
	puts(" entries, RAM ");
	putdec(ram_mib);
	puts(" MiB\n");
}

void probe_main(const struct start_info *si)
{
	struct acpi a = { 0 };
	uint8_t apic_id;
	int dev;

	if (si->magic != 0x336ec578)
		fail("no hvm_start_info at %ebx");
	puts("PVH-PROBE start: hvm_start_info version ");
	putdec(si->version);
	puts(", cmdline \"");
	if (si->cmdline_paddr && !(si->cmdline_paddr >> 32))
		puts((const char *)(uint32_t)si->cmdline_paddr);
	puts("\"\n");
	memmap(si);
	idt_setup();
	acpi_probe(si, &a);
	dev = pci_scan(a.ecam);
	if (dev < 0)
		fail("no edu device (1234:11e8) on bus 0");
	puts("PVH-PROBE edu: found at ");
	putbdf((unsigned int)dev);
	puts("\n");
	edu_bar = bar_move(a.ecam, (unsigned int)dev);
	wr32(edu_bar + EDU_LIVENESS, 0x12345678);
	puts("PVH-PROBE edu: ident ");
	puthex(rd32(edu_bar + EDU_IDENT));
	puts(", liveness ");
	puts(rd32(edu_bar + EDU_LIVENESS) == ~0x12345678u ? "ok" : "BAD");
	puts(" at the new BAR\n");
	apic_id = lapic_setup();
	msi_enable(a.ecam, (unsigned int)dev, apic_id);
	edu_raise();
	poweroff();
}
