/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the --device list: every group into one container, guest RAM
 * mapped for DMA once, then each device opened. Failures are reported here,
 * once, in a line that names the device and the fix.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "arch.h"
#include "clock.h"
#include "fmt.h"
#include "vfio/devices.h"
#include "vfio/pci.h"
#include "vfio/sysfs.h"
#include "vmm.h"

static int dev_fail(const char *bdf, const char *fmt, ...)
{
	va_list ap;

	fmt_fprintf(stderr, "ptvm: %s: ", bdf);
	va_start(ap, fmt);
	fmt_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERROR;
}

/* Explains why bdf's group could not be opened or attached. */
static int group_fail(const char *bdf, int err)
{
	char drv[64], others[512];
	int group = sysfs_dev_group(bdf), pid;

	if (!sysfs_dev_exists(bdf))
		return dev_fail(
			bdf,
			"no such PCI device (lspci -D lists the host's devices)");
	if (group < 0)
		return dev_fail(
			bdf,
			"no IOMMU group: the host IOMMU is off (boot the host with intel_iommu=on or amd_iommu=on; on arm64, enable the SMMU in the firmware)");
	sysfs_dev_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci")) {
		char unbind[128] = "";

		if (drv[0])
			fmt_snprintf(
				unbind, sizeof(unbind),
				"echo %s > /sys/bus/pci/drivers/%s/unbind; ",
				bdf, drv);
		return dev_fail(
			bdf,
			"bound to %s, not vfio-pci (run: echo vfio-pci > /sys/bus/pci/devices/%s/driver_override; %secho %s > /sys/bus/pci/drivers_probe)",
			drv[0] ? drv : "no driver", bdf, unbind, bdf);
	}
	if (err == -EXDEV) {
		sysfs_group_others(bdf, others, sizeof(others));
		return dev_fail(
			bdf,
			"IOMMU group %d is not viable: bind its other members to vfio-pci or unbind them: %s",
			group, others);
	}
	if (err == -EBUSY) {
		pid = sysfs_group_user(group);
		if (pid)
			return dev_fail(
				bdf,
				"in use by another process (pid %d holds /dev/vfio/%d); stop it first",
				pid, group);
		return dev_fail(
			bdf,
			"in use by another process (/dev/vfio/%d is busy); stop it first",
			group);
	}
	if (err == -ENOENT)
		return dev_fail(
			bdf,
			"/dev/vfio/%d missing (is the vfio-pci module loaded?)",
			group);
	return dev_fail(bdf, "cannot open IOMMU group %d: %s", group,
			strerror(-err));
}

int vm_dma_fail(struct vm *vm, int err)
{
	/* read at setup: the loop's seccomp filter has no prlimit64 */
	const struct rlimit rl = vm->memlock;

	if (err == -ENOMEM && rl.rlim_cur != RLIM_INFINITY)
		fmt_fprintf(
			stderr,
			"ptvm: guest RAM: %llu MiB must be locked for device DMA, but the locked-memory limit is %llu KiB (raise it to %llu KiB: ulimit -l %llu, or run with CAP_IPC_LOCK)\n",
			(unsigned long long)(vm->mem.size >> 20),
			(unsigned long long)(rl.rlim_cur >> 10),
			(unsigned long long)(vm->mem.size >> 10),
			(unsigned long long)(vm->mem.size >> 10));
	else
		fmt_fprintf(
			stderr,
			"ptvm: guest RAM: DMA mapping failed at guest address %#llx: %s\n",
			(unsigned long long)vm->dmamap.fail_gpa,
			strerror(-err));
	return EXIT_ERROR;
}

/* pci/p2p's IOMMU: the container, timed for --stats. */
static int p2p_dma_map(void *opaque, uint64_t iova, void *hva, uint64_t size)
{
	struct vm *vm = opaque;
	uint64_t t0 = clock_ns();
	int ret = vfio_dma_map(&vm->vfio, iova, hva, size);

	vm->stats.bar_dma_map_ns += clock_ns() - t0;
	return ret;
}

