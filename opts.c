/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "fmt.h"
#include "memory.h"
#include "opts.h"

int opts_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned int shift = 20; /* a bare number is MiB */
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = fmt_strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	/* "512MiB" and "512MB" mean 512M too. */
	if (end[-1] > '9' && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)v << shift;
	return 0;
}

static int hexfield(const char **p, unsigned int digits, unsigned int max,
		    unsigned int *out)
{
	unsigned int i, v = 0;

	for (i = 0; i < digits; i++) {
		char c = (*p)[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v * 16 + d;
	}
	if (v > max)
		return -EINVAL;
	*p += digits;
	*out = v;
	return 0;
}

int opts_parse_bdf(const char *s, struct pci_bdf *b)
{
	const char *p = s;
	size_t len = s ? strlen(s) : 0;

	b->domain = 0;
	if (len == 12) {
		if (hexfield(&p, 4, 0xffff, &b->domain) || *p++ != ':')
			return -EINVAL;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (hexfield(&p, 2, 0xff, &b->bus) || *p++ != ':' ||
	    hexfield(&p, 2, 0x1f, &b->slot) || *p++ != '.' ||
	    hexfield(&p, 1, 7, &b->fn) || *p)
		return -EINVAL;
	return 0;
}

static int opts_fail(struct opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Accepts "--name value" and "--name=value". */
static const char *opt_value(int argc, char *const argv[], int *i,
			     const char *name, int *matched)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*matched = 0;
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=') {
		*matched = 1;
		return a + n + 1;
	}
	if (a[n])
		return NULL;
	*matched = 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int opts_parse_cpulist(const char *s, unsigned int *cpu, unsigned int max_n,
		       unsigned int max)
{
	unsigned int n = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		unsigned long a, b;
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = b = fmt_strtoull(p, &end, 10);
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			b = fmt_strtoull(p, &end, 10);
		}
		if (a > b || b >= max)
			return -EINVAL;
		for (; a <= b; a++) {
			if (n == max_n)
				return -EINVAL;
			cpu[n++] = (unsigned int)a;
		}
		if (!*end)
			return (int)n;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
}

int opts_parse_exits(const char *s, unsigned int *bits)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "hlt", KVM_X86_DISABLE_EXITS_HLT },
		{ "pause", KVM_X86_DISABLE_EXITS_PAUSE },
		{ "mwait", KVM_X86_DISABLE_EXITS_MWAIT },
		{ "cstate", KVM_X86_DISABLE_EXITS_CSTATE },
		{ "all", KVM_X86_DISABLE_EXITS_HLT |
				 KVM_X86_DISABLE_EXITS_PAUSE |
				 KVM_X86_DISABLE_EXITS_MWAIT |
				 KVM_X86_DISABLE_EXITS_CSTATE },
	};
	const char *p = s;

	*bits = 0;
	if (!s || !*s)
		return -EINVAL;
	while (*p) {
		size_t len = strcspn(p, ","), k;

		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k].name) == len &&
			    !strncmp(p, names[k].name, len))
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			return -EINVAL;
		*bits |= names[k].bit;
		p += len;
		if (*p == ',' && !*++p)
			return -EINVAL;
	}
	return 0;
}

enum opt_id {
	OPT_KERNEL,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_MEM,
	OPT_CPUS,
	OPT_DEVICE,
	OPT_CPU_AFFINITY,
	OPT_DISABLE_EXITS,
	OPT_HALT_POLL,
	OPT_SHUTDOWN_TIMEOUT,
	OPT_DMA_MAP,
	OPT_PREFAULT_THREADS,
};

static int opt_flag(struct opts *o, const char *a)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
		{ "--help", offsetof(struct opts, help) },
		{ "-h", offsetof(struct opts, help) },
		{ "--version", offsetof(struct opts, version) },
		{ "--reboot", offsetof(struct opts, reboot) },
		{ "--stats", offsetof(struct opts, stats) },
		{ "--no-seccomp", offsetof(struct opts, no_seccomp) },
		{ "--realtime", offsetof(struct opts, realtime) },
		{ "--hugepages", offsetof(struct opts, hugepages) },
		{ "--best-effort", offsetof(struct opts, best_effort) },
	};
	unsigned int k;

	for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
		if (!strcmp(a, flags[k].name)) {
			*(int *)((char *)o + flags[k].off) = 1;
			return 1;
		}
	if (!strncmp(a, "--stats=json", 12) && (!a[12] || a[12] == ':')) {
		o->stats_json = a[12] ? a + 13 : OPTS_DEFAULT_STATS_JSON;
		return 1;
	}
	return 0;
}

