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

#include "arch.h"
#include "clock.h"
#include "fmt.h"
#include "vcpu.h"
#include "vmm.h"

int vcpu_signal(void)
{
	return SIGRTMIN;
}

int vcpu_create(struct vm *vm, unsigned int id)
{
	struct vcpu *v = &vm->vcpu[id];

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return fmt_fail("vcpu %u: %s", id, strerror(errno));
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return fmt_fail("vcpu %u: %s", id, strerror(errno));
	}
	return arch_vcpu_init(v);
}

/* Posts v->trap to the loop and waits for its answer. */
static void vcpu_post(struct vcpu *v)
{
	int spin = mbox_post(&v->mbox, &v->vm->mloop);

	mbox_wait(&v->mbox, spin, &v->vm->stopping);
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
			arch_vcpu_dump(v, why);
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
			arch_vcpu_dump(v, why);
			vcpu_exit(v, EXIT_CRASH);
			return NULL;
		case KVM_EXIT_INTERNAL_ERROR:
			fmt_snprintf(why, sizeof(why), "KVM internal error %u",
				     run->internal.suberror);
			arch_vcpu_dump(v, why);
			vcpu_exit(v, EXIT_CRASH);
			return NULL;
		default:
			if (!arch_vcpu_exit(v))
				break; /* the arch's own exit, handled */
			fmt_snprintf(why, sizeof(why),
				     "unexpected exit reason %u",
				     run->exit_reason);
			arch_vcpu_dump(v, why);
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
