/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "fmt.h"
#include "traps.h"
#include "vfio/pci.h"
#include "vfio/reset.h"

static void *reset_thread(void *arg)
{
	struct ptdev *pt = arg;
	uint64_t one = 1;

	pt->reset.err = vfio_dev_reset(&pt->dev);
	if (write(pt->reset.efd, &one, sizeof(one)) != sizeof(one)) {
		/* cannot happen on an eventfd short of 2^64 - 1 posts */
	}
	return NULL;
}

/* Counts the reset that ended; a failure is told in one line. */
static void reset_ended(struct ptdev *pt)
{
	uint64_t ns = clock_ns() - pt->reset.t0;

	pt->stats.resets++;
	pt->stats.reset_ns += ns;
	if (ns > pt->stats.reset_max_ns)
		pt->stats.reset_max_ns = ns;
	if (!pt->reset.err)
		return;
	pt->stats.reset_failed++;
	fmt_fprintf(
		stderr,
		"ptvm: %s: the function reset the guest asked for failed (%s); the device is as the reset left it\n",
		pt->dev.name, strerror(-pt->reset.err));
}

/* The thread is done: the guest's held accesses to the function go on. */
static void on_reset_done(struct vm *vm, void *arg)
{
	struct ptdev *pt = arg;
	uint64_t cnt;

	if (!pt->reset.running ||
	    read(pt->reset.efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	pthread_join(pt->reset.thread, NULL);
	pt->reset.running = 0;
	vm->resets--;
	reset_ended(pt);
	vm_traps_release(vm);
}

int ptdev_reset_start(void *opaque)
{
	struct ptdev *pt = opaque;
	struct vm *vm = pt->vm;
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.ptr = &pt->reset.src };

	if (pt->reset.running)
		return 0; /* cannot be: its config accesses are held */
	pt->reset.t0 = clock_ns();
	if (pt->reset.efd < 0) {
		pt->reset.src =
			(struct vm_source){ .fn = on_reset_done, .arg = pt };
		pt->reset.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (pt->reset.efd >= 0 && epoll_ctl(vm->epoll_fd, EPOLL_CTL_ADD,
						    pt->reset.efd, &ev)) {
			close(pt->reset.efd);
			pt->reset.efd = -1;
		}
	}
	if (pt->reset.efd >= 0 &&
	    !pthread_create(&pt->reset.thread, NULL, reset_thread, pt)) {
		pt->reset.running = 1;
		vm->resets++;
		return 0;
	}
	/* No thread: the reset runs here, and the loop waits for it. */
	pt->reset.err = vfio_dev_reset(&pt->dev);
	reset_ended(pt);
	return pt->reset.err;
}

int ptdev_resetting(const struct ptdev *pt)
{
	return pt->reset.running;
}

void ptdev_reset_close(struct ptdev *pt)
{
	if (pt->reset.running) {
		pthread_join(pt->reset.thread, NULL);
		pt->reset.running = 0;
		pt->vm->resets--;
		reset_ended(pt);
	}
	if (pt->reset.efd >= 0) {
		epoll_ctl(pt->vm->epoll_fd, EPOLL_CTL_DEL, pt->reset.efd, NULL);
		close(pt->reset.efd);
		pt->reset.efd = -1;
	}
}
