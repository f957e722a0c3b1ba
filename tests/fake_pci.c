// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_pci.h"

static const char *const op_names[FAKE_NOPS] = {
	"cfg_read",   "cfg_write",  "bar_read",	   "bar_write", "bar_map",
	"bar_unmap",  "irq_enable", "irq_disable", "irq_route", "irq_unroute",
	"irq_inject", "reset",	    "dma_map",	   "dma_unmap",
};

static void violation(struct fake_pci *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->violations++) {
		va_start(ap, fmt);
		vsnprintf(f->why, sizeof(f->why), fmt, ap);
		va_end(ap);
	}
}

static struct fake_call *logcall(struct fake_pci *f, enum fake_op op)
{
	struct fake_call *c = &f->spill;

	if (f->ncalls < FAKE_MAX_CALLS)
		c = &f->log[f->ncalls++];
	else
		f->lost++;
	memset(c, 0, sizeof(*c));
	c->op = op;
	return c;
}

static int cfg_read(void *opaque, unsigned int off, void *buf, unsigned int len)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_CFG_READ);

	c->off = off;
	c->len = len;
	if (f->fail[FAKE_CFG_READ])
		return -EIO;
	if (off > sizeof(f->cfg) || len > sizeof(f->cfg) - off) {
		violation(f, "cfg_read past 256: off 0x%x len %u", off, len);
		return -EINVAL;
	}
	memcpy(buf, f->cfg + off, len);
	return 0;
}

static int cfg_write(void *opaque, unsigned int off, const void *buf,
		     unsigned int len)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_CFG_WRITE);

	c->off = off;
	c->len = len;
	if (f->fail[FAKE_CFG_WRITE])
		return -EIO;
	if (off > sizeof(f->cfg) || len > sizeof(f->cfg) - off) {
		violation(f, "cfg_write past 256: off 0x%x len %u", off, len);
		return -EINVAL;
	}
	if (len <= 4)
		memcpy(&c->data, buf, len);
	memcpy(f->cfg + off, buf, len);
	return 0;
}

/* Checks a BAR access and gives its storage, or NULL past the storage. */
static uint8_t *bar_at(struct fake_pci *f, unsigned int bar, uint64_t off,
		       unsigned int len)
{
	if (bar >= PCI_STD_NUM_BARS || !f->conf.bar_size[bar] ||
	    off >= f->conf.bar_size[bar] || len > f->conf.bar_size[bar] - off) {
		violation(f, "BAR %u access off 0x%llx len %u outside it", bar,
			  (unsigned long long)off, len);
		return NULL;
	}
	if (off >= FAKE_BAR_BYTES || len > FAKE_BAR_BYTES - off)
		return NULL;
	return f->bar[bar] + off;
}

static int bar_read(void *opaque, unsigned int bar, uint64_t off, void *buf,
		    unsigned int len)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_BAR_READ);
	uint8_t *p;

	c->bar = bar;
	c->off = off;
	c->len = len;
	if (f->fail[FAKE_BAR_READ])
		return -EIO;
	p = bar_at(f, bar, off, len);
	if (p)
		memcpy(buf, p, len);
	else
		memset(buf, 0, len);
	return 0;
}

static int bar_write(void *opaque, unsigned int bar, uint64_t off,
		     const void *buf, unsigned int len)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_BAR_WRITE);
	uint8_t *p;

	c->bar = bar;
	c->off = off;
	c->len = len;
	if (len <= 4)
		memcpy(&c->data, buf, len);
	if (f->fail[FAKE_BAR_WRITE])
		return -EIO;
	p = bar_at(f, bar, off, len);
	if (p)
		memcpy(p, buf, len);
	return 0;
}

