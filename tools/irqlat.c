/* SPDX-License-Identifier: MIT */
/*
 * irqlat: interrupt latency from a device register write to user space, in
 * a Linux guest. --mode msi|msix: VFIO, vector 0 on an eventfd (type1 with
 * an IOMMU group, else no-IOMMU); MSI falls back to UIO (irqlat_uio.c) with
 * the uio_msi module when VFIO cannot take the device. --mode intx:
 * uio_pci_generic, chosen over VFIO INTx because it needs neither an IOMMU
 * nor CONFIG_VFIO_NOIOMMU, which distribution kernels lack. Latency:
 * CLOCK_MONOTONIC before the fire write, to the eventfd or /dev/uioN read
 * returning. What arrives in the --gap before a fire, or an event count
 * above one, is spurious.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "tools/irqlat.h"
#include "tools/irqlat_uio.h"

static const char *const modes[] = { "msi", "msix", "intx" };

static const char usage[] =
	"usage: irqlat --bdf BDF [--mode msi|msix|intx] [--uio] --edu [-n N]\n"
	"       irqlat --bdf BDF [--mode MODE] [--bar N] --fire OFF=VAL [--ack OFF=VAL]\n"
	"              [--status OFF] [--width 1|2|4|8] [-n N] [--timeout MS] [--gap US]\n"
	"Times N device interrupts from the register write to user space.\n"
	"  --bdf BDF       the device; irqlat binds it to the mode's driver\n"
	"  --mode msi|msix vfio-pci (default msi); without an IOMMU the kernel needs\n"
	"                  CONFIG_VFIO_NOIOMMU and vfio.enable_unsafe_noiommu_mode=1\n"
	"  --uio           msi through uio_msi (tests/e2e/guest/uio_msi), also the\n"
	"                  choice when VFIO cannot take the device and it is loaded\n"
	"  --mode intx     uio_pci_generic\n"
	"  --bar, --width  the registers' BAR (default 0) and access size (4)\n"
	"  --fire OFF=VAL  the write that raises the interrupt\n"
	"  --ack OFF=VAL   the write that clears it at the device after delivery\n"
	"  --status OFF    read after delivery: 0 means not the device's (spurious)\n"
	"  -n, --timeout   interrupts to fire (1000); ms until one is lost (1000);\n"
	"                  10 lost in a row end the run (the rest count as lost)\n"
	"  --gap US        quiet time before each fire (default 1000)\n"
	"  --edu           QEMU's edu device: --fire 0x60=1 --ack 0x64=1 --status 0x24\n"
	"Last line: IRQLAT mode= bdf= n= got= lost= spurious= min= p50= p99= max=\n"
	"(ns). Exit 0: each interrupt arrived once; 1: some lost or spurious;\n"
	"2: bad command line; 3: setup failed (one line says why).\n";

int fail(struct irqlat *il, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(il->err, sizeof(il->err), fmt, ap);
	va_end(ap);
	return ret;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* buf = /sys/bus/pci/devices/BDF/leaf */
char *devpath(char *buf, const struct irqlat *il, const char *leaf)
{
	snprintf(buf, PATH_MAX, "/sys/bus/pci/devices/%s/%s", il->bdf, leaf);
	return buf;
}

static int sysfs_put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, val, strlen(val));

	close(fd); /* EBADF when the open failed: harmless */
	return n < 0 ? -EIO : 0;
}

/* The name of the driver the device is bound to, "" when none. */
static void dev_driver(const struct irqlat *il, char *name, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n = readlink(devpath(path, il, "driver"), link, PATH_MAX - 1);

	link[n > 0 ? n : 0] = '\0';
	snprintf(name, len, "%s", n > 0 ? strrchr(link, '/') + 1 : "");
}

