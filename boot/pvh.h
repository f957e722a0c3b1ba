/* SPDX-License-Identifier: MIT */
/*
 * ELF kernels booted through the PVH entry (Xen's docs/misc/pvh.pandoc):
 * the entry point comes from the XEN_ELFNOTE_PHYS32_ENTRY note, the vCPU
 * starts in 32-bit protected mode with paging off and %ebx pointing at a
 * struct hvm_start_info (version 1: with a memory map). Pure functions
 * writing into guest RAM through memory.c's mem_gpa().
 *
 * The same loader takes arm64 ELF kernels (unikernels, RTOSes), which
 * have no PVH note: elf_parse_aarch64.
 */
#ifndef PTVM_BOOT_PVH_H
#define PTVM_BOOT_PVH_H

#include <stddef.h>
#include <stdint.h>

struct mem;

/* Xen's public/elfnote.h: the note ("Xen", type 18) giving the entry. */
#define PVH_NOTE_NAME "Xen"
#define PVH_NOTE_PHYS32_ENTRY 18

#define ELF_MAX_SEGS 32

struct elf_seg {
	uint64_t paddr, filesz, memsz;
	uint64_t off; /* in the file */
};

struct elf_kernel {
	const uint8_t *image;
	size_t len;
	int is64; /* ELFCLASS64 (else ELFCLASS32) */
	unsigned int machine; /* EM_X86_64, EM_386 or EM_AARCH64 */
	/* x86: the PVH entry, a physical address below 4 GiB; arm64: e_entry */
	uint64_t entry;
	unsigned int nsegs; /* PT_LOAD segments with memsz > 0 */
	struct elf_seg seg[ELF_MAX_SEGS];
	uint64_t lo, hi; /* guest-physical span of all segments */
};

/* Whether img starts with the ELF magic. */
int elf_is(const void *img, size_t len);

/*
 * Checks img is an x86 ELF executable with a PVH entry note and fills ek.
 * -ENOEXEC: a bad or truncated header, a segment or note past the end of
 *           the file, or not x86 / not ET_EXEC;
 * -ENOENT:  no XEN_ELFNOTE_PHYS32_ENTRY note (ek->is64 says which class);
 * -E2BIG:   more than ELF_MAX_SEGS loadable segments;
 * -ERANGE:  the entry is at or above 4 GiB or in no loadable segment.
 */
int elf_parse(const void *img, size_t len, struct elf_kernel *ek);

/*
 * Checks img is an arm64 ELF64 executable (EM_AARCH64, little endian,
 * ET_EXEC) and fills ek. No note is needed: the entry is e_entry, a
 * physical address as unikernels and RTOSes link it (the segments load
 * at p_paddr, the MMU is off at entry). x86 files are refused, and
 * elf_parse refuses arm64 ones.
 * -ENOEXEC, -E2BIG: as elf_parse;
 * -ERANGE:  the entry is in no loadable segment.
 */
int elf_parse_aarch64(const void *img, size_t len, struct elf_kernel *ek);

/*
 * Copies the segments into guest RAM and zeroes their tails (.bss).
 * -EFAULT: a segment is not wholly in guest RAM;
 * -EBUSY:  (x86) a segment lies below LAYOUT_HIMEM_START, over ptvm's own
 *          tables; an arm64 kernel has all of RAM (the DTB and the initrd
 *          go above it: boot/arm64_image.h).
 * Nothing is written unless every segment passes.
 */
int elf_load(const struct elf_kernel *ek, const struct mem *m);

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