static int bar_map(void *opaque, unsigned int bar, uint64_t addr)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_BAR_MAP);

	c->bar = bar;
	c->addr = addr;
	if (bar >= PCI_STD_NUM_BARS) {
		violation(f, "bar_map of BAR %u", bar);
		return -EINVAL;
	}
	if (f->mapped[bar])
		violation(f, "bar_map of BAR %u already mapped at 0x%llx", bar,
			  (unsigned long long)f->map_addr[bar]);
	/* The contract: a failed map is still followed by its unmap. */
	f->mapped[bar] = 1;
	f->map_addr[bar] = addr;
	return f->fail[FAKE_BAR_MAP] ? -EIO : 0;
}

static int bar_unmap(void *opaque, unsigned int bar, uint64_t addr)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_BAR_UNMAP);

	c->bar = bar;
	c->addr = addr;
	if (bar >= PCI_STD_NUM_BARS) {
		violation(f, "bar_unmap of BAR %u", bar);
		return -EINVAL;
	}
	if (!f->mapped[bar] || f->map_addr[bar] != addr)
		violation(f, "bar_unmap of BAR %u at 0x%llx, not mapped there",
			  bar, (unsigned long long)addr);
	f->mapped[bar] = 0;
	return f->fail[FAKE_BAR_UNMAP] ? -EIO : 0;
}

/*
 * The device resets: by then the model must have stopped its decoding
 * and interrupts, as a reset leaves them. Its command register clears.
 */
static int reset(void *opaque)
{
	struct fake_pci *f = opaque;
	unsigned int i;

	logcall(f, FAKE_RESET);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (f->mapped[i])
			violation(f, "reset with BAR %u mapped", i);
	for (i = 0; i < FAKE_NIDX; i++)
		if (f->irq_on[i])
			violation(f, "reset with IRQ index %u on", i);
	f->cfg[PCI_COMMAND] = f->cfg[PCI_COMMAND + 1] = 0;
	return f->fail[FAKE_RESET] ? -EIO : 0;
}

/* Only MSI and MSI-X go through these ops. */
static int irq_index_ok(unsigned int index)
{
	return index == VFIO_PCI_MSI_IRQ_INDEX ||
	       index == VFIO_PCI_MSIX_IRQ_INDEX;
}

static unsigned int other(unsigned int index)
{
	return index == VFIO_PCI_MSI_IRQ_INDEX ? VFIO_PCI_MSIX_IRQ_INDEX
					       : VFIO_PCI_MSI_IRQ_INDEX;
}

static int irq_check(struct fake_pci *f, const char *what, unsigned int index,
		     unsigned int vec)
{
	if (!irq_index_ok(index)) {
		violation(f, "%s on index %u", what, index);
		return -1;
	}
	if (!f->irq_on[index]) {
		violation(f, "%s of %u vec %u while it is off", what, index,
			  vec);
		return -1;
	}
	if (vec >= f->irq_on[index]) {
		violation(f, "%s of %u vec %u, only %u enabled", what, index,
			  vec, f->irq_on[index]);
		return -1;
	}
	return 0;
}

static int irq_enable(void *opaque, unsigned int index, unsigned int nvec)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_IRQ_ENABLE);

	c->index = index;
	c->vec = nvec;
	if (f->fail[FAKE_IRQ_ENABLE])
		return -EIO;
	if (!irq_index_ok(index) || !nvec || nvec > FAKE_MAX_VEC) {
		violation(f, "irq_enable index %u nvec %u", index, nvec);
		return -EINVAL;
	}
	if (f->irq_on[index])
		violation(f, "irq_enable of %u while already on", index);
	if (f->irq_on[other(index)])
		violation(f,
			  "irq_enable of %u while %u is on: MSI and MSI-X "
			  "at once",
			  index, other(index));
	f->irq_on[index] = nvec;
	return 0;
}

