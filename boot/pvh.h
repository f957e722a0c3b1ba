/* SPDX-License-Identifier: MIT */
/*
 * ELF kernels booted through the PVH entry (Xen's docs/misc/pvh.pandoc):
 * the entry point comes from the XEN_ELFNOTE_PHYS32_ENTRY note, the vCPU
 * starts in 32-bit protected mode with paging off and %ebx pointing at a
 * struct hvm_start_info (version 1: with a memory map). Pure functions
 * writing into guest RAM through memory.c's mem_gpa(). The ELF file
 * itself is boot/elf.h's.
 */
#ifndef PTVM_BOOT_PVH_H
#define PTVM_BOOT_PVH_H

#include <stddef.h>
#include <stdint.h>

struct mem;

/* Xen's public/arch-x86/hvm/start_info.h, version 1. */
#define PVH_START_MAGIC 0x336ec578

struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_module {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* the e820 types */
	uint32_t reserved;
};

struct pvh_args {
	uint64_t cmdline_addr;
	uint64_t initrd_addr, initrd_size; /* module 0 when initrd_size */
	uint64_t rsdp_addr;
};

/* What pvh_start_info writes at gpa: the structure, one module, the map. */
#define PVH_INFO_SIZE 4096

/*
 * Writes the start info, module list and memory map (boot_e820's) in the
 * page at gpa. -EFAULT if that page is not in RAM.
 */
int pvh_start_info(const struct mem *m, uint64_t gpa, const struct pvh_args *a);

/*
 * Guest address for an initrd of size bytes: page-aligned, as high as
 * possible in low RAM and below 4 GiB, above kernel_end. -ENOSPC if it
 * does not fit.
 */
int pvh_initrd_addr(const struct mem *m, uint64_t kernel_end, uint64_t size,
		    uint64_t *addr);

/*
 * A flat GDT at LAYOUT_GDT with 32-bit code at BOOT_CS and data at
 * BOOT_DS, for the entry (the guest loads its own). -EFAULT if not in RAM.
 */
int pvh_gdt(const struct mem *m);

#endif