static int p2p_dma_unmap(void *opaque, uint64_t iova, uint64_t size)
{
	struct vm *vm = opaque;

	return vfio_dma_unmap(&vm->vfio, iova, size);
}

static const struct pci_p2p_ops p2p_ops = {
	.dma_map = p2p_dma_map,
	.dma_unmap = p2p_dma_unmap,
};

/* What no BAR may cover: guest RAM and the platform's own ranges. */
static int p2p_open(struct vm *vm)
{
	unsigned int i;
	int ret = 0;

	pci_p2p_init(&vm->p2p, &p2p_ops, vm);
	vm->p2p_flush_ns = 0;
	vm->p2p_warned = 0;
	for (i = 0; i < vm->mem.nranges && !ret; i++)
		ret = pci_p2p_reserve(&vm->p2p, vm->mem.range[i].gpa,
				      vm->mem.range[i].size);
	return ret ? ret : arch_reserve(vm);
}

static int same_slot(const struct pci_bdf *a, const struct pci_bdf *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

/*
 * Guest slots and functions: devices in the order given take slots 1, 2,
 * ... as function 0; functions of one multi-function host device whose
 * function 0 is passed too share one guest slot and keep their numbers.
 */
static void place(const struct opts *o, unsigned int *slot, unsigned int *fn,
		  int *multi)
{
	unsigned int i, j, next = 1;

	for (i = 0; i < o->ndevices; i++) {
		int has_fn0 = 0, others = 0;

		for (j = 0; j < o->ndevices; j++) {
			if (!same_slot(&o->device[i], &o->device[j]))
				continue;
			has_fn0 |= o->device[j].fn == 0;
			others += j != i;
		}
		slot[i] = 0;
		fn[i] = 0;
		multi[i] = 0;
		if (has_fn0 && others) {
			for (j = 0; j < i; j++)
				if (same_slot(&o->device[i], &o->device[j]))
					slot[i] = slot[j];
			fn[i] = o->device[i].fn;
			multi[i] = 1;
		}
		if (!slot[i])
			slot[i] = next++;
	}
}

int vm_devices_open(struct vm *vm)
{
	const struct opts *o = vm->opts;
	struct vfio_group *group[OPTS_MAX_DEVICES];
	unsigned int gslot[OPTS_MAX_DEVICES], gfn[OPTS_MAX_DEVICES];
	int multi[OPTS_MAX_DEVICES];
	char bdf[OPTS_MAX_DEVICES][16];
	unsigned int i;
	int ret;

	vfio_init(&vm->vfio);
	pci_window_init(&vm->mmio64_window, mem_top_aligned(&vm->mem),
			vm->mmio64_size);
	if (p2p_open(vm))
		return fmt_fail("guest memory map: too many reserved ranges");
	if (!o->ndevices)
		return 0;

	for (i = 0; i < o->ndevices; i++) {
		const struct pci_bdf *b = &o->device[i];

		fmt_snprintf(bdf[i], sizeof(bdf[i]), "%04x:%02x:%02x.%x",
			     b->domain, b->bus, b->slot, b->fn);
		ret = vfio_group_get(&vm->vfio, bdf[i], &group[i]);
		if (ret == -ENOENT && vm->vfio.container < 0)
			return dev_fail(
				bdf[i],
				"/dev/vfio/vfio missing: VFIO is not available (modprobe vfio-pci)");
		if (ret == -ENOTSUP)
			return dev_fail(
				bdf[i],
				"VFIO has no type1 IOMMU backend (modprobe vfio_iommu_type1)");
		if (ret)
			return group_fail(bdf[i], ret);
	}
	ret = vfio_set_iommu(&vm->vfio);
	if (ret)
		return dev_fail(bdf[0], "cannot set the type1 IOMMU: %s",
				strerror(-ret));
	if (getrlimit(RLIMIT_MEMLOCK, &vm->memlock))
		vm->memlock.rlim_cur = RLIM_INFINITY; /* no hint then */
	vm->dmamap = (struct dmamap){
		.vfio = &vm->vfio,
		.mem = &vm->mem,
		.prefault_threads = o->prefault_threads < 0
					    ? mem_prefault_auto(vm->mem.size)
					    : (unsigned int)o->prefault_threads,
		.done_fd = -1,
	};
	if (o->dma_before) {
		/* today's order: all of RAM mapped before any device opens */
		ret = dmamap_run(&vm->dmamap);
		if (ret)
			return vm_dma_fail(vm, ret);
		vm->stats.t_dma_ready = clock_ns();
	} else {
		/*
		 * The mapper starts once every device is open with bus
		 * mastering off (vmm.c); until it is done, BAR mappings are
		 * only recorded and mastering writes are held.
		 */
		vm->dma_pending = 1;
		pci_p2p_hold(&vm->p2p);
	}
	place(o, gslot, gfn, multi);
	for (i = 0; i < o->ndevices; i++) {
		struct ptdev *pt = calloc(1, sizeof(*pt));
		char name[64];

		if (!pt)
			return dev_fail(bdf[i], "out of memory");
		fmt_snprintf(name, sizeof(name), "%s%s%s", bdf[i],
			     o->vf_token[i] ? " vf_token=" : "",
			     o->vf_token[i] ? o->vf_token[i] : "");
		ret = ptdev_open(pt, vm, group[i], name, i, gslot[i], gfn[i],
				 multi[i]);
		if (ret) {
			free(pt);
			if (ret == -EBUSY)
				return group_fail(bdf[i], ret);
			/* a VF of a PF on vfio-pci: no token, or a wrong one */
			if (ret == -EACCES ||
			    (ret == -EINVAL && o->vf_token[i]))
				return dev_fail(
					bdf[i],
					"VFIO wants the VF token the PF's owner set (--device %s,vf-token=UUID)",
					bdf[i]);
			if (ret == -ENOSPC)
				return dev_fail(
					bdf[i],
					"its BARs do not fit in the guest's PCI windows");
			return dev_fail(bdf[i], "cannot set up the device: %s",
					strerror(-ret));
		}
		vm->dev[vm->ndevs++] = pt;
	}
	return 0;
}

void vm_devices_close(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ndevs; i++) {
		ptdev_close(vm->dev[i]);
		free(vm->dev[i]);
		vm->dev[i] = NULL;
	}
	vm->ndevs = 0;
	/* Closing the devices unmapped their BARs; this only makes sure. */
	pci_p2p_release_all(&vm->p2p);
	/* Detaching the last group drops every DMA mapping with it. */
	vfio_close(&vm->vfio);
}

