/* SPDX-License-Identifier: MIT */
/*
 * The plumbing under a passed-through device. pci/vdev decides *what*
 * happens (lazily, as the guest programs the device); this file does it
 * with VFIO, KVM memory slots and irqfds. No guest-visible state lives here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"
#include "fmt.h"
#include "irq/kvm.h"
#include "vfio/devices.h"
#include "vfio/irq.h"
#include "vfio/notify.h"
#include "vfio/pci.h"
#include "vfio/reset.h"

#define PAGE 4096ULL

static int pt_cfg_read(void *opaque, unsigned int off, void *buf,
		       unsigned int len)
{
	struct ptdev *pt = opaque;

	return vfio_dev_read(&pt->dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf,
			     len);
}

static int pt_cfg_write(void *opaque, unsigned int off, const void *buf,
			unsigned int len)
{
	struct ptdev *pt = opaque;

	return vfio_dev_write(&pt->dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf,
			      len);
}

static int pt_bar_read(void *opaque, unsigned int bar, uint64_t off, void *buf,
		       unsigned int len)
{
	struct ptdev *pt = opaque;

	return vfio_dev_read(&pt->dev, VFIO_PCI_BAR0_REGION_INDEX + bar, off,
			     buf, len);
}

static int pt_bar_write(void *opaque, unsigned int bar, uint64_t off,
			const void *buf, unsigned int len)
{
	struct ptdev *pt = opaque;

	return vfio_dev_write(&pt->dev, VFIO_PCI_BAR0_REGION_INDEX + bar, off,
			      buf, len);
}

/* ---- BARs: mmap-able parts become KVM slots, the rest traps ---- */

