/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "pci/vcaps.h"
#include "pci/vdev_priv.h"

/* Command bits the guest controls on the real device. */
#define CMD_FORWARD                                                 \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
/* Status bits that describe the device rather than report events. */
#define STATUS_KEEP \
	(PCI_STATUS_66MHZ | PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MASK)

/* ---- header and BARs ---- */

static uint64_t pow2_up(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p)
		p <<= 1;
	return p;
}

/* The size of the space a BAR decodes in: ports, 32- or 64-bit memory. */
static uint64_t bar_space(const struct pci_vdev_bar_desc *b)
{
	return b->io ? 0x10000 : b->is64 ? 1ULL << 52 : 1ULL << 32;
}

static void bars_init(struct pci_vdev *d, const uint8_t *phys,
		      const struct pci_vdev_config *cfg)
{
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		uint32_t v = rd32(phys + reg), flags;
		struct pci_vdev_bar_desc *b = &d->bar[i];
		uint64_t mask;

		wr32(d->cfg + reg, 0);
		if (!cfg->bar_size[i])
			continue;
		b->io = v & PCI_BASE_ADDRESS_SPACE_IO;
		b->is64 = !b->io && (v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
					    PCI_BASE_ADDRESS_MEM_TYPE_64;
		b->prefetch = !b->io && (v & PCI_BASE_ADDRESS_MEM_PREFETCH);
		if (b->is64 && i == PCI_STD_NUM_BARS - 1)
			b->is64 =
				0; /* no room for a high half: a broken device */
		b->size = pow2_up(cfg->bar_size[i]);
		if (b->size < (b->io ? 4u : 16u))
			b->size = b->io ? 4 : 16;
		/* A BAR larger than its address space cannot be placed. */
		if (!b->size || b->size > bar_space(b)) {
			*b = (struct pci_vdev_bar_desc){ 0 };
			continue;
		}
		flags = b->io ? (v & 0x3) : (v & 0xf);
		if (!b->is64)
			flags &= ~PCI_BASE_ADDRESS_MEM_TYPE_MASK;
		wr32(d->cfg + reg, flags);
		mask = ~(b->size - 1);
		wmask_range(d, reg, 4, (uint32_t)mask & (b->io ? ~3u : ~0xfu));
		if (b->is64) {
			/* The next BAR is this one's high half. */
			i++;
			wr32(d->cfg + reg + 4, 0);
			wmask_range(d, reg + 4, 4, (uint32_t)(mask >> 32));
		}
	}
}

static uint64_t bar_cfg_addr(const struct pci_vdev *d, unsigned int i)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint64_t a = rd32(d->cfg + reg);

	a &= d->bar[i].io ? ~3ULL : ~0xfULL;
	a &= 0xffffffffULL;
	if (d->bar[i].is64)
		a |= (uint64_t)rd32(d->cfg + reg + 4) << 32;
	return a;
}

/*
 * An address worth decoding: not 0, not the all-ones sizing pattern, and
 * not running past the end of its space.
 */
static int bar_addr_valid(const struct pci_vdev *d, unsigned int i, uint64_t a)
{
	const struct pci_vdev_bar_desc *b = &d->bar[i];
	uint64_t limit = bar_space(b);

	if (!a || b->size > limit || a > limit - b->size)
		return 0;
	return a != (limit - b->size);
}