/* Moves the device to drv (the way `ptvm bind` does) unless it is there. */
int dev_bind(struct irqlat *il, const char *drv)
{
	char path[PATH_MAX], cur[64];

	if (access(devpath(path, il, ""), F_OK))
		return fail(il, -ENODEV, "%s: no such device (see: lspci -D)",
			    il->bdf);
	dev_driver(il, cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", drv);
	if (access(path, F_OK))
		return fail(il, -ENOENT, "no %s driver (run: modprobe %s)", drv,
			    drv);
	if (sysfs_put(devpath(path, il, "driver_override"), drv))
		return fail(il, -EACCES, "%s: cannot write (run as root)",
			    path);
	if (cur[0])
		sysfs_put(devpath(path, il, "driver/unbind"), il->bdf);
	/* fails when the probe does: the check below says so */
	sysfs_put("/sys/bus/pci/drivers_probe", il->bdf);
	dev_driver(il, cur, sizeof(cur));
	if (strcmp(cur, drv))
		return fail(il, -ENXIO, "%s: %s refused it (see: dmesg | tail)",
			    il->bdf, drv);
	return 0;
}

/* One access of --width bytes (little-endian: the low bytes of val). */
static uint64_t reg_rw(struct irqlat *il, uint64_t off, uint64_t val, int wr)
{
	volatile uint8_t *p = il->map ? il->map + off : NULL;
	off_t at = il->roff + off;

	if (!p && (wr ? pwrite(il->rfd, &val, il->width, at)
		      : pread(il->rfd, &val, il->width, at)) < 0)
		return ~0ull;
	if (!p)
		return val;
	switch (il->width) {
	case 1:
		return wr ? (*p = val, 0) : *p;
	case 2:
		return wr ? (*(volatile uint16_t *)p = val, 0)
			  : *(volatile uint16_t *)p;
	case 4:
		return wr ? (*(volatile uint32_t *)p = val, 0)
			  : *(volatile uint32_t *)p;
	default:
		return wr ? (*(volatile uint64_t *)p = val, 0)
			  : *(volatile uint64_t *)p;
	}
}

/* Container, group, device: type1, or no-IOMMU (its own /dev/vfio node). */
static int vfio_open(struct irqlat *il)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char path[PATH_MAX], link[PATH_MAX], *grp;
	int noiommu, iommu, ret;
	ssize_t n;

	noiommu = access(devpath(path, il, "iommu_group"), F_OK) != 0;
	ret = dev_bind(il, "vfio-pci");
	if (ret == -ENXIO && noiommu)
		return fail(
			il, ret,
			"%s: no IOMMU; vfio-pci takes it only with CONFIG_VFIO_NOIOMMU and vfio.enable_unsafe_noiommu_mode=1 (or use --mode intx)",
			il->bdf);
	if (ret)
		return ret;
	n = readlink(devpath(path, il, "iommu_group"), link, PATH_MAX - 1);
	if (n <= 0)
		return fail(il, -ENODEV, "%s: in no IOMMU group", il->bdf);
	link[n] = '\0';
	grp = strrchr(link, '/') + 1;
	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s", grp);
	noiommu = !access(path, F_OK);
	if (!noiommu)
		snprintf(path, sizeof(path), "/dev/vfio/%s", grp);

	il->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (il->container < 0)
		return fail(il, -ENOENT,
			    "no /dev/vfio/vfio (run: modprobe vfio)");
	/* no DMA mappings: type1 is only there to make the group usable */
	iommu = noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1_IOMMU;
	if (ioctl(il->container, VFIO_CHECK_EXTENSION, iommu) <= 0)
		return fail(il, -ENOTSUP, "vfio has no %s (run: modprobe %s)",
			    noiommu ? "no-IOMMU mode" : "type1 IOMMU",
			    noiommu ? "vfio" : "vfio_iommu_type1");
	il->group = open(path, O_RDWR | O_CLOEXEC);
	if (il->group < 0 || ioctl(il->group, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(il->group, VFIO_GROUP_SET_CONTAINER, &il->container) ||
	    ioctl(il->container, VFIO_SET_IOMMU, iommu))
		return fail(
			il, -EBUSY,
			"%s: unusable (all of /sys/kernel/iommu_groups/%s/devices on vfio-pci, and no other user?)",
			path, grp);
	il->device = ioctl(il->group, VFIO_GROUP_GET_DEVICE_FD, il->bdf);
	if (il->device < 0)
		return fail(il, -errno, "%s: VFIO_GROUP_GET_DEVICE_FD: %s",
			    il->bdf, strerror(errno));
	return 0;
}

static int vfio_setup(struct irqlat *il)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = il->bar };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	union {
		struct vfio_irq_set set;
		char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	} u = { 0 };
	uint16_t cmd;
	void *p;
	int ret = vfio_open(il);

	if (ret)
		return ret;
	if (ioctl(il->device, VFIO_DEVICE_GET_REGION_INFO, &ri) || !ri.size)
		return fail(il, -ENXIO, "%s: no BAR %d (see: lspci -v -s %s)",
			    il->bdf, il->bar, il->bdf);
	il->rfd = il->device;
	il->roff = ri.offset;
	il->bar_size = ri.size;
	/* a BAR with the MSI-X table may refuse: pread/pwrite then */
	p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, il->device,
		 ri.offset);
	il->map = p == MAP_FAILED ? NULL : p;

	/* memory decode for the registers, bus master for the MSI write */
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(il->device, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
	    pread(il->device, &cmd, 2, ri.offset + PCI_COMMAND) != 2)
		return fail(il, -EIO, "%s: config space unreadable", il->bdf);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(il->device, &cmd, 2, ri.offset + PCI_COMMAND) != 2)
		return fail(il, -EIO, "%s: command register unwritable",
			    il->bdf);

	ii.index = il->mode == MODE_MSIX ? VFIO_PCI_MSIX_IRQ_INDEX
					 : VFIO_PCI_MSI_IRQ_INDEX;
	if (ioctl(il->device, VFIO_DEVICE_GET_IRQ_INFO, &ii) || !ii.count)
		return fail(il, -ENOTSUP,
			    "%s: the device has no %s (try another --mode)",
			    il->bdf, modes[il->mode]);
	il->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	u.set.argsz = sizeof(u.buf);
	u.set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	u.set.index = ii.index;
	u.set.count = 1;
	memcpy(u.set.data, &il->irqfd, sizeof(int32_t));
	if (ioctl(il->device, VFIO_DEVICE_SET_IRQS, &u.set))
		return fail(il, -errno, "%s: VFIO_DEVICE_SET_IRQS: %s", il->bdf,
			    strerror(errno));
	return 0;
}

