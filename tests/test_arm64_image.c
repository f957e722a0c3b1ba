// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "boot/arm64_image.h"
#include "tests/harness.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define FDT LAYOUT_FDT_MAX
#define LEN 0x10000 /* the synthetic files: a header and some zeros */

/* An Image header (booting.rst 4, little endian: the host's order). */
static uint8_t *image(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	uint8_t *b = calloc(1, LEN);
	uint32_t magic = ARM64_IMAGE_MAGIC;

	memcpy(b + 8, &text_offset, 8);
	memcpy(b + 16, &image_size, 8);
	memcpy(b + 24, &flags, 8);
	memcpy(b + 56, &magic, 4);
	return b;
}

TEST(modern_header)
{
	uint8_t *b = image(0, 24 * MiB, 0xa);
	struct arm64_image ai;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	EXPECT_EQ(ai.image, b);
	EXPECT_EQ(ai.len, LEN);
	EXPECT_EQ(ai.text_offset, 0);
	EXPECT_EQ(ai.size, 24 * MiB);
	EXPECT_EQ(ai.flags, 0xa);
	EXPECT_EQ(memcmp(b + 56, "ARM\x64", 4), 0);
	EXPECT_EQ(arm64_image_packing(b, LEN), ARM64_IMAGE_UNPACKED);
	free(b);
	b = image(0x80000, 0x1000, 0); /* image_size below the file's length */
	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	EXPECT_EQ(ai.text_offset, 0x80000);
	EXPECT_EQ(ai.size, LEN);
	free(b);
}

/* Before v3.17: no image_size, text_offset in the kernel's endianness. */
TEST(old_kernel_without_image_size)
{
	uint8_t *b = image(0x0000080000000000ULL, 0, 1);
	struct arm64_image ai;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	EXPECT_EQ(ai.text_offset, 0x80000);
	EXPECT_EQ(ai.size, LEN + ARM64_IMAGE_OLD_SLACK);
	EXPECT_EQ(ai.flags, 0); /* there were no flags: not big-endian */
	free(b);
}

TEST(refusals)
{
	uint8_t *b = image(0, 24 * MiB, 0);
	struct arm64_image ai;

	EXPECT_EQ(arm64_image_parse(b, 0, &ai), -ENOEXEC);
	EXPECT_EQ(arm64_image_parse(b, ARM64_IMAGE_HDR_SIZE - 1, &ai),
		  -ENOEXEC);
	ASSERT_EQ(arm64_image_parse(b, ARM64_IMAGE_HDR_SIZE, &ai), 0);
	b[59] = 0x65; /* "ARM\x65" */
	EXPECT_EQ(arm64_image_parse(b, LEN, &ai), -ENOEXEC);
	b[59] = 0x64;
	b[24] = 0x1 | 0x2; /* big-endian, 4 KiB pages */
	EXPECT_EQ(arm64_image_parse(b, LEN, &ai), -EOPNOTSUPP);
	b[24] = 0x2;
	EXPECT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	free(b);
}

TEST(compressed_kernels_are_told_apart)
{
	uint8_t gz[LEN] = { 0x1f, 0x8b, 8 }, zb[LEN] = "MZ\0\0zimg";
	uint8_t elf[LEN] = "\x7f"
			   "ELF";
	struct arm64_image ai;

	EXPECT_EQ(arm64_image_parse(gz, LEN, &ai), -ENOEXEC);
	EXPECT_EQ(arm64_image_packing(gz, LEN), ARM64_IMAGE_GZIP);
	EXPECT_EQ(arm64_image_parse(zb, LEN, &ai), -ENOEXEC);
	EXPECT_EQ(arm64_image_packing(zb, LEN), ARM64_IMAGE_ZBOOT);
	EXPECT_EQ(arm64_image_packing(zb, 7), ARM64_IMAGE_UNPACKED);
	EXPECT_EQ(arm64_image_packing(gz, 1), ARM64_IMAGE_UNPACKED);
	EXPECT_EQ(arm64_image_parse(elf, LEN, &ai), -ENOEXEC);
	EXPECT_EQ(arm64_image_packing(elf, LEN), ARM64_IMAGE_UNPACKED);
	/* an EFI-stub Image starts "MZ" too, and is an Image */
	memcpy(zb + 4, "\0\0\0\0", 4);
	memcpy(zb + 56, "ARM\x64", 4);
	memcpy(zb + 16, "\0\0\0\1", 4); /* image_size 16 MiB */
	EXPECT_EQ(arm64_image_packing(zb, LEN), ARM64_IMAGE_UNPACKED);
	EXPECT_EQ(arm64_image_parse(zb, LEN, &ai), 0);
}

