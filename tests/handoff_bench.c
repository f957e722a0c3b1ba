// SPDX-License-Identifier: MIT
/*
 * What a trapped access costs in ptvm's design beyond the VM exit itself,
 * as round trips measured in one run:
 *
 *   inline   the same work done on the vCPU thread itself
 *   eventfd  the old mailbox: the vCPU writes the loop's eventfd, the loop
 *            (in epoll_wait) answers on the vCPU's ack eventfd
 *   mbox     ptvm's mailbox (mbox.c): futex words, both sides spinning a
 *            bounded while, the eventfd kick only when the loop sleeps
 *
 * Each handoff figure is taken twice: back to back, and with a gap of
 * GAP_NS between traps (longer than the loop's poll window, so the loop
 * is asleep in epoll_wait each time, as between a guest's sparse exits);
 * the gap is not counted in the figure.
 *
 *   build/tests/handoff-bench [N]     (default 200000)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mbox.h"

#define GAP_NS 50000

static int req_fd, ack_fd, ep_fd;
static volatile uint32_t reg;
static struct mbox mb;
static struct mbox_loop ml;
static _Atomic int quit, stop;

/* The "device model": what the loop does for one access. */
static void handle(void)
{
	reg = reg * 1103515245u + 12345u;
}

static void *loop_eventfd(void *arg)
{
	struct epoll_event ev;
	uint64_t v, one = 1;

	(void)arg;
	for (;;) {
		if (epoll_wait(ep_fd, &ev, 1, -1) != 1)
			continue;
		if (read(req_fd, &v, sizeof(v)) != sizeof(v))
			continue;
		if (v == 2)
			return NULL;
		handle();
		if (write(ack_fd, &one, sizeof(one)) != sizeof(one))
			return NULL;
	}
}

/* ptvm's vm_loop, reduced to the mailbox (vmm.c). */
static void *loop_mbox(void *arg)
{
	struct epoll_event ev;
	uint64_t cnt;

	(void)arg;
	for (;;) {
		uint64_t t0 = mbox_now_ns(), last = t0, t = t0;
		int timeout = -1;

		for (;;) {
			if (mbox_pending(&mb)) {
				if (atomic_load(&quit))
					return NULL;
				handle();
				mbox_answer(&mb);
				last = t;
			} else if (t - last > MBOX_LOOP_POLL_NS) {
				break;
			}
			if (t - t0 > 1000000) {
				timeout = 0;
				break;
			}
			mbox_relax();
			t = mbox_now_ns();
		}
		mbox_loop_sleep(&ml);
		if (mbox_pending(&mb))
			timeout = 0;
		if (epoll_wait(ep_fd, &ev, 1, timeout) == 1 &&
		    read(ml.kick_fd, &cnt, sizeof(cnt)) < 0) {
			/* EAGAIN: consumed already */
		}
		mbox_loop_wake(&ml);
	}
}

static void gap(void)
{
	uint64_t t = mbox_now_ns();

	while (mbox_now_ns() - t < GAP_NS)
		mbox_relax();
}

/* Mean ns per round trip of n posts; with_gap waits GAP_NS before each. */
static double run_eventfd(long n, int with_gap)
{
	uint64_t v, one = 1, t, sum = 0;
	long i;

	for (i = 0; i < n; i++) {
		if (with_gap)
			gap();
		t = mbox_now_ns();
		if (write(req_fd, &one, sizeof(one)) != sizeof(one) ||
		    read(ack_fd, &v, sizeof(v)) != sizeof(v))
			exit(1);
		sum += mbox_now_ns() - t;
	}
	return (double)sum / n;
}

static double run_mbox(long n, int with_gap)
{
	uint64_t t, sum = 0;
	long i;

	for (i = 0; i < n; i++) {
		if (with_gap)
			gap();
		t = mbox_now_ns();
		if (mbox_wait(&mb, mbox_post(&mb, &ml), &stop))
			exit(1);
		sum += mbox_now_ns() - t;
	}
	return (double)sum / n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, ng, i;
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t t0, t1, two = 2;
	double ev_b2b, ev_gap, mb_b2b, mb_gap;
	pthread_t th;

	ng = n / 20 > 0 ? n / 20 : 1; /* with the gap: 1 s per 20,000 */
	req_fd = eventfd(0, EFD_NONBLOCK);
	ack_fd = eventfd(0, 0);
	ep_fd = epoll_create1(0);
	if (n <= 0 || req_fd < 0 || ack_fd < 0 || ep_fd < 0 ||
	    epoll_ctl(ep_fd, EPOLL_CTL_ADD, req_fd, &ev) ||
	    pthread_create(&th, NULL, loop_eventfd, NULL)) {
		fprintf(stderr, "handoff-bench: setup failed\n");
		return 1;
	}
	t0 = mbox_now_ns();
	for (i = 0; i < n; i++)
		handle();
	t1 = mbox_now_ns();
	ev_b2b = run_eventfd(n, 0);
	ev_gap = run_eventfd(ng, 1);
	if (write(req_fd, &two, sizeof(two)) != sizeof(two))
		return 1;
	pthread_join(th, NULL);

	ml.kick_fd = eventfd(0, EFD_NONBLOCK);
	if (ml.kick_fd < 0 || epoll_ctl(ep_fd, EPOLL_CTL_DEL, req_fd, NULL) ||
	    epoll_ctl(ep_fd, EPOLL_CTL_ADD, ml.kick_fd, &ev) ||
	    pthread_create(&th, NULL, loop_mbox, NULL)) {
		fprintf(stderr, "handoff-bench: setup failed\n");
		return 1;
	}
	mb_b2b = run_mbox(n, 0);
	mb_gap = run_mbox(ng, 1);
	atomic_store(&quit, 1);
	mbox_post(&mb, &ml);
	pthread_join(th, NULL);

	printf("HANDOFF n=%ld inline_ns=%.1f handoff_ns=%.1f mbox_ns=%.1f handoff_gap_ns=%.1f mbox_gap_ns=%.1f mbox/handoff=%.2f gap:%.2f\n",
	       n, (double)(t1 - t0) / n, ev_b2b, mb_b2b, ev_gap, mb_gap,
	       mb_b2b / ev_b2b, mb_gap / ev_gap);
	return 0;
}
