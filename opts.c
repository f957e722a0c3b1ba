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
	const char *tok = strchr(v, ',');
	char addr[16];
	struct pci_bdf b;
	unsigned int j;
	size_t n = tok ? (size_t)(tok - v) : strlen(v);

	/* the token's form is VFIO's to check */
	if (tok && strncmp(tok, ",vf-token=", 10))
		return opts_fail(
			o, "--device '%s': give BDF or BDF,vf-token=UUID", v);
	memcpy(addr, v, n < 15 ? n : 15);
	addr[n < 15 ? n : 15] = 0;
	if (opts_parse_bdf(addr, &b))
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
	o->vf_token[o->ndevices] = tok ? tok + 10 : NULL;
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

/*
 * --help: every option in a line or two, and what the exit codes and
 * signals mean. The man page (ptvm.1) is the complete reference. The
 * arch's part (arch_usage) describes the machine and its kernel formats.
 */
const char opts_usage[] =
	"options:\n"
	"  --kernel PATH      the kernel, in a format above\n"
	"  --initrd PATH      initial ramdisk\n"
	"  --cmdline STR      kernel command line (default \"console=ttyS0 panic=-1\")\n"
	"  --mem SIZE         guest RAM: 512M, 4G... (default 512M, at least 16M)\n"
	"  --cpus N           vCPUs (default 1)\n"
	"  --device BDF[,vf-token=UUID]\n"
	"                     pass host PCI function BDF (bound to vfio-pci) through;\n"
	"                     up to 16, on the guest's bus 0 at slots 1, 2... in order\n"
	"                     (functions of one device share a slot with function 0);\n"
	"                     a VF whose PF is on vfio-pci needs the PF owner's token\n"
	"  --reboot           restart the guest when it reboots instead of exiting\n"
	"  --shutdown-timeout SECS  on SIGTERM or SIGPWR, press the guest's power\n"
	"                     button and wait SECS (default 30; 0: stop at once)\n"
	"  --dma-map WHEN     overlap (default): map guest RAM for DMA while the\n"
	"                     guest boots, holding bus-master and MSI enables until\n"
	"                     done; before: map it all before the guest starts\n"
	"  --prefault-threads N  fault RAM in on N threads (0-16; default: auto)\n"
	"  --stats            exits, traps, routes, DMA maps and the start-up\n"
	"                     timeline on stderr at the end and on SIGUSR1\n"
	"  --stats=json[:PATH]  the same as JSON in PATH (ptvm-stats.json)\n"
	"  --no-seccomp       no system-call filter (debugging)\n"
	"  -h, --help, --version\n"
	"latency mode (each fails in one line if the host refuses it):\n"
	"  --cpu-affinity LIST  pin vCPU i to the i-th CPU of LIST (2,3 or 2-3)\n"
	"  --realtime         mlockall, and SCHED_FIFO vCPU threads (priority 40)\n"
	"  --hugepages        back guest RAM with 2 MiB hugepages\n"
	"  --disable-exits LIST  hlt,pause,mwait,cstate or all: the guest keeps\n"
	"                     its CPU on those (x86 only)\n"
	"  --halt-poll NS     KVM's halt polling for this VM; 0 turns it off\n"
	"  --best-effort      warn instead of failing when the host refuses one\n"
	"subcommands:\n"
	"  probe BDF [--json]  can BDF be passed through, and what to do first\n"
	"                     (reads sysfs only; exit 0: ready, 1: not yet)\n"
	"  bind [--force] BDF...  move devices to vfio-pci (refused while in use)\n"
	"  unbind BDF...      give them back to the driver they had\n"
	"exit codes:\n"
	"  0 the guest powered off; 1 setup failed (one line says why); 2 bad\n"
	"  command line; 3 the guest rebooted, without --reboot; 4 a vCPU stopped\n"
	"  on a fatal exit (registers printed); 5 a device failed (AER) or the\n"
	"  host took it back; 128+N ended by signal N\n"
	"signals:\n"
	"  SIGTERM, SIGPWR press the guest's power button; a second one, or the\n"
	"  deadline, stops it at once. SIGINT, SIGHUP stop it at once. During\n"
	"  setup all four end ptvm at once. SIGUSR1 prints --stats.\n"
	"See man ptvm for the details.\n";
