/* SPDX-License-Identifier: MIT */
/*
 * x86's arch_load: the kernel (a bzImage, or an ELF kernel through its PVH
 * entry), initrd, command line, ACPI tables and boot structures into guest
 * RAM, before any vCPU exists. The formats themselves are parsed by the
 * pure code in boot/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/bzimage.h"
#include "arch/x86/layout.h"
#include "boot/elf.h"
#include "boot/pvh.h"
#include "fmt.h"
#include "arch.h"
#include "arch/x86/vm.h"
#include "load.h"
#include "vmm.h"

/*
 * Where the kernel is: a bzImage's placement (boot_initrd_addr) and
 * limits, or the end of an ELF kernel's segments.
 */
struct kernel {
	int pvh;
	struct bzimage bz;
	struct elf_kernel elf;
};

const char arch_usage[] =
	"usage: ptvm --kernel KERNEL [options]\n"
	"       ptvm probe BDF [--json] | bind [--force] BDF... | unbind BDF...\n"
	"\n"
	"Boots a guest on x86-64 KVM: PIC, IOAPIC and PIT in the kernel, a 16550\n"
	"on COM1 (stdin/stdout), ACPI tables, and one PCI bus (0xcf8 and ECAM)\n"
	"with the --device functions. KERNEL: a Linux bzImage (boot protocol\n"
	"2.12+, 64-bit entry), or an ELF kernel with a PVH note (a vmlinux built\n"
	"with CONFIG_PVH=y, a unikernel), entered in 32-bit mode.\n"
	"\n";

static int load_bzimage(struct vm *vm, const uint8_t *img, size_t len,
			struct kernel *k, uint64_t *entry)
{
	const char *path = vm->opts->kernel;
	struct bzimage *bz = &k->bz;
	uint8_t *dst;
	int ret = bzimage_parse(img, len, bz);

	if (ret == -ENOEXEC)
		return fmt_fail(
			"%s: not a Linux bzImage, nor an ELF kernel (give --kernel a bzImage such as /boot/vmlinuz-*, or an ELF vmlinux built with CONFIG_PVH=y)",
			path);
	if (ret)
		return fmt_fail(
			"%s: boot protocol %x.%02x too old or no 64-bit entry (need 2.12 or later)",
			path, bz->hdr->version >> 8, bz->hdr->version & 0xff);
	dst = mem_gpa(&vm->mem, bz->load_addr, bz->init_size);
	if (!dst)
		return fmt_fail(
			"--mem %llu MiB is too small for %s (it needs %llu MiB from %llu MiB up)",
			(unsigned long long)(vm->mem.size >> 20), path,
			(unsigned long long)(bz->init_size >> 20) + 1,
			(unsigned long long)(bz->load_addr >> 20));
	memcpy(dst, bz->kernel, bz->kernel_len);
	*entry = bz->load_addr + 0x200; /* startup_64 */
	return 0;
}

/* An ELF kernel, entered through its PVH note (boot/pvh.h). */
static int load_elf(struct vm *vm, const uint8_t *img, size_t len,
		    struct kernel *k, uint64_t *entry)
{
	const char *path = vm->opts->kernel;
	struct elf_kernel *ek = &k->elf;
	int ret = elf_parse(img, len, ek);

	if (ret == -ENOENT && ek->is64)
		return fmt_fail(
			"%s: ELF without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): build it with CONFIG_PVH=y, or give the bzImage",
			path);
	if (ret == -ENOENT)
		return fmt_fail(
			"%s: 32-bit ELF without a PVH entry note: ptvm enters 32-bit kernels only through PVH (add an XEN_ELFNOTE_PHYS32_ENTRY note)",
			path);
	if (ret == -E2BIG)
		return fmt_fail(
			"%s: more than %d loadable ELF segments (link it with fewer)",
			path, ELF_MAX_SEGS);
	if (ret == -ERANGE)
		return fmt_fail(
			"%s: the PVH entry 0x%llx is not in a loadable segment below 4 GiB (fix the note)",
			path, (unsigned long long)ek->entry);
	if (ret)
		return fmt_fail(
			"%s: bad ELF header: not an x86 executable, or a header or segment past the end of the file (relink it)",
			path);
	ret = elf_load(ek, &vm->mem);
	if (ret == -EBUSY)
		return fmt_fail(
			"%s: a segment at 0x%llx lies below 1 MiB, over ptvm's boot tables (link it at 1 MiB or above)",
			path, (unsigned long long)ek->lo);
	if (ret)
		return fmt_fail(
			"%s: segments at 0x%llx-0x%llx are not all in guest RAM (--mem %llu MiB; raise --mem or link it lower, below 3 GiB)",
			path, (unsigned long long)ek->lo,
			(unsigned long long)ek->hi,
			(unsigned long long)(vm->mem.size >> 20));
	k->pvh = 1;
	*entry = ek->entry;
	return 0;
}

