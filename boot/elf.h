/* SPDX-License-Identifier: MIT */
/*
 * ELF executables as kernels: their PT_LOAD segments, and the entry: x86's
 * through the PVH note (boot/pvh.h), arm64's at e_entry (unikernels,
 * RTOSes). Pure: parses a buffer and writes into guest RAM through
 * memory.c's mem_gpa().
 */
#ifndef PTVM_BOOT_ELF_H
#define PTVM_BOOT_ELF_H

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

#endif
