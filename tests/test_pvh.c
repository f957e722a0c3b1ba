// SPDX-License-Identifier: MIT
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <asm/bootparam.h>
#include <asm/e820.h>

#include "boot/bzimage.h"
#include "arch/x86/layout.h"
#include "boot/elf.h"
#include "boot/pvh.h"
#include "memory.h"
#include "tests/harness.h"

static const struct mem_map pc_map = LAYOUT_MEM_MAP;

#define IMG_LEN 0x2000
#define NOTE_OFF 0x200
#define DATA_OFF 0x1000
#define LOAD_ADDR 0x200000ULL
#define RAM (32ULL << 20)

/*
 * A fake kernel: one PT_NOTE with an unrelated Xen note then the PVH entry
 * note (desc of desc_len bytes, 0 for none), one PT_LOAD of 0x100 bytes
 * from DATA_OFF at LOAD_ADDR with 0x100 bytes of .bss.
 */
static uint8_t *fake_elf(int is64, unsigned int desc_len, uint64_t entry)
{
	uint8_t *img = calloc(1, IMG_LEN), *n = img + NOTE_OFF;
	uint32_t nh[3] = { 4, 4, 6 }; /* "Xen", XEN_ELFNOTE_LOADER */
	size_t nlen = 0;

	memcpy(n, nh, 12);
	memcpy(n + 12, "Xen\0linu", 8);
	nlen = 20;
	if (desc_len) {
		nh[1] = desc_len;
		nh[2] = PVH_NOTE_PHYS32_ENTRY;
		memcpy(n + nlen, nh, 12);
		memcpy(n + nlen + 12, "Xen", 4);
		memcpy(n + nlen + 16, &entry, desc_len);
		nlen += 16 + ((desc_len + 3) & ~3u);
	}
	memset(img + DATA_OFF, 0xab, 0x100);
	if (is64) {
		Elf64_Ehdr eh = { .e_type = ET_EXEC,
				  .e_machine = EM_X86_64,
				  .e_phoff = sizeof(eh),
				  .e_phentsize = sizeof(Elf64_Phdr),
				  .e_phnum = 2 };
		Elf64_Phdr ph[2] = {
			{ .p_type = PT_NOTE,
			  .p_offset = NOTE_OFF,
			  .p_filesz = nlen },
			{ .p_type = PT_LOAD,
			  .p_offset = DATA_OFF,
			  .p_paddr = LOAD_ADDR,
			  .p_filesz = 0x100,
			  .p_memsz = 0x200 },
		};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		memcpy(img, &eh, sizeof(eh));
		memcpy(img + sizeof(eh), ph, sizeof(ph));
	} else {
		Elf32_Ehdr eh = { .e_type = ET_EXEC,
				  .e_machine = EM_386,
				  .e_phoff = sizeof(eh),
				  .e_phentsize = sizeof(Elf32_Phdr),
				  .e_phnum = 2 };
		Elf32_Phdr ph[2] = {
			{ .p_type = PT_NOTE,
			  .p_offset = NOTE_OFF,
			  .p_filesz = nlen },
			{ .p_type = PT_LOAD,
			  .p_offset = DATA_OFF,
			  .p_paddr = LOAD_ADDR,
			  .p_filesz = 0x100,
			  .p_memsz = 0x200 },
		};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		memcpy(img, &eh, sizeof(eh));
		memcpy(img + sizeof(eh), ph, sizeof(ph));
	}
	return img;
}

static Elf64_Phdr *load_phdr64(uint8_t *img)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + 1;
}

