/* SPDX-License-Identifier: MIT */
/*
 * A passed-through function's interrupts: MSI and MSI-X vectors as VFIO
 * eventfds bound to KVM irqfds (or watched by the loop while the guest
 * has them masked), and INTx through a resampling irqfd. The device model
 * (pci/vdev.h) drives these through its irq ops.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arch.h"
#include "irq/kvm.h"
#include "vfio/irq.h"
#include "vfio/pci.h"

static void vec_watch(struct ptdev_vec *v, int on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &v->src };

	if (on == v->watched)
		return;
	if (!epoll_ctl(v->pt->vm->epoll_fd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		       v->efd, &ev))
		v->watched = on;
}

/* An unrouted vector fired: the guest has it masked, so it is pending. */
static void on_vec(struct vm *vm, void *arg)
{
	struct ptdev_vec *v = arg;
	uint64_t cnt;

	(void)vm;
	if (read(v->efd, &cnt, sizeof(cnt)) == sizeof(cnt))
		pci_vdev_irq_fired(&v->pt->vdev, v->index, v->vec);
}

void ptdev_intx_set(struct ptdev *pt, int on)
{
	if (pt->intx_efd < 0 || on == pt->intx_on)
		return;
	if (on) {
		if (vfio_dev_irqs(&pt->dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
				  &pt->intx_efd) ||
		    vfio_dev_irq_unmask_fd(&pt->dev, VFIO_PCI_INTX_IRQ_INDEX,
					   pt->intx_resample))
			return;
	} else {
		vfio_dev_irqs(&pt->dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 0, NULL);
	}
	pt->intx_on = on;
}

static void vecs_free(struct ptdev *pt, unsigned int index)
{
	struct vm *vm = pt->vm;
	unsigned int i;
	int commit = 0;

	for (i = 0; i < pt->nvec[index]; i++) {
		struct ptdev_vec *v = &pt->vec[index][i];

		vec_watch(v, 0);
		if (v->routed)
			irq_kvm_irqfd_del(vm->vm_fd, v->efd,
					  (unsigned int)v->gsi);
		if (v->gsi >= 0) {
			irq_routes_msi_free(&vm->routes, (unsigned int)v->gsi);
			commit = 1;
		}
		if (v->efd >= 0)
			close(v->efd);
	}
	if (commit)
		irq_kvm_commit(vm->vm_fd, &vm->routes);
	free(pt->vec[index]);
	pt->vec[index] = NULL;
	pt->nvec[index] = 0;
}

int ptdev_irq_enable(void *opaque, unsigned int index, unsigned int nvec)
{
	struct ptdev *pt = opaque;
	struct ptdev_vec *vec;
	int *fds, ret = -ENOMEM;
	unsigned int i;

	if (index >= VFIO_PCI_NUM_IRQS || !nvec ||
	    nvec > pt->dev.irq_count[index] || pt->vec[index])
		return -EINVAL;
	vec = calloc(nvec, sizeof(*vec));
	fds = calloc(nvec, sizeof(*fds));
	if (!vec || !fds)
		goto err_free;
	pt->vec[index] = vec;
	pt->nvec[index] = nvec;
	for (i = 0; i < nvec; i++) {
		vec[i] = (struct ptdev_vec){
			.pt = pt, .index = index, .vec = i, .gsi = -1
		};
		vec[i].src = (struct vm_source){ .fn = on_vec, .arg = &vec[i] };
		vec[i].efd = fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vec[i].efd < 0) {
			ret = -errno;
			goto err_vecs;
		}
		/* Until routed, a fire is a pending bit for pci/vdev. */
		vec_watch(&vec[i], 1);
	}
	/* VFIO takes MSI or MSI-X only with INTx off. */
	ptdev_intx_set(pt, 0);
	ret = vfio_dev_irqs(&pt->dev, index, 0, nvec, fds);
	if (ret)
		goto err_vecs;
	free(fds);
	return 0;

err_vecs:
	pt->nvec[index] = i + (i < nvec && vec[i].efd >= 0);
	vecs_free(pt, index);
	ptdev_intx_set(pt, 1);
	vec = NULL;
err_free:
	free(vec);
	free(fds);
	return ret;
}

