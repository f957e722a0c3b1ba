/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include <linux/pci.h>

#include "pci/host.h"

/* PCI Code and ID Assignment 1.11, 1.7: base class 06h bridge, 00h host. */
#define CLASS_BRIDGE_HOST 0x0600

void pci_window_init(struct pci_window *w, uint64_t base, uint64_t size)
{
	w->base = w->next = base;
	w->size = size;
}

int pci_window_alloc(struct pci_window *w, uint64_t size, uint64_t *addr)
{
	uint64_t a;

	if (!size || (size & (size - 1)))
		return -EINVAL;
	a = (w->next + size - 1) & ~(size - 1);
	if (a < w->next || a - w->base > w->size ||
	    size > w->size - (a - w->base))
		return -ENOSPC;
	w->next = a + size;
	*addr = a;
	return 0;
}

void pci_host_init(struct pci_host *h)
{
	memset(h, 0, sizeof(*h));
	h->bridge[PCI_VENDOR_ID] = PCI_HOST_VENDOR & 0xff;
	h->bridge[PCI_VENDOR_ID + 1] = PCI_HOST_VENDOR >> 8;
	h->bridge[PCI_DEVICE_ID] = PCI_HOST_DEVICE & 0xff;
	h->bridge[PCI_DEVICE_ID + 1] = PCI_HOST_DEVICE >> 8;
	h->bridge[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
	h->bridge[PCI_CLASS_DEVICE] = CLASS_BRIDGE_HOST & 0xff;
	h->bridge[PCI_CLASS_DEVICE + 1] = CLASS_BRIDGE_HOST >> 8;
	h->bridge[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	h->bridge[PCI_SUBSYSTEM_VENDOR_ID] = PCI_HOST_VENDOR & 0xff;
	h->bridge[PCI_SUBSYSTEM_VENDOR_ID + 1] = PCI_HOST_VENDOR >> 8;
}

int pci_host_add(struct pci_host *h, unsigned int slot, unsigned int fn,
		 const struct pci_func_ops *ops, void *opaque)
{
	if (slot == 0 || slot >= PCI_HOST_SLOTS || fn >= PCI_HOST_FUNCS)
		return -EINVAL;
	if (h->func[slot][fn].ops)
		return -EBUSY;
	h->func[slot][fn] = (struct pci_host_func){ ops, opaque };
	return 0;
}

/* What a read of len bytes that nothing answers returns. */
static uint32_t all_ones(unsigned int len)
{
	return len >= 1 && len < 4 ? (1u << (8 * len)) - 1 : 0xffffffffu;
}

static int cfg_access_ok(unsigned int off, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && !(off & (len - 1)) &&
	       off < PCI_CFG_SPACE_EXP_SIZE;
}

/* bdf: bus << 8 | devfn, as in the 16-bit routing ID. */
static uint32_t cfg_read(struct pci_host *h, unsigned int bdf, unsigned int off,
			 unsigned int len)
{
	unsigned int slot = PCI_SLOT(bdf & 0xff), fn = PCI_FUNC(bdf & 0xff);
	struct pci_host_func *f;
	uint32_t val = 0;

	if (!cfg_access_ok(off, len)) {
		h->bad_access++;
		return all_ones(len);
	}
	if (bdf >> 8) {
		h->other_bus_reads++;
		return all_ones(len);
	}
	if (slot == 0 && fn == 0) {
		if (off + len <= sizeof(h->bridge))
			memcpy(&val, h->bridge + off, len);
		return val;
	}
	f = &h->func[slot][fn];
	/*
	 * A multi-function device is only scanned past function 0 when
	 * function 0 exists; other slots read as absent (all-ones).
	 */
	if (!f->ops) {
		h->absent_reads++;
		return all_ones(len);
	}
	f->ops->cfg_read(f->opaque, off, len, &val);
	return val;
}

static void cfg_write(struct pci_host *h, unsigned int bdf, unsigned int off,
		      unsigned int len, uint32_t val)
{
	struct pci_host_func *f;

	if (!cfg_access_ok(off, len))
		h->bad_access++;
	if (!cfg_access_ok(off, len) || bdf >> 8)
		return;
	f = &h->func[PCI_SLOT(bdf & 0xff)][PCI_FUNC(bdf & 0xff)];
	if (f->ops)
		f->ops->cfg_write(f->opaque, off, len, val);
	/* The host bridge's header is read-only. */
}

static int held(const struct pci_host *h, unsigned int bdf, unsigned int off,
		unsigned int len, int write, uint32_t val)
{
	const struct pci_host_func *f;

	if (!cfg_access_ok(off, len) || bdf >> 8)
		return 0;
	f = &h->func[PCI_SLOT(bdf & 0xff)][PCI_FUNC(bdf & 0xff)];
	return f->ops && f->ops->held &&
	       f->ops->held(f->opaque, off, len, write, val);
}

/*
 * Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2): 0xcf8 holds
 * enable, bus, device, function and register; 0xcfc-0xcff the data.
 */
uint32_t pci_host_pio_read(struct pci_host *h, unsigned int port,
			   unsigned int len)
{
	unsigned int off = port - PCI_HOST_PIO_BASE;

	if (off == 0 && len == 4)
		return h->cf8;
	if (off < 4 || !(h->cf8 & 0x80000000u))
		return all_ones(len);
	return cfg_read(h, (h->cf8 >> 8) & 0xffff, (h->cf8 & 0xfc) + (off - 4),
			len);
}

void pci_host_pio_write(struct pci_host *h, unsigned int port, unsigned int len,
			uint32_t val)
{
	unsigned int off = port - PCI_HOST_PIO_BASE;

	if (off == 0 && len == 4) {
		h->cf8 = val & 0x80fffffcu;
		return;
	}
	if (off < 4 || !(h->cf8 & 0x80000000u))
		return;
	cfg_write(h, (h->cf8 >> 8) & 0xffff, (h->cf8 & 0xfc) + (off - 4), len,
		  val);
}

/* ECAM (PCIe Base 3.0, 7.2.2): bus << 20 | device << 15 | function << 12. */
uint32_t pci_host_ecam_read(struct pci_host *h, uint64_t off, unsigned int len)
{
	if (off >= PCI_HOST_ECAM_SIZE)
		return all_ones(len);
	return cfg_read(h, (unsigned int)(off >> 12), off & 0xfff, len);
}

void pci_host_ecam_write(struct pci_host *h, uint64_t off, unsigned int len,
			 uint32_t val)
{
	if (off < PCI_HOST_ECAM_SIZE)
		cfg_write(h, (unsigned int)(off >> 12), off & 0xfff, len, val);
}

int pci_host_pio_held(const struct pci_host *h, unsigned int port,
		      unsigned int len, int write, uint32_t val)
{
	unsigned int off = port - PCI_HOST_PIO_BASE;

	if (off < 4 || off >= PCI_HOST_PIO_SIZE || !(h->cf8 & 0x80000000u))
		return 0;
	return held(h, (h->cf8 >> 8) & 0xffff, (h->cf8 & 0xfc) + (off - 4), len,
		    write, val);
}

int pci_host_ecam_held(const struct pci_host *h, uint64_t off, unsigned int len,
		       int write, uint32_t val)
{
	if (off >= PCI_HOST_ECAM_SIZE)
		return 0;
	return held(h, (unsigned int)(off >> 12), off & 0xfff, len, write, val);
}
