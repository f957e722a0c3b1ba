// SPDX-License-Identifier: MIT
/*
 * What a trapped access costs in ptvm's design beyond the VM exit itself:
 * the vCPU thread posts it to the loop's eventfd, the loop (in epoll_wait)
 * answers on the vCPU's ack eventfd. Measured as round trips per second
 * against the same work done on the vCPU thread itself.
 *
 *   build/tests/handoff-bench [N]     (default 200000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int req_fd, ack_fd, ep_fd;
static volatile uint32_t reg;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The "device model": what the loop does for one access. */
static void handle(void)
{
	reg = reg * 1103515245u + 12345u;
}

static void *loop(void *arg)
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

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, i;
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t t0, t1, t2, v, one = 1, two = 2;
	pthread_t th;

	req_fd = eventfd(0, EFD_NONBLOCK);
	ack_fd = eventfd(0, 0);
	ep_fd = epoll_create1(0);
	if (n <= 0 || req_fd < 0 || ack_fd < 0 || ep_fd < 0 ||
	    epoll_ctl(ep_fd, EPOLL_CTL_ADD, req_fd, &ev) ||
	    pthread_create(&th, NULL, loop, NULL)) {
		fprintf(stderr, "handoff-bench: setup failed\n");
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		handle();
	t1 = now_ns();
	for (i = 0; i < n; i++) {
		if (write(req_fd, &one, sizeof(one)) != sizeof(one) ||
		    read(ack_fd, &v, sizeof(v)) != sizeof(v))
			return 1;
	}
	t2 = now_ns();
	if (write(req_fd, &two, sizeof(two)) != sizeof(two))
		return 1;
	pthread_join(th, NULL);
	printf("HANDOFF n=%ld inline_ns=%.1f handoff_ns=%.1f\n", n,
	       (double)(t1 - t0) / n, (double)(t2 - t1) / n);
	return 0;
}
