/* SPDX-License-Identifier: MIT */
/*
 * The seccomp-bpf allowlist ptvm installs once setup is done. From then on
 * the process can run KVM_RUN, the KVM and VFIO ioctls the emulation and
 * the teardown need, read and write its own descriptors, manage its epoll
 * set and its threads' memory, and exit; any other system call stops ptvm
 * with one line naming it (SIGSYS, exit code EXIT_ERROR).
 *
 * seccomp_build() is pure (the unit test runs the filter it builds);
 * seccomp_install() does the prctl/seccomp calls.
 */
#ifndef PTVM_SECCOMP_H
#define PTVM_SECCOMP_H

#include <stddef.h>

#include <linux/filter.h>

#define SECCOMP_MAX_INSNS 256

struct seccomp_policy {
	/*
	 * Setup may run again (--reboot restarts the guest with a new VM):
	 * admit what setup needs too, opening files and the setup ioctls.
	 */
	int setup_again;
};

/* Writes the filter into f (room for max insns); its length or -ENOSPC. */
int seccomp_build(const struct seccomp_policy *p, struct sock_filter *f,
		  size_t max);
/*
 * Installs the filter for the calling thread and the threads it creates
 * later, with a SIGSYS handler that reports a refused call. 0 or -errno.
 */
int seccomp_install(const struct seccomp_policy *p);

#endif