static int slot_set(struct ptdev *pt, unsigned int slot, uint64_t gpa,
		    uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(pt->vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno
									: 0;
}

/*
 * The parts of bar that can be mapped: VFIO's mmap areas minus the ranges
 * pci/vdev must trap (the MSI-X table and PBA pages), cut to whole pages.
 */
static void bar_pieces(struct ptdev *pt, unsigned int bar, struct ptdev_bar *b)
{
	const struct vfio_region *r =
		&pt->dev.region[VFIO_PCI_BAR0_REGION_INDEX + bar];
	struct pci_vdev_range trap[PCI_VDEV_MAX_TRAPS];
	unsigned int ntrap, a, t;

	b->nslots = 0;
	if (!r->map || b->io)
		return;
	ntrap = pci_vdev_bar_traps(&pt->vdev, bar, trap, PCI_VDEV_MAX_TRAPS);
	for (a = 0; a < r->nareas; a++) {
		uint64_t lo = (r->area[a].offset + PAGE - 1) & ~(PAGE - 1);
		uint64_t end = (r->area[a].offset + r->area[a].size) &
			       ~(PAGE - 1);

		while (lo < end && b->nslots < PTDEV_BAR_PIECES) {
			uint64_t hi = end, next = end;

			/* Cut at the first trap that overlaps [lo, end). */
			for (t = 0; t < ntrap; t++) {
				uint64_t ts = trap[t].off & ~(PAGE - 1);
				uint64_t te =
					(trap[t].off + trap[t].len + PAGE - 1) &
					~(PAGE - 1);

				if (te <= lo || ts >= hi)
					continue;
				if (ts <= lo) {
					/* lo is inside a trap: skip past it. */
					hi = lo;
					next = te;
					break;
				}
				hi = ts;
				next = te;
			}
			if (hi > lo) {
				b->piece[b->nslots].off = lo;
				b->piece[b->nslots].size = hi - lo;
				b->nslots++;
			}
			lo = next;
		}
	}
}

/*
 * Peer-to-peer: the mmap-able parts of a placed memory BAR go into the
 * IOMMU at its guest address, so that a device can DMA to it (its own
 * BAR, or a peer's), as QEMU and Cloud Hypervisor do. An IOMMU that
 * refuses (an address past its width) costs only that DMA: warned once,
 * counted, not fatal.
 */
/* An IOMMU refusal: warned once, counted by pci/p2p. */
static void bar_dma_refused(struct ptdev *pt, unsigned int bar, uint64_t addr,
			    int err)
{
	if (pt->vm->p2p_warned)
		return;
	pt->vm->p2p_warned = 1;
	fmt_fprintf(
		stderr,
		"ptvm: %s: BAR %u at 0x%llx: the IOMMU refused its DMA mapping (%s): devices cannot DMA to this BAR (is it past the host IOMMU's address width?); warned once, --stats counts them\n",
		pt->dev.name, bar, (unsigned long long)addr, strerror(-err));
}

static void bar_dma_map(struct ptdev *pt, unsigned int bar, uint64_t addr)
{
	const struct vfio_region *r =
		&pt->dev.region[VFIO_PCI_BAR0_REGION_INDEX + bar];
	unsigned int id = pci_p2p_id(pt->index, bar), a;
	int ret;

	if (!r->map)
		return;
	/*
	 * A BAR under a page that VFIO lets us mmap has its host page to
	 * itself (VFIO reserves the rest), and ptvm gave it a guest page of
	 * its own (pt_bar_map placed the page): the whole page goes in, as
	 * QEMU does. An LSI 53c810 runs SCRIPTS that move data to and from
	 * its own registers by DMA.
	 */
	if (pt->bar[bar].size < PAGE) {
		ret = pci_p2p_map(&pt->vm->p2p, id, 0, PAGE, r->map);
		if (ret)
			bar_dma_refused(pt, bar, addr, ret);
		return;
	}
	for (a = 0; a < r->nareas; a++) {
		ret = pci_p2p_map(&pt->vm->p2p, id, r->area[a].offset,
				  r->area[a].size, r->map + r->area[a].offset);
		if (ret)
			bar_dma_refused(pt, bar, addr, ret);
	}
}

static int pt_bar_map(void *opaque, unsigned int bar, uint64_t addr)
{
	struct ptdev *pt = opaque;
	struct ptdev_bar *b = &pt->bar[bar];
	const struct vfio_region *r =
		&pt->dev.region[VFIO_PCI_BAR0_REGION_INDEX + bar];
	unsigned int i;
	int ret;

	if (bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	b->addr = addr;
	b->decoded = 1;
	if (b->io)
		return 0;
	/*
	 * A guest that puts a BAR over its RAM, ECAM, the APICs or another
	 * BAR gets it trapped, never mapped (pci/p2p decides): a memory slot
	 * there would hide what the platform decodes (and KVM refuses slots
	 * that overlap), and an IOMMU mapping there would redirect DMA.
	 */
	/* a BAR under a page, mmap-able and page-aligned, takes the page */
	ret = pci_p2p_place(&pt->vm->p2p, pci_p2p_id(pt->index, bar), addr,
			    b->size < PAGE && r->map && !(addr & (PAGE - 1))
				    ? PAGE
				    : b->size);
	if (ret)
		return ret;
	/* A BAR that is not page-aligned in the guest can only trap. */
	if (addr & (PAGE - 1))
		return 0;
	bar_dma_map(pt, bar, addr);
	bar_pieces(pt, bar, b);
	for (i = 0; i < b->nslots; i++) {
		b->piece[i].slot = MEM_SLOT_FIRST_FREE +
				   (pt->index * PCI_STD_NUM_BARS + bar) *
					   PTDEV_BAR_PIECES +
				   i;
		ret = slot_set(pt, b->piece[i].slot, addr + b->piece[i].off,
			       b->piece[i].size, r->map + b->piece[i].off);
		if (ret) {
			/* What did not map still works, trapped. */
			b->nslots = i;
			return ret;
		}
	}
	return 0;
}

static int pt_bar_unmap(void *opaque, unsigned int bar, uint64_t addr)
{
	struct ptdev *pt = opaque;
	struct ptdev_bar *b = &pt->bar[bar];
	unsigned int i;

	(void)addr;
	if (bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	if (!b->io)
		vm_p2p_park(pt->vm, pci_p2p_id(pt->index, bar));
	for (i = 0; i < b->nslots; i++)
		slot_set(pt, b->piece[i].slot, 0, 0, NULL);
	b->nslots = 0;
	b->decoded = 0;
	return 0;
}

/*
 * Bad guest accesses are ignored and counted; the user hears of them in
 * one line at most once a second per device, not once per access.
 */
static void ptdev_warn_bad(struct ptdev *pt)
{
	uint64_t n = pt->vdev.stats.bad_cfg + pt->vdev.stats.bad_bar +
		     pt->vdev.msix.stats.bad_access;
	uint64_t now;

	if (n == pt->warned_bad)
		return;
	now = clock_ns();
	if (pt->warned_ns && now - pt->warned_ns < 1000000000ULL)
		return;
	fmt_fprintf(
		stderr,
		"ptvm: %s: the guest made %llu bad accesses so far (odd-sized, unaligned or out of range: ignored; --stats counts them)\n",
		pt->dev.name, (unsigned long long)n);
	pt->warned_bad = n;
	pt->warned_ns = now;
}

static int in_range(uint64_t off, uint64_t base, uint64_t len)
{
	return off >= base && off - base < len;
}

static void ptdev_count(struct ptdev *pt, unsigned int bar, uint64_t off)
{
	const struct pci_msix *m = &pt->vdev.msix;

	if (pt->vdev.msix_pos && bar == m->table_bar &&
	    in_range(off, m->table_off, (uint64_t)m->nvec * PCI_MSIX_ENTRY))
		pt->stats.msix_table++;
	else if (pt->vdev.msix_pos && bar == m->pba_bar &&
		 in_range(off, m->pba_off, (m->nvec + 63) / 64 * 8ULL))
		pt->stats.msix_pba++;
	else
		pt->stats.bar[bar]++;
}

int ptdev_access(struct ptdev *pt, int io, uint64_t addr, unsigned int len,
		 int write, uint8_t *data)
{
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct ptdev_bar *b = &pt->bar[bar];
		uint64_t off = addr - b->addr, val = 0;

		if (!b->decoded || b->io != io || addr < b->addr ||
		    off >= b->size)
			continue;
		ptdev_count(pt, bar, off);
		if (write) {
			memcpy(&val, data, len > 8 ? 8 : len);
			pci_vdev_bar_write(&pt->vdev, bar, off, len, val);
		} else {
			pci_vdev_bar_read(&pt->vdev, bar, off, len, &val);
			memcpy(data, &val, len > 8 ? 8 : len);
		}
		ptdev_warn_bad(pt);
		return 1;
	}
	return 0;
}

static const struct pci_vdev_ops ptdev_ops = {
	.cfg_read = pt_cfg_read,
	.cfg_write = pt_cfg_write,
	.bar_read = pt_bar_read,
	.bar_write = pt_bar_write,
	.bar_map = pt_bar_map,
	.bar_unmap = pt_bar_unmap,
	.reset = ptdev_reset_start,
	.irq = {
		.irq_enable = ptdev_irq_enable,
		.irq_disable = ptdev_irq_disable,
		.irq_route = ptdev_irq_route,
		.irq_unroute = ptdev_irq_unroute,
		.irq_inject = ptdev_irq_inject,
	},
};

/* ---- config space, as the host bridge calls it ---- */

static void pt_func_read(void *opaque, unsigned int off, unsigned int len,
			 uint32_t *val)
{
	struct ptdev *pt = opaque;

	pt->stats.cfg++;
	pci_vdev_cfg_read(&pt->vdev, off, len, val);
	ptdev_warn_bad(pt);
}

static void pt_func_write(void *opaque, unsigned int off, unsigned int len,
			  uint32_t val)
{
	struct ptdev *pt = opaque;

	pt->stats.cfg++;
	pci_vdev_cfg_write(&pt->vdev, off, len, val);
	ptdev_warn_bad(pt);
}

/*
 * Bus mastering waits for guest RAM to be mapped for DMA (vmm.h); every
 * access waits for a reset the guest asked for (vfio/reset.h).
 */
static int pt_func_held(void *opaque, unsigned int off, unsigned int len,
			int write, uint32_t val)
{
	struct ptdev *pt = opaque;

	if (ptdev_resetting(pt))
		return 1;
	return write && pt->vm->dma_pending &&
	       pci_vdev_write_masters(&pt->vdev, off, len, val);
}

static const struct pci_func_ops ptdev_func_ops = {
	.cfg_read = pt_func_read,
	.cfg_write = pt_func_write,
	.held = pt_func_held,
};

/* ---- lifetime ---- */

/*
 * Places every BAR as firmware would, largest first so that natural
 * alignment wastes nothing: 64-bit memory BARs in the window above RAM,
 * 32-bit ones below 4 GiB, I/O BARs in the PCI port window.
 */
static int ptdev_place_bars(struct ptdev *pt)
{
	struct vm *vm = pt->vm;
	unsigned int done = 0, i;

	while (done != (1u << PCI_STD_NUM_BARS) - 1) {
		struct pci_vdev_bar_desc d, best_d = { 0 };
		unsigned int best = PCI_STD_NUM_BARS;
		struct pci_window *w;
		uint64_t addr;
		int ret;

		for (i = 0; i < PCI_STD_NUM_BARS; i++) {
			if (done & (1u << i))
				continue;
			if (pci_vdev_bar_info(&pt->vdev, i, &d) || !d.size) {
				done |= 1u << i;
				continue;
			}
			if (best == PCI_STD_NUM_BARS || d.size > best_d.size) {
				best = i;
				best_d = d;
			}
		}
		if (best == PCI_STD_NUM_BARS)
			break;
		done |= 1u << best;
		w = best_d.io	  ? &vm->pio_window
		    : best_d.is64 ? &vm->mmio64_window
				  : &vm->mmio32_window;
		/* Small I/O BARs still take 4 bytes at least; memory a page. */
		ret = pci_window_alloc(
			w,
			best_d.io || best_d.size >= PAGE ? best_d.size : PAGE,
			&addr);
		if (ret)
			return ret;
		pt->bar[best].size = best_d.size;
		pt->bar[best].io = best_d.io;
		pci_vdev_bar_set(&pt->vdev, best, addr);
	}
	return 0;
}

int ptdev_open(struct ptdev *pt, struct vm *vm, struct vfio_group *g,
	       const char *bdf, unsigned int index, unsigned int slot,
	       unsigned int fn, int multifunction)
{
	struct pci_vdev_config cfg = { 0 };
	unsigned int i;
	int ret;

	memset(pt, 0, sizeof(*pt));
	pt->vm = vm;
	pt->index = index;
	pt->slot = slot;
	pt->devfn = slot << 3 | fn;
	pt->intx_efd = pt->intx_resample = -1;
	pt->notify[0].efd = pt->notify[1].efd = pt->reset.efd = -1;
	ret = vfio_dev_open(&pt->dev, g, bdf);
	if (ret)
		return ret;
	/*
	 * No reset here: vfio-pci has just reset the function itself (its
	 * first open, vfio_pci_core_enable), so what the last user left is
	 * gone. A second one would cost another FLR (100 ms or more).
	 */
	ret = vfio_dev_map_bars(&pt->dev);
	if (ret)
		goto err_close;

	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		cfg.bar_size[i] =
			pt->dev.region[VFIO_PCI_BAR0_REGION_INDEX + i].size;
	cfg.intx = pt->dev.irq_count[VFIO_PCI_INTX_IRQ_INDEX] > 0;
	cfg.msi_nvec = pt->dev.irq_count[VFIO_PCI_MSI_IRQ_INDEX];
	cfg.msix_nvec = pt->dev.irq_count[VFIO_PCI_MSIX_IRQ_INDEX];
	cfg.multifunction = multifunction;
	ret = pci_vdev_init(&pt->vdev, &ptdev_ops, pt, &cfg);
	if (ret)
		goto err_close;
	ret = ptdev_place_bars(pt);
	if (ret)
		goto err_close;
	ret = ptdev_intx_open(pt);
	if (ret)
		goto err_intx;
	ret = pci_host_add(&vm->pci, slot, fn, &ptdev_func_ops, pt);
	if (ret)
		goto err_intx;
	/*
	 * As firmware leaves it: the BARs ptvm assigned decode, so that a
	 * guest without a driver (devmem, a sysfs resource mmap) reaches
	 * them; bus mastering stays for the driver to turn on.
	 */
	pci_vdev_decode_on(&pt->vdev);
	ptdev_notify_open(pt);
	return 0;

err_intx:
	ptdev_close(pt);
	return ret;
err_close:
	vfio_dev_close(&pt->dev);
	return ret;
}

void ptdev_close(struct ptdev *pt)
{
	unsigned int i;

	if (pt->dev.fd < 0 || !pt->vm)
		return;
	ptdev_notify_close(pt);
	ptdev_reset_close(pt);
	/* Back to power-on state: MSI/MSI-X off, BARs unmapped. */
	pci_vdev_reset(&pt->vdev);
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		if (pt->vec[i])
			ptdev_irq_disable(pt, i);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (pt->bar[i].decoded)
			pt_bar_unmap(pt, i, pt->bar[i].addr);
	ptdev_intx_set(pt, 0);
	if (pt->intx_efd >= 0) {
		irq_kvm_irqfd_del(pt->vm->vm_fd, pt->intx_efd,
				  (unsigned int)pt->intx_gsi);
		close(pt->intx_efd);
	}
	if (pt->intx_resample >= 0)
		close(pt->intx_resample);
	pt->intx_efd = pt->intx_resample = -1;
	/*
	 * The last close resets it again (vfio-pci's vfio_pci_core_disable):
	 * the next user finds it as fresh as ptvm did.
	 */
	vfio_dev_close(&pt->dev);
}