/*
 * What booting.rst asks of a placement, and what ptvm adds: the kernel
 * text_offset above a 2 MiB boundary of RAM; the DTB 8-byte aligned in
 * one 2 MiB block; nothing overlapping; all in RAM; the initrd page
 * aligned, in a 1 GiB-aligned window of at most 32 GiB with the kernel.
 */
static void check_layout(const struct arm64_boot_layout *bl, uint64_t ram,
			 uint64_t fdt_size, uint64_t initrd_size)
{
	uint64_t end = LAYOUT_RAM_BASE + ram;

	ASSERT_GE(bl->kernel, LAYOUT_RAM_BASE);
	ASSERT_LE(bl->kernel, bl->kernel_end);
	ASSERT_EQ(bl->fdt % 8, 0);
	ASSERT_EQ(bl->fdt / (2 * MiB), (bl->fdt + fdt_size - 1) / (2 * MiB));
	ASSERT_GE(bl->fdt, bl->kernel_end);
	ASSERT_LE(bl->fdt + fdt_size, end);
	if (!initrd_size) {
		ASSERT_EQ(bl->initrd, 0);
		return;
	}
	ASSERT_EQ(bl->initrd % 4096, 0);
	ASSERT_GE(bl->initrd, bl->kernel_end);
	ASSERT_LE(bl->initrd + initrd_size, bl->fdt);
	ASSERT_LE(bl->initrd + initrd_size,
		  (bl->kernel & ~(GiB - 1)) + 32 * GiB);
}

TEST(small_ram)
{
	uint8_t *b = image(0, 24 * MiB, 0xa);
	struct arm64_boot_layout bl;
	struct arm64_image ai;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	ASSERT_EQ(arm64_image_place(&ai, 128 * MiB, FDT, 10000000, &bl), 0);
	check_layout(&bl, 128 * MiB, FDT, 10000000);
	EXPECT_EQ(bl.kernel, LAYOUT_RAM_BASE);
	EXPECT_EQ(bl.kernel_end, LAYOUT_RAM_BASE + 24 * MiB);
	EXPECT_EQ(bl.fdt, LAYOUT_RAM_BASE + 128 * MiB - FDT);
	EXPECT_EQ(bl.initrd, (bl.fdt - 10000000) & ~0xfffULL);
	ASSERT_EQ(arm64_image_place(&ai, 128 * MiB, FDT, 0, &bl), 0);
	check_layout(&bl, 128 * MiB, FDT, 0);
	free(b);
	/* before v5.8, text_offset was 512 KiB */
	b = image(0x80000, 24 * MiB, 0xa);
	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	ASSERT_EQ(arm64_image_place(&ai, 128 * MiB, FDT, 4096, &bl), 0);
	check_layout(&bl, 128 * MiB, FDT, 4096);
	EXPECT_EQ(bl.kernel, LAYOUT_RAM_BASE + 0x80000);
	EXPECT_EQ(bl.kernel_end, LAYOUT_RAM_BASE + 0x80000 + 24 * MiB);
	free(b);
}

TEST(large_ram_keeps_blobs_below_4g)
{
	uint8_t *b = image(0, 40 * MiB, 0xa);
	struct arm64_boot_layout bl;
	struct arm64_image ai;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	ASSERT_EQ(arm64_image_place(&ai, 8 * GiB, FDT, 300 * MiB, &bl), 0);
	check_layout(&bl, 8 * GiB, FDT, 300 * MiB);
	EXPECT_EQ(bl.fdt, 4 * GiB - FDT);
	EXPECT_EQ(bl.initrd, 4 * GiB - FDT - 300 * MiB);
	/* RAM ending at 4 GiB exactly */
	ASSERT_EQ(arm64_image_place(&ai, 3 * GiB, FDT, 300 * MiB, &bl), 0);
	EXPECT_EQ(bl.fdt, 4 * GiB - FDT);
	free(b);
}

