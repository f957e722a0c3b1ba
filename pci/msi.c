/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci/msi.h"

#define IDX VFIO_PCI_MSI_IRQ_INDEX

static uint16_t ctrl(const struct pci_msi *m)
{
	return (uint16_t)(m->regs[PCI_MSI_FLAGS] | m->regs[PCI_MSI_FLAGS + 1]
							   << 8);
}

static uint32_t reg32(const struct pci_msi *m, unsigned int off)
{
	uint32_t v;

	memcpy(&v, m->regs + off, 4);
	return v;
}

static unsigned int data_off(const struct pci_msi *m)
{
	return m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
}

static unsigned int mask_off(const struct pci_msi *m)
{
	return m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
}

void pci_msi_init(struct pci_msi *m, const struct pci_irq_ops *ops,
		  void *opaque, const uint8_t *cap, unsigned int vfio_count)
{
	uint16_t c =
		(uint16_t)(cap[PCI_MSI_FLAGS] | cap[PCI_MSI_FLAGS + 1] << 8);
	unsigned int d, i;

	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->opaque = opaque;
	m->is64 = !!(c & PCI_MSI_FLAGS_64BIT);
	m->maskable = !!(c & PCI_MSI_FLAGS_MASKBIT);
	m->maxvec = 1u << ((c & PCI_MSI_FLAGS_QMASK) >> 1);
	if (m->maxvec > PCI_MSI_MAX)
		m->maxvec = PCI_MSI_MAX;
	while (m->maxvec > 1 && m->maxvec > vfio_count)
		m->maxvec >>= 1;
	d = data_off(m);
	m->size = d + 2;
	if (m->maskable)
		m->size = mask_off(m) + 8;
	memcpy(m->regs, cap, m->size);
	/* Multiple Message Capable says what the guest can really have. */
	for (i = 0; (1u << i) < m->maxvec; i++)
		;
	c = (uint16_t)((c & ~PCI_MSI_FLAGS_QMASK) | i << 1);
	m->regs[PCI_MSI_FLAGS] = (uint8_t)c;
	/* Enable and multiple-message enable; address, data and mask. */
	m->wmask[PCI_MSI_FLAGS] = PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE;
	for (i = PCI_MSI_ADDRESS_LO; i < d + 2; i++)
		m->wmask[i] = 0xff;
	m->wmask[PCI_MSI_ADDRESS_LO] = 0xfc; /* DWORD aligned */
	if (m->maskable)
		for (i = mask_off(m); i < mask_off(m) + 4; i++)
			m->wmask[i] = 0xff;
	pci_msi_reset(m);
}

uint32_t pci_msi_read(const struct pci_msi *m, unsigned int off,
		      unsigned int len)
{
	uint32_t v = 0;

	if (off >= m->size || len > m->size - off || len > 4)
		return 0;
	memcpy(&v, m->regs + off, len);
	return v;
}

int pci_msi_enabled(const struct pci_msi *m)
{
	return ctrl(m) & PCI_MSI_FLAGS_ENABLE;
}

/* The vectors the guest has enabled (MME, capped by what we allow). */
static unsigned int want_nvec(const struct pci_msi *m)
{
	unsigned int n = 1u << ((ctrl(m) & PCI_MSI_FLAGS_QSIZE) >> 4);

	if (!pci_msi_enabled(m) || m->blocked)
		return 0;
	return n > m->maxvec ? m->maxvec : n;
}

static void unroute_all(struct pci_msi *m)
{
	unsigned int v;

	for (v = 0; v < PCI_MSI_MAX; v++) {
		if (m->routed[v] && m->ops->irq_unroute(m->opaque, IDX, v))
			m->op_errors++;
		m->routed[v] = 0;
	}
}

static void sync(struct pci_msi *m)
{
	unsigned int n = want_nvec(m), v;
	uint64_t addr = reg32(m, PCI_MSI_ADDRESS_LO);
	uint32_t mask = m->maskable ? reg32(m, mask_off(m)) : 0;
	uint32_t pend = m->maskable ? reg32(m, mask_off(m) + 4) : 0;
	uint16_t data;

	if (m->is64)
		addr |= (uint64_t)reg32(m, PCI_MSI_ADDRESS_HI) << 32;
	memcpy(&data, m->regs + data_off(m), 2);
	if (m->enabled && m->enabled != n) {
		/* Off, or a new vector count: VFIO wants a fresh enable. */
		unroute_all(m);
		if (m->ops->irq_disable(m->opaque, IDX))
			m->op_errors++;
		m->enabled = 0;
	}
	if (!n)
		return;
	if (!m->enabled) {
		if (m->ops->irq_enable(m->opaque, IDX, n)) {
			m->op_errors++;
			return;
		}
		m->enabled = n;
	}
	for (v = 0; v < n; v++) {
		/* 6.8.1.6: vector v sends data with its low bits set to v. */
		uint32_t d = (data & ~(n - 1)) | v;

		if (mask & (1u << v)) {
			if (m->routed[v] &&
			    m->ops->irq_unroute(m->opaque, IDX, v))
				m->op_errors++;
			m->routed[v] = 0;
			continue;
		}
		if (!m->routed[v] || m->route_addr[v] != addr ||
		    m->route_data[v] != d) {
			if (m->ops->irq_route(m->opaque, IDX, v, addr, d)) {
				m->op_errors++;
				continue;
			}
			m->routed[v] = 1;
			m->route_addr[v] = addr;
			m->route_data[v] = d;
		}
		if (pend & (1u << v)) {
			pend &= ~(1u << v);
			if (m->ops->irq_inject(m->opaque, IDX, v))
				m->op_errors++;
		}
	}
	if (m->maskable)
		memcpy(m->regs + mask_off(m) + 4, &pend, 4);
}

void pci_msi_write(struct pci_msi *m, unsigned int off, unsigned int len,
		   uint32_t val)
{
	unsigned int i;

	if (off >= m->size || len > m->size - off || len > 4)
		return;
	for (i = 0; i < len; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i)), w = m->wmask[off + i];

		m->regs[off + i] = (m->regs[off + i] & ~w) | (b & w);
	}
	sync(m);
}

void pci_msi_block(struct pci_msi *m, int block)
{
	m->blocked = block;
	sync(m);
}

void pci_msi_fired(struct pci_msi *m, unsigned int vec)
{
	uint32_t pend;

	if (vec >= PCI_MSI_MAX || !m->maskable)
		return;
	memcpy(&pend, m->regs + mask_off(m) + 4, 4);
	pend |= 1u << vec;
	memcpy(m->regs + mask_off(m) + 4, &pend, 4);
	if (m->routed[vec])
		sync(m);
}

void pci_msi_reset(struct pci_msi *m)
{
	unsigned int i;

	for (i = PCI_MSI_FLAGS; i < m->size; i++)
		if (m->wmask[i])
			m->regs[i] &= ~m->wmask[i];
	if (m->maskable)
		memset(m->regs + mask_off(m) + 4, 0, 4);
	m->blocked = 0;
	sync(m);
}