/* Makes BAR i's mapping follow the command register and its address. */
static void bar_sync(struct pci_vdev *d, unsigned int i)
{
	uint16_t cmd =
		(uint16_t)(d->cfg[PCI_COMMAND] | d->cfg[PCI_COMMAND + 1] << 8);
	const struct pci_vdev_bar_desc *b = &d->bar[i];
	uint64_t a = bar_cfg_addr(d, i);
	int want = b->size &&
		   (cmd & (b->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) &&
		   bar_addr_valid(d, i, a);

	if (d->bar_mapped[i] && (!want || a != d->bar_addr[i])) {
		if (d->ops->bar_unmap(d->opaque, i, d->bar_addr[i]))
			d->stats.op_errors++;
		d->bar_mapped[i] = 0;
	}
	if (want && !d->bar_mapped[i]) {
		/* Marked mapped even on failure: the unmap must still come. */
		if (d->ops->bar_map(d->opaque, i, a))
			d->stats.op_errors++;
		d->bar_mapped[i] = 1;
		d->bar_addr[i] = a;
	}
}

static void command_sync(struct pci_vdev *d)
{
	uint16_t virt =
		(uint16_t)(d->cfg[PCI_COMMAND] | d->cfg[PCI_COMMAND + 1] << 8);
	uint16_t phys = 0;
	unsigned int i;

	/* Bus mastering, decoding and INTx masking must reach the device. */
	if (d->ops->cfg_read(d->opaque, PCI_COMMAND, &phys, 2)) {
		d->stats.op_errors++;
	} else {
		phys = (uint16_t)((phys & ~CMD_FORWARD) | (virt & CMD_FORWARD));
		if (d->ops->cfg_write(d->opaque, PCI_COMMAND, &phys, 2))
			d->stats.op_errors++;
	}
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		bar_sync(d, i);
}

int pci_vdev_init(struct pci_vdev *d, const struct pci_vdev_ops *ops,
		  void *opaque, const struct pci_vdev_config *cfg)
{
	uint8_t phys[PCI_CFG_SPACE_SIZE];
	uint16_t status;

	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->opaque = opaque;
	if (ops->cfg_read(opaque, 0, phys, sizeof(phys)))
		return -EINVAL;
	if (phys[PCI_VENDOR_ID] == 0xff && phys[PCI_VENDOR_ID + 1] == 0xff)
		return -ENODEV;
	memcpy(d->cfg, phys, sizeof(phys));

	/* The header: identity from the device, everything else ours. */
	wr16(d->cfg + PCI_COMMAND, 0);
	wmask_range(d, PCI_COMMAND, 2, CMD_FORWARD);
	status = (uint16_t)((phys[PCI_STATUS] | phys[PCI_STATUS + 1] << 8) &
			    STATUS_KEEP);
	wr16(d->cfg + PCI_STATUS,
	     status | (phys[PCI_STATUS] & PCI_STATUS_CAP_LIST));
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	/* Multi-function only if its guest slot holds other functions too. */
	d->cfg[PCI_HEADER_TYPE] = (phys[PCI_HEADER_TYPE] & 0x7f) |
				  (cfg->multifunction ? 0x80 : 0);
	d->cfg[PCI_BIST] = 0;
	bars_init(d, phys, cfg);
	wr32(d->cfg + PCI_CARDBUS_CIS, 0);
	wr32(d->cfg + PCI_ROM_ADDRESS, 0); /* the ROM is hidden */
	memset(d->cfg + PCI_CAPABILITY_LIST + 1, 0, 7);
	d->cfg[PCI_INTERRUPT_LINE] = 0;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	if (!cfg->intx || phys[PCI_INTERRUPT_PIN] > 4)
		d->cfg[PCI_INTERRUPT_PIN] = 0;

	if (pci_vdev_caps_init(d, cfg))
		return -EINVAL;
	if (!(d->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		d->cfg[PCI_CAPABILITY_LIST] = 0;
	/* Extended capabilities are hidden: 0x100 ends the list at once. */
	d->cfg_size = d->exp_pos ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
	memcpy(d->cfg0, d->cfg, sizeof(d->cfg0));
	return 0;
}

/* ---- guest accesses ---- */

static int cfg_access_ok(unsigned int off, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && !(off & (len - 1)) &&
	       off < PCI_CFG_SPACE_EXP_SIZE;
}

static int in_msi(const struct pci_vdev *d, unsigned int o)
{
	/* The ID and next pointer stay in cfg: the chain is ours. */
	return d->msi_pos && o >= d->msi_pos + PCI_MSI_FLAGS &&
	       o < d->msi_pos + d->msi.size;
}

/* Bytes of [off, off + len) that are the device's own registers. */
static unsigned int raw_bytes(const struct pci_vdev *d, unsigned int off,
			      unsigned int len)
{
	unsigned int i, n = 0;

	for (i = 0; i < len; i++)
		if (off + i < PCI_CFG_SPACE_SIZE && d->raw[off + i])
			n |= 1u << i;
	return n;
}

void pci_vdev_cfg_read(struct pci_vdev *d, unsigned int off, unsigned int len,
		       uint32_t *val)
{
	unsigned int i, raw;
	uint32_t live = 0;

	if (!cfg_access_ok(off, len)) {
		d->stats.bad_cfg++;
		*val = 0xffffffff;
		return;
	}
	*val = 0;
	if (off >= d->cfg_size) {
		*val = len == 4 ? 0xffffffff : (1u << (8 * len)) - 1;
		return;
	}
	raw = raw_bytes(d, off, len);
	if (raw && d->ops->cfg_read(d->opaque, off, &live, len)) {
		d->stats.op_errors++;
		live = 0xffffffff;
	}
	for (i = 0; i < len; i++) {
		unsigned int o = off + i;
		uint32_t b = in_msi(d, o)
				     ? pci_msi_read(&d->msi, o - d->msi_pos, 1)
				     : d->cfg[o];

		if (raw & (1u << i))
			b = live >> (8 * i) & 0xff;
		*val |= b << (8 * i);
	}
	/*
	 * The Interrupt Status bit is the device's live INTx state: drivers
	 * that share a line (uio_pci_generic, pci_check_and_mask_intx) ask
	 * it whether the interrupt is theirs (PCI Local Bus 3.0, 6.2.3).
	 */
	if (off <= PCI_STATUS && off + len > PCI_STATUS) {
		uint8_t st = 0;

		if (d->ops->cfg_read(d->opaque, PCI_STATUS, &st, 1))
			d->stats.op_errors++;
		else if (st & PCI_STATUS_INTERRUPT)
			*val |= (uint32_t)PCI_STATUS_INTERRUPT
				<< (8 * (PCI_STATUS - off));
	}
}

static int overlaps(unsigned int off, unsigned int len, unsigned int start,
		    unsigned int size)
{
	return off < start + size && start < off + len;
}

/*
 * 1 if the write sets Initiate Function Level Reset: in Device Control
 * of PCI Express, where Device Capabilities offers it (PCIe 3.0, 7.8.4),
 * or in the Advanced Features control register (ptvm keeps that
 * capability only when it offers FLR).
 */
static int write_flr(const struct pci_vdev *d, unsigned int off,
		     unsigned int len, uint32_t val)
{
	unsigned int e = d->exp_pos + PCI_EXP_DEVCTL + 1,
		     a = d->af_pos + PCI_AF_CTRL;

	if (d->exp_pos &&
	    (rd32(d->cfg + d->exp_pos + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR) &&
	    off <= e && e < off + len &&
	    (val >> (8 * (e - off)) & (PCI_EXP_DEVCTL_BCR_FLR >> 8)))
		return 1;
	return d->af_pos && off <= a && a < off + len &&
	       (val >> (8 * (a - off)) & PCI_AF_CTRL_FLR);
}

/*
 * A function reset: the model goes back to how the device came out of
 * reset (decoding and interrupts off, BARs unassigned, every register
 * the guest wrote back to its default), then the device follows.
 */
static void flr(struct pci_vdev *d)
{
	d->stats.resets++;
	pci_vdev_reset(d);
	memcpy(d->cfg, d->cfg0, sizeof(d->cfg));
	if (d->ops->reset(d->opaque))
		d->stats.op_errors++;
}

void pci_vdev_cfg_write(struct pci_vdev *d, unsigned int off, unsigned int len,
			uint32_t val)
{
	unsigned int i, touched = 0, msi_lo = 0, msi_len = 0, raw;
	uint32_t msi_val = 0;

	if (!cfg_access_ok(off, len) || off >= d->cfg_size) {
		d->stats.bad_cfg++;
		return;
	}
	if (write_flr(d, off, len, val)) {
		flr(d);
		return;
	}
	raw = raw_bytes(d, off, len);
	if (raw == (1u << len) - 1) {
		/* The device's own register, whole: as the guest wrote it. */
		if (d->ops->cfg_write(d->opaque, off, &val, len))
			d->stats.op_errors++;
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i)), w = d->wmask[o];

		if (raw & (1u << i)) {
			if (d->ops->cfg_write(d->opaque, o, &b, 1))
				d->stats.op_errors++;
			touched = 1;
			continue;
		}
		if (in_msi(d, o)) {
			if (!msi_len)
				msi_lo = o - d->msi_pos;
			msi_val |= (uint32_t)b << (8 * msi_len++);
			touched |= !!d->msi.wmask[o - d->msi_pos];
			continue;
		}
		if (w)
			touched = 1;
		d->cfg[o] = (uint8_t)((d->cfg[o] & ~w) | (b & w));
	}
	if (!touched) {
		d->stats.ro_writes++;
		return;
	}
	if (overlaps(off, len, PCI_COMMAND, 2))
		command_sync(d);
	if (overlaps(off, len, PCI_BASE_ADDRESS_0, 4 * PCI_STD_NUM_BARS))
		for (i = 0; i < PCI_STD_NUM_BARS; i++)
			bar_sync(d, i);
	if (d->msix_pos &&
	    overlaps(off, len, d->msix_pos + PCI_MSIX_FLAGS, 2)) {
		uint16_t ctrl =
			(uint16_t)(d->cfg[d->msix_pos + PCI_MSIX_FLAGS] |
				   d->cfg[d->msix_pos + PCI_MSIX_FLAGS + 1]
					   << 8);

		/*
		 * MSI and MSI-X are never on together on the device: MSI-X
		 * wins, and MSI steps aside first (it comes back when MSI-X
		 * goes off, if the guest still has it enabled).
		 */
		if (ctrl & PCI_MSIX_FLAGS_ENABLE) {
			if (d->msi_pos)
				pci_msi_block(&d->msi, 1);
			pci_msix_ctrl_write(&d->msix, ctrl);
		} else {
			pci_msix_ctrl_write(&d->msix, ctrl);
			if (d->msi_pos)
				pci_msi_block(&d->msi, 0);
		}
	}
	if (msi_len)
		pci_msi_write(&d->msi, msi_lo, msi_len, msi_val);
}

int pci_vdev_write_masters(const struct pci_vdev *d, unsigned int off,
			   unsigned int len, uint32_t val)
{
	unsigned int i;

	if (!cfg_access_ok(off, len) || off >= d->cfg_size)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));

		if (o == PCI_COMMAND && (b & d->wmask[o] & PCI_COMMAND_MASTER))
			return 1;
		if (d->msi_pos && o == d->msi_pos + PCI_MSI_FLAGS &&
		    (b & PCI_MSI_FLAGS_ENABLE))
			return 1;
		if (d->msix_pos && o == d->msix_pos + PCI_MSIX_FLAGS + 1 &&
		    (b & (PCI_MSIX_FLAGS_ENABLE >> 8)))
			return 1;
	}
	return 0;
}

