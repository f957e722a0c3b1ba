/* SPDX-License-Identifier: MIT */
/*
 * printf for ptvm's messages, integers and strings only. musl's printf
 * carries its floating-point formatter (and wide-character conversions)
 * whether a program prints a double or not: about 11 KiB of a binary that
 * must stay under 100 KiB. Pure, apart from fmt_fprintf's fwrite.
 *
 * Conversions: d i u x X c s %. Flags '-' and '0', a width and a
 * precision (digits or '*'), length hh h l ll z j t. Anything else is
 * copied as it stands. The format attributes let the compiler check every
 * call as it checks printf's.
 */
#ifndef PTVM_FMT_H
#define PTVM_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* As vsnprintf: writes at most n bytes with the NUL, returns the full length. */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As vfprintf: returns the length written, -1 if the stream failed. */
int fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int fmt_fprintf(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * As strtoull for bases 10 and 16, without musl's stdio-based scanner
 * (__intscan, 2 KiB): leading blanks, then "0x" in base 16, then digits.
 * Overflow gives ULLONG_MAX with errno ERANGE; no digits leave *end at s.
 */
unsigned long long fmt_strtoull(const char *s, char **end, int base);

/*
 * Reports a failure in one line on stderr, "ptvm: " and the message, and
 * returns 1 (EXIT_ERROR): `return fmt_fail("...")` at a setup boundary.
 */
int fmt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
