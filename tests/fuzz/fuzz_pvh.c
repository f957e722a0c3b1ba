/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ELF/PVH loader (boot/elf.c, boot/pvh.c): the
 * input is a kernel file. Whatever elf_parse accepts must describe only
 * bytes inside the file and an entry below 4 GiB in a loadable segment;
 * elf_load then copies it into a small guest RAM (ASan catches a write
 * outside it) or refuses it without writing; the start info for an initrd
 * placed after it must fit in its page.
 *
 * Seeds: tests/fuzz/corpus-pvh (a fake ELF64 and the pvh-probe guest).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/layout.h"
#include "boot/elf.h"
#include "boot/pvh.h"
#include "memory.h"

static const struct mem_map pc_map = LAYOUT_MEM_MAP;

#define RAM (4ULL << 20) /* 1 MiB of tables, then 3 MiB for the kernel */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct elf_kernel ek;
	struct pvh_args a = { .cmdline_addr = LAYOUT_CMDLINE,
			      .rsdp_addr = LAYOUT_ACPI };
	struct mem m;
	unsigned int i;
	int ret, in_seg = 0;

	if (!ram)
		ram = malloc(RAM);
	mem_layout(&m, &pc_map, ram, RAM);
	ret = elf_parse(data, size, &ek);
	if (ret) {
		if (ret != -ENOEXEC && ret != -ENOENT && ret != -E2BIG &&
		    ret != -ERANGE)
			abort();
		return 0;
	}
	if (ek.entry >= LAYOUT_4G || !ek.nsegs || ek.nsegs > ELF_MAX_SEGS)
		abort();
	for (i = 0; i < ek.nsegs; i++) {
		const struct elf_seg *s = &ek.seg[i];

		if (s->filesz > s->memsz || s->off > size ||
		    s->filesz > size - s->off || s->paddr < ek.lo ||
		    s->paddr + s->memsz > ek.hi)
			abort();
		if (ek.entry >= s->paddr && ek.entry - s->paddr < s->memsz)
			in_seg = 1;
	}
	if (!in_seg)
		abort();
	ram[LAYOUT_ACPI] = 0x5a; /* a table byte no segment may touch */
	ret = elf_load(&ek, &m);
	if (ret && ret != -EFAULT && ret != -EBUSY)
		abort();
	if (ram[LAYOUT_ACPI] != 0x5a)
		abort();
	if (ret)
		return 0;
	a.initrd_size = 4096;
	if (!pvh_initrd_addr(&m, ek.hi, a.initrd_size, &a.initrd_addr) &&
	    (a.initrd_addr < ek.hi || a.initrd_addr + 4096 > RAM))
		abort();
	if (pvh_start_info(&m, LAYOUT_ZERO_PAGE, &a))
		abort();
	return 0;
}
