/* SPDX-License-Identifier: MIT */
/*
 * The PVH start of day (Xen's docs/misc/pvh.pandoc and
 * public/arch-x86/hvm/start_info.h): one page holding struct
 * hvm_start_info, the module list (module 0: the initrd) and the memory
 * map, which is the same e820 map a bzImage gets in its zero page.
 */
#include <errno.h>
#include <string.h>

#include <asm/bootparam.h>

#include "boot/bzimage.h"
#include "arch/x86/layout.h"
#include "boot/pvh.h"
#include "memory.h"

#define PAGE 4096ULL

/* Where the parts go inside the page. */
#define INFO_MOD_OFF 64
#define INFO_MAP_OFF 128
#define INFO_MAP_MAX \
	((PVH_INFO_SIZE - INFO_MAP_OFF) / sizeof(struct pvh_memmap_entry))

_Static_assert(sizeof(struct pvh_start_info) == 56, "start_info v1 layout");
_Static_assert(sizeof(struct pvh_module) == 32, "modlist entry layout");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "memmap entry layout");
_Static_assert(INFO_MOD_OFF >= sizeof(struct pvh_start_info) &&
		       INFO_MAP_OFF >= INFO_MOD_OFF + sizeof(struct pvh_module),
	       "start info parts overlap");

int pvh_start_info(const struct mem *m, uint64_t gpa, const struct pvh_args *a)
{
	uint8_t *page = mem_gpa(m, gpa, PVH_INFO_SIZE);
	struct boot_e820_entry e820[E820_MAX_ENTRIES_ZEROPAGE];
	struct pvh_start_info si = {
		.magic = PVH_START_MAGIC,
		.version = 1,
		.cmdline_paddr = a->cmdline_addr,
		.rsdp_paddr = a->rsdp_addr,
		.memmap_paddr = gpa + INFO_MAP_OFF,
	};
	unsigned int i, n;

	if (!page)
		return -EFAULT;
	memset(page, 0, PVH_INFO_SIZE);
	if (a->initrd_size) {
		struct pvh_module mod = { .paddr = a->initrd_addr,
					  .size = a->initrd_size };

		si.nr_modules = 1;
		si.modlist_paddr = gpa + INFO_MOD_OFF;
		memcpy(page + INFO_MOD_OFF, &mod, sizeof(mod));
	}
	n = boot_e820(m, e820, E820_MAX_ENTRIES_ZEROPAGE);
	if (n > INFO_MAP_MAX)
		n = INFO_MAP_MAX;
	for (i = 0; i < n; i++) {
		struct pvh_memmap_entry e = { .addr = e820[i].addr,
					      .size = e820[i].size,
					      .type = e820[i].type };

		memcpy(page + INFO_MAP_OFF + i * sizeof(e), &e, sizeof(e));
	}
	si.memmap_entries = n;
	memcpy(page, &si, sizeof(si));
	return 0;
}

int pvh_initrd_addr(const struct mem *m, uint64_t kernel_end, uint64_t size,
		    uint64_t *addr)
{
	uint64_t top = m->range[0].size; /* low RAM ends below 4 GiB */

	if (kernel_end < LAYOUT_HIMEM_START)
		kernel_end = LAYOUT_HIMEM_START;
	if (size > top || top - size < kernel_end)
		return -ENOSPC;
	*addr = (top - size) & ~(PAGE - 1);
	if (*addr < kernel_end)
		return -ENOSPC;
	return 0;
}

int pvh_gdt(const struct mem *m)
{
	uint64_t *gdt = mem_gpa(m, LAYOUT_GDT, 4 * sizeof(uint64_t));

	if (!gdt)
		return -EFAULT;
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[BOOT_CS / 8] = 0x00cf9b000000ffffULL; /* 32-bit code, 4 GiB */
	gdt[BOOT_DS / 8] = 0x00cf93000000ffffULL; /* flat data */
	return 0;
}
