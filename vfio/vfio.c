/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fmt.h"
#include "vfio/vfio.h"

void vfio_init(struct vfio *v)
{
	memset(v, 0, sizeof(*v));
	v->container = -1;
}

static int group_id(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	const char *base;

	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		     bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

int vfio_group_get(struct vfio *v, const char *bdf, struct vfio_group **out)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_group *g;
	char path[64];
	unsigned int i;
	int id, ret;

	if (v->container < 0) {
		v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		if (v->container < 0)
			return -errno;
		if (ioctl(v->container, VFIO_GET_API_VERSION) !=
			    VFIO_API_VERSION ||
		    !ioctl(v->container, VFIO_CHECK_EXTENSION,
			   VFIO_TYPE1v2_IOMMU))
			return -ENOTSUP;
	}
	id = group_id(bdf);
	if (id < 0)
		return id;
	for (i = 0; i < v->ngroups; i++) {
		if (v->group[i].id == id) {
			*out = &v->group[i];
			return 0;
		}
	}
	if (v->ngroups == VFIO_MAX_GROUPS)
		return -ENOSPC;
	g = &v->group[v->ngroups];
	fmt_snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0)
		return -errno;
	g->id = id;
	if (ioctl(g->fd, VFIO_GROUP_GET_STATUS, &st) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ret = -EXDEV; /* another member of the group is not ours */
		goto err_close;
	}
	if (ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &v->container) < 0) {
		ret = -errno;
		goto err_close;
	}
	v->ngroups++;
	*out = g;
	return 0;

err_close:
	close(g->fd);
	g->fd = -1;
	return ret;
}

int vfio_set_iommu(struct vfio *v)
{
	return ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0
		       ? -errno
		       : 0;
}

int vfio_dma_map(struct vfio *v, uint64_t iova, void *hva, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)hva,
		.iova = iova,
		.size = size,
	};

	return ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) < 0 ? -errno : 0;
}

int vfio_dma_unmap(struct vfio *v, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u),
						.iova = iova,
						.size = size };

	return ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u) < 0 ? -errno : 0;
}

void vfio_close(struct vfio *v)
{
	unsigned int i;

	/* Closing the groups detaches them; the last one drops all DMA maps. */
	for (i = 0; i < v->ngroups; i++) {
		ioctl(v->group[i].fd, VFIO_GROUP_UNSET_CONTAINER);
		close(v->group[i].fd);
	}
	v->ngroups = 0;
	if (v->container >= 0)
		close(v->container);
	v->container = -1;
}

/* Reads the sparse-mmap capability, if any, into r->area. */
static void region_caps(struct vfio_region *r,
			const struct vfio_region_info *info)
{
	const uint8_t *base = (const uint8_t *)info;
	uint32_t off = info->cap_offset;
	unsigned int hops = 0;

	r->nareas = 1;
	r->area[0].offset = 0;
	r->area[0].size = info->size;
	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return;
	while (off &&
	       off + sizeof(struct vfio_info_cap_header) <= info->argsz &&
	       hops++ < 16) {
		const struct vfio_info_cap_header *h =
			(const void *)(base + off);

		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			const struct vfio_region_info_cap_sparse_mmap *s =
				(const void *)h;
			unsigned int i;

			r->nareas = 0;
			for (i = 0; i < s->nr_areas && i < VFIO_MAX_SPARSE;
			     i++) {
				if ((const uint8_t *)&s->areas[i + 1] >
				    base + info->argsz)
					break;
				r->area[r->nareas].offset = s->areas[i].offset;
				r->area[r->nareas].size = s->areas[i].size;
				r->nareas++;
			}
		}
		off = h->next;
	}
}

static int region_info(struct vfio_dev *d, unsigned int index)
{
	struct vfio_region_info *info;
	struct vfio_region *r = &d->region[index];
	uint32_t argsz = sizeof(*info);
	int ret = 0;

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		info->index = index;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
			ret = errno == EINVAL ? 0 : -errno; /* absent region */
			free(info);
			return ret;
		}
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz; /* capabilities did not fit: again */
		free(info);
	}
	r->flags = info->flags;
	r->size = info->size;
	r->offset = info->offset;
	region_caps(r, info);
	free(info);
	return 0;
}

