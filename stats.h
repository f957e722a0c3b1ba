/* SPDX-License-Identifier: MIT */
/*
 * --stats: what the counters say, as text lines on stderr or as one JSON
 * object.
 */
#ifndef PTVM_STATS_H
#define PTVM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vm;

/* The --stats summary as text lines, or as one JSON object. */
void stats_print(const struct vm *vm, FILE *f);
void stats_json(const struct vm *vm, FILE *f);
/*
 * ns as milliseconds with decimals (1 or 3) digits, as printf's "%.1f" or
 * "%.3f" of ns / 1e6 would write it but in integer arithmetic (halves round
 * up); a negative ns writes -1 ("-1.0", "-1.000"). Returns snprintf's count.
 */
int stats_fmt_ms(char *buf, size_t n, int64_t ns, unsigned int decimals);

#endif
