/* SPDX-License-Identifier: MIT */
/*
 * VFIO's two notifications about the device itself: the error IRQ (an
 * AER uncorrectable error the host caught) and the request IRQ (the host
 * wants the device back: an unbind or a hot-unplug is waiting on us). Both
 * end the guest: it must not run on a failed device, and a pending
 * request blocks the host until ptvm lets go.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fmt.h"
#include "vfio/notify.h"
#include "vfio/pci.h"

static const char *const notify_why[PTDEV_NOTIFY] = {
	"the device reported an error (AER)",
	"the host asks for the device back (unbind or removal)",
};

static void on_notify(struct vm *vm, void *arg)
{
	struct ptdev_notify *n = arg;
	uint64_t cnt;

	if (read(n->efd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	fmt_fprintf(stderr, "ptvm: %s: %s; stopping the guest\n",
		    n->pt->dev.name, notify_why[n->kind]);
	if (vm->exit_code < 0)
		vm->exit_code = EXIT_DEVICE;
}

void ptdev_notify_open(struct ptdev *pt)
{
	static const unsigned int index[PTDEV_NOTIFY] = {
		VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX
	};
	unsigned int k;

	for (k = 0; k < PTDEV_NOTIFY; k++) {
		struct ptdev_notify *n = &pt->notify[k];
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.ptr = &n->src };

		n->pt = pt;
		n->kind = k;
		n->src = (struct vm_source){ .fn = on_notify, .arg = n };
		/* Not every device or kernel has them: then there is no news. */
		if (!pt->dev.irq_count[index[k]])
			continue;
		n->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (n->efd < 0)
			continue;
		if (vfio_dev_irqs(&pt->dev, index[k], 0, 1, &n->efd) ||
		    epoll_ctl(pt->vm->epoll_fd, EPOLL_CTL_ADD, n->efd, &ev)) {
			vfio_dev_irqs(&pt->dev, index[k], 0, 0, NULL);
			close(n->efd);
			n->efd = -1;
			continue;
		}
		n->index = index[k];
	}
}

void ptdev_notify_close(struct ptdev *pt)
{
	unsigned int k;

	for (k = 0; k < PTDEV_NOTIFY; k++) {
		struct ptdev_notify *n = &pt->notify[k];

		if (n->efd < 0)
			continue;
		epoll_ctl(pt->vm->epoll_fd, EPOLL_CTL_DEL, n->efd, NULL);
		vfio_dev_irqs(&pt->dev, n->index, 0, 0, NULL);
		close(n->efd);
		n->efd = -1;
	}
}
