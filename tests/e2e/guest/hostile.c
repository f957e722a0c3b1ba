/* SPDX-License-Identifier: MIT */
/*
 * A hostile L2 guest (root, no driver on the devices) attacks its own
 * passthrough functions: config space through sysfs, raw CF8/CFC (x86)
 * and raw ECAM (/dev/mem, needs iomem=relaxed); odd MSI-X table and PBA
 * accesses; BARs over its own RAM, each other, ECAM and the platform's
 * interrupt controller; MSI and MSI-X on together; 16-byte loads from
 * trapped pages. Each phase prints "PTVM-HOSTILE phase=NAME done ..." with
 * what it saw; the last line is PTVM-HOSTILE-DONE. One source for x86 and
 * arm64 (ptvm's guest layouts: arch/x86/layout.h, arch/arm64/layout.h);
 * what differs is in the block below. On arm64 hardware an access to
 * device memory at an address not aligned to its size faults in the guest
 * itself (an alignment fault), before any VMM sees it, and a VMM answers
 * a load pair from a trapped page, which KVM cannot emulate, with an
 * external abort: both come as SIGBUS, caught, counted (sigbus=) and
 * skipped.
 *
 *   hostile [-s SEED] [-r ROUNDS] [-p PHASE,...] [BDF]...
 *
 * BDF: default the first NVMe; -p: only these phases (config, msix, bars,
 * msi, wide), in their usual order.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>

/*
 * What differs: ECAM (bus 0 only), a free address in the 32-bit PCI
 * window to move BARs to, the platform's interrupt controller (the bars
 * phase puts BARs on it), the top bytes of the platform's own MMIO that
 * random BAR writes must not hit (that hangs the guest rather than
 * testing ptvm), an MSI address, port I/O (arm64 has none: its raw config
 * accesses all go to ECAM) and a 16-byte load.
 */
#if defined(__x86_64__)
#include <sys/io.h>
#define ECAM_BASE 0xe0000000ULL
#define MOVE_BASE 0xd0000000ULL
#define IRQCHIP_BASE 0xfec00000ULL /* the IOAPIC */
#define MSI_ADDR 0xfee00000u
/* LAPIC, IOAPIC, HPET; ECAM */
static const uint8_t platform_top[] = { 0xfe, 0xe0 };
#define HAVE_CF8 1
static int ports_open(void)
{
	return (int)syscall(SYS_iopl, 3);
}

static uint32_t pio(uint16_t port, unsigned int len, int write, uint32_t v)
{
	if (write)
		len == 1   ? outb((uint8_t)v, port)
		: len == 2 ? outw((uint16_t)v, port)
			   : outl(v, port);
	else
		v = len == 1 ? inb(port) : len == 2 ? inw(port) : inl(port);
	return v;
}

/* an SSE load, which KVM splits into 8-byte MMIO pieces */
static void load16(volatile void *p)
{
	__asm__ volatile("movdqu (%0), %%xmm0" ::"r"(p) : "xmm0", "memory");
}
#elif defined(__aarch64__)
#define ECAM_BASE 0x3f000000ULL
#define MOVE_BASE 0x20000000ULL
#define IRQCHIP_BASE 0x08000000ULL /* the GICv3 distributor */
#define MSI_ADDR 0x08090040u /* the ITS's GITS_TRANSLATER */
/* UART and GPIO, the GIC, the I/O window, ECAM */
static const uint8_t platform_top[] = { 0x01, 0x08, 0x3e, 0x3f };
#define HAVE_CF8 0
static int ports_open(void)
{
	errno = ENOSYS;
	return -1;
}

static uint32_t pio(uint16_t port, unsigned int len, int write, uint32_t v)
{
	(void)port, (void)len, (void)write, (void)v;
	return ~0u;
}

/*
 * A load pair: its data abort carries no instruction syndrome (ISV=0),
 * so KVM cannot emulate it and hands it to the VMM (KVM_EXIT_ARM_NISV,
 * when enabled) or fails KVM_RUN
 */