static int opt_device(struct opts *o, const char *v)
{
	struct pci_bdf b;
	unsigned int j;

	if (opts_parse_bdf(v, &b))
		return opts_fail(
			o,
			"--device '%s': not a PCI address (use DDDD:BB:SS.F, e.g. 0000:00:04.0)",
			v);
	for (j = 0; j < o->ndevices; j++)
		if (!memcmp(&o->device[j], &b, sizeof(b)))
			return opts_fail(
				o,
				"--device %s: given twice (pass each device once)",
				v);
	if (o->ndevices == OPTS_MAX_DEVICES)
		return opts_fail(o, "--device %s: at most %d devices", v,
				 OPTS_MAX_DEVICES);
	o->device[o->ndevices++] = b;
	return 0;
}

static int opt_valued(struct opts *o, enum opt_id k, const char *v)
{
	char *end;
	unsigned long n;
	int r;

	switch (k) {
	case OPT_KERNEL:
		o->kernel = v;
		break;
	case OPT_INITRD:
		o->initrd = v;
		break;
	case OPT_CMDLINE:
		o->cmdline = v;
		break;
	case OPT_MEM:
		if (opts_parse_size(v, &o->mem))
			return opts_fail(
				o,
				"--mem '%s': not a size (use e.g. 512M or 2G)",
				v);
		if (o->mem < OPTS_MIN_MEM)
			return opts_fail(
				o, "--mem %s: too small (at least 16M)", v);
		break;
	case OPT_CPUS:
		n = fmt_strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || n == 0 || n > 4096)
			return opts_fail(
				o, "--cpus '%s': give a whole number from 1 up",
				v);
		o->cpus = (unsigned int)n;
		break;
	case OPT_DEVICE:
		return opt_device(o, v);
	case OPT_CPU_AFFINITY:
		r = opts_parse_cpulist(v, o->affinity, OPTS_MAX_CPUS, 4096);
		if (r < 0)
			return opts_fail(
				o,
				"--cpu-affinity '%s': give host CPUs, one per vCPU, e.g. 2,3 or 2-5",
				v);
		o->naffinity = (unsigned int)r;
		break;
	case OPT_DISABLE_EXITS:
		if (opts_parse_exits(v, &o->disable_exits))
			return opts_fail(
				o,
				"--disable-exits '%s': give hlt, pause, mwait, cstate or all, comma-separated",
				v);
		break;
	case OPT_HALT_POLL:
		n = fmt_strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || n > 1000000000UL)
			return opts_fail(
				o,
				"--halt-poll '%s': give nanoseconds from 0 (no polling) to 1000000000",
				v);
		o->halt_poll_ns = (long long)n;
		break;
	case OPT_SHUTDOWN_TIMEOUT:
		n = fmt_strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end ||
		    n > OPTS_MAX_SHUTDOWN_TIMEOUT)
			return opts_fail(
				o,
				"--shutdown-timeout '%s': give whole seconds from 0 (stop at once) to 86400",
				v);
		o->shutdown_timeout = (unsigned int)n;
		break;
	case OPT_DMA_MAP:
		if (strcmp(v, "overlap") && strcmp(v, "before"))
			return opts_fail(
				o,
				"--dma-map '%s': give overlap (map while the guest boots) or before",
				v);
		o->dma_before = !strcmp(v, "before");
		break;
	case OPT_PREFAULT_THREADS:
		if (!strcmp(v, "auto")) {
			o->prefault_threads = -1;
			break;
		}
		n = fmt_strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end ||
		    n > MEM_PREFAULT_MAX_THREADS)
			return opts_fail(
				o,
				"--prefault-threads '%s': give auto, or 0 (none) to 16",
				v);
		o->prefault_threads = (int)n;
		break;
	}
	return 0;
}

