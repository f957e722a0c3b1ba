/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci/msix.h"

#define IDX VFIO_PCI_MSIX_IRQ_INDEX

void pci_msix_init(struct pci_msix *m, const struct pci_irq_ops *ops,
		   void *opaque, unsigned int nvec, uint32_t table,
		   uint32_t pba)
{
	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->opaque = opaque;
	m->nvec = nvec > PCI_MSIX_MAX ? PCI_MSIX_MAX : nvec;
	m->table_bar = table & PCI_MSIX_TABLE_BIR;
	m->table_off = table & PCI_MSIX_TABLE_OFFSET;
	m->pba_bar = pba & PCI_MSIX_PBA_BIR;
	m->pba_off = pba & PCI_MSIX_PBA_OFFSET;
	pci_msix_reset(m);
}

static int pending(const struct pci_msix *m, unsigned int v)
{
	return (m->pending[v / 64] >> (v % 64)) & 1;
}

static void set_pending(struct pci_msix *m, unsigned int v, int on)
{
	if (on)
		m->pending[v / 64] |= 1ULL << (v % 64);
	else
		m->pending[v / 64] &= ~(1ULL << (v % 64));
}

/* Does the guest want vector v delivered right now? */
static int wanted(const struct pci_msix *m, unsigned int v)
{
	return (m->ctrl & PCI_MSIX_FLAGS_ENABLE) &&
	       !(m->ctrl & PCI_MSIX_FLAGS_MASKALL) &&
	       !(m->table[v][3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

/* Brings vector v's physical state in line with the guest's view. */
static void sync_vec(struct pci_msix *m, unsigned int v)
{
	uint64_t addr = (uint64_t)m->table[v][1] << 32 | m->table[v][0];
	uint32_t data = m->table[v][2];

	if (!m->enabled)
		return;
	if (wanted(m, v)) {
		if (!m->routed[v] || m->route_addr[v] != addr ||
		    m->route_data[v] != data) {
			if (m->ops->irq_route(m->opaque, IDX, v, addr, data)) {
				m->stats.op_errors++;
				return;
			}
			m->stats.routes++;
			m->routed[v] = 1;
			m->route_addr[v] = addr;
			m->route_data[v] = data;
		}
		/* 6.8.2.9: a pending message is sent once it is unmasked. */
		if (pending(m, v)) {
			set_pending(m, v, 0);
			if (m->ops->irq_inject(m->opaque, IDX, v))
				m->stats.op_errors++;
		}
	} else if (m->routed[v]) {
		if (m->ops->irq_unroute(m->opaque, IDX, v))
			m->stats.op_errors++;
		m->routed[v] = 0;
	}
}

static void sync_all(struct pci_msix *m)
{
	unsigned int v;

	if ((m->ctrl & PCI_MSIX_FLAGS_ENABLE) && !m->enabled) {
		/* The lazy part: only now does the device see MSI-X on. */
		if (m->ops->irq_enable(m->opaque, IDX, m->nvec)) {
			m->stats.op_errors++;
			return;
		}
		m->enabled = 1;
	} else if (!(m->ctrl & PCI_MSIX_FLAGS_ENABLE) && m->enabled) {
		for (v = 0; v < m->nvec; v++) {
			if (m->routed[v] &&
			    m->ops->irq_unroute(m->opaque, IDX, v))
				m->stats.op_errors++;
			m->routed[v] = 0;
		}
		if (m->ops->irq_disable(m->opaque, IDX))
			m->stats.op_errors++;
		m->enabled = 0;
		return;
	}
	for (v = 0; v < m->nvec; v++)
		sync_vec(m, v);
}

void pci_msix_ctrl_write(struct pci_msix *m, uint16_t ctrl)
{
	ctrl &= PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL;
	if (ctrl == m->ctrl)
		return;
	m->ctrl = ctrl;
	sync_all(m);
}

static int in(uint64_t off, unsigned int len, uint64_t base, uint64_t size)
{
	return off >= base && off - base < size && len <= size - (off - base);
}

static uint64_t pba_size(const struct pci_msix *m)
{
	return ((m->nvec + 63) / 64) * 8;
}

int pci_msix_claims(const struct pci_msix *m, unsigned int bar, uint64_t off,
		    unsigned int len)
{
	if (!m->nvec)
		return 0;
	return (bar == m->table_bar &&
		in(off, 1, m->table_off, (uint64_t)m->nvec * PCI_MSIX_ENTRY)) ||
	       (bar == m->pba_bar && in(off, 1, m->pba_off, pba_size(m))) ||
	       /* an access that starts before and runs into them */
	       (bar == m->table_bar && off < m->table_off &&
		off + len > m->table_off) ||
	       (bar == m->pba_bar && off < m->pba_off &&
		off + len > m->pba_off);
}

/* 6.8.2: DWORD or aligned QWORD accesses only. */
static int access_ok(uint64_t off, unsigned int len)
{
	return (len == 4 || len == 8) && !(off & (len - 1));
}

void pci_msix_read(struct pci_msix *m, unsigned int bar, uint64_t off,
		   unsigned int len, uint64_t *val)
{
	uint64_t tsize = (uint64_t)m->nvec * PCI_MSIX_ENTRY;

	*val = len >= 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
	if (!access_ok(off, len)) {
		m->stats.bad_access++;
		return;
	}
	if (bar == m->table_bar && in(off, len, m->table_off, tsize)) {
		uint64_t o = off - m->table_off;
		unsigned int v = (unsigned int)(o / PCI_MSIX_ENTRY);
		unsigned int w = (unsigned int)(o % PCI_MSIX_ENTRY) / 4;

		*val = m->table[v][w];
		if (len == 8)
			*val |= (uint64_t)m->table[v][w + 1] << 32;
		return;
	}
	if (bar == m->pba_bar && in(off, len, m->pba_off, pba_size(m))) {
		uint64_t o = off - m->pba_off;
		uint64_t q = m->pending[o / 8];

		*val = len == 8 ? q : (uint32_t)(q >> (8 * (o % 8)));
		return;
	}
	m->stats.bad_access++;
}

void pci_msix_write(struct pci_msix *m, unsigned int bar, uint64_t off,
		    unsigned int len, uint64_t val)
{
	uint64_t tsize = (uint64_t)m->nvec * PCI_MSIX_ENTRY, o;
	unsigned int v, w;

	if (!access_ok(off, len) || bar != m->table_bar ||
	    !in(off, len, m->table_off, tsize)) {
		/* The PBA is read-only (6.8.2.10); so is anything else here. */
		m->stats.bad_access++;
		return;
	}
	o = off - m->table_off;
	v = (unsigned int)(o / PCI_MSIX_ENTRY);
	w = (unsigned int)(o % PCI_MSIX_ENTRY) / 4;
	m->table[v][w] = (uint32_t)val;
	if (len == 8)
		m->table[v][w + 1] = (uint32_t)(val >> 32);
	/* Only the mask bit of vector control is defined. */
	m->table[v][3] &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	sync_vec(m, v);
}

void pci_msix_fired(struct pci_msix *m, unsigned int vec)
{
	if (vec >= m->nvec)
		return;
	set_pending(m, vec, 1);
	/* Fired while being unmasked: deliver now rather than strand it. */
	if (m->routed[vec])
		sync_vec(m, vec);
}

void pci_msix_reset(struct pci_msix *m)
{
	unsigned int v;

	m->ctrl = 0;
	sync_all(m);
	for (v = 0; v < PCI_MSIX_MAX; v++) {
		memset(m->table[v], 0, sizeof(m->table[v]));
		m->table[v][3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	}
	memset(m->pending, 0, sizeof(m->pending));
}