static int bar_access_ok(const struct pci_vdev *d, unsigned int bar,
			 uint64_t off, unsigned int len)
{
	return bar < PCI_STD_NUM_BARS && d->bar[bar].size &&
	       (len == 1 || len == 2 || len == 4 || len == 8) &&
	       off < d->bar[bar].size && len <= d->bar[bar].size - off;
}

void pci_vdev_bar_read(struct pci_vdev *d, unsigned int bar, uint64_t off,
		       unsigned int len, uint64_t *val)
{
	*val = len >= 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
	if (!bar_access_ok(d, bar, off, len)) {
		d->stats.bad_bar++;
		return;
	}
	if (pci_msix_claims(&d->msix, bar, off, len)) {
		pci_msix_read(&d->msix, bar, off, len, val);
		return;
	}
	*val = 0;
	if (d->ops->bar_read(d->opaque, bar, off, val, len)) {
		d->stats.op_errors++;
		*val = len >= 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
	}
}

void pci_vdev_bar_write(struct pci_vdev *d, unsigned int bar, uint64_t off,
			unsigned int len, uint64_t val)
{
	if (!bar_access_ok(d, bar, off, len)) {
		d->stats.bad_bar++;
		return;
	}
	if (pci_msix_claims(&d->msix, bar, off, len)) {
		pci_msix_write(&d->msix, bar, off, len, val);
		return;
	}
	if (d->ops->bar_write(d->opaque, bar, off, &val, len))
		d->stats.op_errors++;
}

