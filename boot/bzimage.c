/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include <asm/e820.h>

#include "boot/bzimage.h"
#include "arch/x86/layout.h"
#include "memory.h"

#define SETUP_HDR_OFF 0x1f1
#define HDRS_MAGIC 0x53726448 /* "HdrS" */
#define PAGE 4096ULL

int bzimage_parse(const void *img, size_t len, struct bzimage *bz)
{
	const struct setup_header *hdr;
	unsigned int sects;
	uint64_t align;

	if (len < SETUP_HDR_OFF + sizeof(*hdr))
		return -ENOEXEC;
	hdr = (const void *)((const uint8_t *)img + SETUP_HDR_OFF);
	if (hdr->header != HDRS_MAGIC || hdr->boot_flag != 0xaa55)
		return -ENOEXEC;
	bz->hdr = hdr; /* for the caller's message, even when too old */
	if (hdr->version < BOOT_MIN_PROTOCOL ||
	    !(hdr->xloadflags & XLF_KERNEL_64) ||
	    !(hdr->loadflags & LOADED_HIGH))
		return -EPROTONOSUPPORT;

	/* boot.rst: "If this field is 0, the real value is 4." */
	sects = hdr->setup_sects ? hdr->setup_sects : 4;
	bz->image = img;
	bz->len = len;
	bz->hdr = hdr;
	bz->setup_len = (size_t)(sects + 1) * 512;
	if (bz->setup_len >= len)
		return -ENOEXEC;
	bz->kernel = bz->image + bz->setup_len;
	bz->kernel_len = len - bz->setup_len;

	/*
	 * Load where the kernel prefers to run so that it need not move
	 * itself; else at 1 MiB rounded up to its alignment.
	 */
	align = hdr->kernel_alignment ? hdr->kernel_alignment : 0x200000;
	if (align & (align - 1))
		return -ENOEXEC;
	bz->load_addr = hdr->pref_address;
	if (bz->load_addr < LAYOUT_HIMEM_START || bz->load_addr % align)
		bz->load_addr = (LAYOUT_HIMEM_START + align - 1) & ~(align - 1);
	bz->init_size = hdr->init_size > bz->kernel_len ? hdr->init_size
							: bz->kernel_len;
	return 0;
}

int boot_initrd_addr(const struct bzimage *bz, const struct mem *m,
		     uint64_t size, uint64_t *addr)
{
	uint64_t top = m->range[0].size; /* top of low RAM */
	uint64_t floor = bz->load_addr + bz->init_size;

	if ((uint64_t)bz->hdr->initrd_addr_max + 1 < top)
		top = (uint64_t)bz->hdr->initrd_addr_max + 1;
	if (size > top || top - size < floor)
		return -ENOSPC;
	*addr = (top - size) & ~(PAGE - 1);
	if (*addr < floor)
		return -ENOSPC;
	return 0;
}

static unsigned int e820_add(struct boot_e820_entry *e, unsigned int n,
			     unsigned int max, uint64_t addr, uint64_t size,
			     uint32_t type)
{
	if (n < max && size)
		e[n++] = (struct boot_e820_entry){ addr, size, type };
	return n;
}

unsigned int boot_e820(const struct mem *m, struct boot_e820_entry *e,
		       unsigned int max)
{
	uint64_t low = m->range[0].size;
	unsigned int n = 0;

	n = e820_add(e, n, max, 0, LAYOUT_EBDA, E820_RAM);
	/* EBDA, VGA hole, BIOS area and our ACPI tables. */
	n = e820_add(e, n, max, LAYOUT_EBDA, LAYOUT_HIMEM_START - LAYOUT_EBDA,
		     E820_RESERVED);
	if (low > LAYOUT_HIMEM_START)
		n = e820_add(e, n, max, LAYOUT_HIMEM_START,
			     low - LAYOUT_HIMEM_START, E820_RAM);
	/*
	 * Linux only uses an MCFG region that is reserved in e820 or by an
	 * ACPI motherboard resource (arch/x86/pci/mmconfig-shared.c).
	 */
	n = e820_add(e, n, max, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE,
		     E820_RESERVED);
	if (m->nranges > 1)
		n = e820_add(e, n, max, m->range[1].gpa, m->range[1].size,
			     E820_RAM);
	return n;
}

void boot_zero_page(struct boot_params *zp, const struct bzimage *bz,
		    const struct mem *m, const struct boot_args *args)
{
	size_t hdr_len;

	memset(zp, 0, sizeof(*zp));
	/*
	 * boot.rst: copy the setup header as the kernel gave it; its length
	 * is the jump at 0x200 plus the offset byte at 0x201.
	 */
	hdr_len = 0x202 + bz->image[0x201] - SETUP_HDR_OFF;
	if (hdr_len > sizeof(zp->hdr))
		hdr_len = sizeof(zp->hdr);
	memcpy(&zp->hdr, bz->hdr, hdr_len);

	zp->hdr.type_of_loader = 0xff; /* undefined loader */
	zp->hdr.loadflags &= ~(KEEP_SEGMENTS | QUIET_FLAG);
	zp->hdr.loadflags |= CAN_USE_HEAP;
	zp->hdr.heap_end_ptr = 0xfe00;
	zp->hdr.vid_mode = 0xffff; /* "normal" */
	zp->hdr.cmd_line_ptr = (uint32_t)args->cmdline_addr;
	zp->ext_cmd_line_ptr = (uint32_t)(args->cmdline_addr >> 32);
	zp->hdr.ramdisk_image = (uint32_t)args->initrd_addr;
	zp->ext_ramdisk_image = (uint32_t)(args->initrd_addr >> 32);
	zp->hdr.ramdisk_size = (uint32_t)args->initrd_size;
	zp->ext_ramdisk_size = (uint32_t)(args->initrd_size >> 32);
	zp->acpi_rsdp_addr = args->rsdp_addr;
	zp->e820_entries = (uint8_t)boot_e820(m, zp->e820_table,
					      E820_MAX_ENTRIES_ZEROPAGE);
}

int boot_page_tables(const struct mem *m)
{
	uint64_t *pml4 = mem_gpa(m, LAYOUT_PML4, PAGE);
	uint64_t *pdpt = mem_gpa(m, LAYOUT_PDPT, PAGE);
	uint64_t *pd = mem_gpa(m, LAYOUT_PD, 4 * PAGE);
	uint64_t *gdt = mem_gpa(m, LAYOUT_GDT, 4 * sizeof(uint64_t));
	unsigned int i;

	if (!pml4 || !pdpt || !pd || !gdt)
		return -EFAULT;
	memset(pml4, 0, PAGE);
	memset(pdpt, 0, PAGE);
	/* present | writable; PS for 2 MiB pages */
	pml4[0] = LAYOUT_PDPT | 0x3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (LAYOUT_PD + i * PAGE) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[BOOT_CS / 8] = 0x00af9b000000ffffULL; /* 64-bit code, DPL 0 */
	gdt[BOOT_DS / 8] = 0x00cf93000000ffffULL; /* flat data */
	return 0;
}
