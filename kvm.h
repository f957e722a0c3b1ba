/* SPDX-License-Identifier: MIT */
/*
 * The KVM side of setup: /dev/kvm and the VM, the coalesced ring, and the
 * latency mode's VM-wide knobs.
 */
#ifndef PTVM_KVM_H
#define PTVM_KVM_H

struct vm;

/*
 * Opens /dev/kvm and makes the VM, then the arch's part (arch_vm_create).
 * 0 or an exit code, reported.
 */
int vm_kvm_open(struct vm *vm);
/*
 * Maps KVM's coalesced ring through vCPU fd (any vCPU's) if vm_kvm_open
 * registered the zone; without it, config writes simply exit. 0 or -errno.
 */
int vm_coalesced_map(struct vm *vm, int vcpu_fd);
void vm_coalesced_unmap(struct vm *vm);
/*
 * The latency mode's VM-wide parts (--disable-exits, --halt-poll), before
 * any vCPU exists. 0 or an exit code, reported.
 */
int vm_kvm_tune(struct vm *vm);
/*
 * A latency option the host cannot honour: reported as an error (an exit
 * code), or with --best-effort as a warning (0).
 */
int vm_tune_refused(struct vm *vm, const char *what, const char *why);

#endif
