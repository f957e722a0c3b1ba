/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "pci/p2p.h"

#define PAGE PCI_P2P_PAGE

void pci_p2p_init(struct pci_p2p *p, const struct pci_p2p_ops *ops,
		  void *opaque)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->opaque = opaque;
}

int pci_p2p_reserve(struct pci_p2p *p, uint64_t addr, uint64_t size)
{
	if (p->nreserved >= PCI_P2P_MAX_RESERVED)
		return -ENOSPC;
	p->reserved[p->nreserved].addr = addr;
	p->reserved[p->nreserved].size = size;
	p->nreserved++;
	return 0;
}

static int overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

int pci_p2p_place(struct pci_p2p *p, unsigned int id, uint64_t addr,
		  uint64_t size)
{
	struct pci_p2p_bar *b;
	unsigned int i;

	if (id >= PCI_P2P_MAX_BARS || !size)
		return -EINVAL;
	b = &p->bar[id];
	/* back where it was parked: its mappings are taken up again */
	if (!(b->parked && b->addr == addr && b->size == size))
		pci_p2p_release(p, id);
	if (addr + size < addr)
		goto refused;
	for (i = 0; i < p->nreserved; i++)
		if (overlap(addr, size, p->reserved[i].addr,
			    p->reserved[i].size))
			goto refused;
	/*
	 * The first BAR to take a place keeps it: a KVM slot or an IOMMU
	 * mapping cannot overlap another one, and which of two overlapping
	 * BARs decodes is undefined on real hardware anyway. A parked BAR
	 * holds no place: its mappings make way.
	 */
	for (i = 0; i < PCI_P2P_MAX_BARS; i++)
		if (i != id &&
		    overlap(addr, size, p->bar[i].addr, p->bar[i].size)) {
			if (p->bar[i].placed)
				goto refused;
			if (p->bar[i].parked)
				pci_p2p_release(p, i);
		}
	if (b->parked) {
		b->parked = 0;
		p->stats.kept++;
	}
	p->bar[id].placed = 1;
	p->bar[id].addr = addr;
	p->bar[id].size = size;
	return 0;
refused:
	pci_p2p_release(p, id);
	p->stats.refused++;
	return -EADDRINUSE;
}

/*
 * Maps piece i of b in the IOMMU; a refused piece is dropped (counted),
 * the later ones move down.
 */
static int piece_map(struct pci_p2p *p, struct pci_p2p_bar *b, unsigned int i)
{
	int ret = p->ops->dma_map(p->opaque, b->addr + b->piece[i].off,
				  b->piece[i].hva, b->piece[i].size);

	if (ret) {
		p->stats.map_failed++;
		b->npieces--;
		memmove(&b->piece[i], &b->piece[i + 1],
			(b->npieces - i) * sizeof(b->piece[0]));
		return ret;
	}
	p->stats.maps++;
	b->piece[i].mapped = 1;
	return 0;
}

int pci_p2p_map(struct pci_p2p *p, unsigned int id, uint64_t off, uint64_t size,
		void *hva)
{
	struct pci_p2p_bar *b;
	uint64_t lo, hi;
	unsigned int i;

	if (id >= PCI_P2P_MAX_BARS || !p->bar[id].placed)
		return -EINVAL;
	b = &p->bar[id];
	if (off >= b->size)
		return -EINVAL;
	if (size > b->size - off)
		size = b->size - off;
	/* The guest address and the host memory must both be page-aligned. */
	if ((b->addr & (PAGE - 1)) || (((uintptr_t)hva - off) & (PAGE - 1)))
		return 0;
	lo = (off + PAGE - 1) & ~(PAGE - 1);
	hi = (off + size) & ~(PAGE - 1);
	if (hi <= lo)
		return 0;
	/* kept from before it was parked */
	for (i = 0; i < b->npieces; i++)
		if (b->piece[i].off == lo && b->piece[i].size == hi - lo &&
		    b->piece[i].hva == (uint8_t *)hva + (lo - off))
			return 0;
	if (b->npieces >= PCI_P2P_MAX_PIECES)
		return -EINVAL;
	b->piece[b->npieces].off = lo;
	b->piece[b->npieces].size = hi - lo;
	b->piece[b->npieces].hva = (uint8_t *)hva + (lo - off);
	b->piece[b->npieces].mapped = 0;
	b->npieces++;
	if (p->held)
		return 0;
	return piece_map(p, b, b->npieces - 1);
}

void pci_p2p_hold(struct pci_p2p *p)
{
	p->held = 1;
}

int pci_p2p_resume(struct pci_p2p *p)
{
	unsigned int i, j;
	int ret, first = 0;

	p->held = 0;
	for (i = 0; i < PCI_P2P_MAX_BARS; i++)
		for (j = 0; j < p->bar[i].npieces;) {
			if (p->bar[i].piece[j].mapped) {
				j++;
				continue;
			}
			ret = piece_map(p, &p->bar[i], j);
			if (ret && !first)
				first = ret;
			if (!ret)
				j++;
		}
	return first;
}

void pci_p2p_release(struct pci_p2p *p, unsigned int id)
{
	struct pci_p2p_bar *b;
	unsigned int i;

	if (id >= PCI_P2P_MAX_BARS)
		return;
	b = &p->bar[id];
	for (i = 0; i < b->npieces; i++) {
		if (!b->piece[i].mapped)
			continue;
		if (p->ops->dma_unmap(p->opaque, b->addr + b->piece[i].off,
				      b->piece[i].size))
			p->stats.unmap_failed++;
		else
			p->stats.unmaps++;
	}
	b->npieces = 0;
	b->placed = 0;
	b->parked = 0;
}

int pci_p2p_park(struct pci_p2p *p, unsigned int id, uint64_t now_ns)
{
	struct pci_p2p_bar *b;
	unsigned int i;

	if (id >= PCI_P2P_MAX_BARS)
		return 0;
	b = &p->bar[id];
	for (i = 0; i < b->npieces && b->placed; i++)
		if (b->piece[i].mapped) {
			b->placed = 0;
			b->parked = 1;
			b->parked_ns = now_ns;
			return 1;
		}
	pci_p2p_release(p, id);
	return 0;
}

uint64_t pci_p2p_flush(struct pci_p2p *p, uint64_t now_ns, uint64_t age_ns)
{
	uint64_t next = 0, due;
	unsigned int i;

	for (i = 0; i < PCI_P2P_MAX_BARS; i++) {
		if (!p->bar[i].parked)
			continue;
		due = p->bar[i].parked_ns + age_ns;
		if (now_ns >= due)
			pci_p2p_release(p, i);
		else if (!next || due < next)
			next = due;
	}
	return next;
}

void pci_p2p_release_all(struct pci_p2p *p)
{
	unsigned int i;

	for (i = 0; i < PCI_P2P_MAX_BARS; i++)
		pci_p2p_release(p, i);
}
