/* SPDX-License-Identifier: MIT */
/*
 * arm64 Image header and boot placement (Linux's
 * Documentation/arch/arm64/booting.rst, sections cited by number). The
 * file is untrusted: its sizes are checked with overflow in mind.
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "boot/arm64_image.h"

#define SZ_1G 0x40000000ULL
#define SZ_4G 0x100000000ULL
#define PAGE 0x1000ULL

_Static_assert(LAYOUT_RAM_BASE % ARM64_IMAGE_ALIGN == 0,
	       "RAM starts on the Image's 2 MiB boundary");

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

enum arm64_image_packing arm64_image_packing(const void *img, size_t len)
{
	const uint8_t *b = img;

	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) /* RFC 1952 */
		return ARM64_IMAGE_GZIP;
	/* Linux's drivers/firmware/efi/libstub/zboot-header.S: "MZ", "zimg". */
	if (len >= 8 && !memcmp(b, "MZ", 2) && !memcmp(b + 4, "zimg", 4))
		return ARM64_IMAGE_ZBOOT;
	return ARM64_IMAGE_UNPACKED;
}

int arm64_image_parse(const void *img, size_t len, struct arm64_image *ai)
{
	const uint8_t *b = img;
	uint64_t image_size;

	memset(ai, 0, sizeof(*ai));
	ai->image = img;
	ai->len = len;
	if (len < ARM64_IMAGE_HDR_SIZE ||
	    (uint32_t)le64(b + 56) != ARM64_IMAGE_MAGIC)
		return -ENOEXEC;
	image_size = le64(b + 16);
	if (!image_size) {
		/*
		 * Before v3.17 text_offset had the kernel's endianness and
		 * was 0x80000, and there were no flags; nothing says how
		 * much the kernel uses past the file.
		 */
		ai->text_offset = ARM64_IMAGE_OLD_TEXT_OFFSET;
		ai->size = (uint64_t)len + ARM64_IMAGE_OLD_SLACK;
		return 0;
	}
	ai->text_offset = le64(b + 8);
	ai->flags = le64(b + 24);
	if (ai->flags & ARM64_IMAGE_FLAG_BE)
		return -EOPNOTSUPP;
	ai->size = image_size > len ? image_size : len;
	return 0;
}

/*
 * The DTB as high as it goes below top, then the initrd below it, both
 * at or above floor. booting.rst 2: the DTB is 8-byte aligned and, being
 * mapped with blocks of up to 2 MiB, stays inside one 2 MiB block. The
 * initrd is page-aligned so that freeing it after boot frees whole pages.
 */
static int place_below(uint64_t floor, uint64_t top, uint64_t fdt_size,
		       uint64_t initrd_size, struct arm64_boot_layout *bl)
{
	uint64_t fdt, block;

	if (top < floor || top - floor < fdt_size)
		return -ENOSPC;
	fdt = (top - fdt_size) & ~(ARM64_FDT_ALIGN - 1);
	block = (fdt + fdt_size - 1) & ~(ARM64_FDT_MAX_SIZE - 1);
	if (block > fdt) /* it would cross the boundary at block */
		fdt = (block - fdt_size) & ~(ARM64_FDT_ALIGN - 1);
	if (fdt < floor || fdt - floor < initrd_size)
		return -ENOSPC;
	bl->fdt = fdt;
	bl->initrd = 0;
	if (!initrd_size)
		return 0;
	bl->initrd = (fdt - initrd_size) & ~(PAGE - 1);
	return bl->initrd < floor ? -ENOSPC : 0;
}

int arm64_image_place_blobs(uint64_t ram_size, uint64_t kernel,
			    uint64_t kernel_end, uint64_t fdt_size,
			    uint64_t initrd_size, struct arm64_boot_layout *bl)
{
	uint64_t ram_end = LAYOUT_RAM_BASE + ram_size, low, window;
	int ret;

	if (!fdt_size || fdt_size > ARM64_FDT_MAX_SIZE)
		return -EINVAL;
	if (ram_end < LAYOUT_RAM_BASE || kernel < LAYOUT_RAM_BASE ||
	    kernel_end < kernel || kernel_end > ram_end)
		return -ERANGE;
	bl->kernel = kernel;
	bl->kernel_end = kernel_end;
	/* Below 4 GiB first, where any kernel can reach them. */
	low = ram_end < SZ_4G ? ram_end : SZ_4G;
	ret = place_below(kernel_end, low, fdt_size, initrd_size, bl);
	if (ret != -ENOSPC || ram_end == low)
		return ret;
	/*
	 * booting.rst 4: an initrd lies within a 1 GiB-aligned window of
	 * at most 32 GiB that holds the kernel too.
	 */
	window = (kernel & ~(SZ_1G - 1)) + 32 * SZ_1G;
	return place_below(kernel_end, ram_end < window ? ram_end : window,
			   fdt_size, initrd_size, bl);
}

int arm64_image_place(const struct arm64_image *ai, uint64_t ram_size,
		      uint64_t fdt_size, uint64_t initrd_size,
		      struct arm64_boot_layout *bl)
{
	/*
	 * booting.rst 4: text_offset above a 2 MiB-aligned base, here the
	 * lowest, as flags bit 3 clear asks (older kernels cannot use RAM
	 * below themselves).
	 */
	uint64_t kernel = LAYOUT_RAM_BASE + ai->text_offset;

	if (ai->text_offset > ram_size || ai->size > ram_size - ai->text_offset)
		return -ENOSPC;
	return arm64_image_place_blobs(ram_size, kernel, kernel + ai->size,
				       fdt_size, initrd_size, bl);
}
