// SPDX-License-Identifier: MIT
/*
 * arm64 ELF kernels (boot/elf.c, elf_parse_aarch64): no PVH note, entry at
 * e_entry, segments at p_paddr in the one RAM range at LAYOUT_RAM_BASE.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "boot/elf.h"
#include "memory.h"
#include "tests/harness.h"

#define IMG_LEN 0x2000
#define NOTE_OFF 0x200
#define DATA_OFF 0x1000
#define LOAD_ADDR (LAYOUT_RAM_BASE + 0x80000)
#define RAM (32ULL << 20)

/*
 * A unikernel as it is linked: a PT_NOTE (a PVH one, which arm64 must
 * ignore), one PT_LOAD of 0x100 bytes from DATA_OFF at p_paddr LOAD_ADDR
 * (p_vaddr elsewhere) with 0x100 bytes of .bss, entry e_entry.
 */
static uint8_t *fake_elf(uint64_t entry)
{
	uint8_t *img = calloc(1, IMG_LEN);
	uint32_t nh[3] = { 4, 8, PVH_NOTE_PHYS32_ENTRY };
	uint64_t bogus = 0x1234;
	Elf64_Ehdr eh = { .e_type = ET_EXEC,
			  .e_machine = EM_AARCH64,
			  .e_entry = entry,
			  .e_phoff = sizeof(eh),
			  .e_phentsize = sizeof(Elf64_Phdr),
			  .e_phnum = 2 };
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_NOTE, .p_offset = NOTE_OFF, .p_filesz = 24 },
		{ .p_type = PT_LOAD,
		  .p_offset = DATA_OFF,
		  .p_vaddr = 0xffff800000080000ULL,
		  .p_paddr = LOAD_ADDR,
		  .p_filesz = 0x100,
		  .p_memsz = 0x200 },
	};

	memcpy(img + NOTE_OFF, nh, 12);
	memcpy(img + NOTE_OFF + 12, "Xen", 4);
	memcpy(img + NOTE_OFF + 16, &bogus, 8);
	memset(img + DATA_OFF, 0xab, 0x100);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), ph, sizeof(ph));
	return img;
}

static Elf64_Ehdr *ehdr(uint8_t *img)
{
	return (Elf64_Ehdr *)img;
}

static Elf64_Phdr *load_phdr(uint8_t *img)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + 1;
}

/* ptvm's arm64 RAM: one range at LAYOUT_RAM_BASE, filled by hand. */
static void arm64_mem(struct mem *m, uint8_t *ram, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->base = ram;
	m->size = size;
	m->range[0] = (struct mem_range){ LAYOUT_RAM_BASE, size, ram };
	m->nranges = 1;
}

TEST(aarch64_elf_loads_at_paddr_without_a_note)
{
	uint8_t *img = fake_elf(LOAD_ADDR + 0x40), *ram = calloc(1, RAM), *p;
	struct elf_kernel ek;
	struct mem m;

	arm64_mem(&m, ram, RAM);
	EXPECT_TRUE(elf_is(img, IMG_LEN));
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(ek.is64, 1);
	EXPECT_EQ(ek.machine, EM_AARCH64);
	EXPECT_EQ(ek.entry, LOAD_ADDR + 0x40); /* e_entry, not the note */
	ASSERT_EQ(ek.nsegs, 1);
	EXPECT_EQ(ek.lo, LOAD_ADDR);
	EXPECT_EQ(ek.hi, LOAD_ADDR + 0x200);
	p = ram + (LOAD_ADDR - LAYOUT_RAM_BASE);
	memset(p, 0x55, 0x300);
	ASSERT_EQ(elf_load(&ek, &m), 0);
	EXPECT_EQ(p[0], 0xab);
	EXPECT_EQ(p[0xff], 0xab);
	EXPECT_EQ(p[0x100], 0); /* .bss zeroed */
	EXPECT_EQ(p[0x1ff], 0);
	EXPECT_EQ(p[0x200], 0x55); /* nothing past memsz */
	EXPECT_EQ(p[-1], 0);
	free(ram);
	free(img);
}

TEST(notes_are_not_needed)
{
	uint8_t *img = fake_elf(LOAD_ADDR);
	struct elf_kernel ek;

	ehdr(img)->e_phoff += sizeof(Elf64_Phdr); /* the PT_LOAD alone */
	ehdr(img)->e_phnum = 1;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(ek.entry, LOAD_ADDR);
	EXPECT_EQ(ek.nsegs, 1);
	free(img);
}

/* No 4 GiB limit on arm64: RAM reaches far above it. */
TEST(entry_above_4g)
{
	uint8_t *img = fake_elf(0x140000040ULL);
	struct elf_kernel ek;

	load_phdr(img)->p_paddr = 0x140000000ULL;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(ek.entry, 0x140000040ULL);
	free(img);
}

TEST(entry_outside_the_segments_is_erange)
{
	uint8_t *img = fake_elf(LOAD_ADDR + 0x200); /* just past memsz */
	struct elf_kernel ek;

	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ERANGE);
	EXPECT_EQ(ek.entry, LOAD_ADDR + 0x200); /* for the message */
	ehdr(img)->e_entry = LOAD_ADDR - 1;
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ERANGE);
	ehdr(img)->e_entry = 0xffff800000080000ULL; /* the virtual address */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ERANGE);
	free(img);
}

