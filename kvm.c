/* SPDX-License-Identifier: MIT */
/*
 * The KVM side of setup: the VM with its in-kernel irqchip, PIT and GSI
 * routes, the CPUID KVM supports, and the latency mode's VM-wide knobs.
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
#include "irq/kvm.h"
#include "kvm.h"
#include "vmm.h"

int vm_kvm_open(struct vm *vm)
{
	const struct opts *o = vm->opts;
	int max, nent = 128;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			return fmt_fail(
				"/dev/kvm: not found (load kvm_intel or kvm_amd, or enable virtualization)");
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
	/* Intel needs these two pages somewhere the guest does not use. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fmt_fail("/dev/kvm: in-kernel irqchip: %s",
				strerror(errno));
	{
		uint64_t idmap = 0xfffbc000;
		struct kvm_pit_config pit = { .flags = 0 };

		ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
			return fmt_fail("/dev/kvm: in-kernel PIT: %s",
					strerror(errno));
	}
	/*
	 * Linux writes the configuration address port before every type-1
	 * config access: let KVM queue those writes instead of exiting. The
	 * data port still exits, and the loop replays the queue first, so
	 * the device model sees the accesses in order. The zone covers
	 * 0xcf8-0xcfb whole (a 32-bit write must fit in one zone), so the
	 * byte-wide reset register at 0xcf9 is queued too: it takes effect at
	 * the guest's next exit (Linux's reboot goes on to the keyboard
	 * controller's port, which exits).
	 */
	vm->coalesced_page =
		ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (vm->coalesced_page > 0 &&
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) > 0) {
		struct kvm_coalesced_mmio_zone z = { .addr = PCI_HOST_PIO_BASE,
						     .size = 4,
						     .pio = 1 };

		if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0)
			vm->coalesced_page = 0;
	} else {
		vm->coalesced_page = 0;
	}
	irq_routes_init(&vm->routes);
	if (irq_kvm_commit(vm->vm_fd, &vm->routes))
		return fmt_fail("/dev/kvm: GSI routing: %s", strerror(errno));
	for (;;) {
		vm->cpuid =
			calloc(1, sizeof(*vm->cpuid) +
					  nent * sizeof(vm->cpuid->entries[0]));
		if (!vm->cpuid)
			return fmt_fail("out of memory");
		vm->cpuid->nent = nent;
		if (!ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid))
			break;
		free(vm->cpuid);
		vm->cpuid = NULL;
		if (errno != E2BIG || nent > 4096)
			return fmt_fail("/dev/kvm: KVM_GET_SUPPORTED_CPUID: %s",
					strerror(errno));
		nent *= 2;
	}
	return 0;
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
