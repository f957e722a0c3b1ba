/* SPDX-License-Identifier: MIT */
/*
 * arm64's arch_load: the kernel (a Linux Image, or an ELF kernel entered
 * at its entry point) and the initrd into guest RAM, with room kept for
 * the device tree, which arch_vm_ready writes once the vCPUs exist. The
 * formats are parsed by the pure code in boot/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "arch/arm64/layout.h"
#include "arch/arm64/vm.h"
#include "boot/arm64_image.h"
#include "boot/elf.h"
#include "fmt.h"
#include "load.h"
#include "vmm.h"

const char arch_usage[] =
	"usage: ptvm --kernel KERNEL [options]\n"
	"       ptvm probe BDF [--json] | bind [--force] BDF... | unbind BDF...\n"
	"\n"
	"Boots a guest on arm64 KVM: a GICv3 with an ITS, the timer and PSCI in\n"
	"the kernel, a 16550 (stdin/stdout) and a PL061 power button on MMIO, a\n"
	"device tree, and one PCI bus (ECAM) with the --device functions. KERNEL:\n"
	"a Linux arm64 Image (uncompressed: Debian's vmlinuz), or an arm64 ELF\n"
	"entered at its entry point with x0 = the device tree.\n"
	"\n";

static int load_image(struct vm *vm, const uint8_t *img, size_t len,
		      uint64_t initrd_size, struct arm64_boot_layout *bl)
{
	const char *path = vm->opts->kernel;
	struct arm64_image ai;
	int ret = arm64_image_parse(img, len, &ai);

	if (ret == -EOPNOTSUPP)
		return fmt_fail(
			"%s: a big-endian arm64 kernel: ptvm boots little-endian ones",
			path);
	if (ret) {
		if (arm64_image_packing(img, len) == ARM64_IMAGE_GZIP)
			return fmt_fail(
				"%s: a gzip-compressed Image: give ptvm the Image itself (zcat %s > Image)",
				path, path);
		return fmt_fail(
			"%s: not an arm64 Image nor an ELF kernel (give --kernel an uncompressed Image, such as Debian's /boot/vmlinuz-*, or an arm64 ELF)",
			path);
	}
	ret = arm64_image_place(&ai, vm->mem.size, LAYOUT_FDT_MAX, initrd_size,
				bl);
	if (ret)
		return fmt_fail(
			"--mem %llu MiB is too small for %s and its initrd (raise --mem)",
			(unsigned long long)(vm->mem.size >> 20), path);
	memcpy(mem_gpa(&vm->mem, bl->kernel, len), img, len);
	return 0;
}

static int load_elf(struct vm *vm, const uint8_t *img, size_t len,
		    uint64_t initrd_size, struct arm64_boot_layout *bl)
{
	const char *path = vm->opts->kernel;
	struct elf_kernel ek;
	int ret = elf_parse_aarch64(img, len, &ek);

	if (ret == -E2BIG)
		return fmt_fail(
			"%s: more than %d loadable ELF segments (link it with fewer)",
			path, ELF_MAX_SEGS);
	if (ret == -ERANGE)
		return fmt_fail(
			"%s: the entry 0x%llx is in no loadable segment (fix e_entry)",
			path, (unsigned long long)ek.entry);
	if (ret)
		return fmt_fail(
			"%s: not an arm64 ELF executable (little-endian EM_AARCH64, ET_EXEC), or a header or segment past the end of the file",
			path);
	ret = elf_load(&ek, &vm->mem);
	if (!ret)
		ret = arm64_image_place_blobs(vm->mem.size, ek.lo, ek.hi,
					      LAYOUT_FDT_MAX, initrd_size, bl);
	if (ret == -ENOSPC)
		return fmt_fail(
			"--mem %llu MiB leaves no room above %s for the device tree and initrd (raise --mem)",
			(unsigned long long)(vm->mem.size >> 20), path);
	if (ret)
		return fmt_fail(
			"%s: segments at 0x%llx-0x%llx are not all in guest RAM (0x%llx-0x%llx; raise --mem or link it there)",
			path, (unsigned long long)ek.lo,
			(unsigned long long)ek.hi,
			(unsigned long long)vm->mem.range[0].gpa,
			(unsigned long long)(vm->mem.range[0].gpa +
					     vm->mem.size));
	bl->kernel = ek.entry;
	return 0;
}

int arch_load(struct vm *vm)
{
	const struct opts *o = vm->opts;
	struct arch_vm *a = vm->arch;
	struct arm64_boot_layout bl = { 0 };
	uint64_t initrd_size = 0;
	int fd = -1, ret;
	uint8_t *img;
	size_t len;

	ret = load_file(o->kernel, &img, &len);
	if (ret)
		return fmt_fail("%s: cannot read kernel: %s", o->kernel,
				strerror(-ret));
	if (o->initrd && load_initrd_open(o->initrd, &fd, &initrd_size)) {
		free(img);
		return EXIT_ERROR;
	}
	/* Told apart by content: the ELF magic, else an Image's header. */
	if (elf_is(img, len))
		ret = load_elf(vm, img, len, initrd_size, &bl);
	else
		ret = load_image(vm, img, len, initrd_size, &bl);
	free(img);
	if (ret) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	a->entry = bl.kernel;
	a->fdt = bl.fdt;
	a->initrd = bl.initrd;
	a->initrd_size = initrd_size;
	return fd >= 0 ? load_initrd_read(&vm->mem, o->initrd, fd, bl.initrd,
					  initrd_size)
		       : 0;
}
