/* SPDX-License-Identifier: MIT */
/*
 * kvm-hold: run by scripts/nested at the start of every L1, for L1's
 * lifetime. It creates one VM with an in-kernel irqchip and one vCPU, never
 * runs it, and sleeps.
 *
 * Why: creating and destroying a VM flips static keys in L1's kernel (the
 * scheduler's preempt notifiers; KVM's "an APIC is software-disabled" and
 * "hardware-disabled" counts). Each flip patches kernel text with int3
 * (text_poke_bp). Under QEMU's multi-threaded TCG, a vCPU of L1 can keep
 * executing a stale translation of the int3 after the patch is done; the
 * kernel's handler backs up over it and retries, forever, on both vCPUs.
 * L1 then stalls whole: no output, every process deaf. It hit after a few
 * to a few dozen guests in a row with two L1 vCPUs (L1 has one by default
 * now, scripts/nested -c). With this VM alive, the counts never return to
 * zero, so guests come and go without patching L1's text.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("kvm-hold: /dev/kvm");
		return 1;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 ||
	    ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm-hold: creating the VM");
		return 1;
	}
	for (;;)
		pause();
}