/* Options that cannot go together, or do not fit the rest. */
static int opts_check(struct opts *o)
{
	if (o->help || o->version)
		return 0;
	if (!o->kernel)
		return opts_fail(
			o,
			"no kernel given (use --kernel PATH to a bzImage or a PVH ELF kernel)");
	if (o->naffinity && o->naffinity != o->cpus)
		return opts_fail(
			o,
			"--cpu-affinity names %u host CPUs for %u vCPUs (give one per vCPU)",
			o->naffinity, o->cpus);
	if (o->hugepages && o->mem % OPTS_HUGEPAGE)
		return opts_fail(
			o,
			"--hugepages: --mem must be a multiple of 2M (hugepages are 2 MiB)");
	return 0;
}

int opts_parse(struct opts *o, int argc, char *const argv[])
{
	static const char *const valued[] = {
		[OPT_KERNEL] = "--kernel",
		[OPT_INITRD] = "--initrd",
		[OPT_CMDLINE] = "--cmdline",
		[OPT_MEM] = "--mem",
		[OPT_CPUS] = "--cpus",
		[OPT_DEVICE] = "--device",
		[OPT_CPU_AFFINITY] = "--cpu-affinity",
		[OPT_DISABLE_EXITS] = "--disable-exits",
		[OPT_HALT_POLL] = "--halt-poll",
		[OPT_SHUTDOWN_TIMEOUT] = "--shutdown-timeout",
		[OPT_DMA_MAP] = "--dma-map",
		[OPT_PREFAULT_THREADS] = "--prefault-threads",
	};
	unsigned int k;
	int i, ret;

	memset(o, 0, sizeof(*o));
	o->mem = OPTS_DEFAULT_MEM;
	o->cpus = 1;
	o->cmdline = OPTS_DEFAULT_CMDLINE;
	o->halt_poll_ns = -1;
	o->shutdown_timeout = OPTS_DEFAULT_SHUTDOWN_TIMEOUT;
	o->prefault_threads = -1;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int matched = 0;

		if (opt_flag(o, a))
			continue;
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
			v = opt_value(argc, argv, &i, valued[k], &matched);
			if (matched)
				break;
		}
		if (!matched) {
			if (!strncmp(a, "--stats=", 8))
				return opts_fail(
					o,
					"'%s': --stats takes no value but json or json:PATH",
					a);
			return opts_fail(
				o, "unknown option '%s' (see ptvm --help)", a);
		}
		if (!v || (!*v && k != OPT_CMDLINE))
			return opts_fail(o,
					 "%s needs a value (see ptvm --help)",
					 valued[k]);
		ret = opt_valued(o, (enum opt_id)k, v);
		if (ret)
			return ret;
	}
	return opts_check(o);
}

