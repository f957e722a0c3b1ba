/* SPDX-License-Identifier: MIT */
/*
 * The capability chain of a passed-through function, as the guest sees
 * it: MSI-X and MSI emulated, PCI Express and Advanced Features with
 * virtual values, vendor capabilities read-only; the rest unlinked (PCI
 * Local Bus 3.0, 6.7).
 * The bytes that belong to no capability are the device's own registers.
 */
#include <errno.h>
#include <string.h>

#include "pci/caps.h"
#include "pci/vcaps.h"
#include "pci/vdev_priv.h"

#define PCIE_CAP_V2_SIZE 0x3c
#define PCIE_CAP_V1_SIZE 0x24 /* with the root registers */
#define PCIE_CAP_V1_EP_SIZE 0x14 /* an endpoint's: up to Link Status */
#define MSIX_CAP_SIZE 12

/*
 * The capability's length (PCIe 3.0, 7.8): version 2 has all registers;
 * version 1 ends after Link Status for endpoints (no slot or root ones).
 */
static unsigned int pcie_size(uint16_t flags)
{
	unsigned int type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;

	if ((flags & PCI_EXP_FLAGS_VERS) >= 2)
		return PCIE_CAP_V2_SIZE;
	if (type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END ||
	    type == PCI_EXP_TYPE_RC_END)
		return PCIE_CAP_V1_EP_SIZE;
	return PCIE_CAP_V1_SIZE;
}

/* PCI Express with virtual values for a device on a root bus, no port. */
static unsigned int pcie_init(struct pci_vdev *d, unsigned int pos)
{
	uint16_t flags = (uint16_t)(d->cfg[pos + PCI_EXP_FLAGS] |
				    d->cfg[pos + PCI_EXP_FLAGS + 1] << 8);
	unsigned int type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
	unsigned int size = pcie_size(flags);

	if (pos + size > PCI_CFG_SPACE_SIZE)
		return 0;
	/*
	 * ptvm has no root port: the function sits on the root bus, so it
	 * is a Root Complex Integrated Endpoint, which has no link, slot or
	 * root registers (PCIe 3.0, 7.8). Linux then looks for no link.
	 */
	if (type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END)
		type = PCI_EXP_TYPE_RC_END;
	flags = (uint16_t)((flags &
			    ~(PCI_EXP_FLAGS_TYPE | PCI_EXP_FLAGS_SLOT)) |
			   type << 4);
	wr16(d->cfg + pos + PCI_EXP_FLAGS, flags);
	/* No link, slot or root: zeros up to Device Capabilities 2. */
	memset(d->cfg + pos + PCI_EXP_LNKCAP, 0,
	       (size < PCI_EXP_DEVCAP2 ? size : PCI_EXP_DEVCAP2) -
		       PCI_EXP_LNKCAP);
	wr16(d->cfg + pos + PCI_EXP_DEVSTA, 0);
	/* Device control is the guest's to play with; FLR is not (bit 15). */
	wmask_range(d, pos + PCI_EXP_DEVCTL, 2,
		    0x7fff & ~PCI_EXP_DEVCTL_BCR_FLR);
	if (size == PCIE_CAP_V2_SIZE) {
		memset(d->cfg + pos + PCI_EXP_LNKCAP2, 0,
		       PCIE_CAP_V2_SIZE - PCI_EXP_LNKCAP2);
		wmask_range(d, pos + PCI_EXP_DEVCTL2, 2, 0xffff);
	}
	return size;
}

/*
 * Advanced Features (the AF ECN): kept only to offer its FLR, which
 * conventional PCI functions have instead of PCI Express's. Its control
 * register reads 0 (the FLR bit is write-only); Transactions Pending
 * reads 0, since the guest's config accesses wait for the reset.
 */
static unsigned int af_init(struct pci_vdev *d, unsigned int pos)
{
	if (pos + PCI_CAP_AF_SIZEOF > PCI_CFG_SPACE_SIZE ||
	    !(d->cfg[pos + PCI_AF_CAP] & PCI_AF_CAP_FLR))
		return 0;
	d->cfg[pos + PCI_AF_LENGTH] = PCI_CAP_AF_SIZEOF;
	d->cfg[pos + PCI_AF_CAP] &= PCI_AF_CAP_TP | PCI_AF_CAP_FLR;
	d->cfg[pos + PCI_AF_CTRL] = 0;
	d->cfg[pos + PCI_AF_STATUS] = 0;
	d->af_pos = pos;
	return PCI_CAP_AF_SIZEOF;
}