void pci_vdev_irq_fired(struct pci_vdev *d, unsigned int index,
			unsigned int vec)
{
	if (index == VFIO_PCI_MSIX_IRQ_INDEX)
		pci_msix_fired(&d->msix, vec);
	else if (index == VFIO_PCI_MSI_IRQ_INDEX && d->msi_pos)
		pci_msi_fired(&d->msi, vec);
}

int pci_vdev_bar_info(const struct pci_vdev *d, unsigned int bar,
		      struct pci_vdev_bar_desc *desc)
{
	if (bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	*desc = d->bar[bar];
	return 0;
}

unsigned int pci_vdev_bar_traps(const struct pci_vdev *d, unsigned int bar,
				struct pci_vdev_range *r, unsigned int max)
{
	const struct pci_msix *m = &d->msix;
	unsigned int n = 0;

	if (!d->msix_pos)
		return 0;
	if (bar == m->table_bar && n < max)
		r[n++] = (struct pci_vdev_range){
			m->table_off, (uint64_t)m->nvec * PCI_MSIX_ENTRY
		};
	if (bar == m->pba_bar && n < max)
		r[n++] = (struct pci_vdev_range){ m->pba_off,
						  (m->nvec + 63) / 64 * 8ULL };
	return n;
}

void pci_vdev_bar_set(struct pci_vdev *d, unsigned int bar, uint64_t addr)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint32_t lo;