static void load16(volatile void *p)
{
	uint64_t a, b;

	__asm__ volatile("ldp %0, %1, [%2]"
			 : "=&r"(a), "=&r"(b)
			 : "r"(p)
			 : "memory");
}
#else
#error "hostile: x86_64 or aarch64"
#endif

#define MAXDEV 4
#define PAGE 4096ULL
#define IORES_MEM 0x200 /* IORESOURCE_MEM in sysfs "resource" */
#define MSI_BITS (PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE)
#define MSIX_BITS (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)
#define cmd_set(d, cmd) cfg_wr(d, PCI_COMMAND, 2, cmd)
#define CMD_BITS \
	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

struct dev {
	char bdf[16];
	unsigned int devfn, cfg_size;
	int cfg;
	uint32_t id, cls, bar[PCI_STD_NUM_BARS];
	uint64_t start[PCI_STD_NUM_BARS], size[PCI_STD_NUM_BARS];
	int mem[PCI_STD_NUM_BARS], is64[PCI_STD_NUM_BARS];
	unsigned int msix, msi, nvec, tbar, pbar;
	uint32_t toff, poff;
	unsigned char chain[64];
	unsigned int nchain;
};

static uint64_t rng;

/*
 * printf, and back once the console has sent it: the next attack, and
 * the VMM's warnings about it, come after the line, not into it (the
 * scenario's log holds both), and a VMM that dies of the next access
 * does not take lines along.
 */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (strchr(fmt, '\n'))
		tcdrain(STDOUT_FILENO);
}

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- config space through sysfs: the kernel splits it into 1/2/4 ---- */

static uint32_t cfg_rd(struct dev *d, unsigned int off, unsigned int len)
{
	uint32_t v = 0;

	if (pread(d->cfg, &v, len, off) != (ssize_t)len)
		return ~0u;
	return v;
}

static int platform_byte(uint8_t b)
{
	unsigned int i;

	for (i = 0; i < sizeof(platform_top); i++)
		if (b == platform_top[i])
			return 1;
	return 0;
}

/*
 * Keeps a random write from decoding a BAR over the platform's own MMIO
 * (x86: LAPIC, IOAPIC, HPET, ECAM; arm64: UART, GIC, I/O window, ECAM):
 * that hangs the guest rather than testing ptvm. The BAR phase puts BARs
 * on ECAM and the interrupt controller on purpose.
 */
static void bar_defuse(struct dev *d, unsigned int off, unsigned int len,
		       uint8_t *buf)
{
	unsigned int i, top;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		top = PCI_BASE_ADDRESS_0 + 4 * i + 3; /* address bits 31:24 */
		if (d->size[i] && d->mem[i] && top >= off && top < off + len &&
		    platform_byte(buf[top - off]))
			buf[top - off] ^= 0x40;
	}
}

static void cfg_wr(struct dev *d, unsigned int off, unsigned int len,
		   uint32_t v)
{
	if (pwrite(d->cfg, &v, len, off) != (ssize_t)len)
		say("hostile: %s: config write %#x: %m\n", d->bdf, off);
}

/* ---- raw MMIO of exactly the width asked for ---- */

/* x86 and arm64 do unaligned loads and stores in one instruction */
typedef uint16_t u16u __attribute__((aligned(1), may_alias));
typedef uint32_t u32u __attribute__((aligned(1), may_alias));
typedef uint64_t u64u __attribute__((aligned(1), may_alias));

#define ACCESS(T, p, write, v) \
	((write) ? (*(volatile T *)(p) = (T)(v), 0) : *(volatile T *)(p))

/* SIGBUS: an unaligned access to device memory (arm64), or a bus error */
static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;
static unsigned long long sigbus;

