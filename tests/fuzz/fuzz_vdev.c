/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the pure device model (pci/vdev, pci/msix, pci/msi):
 * a fake device described by the input, then a sequence of guest accesses,
 * interrupt fires, resets and firmware BAR assignments. The fake ops check
 * what the plumbing relies on, and after every step the guest's view and the
 * physical state are checked against each other; a violation aborts.
 *
 * Input, little-endian, missing bytes read as 0:
 *   u8  flags       bit 0 intx, bit 1 multifunction, bit 2 config unreadable
 *   u8  msi_nvec    VFIO's MSI count
 *   u16 msix_nvec   VFIO's MSI-X count
 *   u8  bar[6]      region size code (see bar_size())
 *   u8  cfg[256]    physical config space; the vendor ID is forced valid
 *   ops...          u8 opcode (% OP_NR) and its arguments (see run_op())
 *
 * tests/fuzz/crashes holds what it found once (overlapping capabilities,
 * an I/O BAR past port space, an unaligned 64-bit bar_set), now fixed:
 * scripts/fuzz replays them on every run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci/vdev.h"

#define VENDOR 0x1b36
#define CMD_FORWARD                                                 \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define NIDX (VFIO_PCI_MSIX_IRQ_INDEX + 1)

/* Fault injection: which fake ops fail (OP_FAIL sets them). */
#define FAIL_ENABLE 0x01
#define FAIL_ROUTE 0x02
#define FAIL_INJECT 0x04
#define FAIL_MAP 0x08
#define FAIL_CFG_READ 0x10
#define FAIL_CFG_WRITE 0x20
#define FAIL_BAR_IO 0x40

struct in {
	const uint8_t *p;
	size_t n;
};

struct fake {
	uint8_t cfg[PCI_CFG_SPACE_SIZE]; /* the physical device */
	uint16_t cmd0; /* its command register at the start */
	struct pci_vdev_config vc;
	/* interrupts as VFIO and KVM have them */
	unsigned int nvec[NIDX]; /* 0 = off */
	uint8_t routed[NIDX][PCI_MSIX_MAX];
	uint64_t route_addr[NIDX][PCI_MSIX_MAX];
	uint32_t route_data[NIDX][PCI_MSIX_MAX];
	/* BARs as KVM has them */
	uint8_t mapped[PCI_STD_NUM_BARS];
	uint64_t map_addr[PCI_STD_NUM_BARS];
	uint64_t bar_size[PCI_STD_NUM_BARS]; /* as the model sized them */
	const struct pci_vdev *d;
	unsigned int fail;
	int tainted; /* an op failed: state may legitimately lag */
	int cmd_synced; /* the model has written the command register */
	unsigned int step;
	unsigned int resets; /* function resets the guest asked for */
};

#define CHECK(f, cond)                                                     \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "fuzz_vdev: step %u: %s:%d: %s\n", \
				(f)->step, __FILE__, __LINE__, #cond);     \
			abort();                                           \
		}                                                          \
	} while (0)

static uint8_t in_u8(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t in_le(struct in *in, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)in_u8(in) << (8 * i);
	return v;
}

/* Mostly the sizes an access can have, sometimes anything. */
static unsigned int in_len(struct in *in)
{
	static const unsigned int lens[8] = { 1, 2, 4, 8, 4, 4, 0, 3 };
	uint8_t b = in_u8(in);

	return b < 0xf8 ? lens[b & 7] : (unsigned int)in_le(in, 4);
}

/* Mostly small offsets, sometimes 32 or 64 bits of anything. */
static uint64_t in_off(struct in *in)
{
	uint8_t b = in_u8(in);

	if (b < 0xc0)
		return in_le(in, 2);
	if (b < 0xf0)
		return in_le(in, 4);
	return in_le(in, 8);
}

static uint64_t bar_size(uint8_t code)
{
	if (!code || code >= 128)
		return 0;
	if (code < 64)
		return 1ULL << code;
	return (1ULL << (code - 64)) + 1; /* not a power of two */
}

