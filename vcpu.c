/* SPDX-License-Identifier: MIT */
/*
 * vCPU threads. Each runs KVM_RUN and nothing else: a trapped access is
 * posted to the main loop's mailbox and the thread waits for the answer,
 * so that device state has a single owner and needs no locks.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/bzimage.h"
#include "boot/layout.h"
#include "clock.h"
#include "fmt.h"
#include "vcpu.h"
#include "vmm.h"

/* Intel SDM vol. 4, table 2-2; the uapi headers carry no MSR numbers. */
#define MSR_IA32_MISC_ENABLE 0x000001a0

int vcpu_signal(void)
{
	return SIGRTMIN;
}

static int vcpu_set_cpuid(struct vcpu *v)
{
	struct kvm_cpuid2 *c = v->vm->cpuid;
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

int vcpu_create(struct vm *vm, unsigned int id, uint64_t entry,
		uint64_t zero_page)
{
	struct vcpu *v = &vm->vcpu[id];
	int ret;

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return -errno;
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		ret = -errno;
		v->run = NULL;
		return ret;
	}
	ret = vcpu_set_cpuid(v);
	if (!ret)
		ret = vcpu_set_msrs(v);
	/*
	 * Application processors stay in wait-for-SIPI, as KVM creates them,
	 * until the guest's BSP starts them.
	 */
	if (!ret && id == 0)
		ret = vcpu_set_entry_regs(v, entry, zero_page, vm->pvh);
	return ret;
}

/* Posts v->trap to the loop and waits for its answer. */
static void vcpu_post(struct vcpu *v)
{
	int spin = mbox_post(&v->mbox, &v->vm->mloop);

	mbox_wait(&v->mbox, spin, &v->vm->stopping);
}

static void vcpu_dump(struct vcpu *v, const char *why)
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

static void vcpu_exit(struct vcpu *v, int code)
{
	v->trap = (struct vcpu_trap){ .kind = TRAP_EXIT, .exit_code = code };
	vcpu_post(v);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run = v->run;
	sigset_t set;
	char why[96];

	sigemptyset(&set);
	sigaddset(&set, vcpu_signal());
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	v->entry_ns = clock_ns();
	while (!v->vm->stopping) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				continue;
			}
			fmt_snprintf(why, sizeof(why), "KVM_RUN failed: %s",
				     strerror(errno));
			vcpu_dump(v, why);
			vcpu_exit(v, EXIT_CRASH);
			break;
		}
		if (run->exit_reason < VCPU_EXIT_REASONS)
			v->exits[run->exit_reason]++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			v->trap = (struct vcpu_trap){
				.kind = TRAP_PIO,
				.addr = run->io.port,
				.len = run->io.size,
				.count = run->io.count,
				.write = run->io.direction == KVM_EXIT_IO_OUT,
				.data = (uint8_t *)run + run->io.data_offset,
			};
			vcpu_post(v);
			break;
		case KVM_EXIT_MMIO:
			v->trap = (struct vcpu_trap){
				.kind = TRAP_MMIO,
				.addr = run->mmio.phys_addr,
				.len = run->mmio.len,
				.count = 1,
				.write = run->mmio.is_write,
				.data = run->mmio.data,
			};
			vcpu_post(v);
			break;
		case KVM_EXIT_SHUTDOWN:
			/* A triple fault: how Linux's last-resort reboot looks. */
			vcpu_exit(v, EXIT_REBOOT);
			return NULL;
		case KVM_EXIT_SYSTEM_EVENT:
			vcpu_exit(v, run->system_event.type ==
						     KVM_SYSTEM_EVENT_SHUTDOWN
					     ? EXIT_POWEROFF
					     : EXIT_REBOOT);
			return NULL;
		case KVM_EXIT_FAIL_ENTRY:
			fmt_snprintf(
				why, sizeof(why),
				"entry failed, hardware reason 0x%llx",
				run->fail_entry.hardware_entry_failure_reason);
			vcpu_dump(v, why);
			vcpu_exit(v, EXIT_CRASH);
			return NULL;
		case KVM_EXIT_INTERNAL_ERROR:
			fmt_snprintf(why, sizeof(why), "KVM internal error %u",
				     run->internal.suberror);
			vcpu_dump(v, why);
			vcpu_exit(v, EXIT_CRASH);
			return NULL;
		default:
			fmt_snprintf(why, sizeof(why),
				     "unexpected exit reason %u",
				     run->exit_reason);
			vcpu_dump(v, why);
			vcpu_exit(v, EXIT_CRASH);
			return NULL;
		}
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int ret = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (ret)
		return -ret;
	v->started = 1;
	return 0;
}

int vcpu_pin(struct vcpu *v, unsigned int host_cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(host_cpu, &set);
	return -pthread_setaffinity_np(v->thread, sizeof(set), &set);
}

int vcpu_realtime(struct vcpu *v)
{
	/* Above the kernel's threaded IRQ handlers (50) it would starve them. */
	struct sched_param sp = { .sched_priority = 40 };

	return -pthread_setschedparam(v->thread, SCHED_FIFO, &sp);
}

void vcpu_stop(struct vcpu *v)
{
	if (!v->started)
		return;
	/*
	 * immediate_exit covers a kick that lands just before KVM_RUN; the
	 * signal interrupts a running one; the cancel releases a mailbox
	 * wait (vm->stopping is set already).
	 */
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, vcpu_signal());
	mbox_cancel(&v->mbox);
	pthread_join(v->thread, NULL);
	v->started = 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->run_size);
	if (v->fd > 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