	if (bar >= PCI_STD_NUM_BARS || !d->bar[bar].size)
		return;
	addr &= ~(d->bar[bar].size - 1);
	if (!d->bar[bar].is64)
		addr &= 0xffffffffULL;
	lo = rd32(d->cfg + reg) & (d->bar[bar].io ? 3u : 0xfu);
	wr32(d->cfg + reg, lo | (uint32_t)addr);
	if (d->bar[bar].is64)
		wr32(d->cfg + reg + 4, (uint32_t)(addr >> 32));
	bar_sync(d, bar);
}

void pci_vdev_decode_on(struct pci_vdev *d)
{
	uint16_t cmd =
		(uint16_t)(d->cfg[PCI_COMMAND] | d->cfg[PCI_COMMAND + 1] << 8);
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (d->bar[i].size)
			cmd |= d->bar[i].io ? PCI_COMMAND_IO
					    : PCI_COMMAND_MEMORY;
	wr16(d->cfg + PCI_COMMAND, cmd);
	command_sync(d);
}

void pci_vdev_reset(struct pci_vdev *d)
{
	wr16(d->cfg + PCI_COMMAND, 0);
	command_sync(d);
	if (d->msix_pos) {
		wr16(d->cfg + d->msix_pos + PCI_MSIX_FLAGS,
		     (uint16_t)(d->msix.nvec - 1));
		pci_msix_reset(&d->msix);
	}
	if (d->msi_pos)
		pci_msi_reset(&d->msi);
}