static void on_sigbus(int sig)
{
	if (bus_armed)
		siglongjmp(bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* len 16: a 16-byte load (load16); writes of 16 would be legal pairs */
static uint64_t mmio(volatile void *p, unsigned int len, int write, uint64_t v)
{
	uint64_t r = 0;

	if (sigsetjmp(bus_jmp, 0)) {
		bus_armed = 0;
		sigbus++;
		return ~0ULL;
	}
	bus_armed = 1;
	if (len == 16)
		load16(p);
	else if (len == 1)
		r = ACCESS(uint8_t, p, write, v);
	else if (len == 2)
		r = ACCESS(u16u, p, write, v);
	else if (len == 4)
		r = ACCESS(u32u, p, write, v);
	else
		r = ACCESS(u64u, p, write, v);
	bus_armed = 0;
	return r;
}

/* /dev/mem at a physical address; NULL (and why) when the kernel says no. */
static volatile uint8_t *phys_map(uint64_t pa, uint64_t len)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	void *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)(pa & ~(PAGE - 1)));
	close(fd);
	return p == MAP_FAILED ? NULL
			       : (volatile uint8_t *)p + (pa & (PAGE - 1));
}

/* ---- the device as the guest found it ---- */

static void chain_walk(struct dev *d, unsigned char *ids, unsigned int *n)
{
	unsigned int pos = cfg_rd(d, PCI_CAPABILITY_LIST, 1) & ~3u, k = 0;

	if (!(cfg_rd(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		pos = 0;
	while (pos >= 0x40 && pos < 0x100 && k < 62) {
		ids[k++] = (unsigned char)pos;
		ids[k++] = (unsigned char)cfg_rd(d, pos, 1);
		pos = cfg_rd(d, pos + 1, 1) & ~3u;
	}
	*n = k;
}

static int dev_open(struct dev *d, const char *bdf)
{
	char path[128];
	unsigned int bus, slot, fn, i;
	unsigned long long s, e, fl;
	struct stat st;
	FILE *f;

	memset(d, 0, sizeof(*d));
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	if (sscanf(bdf, "%*x:%x:%x.%x", &bus, &slot, &fn) != 3)
		return -1;
	d->devfn = bus << 8 | slot << 3 | fn;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	d->cfg = open(path, O_RDWR);
	if (d->cfg < 0 || fstat(d->cfg, &st))
		return -1;
	d->cfg_size = (unsigned int)st.st_size;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	for (i = 0; f && i < PCI_STD_NUM_BARS &&
		    fscanf(f, "%llx %llx %llx", &s, &e, &fl) == 3;
	     i++) {
		d->start[i] = s;
		d->size[i] = e > s ? e - s + 1 : 0;
		d->mem[i] = !!(fl & IORES_MEM);
		d->bar[i] = cfg_rd(d, PCI_BASE_ADDRESS_0 + 4 * i, 4);
		d->is64[i] = d->mem[i] && (d->bar[i] & 6) == 4;
	}
	if (f)
		fclose(f);
	d->id = cfg_rd(d, PCI_VENDOR_ID, 4);
	d->cls = cfg_rd(d, PCI_CLASS_REVISION, 4) >> 8;
	chain_walk(d, d->chain, &d->nchain);
	for (i = 0; i < d->nchain; i += 2) {
		unsigned int pos = d->chain[i];

		if (d->chain[i + 1] == PCI_CAP_ID_MSIX && !d->msix) {
			uint32_t t = cfg_rd(d, pos + PCI_MSIX_TABLE, 4);
			uint32_t p = cfg_rd(d, pos + PCI_MSIX_PBA, 4);

			d->msix = pos;
			d->nvec = (cfg_rd(d, pos + PCI_MSIX_FLAGS, 2) &
				   PCI_MSIX_FLAGS_QSIZE) +
				  1;
			d->tbar = t & PCI_MSIX_TABLE_BIR;
			d->toff = t & PCI_MSIX_TABLE_OFFSET;
			d->pbar = p & PCI_MSIX_PBA_BIR;
			d->poff = p & PCI_MSIX_PBA_OFFSET;
		} else if (d->chain[i + 1] == PCI_CAP_ID_MSI && !d->msi) {
			d->msi = pos;
		}
	}
	say("PTVM-HOSTILE dev=%s id=%08x class=%06x cfg=%u msix=%#x(%u vec, table bar%u+%#x, pba bar%u+%#x) msi=%#x\n",
	    bdf, d->id, d->cls, d->cfg_size, d->msix, d->nvec, d->tbar, d->toff,
	    d->pbar, d->poff, d->msi);
	return 0;
}

static void bar_set(struct dev *d, unsigned int i, uint64_t a)
{
	cfg_wr(d, PCI_BASE_ADDRESS_0 + 4 * i, 4,
	       (uint32_t)a | (d->bar[i] & (d->mem[i] ? 0xf : 3)));
	if (d->is64[i])
		cfg_wr(d, PCI_BASE_ADDRESS_0 + 4 * i + 4, 4,
		       (uint32_t)(a >> 32));
}

/* Back to what Linux assigned: BARs, no decoding, no MSI or MSI-X. */
static void dev_restore(struct dev *d)
{
	unsigned int i;

	cmd_set(d, 0);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (d->size[i])
			bar_set(d, i, d->start[i]);
	if (d->msix)
		cfg_wr(d, d->msix + PCI_MSIX_FLAGS, 2, 0);
	if (d->msi)
		cfg_wr(d, d->msi + PCI_MSI_FLAGS, 2, 0);
}

/* ---- phase config: random bytes over 0x000-0xfff, every width ---- */

static void phase_config(struct dev *d, unsigned int rounds)
{
	unsigned long long wr = 0, took = 0, raw = 0, raw8 = 0, sb = sigbus;
	volatile uint8_t *ecam =
		phys_map(ECAM_BASE + d->devfn * PAGE, 2 * PAGE);
	unsigned char ids[64];
	unsigned int r, off, len, i, n;
	uint8_t buf[8], back[8];

	if (HAVE_CF8 && ports_open())
		say("hostile: iopl: %s\n", strerror(errno));
	for (r = 0; r < rounds; r++) {
		/* sysfs: any size at any offset, split by the guest kernel */
		for (off = 0; off < d->cfg_size; off += len) {
			len = 1 + rnd() % 8;
			if (len > d->cfg_size - off)
				len = d->cfg_size - off;
			for (i = 0; i < len; i++)
				buf[i] = (uint8_t)rnd();
			bar_defuse(d, off, len, buf);
			if (pwrite(d->cfg, buf, len, off) == (ssize_t)len)
				wr++;
			if (pread(d->cfg, back, len, off) == (ssize_t)len)
				for (i = 0; i < len; i++)
					took += back[i] == buf[i];
		}
		/*
		 * Raw CF8/CFC (the data port at any byte; x86) and raw ECAM:
		 * every width, 8 bytes too, unaligned (half of the ECAM ones:
		 * on arm64 those fault in the guest). ptvm must drop the bad
		 * ones.
		 */
		for (i = 0; i < 512; i++) {
			static const unsigned int lens[] = { 1, 2, 4, 8, 4, 2 };
			int cf8 = HAVE_CF8 && (!ecam || i % 2),
			    write = rnd() & 1;
			uint64_t v = rnd();

			if (!cf8 && !ecam)
				break;
			len = lens[rnd() % 6] >> cf8 * (rnd() % 2);
			off = (unsigned int)rnd() % (cf8 ? 0x100 : PAGE - 8);
			if (!cf8 && i % 4 < 2)
				off &= ~(len - 1);
			memcpy(buf, &v, 8);
			bar_defuse(d, off, len, buf);
			memcpy(&v, buf, 8);
			if (cf8) {
				pio(0xcf8, 4, 1,
				    0x80000000u | d->devfn << 8 | off);
				pio(0xcfc + (off & 3), len > 4 ? 4 : len, write,
				    (uint32_t)v);
			} else {
				mmio(ecam + off, len, write, v);
				raw8 += len == 8;
			}
			raw++;
		}
		/* a byte-wide CF8 and a foreign bus: both ignored */
		if (HAVE_CF8) {
			pio(0xcf8, 1, 1, 0x80);
			pio(0xcf8, 4, 1, 0x80000000u | 0x3f << 16);
			pio(0xcfc, 4, 0, 0);
		}
	}
	if (ecam) /* 1 + 3 bytes over the page end */
		mmio(ecam + PAGE - 1, 4, 0, 0);
	chain_walk(d, ids, &n);
	say("PTVM-HOSTILE phase=config done dev=%s rounds=%u writes=%llu bytes-took=%llu raw=%llu ecam8=%llu sigbus=%llu ecam=%s ids-intact=%d chain-intact=%d\n",
	    d->bdf, rounds, wr, took, raw, raw8, sigbus - sb,
	    ecam ? "mapped" : strerror(errno),
	    cfg_rd(d, 0, 4) == d->id &&
		    cfg_rd(d, PCI_CLASS_REVISION, 4) >> 8 == d->cls,
	    n == d->nchain && !memcmp(ids, d->chain, n));
	if (ecam)
		munmap((void *)ecam, 2 * PAGE);
	dev_restore(d);
}

/* ---- phase msix: odd sizes into the MSI-X table and the PBA ---- */

static volatile uint8_t *bar_map(struct dev *d, unsigned int bar)
{
	char path[128];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%u",
		 d->bdf, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, d->size[bar], PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void odd_accesses(volatile uint8_t *base, uint32_t off, int write)
{
	static const struct {
		unsigned int off, len;
	} acc[] = { { 0, 1 },  { 1, 1 }, { 3, 1 },  { 12, 1 }, { 13, 1 },
		    { 0, 2 },  { 2, 2 }, { 12, 2 }, { 14, 2 }, { 1, 2 },
		    { 1, 4 },  { 2, 4 }, { 3, 4 },  { 13, 4 }, { 4, 8 },
		    { 12, 8 }, { 1, 8 } };
	unsigned int i;

	for (i = 0; i < sizeof(acc) / sizeof(acc[0]); i++)
		mmio(base + off + acc[i].off, acc[i].len, write, rnd());
	/* 3 bytes: KVM splits an access across a page end into 1 + 3 */
	if (off >= PAGE && !(off & (PAGE - 1)))
		mmio(base + off - 1, 4, write, rnd());
}

static void phase_msix(struct dev *d)
{
	volatile uint8_t *t, *p;
	uint32_t before[256], after[256];
	uint64_t pba0, pba1, off_rd;
	unsigned long long sb = sigbus;
	unsigned int v, same, n;

	if (!d->msix || !(t = bar_map(d, d->tbar)) ||
	    !(p = bar_map(d, d->pbar))) {
		say("PTVM-HOSTILE phase=msix done dev=%s skipped (no MSI-X or no mapping: %s)\n",
		    d->bdf, strerror(errno));
		return;
	}
	/* decoding off: the table is not there at all */
	cmd_set(d, 0);
	off_rd = mmio(t + d->toff, 4, 0, 0);
	cmd_set(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	n = d->nvec * 4 < 256 ? d->nvec * 4 : 256;
	for (v = 0; v < n; v++)
		before[v] = (uint32_t)mmio(t + d->toff + 4 * v, 4, 0, 0);
	pba0 = mmio(p + d->poff, 8, 0, 0);
	for (v = 0; v < d->nvec && v < 4; v++) {
		odd_accesses(t, d->toff + 16 * v, 0);
		odd_accesses(t, d->toff + 16 * v, 1);
	}
	odd_accesses(p, d->poff, 0);
	odd_accesses(p, d->poff, 1);
	mmio(p + d->poff, 4, 1, ~0u); /* the PBA is read-only */
	mmio(p + d->poff, 8, 1, ~0ULL);
	/* runs into the table from before it, and out past its end */
	if (d->toff >= 4)
		mmio(t + d->toff - 4, 8, 0, 0);
	mmio(t + d->toff + 16 * d->nvec - 4, 8, 0, 0);
	for (v = 0, same = 0; v < n; v++) {
		after[v] = (uint32_t)mmio(t + d->toff + 4 * v, 4, 0, 0);
		same += before[v] == after[v];
	}
	pba1 = mmio(p + d->poff, 8, 0, 0);
	/* then legal: vectors with random addresses, unmasked, enabled */
	cfg_wr(d, d->msix + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	for (v = 0; v < d->nvec; v++) {
		mmio(t + d->toff + 16 * v, 8, 1, rnd() & ~3ULL);
		mmio(t + d->toff + 16 * v + 8, 4, 1, rnd());
		mmio(t + d->toff + 16 * v + 12, 4, 1, 0);
	}
	cfg_wr(d, d->msix + PCI_MSIX_FLAGS, 2,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (v = 0; v < d->nvec; v++)
		mmio(t + d->toff + 16 * v + 12, 4, 1, 1);
	cfg_wr(d, d->msix + PCI_MSIX_FLAGS, 2, 0);
	say("PTVM-HOSTILE phase=msix done dev=%s vec=%u sigbus=%llu decode-off-read=%#llx table-unchanged=%u/%u pba=%#llx/%#llx entry0=%08x:%08x:%08x:%08x\n",
	    d->bdf, d->nvec, sigbus - sb, (unsigned long long)off_rd, same, n,
	    (unsigned long long)pba0, (unsigned long long)pba1, after[0],
	    after[1], after[2], after[3]);
	munmap((void *)t, d->size[d->tbar]);
	munmap((void *)p, d->size[d->pbar]);
	dev_restore(d);
}

/* ---- phase bars: BARs over RAM, over each other, over ECAM ---- */

static uint64_t virt_to_phys(void *v)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)v / PAGE * 8)) != 8)
		e = 0;
	close(fd);
	return e >> 63 ? (e & ((1ULL << 55) - 1)) * PAGE : 0;
}

static uint32_t peek(uint64_t pa)
{
	volatile uint8_t *m = phys_map(pa, 4);
	uint32_t v;

	if (!m)
		return 0xdead0000u | (errno & 0xffff);
	v = (uint32_t)mmio(m, 4, 0, 0);
	munmap((void *)((uintptr_t)m & ~(PAGE - 1)), PAGE);
	return v;
}

static uint8_t pat(uint64_t i, unsigned int flip)
{
	return (uint8_t)(i * 7 + 1 + (i >> 12) + flip);
}

static void phase_bars(struct dev *devs, unsigned int ndev)
{
	uint64_t len = 8ULL << 20, pa, a;
	uint8_t *raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *buf;
	unsigned int k, i, j, ok, irqchip_ok = 1;

	if (raw == MAP_FAILED)
		return;
	buf = (uint8_t *)(((uintptr_t)raw + (2 << 20) - 1) & ~0x1fffffUL);
	madvise(buf, 4 << 20, MADV_HUGEPAGE);
	for (i = 0; i < (4u << 20); i++)
		buf[i] = pat(i, 0);
	mlock(buf, 4 << 20);
	for (k = 0; k < ndev; k++) {
		struct dev *d = &devs[k];

		for (i = 0; i < PCI_STD_NUM_BARS; i++) {
			uint32_t old, moved, left;

			if (!d->size[i] || !d->mem[i] || d->size[i] > (2 << 20))
				continue;
			/* moved to a free address: it answers there only */
			cmd_set(d, PCI_COMMAND_MEMORY);
			old = peek(d->start[i]);
			a = MOVE_BASE + ((uint64_t)i << 24);
			bar_set(d, i, a);
			moved = peek(a);
			left = peek(d->start[i]);
			/*
			 * Over our own RAM, decoding: RAM must stay RAM. buf
			 * is a transparent huge page (THP is "always"), so
			 * its start is aligned for any BAR up to 2 MiB.
			 */
			pa = virt_to_phys(buf) & ~(d->size[i] - 1);
			bar_set(d, i, pa);
			for (j = 0, ok = 1; j < d->size[i]; j++) {
				buf[j] = pat(j, 0x80);
				ok &= buf[j] == pat(j, 0x80);
				buf[j] = pat(j, 0);
			}
			say("PTVM-HOSTILE bars dev=%s bar%u old=%08x moved@%#llx=%08x left=%08x ram@%#llx owned=%d ram-intact=%u devmem-ram=%08x\n",
			    d->bdf, i, old, (unsigned long long)a, moved, left,
			    (unsigned long long)pa,
			    virt_to_phys(buf + d->size[i] - PAGE) ==
				    pa + d->size[i] - PAGE,
			    ok, peek(pa));
			/* on the ECAM window, over its own config page */
			a = (ECAM_BASE + d->devfn * PAGE) & ~(d->size[i] - 1);
			old = cfg_rd(d, 0x100, 4);
			bar_set(d, i, a);
			moved = cfg_rd(d, 0x100, 4);
			left = peek(ECAM_BASE + d->devfn * PAGE);
			bar_set(d, i, d->start[i]); /* through CF8: < 0x100 */
			say("PTVM-HOSTILE bars dev=%s bar%u on-ecam@%#llx cfg100=%08x->%08x ecam-id=%08x, back: %08x %08x\n",
			    d->bdf, i, (unsigned long long)a, old, moved, left,
			    cfg_rd(d, 0x100, 4),
			    peek(ECAM_BASE + d->devfn * PAGE));
			/*
			 * On the interrupt controller (x86: the IOAPIC; arm64:
			 * the GIC's distributor): it must still answer there,
			 * and interrupts (the console's) keep coming.
			 */
			a = IRQCHIP_BASE & ~(d->size[i] - 1);
			old = peek(IRQCHIP_BASE);
			bar_set(d, i, a);
			moved = peek(IRQCHIP_BASE);
			usleep(20000);
			say("PTVM-HOSTILE bars dev=%s bar%u on-irqchip@%#llx irqchip=%08x->%08x",
			    d->bdf, i, (unsigned long long)a, old, moved);
			bar_set(d, i, d->start[i]);
			say(", back: %08x irqchip-intact=%d\n",
			    peek(IRQCHIP_BASE), old == moved);
			irqchip_ok &= old == moved;
		}
	}
	/* two BARs at one address: every memory BAR of every device */
	a = MOVE_BASE + (8ULL << 24);
	for (k = 0; k < ndev; k++) {
		cmd_set(&devs[k], PCI_COMMAND_MEMORY);
		for (i = 0; i < PCI_STD_NUM_BARS; i++)
			if (devs[k].size[i] && devs[k].mem[i])
				bar_set(&devs[k], i,
					a & ~(devs[k].size[i] - 1));
	}
	say("PTVM-HOSTILE bars overlap@%#llx: %08x %08x %08x\n",
	    (unsigned long long)a, peek(a), peek(a + 0x2000), peek(a + 0x3000));
	for (k = 0; k < ndev; k++)
		dev_restore(&devs[k]);
	/* and the RAM behind all of it is still ours */
	for (i = 0, ok = 1; i < (4u << 20); i++)
		ok &= buf[i] == pat(i, 0);
	say("PTVM-HOSTILE phase=bars done ram-intact=%u irqchip-intact=%u\n",
	    ok, irqchip_ok);
	munmap(raw, len);
}

/* ---- phase msi: MSI and MSI-X on at once, with bus mastering ---- */

static void phase_msi(struct dev *d)
{
	unsigned int i, data = PCI_MSI_DATA_32, both;
	uint32_t mc, xc;

	cmd_set(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (d->msi) {
		if (cfg_rd(d, d->msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_64BIT)
			data = PCI_MSI_DATA_64;
		cfg_wr(d, d->msi + PCI_MSI_ADDRESS_LO, 4, MSI_ADDR);
		cfg_wr(d, d->msi + data, 2, 0x31);
		cfg_wr(d, d->msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	}
	if (d->msix)
		cfg_wr(d, d->msix + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	mc = d->msi ? cfg_rd(d, d->msi + PCI_MSI_FLAGS, 2) : 0;
	xc = d->msix ? cfg_rd(d, d->msix + PCI_MSIX_FLAGS, 2) : 0;
	both = (mc & PCI_MSI_FLAGS_ENABLE) && (xc & PCI_MSIX_FLAGS_ENABLE);
	/* and in every order, vector counts and masks */
	for (i = 0; i < 64; i++) {
		uint32_t r = (uint32_t)rnd();

		if (d->msi && r & 1)
			cfg_wr(d, d->msi + PCI_MSI_FLAGS, 2, r & MSI_BITS);
		if (d->msix && r & 2)
			cfg_wr(d, d->msix + PCI_MSIX_FLAGS, 2, r & MSIX_BITS);
		if (r % 64 < 8)
			cmd_set(d, (uint16_t)r & CMD_BITS);
	}
	say("PTVM-HOSTILE phase=msi done dev=%s msi=%#x msix=%#x flags=%04x/%04x both-on=%u toggles=64\n",
	    d->bdf, d->msi, d->msix, mc, xc, both);
	dev_restore(d);
}

/*
 * ---- phase wide: 16-byte loads from the device's trapped pages: its
 * MSI-X table and PBA, its ECAM page ----
 */
static void phase_wide(struct dev *d)
{
	volatile uint8_t *t = NULL, *p = NULL, *ecam;
	unsigned long long sb = sigbus;
	unsigned int n = 0, v;

	cmd_set(d, PCI_COMMAND_MEMORY);
	if (d->msix && (t = bar_map(d, d->tbar)) && (p = bar_map(d, d->pbar))) {
		for (v = 0; v < d->nvec && v < 4; v++, n++)
			mmio(t + d->toff + 16 * v, 16, 0, 0);
		mmio(p + d->poff, 16, 0, 0);
		n++;
	}
	ecam = phys_map(ECAM_BASE + d->devfn * PAGE, PAGE);
	if (ecam) {
		mmio(ecam, 16, 0, 0);
		mmio(ecam + 0x100, 16, 0, 0);
		n += 2;
		munmap((void *)ecam, PAGE);
	}
	say("PTVM-HOSTILE phase=wide done dev=%s loads=%u sigbus=%llu id-intact=%d\n",
	    d->bdf, n, sigbus - sb, cfg_rd(d, 0, 4) == d->id);
	if (t)
		munmap((void *)t, d->size[d->tbar]);
	if (p)
		munmap((void *)p, d->size[d->pbar]);
	dev_restore(d);
}

/* 1 if name is one of the comma-separated words of list */
static int phase_on(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (; *list; list += strcspn(list, ","), list += *list == ',')
		if (!strncmp(list, name, n) && (list[n] == ',' || !list[n]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct dev devs[MAXDEV];
	unsigned long long seed = (unsigned long long)time(NULL);
	unsigned int rounds = 4, ndev = 0, k;
	const char *only = "config,msix,bars,msi,wide";
	char bdf[64];
	int o;

	struct sigaction sa = { .sa_handler = on_sigbus,
				.sa_flags = SA_NODEFER };

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGBUS, &sa, NULL);
	while ((o = getopt(argc, argv, "s:r:p:")) != -1)
		if (o == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (o == 'p')
			only = optarg;
		else
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
	rng = seed * 2654435761ULL + 1;
	say("PTVM-HOSTILE seed=%llu rounds=%u\n", seed, rounds);
	for (; optind < argc && ndev < MAXDEV; optind++)
		if (!dev_open(&devs[ndev], argv[optind]))
			ndev++;
	for (k = 1; !ndev && k < 32; k++) {
		snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", k);
		ndev = !dev_open(&devs[0], bdf) && devs[0].cls >> 8 == 0x0108;
	}
	if (!ndev) {
		say("PTVM-HOSTILE no device\n");
		return 1;
	}
	for (k = 0; k < ndev; k++) {
		if (phase_on(only, "config"))
			phase_config(&devs[k], rounds);
		if (phase_on(only, "msix"))
			phase_msix(&devs[k]);
	}
	if (phase_on(only, "bars"))
		phase_bars(devs, ndev);
	for (k = 0; k < ndev && phase_on(only, "msi"); k++)
		phase_msi(&devs[k]);
	for (k = 0; k < ndev && phase_on(only, "wide"); k++)
		phase_wide(&devs[k]);
	say("PTVM-HOSTILE-DONE devices=%u sigbus=%llu\n", ndev, sigbus);
	return 0;
}
