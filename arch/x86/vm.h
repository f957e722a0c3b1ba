/* SPDX-License-Identifier: MIT */
/* x86's part of the VM (arch.h): what only x86's arch files share. */
#ifndef PTVM_ARCH_X86_VM_H
#define PTVM_ARCH_X86_VM_H

#include <stdint.h>

#include <linux/kvm.h>

#include "arch/x86/pm.h"

struct arch_vm {
	struct kvm_cpuid2 *cpuid; /* what KVM supports, given to each vCPU */
	int pvh; /* an ELF kernel entered through PVH, not a bzImage */
	uint64_t entry; /* the BSP's first instruction */
	struct pm pm; /* ACPI PM1a: power-off and the power button */
};

#endif