/* An initrd too big for below 4 GiB goes above, still near the kernel. */
TEST(huge_initrd_goes_above_4g_within_32g_of_the_kernel)
{
	uint8_t *b = image(0, 40 * MiB, 0xa);
	struct arm64_boot_layout bl;
	struct arm64_image ai;
	uint64_t big = 3 * GiB + GiB / 2;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	ASSERT_EQ(arm64_image_place(&ai, 8 * GiB, FDT, big, &bl), 0);
	check_layout(&bl, 8 * GiB, FDT, big);
	EXPECT_EQ(bl.fdt, 9 * GiB - FDT);
	ASSERT_EQ(arm64_image_place(&ai, 64 * GiB, FDT, big, &bl), 0);
	check_layout(&bl, 64 * GiB, FDT, big);
	EXPECT_EQ(bl.fdt, 33 * GiB - FDT); /* the window is [1 GiB, 33 GiB) */
	free(b);
}

/* An ELF kernel linked above 4 GiB has its blobs above it. */
TEST(elf_kernel_above_4g)
{
	struct arm64_boot_layout bl;

	ASSERT_EQ(arm64_image_place_blobs(8 * GiB, 5 * GiB, 5 * GiB + 16 * MiB,
					  FDT, 1 * MiB, &bl),
		  0);
	check_layout(&bl, 8 * GiB, FDT, 1 * MiB);
	EXPECT_EQ(bl.kernel, 5 * GiB);
	EXPECT_EQ(bl.kernel_end, 5 * GiB + 16 * MiB);
	EXPECT_EQ(bl.fdt, 9 * GiB - FDT);
	/* and one low in big RAM still has them below 4 GiB */
	ASSERT_EQ(arm64_image_place_blobs(8 * GiB, LAYOUT_RAM_BASE,
					  LAYOUT_RAM_BASE + MiB, FDT, MiB, &bl),
		  0);
	EXPECT_EQ(bl.fdt, 4 * GiB - FDT);
}

/* booting.rst 2: the DTB never straddles a 2 MiB boundary. */
TEST(fdt_stays_in_one_2m_block)
{
	struct arm64_boot_layout bl;
	uint64_t ram = 128 * MiB + 32 * 1024; /* top - FDT crosses 128 MiB */

	ASSERT_EQ(arm64_image_place_blobs(ram, LAYOUT_RAM_BASE,
					  LAYOUT_RAM_BASE + MiB, FDT, 0, &bl),
		  0);
	check_layout(&bl, ram, FDT, 0);
	EXPECT_EQ(bl.fdt, LAYOUT_RAM_BASE + 128 * MiB - FDT);
	ram = 129 * MiB; /* the largest DTB, 2 MiB, fills one block */
	ASSERT_EQ(arm64_image_place_blobs(ram, LAYOUT_RAM_BASE,
					  LAYOUT_RAM_BASE + MiB, 2 * MiB, 0,
					  &bl),
		  0);
	check_layout(&bl, ram, 2 * MiB, 0);
	EXPECT_EQ(bl.fdt, LAYOUT_RAM_BASE + 126 * MiB);
	EXPECT_EQ(arm64_image_place_blobs(ram, LAYOUT_RAM_BASE,
					  LAYOUT_RAM_BASE + MiB, 2 * MiB + 1, 0,
					  &bl),
		  -EINVAL);
	EXPECT_EQ(arm64_image_place_blobs(ram, LAYOUT_RAM_BASE,
					  LAYOUT_RAM_BASE + MiB, 0, 0, &bl),
		  -EINVAL);
}

