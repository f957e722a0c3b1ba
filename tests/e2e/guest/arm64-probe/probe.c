// SPDX-License-Identifier: MIT
/*
 * arm64-probe: a freestanding arm64 ELF guest, what a unikernel or an RTOS
 * does under ptvm. No firmware, no Linux: from the device tree in x0 it
 * takes the RAM, the command line, the console UART, the CPUs and the PCI
 * host bridge's ECAM; it reads bus 0's IDs through ECAM, talks to QEMU's
 * edu device through its BAR0 when one is passed through, and powers off
 * through PSCI. Each step is one "PROBE-..." line on the 16550 the tree
 * names; a failed step says "PROBE-FAIL" and powers off.
 *
 * EL1, MMU off: every data access is to Device-nGnRnE memory, where an
 * unaligned access faults (hence -mstrict-align, and byte loads for the
 * tree's big-endian cells) and where a trapped MMIO access must be one
 * plain load or store that KVM can decode (hence the asm accessors: no
 * writeback addressing). References: Devicetree Specification 0.4 (5.2
 * header, 5.4 structure block), Linux's Documentation/arch/arm64/
 * booting.rst, Arm DEN 0022 (PSCI), PCI Express Base 4.0 (7.2.2 ECAM),
 * QEMU's docs/specs/edu.rst.
 */
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

/* PSCI 0.2+ function IDs (DEN 0022, 5.1), SMC32 convention */
#define PSCI_VERSION 0x84000000u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_SYSTEM_OFF 0x84000008u

#define UART_LSR 5
#define UART_LSR_THRE 0x20

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_IDENT 0x00
#define EDU_LIVENESS 0x04

/*
 * ptvm's UART (arch/arm64/layout.h), used only to report a tree that
 * cannot be read; replaced by what /chosen's stdout-path names.
 */
static uint64_t uart = 0x01000000;

/* The tree: its blocks and the root's #address-cells, #size-cells. */
struct fdt {
	const uint8_t *hdr, *st, *end;
	const char *strings;
	unsigned int ac, sc;
};

/* ---- MMIO, PSCI, UART ---- */