static int irq_disable(void *opaque, unsigned int index)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_IRQ_DISABLE);
	unsigned int v;

	c->index = index;
	if (f->fail[FAKE_IRQ_DISABLE])
		return -EIO;
	if (!irq_index_ok(index) || !f->irq_on[index]) {
		violation(f, "irq_disable of %u while off", index);
		return -EINVAL;
	}
	for (v = 0; v < FAKE_MAX_VEC; v++) {
		if (f->routed[index][v])
			violation(f, "irq_disable of %u with vec %u routed",
				  index, v);
		f->routed[index][v] = 0;
	}
	f->irq_on[index] = 0;
	return 0;
}

static int irq_route(void *opaque, unsigned int index, unsigned int vec,
		     uint64_t addr, uint32_t data)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_IRQ_ROUTE);

	c->index = index;
	c->vec = vec;
	c->addr = addr;
	c->data = data;
	if (f->fail[FAKE_IRQ_ROUTE])
		return -EIO;
	if (irq_check(f, "irq_route", index, vec))
		return -EINVAL;
	f->routed[index][vec] = 1;
	f->route_addr[index][vec] = addr;
	f->route_data[index][vec] = data;
	return 0;
}

static int irq_unroute(void *opaque, unsigned int index, unsigned int vec)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_IRQ_UNROUTE);

	c->index = index;
	c->vec = vec;
	if (f->fail[FAKE_IRQ_UNROUTE])
		return -EIO;
	if (irq_check(f, "irq_unroute", index, vec))
		return -EINVAL;
	if (!f->routed[index][vec])
		violation(f, "irq_unroute of %u vec %u, not routed", index,
			  vec);
	f->routed[index][vec] = 0;
	return 0;
}

static int irq_inject(void *opaque, unsigned int index, unsigned int vec)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_IRQ_INJECT);

	c->index = index;
	c->vec = vec;
	if (f->fail[FAKE_IRQ_INJECT])
		return -EIO;
	if (irq_check(f, "irq_inject", index, vec))
		return -EINVAL;
	if (!f->routed[index][vec])
		violation(f, "irq_inject of %u vec %u, not routed", index, vec);
	return 0;
}

const struct pci_vdev_ops fake_pci_ops = {
	.cfg_read = cfg_read,
	.cfg_write = cfg_write,
	.bar_read = bar_read,
	.bar_write = bar_write,
	.bar_map = bar_map,
	.bar_unmap = bar_unmap,
	.reset = reset,
	.irq = {
		.irq_enable = irq_enable,
		.irq_disable = irq_disable,
		.irq_route = irq_route,
		.irq_unroute = irq_unroute,
		.irq_inject = irq_inject,
	},
};

/* ---- the IOMMU under pci/p2p ---- */

static int dma_map(void *opaque, uint64_t iova, void *hva, uint64_t size)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_DMA_MAP);
	unsigned int i;

	c->addr = iova;
	c->off = size;
	if (f->fail[FAKE_DMA_MAP] ||
	    (f->dma_limit && iova + size > f->dma_limit))
		return -EINVAL;
	if (!size || (iova | size | (uintptr_t)hva) & 0xfff)
		violation(f, "dma_map of 0x%llx+0x%llx: not whole pages",
			  (unsigned long long)iova, (unsigned long long)size);
	for (i = 0; i < f->ndma; i++)
		if (iova < f->dma[i].iova + f->dma[i].size &&
		    f->dma[i].iova < iova + size) {
			violation(f, "dma_map of 0x%llx+0x%llx over a mapping",
				  (unsigned long long)iova,
				  (unsigned long long)size);
			return -EEXIST;
		}
	if (f->ndma >= FAKE_MAX_DMA) {
		violation(f, "dma_map: more than %d mappings", FAKE_MAX_DMA);
		return -ENOSPC;
	}
	f->dma[f->ndma].iova = iova;
	f->dma[f->ndma].size = size;
	f->dma[f->ndma].hva = hva;
	f->ndma++;
	return 0;
}