/* Each parser takes its own machine only. */
TEST(machines_do_not_mix)
{
	uint8_t *img = fake_elf(LOAD_ADDR);
	Elf64_Ehdr *eh = ehdr(img);
	Elf32_Ehdr e32 = { .e_type = ET_EXEC, .e_machine = EM_ARM };
	struct elf_kernel ek;

	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_machine = EM_X86_64;
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	/* x86 reads the PVH note, whose entry 0x1234 is in no segment */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ERANGE);
	eh->e_machine = EM_AARCH64;
	eh->e_type = ET_DYN; /* a PIE */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_type = ET_EXEC;
	eh->e_ident[EI_DATA] = ELFDATA2MSB; /* aarch64_be */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	/* 32-bit ELF: neither EM_ARM nor EM_386 is an arm64 kernel */
	memcpy(e32.e_ident, ELFMAG, SELFMAG);
	e32.e_ident[EI_CLASS] = ELFCLASS32;
	e32.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(img, &e32, sizeof(e32));
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	((Elf32_Ehdr *)img)->e_machine = EM_386;
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	free(img);
}

TEST(hostile_headers)
{
	uint8_t *img = fake_elf(LOAD_ADDR);
	Elf64_Ehdr *eh = ehdr(img);
	Elf64_Phdr *ph = load_phdr(img), save = *ph;
	struct elf_kernel ek;

	EXPECT_EQ(elf_parse_aarch64(img, 10, &ek), -ENOEXEC); /* truncated */
	EXPECT_EQ(elf_parse_aarch64(img, sizeof(*eh) + 8, &ek), -ENOEXEC);
	eh->e_phoff = IMG_LEN - 8; /* headers past the end */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_phoff = UINT64_MAX - 16; /* and wrapping */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = 8; /* smaller than a header */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	ph->p_offset = IMG_LEN - 0x10; /* data past the end */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	ph->p_filesz = 0x300; /* more in the file than in memory */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	ph->p_paddr = UINT64_MAX - 0x100; /* wraps */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	ph->p_type = PT_NULL; /* nothing to load */
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0); /* all undone */
	eh->e_phnum = 0;
	EXPECT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), -ENOEXEC);
	free(img);
}

TEST(too_many_segments)
{
	uint8_t *img = calloc(1, 0x4000), *proto = fake_elf(LOAD_ADDR);
	Elf64_Ehdr *eh = ehdr(img);
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + IMG_LEN);
	struct elf_kernel ek;
	unsigned int i;

	memcpy(img, proto, IMG_LEN);
	eh->e_phoff = IMG_LEN;
	eh->e_phnum = ELF_MAX_SEGS;
	for (i = 0; i < ELF_MAX_SEGS + 1; i++)
		ph[i] = *load_phdr(proto);
	EXPECT_EQ(elf_parse_aarch64(img, 0x4000, &ek), 0);
	eh->e_phnum = ELF_MAX_SEGS + 1;
	EXPECT_EQ(elf_parse_aarch64(img, 0x4000, &ek), -E2BIG);
	free(proto);
	free(img);
}

/*
 * Segments outside the RAM range are -EFAULT, below it too (there is no
 * x86 low-memory -EBUSY on arm64), and nothing is written.
 */
TEST(segments_outside_ram_are_efault)
{
	uint8_t *img = fake_elf(0), *ram = calloc(1, RAM);
	Elf64_Phdr *ph = load_phdr(img);
	struct elf_kernel ek;
	struct mem m;
	unsigned int i;

	arm64_mem(&m, ram, RAM);
	ph->p_paddr = LAYOUT_RAM_BASE + RAM - 0x100; /* past the end of RAM */
	ehdr(img)->e_entry = ph->p_paddr;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(elf_load(&ek, &m), -EFAULT);
	ph->p_paddr = 0x80000; /* where x86 RAM would be: below arm64 RAM */
	ehdr(img)->e_entry = ph->p_paddr;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(elf_load(&ek, &m), -EFAULT);
	ph->p_paddr = LAYOUT_RAM_BASE - 0x100; /* straddling its start */
	ehdr(img)->e_entry = LAYOUT_RAM_BASE;
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(elf_load(&ek, &m), -EFAULT);
	ph->p_paddr = LAYOUT_RAM_BASE; /* its very first byte is fine */
	ASSERT_EQ(elf_parse_aarch64(img, IMG_LEN, &ek), 0);
	for (i = 0; i < RAM; i++)
		ASSERT_EQ(ram[i], 0); /* the refused loads wrote nothing */
	EXPECT_EQ(elf_load(&ek, &m), 0);
	EXPECT_EQ(ram[0], 0xab);
	free(ram);
	free(img);
}

/* Every single-byte corruption of the headers parses or fails cleanly. */
TEST(byte_flips_never_escape)
{
	static const uint8_t vals[] = { 0, 1, 0x7f, 0x80, 0xff };
	uint8_t *img = fake_elf(LOAD_ADDR + 8);
	unsigned int off, v;

	for (off = 0; off < sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
	     off++) {
		uint8_t keep = img[off];

		for (v = 0; v < sizeof(vals); v++) {
			struct elf_kernel ek;
			int ret;

			img[off] = vals[v];
			ret = elf_parse_aarch64(img, IMG_LEN, &ek);
			if (ret) {
				ASSERT_TRUE(ret == -ENOEXEC || ret == -ERANGE ||
					    ret == -E2BIG);
				continue;
			}
			ASSERT_EQ(ek.machine, EM_AARCH64);
			ASSERT_EQ(ek.nsegs, 1);
			ASSERT_LE(ek.seg[0].off + ek.seg[0].filesz, IMG_LEN);
			ASSERT_LE(ek.seg[0].filesz, ek.seg[0].memsz);
			ASSERT_GE(ek.entry, ek.seg[0].paddr);
			ASSERT_LT(ek.entry - ek.seg[0].paddr, ek.seg[0].memsz);
		}
		img[off] = keep;
	}
	free(img);
}

TEST_MAIN()
