/* SPDX-License-Identifier: MIT */
/*
 * Linux arm64 Image kernels (Documentation/arch/arm64/booting.rst) and
 * where the boot pieces go in ptvm's arm64 RAM, the one range at
 * LAYOUT_RAM_BASE (arch/arm64/layout.h): the kernel text_offset bytes
 * above the first 2 MiB boundary of RAM, then the device tree and the
 * initrd as high as they go above the kernel, below 4 GiB when RAM
 * reaches that far. The vCPU then starts at the kernel with x0 = the
 * device tree's address. Pure: parses a buffer and computes addresses.
 */
#ifndef PTVM_BOOT_ARM64_IMAGE_H
#define PTVM_BOOT_ARM64_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* booting.rst 4: the 64-byte header, little endian. */
#define ARM64_IMAGE_HDR_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241 /* "ARM\x64" at offset 56 */
#define ARM64_IMAGE_FLAG_BE 0x1 /* flags bit 0: a big-endian kernel */
/* Kernels before v3.17 give no image_size: their text_offset, and the
 * room past the file assumed for their .bss and page tables. */
#define ARM64_IMAGE_OLD_TEXT_OFFSET 0x80000ULL
#define ARM64_IMAGE_OLD_SLACK (32ULL << 20)
#define ARM64_IMAGE_ALIGN 0x200000ULL /* the kernel's base */
/* booting.rst 2: the DTB 8-byte aligned, at most 2 MiB, in one 2 MiB block. */
#define ARM64_FDT_ALIGN 8ULL
#define ARM64_FDT_MAX_SIZE 0x200000ULL

struct arm64_image {
	const uint8_t *image; /* the file, copied as it is to the load address */
	size_t len;
	uint64_t text_offset; /* from the 2 MiB-aligned base */
	uint64_t size; /* bytes the kernel owns from its load address */
	uint64_t flags;
};

/* What a file that is not an Image may be instead, for the message. */
enum arm64_image_packing {
	ARM64_IMAGE_UNPACKED,
	ARM64_IMAGE_GZIP, /* Image.gz (some distributions' vmlinuz): zcat it */
	ARM64_IMAGE_ZBOOT, /* an EFI zboot vmlinuz: a PE wrapping the Image */
};
enum arm64_image_packing arm64_image_packing(const void *img, size_t len);

/*
 * Checks img is an arm64 Image and fills ai. size is image_size, at least
 * the file's length; for a kernel before v3.17 (image_size 0) it is the
 * length plus ARM64_IMAGE_OLD_SLACK, with text_offset 0x80000.
 * -ENOEXEC:    shorter than the header, or no "ARM\x64" magic (a gzip or
 *              zboot kernel too: see arm64_image_packing);
 * -EOPNOTSUPP: a big-endian kernel.
 */
int arm64_image_parse(const void *img, size_t len, struct arm64_image *ai);

/* Where everything goes: [kernel, kernel_end), fdt, initrd. */
struct arm64_boot_layout {
	uint64_t kernel; /* the load address and the entry */
	uint64_t kernel_end;
	uint64_t fdt; /* fdt_size bytes */
	uint64_t initrd; /* initrd_size bytes; 0 without an initrd */
};

/*
 * Places the Image at LAYOUT_RAM_BASE + text_offset, then the DTB
 * (fdt_size bytes: the room reserved for it, e.g. LAYOUT_FDT_MAX) and the
 * initrd (initrd_size bytes, 0 for none) by arm64_image_place_blobs.
 * -ENOSPC: the kernel, or the rest above it, does not fit in ram_size
 * bytes of RAM; -EINVAL as arm64_image_place_blobs.
 */
int arm64_image_place(const struct arm64_image *ai, uint64_t ram_size,
		      uint64_t fdt_size, uint64_t initrd_size,
		      struct arm64_boot_layout *bl);

/*
 * Places the DTB and the initrd above a kernel already at [kernel,
 * kernel_end) (an ELF kernel's segments, or an Image): the DTB 8-byte
 * aligned in one 2 MiB block as high as it goes below min(end of RAM,
 * 4 GiB), the initrd page-aligned right below it; if they do not fit
 * there, below the end of RAM instead, within the 1 GiB-aligned 32 GiB
 * window holding the kernel that booting.rst asks of an initrd. Fills
 * all of bl.
 * -EINVAL: fdt_size is 0 or over 2 MiB;
 * -ERANGE: [kernel, kernel_end) is not in RAM;
 * -ENOSPC: the DTB and the initrd do not fit above kernel_end.
 */
int arm64_image_place_blobs(uint64_t ram_size, uint64_t kernel,
			    uint64_t kernel_end, uint64_t fdt_size,
			    uint64_t initrd_size, struct arm64_boot_layout *bl);

#endif