static int dma_unmap(void *opaque, uint64_t iova, uint64_t size)
{
	struct fake_pci *f = opaque;
	struct fake_call *c = logcall(f, FAKE_DMA_UNMAP);
	unsigned int i;

	c->addr = iova;
	c->off = size;
	for (i = 0; i < f->ndma; i++)
		if (f->dma[i].iova == iova && f->dma[i].size == size) {
			f->dma[i] = f->dma[--f->ndma];
			return 0;
		}
	violation(f, "dma_unmap of 0x%llx+0x%llx, not mapped",
		  (unsigned long long)iova, (unsigned long long)size);
	return -ENOENT;
}

const struct pci_p2p_ops fake_pci_dma_ops = {
	.dma_map = dma_map,
	.dma_unmap = dma_unmap,
};

/* ---- building the physical device ---- */

void fake_pci_set8(struct fake_pci *f, unsigned int off, uint8_t v)
{
	f->cfg[off & 0xff] = v;
}

void fake_pci_set16(struct fake_pci *f, unsigned int off, uint16_t v)
{
	fake_pci_set8(f, off, (uint8_t)v);
	fake_pci_set8(f, off + 1, (uint8_t)(v >> 8));
}

void fake_pci_set32(struct fake_pci *f, unsigned int off, uint32_t v)
{
	fake_pci_set16(f, off, (uint16_t)v);
	fake_pci_set16(f, off + 2, (uint16_t)(v >> 16));
}

uint32_t fake_pci_get(const struct fake_pci *f, unsigned int off,
		      unsigned int len)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < len && i < 4; i++)
		v |= (uint32_t)f->cfg[(off + i) & 0xff] << (8 * i);
	return v;
}

