/* SPDX-License-Identifier: MIT */
/*
 * The trap mailbox (mbox.h). Why no wake-up is lost, in two places where
 * one side may go to sleep while the other publishes:
 *
 * 1. vCPU posts, loop about to block in epoll_wait. The vCPU stores req
 *    then loads awake; the loop stores awake = 0 then loads every req
 *    (mbox_pending) before it blocks. All four are seq_cst, so they sit in
 *    one total order: if the vCPU's load sees awake == 1, that load comes
 *    before the loop's next store of 0, so the loop's later look at req
 *    (after that store) sees the post and it does not block; if it sees 0,
 *    the vCPU writes the eventfd, which ends or prevents the epoll_wait.
 *    Either way the trap is served. (x86 without seq_cst would let both
 *    loads be satisfied before the stores drain: each side misses the
 *    other, the classic store-buffer case.)
 *
 * 2. Loop answers, vCPU about to futex-wait. The vCPU stores waiting = 1
 *    then loads ack; the loop stores ack then loads waiting. Same
 *    argument: either the vCPU sees the answer and does not sleep, or the
 *    loop sees waiting and calls FUTEX_WAKE. FUTEX_WAIT itself sleeps only
 *    if ack still holds the value the vCPU last saw, checked atomically in
 *    the kernel, so a store between the vCPU's load and its sleep is not
 *    lost either.
 *
 * The trap (struct vcpu_trap and the kvm_run data it points to) is written
 * before the seq_cst store of req and read after the acquire load in
 * mbox_pending: release/acquire orders it. The answer's data is written
 * before the store of ack and read after the vCPU's acquire load of ack.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mbox.h"

uint64_t mbox_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void mbox_relax(void)
{
	/*
	 * A spinning thread may share its CPU with the one it waits for (a
	 * busy host, or both pinned to one CPU): let that one run. Measured
	 * on a loaded 2-CPU host, a yield on every turn beat PAUSE with a
	 * yield every 16 turns by about 2x (handoff-bench).
	 */
	sched_yield();
}

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

int mbox_post(struct mbox *m, const struct mbox_loop *l)
{
	uint64_t one = 1;
	uint32_t seq = atomic_load_explicit(&m->req, memory_order_relaxed);

	atomic_store(&m->req, seq + 1); /* seq_cst: see 1. */
	if (atomic_load(&l->awake))
		return 1;
	if (write(l->kick_fd, &one, sizeof(one)) != sizeof(one)) {
		/* An eventfd write fails only at 2^64-1: the loop has a
		 * kick pending already. */
	}
	return 0;
}

int mbox_wait(struct mbox *m, int spin, const _Atomic int *stop)
{
	uint32_t seq = atomic_load_explicit(&m->req, memory_order_relaxed);
	uint64_t t0 = 0;
	unsigned int i;
	uint32_t cur;
	int ret = 0;

	/*
	 * An awake loop answers within a few microseconds: spin. A loop that
	 * was asleep must be scheduled first, and a spinning vCPU thread may
	 * be what keeps it off the CPU: sleep at once.
	 */
	for (i = 0; spin; i++) {
		if (atomic_load_explicit(&m->ack, memory_order_acquire) == seq)
			return 0;
		if ((i & 3) == 0) {
			uint64_t t = mbox_now_ns();

			if (!t0)
				t0 = t;
			else if (t - t0 > MBOX_VCPU_SPIN_NS)
				break;
			if (atomic_load_explicit(stop, memory_order_relaxed))
				return -ECANCELED;
		}
		mbox_relax();
	}
	for (;;) {
		atomic_store(&m->waiting, 1); /* seq_cst: see 2. */
		/* Before ack: mbox_cancel moves ack, which is no answer. */
		if (atomic_load(stop)) {
			ret = -ECANCELED;
			break;
		}
		cur = atomic_load(&m->ack);
		if (cur == seq)
			break;
		/* EINTR (the kick), EAGAIN (ack moved): look again. */
		futex(&m->ack, FUTEX_WAIT_PRIVATE, cur);
	}
	atomic_store_explicit(&m->waiting, 0, memory_order_relaxed);
	/* The acquire that pairs with the loop's store of ack. */
	atomic_thread_fence(memory_order_acquire);
	return ret;
}

void mbox_answer(struct mbox *m)
{
	m->served = atomic_load_explicit(&m->req, memory_order_relaxed);
	atomic_store(&m->ack, m->served); /* seq_cst: see 2. */
	if (atomic_load(&m->waiting))
		futex(&m->ack, FUTEX_WAKE_PRIVATE, 1);
}

void mbox_loop_sleep(struct mbox_loop *l)
{
	atomic_store(&l->awake, 0); /* seq_cst: see 1. */
}

void mbox_loop_wake(struct mbox_loop *l)
{
	atomic_store(&l->awake, 1);
}

void mbox_cancel(struct mbox *m)
{
	/* After *stop is set: any FUTEX_WAIT now fails its value check. */
	atomic_fetch_add(&m->ack, 1);
	futex(&m->ack, FUTEX_WAKE_PRIVATE, 1);
}