/* ---- the fake device and plumbing ---- */

static int fake_cfg_read(void *opaque, unsigned int off, void *buf,
			 unsigned int len)
{
	struct fake *f = opaque;

	CHECK(f, len && off < sizeof(f->cfg) && len <= sizeof(f->cfg) - off);
	if (f->fail & FAIL_CFG_READ) {
		f->tainted = 1;
		return -5;
	}
	memcpy(buf, f->cfg + off, len);
	return 0;
}

static int fake_cfg_write(void *opaque, unsigned int off, const void *buf,
			  unsigned int len)
{
	struct fake *f = opaque;
	uint16_t v;

	/*
	 * Of the header and the capabilities the model keeps, the command
	 * register is all it may change on the device; the device-specific
	 * bytes after the header go through as the guest wrote them.
	 */
	if (off != PCI_COMMAND) {
		const struct pci_vdev *d = f->d;
		unsigned int exp =
			d->exp_pos && (d->cfg[d->exp_pos + 2] & 0xf) >= 2
				? 0x3c
				: 0x14;

		CHECK(f, off >= PCI_STD_HEADER_SIZEOF && len >= 1 && len <= 4 &&
				 off + len <= PCI_CFG_SPACE_SIZE);
		CHECK(f, !d->msi_pos || off + len <= d->msi_pos ||
				 off >= d->msi_pos + d->msi.size);
		CHECK(f, !d->msix_pos || off + len <= d->msix_pos ||
				 off >= d->msix_pos + 12);
		CHECK(f, !d->exp_pos || off + len <= d->exp_pos ||
				 off >= d->exp_pos + exp);
		if (f->fail & FAIL_CFG_WRITE) {
			f->tainted = 1;
			return -5;
		}
		memcpy(f->cfg + off, buf, len);
		return 0;
	}
	CHECK(f, len == 2);
	memcpy(&v, buf, 2);
	CHECK(f, (v & ~CMD_FORWARD) == (f->cmd0 & ~CMD_FORWARD));
	if (f->fail & FAIL_CFG_WRITE) {
		f->tainted = 1;
		return -5;
	}
	memcpy(f->cfg + off, buf, len);
	f->cmd_synced = 1;
	return 0;
}

static void bar_io_check(struct fake *f, unsigned int bar, uint64_t off,
			 unsigned int len)
{
	const struct pci_msix *m = &f->d->msix;

	CHECK(f, bar < PCI_STD_NUM_BARS && f->bar_size[bar]);
	CHECK(f, len == 1 || len == 2 || len == 4 || len == 8);
	CHECK(f, off < f->bar_size[bar] && len <= f->bar_size[bar] - off);
	/* The MSI-X table and PBA are emulated: never forwarded. */
	if (f->d->msix_pos && bar == m->table_bar)
		CHECK(f, off + len <= m->table_off ||
				 off >= m->table_off + (uint64_t)m->nvec *
							       PCI_MSIX_ENTRY);
	if (f->d->msix_pos && bar == m->pba_bar)
		CHECK(f, off + len <= m->pba_off ||
				 off >= m->pba_off + (m->nvec + 63) / 64 * 8);
}

static int fake_bar_read(void *opaque, unsigned int bar, uint64_t off,
			 void *buf, unsigned int len)
{
	struct fake *f = opaque;

	bar_io_check(f, bar, off, len);
	if (f->fail & FAIL_BAR_IO) {
		f->tainted = 1;
		return -5;
	}
	memset(buf, 0x5a, len);
	return 0;
}

static int fake_bar_write(void *opaque, unsigned int bar, uint64_t off,
			  const void *buf, unsigned int len)
{
	struct fake *f = opaque;
	uint8_t copy[8];

	bar_io_check(f, bar, off, len);
	memcpy(copy, buf, len);
	if (f->fail & FAIL_BAR_IO) {
		f->tainted = 1;
		return -5;
	}
	return 0;
}

