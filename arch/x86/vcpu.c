/* SPDX-License-Identifier: MIT */
/*
 * An x86 vCPU's first state (arch.h): the CPUID and MSRs every vCPU gets,
 * and the BSP's entry registers for the 64-bit Linux boot protocol or the
 * PVH entry; and its registers on a fatal exit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "arch/x86/vm.h"
#include "boot/bzimage.h"
#include "arch/x86/layout.h"
#include "fmt.h"
#include "kvm.h"
#include "vmm.h"

/* Intel SDM vol. 4, table 2-2; the uapi headers carry no MSR numbers. */
#define MSR_IA32_MISC_ENABLE 0x000001a0

static int vcpu_set_cpuid(struct vcpu *v)
{
	struct kvm_cpuid2 *c = v->vm->arch->cpuid;
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			/* Initial APIC ID; we are a hypervisor's guest. */
			e->ebx = (e->ebx & 0x00ffffff) | (v->id << 24);
			e->ecx |= 1u << 31;
			break;
		case 0xb:
		case 0x1f:
			e->edx = v->id; /* x2APIC ID */
			break;
		case 6:
			/* No thermal or power management to offer. */
			e->eax = e->ebx = e->ecx = e->edx = 0;
			break;
		}
	}
	return ioctl(v->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
}

static int vcpu_set_msrs(struct vcpu *v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1];
	} m = { .h.nmsrs = 1 };

	/* Fast strings, as firmware leaves it. */
	m.e[0].index = MSR_IA32_MISC_ENABLE;
	m.e[0].data = 1;
	return ioctl(v->fd, KVM_SET_MSRS, &m) == 1 ? 0 : -EIO;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, int l)
{
	*s = (struct kvm_segment){ .base = 0,
				   .limit = 0xffffffff,
				   .selector = sel,
				   .type = type,
				   .present = 1,
				   .s = 1,
				   .l = (uint8_t)l,
				   .db = (uint8_t)!l,
				   .g = 1 };
}

/*
 * The BSP's entry state, flat 4 GiB segments either way.
 * - Linux boot protocol, 64-bit entry: long mode with paging on (ptvm's
 *   identity page tables), %rsi = the zero page.
 * - PVH entry (Xen's docs/misc/pvh.pandoc): 32-bit protected mode, paging
 *   off, %ebx = the start info.
 */
static int vcpu_set_entry_regs(struct vcpu *v, uint64_t entry, uint64_t info,
			       int pvh)
{
	struct kvm_sregs sr;
	struct kvm_regs r = { .rflags = 2, .rip = entry };

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -errno;
	seg(&sr.cs, BOOT_CS, 0xb, !pvh);
	seg(&sr.ds, BOOT_DS, 0x3, 0);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.gdt.base = LAYOUT_GDT;
	sr.gdt.limit = 4 * 8 - 1;
	if (pvh) {
		r.rbx = info;
		sr.cr0 = 0x11; /* ET PE */
		sr.cr3 = sr.cr4 = sr.efer = 0;
	} else {
		r.rsi = info;
		sr.cr0 = 0x80050033; /* PG WP NE ET MP PE */
		sr.cr3 = LAYOUT_PML4;
		sr.cr4 = 0x20; /* PAE */
		sr.efer = 0x500; /* LMA LME */
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		return -errno;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

int arch_vcpu_init(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int ret = vcpu_set_cpuid(v);

	if (!ret)
		ret = vcpu_set_msrs(v);
	/*
	 * Application processors stay in wait-for-SIPI, as KVM creates them,
	 * until the guest's BSP starts them.
	 */
	if (!ret && v->id == 0)
		ret = vcpu_set_entry_regs(v, vm->arch->entry, LAYOUT_ZERO_PAGE,
					  vm->arch->pvh);
	if (!ret)
		ret = vm_coalesced_map(vm, v->fd);
	if (ret)
		return fmt_fail("vcpu %u: %s", v->id, strerror(-ret));
	return 0;
}

int arch_vcpu_exit(struct vcpu *v)
{
	(void)v;
	return -1;
}

void arch_vcpu_dump(struct vcpu *v, const char *why)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	fmt_fprintf(
		stderr,
		"ptvm: vcpu %u: %s\n"
		"  rip %016llx rsp %016llx rflags %016llx\n"
		"  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		"  rsi %016llx rdi %016llx rbp %016llx\n"
		"  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx\n"
		"  cs %04x base %llx ss %04x\n",
		v->id, why, r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx,
		r.rsi, r.rdi, r.rbp, s.cr0, s.cr2, s.cr3, s.cr4, s.efer,
		s.cs.selector, s.cs.base, s.ss.selector);
}
