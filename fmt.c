// SPDX-License-Identifier: MIT
/* printf's integer and string conversions; see fmt.h for why. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fmt.h"

/* Where formatted bytes go: a buffer of n bytes, or a stream via chunk. */
struct fmt_out {
	char *buf;
	size_t n, len; /* len: bytes produced so far, written or not */
	FILE *f;
	char chunk[256];
	size_t used;
	int err;
};

static void out_flush(struct fmt_out *o)
{
	if (o->f && o->used && fwrite(o->chunk, 1, o->used, o->f) != o->used)
		o->err = 1;
	o->used = 0;
}

static void out_put(struct fmt_out *o, const char *s, size_t len)
{
	for (; len; len--, s++, o->len++) {
		if (o->f) {
			if (o->used == sizeof(o->chunk))
				out_flush(o);
			o->chunk[o->used++] = *s;
		} else if (o->len + 1 < o->n) {
			o->buf[o->len] = *s;
		}
	}
}

static void out_pad(struct fmt_out *o, char c, size_t len)
{
	while (len--)
		out_put(o, &c, 1);
}

struct fmt_spec {
	int left, zero;
	size_t width;
	int prec; /* -1: none */
};

/* One field: prefix ("-", "0x"), digits or text, padded to the width. */
static void out_field(struct fmt_out *o, const struct fmt_spec *sp,
		      const char *pre, const char *s, size_t len, size_t zeros)
{
	size_t plen = strlen(pre), total = plen + zeros + len;
	size_t pad = sp->width > total ? sp->width - total : 0;

	if (!sp->left && !(sp->zero && sp->prec < 0))
		out_pad(o, ' ', pad);
	out_put(o, pre, plen);
	if (!sp->left && sp->zero && sp->prec < 0)
		out_pad(o, '0', pad);
	out_pad(o, '0', zeros);
	out_put(o, s, len);
	if (sp->left)
		out_pad(o, ' ', pad);
}

static void out_int(struct fmt_out *o, const struct fmt_spec *sp, uintmax_t v,
		    int neg, unsigned int base, int upper, const char *pre)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[3 * sizeof(uintmax_t)], *p = tmp + sizeof(tmp);
	size_t len, zeros = 0;

	while (v) {
		*--p = digits[v % base];
		v /= base;
	}
	len = (size_t)(tmp + sizeof(tmp) - p);
	if (sp->prec < 0 && !len) /* 0 is one digit; %.0d of 0 is none */
		zeros = 1;
	else if (sp->prec >= 0 && (size_t)sp->prec > len)
		zeros = (size_t)sp->prec - len;
	out_field(o, sp, neg ? "-" : pre, p, len, zeros);
}

static size_t read_num(const char **fmt)
{
	size_t v = 0;

	while (**fmt >= '0' && **fmt <= '9')
		v = v * 10 + (size_t)(*(*fmt)++ - '0');
	return v;
}

static void fmt_core(struct fmt_out *o, const char *fmt, va_list ap)
{
	while (*fmt) {
		const char *start = fmt, *s;
		struct fmt_spec sp = { .prec = -1 };
		int lng = 0; /* 0 int, 1 long, 2 long long, 3 size_t etc. */
		uintmax_t u;
		intmax_t i;
		char c;

		if (*fmt != '%') {
			s = strchr(fmt, '%');
			if (!s)
				s = fmt + strlen(fmt);
			out_put(o, fmt, (size_t)(s - fmt));
			fmt = s;
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.left = 1;
			else if (*fmt == '0')
				sp.zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			int w = va_arg(ap, int);

			fmt++;
			if (w < 0) {
				sp.left = 1;
				w = -w;
			}
			sp.width = (size_t)w;
		} else {
			sp.width = read_num(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
			} else {
				sp.prec = (int)read_num(&fmt);
			}
		}
		for (;; fmt++) {
			if (*fmt == 'h')
				continue; /* promoted to int anyway */
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't')
				lng = 3;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			i = lng == 0   ? va_arg(ap, int)
			    : lng == 1 ? va_arg(ap, long)
			    : lng == 2 ? va_arg(ap, long long)
				       : va_arg(ap, intmax_t);
			if (fmt[-1] == 'h' && fmt[-2] == 'h')
				i = (signed char)i;
			else if (fmt[-1] == 'h')
				i = (short)i;
			u = i < 0 ? -(uintmax_t)i : (uintmax_t)i;
			out_int(o, &sp, u, i < 0, 10, 0, "");
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng == 0   ? va_arg(ap, unsigned int)
			    : lng == 1 ? va_arg(ap, unsigned long)
			    : lng == 2 ? va_arg(ap, unsigned long long)
				       : va_arg(ap, uintmax_t);
			if (fmt[-1] == 'h' && fmt[-2] == 'h')
				u = (unsigned char)u;
			else if (fmt[-1] == 'h')
				u = (unsigned short)u;
			out_int(o, &sp, u, 0, *fmt == 'u' ? 10 : 16,
				*fmt == 'X', "");
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			sp.zero = 0;
			sp.prec = -1;
			out_field(o, &sp, "", &c, 1, 0);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			sp.zero = 0;
			out_field(o, &sp, "", s,
				  sp.prec < 0 ? strlen(s)
					      : strnlen(s, (size_t)sp.prec),
				  0);
			break;
		case '%':
			out_put(o, "%", 1);
			break;
		default: /* not ours: copied as it stands */
			if (!*fmt)
				fmt--;
			out_put(o, start, (size_t)(fmt + 1 - start));
			break;
		}
		fmt++;
	}
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .n = n };

	fmt_core(&o, fmt, ap);
	if (n)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	struct fmt_out o = { .f = f };

	fmt_core(&o, fmt, ap);
	out_flush(&o);
	return o.err ? -1 : (int)o.len;
}

int fmt_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

static int fmt_digit(char c, int base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
				       : 99;

	return d < base ? d : -1;
}

unsigned long long fmt_strtoull(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v = 0;
	int d, any = 0, over = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    fmt_digit(p[2], 16) >= 0)
		p += 2;
	for (; (d = fmt_digit(*p, base)) >= 0; p++, any = 1) {
		if (v > (~0ULL - (unsigned int)d) / (unsigned int)base)
			over = 1;
		v = v * (unsigned int)base + (unsigned int)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (over) {
		errno = ERANGE;
		return ~0ULL;
	}
	return v;
}

int fmt_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ptvm: ", stderr);
	va_start(ap, fmt);
	fmt_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}
