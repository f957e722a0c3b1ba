/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

int opts_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	unsigned int shift = 20; /* a bare number is MiB */
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
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
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
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

int opts_parse(struct opts *o, int argc, char *const argv[])
{
	static const char *const valued[] = { "--kernel",  "--initrd",
					      "--cmdline", "--mem",
					      "--cpus",	   "--device" };
	unsigned int k;
	int i;

	memset(o, 0, sizeof(*o));
	o->mem = OPTS_DEFAULT_MEM;
	o->cpus = 1;
	o->cmdline = OPTS_DEFAULT_CMDLINE;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int matched = 0;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->help = 1;
			continue;
		}
		if (!strcmp(a, "--version")) {
			o->version = 1;
			continue;
		}
		if (!strcmp(a, "--reboot")) {
			o->reboot = 1;
			continue;
		}
		if (!strcmp(a, "--stats")) {
			o->stats = 1;
			continue;
		}
		for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
			v = opt_value(argc, argv, &i, valued[k], &matched);
			if (matched)
				break;
		}
		if (!matched)
			return opts_fail(
				o, "unknown option '%s' (see ptvm --help)", a);
		if (!v || (!*v && k != 2))
			return opts_fail(o,
					 "%s needs a value (see ptvm --help)",
					 valued[k]);
		switch (k) {
		case 0:
			o->kernel = v;
			break;
		case 1:
			o->initrd = v;
			break;
		case 2:
			o->cmdline = v;
			break;
		case 3:
			if (opts_parse_size(v, &o->mem))
				return opts_fail(
					o,
					"--mem '%s': not a size (use e.g. 512M or 2G)",
					v);
			if (o->mem < OPTS_MIN_MEM)
				return opts_fail(
					o, "--mem %s: too small (at least 16M)",
					v);
			break;
		case 4: {
			char *end;
			unsigned long n = strtoul(v, &end, 10);

			if (*v < '0' || *v > '9' || *end || n == 0 || n > 4096)
				return opts_fail(
					o,
					"--cpus '%s': give a whole number from 1 up",
					v);
			o->cpus = (unsigned int)n;
			break;
		}
		case 5: {
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
				return opts_fail(
					o, "--device %s: at most %d devices", v,
					OPTS_MAX_DEVICES);
			o->device[o->ndevices++] = b;
			break;
		}
		}
	}
	if (!o->help && !o->version && !o->kernel)
		return opts_fail(
			o, "no kernel given (use --kernel PATH to a bzImage)");
	return 0;
}