static unsigned int msix_init(struct pci_vdev *d, unsigned int pos,
			      const struct pci_vdev_config *cfg)
{
	uint16_t ctrl = (uint16_t)(d->cfg[pos + PCI_MSIX_FLAGS] |
				   d->cfg[pos + PCI_MSIX_FLAGS + 1] << 8);
	uint32_t table = rd32(d->cfg + pos + PCI_MSIX_TABLE);
	uint32_t pba = rd32(d->cfg + pos + PCI_MSIX_PBA);
	unsigned int n = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	unsigned int tb = table & PCI_MSIX_TABLE_BIR,
		     pb = pba & PCI_MSIX_PBA_BIR;

	if (pos + MSIX_CAP_SIZE > PCI_CFG_SPACE_SIZE || !cfg->msix_nvec)
		return 0;
	if (n > cfg->msix_nvec)
		n = cfg->msix_nvec;
	if (tb >= PCI_STD_NUM_BARS || pb >= PCI_STD_NUM_BARS ||
	    !d->bar[tb].size || !d->bar[pb].size || d->bar[tb].io ||
	    d->bar[pb].io ||
	    (uint64_t)(table & PCI_MSIX_TABLE_OFFSET) + n * PCI_MSIX_ENTRY >
		    d->bar[tb].size ||
	    (uint64_t)(pba & PCI_MSIX_PBA_OFFSET) + (n + 63) / 64 * 8 >
		    d->bar[pb].size)
		return -1u; /* cannot be virtualized */
	/* The guest sees the vectors VFIO can give, disabled. */
	wr16(d->cfg + pos + PCI_MSIX_FLAGS, (uint16_t)(n - 1));
	wmask_range(d, pos + PCI_MSIX_FLAGS, 2,
		    PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_msix_init(&d->msix, &d->ops->irq, d->opaque, n, table, pba);
	d->msix_pos = pos;
	return MSIX_CAP_SIZE;
}

static unsigned int msi_init(struct pci_vdev *d, unsigned int pos,
			     const struct pci_vdev_config *cfg)
{
	uint8_t cap[PCI_MSI_REGS] = { 0 };
	unsigned int n = PCI_CFG_SPACE_SIZE - pos;

	if (!cfg->msi_nvec)
		return 0;
	memcpy(cap, d->cfg + pos, n < PCI_MSI_REGS ? n : PCI_MSI_REGS);
	pci_msi_init(&d->msi, &d->ops->irq, d->opaque, cap, cfg->msi_nvec);
	if (pos + d->msi.size > PCI_CFG_SPACE_SIZE)
		return 0;
	d->msi_pos = pos;
	return d->msi.size;
}

/*
 * The bytes a kept capability owns, known before it is set up: a device
 * whose capabilities overlap must not get one's emulated registers over
 * another's header. 0 for a capability ptvm hides.
 */
static unsigned int cap_extent(const struct pci_vdev *d, unsigned int pos,
			       unsigned int id)
{
	uint16_t flags = (uint16_t)(d->cfg[pos + 2] | d->cfg[pos + 3] << 8);

	switch (pci_cap_policy(id)) {
	case PCI_CAP_EMULATED:
		if (id == PCI_CAP_ID_MSIX)
			return MSIX_CAP_SIZE;
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			return flags & PCI_MSI_FLAGS_64BIT ? 24 : 20;
		return flags & PCI_MSI_FLAGS_64BIT ? 14 : 10;
	case PCI_CAP_VIRTUAL:
		return id == PCI_CAP_ID_AF ? PCI_CAP_AF_SIZEOF
					   : pcie_size(flags);
	case PCI_CAP_READONLY:
		return 2; /* its ID and next pointer: the rest is never ours */
	default:
		return 0;
	}
}

/*
 * How many bytes the capability at pos spans, for any capability ID:
 * known sizes (PCI Local Bus 3.0, 6.8 and the capability ECNs), the
 * vendor capability's own length byte, else everything up to the next
 * capability above it (or the end): unknown means not the device's own.
 */
static unsigned int cap_span(const struct pci_vdev *d, unsigned int pos,
			     unsigned int id, const uint8_t *starts)
{
	unsigned int n;

	switch (id) {
	case PCI_CAP_ID_PM:
	case PCI_CAP_ID_VPD:
	case PCI_CAP_ID_SSVID:
	case PCI_CAP_ID_SATA:
		return 8;
	case PCI_CAP_ID_SLOTID:
	case PCI_CAP_ID_CHSWP:
		return 4;
	case PCI_CAP_ID_VNDR:
		return d->cfg[pos + 2] > 2 ? d->cfg[pos + 2] : 3;
	case PCI_CAP_ID_MSI:
	case PCI_CAP_ID_MSIX:
	case PCI_CAP_ID_EXP:
	case PCI_CAP_ID_AF:
		return cap_extent(d, pos, id);
	default:
		for (n = pos + 4; n < PCI_CFG_SPACE_SIZE && !starts[n]; n += 4)
			;
		return n - pos;
	}
}

/*
 * The device-specific bytes: after the header and outside every
 * capability of the physical chain, kept or hidden. VFIO passes these
 * through raw, and drivers keep registers there (a watchdog's enable
 * bit, a controller's port enables).
 */
static void raw_init(struct pci_vdev *d, const uint8_t *starts)
{
	unsigned int pos, i, span;

	memset(d->raw, 0, sizeof(d->raw));
	memset(d->raw + PCI_STD_HEADER_SIZEOF, 1,
	       PCI_CFG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF);
	for (pos = PCI_STD_HEADER_SIZEOF; pos < PCI_CFG_SPACE_SIZE; pos += 4) {
		if (!starts[pos])
			continue;
		span = cap_span(d, pos, d->cfg[pos], starts);
		for (i = pos; i < pos + span && i < PCI_CFG_SPACE_SIZE; i++)
			d->raw[i] = 0;
	}
}

/*
 * Rebuilds the chain with only the capabilities ptvm handles. The others
 * keep their bytes (a driver may read them) but are no longer linked.
 * The walk tolerates any physical chain: loops, odd pointers, pointers
 * into the header.
 */
int pci_vdev_caps_init(struct pci_vdev *d, const struct pci_vdev_config *cfg)
{
	uint8_t seen[PCI_CFG_SPACE_SIZE / 4] = { 0 };
	uint8_t owned[PCI_CFG_SPACE_SIZE] = { 0 };
	uint8_t starts[PCI_CFG_SPACE_SIZE] = { 0 };
	unsigned int keep[PCI_CFG_SPACE_SIZE / 4], nkeep = 0, pos, i;

	if (!(d->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		pos = 0;
	else
		pos = d->cfg[PCI_CAPABILITY_LIST] & ~3u;
	while (pos >= PCI_STD_HEADER_SIZEOF && pos < PCI_CFG_SPACE_SIZE &&
	       !seen[pos / 4]) {
		unsigned int id = d->cfg[pos], next = d->cfg[pos + 1] & ~3u;
		unsigned int size = 0, ext = cap_extent(d, pos, id);

		seen[pos / 4] = 1;
		starts[pos] = 1;
		/* Past the end, or over one we keep: hidden, as if absent. */
		if (pos + ext > PCI_CFG_SPACE_SIZE ||
		    memchr(owned + pos, 1, ext))
			ext = 0;
		switch (ext ? pci_cap_policy(id) : PCI_CAP_HIDDEN) {
		case PCI_CAP_EMULATED:
			if (id == PCI_CAP_ID_MSIX && !d->msix_pos)
				size = msix_init(d, pos, cfg);
			else if (id == PCI_CAP_ID_MSI && !d->msi_pos)
				size = msi_init(d, pos, cfg);
			break;
		case PCI_CAP_VIRTUAL:
			if (id == PCI_CAP_ID_AF) {
				if (!d->af_pos)
					size = af_init(d, pos);
			} else if (!d->exp_pos) {
				size = pcie_init(d, pos);
				d->exp_pos = size ? pos : 0;
			}
			break;
		case PCI_CAP_READONLY:
			size = 2;
			break;
		default:
			break;
		}
		if (size == -1u)
			return -EINVAL;
		if (size) {
			keep[nkeep++] = pos;
			memset(owned + pos, 1, size);
		}
		pos = next;
	}
	raw_init(d, starts);
	/* Link what we keep, in the device's order; the header points at it. */
	d->cfg[PCI_CAPABILITY_LIST] = nkeep ? (uint8_t)keep[0] : 0;
	for (i = 0; i < nkeep; i++)
		d->cfg[keep[i] + PCI_CAP_LIST_NEXT] =
			i + 1 < nkeep ? (uint8_t)keep[i + 1] : 0;
	if (nkeep)
		d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	else
		d->cfg[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
	return 0;
}
