/* SPDX-License-Identifier: MIT */
/*
 * ELF64 and ELF32 executables: the PT_LOAD segments and the PVH entry note
 * for x86, the PT_LOAD segments and e_entry for arm64. The file is
 * untrusted: every offset and size is checked against its length with
 * overflow in mind, and headers are copied, never cast, since nothing in
 * the file is aligned for us.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "arch/x86/layout.h"
#include "boot/elf.h"
#include "memory.h"

int elf_is(const void *img, size_t len)
{
	return len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
}

/* [off, off + size) lies in the file. */
static int in_file(const struct elf_kernel *ek, uint64_t off, uint64_t size)
{
	return off <= ek->len && size <= ek->len - off;
}

/* One program header, widened to the ELF64 layout. */
static int elf_phdr(const struct elf_kernel *ek, uint64_t phoff,
		    unsigned int phentsize, unsigned int i, Elf64_Phdr *ph)
{
	uint64_t off = phoff + (uint64_t)i * phentsize;

	if (ek->is64) {
		if (phentsize < sizeof(*ph) || !in_file(ek, off, sizeof(*ph)))
			return -ENOEXEC;
		memcpy(ph, ek->image + off, sizeof(*ph));
	} else {
		Elf32_Phdr p;

		if (phentsize < sizeof(p) || !in_file(ek, off, sizeof(p)))
			return -ENOEXEC;
		memcpy(&p, ek->image + off, sizeof(p));
		*ph = (Elf64_Phdr){ .p_type = p.p_type,
				    .p_offset = p.p_offset,
				    .p_paddr = p.p_paddr,
				    .p_filesz = p.p_filesz,
				    .p_memsz = p.p_memsz };
	}
	return 0;
}

/*
 * Walks the notes in [off, off + size) for the PVH entry. Note layout
 * (ELF gABI): namesz, descsz, type, then name and desc, each padded to 4.
 * Linux's 64-bit kernels give an 8-byte entry, others 4 bytes.
 */
static int elf_notes(struct elf_kernel *ek, uint64_t off, uint64_t size)
{
	uint64_t end = off + size;

	while (end - off >= 12) {
		uint32_t nh[3];
		uint64_t name, desc, next;

		memcpy(nh, ek->image + off, sizeof(nh));
		name = off + 12;
		desc = name + (((uint64_t)nh[0] + 3) & ~3ULL);
		next = desc + (((uint64_t)nh[1] + 3) & ~3ULL);
		if (next > end)
			return -ENOEXEC;
		if (nh[2] == PVH_NOTE_PHYS32_ENTRY &&
		    nh[0] == sizeof(PVH_NOTE_NAME) &&
		    !memcmp(ek->image + name, PVH_NOTE_NAME,
			    sizeof(PVH_NOTE_NAME))) {
			uint64_t e = 0;

			if (nh[1] != 4 && nh[1] != 8)
				return -ENOEXEC;
			memcpy(&e, ek->image + desc, nh[1]);
			ek->entry =
				e; /* for the caller's message, even if refused */
			return e >= LAYOUT_4G ? -ERANGE : 1;
		}
		off = next;
	}
	return 0;
}

/*
 * x86 kernels enter through the PVH note (found stays 0 until the note);
 * arm64 ones at e_entry, without notes (found from the start).
 */
static int elf_parse_machine(const void *img, size_t len, struct elf_kernel *ek,
			     int aarch64)
{
	const uint8_t *b = img;
	uint64_t phoff;
	unsigned int phnum, phentsize, i;
	int found = 0, ret;

	memset(ek, 0, sizeof(*ek));
	ek->image = img;
	ek->len = len;
	if (!elf_is(img, len) || len < EI_NIDENT || b[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if (b[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (len < sizeof(eh))
			return -ENOEXEC;
		memcpy(&eh, b, sizeof(eh));
		if (eh.e_machine != (aarch64 ? EM_AARCH64 : EM_X86_64) ||
		    eh.e_type != ET_EXEC)
			return -ENOEXEC;
		ek->is64 = 1;
		ek->machine = eh.e_machine;
		if (aarch64) {
			ek->entry = eh.e_entry;
			found = 1;
		}
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else if (b[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (len < sizeof(eh))
			return -ENOEXEC;
		memcpy(&eh, b, sizeof(eh));
		if (aarch64 || eh.e_machine != EM_386 || eh.e_type != ET_EXEC)
			return -ENOEXEC;
		ek->machine = eh.e_machine;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
	} else {
		return -ENOEXEC;
	}
	if (!phnum)
		return -ENOEXEC;

	ek->lo = UINT64_MAX;
	for (i = 0; i < phnum; i++) {
		Elf64_Phdr ph;
		struct elf_seg *s;

		ret = elf_phdr(ek, phoff, phentsize, i, &ph);
		if (ret)
			return ret;
		if (ph.p_type == PT_NOTE && !found) {
			if (!in_file(ek, ph.p_offset, ph.p_filesz))
				return -ENOEXEC;
			found = elf_notes(ek, ph.p_offset, ph.p_filesz);
			if (found < 0)
				return found;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz ||
		    !in_file(ek, ph.p_offset, ph.p_filesz) ||
		    ph.p_paddr + ph.p_memsz < ph.p_paddr)
			return -ENOEXEC;
		if (ek->nsegs == ELF_MAX_SEGS)
			return -E2BIG;
		s = &ek->seg[ek->nsegs++];
		*s = (struct elf_seg){ ph.p_paddr, ph.p_filesz, ph.p_memsz,
				       ph.p_offset };
		if (s->paddr < ek->lo)
			ek->lo = s->paddr;
		if (s->paddr + s->memsz > ek->hi)
			ek->hi = s->paddr + s->memsz;
	}
	if (!found)
		return -ENOENT;
	if (!ek->nsegs)
		return -ENOEXEC;
	for (i = 0; i < ek->nsegs; i++)
		if (ek->entry >= ek->seg[i].paddr &&
		    ek->entry - ek->seg[i].paddr < ek->seg[i].memsz)
			return 0;
	return -ERANGE;
}

int elf_parse(const void *img, size_t len, struct elf_kernel *ek)
{
	return elf_parse_machine(img, len, ek, 0);
}

int elf_parse_aarch64(const void *img, size_t len, struct elf_kernel *ek)
{
	return elf_parse_machine(img, len, ek, 1);
}

int elf_load(const struct elf_kernel *ek, const struct mem *m)
{
	unsigned int i;

	for (i = 0; i < ek->nsegs; i++) {
		const struct elf_seg *s = &ek->seg[i];

		/*
		 * x86: zero page or start info, GDT, page tables, command
		 * line, ACPI. arm64 RAM holds nothing of ptvm's before this.
		 */
		if (ek->machine != EM_AARCH64 && s->paddr < LAYOUT_HIMEM_START)
			return -EBUSY;
		if (!mem_gpa(m, s->paddr, s->memsz))
			return -EFAULT;
	}
	for (i = 0; i < ek->nsegs; i++) {
		const struct elf_seg *s = &ek->seg[i];
		uint8_t *dst = mem_gpa(m, s->paddr, s->memsz);

		memcpy(dst, ek->image + s->off, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}