TEST(too_little_ram_is_enospc)
{
	uint8_t *b = image(0, 24 * MiB, 0xa);
	struct arm64_boot_layout bl;
	struct arm64_image ai;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	/* the kernel alone does not fit */
	EXPECT_EQ(arm64_image_place(&ai, 24 * MiB - 1, FDT, 0, &bl), -ENOSPC);
	/* the kernel fits, the DTB not */
	EXPECT_EQ(arm64_image_place(&ai, 24 * MiB, FDT, 0, &bl), -ENOSPC);
	EXPECT_EQ(arm64_image_place(&ai, 24 * MiB + FDT, FDT, 0, &bl), 0);
	/* the DTB fits, the initrd not */
	EXPECT_EQ(arm64_image_place(&ai, 24 * MiB + FDT, FDT, 1, &bl), -ENOSPC);
	EXPECT_EQ(arm64_image_place(&ai, 64 * MiB, FDT, 40 * MiB, &bl),
		  -ENOSPC);
	EXPECT_EQ(arm64_image_place(&ai, 64 * MiB, FDT, UINT64_MAX, &bl),
		  -ENOSPC);
	/* more than RAM and 32 GiB can hold */
	EXPECT_EQ(arm64_image_place(&ai, 64 * GiB, FDT, 40 * GiB, &bl),
		  -ENOSPC);
	free(b);
	b = image(UINT64_MAX - 4096, 24 * MiB, 0xa); /* hostile sizes */
	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	EXPECT_EQ(arm64_image_place(&ai, 8 * GiB, FDT, 0, &bl), -ENOSPC);
	free(b);
	b = image(0x80000, UINT64_MAX, 0xa);
	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	EXPECT_EQ(arm64_image_place(&ai, 8 * GiB, FDT, 0, &bl), -ENOSPC);
	free(b);
}

TEST(kernel_outside_ram_is_erange)
{
	struct arm64_boot_layout bl;
	uint64_t lo = LAYOUT_RAM_BASE;

	EXPECT_EQ(arm64_image_place_blobs(GiB, lo - 4096, lo + MiB, FDT, 0,
					  &bl),
		  -ERANGE);
	EXPECT_EQ(arm64_image_place_blobs(GiB, lo, lo + GiB + 1, FDT, 0, &bl),
		  -ERANGE);
	EXPECT_EQ(arm64_image_place_blobs(GiB, lo + MiB, lo, FDT, 0, &bl),
		  -ERANGE);
	EXPECT_EQ(arm64_image_place_blobs(UINT64_MAX, lo, lo + MiB, FDT, 0,
					  &bl),
		  -ERANGE);
	/* a kernel up to the end of RAM leaves no room */
	EXPECT_EQ(arm64_image_place_blobs(GiB, lo, lo + GiB, FDT, 0, &bl),
		  -ENOSPC);
}

/*
 * Every combination places validly, and succeeds whenever the pieces
 * clearly fit below min(end of RAM, 4 GiB) with room for alignment.
 */
TEST(placement_sweep)
{
	static const uint64_t rams[] = { 64 * MiB,    100 * MiB + 4100, GiB,
					 3 * GiB,     3 * GiB + MiB,	8 * GiB,
					 40 * GiB + 3 };
	static const uint64_t initrds[] = {
		0, 1, 4095, 4097, MiB + 5, 500 * MiB, 3 * GiB + GiB / 2
	};
	static const uint64_t fdts[] = { 8, 4097, FDT, 100 * 1024 + 3,
					 2 * MiB };
	uint8_t *b = image(0, 30 * MiB + 12345, 0xa);
	struct arm64_boot_layout bl;
	struct arm64_image ai;
	unsigned int r, i, f;

	ASSERT_EQ(arm64_image_parse(b, LEN, &ai), 0);
	for (r = 0; r < sizeof(rams) / 8; r++) {
		for (i = 0; i < sizeof(initrds) / 8; i++) {
			for (f = 0; f < sizeof(fdts) / 8; f++) {
				uint64_t top = LAYOUT_RAM_BASE + rams[r];
				int ret = arm64_image_place(
					&ai, rams[r], fdts[f], initrds[i], &bl);

				if (top > 4 * GiB)
					top = 4 * GiB;
				if (!ret)
					check_layout(&bl, rams[r], fdts[f],
						     initrds[i]);
				else
					ASSERT_EQ(ret, -ENOSPC);
				if (LAYOUT_RAM_BASE + ai.size + initrds[i] +
					    fdts[f] + 2 * MiB + 4096 <=
				    top)
					ASSERT_EQ(ret, 0);
			}
		}
	}
	free(b);
}

TEST_MAIN()
