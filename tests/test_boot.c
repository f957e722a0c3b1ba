// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include <asm/e820.h>

#include "boot/bzimage.h"
#include "arch/x86/layout.h"
#include "memory.h"
#include "tests/harness.h"

static const struct mem_map pc_map = LAYOUT_MEM_MAP;

#define IMG_LEN (64 * 1024)

/* A fake bzImage: the setup header fields the loader reads. */
static uint8_t *fake_bzimage(uint16_t version, uint16_t xlf)
{
	uint8_t *img = calloc(1, IMG_LEN);
	struct setup_header *h = (void *)(img + 0x1f1);

	h->setup_sects = 4;
	h->boot_flag = 0xaa55;
	h->header = 0x53726448;
	h->version = version;
	h->loadflags = LOADED_HIGH;
	h->xloadflags = xlf;
	h->kernel_alignment = 0x200000;
	h->pref_address = 0x1000000;
	h->init_size = 0x2000000;
	h->initrd_addr_max = 0x7fffffff;
	h->cmdline_size = 2048;
	img[0x201] = 0x6a; /* header ends at 0x26c */
	return img;
}

TEST(bzimage_parse)
{
	uint8_t *img = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct bzimage bz;

	ASSERT_EQ(bzimage_parse(img, IMG_LEN, &bz), 0);
	EXPECT_EQ(bz.setup_len, 5 * 512);
	EXPECT_EQ(bz.kernel_len, IMG_LEN - 5 * 512);
	EXPECT_EQ(bz.load_addr, 0x1000000);
	EXPECT_EQ(bz.init_size, 0x2000000);
	EXPECT_EQ(bzimage_parse(img, 0x200, &bz), -ENOEXEC);
	img[0x202] = 'X';
	EXPECT_EQ(bzimage_parse(img, IMG_LEN, &bz), -ENOEXEC);
	free(img);
	img = fake_bzimage(0x0206, XLF_KERNEL_64);
	EXPECT_EQ(bzimage_parse(img, IMG_LEN, &bz), -EPROTONOSUPPORT);
	EXPECT_EQ(bz.hdr->version, 0x0206); /* for the caller's message */
	free(img);
	img = fake_bzimage(0x020f, 0);
	EXPECT_EQ(bzimage_parse(img, IMG_LEN, &bz), -EPROTONOSUPPORT);
	free(img);
}

TEST(bzimage_load_address_falls_back_when_misaligned)
{
	uint8_t *img = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct setup_header *h = (void *)(img + 0x1f1);
	struct bzimage bz;

	h->pref_address = 0x1234567;
	ASSERT_EQ(bzimage_parse(img, IMG_LEN, &bz), 0);
	EXPECT_EQ(bz.load_addr, 0x200000);
	free(img);
}

TEST(initrd_placement)
{
	uint8_t *img = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct bzimage bz;
	struct mem m;
	uint64_t a;

	ASSERT_EQ(bzimage_parse(img, IMG_LEN, &bz), 0);
	mem_layout(&m, &pc_map, NULL, 512ULL << 20);
	ASSERT_EQ(boot_initrd_addr(&bz, &m, 10 << 20, &a), 0);
	EXPECT_EQ(a % 4096, 0);
	EXPECT_LE(a + (10 << 20), 512ULL << 20);
	EXPECT_GE(a, 0x3000000); /* above the kernel's init_size */
	EXPECT_EQ(boot_initrd_addr(&bz, &m, 500ULL << 20, &a), -ENOSPC);
	mem_layout(&m, &pc_map, NULL, 8ULL << 30);
	ASSERT_EQ(boot_initrd_addr(&bz, &m, 10 << 20, &a), 0);
	EXPECT_LE(a + (10 << 20), 0x80000000ULL); /* initrd_addr_max */
	free(img);
}

TEST(e820_maps)
{
	struct boot_e820_entry e[16];
	struct mem m;
	unsigned int n, i;

	mem_layout(&m, &pc_map, NULL, 512ULL << 20);
	n = boot_e820(&m, e, 16);
	ASSERT_EQ(n, 4);
	EXPECT_EQ(e[0].type, E820_RAM);
	EXPECT_EQ(e[0].size, LAYOUT_EBDA);
	EXPECT_EQ(e[2].addr, LAYOUT_HIMEM_START);
	EXPECT_EQ(e[2].addr + e[2].size, 512ULL << 20);
	EXPECT_EQ(e[3].addr, LAYOUT_ECAM_BASE);
	EXPECT_EQ(e[3].type, E820_RESERVED);
	/* the whole window of the MCFG's one bus, no more, no less */
	EXPECT_EQ(e[3].size, LAYOUT_ECAM_SIZE);
	EXPECT_EQ(e[3].size, 1ULL << 20);
	mem_layout(&m, &pc_map, NULL, 8ULL << 30);
	n = boot_e820(&m, e, 16);
	ASSERT_EQ(n, 5);
	EXPECT_EQ(e[2].addr + e[2].size, LAYOUT_LOWMEM_END);
	EXPECT_EQ(e[4].addr, LAYOUT_4G);
	EXPECT_EQ(e[4].size, (8ULL << 30) - LAYOUT_LOWMEM_END);
	for (i = 1; i < n; i++)
		EXPECT_GE(e[i].addr, e[i - 1].addr + e[i - 1].size);
	EXPECT_EQ(boot_e820(&m, e, 2), 2);
}