TEST(elf64_with_pvh_note_loads)
{
	uint8_t *img = fake_elf(1, 8, LOAD_ADDR + 0x10);
	uint8_t *ram = calloc(1, RAM), *p;
	struct elf_kernel ek;
	struct mem m;

	mem_layout(&m, &pc_map, ram, RAM);
	EXPECT_TRUE(elf_is(img, IMG_LEN));
	ASSERT_EQ(elf_parse(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(ek.is64, 1);
	EXPECT_EQ(ek.entry, LOAD_ADDR + 0x10);
	ASSERT_EQ(ek.nsegs, 1);
	EXPECT_EQ(ek.lo, LOAD_ADDR);
	EXPECT_EQ(ek.hi, LOAD_ADDR + 0x200);
	memset(ram + LOAD_ADDR, 0x55, 0x300);
	ASSERT_EQ(elf_load(&ek, &m), 0);
	p = ram + LOAD_ADDR;
	EXPECT_EQ(p[0], 0xab);
	EXPECT_EQ(p[0xff], 0xab);
	EXPECT_EQ(p[0x100], 0); /* .bss zeroed */
	EXPECT_EQ(p[0x1ff], 0);
	EXPECT_EQ(p[0x200], 0x55); /* nothing past memsz */
	free(ram);
	free(img);
}

TEST(elf32_with_4_byte_note_loads)
{
	uint8_t *img = fake_elf(0, 4, LOAD_ADDR);
	struct elf_kernel ek;

	ASSERT_EQ(elf_parse(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(ek.is64, 0);
	EXPECT_EQ(ek.entry, LOAD_ADDR);
	EXPECT_EQ(ek.seg[0].filesz, 0x100);
	EXPECT_EQ(ek.seg[0].memsz, 0x200);
	free(img);
}

TEST(elf_without_pvh_note_is_refused_with_its_class)
{
	uint8_t *img = fake_elf(1, 0, 0);
	struct elf_kernel ek;

	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOENT);
	EXPECT_EQ(ek.is64, 1);
	free(img);
	img = fake_elf(0, 0, 0);
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOENT);
	EXPECT_EQ(ek.is64, 0);
	free(img);
}

TEST(elf_entry_must_be_low_and_loaded)
{
	uint8_t *img = fake_elf(1, 8, LAYOUT_4G + LOAD_ADDR);
	struct elf_kernel ek;

	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ERANGE);
	EXPECT_EQ(ek.entry, LAYOUT_4G + LOAD_ADDR); /* for the message */
	free(img);
	img = fake_elf(1, 8, LOAD_ADDR + 0x200); /* just past the segment */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ERANGE);
	free(img);
}

TEST(elf_hostile_headers)
{
	uint8_t *img = fake_elf(1, 8, LOAD_ADDR);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = load_phdr64(img), *note = ph - 1, save = *ph;
	struct elf_kernel ek;

	EXPECT_EQ(elf_parse(img, 10, &ek), -ENOEXEC); /* truncated */
	EXPECT_EQ(elf_parse(img, sizeof(*eh) + 8, &ek), -ENOEXEC);
	eh->e_machine = EM_ARM;
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_machine = EM_X86_64;
	eh->e_phoff = IMG_LEN - 8; /* headers past the end */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_phoff = UINT64_MAX - 16; /* and wrapping */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = 8; /* smaller than a header */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	ph->p_offset = IMG_LEN - 0x10; /* data past the end */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	ph->p_offset = UINT64_MAX - 0x10;
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	ph->p_filesz = 0x300; /* more in the file than in memory */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	ph->p_paddr = UINT64_MAX - 0x100; /* wraps */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	*ph = save;
	note->p_offset = IMG_LEN - 4; /* notes past the end */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	note->p_offset = NOTE_OFF;
	((uint32_t *)(img + NOTE_OFF))[1] = 0x10000; /* desc past the notes */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	((uint32_t *)(img + NOTE_OFF))[1] = 4;
	((uint32_t *)(img + NOTE_OFF + 20))[1] = 2; /* odd entry size */
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	((uint32_t *)(img + NOTE_OFF + 20))[1] = 8;
	ASSERT_EQ(elf_parse(img, IMG_LEN, &ek), 0); /* all undone */
	eh->e_phnum = 0;
	EXPECT_EQ(elf_parse(img, IMG_LEN, &ek), -ENOEXEC);
	free(img);
}