static int load_initrd(struct vm *vm, const struct kernel *k, uint64_t *addr,
		       uint64_t *size)
{
	const char *path = vm->opts->initrd;
	int fd, ret = load_initrd_open(path, &fd, size);

	if (ret)
		return ret;
	ret = k->pvh ? pvh_initrd_addr(&vm->mem, k->elf.hi, *size, addr)
		     : boot_initrd_addr(&k->bz, &vm->mem, *size, addr);
	if (ret) {
		close(fd);
		return fmt_fail(
			"%s: initrd of %llu MiB does not fit in guest RAM below %llu MiB with the kernel (raise --mem)",
			path, (unsigned long long)(*size >> 20),
			(unsigned long long)(vm->mem.range[0].size >> 20));
	}
	return load_initrd_read(&vm->mem, path, fd, *addr, *size);
}

int arch_load(struct vm *vm)
{
	const struct opts *o = vm->opts;
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE,
				  .rsdp_addr = LAYOUT_ACPI };
	struct acpi_config acpi = {
		.ncpus = vm->ncpus,
		.ecam_base = LAYOUT_ECAM_BASE,
		.mmio32_base = LAYOUT_MMIO32_BASE,
		.mmio32_size = LAYOUT_MMIO32_SIZE,
		.mmio64_base = mem_top_aligned(&vm->mem),
		.mmio64_size = LAYOUT_MMIO64_SIZE,
		.pio_base = LAYOUT_PIO_PCI_BASE,
		.pio_size = LAYOUT_PIO_PCI_SIZE,
		.nslots = o->ndevices,
	};
	struct kernel k = { 0 };
	uint8_t *img = NULL;
	size_t len = 0, cmdline_max;
	ssize_t alen;
	int ret, rc = EXIT_ERROR;

	ret = load_file(o->kernel, &img, &len);
	if (ret)
		return fmt_fail("%s: cannot read kernel: %s", o->kernel,
				strerror(-ret));
	/* Told apart by content: the ELF magic, else the bzImage's "HdrS". */
	if (elf_is(img, len))
		ret = load_elf(vm, img, len, &k, &vm->arch->entry);
	else
		ret = load_bzimage(vm, img, len, &k, &vm->arch->entry);
	if (ret)
		goto out;
	vm->arch->pvh = k.pvh;

	if (o->initrd &&
	    load_initrd(vm, &k, &args.initrd_addr, &args.initrd_size))
		goto out;

	args.cmdline_len = strlen(o->cmdline);
	cmdline_max = LAYOUT_CMDLINE_MAX;
	if (!k.pvh && k.bz.hdr->cmdline_size < cmdline_max)
		cmdline_max = k.bz.hdr->cmdline_size;
	if (args.cmdline_len >= cmdline_max) {
		fmt_fail("--cmdline: %zu bytes, the kernel takes at most %zu",
			 args.cmdline_len, cmdline_max);
		goto out;
	}
	memcpy(mem_gpa(&vm->mem, LAYOUT_CMDLINE, args.cmdline_len + 1),
	       o->cmdline, args.cmdline_len + 1);

	alen = acpi_build(mem_gpa(&vm->mem, LAYOUT_ACPI, LAYOUT_ACPI_SIZE),
			  LAYOUT_ACPI_SIZE, LAYOUT_ACPI, &acpi);
	if (alen < 0) {
		fmt_fail("ACPI tables do not fit (%s)", strerror((int)-alen));
		goto out;
	}
	if (k.pvh) {
		struct pvh_args pa = { .cmdline_addr = args.cmdline_addr,
				       .initrd_addr = args.initrd_addr,
				       .initrd_size = args.initrd_size,
				       .rsdp_addr = args.rsdp_addr };

		/* The start info takes the zero page's place (vcpu.c, %ebx). */
		if (pvh_gdt(&vm->mem) ||
		    pvh_start_info(&vm->mem, LAYOUT_ZERO_PAGE, &pa)) {
			fmt_fail("--mem too small for the PVH start info");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (boot_page_tables(&vm->mem)) {
		fmt_fail("--mem too small for the boot page tables");
		goto out;
	}
	boot_zero_page(mem_gpa(&vm->mem, LAYOUT_ZERO_PAGE,
			       sizeof(struct boot_params)),
		       &k.bz, &vm->mem, &args);
	rc = 0;
out:
	free(img);
	return rc;
}
