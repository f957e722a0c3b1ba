/* SPDX-License-Identifier: MIT */
/*
 * An arm64 vCPU's first state (arch.h): KVM's preferred target with PSCI
 * 0.2, secondaries powered off until the guest starts them with PSCI
 * CPU_ON, and the boot CPU at the kernel's entry with x0 = the device
 * tree (Documentation/arch/arm64/booting.rst: EL1, MMU and caches off,
 * interrupts masked, which is KVM's reset state); and its registers on a
 * fatal exit.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "arch/arm64/vm.h"
#include "fmt.h"
#include "vmm.h"

#define CORE_REG(name)                                         \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 KVM_REG_ARM_CORE_REG(name))
#define ESR_EL1 ARM64_SYS_REG(3, 0, 5, 2, 0)
#define FAR_EL1 ARM64_SYS_REG(3, 0, 6, 0, 0)

static int reg_set(struct vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ioctl(v->fd, KVM_SET_ONE_REG, &r) < 0 ? -errno : 0;
}

static uint64_t reg_get(struct vcpu *v, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	ioctl(v->fd, KVM_GET_ONE_REG, &r);
	return val;
}

int arch_vcpu_init(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_vcpu_init init;
	int ret = 0;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return fmt_fail("/dev/kvm: KVM_ARM_PREFERRED_TARGET: %s",
				strerror(errno));
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (v->id)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return fmt_fail("vcpu %u: KVM_ARM_VCPU_INIT: %s", v->id,
				strerror(errno));
	if (!v->id) {
		ret = reg_set(v, CORE_REG(regs.pc), vm->arch->entry);
		if (!ret)
			ret = reg_set(v, CORE_REG(regs.regs[0]), vm->arch->fdt);
	}
	if (ret)
		return fmt_fail("vcpu %u: its entry registers: %s", v->id,
				strerror(-ret));
	return 0;
}

/*
 * An access to trapped MMIO (ECAM, an MSI-X table, a sub-page BAR) by an
 * instruction whose syndrome KVM cannot decode (a load or store pair, a
 * write-back form): with KVM_CAP_ARM_NISV_TO_USER it exits here instead
 * of failing KVM_RUN. ptvm decodes no instructions; like a bus that does
 * not answer, it hands the guest an external data abort (a guest program
 * gets SIGBUS, Linux itself an oops), as QEMU does. Counted in --stats
 * (vm exits, arm_nisv).
 */
int arch_vcpu_exit(struct vcpu *v)
{
	struct kvm_vcpu_events ev = { .exception.ext_dabt_pending = 1 };

	if (v->run->exit_reason != KVM_EXIT_ARM_NISV)
		return -1;
	return ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0 ? -1 : 0;
}

void arch_vcpu_dump(struct vcpu *v, const char *why)
{
	fmt_fprintf(stderr,
		    "ptvm: vcpu %u: %s\n"
		    "  pc %016llx pstate %016llx sp_el1 %016llx\n"
		    "  x0 %016llx x1 %016llx x2 %016llx x3 %016llx\n"
		    "  x29 %016llx x30 %016llx elr_el1 %016llx\n"
		    "  esr_el1 %016llx far_el1 %016llx\n",
		    v->id, why,
		    (unsigned long long)reg_get(v, CORE_REG(regs.pc)),
		    (unsigned long long)reg_get(v, CORE_REG(regs.pstate)),
		    (unsigned long long)reg_get(v, CORE_REG(sp_el1)),
		    (unsigned long long)reg_get(v, CORE_REG(regs.regs[0])),
		    (unsigned long long)reg_get(v, CORE_REG(regs.regs[1])),
		    (unsigned long long)reg_get(v, CORE_REG(regs.regs[2])),
		    (unsigned long long)reg_get(v, CORE_REG(regs.regs[3])),
		    (unsigned long long)reg_get(v, CORE_REG(regs.regs[29])),
		    (unsigned long long)reg_get(v, CORE_REG(regs.regs[30])),
		    (unsigned long long)reg_get(v, CORE_REG(elr_el1)),
		    (unsigned long long)reg_get(v, ESR_EL1),
		    (unsigned long long)reg_get(v, FAR_EL1));
}