int vm_devices_access(struct vm *vm, int io, uint64_t addr, unsigned int len,
		      int write, uint8_t *data)
{
	unsigned int i;

	for (i = 0; i < vm->ndevs; i++)
		if (ptdev_access(vm->dev[i], io, addr, len, write, data))
			return 1;
	return 0;
}

/* ---- parked BAR mappings (pci/p2p.h), for the loop ---- */

void vm_p2p_park(struct vm *vm, unsigned int id)
{
	uint64_t now = clock_ns();

	if (pci_p2p_park(&vm->p2p, id, now) &&
	    (!vm->p2p_flush_ns || now + VM_P2P_PARK_NS < vm->p2p_flush_ns))
		vm->p2p_flush_ns = now + VM_P2P_PARK_NS;
}

/* epoll_wait's timeout, ms, for the parked BAR mappings (-1: none). */
int vm_p2p_flush_ms(struct vm *vm)
{
	uint64_t now;

	if (!vm->p2p_flush_ns)
		return -1;
	now = clock_ns();
	if (now >= vm->p2p_flush_ns)
		vm->p2p_flush_ns = pci_p2p_flush(&vm->p2p, now, VM_P2P_PARK_NS);
	if (!vm->p2p_flush_ns)
		return -1;
	return (int)((vm->p2p_flush_ns - now + 999999) / 1000000);
}
