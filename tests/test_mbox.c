// SPDX-License-Identifier: MIT
/*
 * mbox.c: the trap mailbox with real threads. A lost wake-up shows as a
 * hang, which alarm() turns into a failed test (the long test: a watchdog
 * that fails it when no round trip completes for a while, so that a
 * loaded host, slow but never stuck, does not).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>

#include "harness.h"
#include "mbox.h"

static int kick_pending(const struct mbox_loop *l)
{
	struct pollfd p = { .fd = l->kick_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

TEST(kicks_the_eventfd_only_while_the_loop_sleeps)
{
	struct mbox_loop l = { .kick_fd = eventfd(0, EFD_NONBLOCK) };
	struct mbox m = { 0 };
	_Atomic int stop = 0;
	uint64_t cnt;

	ASSERT_GE(l.kick_fd, 0);
	mbox_loop_wake(&l);
	EXPECT_EQ(mbox_post(&m, &l), 1); /* awake: it will look by itself */
	EXPECT_FALSE(kick_pending(&l));
	ASSERT_TRUE(mbox_pending(&m));
	mbox_answer(&m);
	EXPECT_FALSE(mbox_pending(&m));
	EXPECT_EQ(mbox_wait(&m, 1, &stop), 0);

	mbox_loop_sleep(&l);
	EXPECT_EQ(mbox_post(&m, &l), 0);
	EXPECT_TRUE(kick_pending(&l));
	ASSERT_EQ(read(l.kick_fd, &cnt, sizeof(cnt)), sizeof(cnt));
	EXPECT_TRUE(mbox_pending(&m));
	mbox_answer(&m);
	EXPECT_EQ(mbox_wait(&m, 0, &stop), 0);
}

struct waiter {
	struct mbox m;
	_Atomic int stop;
	int ret;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->ret = mbox_wait(&w->m, 0, &w->stop);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000 };

	nanosleep(&ts, NULL);
}

TEST(an_answer_wakes_a_vcpu_asleep_in_futex_wait)
{
	struct mbox_loop l = { .kick_fd = eventfd(0, EFD_NONBLOCK) };
	struct waiter w = { .ret = 1 };
	pthread_t t;

	alarm(10);
	mbox_post(&w.m, &l);
	ASSERT_EQ(pthread_create(&t, NULL, wait_thread, &w), 0);
	sleep_ms(50); /* past its spin: asleep in FUTEX_WAIT */
	EXPECT_EQ(atomic_load(&w.m.waiting), 1);
	mbox_answer(&w.m);
	pthread_join(t, NULL);
	EXPECT_EQ(w.ret, 0);
}

TEST(cancel_releases_a_waiting_vcpu_at_teardown)
{
	struct mbox_loop l = { .kick_fd = eventfd(0, EFD_NONBLOCK) };
	struct waiter w = { .ret = 1 };
	pthread_t t;

	alarm(10);
	mbox_post(&w.m, &l);
	ASSERT_EQ(pthread_create(&t, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	atomic_store(&w.stop, 1);
	mbox_cancel(&w.m);
	pthread_join(t, NULL);
	EXPECT_EQ(w.ret, -ECANCELED);
}

/* ---- the whole protocol: vm_loop's shape against two vCPU threads ---- */

#define NV 2
#define ROUNDS 20000

static struct mbox boxes[NV];
static struct mbox_loop loop;
static uint32_t value[NV], answer[NV];
static _Atomic int done, never;
static _Atomic long trips; /* round trips answered, for the watchdog */

#define STUCK_SECS 30

/*
 * A lost wake-up leaves the loop and both vCPUs asleep for good: no round
 * trip completes. Anything else only goes slower on a busy host.
 */
static void *watchdog(void *arg)
{
	long seen = -1;
	int still = 0;

	(void)arg;
	while (atomic_load(&done) < NV) {
		long now = atomic_load(&trips);

		still = now == seen ? still + 1 : 0;
		seen = now;
		if (still >= 2 * STUCK_SECS) {
			printf("# no round trip in %d s, at %ld: a lost wake-up\n",
			       STUCK_SECS, now);
			fflush(stdout);
			_exit(1);
		}
		sleep_ms(500);
	}
	return NULL;
}

static void *vcpu(void *arg)
{
	long id = (long)arg, i;

	for (i = 1; i <= ROUNDS; i++) {
		value[id] = (uint32_t)i; /* the trap, written before post */
		if (mbox_wait(&boxes[id], mbox_post(&boxes[id], &loop), &never))
			return (void *)1;
		if (answer[id] != (uint32_t)i * 3) /* read after the answer */
			return (void *)1;
		atomic_fetch_add(&trips, 1);
		if (i % 64 == 0)
			sleep_ms(1); /* let the loop fall asleep now and then */
	}
	atomic_fetch_add(&done, 1);
	mbox_post(&boxes[id], &loop); /* wake the loop to see done */
	return NULL;
}

TEST(no_lost_wakeups_in_many_round_trips_with_a_sleeping_loop)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);
	pthread_t t[NV], wd;
	long i;

	ASSERT_EQ(pthread_create(&wd, NULL, watchdog, NULL), 0);
	loop.kick_fd = eventfd(0, EFD_NONBLOCK);
	ASSERT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, loop.kick_fd, &ev), 0);
	for (i = 0; i < NV; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, vcpu, (void *)i), 0);
	while (atomic_load(&done) < NV) {
		uint64_t t0 = mbox_now_ns(), last = t0, now = t0, cnt;
		int timeout = -1, served;

		for (;;) {
			served = 0;
			for (i = 0; i < NV; i++) {
				if (!mbox_pending(&boxes[i]))
					continue;
				answer[i] = value[i] * 3;
				mbox_answer(&boxes[i]);
				served = 1;
			}
			if (served)
				last = now;
			else if (now - last > MBOX_LOOP_POLL_NS)
				break;
			mbox_relax();
			now = mbox_now_ns();
		}
		mbox_loop_sleep(&loop);
		for (i = 0; i < NV; i++)
			if (mbox_pending(&boxes[i]))
				timeout = 0;
		if (atomic_load(&done) >= NV)
			break;
		if (epoll_wait(ep, &ev, 1, timeout) == 1)
			ASSERT_EQ(read(loop.kick_fd, &cnt, sizeof(cnt)),
				  sizeof(cnt));
		mbox_loop_wake(&loop);
	}
	for (i = 0; i < NV; i++) {
		void *r;

		pthread_join(t[i], &r);
		EXPECT_EQ((long)r, 0);
	}
	pthread_join(wd, NULL);
	EXPECT_EQ(atomic_load(&trips), (long)NV * ROUNDS);
}

TEST_MAIN()