TEST(elf_too_many_segments)
{
	uint8_t *img = calloc(1, 0x4000), *proto = fake_elf(1, 8, LOAD_ADDR);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + IMG_LEN);
	struct elf_kernel ek;
	unsigned int i;

	/* the headers after the data, where there is room for many */
	memcpy(img, proto, IMG_LEN);
	memcpy(ph, proto + sizeof(*eh), 2 * sizeof(*ph));
	eh->e_phoff = IMG_LEN;
	eh->e_phnum = ELF_MAX_SEGS;
	for (i = 2; i < ELF_MAX_SEGS; i++)
		ph[i] = ph[1];
	EXPECT_EQ(elf_parse(img, 0x4000, &ek), 0);
	eh->e_phnum = ELF_MAX_SEGS + 2;
	for (i = 2; i < ELF_MAX_SEGS + 2; i++)
		ph[i] = ph[1];
	EXPECT_EQ(elf_parse(img, 0x4000, &ek), -E2BIG);
	free(proto);
	free(img);
}

TEST(elf_segments_outside_ram_or_over_tables_are_refused)
{
	uint8_t *img = fake_elf(1, 8, LOAD_ADDR);
	uint8_t *ram = calloc(1, RAM);
	Elf64_Phdr *ph = load_phdr64(img);
	struct elf_kernel ek;
	struct mem m;

	mem_layout(&m, &pc_map, ram, RAM);
	ph->p_paddr = RAM - 0x100; /* runs past the end of RAM */
	memcpy(img + NOTE_OFF + 36, &ph->p_paddr, 8);
	ASSERT_EQ(elf_parse(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(elf_load(&ek, &m), -EFAULT);
	EXPECT_EQ(ram[RAM - 0x100], 0); /* nothing written */
	ph->p_paddr = LAYOUT_ACPI; /* over the ACPI tables */
	memcpy(img + NOTE_OFF + 36, &ph->p_paddr, 8);
	ASSERT_EQ(elf_parse(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(elf_load(&ek, &m), -EBUSY);
	EXPECT_EQ(ram[LAYOUT_ACPI], 0);
	ph->p_paddr = LAYOUT_ECAM_BASE; /* in the PCI hole */
	memcpy(img + NOTE_OFF + 36, &ph->p_paddr, 8);
	ASSERT_EQ(elf_parse(img, IMG_LEN, &ek), 0);
	EXPECT_EQ(elf_load(&ek, &m), -EFAULT);
	free(ram);
	free(img);
}

/* Every single-byte corruption of the headers parses or fails cleanly. */
TEST(elf_byte_flips_never_escape)
{
	static const uint8_t vals[] = { 0, 1, 0x7f, 0x80, 0xff };
	unsigned int cls, off, v;

	for (cls = 0; cls < 2; cls++) {
		uint8_t *img = fake_elf((int)cls, cls ? 8 : 4, LOAD_ADDR);

		for (off = 0; off < NOTE_OFF + 48; off++) {
			uint8_t keep = img[off];

			for (v = 0; v < sizeof(vals); v++) {
				struct elf_kernel ek;
				int ret;

				img[off] = vals[v];
				ret = elf_parse(img, IMG_LEN, &ek);
				if (ret)
					continue;
				/* whatever parsed stays inside the file */
				ASSERT_EQ(ek.nsegs, 1);
				ASSERT_LE(ek.seg[0].off + ek.seg[0].filesz,
					  IMG_LEN);
				ASSERT_LE(ek.seg[0].filesz, ek.seg[0].memsz);
				ASSERT_LT(ek.entry, LAYOUT_4G);
			}
			img[off] = keep;
		}
		free(img);
	}
}

TEST(pvh_start_info_v1)
{
	uint8_t *ram = calloc(1, RAM);
	struct pvh_args a = { .cmdline_addr = LAYOUT_CMDLINE,
			      .initrd_addr = 0x1000000,
			      .initrd_size = 12345,
			      .rsdp_addr = LAYOUT_ACPI };
	struct boot_e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	struct pvh_start_info si;
	struct pvh_module mod;
	struct pvh_memmap_entry me;
	struct mem m;
	unsigned int n, i;

	mem_layout(&m, &pc_map, ram, RAM);
	ASSERT_EQ(pvh_start_info(&m, LAYOUT_ZERO_PAGE, &a), 0);
	memcpy(&si, ram + LAYOUT_ZERO_PAGE, sizeof(si));
	EXPECT_EQ(si.magic, 0x336ec578);
	EXPECT_EQ(si.version, 1);
	EXPECT_EQ(si.cmdline_paddr, LAYOUT_CMDLINE);
	EXPECT_EQ(si.rsdp_paddr, LAYOUT_ACPI);
	ASSERT_EQ(si.nr_modules, 1);
	ASSERT_TRUE(si.modlist_paddr > LAYOUT_ZERO_PAGE &&
		    si.modlist_paddr < LAYOUT_ZERO_PAGE + PVH_INFO_SIZE);
	memcpy(&mod, ram + si.modlist_paddr, sizeof(mod));
	EXPECT_EQ(mod.paddr, 0x1000000);
	EXPECT_EQ(mod.size, 12345);
	n = boot_e820(&m, e820, E820_MAX_ENTRIES_ZEROPAGE);
	ASSERT_EQ(si.memmap_entries, n);
	ASSERT_LE(si.memmap_paddr + n * sizeof(me),
		  LAYOUT_ZERO_PAGE + PVH_INFO_SIZE);
	for (i = 0; i < n; i++) {
		memcpy(&me, ram + si.memmap_paddr + i * sizeof(me), sizeof(me));
		EXPECT_EQ(me.addr, e820[i].addr);
		EXPECT_EQ(me.size, e820[i].size);
		EXPECT_EQ(me.type, e820[i].type);
	}
	a.initrd_size = 0;
	ASSERT_EQ(pvh_start_info(&m, LAYOUT_ZERO_PAGE, &a), 0);
	memcpy(&si, ram + LAYOUT_ZERO_PAGE, sizeof(si));
	EXPECT_EQ(si.nr_modules, 0);
	EXPECT_EQ(si.modlist_paddr, 0);
	EXPECT_EQ(pvh_start_info(&m, RAM - 16, &a), -EFAULT);
	free(ram);
}

TEST(pvh_initrd_placement)
{
	struct mem m;
	uint64_t addr = 0;

	mem_layout(&m, &pc_map, NULL, RAM);
	ASSERT_EQ(pvh_initrd_addr(&m, 0x400000, 0x100001, &addr), 0);
	EXPECT_EQ(addr, (RAM - 0x100001) & ~0xfffULL);
	EXPECT_EQ(pvh_initrd_addr(&m, 0x400000, RAM - 0x400000 + 1, &addr),
		  -ENOSPC);
	EXPECT_EQ(pvh_initrd_addr(&m, 0x400000, UINT64_MAX, &addr), -ENOSPC);
	/* with RAM above 4 GiB, the initrd still goes below */
	mem_layout(&m, &pc_map, NULL, 8ULL << 30);
	ASSERT_EQ(pvh_initrd_addr(&m, 0x400000, 4096, &addr), 0);
	EXPECT_EQ(addr, LAYOUT_LOWMEM_END - 4096);
}

TEST(pvh_gdt_is_flat_32_bit)
{
	uint8_t *ram = calloc(1, RAM);
	uint64_t gdt[4];
	struct mem m;

	mem_layout(&m, &pc_map, ram, RAM);
	ASSERT_EQ(pvh_gdt(&m), 0);
	memcpy(gdt, ram + LAYOUT_GDT, sizeof(gdt));
	EXPECT_EQ(gdt[BOOT_CS / 8], 0x00cf9b000000ffffULL); /* D=1, L=0 */
	EXPECT_EQ(gdt[BOOT_DS / 8], 0x00cf93000000ffffULL);
	free(ram);
}

TEST_MAIN()
