/* SPDX-License-Identifier: MIT */
/*
 * x86-64's part of the seccomp allowlist (arch.h, seccomp.c): its audit
 * arch, the system calls only its ABI has, and the ioctls only x86's VM
 * and vCPU setup use.
 */
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/kvm.h>

#include "arch.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned int run_syscalls[] = { SYS_epoll_wait };
static const unsigned int setup_syscalls[] = { SYS_open, SYS_stat, SYS_readlink,
					       SYS_access };
/* The register dump of a fatal exit. */
static const unsigned int run_ioctls[] = { KVM_GET_REGS, KVM_GET_SREGS };
static const unsigned int setup_ioctls[] = {
	KVM_CREATE_IRQCHIP,
	KVM_CREATE_PIT2,
	KVM_REGISTER_COALESCED_MMIO,
	KVM_GET_SUPPORTED_CPUID,
	KVM_SET_CPUID2,
	KVM_SET_IDENTITY_MAP_ADDR,
	KVM_SET_MSRS,
	KVM_SET_REGS,
	KVM_SET_SREGS,
	KVM_SET_TSS_ADDR,
};

const struct seccomp_arch arch_seccomp = {
	.audit_arch = AUDIT_ARCH_X86_64,
	.run_syscalls = run_syscalls,
	.nrun_syscalls = N(run_syscalls),
	.setup_syscalls = setup_syscalls,
	.nsetup_syscalls = N(setup_syscalls),
	.run_ioctls = run_ioctls,
	.nrun_ioctls = N(run_ioctls),
	.setup_ioctls = setup_ioctls,
	.nsetup_ioctls = N(setup_ioctls),
};
