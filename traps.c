/* SPDX-License-Identifier: MIT */
/*
 * The loop's side of the vCPU mailboxes (mbox.h): finding posted traps,
 * answering them in order after the writes KVM queued, and polling a
 * bounded while for the next one before the loop goes back to epoll.
 */
#include <stdint.h>
#include <unistd.h>

#include "clock.h"
#include "arch.h"
#include "traps.h"
#include "vmm.h"

/* Answers the trap v posted. */
static void vm_trap(struct vm *vm, struct vcpu *v)
{
	/*
	 * Writes that KVM queued come first: this vCPU's own address-port
	 * write before its data-port access, and another vCPU's before
	 * anything this one does after it (the guest orders those with its
	 * own lock, which needs an exit-free path only through the ring).
	 */
	arch_io_drain(vm);
	if ((vm->dma_pending || vm->resets) && arch_io_held(vm, &v->trap)) {
		/* no answer until the map or reset is done (vm_traps_release) */
		if (!v->held) {
			v->held = 1;
			v->held_since = clock_ns();
			vm->stats.held_writes++;
		}
		return;
	}
	switch (v->trap.kind) {
	case TRAP_PIO:
	case TRAP_MMIO:
		arch_io(vm, &v->trap);
		break;
	case TRAP_EXIT:
		if (vm->exit_code < 0)
			vm->exit_code = v->trap.exit_code;
		/* PSCI SYSTEM_OFF (arm64); x86's ACPI S5 is stamped in its io.c */
		if (vm->exit_code == EXIT_POWEROFF && !vm->stats.t_poweroff)
			vm->stats.t_poweroff = clock_ns();
		break;
	}
	mbox_answer(&v->mbox);
}

/* Serves every posted trap once; how many there were. */
static unsigned int vm_serve(struct vm *vm)
{
	unsigned int i, n = 0;

	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpu[i];

		if (v->started && !v->held && mbox_pending(&v->mbox)) {
			vm_trap(vm, v);
			n += !v->held;
		}
	}
	return n;
}

int vm_traps_pending(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i].started && !vm->vcpu[i].held &&
		    mbox_pending(&vm->vcpu[i].mbox))
			return 1;
	return 0;
}

void vm_traps_release(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpu[i];
		uint64_t held;

		if (!v->held)
			continue;
		v->held = 0;
		held = clock_ns() - v->held_since;
		vm->stats.hold_ns += held;
		if (held > vm->stats.hold_max_ns)
			vm->stats.hold_max_ns = held;
		vm_trap(vm, v);
	}
}

void vm_traps_kicked(struct vm *vm, void *arg)
{
	uint64_t cnt;

	(void)arg;
	if (read(vm->mloop.kick_fd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: a kick already consumed; nothing is lost */
	}
}

int vm_traps_serve(struct vm *vm)
{
	uint64_t t0 = clock_ns(), last = t0, t = t0;

	/*
	 * Serve the posted traps, and keep looking for the next one a few
	 * microseconds (a vCPU that got its answer often traps again soon),
	 * but for at most a millisecond in a row so that the loop's other
	 * sources are not starved.
	 */
	while (vm->exit_code < 0) {
		if (vm_serve(vm))
			last = t;
		else if (t - last > MBOX_LOOP_POLL_NS)
			return 0;
		if (t - t0 > 1000000)
			return 1;
		mbox_relax();
		t = clock_ns();
	}
	return 0;
}