const char opts_usage[] =
	"usage: ptvm --kernel BZIMAGE|ELF [options]\n"
	"       ptvm probe BDF [--json]\n"
	"       ptvm bind [--force] BDF...\n"
	"       ptvm unbind BDF...\n"
	"\n"
	"Boots a Linux guest on KVM with an in-kernel irqchip, a 16550 UART on\n"
	"COM1 wired to stdin/stdout, and a PCI host bridge (ports 0xcf8/0xcfc and\n"
	"ECAM) with the --device functions on it, described to the guest by ACPI.\n"
	"\n"
	"options:\n"
	"  --kernel PATH     Linux bzImage (boot protocol 2.12 or later, entered in\n"
	"                    64-bit mode), or an ELF kernel with a PVH entry note (a\n"
	"                    vmlinux built with CONFIG_PVH=y, a unikernel), entered\n"
	"                    in 32-bit protected mode with %ebx = hvm_start_info;\n"
	"                    told apart by their contents\n"
	"  --initrd PATH     initial ramdisk\n"
	"  --cmdline STR     kernel command line (default \"" OPTS_DEFAULT_CMDLINE
	"\")\n"
	"  --mem SIZE        guest RAM, e.g. 512M or 4G (default 512M); RAM above\n"
	"                    3G is placed above 4 GiB\n"
	"  --cpus N          vCPUs (default 1)\n"
	"  --device BDF      pass the host PCI device BDF (e.g. 0000:01:00.0, bound to\n"
	"                    vfio-pci) through to the guest; repeat for more, up to 16;\n"
	"                    they appear on the guest's bus 0 at slots 1, 2, ... in order\n"
	"  --reboot          restart the guest when it reboots instead of exiting\n"
	"  --shutdown-timeout SECS  on SIGTERM or SIGPWR, press the guest's ACPI\n"
	"                    power button and give it SECS seconds to power off\n"
	"                    before stopping it (default 30; 0 stops at once)\n"
	"  --dma-map WHEN    overlap (default): map guest RAM for device DMA on a\n"
	"                    thread while the guest boots, holding any config write\n"
	"                    that enables bus mastering or MSI until it is done;\n"
	"                    before: map it all before the guest starts\n"
	"  --prefault-threads N  fault guest RAM in on N threads before mapping it\n"
	"                    (default auto: the CPUs ptvm may use, up to 8, from\n"
	"                    1G of RAM and 2 CPUs; 0: none)\n"
	"  --stats           print exits, traps per device and region, route changes,\n"
	"                    BAR DMA mappings and the start-up timeline on stderr\n"
	"                    when ptvm ends\n"
	"                    (SIGUSR1 prints them at any time)\n"
	"  --stats=json[:PATH]  the same as one JSON object in PATH (default\n"
	"                    " OPTS_DEFAULT_STATS_JSON
	"), rewritten at the end and on SIGUSR1\n"
	"  --no-seccomp      do not install the seccomp system-call filter (debugging)\n"
	"  -h, --help        this text\n"
	"  --version         print the version\n"
	"\n"
	"latency mode (each fails with one line if the host cannot honour it,\n"
	"unless --best-effort turns that into a warning):\n"
	"  --cpu-affinity LIST  pin vCPU i to the i-th host CPU of LIST (e.g. 2,3 or\n"
	"                    2-3; one per vCPU)\n"
	"  --realtime        lock all memory (mlockall) and run vCPU threads SCHED_FIFO\n"
	"  --hugepages       back guest RAM with 2 MiB hugepages (MAP_HUGETLB; reserve\n"
	"                    them in /proc/sys/vm/nr_hugepages; --mem a multiple of 2M)\n"
	"  --disable-exits LIST  let the guest keep the CPU on hlt, pause, mwait,\n"
	"                    cstate (comma-separated) or all (KVM_CAP_X86_DISABLE_EXITS)\n"
	"  --halt-poll NS    KVM's halt-polling time for this VM, 0 to turn it off\n"
	"  --best-effort     warn instead of failing when the host refuses one of these\n"
	"\n"
	"subcommands:\n"
	"  probe BDF         report whether host device BDF can be passed through:\n"
	"                    ids, driver, IOMMU group and its members, BARs, the\n"
	"                    capabilities and what ptvm does with each, interrupt\n"
	"                    modes, reset method, and a verdict (exit 0: ready, 1: not\n"
	"                    yet, with what to do first). Reads sysfs only: the device\n"
	"                    is not touched. --json prints the same as JSON\n"
	"  bind BDF...       move devices to vfio-pci, remembering their driver in\n"
	"                    /run/ptvm; refuses a device with a mounted disk or an\n"
	"                    interface that is up, unless --force\n"
	"  unbind BDF...     give devices back to the driver they had\n"
	"\n"
	"Devices are reset (VFIO_DEVICE_RESET) before the guest starts and after it\n"
	"ends. A device without a reset method (see ptvm probe) only gets its\n"
	"interrupts and decoding turned off: what the last guest left in its\n"
	"registers stays.\n"
	"\n"
	"exit codes:\n"
	"  0    the guest powered off\n"
	"  1    setup failed (kernel, initrd, memory, /dev/kvm, a device, a latency\n"
	"       option); one line on stderr says why\n"
	"  2    bad command line\n"
	"  3    the guest rebooted (i8042 or 0xcf9 reset, triple fault) without --reboot\n"
	"  4    a vCPU stopped on a fatal KVM exit; its registers are printed\n"
	"  5    a device reported an error (AER), or the host asked for it back\n"
	"  128+N  ended by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129, SIGPWR 158)\n"
	"\n"
	"signals:\n"
	"  SIGTERM, SIGPWR  press the guest's ACPI power button; the guest decides\n"
	"                 (exit 0 when it powers off). A guest that has not enabled\n"
	"                 the button, the deadline (--shutdown-timeout), or a second\n"
	"                 SIGTERM/SIGPWR stops it at once: exit 128+N\n"
	"  SIGINT, SIGHUP   stop the guest at once: exit 128+N\n"
	"  any of these during setup (before the guest runs): exit 128+N at once\n"
	"  SIGUSR1        print --stats now\n";
