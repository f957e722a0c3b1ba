/* SPDX-License-Identifier: MIT */
/*
 * arm64's part of the seccomp allowlist (arch.h, seccomp.c): its audit
 * arch, and the ioctls only arm64's VM and vCPU setup use. Its ABI has
 * none of x86-64's older system calls (open, stat, epoll_wait...): musl
 * calls their *at and pwait forms, which the shared list holds.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include <linux/audit.h>
#include <linux/kvm.h>

#include "arch.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The register dump of a fatal exit; the abort for an undecoded access. */
static const unsigned int run_ioctls[] = { KVM_GET_ONE_REG,
					   KVM_SET_VCPU_EVENTS };
static const unsigned int setup_ioctls[] = {
	KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT,   KVM_SET_ONE_REG,
	KVM_CREATE_DEVICE,	  KVM_SET_DEVICE_ATTR,
};

const struct seccomp_arch arch_seccomp = {
	.audit_arch = AUDIT_ARCH_AARCH64,
	.run_ioctls = run_ioctls,
	.nrun_ioctls = N(run_ioctls),
	.setup_ioctls = setup_ioctls,
	.nsetup_ioctls = N(setup_ioctls),
};