static int fake_bar_map(void *opaque, unsigned int bar, uint64_t addr)
{
	struct fake *f = opaque;
	const struct pci_vdev_bar_desc *b;
	uint64_t size;

	CHECK(f, bar < PCI_STD_NUM_BARS && f->bar_size[bar]);
	CHECK(f, !f->mapped[bar]);
	b = &f->d->bar[bar];
	size = f->bar_size[bar];
	CHECK(f, addr && !(addr & (size - 1)));
	CHECK(f, addr + size > addr);
	{
		/* Inside its address space: 64 KiB of ports, 4 GiB for 32-bit. */
		if (b->io)
			CHECK(f, size <= 0x10000 && addr <= 0x10000 - size);
		else if (!b->is64)
			CHECK(f, size <= 1ULL << 32 &&
					 addr <= (1ULL << 32) - size);
	}
	/* Marked mapped even when it fails: the model must still unmap. */
	f->mapped[bar] = 1;
	f->map_addr[bar] = addr;
	if (f->fail & FAIL_MAP) {
		f->tainted = 1;
		return -12;
	}
	return 0;
}

static int fake_bar_unmap(void *opaque, unsigned int bar, uint64_t addr)
{
	struct fake *f = opaque;

	CHECK(f, bar < PCI_STD_NUM_BARS && f->mapped[bar]);
	CHECK(f, addr == f->map_addr[bar]);
	f->mapped[bar] = 0;
	return 0;
}

/* A function reset the guest asked for: nothing decodes or fires then. */
static int fake_reset(void *opaque)
{
	struct fake *f = opaque;
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		CHECK(f, !f->mapped[i]);
	for (i = 0; i < NIDX; i++)
		CHECK(f, !f->nvec[i]);
	f->resets++;
	f->cfg[PCI_COMMAND] = f->cfg[PCI_COMMAND + 1] = 0;
	return 0;
}

static int fake_irq_enable(void *opaque, unsigned int index, unsigned int nvec)
{
	struct fake *f = opaque;
	unsigned int max = index == VFIO_PCI_MSI_IRQ_INDEX ? f->vc.msi_nvec
							   : f->vc.msix_nvec;

	CHECK(f, index == VFIO_PCI_MSI_IRQ_INDEX ||
			 index == VFIO_PCI_MSIX_IRQ_INDEX);
	CHECK(f, !f->nvec[index]);
	CHECK(f, nvec >= 1 && nvec <= max);
	if (index == VFIO_PCI_MSI_IRQ_INDEX)
		CHECK(f, nvec <= PCI_MSI_MAX && !(nvec & (nvec - 1)));
	else
		CHECK(f, nvec <= PCI_MSIX_MAX);
	/* MSI and MSI-X are never on together on the device. */
	CHECK(f, !f->nvec[VFIO_PCI_MSI_IRQ_INDEX + VFIO_PCI_MSIX_IRQ_INDEX -
			  index]);
	if (f->fail & FAIL_ENABLE) {
		f->tainted = 1;
		return -28;
	}
	f->nvec[index] = nvec;
	memset(f->routed[index], 0, sizeof(f->routed[index]));
	return 0;
}

static int fake_irq_disable(void *opaque, unsigned int index)
{
	struct fake *f = opaque;

	CHECK(f, index < NIDX && f->nvec[index]);
	f->nvec[index] = 0;
	memset(f->routed[index], 0, sizeof(f->routed[index]));
	return 0;
}

static int fake_irq_route(void *opaque, unsigned int index, unsigned int vec,
			  uint64_t addr, uint32_t data)
{
	struct fake *f = opaque;

	CHECK(f, index < NIDX && vec < f->nvec[index]);
	if (f->fail & FAIL_ROUTE) {
		f->tainted = 1;
		return -28;
	}
	f->routed[index][vec] = 1;
	f->route_addr[index][vec] = addr;
	f->route_data[index][vec] = data;
	return 0;
}

static int fake_irq_unroute(void *opaque, unsigned int index, unsigned int vec)
{
	struct fake *f = opaque;

	CHECK(f, index < NIDX && vec < f->nvec[index]);
	CHECK(f, f->routed[index][vec]);
	f->routed[index][vec] = 0;
	return 0;
}