static inline uint8_t rd8(uint64_t a)
{
	uint8_t v;

	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline uint16_t rd16(uint64_t a)
{
	uint16_t v;

	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline uint32_t rd32(uint64_t a)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void wr8(uint64_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static inline void wr16(uint64_t a, uint16_t v)
{
	__asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

static inline void wr32(uint64_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}

/* SMCCC through HVC, as the tree's /psci says (method "hvc"). */
static uint64_t psci(uint32_t fn, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = 0;

	/* SMCCC 1.0 lets the callee clobber x4-x17 */
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

static void putc(char c)
{
	unsigned int n = 100000;

	while (!(rd8(uart + UART_LSR) & UART_LSR_THRE) && --n)
		;
	wr8(uart, (uint8_t)c);
}

static void puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			putc('\r');
		putc(*s++);
	}
}

static void putdigits(uint64_t v, int digits)
{
	while (digits--)
		putc("0123456789abcdef"[(v >> 4 * digits) & 15]);
}

/* 0x and 8 digits, or 16 when the value needs them. */
static void puthex(uint64_t v)
{
	puts("0x");
	putdigits(v, v >> 32 ? 16 : 8);
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

/* "00:SS.0" */
static void putbdf(unsigned int dev)
{
	puts("00:");
	putdigits(dev, 2);
	puts(".0");
}

static void poweroff(void)
{
	puts("PROBE-OFF psci system_off\n");
	psci(PSCI_SYSTEM_OFF, 0, 0);
	for (;;) /* SYSTEM_OFF does not return; if it did, stay here */
		__asm__ volatile("wfi");
}

static void fail(const char *why)
{
	puts("PROBE-FAIL ");
	puts(why);
	puts("\n");
	poweroff();
}

/* From start.S's vectors: nothing here should ever take an exception. */
void probe_exception(uint64_t vec, uint64_t esr, uint64_t elr, uint64_t far)
{
	puts("PROBE-FAIL exception: vector ");
	putdec((uint32_t)vec);
	puts(" esr ");
	puthex(esr);
	puts(" elr ");
	puthex(elr);
	puts(" far ");
	puthex(far);
	puts("\n");
	poweroff();
}

/* ---- the device tree (DTSpec 5): read in place, byte by byte ---- */

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* n big-endian cells (1 or 2) as one number */
static uint64_t cells(const uint8_t *p, unsigned int n)
{
	return n == 2 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

/* The token at p; *next is the one after it (5.4.1: padded to 4). */
static uint32_t fdt_tok(const struct fdt *f, const uint8_t *p,
			const uint8_t **next)
{
	uint32_t t;

	if (p + 4 > f->end)
		return FDT_END;
	t = be32(p);
	p += 4;
	if (t == FDT_BEGIN_NODE) {
		while (p < f->end && *p++)
			;
	} else if (t == FDT_PROP) {
		p += 8 + be32(p);
	}
	*next = (const uint8_t *)(((uintptr_t)p + 3) & ~(uintptr_t)3);
	return t;
}

/*
 * The node name at name is path's first component ("pcie" matches
 * "pcie@3f000000": the unit address may be left out).
 */
static int fdt_name_is(const char *name, const char *comp)
{
	int unit = 0;

	for (; *comp && *comp != '/'; comp++, name++) {
		if (*name != *comp)
			return 0;
		unit |= *comp == '@';
	}
	return !*name || (*name == '@' && !unit);
}

/*
 * The node at an absolute path, as a pointer to its first property;
 * 0 if there is none. want is the depth of the next component to match:
 * when the last matched node ends, the path is not there.
 */
static const uint8_t *fdt_path(const struct fdt *f, const char *path)
{
	const uint8_t *p = f->st, *next;
	unsigned int depth = 0, want = 1;
	uint32_t t;

	while ((t = fdt_tok(f, p, &next)) != FDT_END) {
		if (t == FDT_BEGIN_NODE && ++depth == want &&
		    (want == 1 || fdt_name_is((const char *)p + 4, path))) {
			while (*path && *path != '/')
				path++;
			while (*path == '/')
				path++;
			if (!*path)
				return next;
			want++;
		} else if (t == FDT_END_NODE) {
			if (depth-- == want - 1)
				return 0;
		}
		p = next;
	}
	return 0;
}

/* The property `name` of the node at node (properties come first, 5.4.2). */
static const uint8_t *fdt_prop(const struct fdt *f, const uint8_t *node,
			       const char *name, uint32_t *len)
{
	const uint8_t *p = node, *next;
	uint32_t t;

	while (node &&
	       ((t = fdt_tok(f, p, &next)) == FDT_PROP || t == FDT_NOP)) {
		if (t == FDT_PROP && streq(f->strings + be32(p + 8), name)) {
			if (len)
				*len = be32(p + 4);
			return p + 12;
		}
		p = next;
	}
	return 0;
}

/* The i-th child of the node at node, as fdt_path gives nodes; 0: none. */
static const uint8_t *fdt_child(const struct fdt *f, const uint8_t *node,
				unsigned int i)
{
	const uint8_t *p = node, *next;
	unsigned int depth = 0;
	uint32_t t;

	while (node && (t = fdt_tok(f, p, &next)) != FDT_END) {
		if (t == FDT_BEGIN_NODE && depth++ == 0 && i-- == 0)
			return next;
		if (t == FDT_END_NODE && depth-- == 0)
			return 0;
		p = next;
	}
	return 0;
}

static uint32_t fdt_u32(const struct fdt *f, const uint8_t *node,
			const char *name, uint32_t dflt)
{
	uint32_t len;
	const uint8_t *v = fdt_prop(f, node, name, &len);

	return v && len == 4 ? be32(v) : dflt;
}

/* The first reg entry of the node at path, a child of the root's. */
static int fdt_reg(const struct fdt *f, const char *path, uint64_t *base,
		   uint64_t *size)
{
	uint32_t len;
	const uint8_t *v = fdt_prop(f, fdt_path(f, path), "reg", &len);

	if (!v || len < 4 * (f->ac + f->sc))
		return -1;
	*base = cells(v, f->ac);
	*size = cells(v + 4 * f->ac, f->sc);
	return 0;
}

/* PROBE-WHAT reg BASE size SIZE, from path's reg; 0 if it has none. */
static uint64_t report_reg(const struct fdt *f, const char *what,
			   const char *path)
{
	uint64_t base, size;

	if (fdt_reg(f, path, &base, &size))
		return 0;
	puts("PROBE-");
	puts(what);
	puts(" reg ");
	puthex(base);
	puts(" size ");
	puthex(size);
	puts("\n");
	return base;
}

/* A string property, quoted; "none" when absent. */
static void report_string(const struct fdt *f, const char *what,
			  const char *path, const char *name)
{
	const char *s = (const char *)fdt_prop(f, fdt_path(f, path), name, 0);

	puts("PROBE-");
	puts(what);
	if (!s) {
		puts(" none\n");
		return;
	}
	puts(" \"");
	puts(s);
	puts("\"\n");
}

/* Whether word w is one of the blank-separated words of s. */
static int has_word(const char *s, const char *w)
{
	while (s && *s) {
		const char *a = s, *b = w;

		while (*a && *a == *b)
			a++, b++;
		if (!*b && (!*a || *a == ' '))
			return 1;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return 0;
}

/*
 * "probe.hold" on the command line: stay up, idle in wfi with interrupts
 * masked, so that the test can look at ptvm while a guest runs (threads,
 * signals); it ends the guest itself. Nothing here hears the power
 * button.
 */
static void hold(const struct fdt *f)
{
	const char *args = (const char *)fdt_prop(f, fdt_path(f, "/chosen"),
						  "bootargs", 0);

	if (!has_word(args, "probe.hold"))
		return;
	puts("PROBE-HOLD\n");
	for (;;)
		__asm__ volatile("wfi");
}

static int fdt_open(struct fdt *f, const uint8_t *dtb)
{
	const uint8_t *root;

	if (be32(dtb) != FDT_MAGIC)
		return -1;
	f->hdr = dtb;
	f->st = dtb + be32(dtb + 8); /* off_dt_struct */
	f->strings = (const char *)dtb + be32(dtb + 12); /* off_dt_strings */
	f->end = f->st + be32(dtb + 36); /* size_dt_struct */
	root = fdt_path(f, "/");
	/* 2.3.5: defaults 2 and 1; cells() reads 1 or 2 */
	f->ac = fdt_u32(f, root, "#address-cells", 2);
	f->sc = fdt_u32(f, root, "#size-cells", 1);
	return root && f->ac - 1 < 2 && f->sc - 1 < 2 ? 0 : -1;
}

/*
 * The console: /chosen's stdout-path, an alias or a path, with any
 * ":options" cut off, into path (a copy: the tree is not ours to
 * write), and that node's reg.
 */
static int uart_find(const struct fdt *f, char path[64])
{
	const char *sp = (const char *)fdt_prop(f, fdt_path(f, "/chosen"),
						"stdout-path", 0);
	unsigned int i;
	uint64_t base, size;

	for (i = 0; sp && sp[i] && sp[i] != ':' && i < 63; i++)
		path[i] = sp[i];
	path[i] = 0;
	if (!sp || !i)
		return -1;
	if (path[0] != '/') {
		sp = (const char *)fdt_prop(f, fdt_path(f, "/aliases"), path,
					    0);
		if (!sp)
			return -1;
		for (i = 0; sp[i] && i < 63; i++)
			path[i] = sp[i];
		path[i] = 0;
	}
	if (fdt_reg(f, path, &base, &size))
		return -1;
	uart = base;
	return 0;
}

/* ---- the steps ---- */

static void entry(uint64_t dtb, uint64_t pc)
{
	uint64_t el, sctlr, daif;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	puts("PROBE-ENTRY pc ");
	puthex(pc);
	puts(" el");
	putdec((uint32_t)(el >> 2 & 3));
	puts(sctlr & 1 ? " mmu on" : " mmu off");
	puts(" daif ");
	puthex(daif);
	puts(" x0 ");
	puthex(dtb);
	puts("\n");
}

/* Each CPU the tree lists (reg: its MPIDR affinity), as PSCI sees it. */
static void cpus(const struct fdt *f)
{
	static const char *const state[] = { "on", "off", "on-pending" };
	const uint8_t *node = fdt_path(f, "/cpus"), *cpu;
	unsigned int ac = fdt_u32(f, node, "#address-cells", 1), i;
	uint32_t len;
	uint64_t mpidr, st;

	for (i = 0; (cpu = fdt_child(f, node, i)); i++) {
		const uint8_t *reg = fdt_prop(f, cpu, "reg", &len);

		if (!reg || len < 4 * ac || ac - 1 >= 2)
			fail("a cpu node without a reg of #address-cells");
		mpidr = cells(reg, ac);
		st = psci(PSCI_AFFINITY_INFO, mpidr, 0);
		puts("PROBE-CPU reg ");
		puthex(mpidr);
		puts(" psci ");
		puts(st < 3 ? state[st] : "error");
		puts("\n");
	}
	if (!i)
		fail("no /cpus children");
}

/* Bus 0, function 0 of each slot: what answers (PCIe 4.0, 7.2.2). */
static int pci_scan(uint64_t ecam)
{
	unsigned int dev;
	int edu = -1;

	for (dev = 0; dev < 32; dev++) {
		uint32_t id = rd32(ecam + (dev << 15));

		if ((id & 0xffff) == 0xffff)
			continue;
		puts("PROBE-PCI ");
		putbdf(dev);
		puts(" ");
		putdigits(id & 0xffff, 4);
		puts(":");
		putdigits(id >> 16, 4);
		puts("\n");
		if ((id & 0xffff) == EDU_VENDOR && id >> 16 == EDU_DEVICE)
			edu = (int)dev;
	}
	return edu;
}

/*
 * edu's BAR0 where ptvm put it: memory decoding is turned on if ptvm left
 * it off, then the ident and the liveness register (it reads back the
 * inverse of what was written).
 */
static void edu(uint64_t ecam, unsigned int dev)
{
	uint64_t cfg = ecam + (dev << 15), bar = rd32(cfg + 0x10);
	uint16_t cmd = rd16(cfg + 0x04);

	if (bar & 1)
		fail("edu's BAR0 is an I/O BAR");
	if ((bar & 6) == 4) /* 64-bit */
		bar |= (uint64_t)rd32(cfg + 0x14) << 32;
	bar &= ~0xfull;
	if (!(cmd & 2))
		wr16(cfg + 0x04, cmd | 2);
	wr32(bar + EDU_LIVENESS, 0x12345678);
	puts("PROBE-EDU ");
	putbdf(dev);
	puts(" bar0 ");
	puthex(bar);
	puts(" command 0x");
	putdigits(cmd, 4);
	puts(" ident ");
	puthex(rd32(bar + EDU_IDENT));
	puts(" liveness ");
	puts(rd32(bar + EDU_LIVENESS) == ~0x12345678u ? "ok\n" : "BAD\n");
}

void probe_main(uint64_t dtb, uint64_t pc)
{
	struct fdt f;
	char uart_path[64];
	uint32_t v = (uint32_t)psci(PSCI_VERSION, 0, 0);
	uint64_t ecam;
	int dev;

	/* booting.rst: 8-byte aligned; and it is in RAM, which we read in place */
	if (dtb & 7 || fdt_open(&f, (const uint8_t *)dtb))
		fail("no device tree at x0 (magic 0xd00dfeed, root cells 1 or 2)");
	if (uart_find(&f, uart_path))
		fail("no UART: /chosen's stdout-path names no node with a reg");
	entry(dtb, pc);
	puts("PROBE-PSCI version ");
	putdec(v >> 16);
	puts(".");
	putdec(v & 0xffff);
	puts("\n");
	puts("PROBE-FDT magic ");
	puthex(be32(f.hdr));
	puts(" version ");
	putdec(be32(f.hdr + 20));
	puts(" totalsize ");
	puthex(be32(f.hdr + 4));
	puts(" cells ");
	putdec(f.ac);
	puts(" ");
	putdec(f.sc);
	puts("\n");
	if (!report_reg(&f, "MEMORY", "/memory"))
		fail("no /memory reg");
	report_string(&f, "BOOTARGS", "/chosen", "bootargs");
	report_string(&f, "STDOUT", "/chosen", "stdout-path");
	report_reg(&f, "UART", uart_path);
	report_string(&f, "UART-COMPATIBLE", uart_path, "compatible");
	cpus(&f);
	ecam = report_reg(&f, "ECAM", "/pcie");
	if (!ecam)
		fail("no /pcie reg");
	dev = pci_scan(ecam);
	if (dev >= 0)
		edu(ecam, (unsigned int)dev);
	hold(&f);
	poweroff();
}
