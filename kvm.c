/* SPDX-License-Identifier: MIT */
/*
 * The KVM side of setup: /dev/kvm and the VM (its interrupt controller
 * and platform are the arch's: arch_vm_create), the coalesced ring, and
 * the latency mode's VM-wide knobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "arch.h"
#include "kvm.h"
#include "vmm.h"

int vm_kvm_open(struct vm *vm)
{
	const struct opts *o = vm->opts;
	int max;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			return fmt_fail(
				"/dev/kvm: not found (load kvm_intel or kvm_amd on x86; boot an arm64 host kernel at EL2; enable virtualization in the firmware)");
		if (errno == EACCES || errno == EPERM)
			return fmt_fail(
				"/dev/kvm: permission denied (run as root or join the kvm group)");
		return fmt_fail("/dev/kvm: %s", strerror(errno));
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return fmt_fail("/dev/kvm: unsupported KVM API version");
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > VM_MAX_CPUS)
		max = VM_MAX_CPUS;
	if (o->cpus > (unsigned int)max)
		return fmt_fail(
			"--cpus %u: at most %d vCPUs here (KVM's and ptvm's limit); use --cpus %d or fewer",
			o->cpus, max, max);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return fmt_fail("/dev/kvm: cannot create a VM: %s",
				strerror(errno));
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return fmt_fail("/dev/kvm: KVM_GET_VCPU_MMAP_SIZE: %s",
				strerror(errno));
	return arch_vm_create(vm);
}

static const char *const exit_names[] = { "mwait", "hlt", "pause", "cstate" };

static void exits_str(unsigned int bits, char *buf, size_t len)
{
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		if (bits & (1u << i))
			fmt_snprintf(buf + strlen(buf), len - strlen(buf),
				     "%s%s", buf[0] ? "," : "", exit_names[i]);
	if (!buf[0])
		fmt_snprintf(buf, len, "none");
}

static int enable_cap(struct vm *vm, unsigned int cap, uint64_t arg)
{
	struct kvm_enable_cap c = { .cap = cap, .args[0] = arg };

	return ioctl(vm->vm_fd, KVM_ENABLE_CAP, &c) < 0 ? -errno : 0;
}

/* A latency option the host cannot honour: an error, or with --best-effort a warning. */
int vm_tune_refused(struct vm *vm, const char *what, const char *why)
{
	if (vm->opts->best_effort) {
		fmt_fprintf(stderr,
			    "ptvm: warning: %s: %s (going on: --best-effort)\n",
			    what, why);
		return 0;
	}
	return fmt_fail("%s: %s (drop it, or add --best-effort)", what, why);
}

int vm_kvm_tune(struct vm *vm)
{
	const struct opts *o = vm->opts;
	char want[64], have[64], why[160];
	int allowed, ret;

	if (o->disable_exits) {
		allowed = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
				KVM_CAP_X86_DISABLE_EXITS);
		if (allowed < 0)
			allowed = 0;
		exits_str(o->disable_exits & ~(unsigned int)allowed, want,
			  sizeof(want));
		exits_str((unsigned int)allowed, have, sizeof(have));
		ret = 0;
		if (o->disable_exits & ~(unsigned int)allowed) {
			fmt_snprintf(
				why, sizeof(why),
				"this host's KVM cannot let the guest keep %s (it allows: %s)",
				want, have);
			ret = vm_tune_refused(vm, "--disable-exits", why);
			if (ret)
				return ret;
		}
		if (o->disable_exits & (unsigned int)allowed) {
			ret = enable_cap(vm, KVM_CAP_X86_DISABLE_EXITS,
					 o->disable_exits &
						 (unsigned int)allowed);
			if (ret)
				return fmt_fail(
					"--disable-exits: KVM_ENABLE_CAP: %s",
					strerror(-ret));
		}
	}
	if (o->halt_poll_ns >= 0) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL) <=
		    0)
			return vm_tune_refused(
				vm, "--halt-poll",
				"this host's KVM has no per-VM halt-polling control (KVM_CAP_HALT_POLL, Linux 5.15)");
		ret = enable_cap(vm, KVM_CAP_HALT_POLL,
				 (uint64_t)o->halt_poll_ns);
		if (ret)
			return fmt_fail("--halt-poll: KVM_ENABLE_CAP: %s",
					strerror(-ret));
	}
	return 0;
}

int vm_coalesced_map(struct vm *vm, int vcpu_fd)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (vm->coalesced_page <= 0 || vm->coalesced.r)
		return 0;
	if ((vm->coalesced_page + 1) * page > vm->run_size)
		return -EINVAL;
	p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 vcpu_fd, vm->coalesced_page * page);
	if (p == MAP_FAILED)
		return -errno;
	vm->coalesced.r = p;
	vm->coalesced.max = coalesced_max((unsigned long)page);
	return 0;
}

void vm_coalesced_unmap(struct vm *vm)
{
	if (vm->coalesced.r)
		munmap(vm->coalesced.r, (size_t)sysconf(_SC_PAGESIZE));
	vm->coalesced.r = NULL;
}