static int fake_irq_inject(void *opaque, unsigned int index, unsigned int vec)
{
	struct fake *f = opaque;

	CHECK(f, index < NIDX && vec < f->nvec[index]);
	CHECK(f, f->routed[index][vec]);
	if (f->fail & FAIL_INJECT) {
		f->tainted = 1;
		return -5;
	}
	return 0;
}

static const struct pci_vdev_ops fake_ops = {
	.cfg_read = fake_cfg_read,
	.cfg_write = fake_cfg_write,
	.bar_read = fake_bar_read,
	.bar_write = fake_bar_write,
	.bar_map = fake_bar_map,
	.bar_unmap = fake_bar_unmap,
	.reset = fake_reset,
	.irq = {
		.irq_enable = fake_irq_enable,
		.irq_disable = fake_irq_disable,
		.irq_route = fake_irq_route,
		.irq_unroute = fake_irq_unroute,
		.irq_inject = fake_irq_inject,
	},
};

/* ---- invariants, checked after every step ---- */

struct snap {
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t wmask[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t chain[48];
	unsigned int nchain;
};

static uint32_t guest_rd(struct pci_vdev *d, unsigned int off, unsigned int len)
{
	uint32_t v;

	pci_vdev_cfg_read(d, off, len, &v);
	return v;
}

/* The guest's capability chain, as Linux walks it (48 steps at most). */
static unsigned int chain_walk(struct fake *f, struct pci_vdev *d, uint8_t *pos)
{
	unsigned int n = 0, p;

	if (!(guest_rd(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	p = guest_rd(d, PCI_CAPABILITY_LIST, 1);
	while (p) {
		unsigned int id = guest_rd(d, p, 1);

		CHECK(f, n < 48);
		CHECK(f, p >= PCI_STD_HEADER_SIZEOF && !(p & 3));
		CHECK(f, id == PCI_CAP_ID_MSI || id == PCI_CAP_ID_MSIX ||
				 id == PCI_CAP_ID_EXP ||
				 id == PCI_CAP_ID_VNDR || id == PCI_CAP_ID_AF);
		pos[n++] = (uint8_t)p;
		p = guest_rd(d, p + PCI_CAP_LIST_NEXT, 1);
	}
	return n;
}

static int in_msi_window(const struct pci_vdev *d, unsigned int o)
{
	return d->msi_pos && o >= d->msi_pos + PCI_MSI_FLAGS &&
	       o < d->msi_pos + d->msi.size;
}

static void snap_take(struct fake *f, struct pci_vdev *d, struct snap *s)
{
	memcpy(s->cfg, d->cfg, sizeof(s->cfg));
	memcpy(s->wmask, d->wmask, sizeof(s->wmask));
	s->nchain = chain_walk(f, d, s->chain);
}

static void check_header(struct fake *f, struct pci_vdev *d,
			 const struct snap *s)
{
	uint8_t chain[48];
	unsigned int o, n;

	CHECK(f, guest_rd(d, PCI_VENDOR_ID, 2) == VENDOR);
	CHECK(f, guest_rd(d, PCI_DEVICE_ID, 2) ==
			 (uint32_t)(f->cfg[2] | f->cfg[3] << 8));
	CHECK(f, !!(guest_rd(d, PCI_HEADER_TYPE, 1) & 0x80) ==
			 !!f->vc.multifunction);
	CHECK(f, guest_rd(d, PCI_INTERRUPT_PIN, 1) <= 4);
	if (!f->vc.intx)
		CHECK(f, !guest_rd(d, PCI_INTERRUPT_PIN, 1));
	CHECK(f, d->cfg_size == PCI_CFG_SPACE_SIZE ||
			 d->cfg_size == PCI_CFG_SPACE_EXP_SIZE);
	/* Past the end of config space: all-ones. */
	if (d->cfg_size < PCI_CFG_SPACE_EXP_SIZE)
		CHECK(f, guest_rd(d, d->cfg_size, 2) == 0xffff);
	/* Read-only bits never change, nor which bits are writable. */
	CHECK(f, !memcmp(s->wmask, d->wmask, sizeof(s->wmask)));
	for (o = 0; o < d->cfg_size; o++)
		if (!in_msi_window(d, o))
			CHECK(f, !((s->cfg[o] ^ d->cfg[o]) & ~s->wmask[o]));
	n = chain_walk(f, d, chain);
	CHECK(f, n == s->nchain && !memcmp(chain, s->chain, n));
}

static void check_bars(struct fake *f, struct pci_vdev *d)
{
	uint16_t cmd = (uint16_t)guest_rd(d, PCI_COMMAND, 2);
	uint16_t phys =
		(uint16_t)(f->cfg[PCI_COMMAND] | f->cfg[PCI_COMMAND + 1] << 8);
	struct pci_vdev_range r[PCI_VDEV_MAX_TRAPS];
	struct pci_vdev_bar_desc desc;
	unsigned int i, nt, t;

	CHECK(f, pci_vdev_bar_info(d, PCI_STD_NUM_BARS, &desc) == -EINVAL);
	CHECK(f, !(cmd & ~CMD_FORWARD));
	/*
	 * Init leaves the device's command register as it finds it (vfio/pci
	 * resets the device first); from the first sync on, it follows.
	 */
	if (!f->tainted && f->cmd_synced)
		CHECK(f, (phys & CMD_FORWARD) == cmd);
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct pci_vdev_bar_desc *b = &d->bar[i];
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		uint16_t dec = b->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		uint32_t lo = guest_rd(d, reg, 4);
		uint64_t a = lo & (b->io ? ~3u : ~0xfu), lim;

		CHECK(f, !pci_vdev_bar_info(d, i, &desc));
		CHECK(f, !memcmp(&desc, b, sizeof(desc)));
		CHECK(f, b->size == f->bar_size[i]);
		/* What must trap lies inside the BAR. */
		nt = pci_vdev_bar_traps(d, i, r, PCI_VDEV_MAX_TRAPS);
		CHECK(f, nt <= PCI_VDEV_MAX_TRAPS);
		for (t = 0; t < nt; t++)
			CHECK(f, r[t].len && r[t].off < b->size &&
					 r[t].len <= b->size - r[t].off);
		if (!b->size) {
			CHECK(f, !f->mapped[i]);
			continue;
		}
		CHECK(f, !!(lo & PCI_BASE_ADDRESS_SPACE_IO) == !!b->io);
		if (b->is64) {
			CHECK(f,
			      i + 1 < PCI_STD_NUM_BARS && !d->bar[i + 1].size);
			a |= (uint64_t)guest_rd(d, reg + 4, 4) << 32;
		}
		CHECK(f, !(a & (b->size - 1)));
		if (f->mapped[i]) {
			CHECK(f, cmd & dec);
			CHECK(f, f->map_addr[i] == a);
			if (!f->tainted && f->cmd_synced)
				CHECK(f, phys & dec);
		}
		/* A valid address with decoding on is mapped. */
		lim = b->io ? 0x10000 : 1ULL << 32;
		if ((cmd & dec) && a && b->size < lim && a < lim - b->size)
			CHECK(f, f->mapped[i]);
	}
}

static uint32_t tbl(struct pci_vdev *d, unsigned int v, unsigned int w)
{
	uint64_t val;

	pci_vdev_bar_read(d, d->msix.table_bar,
			  d->msix.table_off + v * PCI_MSIX_ENTRY + w * 4, 4,
			  &val);
	return (uint32_t)val;
}

static void check_msix(struct fake *f, struct pci_vdev *d)
{
	const struct pci_msix *m = &d->msix;
	const unsigned int x = VFIO_PCI_MSIX_IRQ_INDEX;
	uint16_t ctrl;
	unsigned int v;

	if (!d->msix_pos) {
		CHECK(f, !f->nvec[x]);
		return;
	}
	ctrl = (uint16_t)(d->cfg[d->msix_pos + PCI_MSIX_FLAGS] |
			  d->cfg[d->msix_pos + PCI_MSIX_FLAGS + 1] << 8);
	CHECK(f, (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1 == m->nvec);
	CHECK(f, (ctrl & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)) ==
			 m->ctrl);
	if (f->nvec[x])
		CHECK(f,
		      (ctrl & PCI_MSIX_FLAGS_ENABLE) && f->nvec[x] == m->nvec);
	else if (!f->tainted)
		CHECK(f, !(ctrl & PCI_MSIX_FLAGS_ENABLE));
	for (v = 0; v < m->nvec; v++) {
		uint32_t vc = m->table[v][3];
		int want = (ctrl & PCI_MSIX_FLAGS_ENABLE) &&
			   !(ctrl & PCI_MSIX_FLAGS_MASKALL) &&
			   !(vc & PCI_MSIX_ENTRY_CTRL_MASKBIT);
		int pend = (m->pending[v / 64] >> (v % 64)) & 1;

		CHECK(f, !(vc & ~PCI_MSIX_ENTRY_CTRL_MASKBIT));
		/* A masked vector never reaches the guest. */
		if (f->routed[x][v])
			CHECK(f, want);
		if (!want || f->tainted)
			continue;
		CHECK(f, f->routed[x][v]);
		CHECK(f, f->route_addr[x][v] ==
				 ((uint64_t)tbl(d, v, 1) << 32 | tbl(d, v, 0)));
		CHECK(f, f->route_data[x][v] == tbl(d, v, 2));
		CHECK(f, !pend); /* pending and unmasked: stranded */
	}
}

static void check_msi(struct fake *f, struct pci_vdev *d)
{
	const struct pci_msi *m = &d->msi;
	const unsigned int x = VFIO_PCI_MSI_IRQ_INDEX;
	unsigned int p = d->msi_pos, n, v, doff, moff;
	uint16_t flags, data;
	uint32_t mask = 0, pend = 0;
	uint64_t addr;
	int msix_on = d->msix_pos && (d->msix.ctrl & PCI_MSIX_FLAGS_ENABLE);

	if (!p) {
		CHECK(f, !f->nvec[x]);
		return;
	}
	flags = (uint16_t)guest_rd(d, p + PCI_MSI_FLAGS, 2);
	n = 1u << ((flags & PCI_MSI_FLAGS_QSIZE) >> 4);
	if (n > m->maxvec)
		n = m->maxvec;
	if (!(flags & PCI_MSI_FLAGS_ENABLE) || msix_on)
		n = 0;
	if (f->nvec[x])
		CHECK(f, f->nvec[x] == n);
	else if (!f->tainted)
		CHECK(f, !n);
	doff = m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
	moff = m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
	addr = guest_rd(d, p + PCI_MSI_ADDRESS_LO, 4);
	if (m->is64)
		addr |= (uint64_t)guest_rd(d, p + PCI_MSI_ADDRESS_HI, 4) << 32;
	data = (uint16_t)guest_rd(d, p + doff, 2);
	if (m->maskable) {
		mask = guest_rd(d, p + moff, 4);
		pend = guest_rd(d, p + moff + 4, 4);
	}
	for (v = 0; v < PCI_MSI_MAX; v++) {
		int want = v < n && !(mask & (1u << v));

		if (f->routed[x][v])
			CHECK(f, want);
		if (!want || f->tainted)
			continue;
		CHECK(f, f->routed[x][v]);
		CHECK(f, f->route_addr[x][v] == addr);
		CHECK(f, f->route_data[x][v] == ((data & ~(n - 1)) | v));
		CHECK(f, !(pend & (1u << v)));
	}
}

static void check_all(struct fake *f, struct pci_vdev *d, const struct snap *s)
{
	CHECK(f, !f->nvec[VFIO_PCI_MSI_IRQ_INDEX] ||
			 !f->nvec[VFIO_PCI_MSIX_IRQ_INDEX]);
	check_header(f, d, s);
	check_bars(f, d);
	check_msix(f, d);
	check_msi(f, d);
}

/* ---- the operations ---- */

enum {
	OP_CFG_READ,
	OP_CFG_WRITE,
	OP_CAP_ACCESS,
	OP_BAR_READ,
	OP_BAR_WRITE,
	OP_MSIX_ACCESS,
	OP_FIRE,
	OP_RESET,
	OP_BAR_SET,
	OP_BAR_PROGRAM,
	OP_FAIL,
	OP_NR
};

static uint64_t ones(unsigned int len)
{
	return len >= 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
}

static void op_cfg(struct fake *f, struct pci_vdev *d, unsigned int off,
		   unsigned int len, int write, uint32_t val)
{
	uint32_t r = 0x12345678;
	int ok = (len == 1 || len == 2 || len == 4) && !(off & (len - 1)) &&
		 off < PCI_CFG_SPACE_EXP_SIZE;

	if (write) {
		pci_vdev_cfg_write(d, off, len, val);
		return;
	}
	pci_vdev_cfg_read(d, off, len, &r);
	if (!ok)
		CHECK(f, r == 0xffffffff);
	else
		CHECK(f, r <= ones(len));
}

static unsigned int cap_pos(struct pci_vdev *d, uint8_t which)
{
	switch (which & 3) {
	case 0:
		return d->msi_pos;
	case 1:
		return d->msix_pos;
	case 2:
		return d->exp_pos;
	default:
		return PCI_STD_HEADER_SIZEOF + (which >> 2) * 4;
	}
}

static void op_bar(struct fake *f, struct pci_vdev *d, unsigned int bar,
		   uint64_t off, unsigned int len, int write, uint64_t val)
{
	int ok = bar < PCI_STD_NUM_BARS && f->bar_size[bar] &&
		 (len == 1 || len == 2 || len == 4 || len == 8) &&
		 off < f->bar_size[bar] && len <= f->bar_size[bar] - off;
	uint64_t r = 0x1122334455667788ULL;

	if (write) {
		pci_vdev_bar_write(d, bar, off, len, val);
		return;
	}
	pci_vdev_bar_read(d, bar, off, len, &r);
	if (!ok)
		CHECK(f, r == ones(len));
	else
		CHECK(f, r <= ones(len));
}

static void op_reset(struct fake *f, struct pci_vdev *d)
{
	unsigned int i;

	pci_vdev_reset(d);
	CHECK(f, !guest_rd(d, PCI_COMMAND, 2));
	CHECK(f, !f->nvec[VFIO_PCI_MSI_IRQ_INDEX]);
	CHECK(f, !f->nvec[VFIO_PCI_MSIX_IRQ_INDEX]);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		CHECK(f, !f->mapped[i]);
	for (i = 0; d->msix_pos && i < d->msix.nvec; i++)
		CHECK(f, tbl(d, i, 3) == PCI_MSIX_ENTRY_CTRL_MASKBIT);
	for (i = 0; i < PCI_MSIX_MAX / 64; i++)
		CHECK(f, !d->msix.pending[i]);
}

static void run_op(struct fake *f, struct pci_vdev *d, struct in *in)
{
	uint8_t op = in_u8(in) % OP_NR, b;
	unsigned int off, len, bar, v;
	uint64_t o, val;

	switch (op) {
	case OP_CFG_READ:
	case OP_CFG_WRITE:
		off = (unsigned int)in_le(in, 2);
		len = in_len(in);
		op_cfg(f, d, off, len, op == OP_CFG_WRITE,
		       (uint32_t)in_le(in, 4));
		break;
	case OP_CAP_ACCESS:
		/* Relative to a capability: what a driver would touch. */
		b = in_u8(in);
		off = cap_pos(d, b) + (in_u8(in) & 0x3f);
		len = in_len(in);
		b = in_u8(in);
		op_cfg(f, d, off, len, b & 1, (uint32_t)in_le(in, 4));
		break;
	case OP_BAR_READ:
	case OP_BAR_WRITE:
		b = in_u8(in);
		bar = b < 0xf0 ? b % 8 : b;
		o = in_off(in);
		len = in_len(in);
		op_bar(f, d, bar, o, len, op == OP_BAR_WRITE, in_le(in, 8));
		break;
	case OP_MSIX_ACCESS:
		/* A table entry or the PBA, near where the capability says. */
		b = in_u8(in);
		v = (unsigned int)in_le(in, 2) % (d->msix.nvec + 2);
		if (b & 1)
			o = d->msix.pba_off + 8 * (v / 64) + 4 * ((b >> 1) & 1);
		else
			o = d->msix.table_off + (uint64_t)v * PCI_MSIX_ENTRY +
			    4 * ((b >> 1) & 3);
		len = in_len(in);
		op_bar(f, d, b & 1 ? d->msix.pba_bar : d->msix.table_bar, o,
		       len, b & 0x80, in_le(in, 8));
		break;
	case OP_FIRE:
		b = in_u8(in);
		v = (unsigned int)in_le(in, 2);
		pci_vdev_irq_fired(d, b < 0xf0 ? b % 4 : b, v);
		break;
	case OP_RESET:
		op_reset(f, d);
		break;
	case OP_BAR_SET:
		b = in_u8(in);
		bar = b < 0xf0 ? b % 8 : b;
		val = in_le(in, 8);
		pci_vdev_bar_set(d, bar, val);
		break;
	case OP_BAR_PROGRAM:
		/* What firmware and Linux do: size it, then place it. */
		bar = in_u8(in) % PCI_STD_NUM_BARS;
		val = in_le(in, 8);
		off = PCI_BASE_ADDRESS_0 + 4 * bar;
		pci_vdev_cfg_write(d, off, 4, 0xffffffff);
		CHECK(f, !d->bar[bar].size ||
				 (guest_rd(d, off, 4) & ~0xfu) ==
					 ((uint32_t) ~(d->bar[bar].size - 1) &
					  ~0xfu));
		pci_vdev_cfg_write(d, off, 4, (uint32_t)val);
		if (d->bar[bar].is64)
			pci_vdev_cfg_write(d, off + 4, 4,
					   (uint32_t)(val >> 32));
		break;
	case OP_FAIL:
		f->fail = in_u8(in);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct pci_vdev *d = malloc(sizeof(*d));
	struct fake *f = calloc(1, sizeof(*f));
	struct snap *s = malloc(sizeof(*s));
	uint8_t flags;
	unsigned int i;
	int ret;

	if (!d || !f || !s)
		abort();
	flags = in_u8(&in);
	f->vc.intx = flags & 1;
	f->vc.multifunction = !!(flags & 2);
	f->vc.msi_nvec = in_u8(&in);
	f->vc.msix_nvec = (unsigned int)in_le(&in, 2);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		f->vc.bar_size[i] = bar_size(in_u8(&in));
	for (i = 0; i < PCI_CFG_SPACE_SIZE; i++)
		f->cfg[i] = in_u8(&in);
	f->cfg[PCI_VENDOR_ID] = VENDOR & 0xff;
	f->cfg[PCI_VENDOR_ID + 1] = VENDOR >> 8;
	f->cmd0 =
		(uint16_t)(f->cfg[PCI_COMMAND] | f->cfg[PCI_COMMAND + 1] << 8);
	f->d = d;
	if (flags & 4)
		f->fail = FAIL_CFG_READ;

	ret = pci_vdev_init(d, &fake_ops, f, &f->vc);
	if (flags & 4) {
		CHECK(f, ret);
		goto out;
	}
	if (ret)
		goto out; /* refused: a device that cannot be virtualized */
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		f->bar_size[i] = d->bar[i].size;
	snap_take(f, d, s);
	check_all(f, d, s);
	while (in.n) {
		f->step++;
		run_op(f, d, &in);
		check_all(f, d, s);
	}
out:
	free(s);
	free(f);
	free(d);
	return 0;
}