int ptdev_irq_disable(void *opaque, unsigned int index)
{
	struct ptdev *pt = opaque;

	if (index >= VFIO_PCI_NUM_IRQS || !pt->vec[index])
		return -EINVAL;
	vfio_dev_irqs(&pt->dev, index, 0, 0, NULL);
	vecs_free(pt, index);
	if (!pt->vec[VFIO_PCI_MSI_IRQ_INDEX] &&
	    !pt->vec[VFIO_PCI_MSIX_IRQ_INDEX])
		ptdev_intx_set(pt, 1);
	return 0;
}

static struct ptdev_vec *vec_get(struct ptdev *pt, unsigned int index,
				 unsigned int vec)
{
	if (index >= VFIO_PCI_NUM_IRQS || vec >= pt->nvec[index])
		return NULL;
	return &pt->vec[index][vec];
}

int ptdev_irq_route(void *opaque, unsigned int index, unsigned int vec,
		    uint64_t addr, uint32_t data)
{
	struct ptdev *pt = opaque;
	struct ptdev_vec *v = vec_get(pt, index, vec);
	struct vm *vm = pt->vm;
	int ret;

	if (!v)
		return -EINVAL;
	if (v->gsi < 0) {
		v->gsi = irq_routes_msi_alloc(&vm->routes);
		if (v->gsi < 0)
			return v->gsi;
	}
	ret = irq_routes_msi_set(&vm->routes, (unsigned int)v->gsi, addr, data,
				 pt->devfn);
	if (!ret)
		ret = irq_kvm_commit(vm->vm_fd, &vm->routes);
	if (ret)
		return ret;
	pt->stats.route_changes++;
	if (vec < PTDEV_STATS_VECS)
		pt->stats.vec_routes[index == VFIO_PCI_MSIX_IRQ_INDEX][vec]++;
	if (!v->routed) {
		/* Stop watching first, so that no fire wakes ptvm again. */
		vec_watch(v, 0);
		ret = irq_kvm_irqfd(vm->vm_fd, v->efd, (unsigned int)v->gsi,
				    -1);
		if (ret) {
			vec_watch(v, 1);
			return ret;
		}
		v->routed = 1;
	}
	return 0;
}

int ptdev_irq_unroute(void *opaque, unsigned int index, unsigned int vec)
{
	struct ptdev *pt = opaque;
	struct ptdev_vec *v = vec_get(pt, index, vec);

	if (!v)
		return -EINVAL;
	if (v->routed) {
		irq_kvm_irqfd_del(pt->vm->vm_fd, v->efd, (unsigned int)v->gsi);
		v->routed = 0;
		pt->stats.route_changes++;
	}
	vec_watch(v, 1);
	return 0;
}

int ptdev_irq_inject(void *opaque, unsigned int index, unsigned int vec)
{
	struct ptdev *pt = opaque;
	struct ptdev_vec *v = vec_get(pt, index, vec);
	uint64_t one = 1;

	if (!v || !v->routed)
		return -EINVAL;
	return write(v->efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

int ptdev_intx_open(struct ptdev *pt)
{
	uint32_t pin = 0;
	int ret;

	pt->intx_efd = pt->intx_resample = -1;
	pci_vdev_cfg_read(&pt->vdev, PCI_INTERRUPT_PIN, 1, &pin);
	if (!pin || pin > 4 || !pt->dev.irq_count[VFIO_PCI_INTX_IRQ_INDEX])
		return 0;
	pt->intx_gsi = (int)arch_intx_gsi(pt->slot, pin);
	pt->intx_efd = eventfd(0, EFD_CLOEXEC);
	pt->intx_resample = eventfd(0, EFD_CLOEXEC);
	if (pt->intx_efd < 0 || pt->intx_resample < 0)
		return -errno;
	/*
	 * Level-triggered: VFIO masks the line and signals intx_efd; KVM
	 * asserts the GSI until the guest's EOI, then signals the resample
	 * eventfd, which VFIO takes as the unmask. ptvm is never woken.
	 */
	ret = irq_kvm_irqfd(pt->vm->vm_fd, pt->intx_efd,
			    (unsigned int)pt->intx_gsi, pt->intx_resample);
	if (ret)
		return ret;
	ptdev_intx_set(pt, 1);
	return pt->intx_on ? 0 : -EIO;
}
