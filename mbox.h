/* SPDX-License-Identifier: MIT */
/*
 * The trap mailbox between one vCPU thread and the loop: two futex words
 * and no system call on the fast path. The vCPU publishes a trap by
 * bumping req; the loop answers by setting ack to the same sequence
 * number. While the loop is awake (serving or polling) it finds new
 * requests by itself; only a loop asleep in epoll_wait needs the eventfd
 * kick. The vCPU spins a bounded while for the answer, then futex-waits.
 */
#ifndef PTVM_MBOX_H
#define PTVM_MBOX_H

#include <stdatomic.h>
#include <stdint.h>

/* How long each side spins before it sleeps (bounded busy-waiting). */
#define MBOX_VCPU_SPIN_NS 10000 /* the vCPU, for its answer */
#define MBOX_LOOP_POLL_NS 5000 /* the loop, for the next trap after one */

/* One per vCPU; zero-initialised. */
struct mbox {
	_Atomic uint32_t req; /* written by the vCPU: last posted trap */
	_Atomic uint32_t ack; /* written by the loop: last answered; futex */
	_Atomic uint32_t waiting; /* the vCPU is in (or near) FUTEX_WAIT */
	uint32_t served; /* the loop's own copy of the last answered */
};

/* One per loop; zero-initialised, then kick_fd set. */
struct mbox_loop {
	_Atomic uint32_t awake; /* 1 while the loop is not in epoll_wait */
	int kick_fd; /* eventfd in the loop's epoll set */
};

/*
 * vCPU side: publish the trap filled in before this call. 1 if the loop
 * was awake (it will find the trap by itself), 0 if it was kicked.
 */
int mbox_post(struct mbox *m, const struct mbox_loop *l);
/*
 * vCPU side: wait for the answer to the last post, spinning first if spin
 * (what mbox_post returned). 0 once answered, -ECANCELED if *stop became
 * set (the VM is being torn down).
 */
int mbox_wait(struct mbox *m, int spin, const _Atomic int *stop);

/* Loop side: 1 if a trap is posted and not answered yet. */
static inline int mbox_pending(struct mbox *m)
{
	return atomic_load_explicit(&m->req, memory_order_acquire) != m->served;
}
/* Loop side: the pending trap is answered (its data written). */
void mbox_answer(struct mbox *m);
/* Loop side: around epoll_wait. After mbox_loop_sleep the loop must look
 * at every mailbox once more before it blocks (see mbox.c). */
void mbox_loop_sleep(struct mbox_loop *l);
void mbox_loop_wake(struct mbox_loop *l);
/* Teardown: releases a vCPU waiting in mbox_wait (after *stop is set). */
void mbox_cancel(struct mbox *m);

/* CLOCK_MONOTONIC in nanoseconds; a pause for spin loops. */
uint64_t mbox_now_ns(void);
void mbox_relax(void);

#endif