TEST(zero_page)
{
	uint8_t *img = fake_bzimage(0x020f, XLF_KERNEL_64);
	struct boot_params *zp = calloc(1, sizeof(*zp));
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE,
				  .initrd_addr = 0x1f000000,
				  .initrd_size = 0x123456,
				  .rsdp_addr = LAYOUT_ACPI };
	struct bzimage bz;
	struct mem m;

	ASSERT_EQ(bzimage_parse(img, IMG_LEN, &bz), 0);
	mem_layout(&m, &pc_map, NULL, 512ULL << 20);
	boot_zero_page(zp, &bz, &m, &args);
	EXPECT_EQ(zp->hdr.header, 0x53726448);
	EXPECT_EQ(zp->hdr.version, 0x020f);
	EXPECT_EQ(zp->hdr.type_of_loader, 0xff);
	EXPECT_EQ(zp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	EXPECT_EQ(zp->ext_cmd_line_ptr, 0);
	EXPECT_EQ(zp->hdr.ramdisk_image, 0x1f000000);
	EXPECT_EQ(zp->hdr.ramdisk_size, 0x123456);
	EXPECT_EQ(zp->acpi_rsdp_addr, LAYOUT_ACPI);
	EXPECT_EQ(zp->e820_entries, 4);
	free(zp);
	free(img);
}

TEST(page_tables_and_gdt)
{
	uint8_t *ram = calloc(1, 16 << 20);
	uint64_t *pml4, *pd, *gdt;
	struct mem m;

	mem_layout(&m, &pc_map, ram, 16 << 20);
	ASSERT_EQ(boot_page_tables(&m), 0);
	pml4 = mem_gpa(&m, LAYOUT_PML4, 8);
	pd = mem_gpa(&m, LAYOUT_PD, 4 * 4096);
	gdt = mem_gpa(&m, LAYOUT_GDT, 32);
	EXPECT_EQ(pml4[0], LAYOUT_PDPT | 3);
	EXPECT_EQ(pd[0], 0x83);
	EXPECT_EQ(pd[2047], (2047ULL << 21) | 0x83); /* up to 4 GiB */
	EXPECT_EQ(gdt[BOOT_CS / 8], 0x00af9b000000ffffULL);
	EXPECT_EQ(gdt[BOOT_DS / 8], 0x00cf93000000ffffULL);
	mem_layout(&m, &pc_map, ram, 0x8000); /* too small for the tables */
	EXPECT_EQ(boot_page_tables(&m), -EFAULT);
	free(ram);
}

TEST(mem_gpa_checks_everything)
{
	uint8_t base[16];
	struct mem m;

	mem_layout(&m, &pc_map, base, 8ULL << 30);
	EXPECT_EQ(m.nranges, 2);
	EXPECT_TRUE(mem_gpa(&m, 0, 8) == base);
	EXPECT_TRUE(mem_gpa(&m, LAYOUT_LOWMEM_END - 4, 4) != NULL);
	EXPECT_TRUE(mem_gpa(&m, LAYOUT_LOWMEM_END - 4, 8) ==
		    NULL); /* into the hole */
	EXPECT_TRUE(mem_gpa(&m, LAYOUT_ECAM_BASE, 4) == NULL);
	EXPECT_EQ((uintptr_t)mem_gpa(&m, LAYOUT_4G, 4) - (uintptr_t)base,
		  LAYOUT_LOWMEM_END);
	EXPECT_TRUE(mem_gpa(&m, LAYOUT_4G + (5ULL << 30), 1) == NULL);
	EXPECT_TRUE(mem_gpa(&m, UINT64_MAX - 1, 4) == NULL);
	EXPECT_TRUE(mem_gpa(&m, 16, UINT64_MAX) == NULL);
	EXPECT_EQ(mem_top_aligned(&m), LAYOUT_4G + (5ULL << 30));
	mem_layout(&m, &pc_map, base, 512ULL << 20);
	EXPECT_EQ(m.nranges, 1);
	EXPECT_EQ(mem_top_aligned(&m), LAYOUT_4G);
}

TEST_MAIN()