int vfio_dev_open(struct vfio_dev *d, struct vfio_group *g, const char *bdf)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	unsigned int i;
	int ret;

	memset(d, 0, sizeof(*d));
	/* bdf may go on with " vf_token=UUID" for VFIO (a VF of a vfio PF) */
	fmt_snprintf(d->name, sizeof(d->name), "%.12s", bdf);
	d->group = g;
	d->fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0)
		return -errno;
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		ret = -ENODEV;
		goto err_close;
	}
	d->flags = info.flags;
	d->nregions = info.num_regions < VFIO_PCI_NUM_REGIONS
			      ? info.num_regions
			      : VFIO_PCI_NUM_REGIONS;
	for (i = 0; i < d->nregions; i++) {
		ret = region_info(d, i);
		if (ret)
			goto err_close;
	}
	for (i = 0; i < VFIO_PCI_NUM_IRQS && i < info.num_irqs; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) == 0 &&
		    (irq.flags & VFIO_IRQ_INFO_EVENTFD))
			d->irq_count[i] = irq.count;
	}
	return 0;

err_close:
	close(d->fd);
	d->fd = -1;
	return ret;
}

int vfio_dev_map_bars(struct vfio_dev *d)
{
	unsigned int i;

	for (i = VFIO_PCI_BAR0_REGION_INDEX;
	     i <= VFIO_PCI_BAR5_REGION_INDEX && i < d->nregions; i++) {
		struct vfio_region *r = &d->region[i];
		void *p;

		if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || !r->size)
			continue;
		p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 d->fd, (off_t)r->offset);
		if (p == MAP_FAILED) {
			/*
			 * A region that mmaps only in its sparse areas: map
			 * those one by one into a reserved range.
			 */
			unsigned int a;

			p = mmap(NULL, r->size, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return -errno;
			for (a = 0; a < r->nareas; a++) {
				if (mmap((uint8_t *)p + r->area[a].offset,
					 r->area[a].size,
					 PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_FIXED, d->fd,
					 (off_t)(r->offset +
						 r->area[a].offset)) ==
				    MAP_FAILED) {
					munmap(p, r->size);
					return -errno;
				}
			}
		}
		r->map = p;
	}
	return 0;
}

void vfio_dev_close(struct vfio_dev *d)
{
	unsigned int i;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		if (d->region[i].map)
			munmap(d->region[i].map, d->region[i].size);
		d->region[i].map = NULL;
	}
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int vfio_dev_reset(struct vfio_dev *d)
{
	if (!(d->flags & VFIO_DEVICE_FLAGS_RESET))
		return -ENOTTY;
	return ioctl(d->fd, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}

static int region_ok(struct vfio_dev *d, unsigned int region, uint64_t off,
		     size_t len)
{
	return region < d->nregions && len <= d->region[region].size &&
	       off <= d->region[region].size - len;
}

int vfio_dev_read(struct vfio_dev *d, unsigned int region, uint64_t off,
		  void *buf, size_t len)
{
	ssize_t n;

	if (!region_ok(d, region, off, len))
		return -EINVAL;
	n = pread(d->fd, buf, len, (off_t)(d->region[region].offset + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_dev_write(struct vfio_dev *d, unsigned int region, uint64_t off,
		   const void *buf, size_t len)
{
	ssize_t n;

	if (!region_ok(d, region, off, len))
		return -EINVAL;
	n = pwrite(d->fd, buf, len, (off_t)(d->region[region].offset + off));
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_dev_irqs(struct vfio_dev *d, unsigned int index, unsigned int start,
		  unsigned int count, const int *fds)
{
	struct vfio_irq_set *s;
	size_t sz = sizeof(*s) + count * sizeof(int);
	int ret = 0;

	s = calloc(1, sz);
	if (!s)
		return -ENOMEM;
	s->argsz = (uint32_t)sz;
	s->index = index;
	s->start = start;
	s->count = count;
	s->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		   (count ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	if (count)
		memcpy(s->data, fds, count * sizeof(int));
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s) < 0)
		ret = -errno;
	free(s);
	return ret;
}

int vfio_dev_irq_unmask_fd(struct vfio_dev *d, unsigned int index, int fd)
{
	struct {
		struct vfio_irq_set s;
		int fd;
	} u = { .s = { .argsz = sizeof(u),
		       .flags = VFIO_IRQ_SET_DATA_EVENTFD |
				VFIO_IRQ_SET_ACTION_UNMASK,
		       .index = index,
		       .start = 0,
		       .count = 1 },
		.fd = fd };

	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u) < 0 ? -errno : 0;
}
