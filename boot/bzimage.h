/* SPDX-License-Identifier: MIT */
/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst): bzImage
 * parsing, placement of kernel, initrd and command line, the zero page with
 * its e820 map, and the page tables and GDT for a 64-bit entry. Pure
 * functions writing into buffers; memory.c's mem_gpa() supplies them.
 */
#ifndef PTVM_BOOT_BZIMAGE_H
#define PTVM_BOOT_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

struct mem;

/* 64-bit entry needs XLF_KERNEL_64, which came with boot protocol 2.12. */
#define BOOT_MIN_PROTOCOL 0x020c

struct bzimage {
	const uint8_t *image;
	size_t len;
	const struct setup_header *hdr; /* inside image */
	size_t setup_len; /* real-mode part, including the boot sector */
	const uint8_t *kernel; /* protected-mode part */
	size_t kernel_len;
	uint64_t load_addr; /* where the protected-mode part goes */
	uint64_t init_size; /* memory it needs from load_addr on */
};

/*
 * Checks img is a bzImage this loader can boot.
 * -ENOEXEC: not a bzImage (no "HdrS" or too short);
 * -EPROTONOSUPPORT: boot protocol older than BOOT_MIN_PROTOCOL or no 64-bit entry.
 */
int bzimage_parse(const void *img, size_t len, struct bzimage *bz);

/*
 * Guest address for an initrd of size bytes: page-aligned, as high as
 * possible below both the top of low RAM and the kernel's initrd_addr_max,
 * above the kernel. -ENOSPC if it does not fit.
 */
int boot_initrd_addr(const struct bzimage *bz, const struct mem *m,
		     uint64_t size, uint64_t *addr);

/* The e820 map for m: RAM, the legacy hole, ECAM reserved. Returns entries written. */
unsigned int boot_e820(const struct mem *m, struct boot_e820_entry *e,
		       unsigned int max);

struct boot_args {
	uint64_t cmdline_addr;
	size_t cmdline_len; /* without the NUL */
	uint64_t initrd_addr, initrd_size;
	uint64_t rsdp_addr;
};

/* Fills the zero page for bz booted with args on m. */
void boot_zero_page(struct boot_params *zp, const struct bzimage *bz,
		    const struct mem *m, const struct boot_args *args);

/*
 * Writes identity page tables for the first 4 GiB (2 MiB pages) and a flat
 * GDT, at their LAYOUT_* addresses. -EFAULT if they are not in RAM.
 */
int boot_page_tables(const struct mem *m);

/* GDT selectors the boot protocol asks for (__BOOT_CS, __BOOT_DS). */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

#endif