void fake_pci_init(struct fake_pci *f, uint16_t vendor, uint16_t device)
{
	memset(f, 0, sizeof(*f));
	fake_pci_set16(f, PCI_VENDOR_ID, vendor);
	fake_pci_set16(f, PCI_DEVICE_ID, device);
	/* a bit the guest does not control, to see it survive */
	fake_pci_set16(f, PCI_COMMAND, PCI_COMMAND_SPECIAL);
	/* what the device is, plus events the guest must not see */
	fake_pci_set16(f, PCI_STATUS,
		       PCI_STATUS_66MHZ | PCI_STATUS_DEVSEL_MEDIUM |
			       PCI_STATUS_INTERRUPT |
			       PCI_STATUS_SIG_TARGET_ABORT |
			       PCI_STATUS_DETECTED_PARITY);
	fake_pci_set32(f, PCI_CLASS_REVISION, 0x02000001);
	fake_pci_set8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	fake_pci_set16(f, PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	fake_pci_set16(f, PCI_SUBSYSTEM_ID, 0x1100);
	fake_pci_set8(f, PCI_INTERRUPT_LINE, 11);
	fake_pci_set8(f, PCI_INTERRUPT_PIN, 1);
	f->conf.intx = 1;
}

void fake_pci_bar(struct fake_pci *f, unsigned int bar, uint32_t flags,
		  uint64_t size)
{
	/* real BARs hold an address; the model must not trust it */
	fake_pci_set32(f, PCI_BASE_ADDRESS_0 + 4 * bar, 0xe0000000u | flags);
	f->conf.bar_size[bar] = size;
}

void fake_pci_caps_start(struct fake_pci *f, unsigned int pos)
{
	uint16_t st = (uint16_t)fake_pci_get(f, PCI_STATUS, 2);

	fake_pci_set8(f, PCI_CAPABILITY_LIST, (uint8_t)pos);
	if (pos)
		st |= PCI_STATUS_CAP_LIST;
	else
		st &= (uint16_t)~PCI_STATUS_CAP_LIST;
	fake_pci_set16(f, PCI_STATUS, st);
}

void fake_pci_cap(struct fake_pci *f, unsigned int pos, unsigned int id,
		  unsigned int next)
{
	fake_pci_set8(f, pos, (uint8_t)id);
	fake_pci_set8(f, pos + PCI_CAP_LIST_NEXT, (uint8_t)next);
}

void fake_pci_msix_cap(struct fake_pci *f, unsigned int pos, unsigned int next,
		       unsigned int nvec, uint32_t table, uint32_t pba)
{
	fake_pci_cap(f, pos, PCI_CAP_ID_MSIX, next);
	fake_pci_set16(f, pos + PCI_MSIX_FLAGS, (uint16_t)(nvec - 1));
	fake_pci_set32(f, pos + PCI_MSIX_TABLE, table);
	fake_pci_set32(f, pos + PCI_MSIX_PBA, pba);
	f->conf.msix_nvec = nvec;
}

void fake_pci_msi_cap(struct fake_pci *f, unsigned int pos, unsigned int next,
		      uint16_t flags, unsigned int vfio_count)
{
	fake_pci_cap(f, pos, PCI_CAP_ID_MSI, next);
	fake_pci_set16(f, pos + PCI_MSI_FLAGS, flags);
	f->conf.msi_nvec = vfio_count;
}

void fake_pci_exp_cap(struct fake_pci *f, unsigned int pos, unsigned int next,
		      uint16_t flags)
{
	fake_pci_cap(f, pos, PCI_CAP_ID_EXP, next);
	fake_pci_set16(f, pos + PCI_EXP_FLAGS, flags);
}

int fake_pci_vdev_init(struct pci_vdev *d, struct fake_pci *f)
{
	return pci_vdev_init(d, &fake_pci_ops, f, &f->conf);
}

struct fake_bench *fake_bench_new(uint16_t vendor, uint16_t device)
{
	struct fake_bench *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	fake_pci_init(&b->f, vendor, device);
	return b;
}

/* ---- looking at the log ---- */

void fake_pci_clear_log(struct fake_pci *f)
{
	f->ncalls = 0;
	f->lost = 0;
}

static int is_irq(enum fake_op op)
{
	return op >= FAKE_IRQ_ENABLE && op <= FAKE_IRQ_INJECT;
}

int fake_pci_pos(const struct fake_pci *f, enum fake_op op, int index,
		 unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < f->ncalls; i++) {
		const struct fake_call *c = &f->log[i];

		if (c->op != op)
			continue;
		if (index >= 0 && is_irq(op) && c->index != (unsigned int)index)
			continue;
		if (!nth--)
			return (int)i;
	}
	return -1;
}

const struct fake_call *fake_pci_nth(const struct fake_pci *f, enum fake_op op,
				     int index, unsigned int nth)
{
	int i = fake_pci_pos(f, op, index, nth);

	return i < 0 ? NULL : &f->log[i];
}

unsigned int fake_pci_count(const struct fake_pci *f, enum fake_op op,
			    int index)
{
	unsigned int n = 0;

	while (fake_pci_pos(f, op, index, n) >= 0)
		n++;
	return n;
}

unsigned int fake_pci_nrouted(const struct fake_pci *f, unsigned int index)
{
	unsigned int v, n = 0;

	for (v = 0; v < FAKE_MAX_VEC; v++)
		n += f->routed[index][v];
	return n;
}

void fake_pci_dump(const struct fake_pci *f)
{
	unsigned int i;

	if (f->violations)
		printf("# fake: %u violations, first: %s\n", f->violations,
		       f->why);
	for (i = 0; i < f->ncalls; i++) {
		const struct fake_call *c = &f->log[i];

		printf("# fake %3u %-11s bar %u idx %u vec %u off 0x%llx len "
		       "%u addr 0x%llx data 0x%x\n",
		       i, op_names[c->op], c->bar, c->index, c->vec,
		       (unsigned long long)c->off, c->len,
		       (unsigned long long)c->addr, c->data);
	}
}

int fake_pci_ok(const struct fake_pci *f)
{
	if (!f->violations)
		return 1;
	fake_pci_dump(f);
	return 0;
}
