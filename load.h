/* SPDX-License-Identifier: MIT */
/* Reading the kernel and the initrd, for either arch's arch_load. */
#ifndef PTVM_LOAD_H
#define PTVM_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "opts.h"

struct mem;

/*
 * The whole of the regular file path, in *buf (malloc'd, *len bytes). 0 or
 * -errno (-EISDIR: not a regular file).
 */
int load_file(const char *path, uint8_t **buf, size_t *len);
/*
 * Opens the initrd at path: *fd and its *size. 0 or an exit code,
 * reported.
 */
int load_initrd_open(const char *path, int *fd, uint64_t *size);
/*
 * Reads size bytes from fd into guest RAM at gpa and closes fd. 0 or an
 * exit code, reported.
 */
int load_initrd_read(const struct mem *m, const char *path, int fd,
		     uint64_t gpa, uint64_t size);

#endif
