/* SPDX-License-Identifier: MIT */
/*
 * The only code that talks to VFIO. This backend is the type1
 * container/group interface (what Debian 12's 6.1 kernel has); the rest of
 * ptvm sees only these functions, so an iommufd/cdev backend can replace
 * this file without touching pci/. All functions return 0 or -errno and
 * print nothing; vfio/sysfs.c explains failures for the user.
 */
#ifndef PTVM_VFIO_VFIO_H
#define PTVM_VFIO_VFIO_H

#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "opts.h"

#define VFIO_MAX_GROUPS OPTS_MAX_DEVICES
#define VFIO_MAX_SPARSE 8

struct vfio_group {
	int id;
	int fd;
};

struct vfio_region {
	uint32_t flags; /* VFIO_REGION_INFO_FLAG_* */
	uint64_t size;
	uint64_t offset; /* in the device fd */
	unsigned int nareas; /* mmap-able parts, relative to the region */
	struct {
		uint64_t offset, size;
	} area[VFIO_MAX_SPARSE];
	uint8_t *map; /* mmap of the whole region when mmap-able, else NULL */
};

struct vfio_dev {
	char name[16]; /* DDDD:BB:SS.F */
	int fd;
	struct vfio_group *group;
	uint32_t flags; /* VFIO_DEVICE_FLAGS_* */
	unsigned int nregions;
	struct vfio_region region[VFIO_PCI_NUM_REGIONS];
	uint32_t irq_count[VFIO_PCI_NUM_IRQS];
};

struct vfio {
	int container;
	unsigned int ngroups;
	struct vfio_group group[VFIO_MAX_GROUPS];
};

void vfio_init(struct vfio *v);
/* Opens the container (once) and the group of bdf, checks it is viable and adds it. */
int vfio_group_get(struct vfio *v, const char *bdf, struct vfio_group **g);
/* Selects the type1 IOMMU; after the first group is attached. */
int vfio_set_iommu(struct vfio *v);
int vfio_dma_map(struct vfio *v, uint64_t iova, void *hva, uint64_t size);
int vfio_dma_unmap(struct vfio *v, uint64_t iova, uint64_t size);
void vfio_close(struct vfio *v);

/* Opens the device in group g and reads its regions and IRQ counts. */
int vfio_dev_open(struct vfio_dev *d, struct vfio_group *g, const char *bdf);
/* mmaps every mmap-able BAR region (sparse areas honoured). */
int vfio_dev_map_bars(struct vfio_dev *d);
void vfio_dev_close(struct vfio_dev *d);
int vfio_dev_reset(struct vfio_dev *d);
int vfio_dev_read(struct vfio_dev *d, unsigned int region, uint64_t off,
		  void *buf, size_t len);
int vfio_dev_write(struct vfio_dev *d, unsigned int region, uint64_t off,
		   const void *buf, size_t len);
/*
 * VFIO_DEVICE_SET_IRQS, ACTION_TRIGGER: fds[count] eventfds from start
 * (-1 leaves a vector unsignalled); count 0 disables the index.
 */
int vfio_dev_irqs(struct vfio_dev *d, unsigned int index, unsigned int start,
		  unsigned int count, const int *fds);
/* ACTION_UNMASK through an eventfd (INTx resample). */
int vfio_dev_irq_unmask_fd(struct vfio_dev *d, unsigned int index, int fd);

#endif
