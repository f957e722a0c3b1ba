/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "irq/kvm.h"

int irq_kvm_commit(int vm_fd, const struct irq_routes *r)
{
	struct kvm_irq_routing *t;
	size_t sz = sizeof(*t) + r->n * sizeof(t->entries[0]);
	int ret = 0;

	t = calloc(1, sz);
	if (!t)
		return -ENOMEM;
	t->nr = r->n;
	memcpy(t->entries, r->e, r->n * sizeof(t->entries[0]));
	if (ioctl(vm_fd, KVM_SET_GSI_ROUTING, t) < 0)
		ret = -errno;
	free(t);
	return ret;
}

int irq_kvm_irqfd(int vm_fd, int efd, unsigned int gsi, int resample_fd)
{
	struct kvm_irqfd f = { .fd = (uint32_t)efd, .gsi = gsi };

	if (resample_fd >= 0) {
		f.flags = KVM_IRQFD_FLAG_RESAMPLE;
		f.resamplefd = (uint32_t)resample_fd;
	}
	return ioctl(vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

int irq_kvm_irqfd_del(int vm_fd, int efd, unsigned int gsi)
{
	struct kvm_irqfd f = { .fd = (uint32_t)efd,
			       .gsi = gsi,
			       .flags = KVM_IRQFD_FLAG_DEASSIGN };

	return ioctl(vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

int irq_kvm_line(int vm_fd, unsigned int gsi, int level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = (uint32_t)level };

	return ioctl(vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}