/* Reads what arrived on irqfd: the number of interrupts it stands for. */
static unsigned long irq_take(struct irqlat *il)
{
	uint64_t cnt;

	if (il->uio_drv)
		return uio_take(il);
	return read(il->irqfd, &cnt, 8) == 8 ? cnt : 0;
}

/* Waits up to ms for the line: 1 when something arrived, 0 when not. */
static int irq_wait(struct irqlat *il, int ms)
{
	struct pollfd pfd = { .fd = il->irqfd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

/* Waits out --gap; whatever arrives meanwhile is spurious. */
static void irq_quiet(struct irqlat *il)
{
	uint64_t end = now_ns() + il->gap_us * 1000ull, t;

	do {
		t = now_ns();
		if (irq_wait(il, t < end ? (end - t + 999999) / 1000000 : 0))
			il->spurious += irq_take(il);
	} while (now_ns() < end);
}

/*
 * LOST_RUN interrupts lost in a row: the line is dead, not slow. Say what
 * the device's command and status registers hold, and stop (the rest
 * count as lost) rather than wait out a timeout for every one left.
 */
#define LOST_RUN 10
static void irq_dead(struct irqlat *il, unsigned long i)
{
	char path[PATH_MAX];
	uint16_t r[2] = { 0xffff, 0xffff };
	int fd = open(devpath(path, il, "config"), O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && pread(fd, r, sizeof(r), 4) != sizeof(r))
		r[0] = r[1] = 0xffff;
	close(fd); /* EBADF when the open failed: harmless */
	fprintf(stderr,
		"irqlat: %s: %d interrupts lost in a row (at %lu of %lu): giving up; command 0x%04x, status 0x%04x\n",
		il->bdf, LOST_RUN, i + 1, il->n, r[0], r[1]);
	il->lost += il->n - i - 1;
}

static void irqlat_run(struct irqlat *il)
{
	unsigned long i, cnt, run = 0;
	uint64_t t0;

	for (i = 0; i < il->n; i++) {
		irq_quiet(il);
		t0 = now_ns();
		reg_rw(il, il->fire.off, il->fire.val, 1);
		if (!irq_wait(il, il->timeout_ms)) {
			il->lost++;
			if (++run == LOST_RUN) {
				irq_dead(il, i);
				break;
			}
		} else {
			run = 0;
			cnt = irq_take(il);
			il->lat[il->got++] = now_ns() - t0;
			il->spurious += cnt > 1 ? cnt - 1 : 0;
			if (il->status.set && !reg_rw(il, il->status.off, 0, 0))
				il->spurious++;
		}
		if (il->ack.set)
			reg_rw(il, il->ack.off, il->ack.val, 1);
		if (il->mode == MODE_INTX)
			uio_unmask(il);
	}
	/* a last quiet window catches a late or repeated interrupt */
	irq_quiet(il);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with pct% of them at or below it. */
static unsigned long long pctl(const struct irqlat *il, unsigned int pct)
{
	unsigned long rank = (il->got * pct + 99) / 100;

	return il->got ? il->lat[rank ? rank - 1 : 0] : 0;
}

static void irqlat_report(struct irqlat *il)
{
	static const char bar[] = "########################################";
	unsigned long hist[64] = { 0 }, i, top = 1;
	int b, lo = 63, hi = 0;
	char line[1024];
	FILE *f;

	qsort(il->lat, il->got, sizeof(il->lat[0]), cmp_u64);
	for (i = 0; i < il->got; i++) {
		b = il->lat[i] ? 63 - __builtin_clzll(il->lat[i]) : 0;
		hist[b]++;
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
		top = hist[b] > top ? hist[b] : top;
	}
	for (b = lo; b <= hi; b++)
		printf("  [%10.1f, %10.1f) us %7lu %.*s\n", (1ull << b) / 1e3,
		       (2ull << b) / 1e3, hist[b], (int)(hist[b] * 40 / top),
		       bar);
	printf("min %.1f us  p50 %.1f us  p99 %.1f us  max %.1f us\n",
	       pctl(il, 0) / 1e3, pctl(il, 50) / 1e3, pctl(il, 99) / 1e3,
	       pctl(il, 100) / 1e3);

	/* the device's line while it is set up: vfio-msi[0](BDF), uio_msi */
	f = fopen("/proc/interrupts", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, il->uio_drv ? il->uio_drv : il->bdf))
			printf("irq: %s", line);
	if (f)
		fclose(f);
	printf("IRQLAT mode=%s bdf=%s n=%lu got=%lu lost=%lu spurious=%lu min=%llu p50=%llu p99=%llu max=%llu\n",
	       modes[il->mode], il->bdf, il->n, il->got, il->lost, il->spurious,
	       pctl(il, 0), pctl(il, 50), pctl(il, 99), pctl(il, 100));
}

/* A number in C notation, or ~0 (which every range check refuses). */
static unsigned long long parse_ul(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	return errno || end == s || *end ? ~0ull : v;
}

/* OFFSET=VALUE when with_val, else OFFSET */
static int parse_reg(const char *s, struct reg *r, int with_val)
{
	const char *eq = strchr(s, '=');
	char off[32];

	if (!with_val != !eq || (eq && eq - s >= (long)sizeof(off)))
		return -EINVAL;
	snprintf(off, eq ? (size_t)(eq - s) + 1 : sizeof(off), "%s", s);
	r->off = parse_ul(off);
	r->val = eq ? parse_ul(eq + 1) : 0;
	r->set = 1;
	return r->off == ~0ull || r->val == ~0ull ? -EINVAL : 0;
}

static const struct option long_opts[] = {
	{ "bdf", 1, NULL, 'd' },   { "mode", 1, NULL, 'm' },
	{ "bar", 1, NULL, 'b' },   { "fire", 1, NULL, 'f' },
	{ "ack", 1, NULL, 'a' },   { "status", 1, NULL, 's' },
	{ "width", 1, NULL, 'w' }, { "timeout", 1, NULL, 't' },
	{ "gap", 1, NULL, 'g' },   { "edu", 0, NULL, 'e' },
	{ "uio", 0, NULL, 'u' },   { "help", 0, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* 0, or -EINVAL with the reason in il->err */
static int irqlat_parse(struct irqlat *il, int argc, char **argv)
{
	const char *want;
	unsigned long long v;
	struct reg *r;
	int o, m, li = -1;
	char sh[2] = "";

	while ((o = getopt_long(argc, argv, "d:m:b:f:a:s:w:t:g:eun:h",
				long_opts, &li)) != -1) {
		v = optarg ? parse_ul(optarg) : 0;
		want = NULL;
		switch (o) {
		case 'd':
			il->bdf = optarg;
			break;
		case 'm':
			for (m = 2; m >= 0 && strcmp(optarg, modes[m]); m--)
				;
			il->mode = m;
			want = m < 0 ? "msi, msix or intx" : NULL;
			break;
		case 'b':
			il->bar = v;
			want = v > 5 ? "a BAR number, 0 to 5" : NULL;
			break;
		case 'f':
		case 'a':
		case 's':
			r = o == 's' ? &il->status : &il->ack;
			r = o == 'f' ? &il->fire : r;
			if (parse_reg(optarg, r, o != 's'))
				want = o == 's' ? "OFFSET" : "OFFSET=VALUE";
			il->top = r->off > il->top ? r->off : il->top;
			break;
		case 'w':
			il->width = v;
			want = !v || v > 8 || (v & (v - 1)) ? "1, 2, 4 or 8"
							    : NULL;
			break;
		case 'n':
			il->n = v;
			want = !v || v > 100000000 ? "1 to 100000000" : NULL;
			break;
		case 't':
		case 'g':
			*(o == 't' ? &il->timeout_ms : &il->gap_us) = v;
			want = v > 60000000 ? "0 to 60000000" : NULL;
			break;
		case 'e':
			il->bar = 0;
			il->width = 4;
			il->fire = (struct reg){ 0x60, 1, 1 };
			il->ack = (struct reg){ 0x64, 1, 1 };
			il->status = (struct reg){ 0x24, 0, 1 };
			il->top = il->top > 0x64 ? il->top : 0x64;
			break;
		case 'u':
			il->want_uio = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			return fail(il, -EINVAL,
				    "%s: unknown (see: irqlat --help)",
				    argv[optind - 1]);
		}
		sh[0] = o;
		if (want)
			return fail(il, -EINVAL,
				    "-%s%s %s: want %s (see: irqlat --help)",
				    li < 0 ? "" : "-",
				    li < 0 ? sh : long_opts[li].name, optarg,
				    want);
		li = -1;
	}
	if (optind < argc)
		return fail(il, -EINVAL, "%s: unexpected (see: irqlat --help)",
			    argv[optind]);
	if (il->want_uio && il->mode == MODE_MSIX)
		return fail(il, -EINVAL, "--uio: with --mode msi or intx only");
	if (!il->bdf || !il->fire.set)
		return fail(il, -EINVAL, "no --%s (see: irqlat --help)",
			    il->bdf ? "fire OFFSET=VALUE, or --edu"
				    : "bdf BDF");
	return 0;
}

int main(int argc, char **argv)
{
	struct irqlat il = {
		.width = 4, .timeout_ms = 1000, .gap_us = 1000, .n = 1000
	};
	int ret;

	opterr = 0; /* irqlat_parse says it in one line */
	if (irqlat_parse(&il, argc, argv)) {
		fprintf(stderr, "irqlat: %s\n", il.err);
		return 2;
	}
	il.lat = calloc(il.n, sizeof(il.lat[0]));
	if (!il.lat)
		ret = fail(&il, -ENOMEM, "no memory for -n %lu", il.n);
	else
		ret = uio_pick(&il) ? uio_setup(&il) : vfio_setup(&il);
	if (!ret && il.top + il.width > il.bar_size)
		ret = fail(&il, -ERANGE, "register 0x%llx: past BAR %d's end",
			   (unsigned long long)il.top, il.bar);
	if (ret) {
		fprintf(stderr, "irqlat: %s\n", il.err);
		return 3;
	}
	irqlat_run(&il);
	irqlat_report(&il);
	return il.lost || il.spurious ? 1 : 0;
}
