/* SPDX-License-Identifier: MIT */
/*
 * vm_load: the kernel, initrd, command line, ACPI tables and boot
 * structures into guest RAM, before any vCPU exists.
 */
#ifndef PTVM_LOAD_H
#define PTVM_LOAD_H

#include <stdint.h>

struct vm;

/* Loads everything; *entry is the first vCPU's entry. 0 or an exit code, reported. */
int vm_load(struct vm *vm, uint64_t *entry);

#endif
