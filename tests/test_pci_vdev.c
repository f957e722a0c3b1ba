// SPDX-License-Identifier: MIT
/*
 * The config space a passed-through function shows the guest: header,
 * capability chain rebuilding, read-only bits, bad accesses, PCI Express,
 * BAR sizing. BAR mapping and MSI-X are in test_pci_msix.c; MSI and reset
 * in test_pci_msi.c.
 */
#include <errno.h>

#include "pci/vdev.h"
#include "tests/fake_pci.h"
#include "tests/harness.h"

#define CMD_FORWARD                                                 \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
/* What the device is, and its live interrupt state. */
#define STATUS_DEVICE                                                       \
	(PCI_STATUS_66MHZ | PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MASK | \
	 PCI_STATUS_INTERRUPT)
#define BAR(i) (PCI_BASE_ADDRESS_0 + 4 * (i))

static struct fake_bench *bench_new(void)
{
	return fake_bench_new(0x8086, 0x10d3);
}

/* ---- header and capability chain ---- */

static int linkable(unsigned int id)
{
	return id == PCI_CAP_ID_MSI || id == PCI_CAP_ID_MSIX ||
	       id == PCI_CAP_ID_EXP || id == PCI_CAP_ID_VNDR ||
	       id == PCI_CAP_ID_AF;
}

/*
 * Walks the guest's chain as a driver would and checks it: only linkable
 * capabilities, aligned, outside the header, no repeats. Gives the
 * positions in order.
 */
static unsigned int walk(struct pci_vdev *d, unsigned int *pos,
			 unsigned int max)
{
	uint8_t seen[64] = { 0 };
	unsigned int p = rd(d, PCI_CAPABILITY_LIST, 1), n = 0;

	if (!(rd(d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		EXPECT_EQ(p, 0);
	while (p) {
		ASSERT_GE(p, PCI_STD_HEADER_SIZEOF);
		ASSERT_LT(p, PCI_CFG_SPACE_SIZE);
		ASSERT_EQ(p & 3, 0);
		ASSERT_FALSE(seen[p / 4]);
		seen[p / 4] = 1;
		EXPECT_TRUE(linkable(rd(d, p, 1)));
		if (n < max)
			pos[n] = p;
		n++;
		p = rd(d, p + PCI_CAP_LIST_NEXT, 1);
	}
	return n;
}

/*
 * The header must be what the same device without capabilities gets:
 * chain rebuilding may touch the capability pointer and the status bit
 * that announces it, nothing else in 0x00-0x3f.
 */
static void check_header(struct fake_pci *f, struct pci_vdev *d)
{
	struct fake_bench *ref = bench_new();
	unsigned int i;

	EXPECT_EQ(rd(d, PCI_VENDOR_ID, 2), fake_pci_get(f, PCI_VENDOR_ID, 2));
	EXPECT_EQ(rd(d, PCI_DEVICE_ID, 2), fake_pci_get(f, PCI_DEVICE_ID, 2));
	EXPECT_EQ(rd(d, PCI_CLASS_REVISION, 4),
		  fake_pci_get(f, PCI_CLASS_REVISION, 4));
	EXPECT_EQ(rd(d, PCI_COMMAND, 2), 0);
	EXPECT_EQ(rd(d, PCI_STATUS, 2) & ~PCI_STATUS_CAP_LIST,
		  fake_pci_get(f, PCI_STATUS, 2) & STATUS_DEVICE);
	memcpy(ref->f.cfg, f->cfg, sizeof(f->cfg));
	ref->f.conf = f->conf;
	fake_pci_caps_start(&ref->f, 0);
	ASSERT_EQ(fake_pci_vdev_init(&ref->d, &ref->f), 0);
	for (i = 0; i < PCI_STD_HEADER_SIZEOF; i++) {
		if (i == PCI_STATUS || i == PCI_CAPABILITY_LIST)
			continue;
		if (d->cfg[i] != ref->d.cfg[i])
			HARNESS_REPORT("header byte 0x%02x", i);
		EXPECT_EQ(d->cfg[i], ref->d.cfg[i]);
	}
	free(ref);
}

TEST(header_is_identity_plus_virtual_state)
{
	struct fake_bench *b = bench_new();
	uint8_t phys[256];

	fake_pci_bar(&b->f, 0, 0, 0x1000);
	memcpy(phys, b->f.cfg, sizeof(phys));
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(rd(&b->d, PCI_VENDOR_ID, 4), 0x10d38086);
	EXPECT_EQ(rd(&b->d, PCI_CLASS_REVISION, 4), 0x02000001);
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), 0);
	/* what the device is and its INTx state, not the events it saw */
	EXPECT_EQ(rd(&b->d, PCI_STATUS, 2), PCI_STATUS_66MHZ |
						    PCI_STATUS_DEVSEL_MEDIUM |
						    PCI_STATUS_INTERRUPT);
	EXPECT_EQ(rd(&b->d, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	EXPECT_EQ(rd(&b->d, PCI_BASE_ADDRESS_0, 4), 0); /* not the host's */
	EXPECT_EQ(rd(&b->d, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	EXPECT_EQ(rd(&b->d, PCI_ROM_ADDRESS, 4), 0);
	EXPECT_EQ(rd(&b->d, PCI_CAPABILITY_LIST, 1), 0);
	EXPECT_EQ(rd(&b->d, PCI_INTERRUPT_LINE, 1), 0);
	EXPECT_EQ(rd(&b->d, PCI_INTERRUPT_PIN, 1), 1);
	EXPECT_EQ(b->d.cfg_size, PCI_CFG_SPACE_SIZE);
	/* building the view reads the device and changes nothing */
	EXPECT_EQ(b->f.ncalls, fake_pci_count(&b->f, FAKE_CFG_READ, -1));
	EXPECT_EQ(memcmp(phys, b->f.cfg, sizeof(phys)), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(pin_multifunction_and_errors)
{
	struct fake_bench *b = bench_new();

	b->f.conf.intx = 0;
	b->f.conf.multifunction = 1;
	fake_pci_set8(&b->f, PCI_HEADER_TYPE, 0x80);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(rd(&b->d, PCI_INTERRUPT_PIN, 1), 0);
	EXPECT_EQ(rd(&b->d, PCI_HEADER_TYPE, 1), 0x80);
	b->f.conf.intx = 1;
	b->f.conf.multifunction = 0;
	fake_pci_set8(&b->f, PCI_INTERRUPT_PIN, 5); /* nonsense */
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(rd(&b->d, PCI_INTERRUPT_PIN, 1), 0);
	EXPECT_EQ(rd(&b->d, PCI_HEADER_TYPE, 1), 0);
	/* no device, no view */
	b->f.fail[FAKE_CFG_READ] = 1;
	EXPECT_EQ(fake_pci_vdev_init(&b->d, &b->f), -EINVAL);
	b->f.fail[FAKE_CFG_READ] = 0;
	fake_pci_set16(&b->f, PCI_VENDOR_ID, 0xffff);
	EXPECT_EQ(fake_pci_vdev_init(&b->d, &b->f), -ENODEV);
}

struct chain_case {
	const char *name;
	uint8_t start; /* the header's pointer */
	uint8_t nobit; /* ... with the Capabilities List bit clear */
	struct {
		uint8_t pos, id, next;
		uint16_t flags;
	} cap[8];
	uint8_t want[8]; /* the guest's chain, 0-terminated */
};

#define VNDR PCI_CAP_ID_VNDR
#define MSI PCI_CAP_ID_MSI
#define EXP PCI_CAP_ID_EXP
#define PM PCI_CAP_ID_PM

static const struct chain_case chains[] = {
	{ "no list bit", 0x40, 1, { { 0x40, MSI, 0 } }, { 0 } },
	{ "one cap", 0x50, 0, { { 0x50, MSI, 0 } }, { 0x50 } },
	/* the seed bug: the append after a hidden last cap hit the header */
	{ "last cap hidden",
	  0x40,
	  0,
	  { { 0x40, MSI, 0x50, PCI_MSI_FLAGS_64BIT }, { 0x50, PM, 0 } },
	  { 0x40 } },
	{ "all hidden",
	  0x40,
	  0,
	  { { 0x40, PM, 0x48 }, { 0x48, PCI_CAP_ID_AF, 0x60 }, { 0x60, 0x12 } },
	  { 0 } },
	{ "loop",
	  0x40,
	  0,
	  { { 0x40, MSI, 0x50 }, { 0x50, VNDR, 0x60 }, { 0x60, PM, 0x40 } },
	  { 0x40, 0x50 } },
	{ "self loop", 0x40, 0, { { 0x40, VNDR, 0x40 } }, { 0x40 } },
	{ "duplicates",
	  0x40,
	  0,
	  { { 0x40, MSI, 0x50 },
	    { 0x50, MSI, 0x60 },
	    { 0x60, EXP, 0x88, 1 },
	    { 0x88, EXP, 0xb0, 1 },
	    { 0xb0, VNDR, 0xb8 },
	    { 0xb8, VNDR, 0 } },
	  { 0x40, 0x60, 0xb0, 0xb8 } },
	{ "start in header", 0x04, 0, { { 0x40, VNDR, 0 } }, { 0 } },
	{ "start at BAR", 0x10, 0, { { 0x40, VNDR, 0 } }, { 0 } },
	{ "start at itself", 0x34, 0, { { 0x40, VNDR, 0 } }, { 0 } },
	{ "start at 0x3f", 0x3f, 0, { { 0x40, VNDR, 0 } }, { 0 } },
	{ "next in header",
	  0x40,
	  0,
	  { { 0x40, VNDR, 0x50 }, { 0x50, VNDR, 0x08 } },
	  { 0x40, 0x50 } },
	{ "unaligned",
	  0x43,
	  0,
	  { { 0x40, VNDR, 0x52 }, { 0x50, VNDR, 0x5f }, { 0x5c, PM, 0 } },
	  { 0x40, 0x50 } },
	{ "0xff", 0xff, 0, { { 0xfc, VNDR, 0xff } }, { 0xfc } },
	{ "too big for the end",
	  0xf0,
	  0,
	  { { 0xf0, EXP, 0xfc, 2 }, { 0xfc, MSI, 0, PCI_MSI_FLAGS_64BIT } },
	  { 0 } },
};

/* Small chains of every odd shape: exactly the expected ones linked. */
TEST(chain_rebuilt_whatever_the_device_has)
{
	struct fake_bench *b = bench_new();
	unsigned int i, k, pos[16];

	for (i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		const struct chain_case *c = &chains[i];
		unsigned int nwant = 0, nkept;

		fake_pci_init(&b->f, 0x8086, 0x10d3);
		b->f.conf.msi_nvec = 1;
		fake_pci_caps_start(&b->f, c->start);
		if (c->nobit)
			fake_pci_set16(&b->f, PCI_STATUS, 0);
		for (k = 0; k < 8 && c->cap[k].pos; k++) {
			fake_pci_cap(&b->f, c->cap[k].pos, c->cap[k].id,
				     c->cap[k].next);
			fake_pci_set16(&b->f, c->cap[k].pos + 2,
				       c->cap[k].flags);
		}
		ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
		while (nwant < 8 && c->want[nwant])
			nwant++;
		nkept = walk(&b->d, pos, 16);
		if (nkept != nwant)
			HARNESS_REPORT("case \"%s\"", c->name);
		EXPECT_EQ(nkept, nwant);
		for (k = 0; k < nwant && k < nkept; k++)
			EXPECT_EQ(pos[k], c->want[k]);
		check_header(&b->f, &b->d);
		/* hidden capabilities still read as the device has them */
		for (k = 0; k < 8 && c->cap[k].pos; k++) {
			unsigned int p = c->cap[k].pos, j, kept = 0;

			for (j = 0; j < nwant; j++)
				kept |= c->want[j] == p;
			if (!kept)
				EXPECT_EQ(rd(&b->d, p, 2),
					  fake_pci_get(&b->f, p, 2));
		}
		if (harness_failed) {
			HARNESS_REPORT("case \"%s\"", c->name);
			return;
		}
	}
}

/*
 * With every capability hidden the Capabilities List status bit goes
 * too: "list present" with a null pointer is not allowed (PCI 3.0, 6.7).
 */
TEST(all_hidden_clears_cap_list_bit)
{
	struct fake_bench *b = bench_new();

	fake_pci_caps_start(&b->f, 0x40);
	fake_pci_cap(&b->f, 0x40, PCI_CAP_ID_PM, 0);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(rd(&b->d, PCI_CAPABILITY_LIST, 1), 0);
	EXPECT_FALSE(rd(&b->d, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
}

/*
 * A next pointer into the middle of a kept capability must not link a
 * second one inside it: the rebuilt link would be written over the first
 * one's registers (here the MSI-X table offset 0x2008 became 0x8, outside
 * the trapped region), or the guest's own MSI mask bits would become a
 * next pointer. Failed before 836091f.
 */
TEST(overlapping_caps_keep_their_registers)
{
	struct fake_bench *b = bench_new();
	unsigned int pos[8];

	fake_pci_bar(&b->f, 1, 0, 0x4000);
	fake_pci_caps_start(&b->f, 0x60);
	/* the table dword's low bytes read as a vendor cap: 09 20 */
	fake_pci_msix_cap(&b->f, 0x60, 0x64, 4, 0x2009, 0x3001);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(rd(&b->d, 0x60 + PCI_MSIX_TABLE, 4), 0x2009);
	EXPECT_EQ(b->d.msix.table_off, 0x2008);
	walk(&b->d, pos, 8);
	/* a vendor cap inside a 64-bit maskable MSI reads as mask bits */
	fake_pci_caps_start(&b->f, 0x40);
	fake_pci_msi_cap(&b->f, 0x40, 0x50,
			 PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT, 1);
	fake_pci_cap(&b->f, 0x50, PCI_CAP_ID_VNDR, 0);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	walk(&b->d, pos, 8);
	wr(&b->d, 0x40 + PCI_MSI_MASK_64, 4, 0x0400); /* the guest's own bits */
	walk(&b->d, pos, 8);
}

TEST(chain_keeps_only_handled_caps_in_order)
{
	struct fake_bench *b = bench_new();
	unsigned int pos[8];

	fake_pci_bar(&b->f, 0, 0, 0x4000);
	fake_pci_caps_start(&b->f, 0x40);
	fake_pci_cap(&b->f, 0x40, PCI_CAP_ID_PM, 0x50);
	fake_pci_msi_cap(&b->f, 0x50, 0x68, PCI_MSI_FLAGS_MASKBIT, 1);
	fake_pci_cap(&b->f, 0x68, PCI_CAP_ID_AF, 0x70);
	fake_pci_exp_cap(&b->f, 0x70, 0xb0, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	fake_pci_cap(&b->f, 0xb0, PCI_CAP_ID_VNDR, 0xc0);
	fake_pci_msix_cap(&b->f, 0xc0, 0xd0, 4, 0x2000, 0x3000);
	fake_pci_cap(&b->f, 0xd0, PCI_CAP_ID_PCIX, 0);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	ASSERT_EQ(walk(&b->d, pos, 8), 4);
	EXPECT_EQ(pos[0], 0x50);
	EXPECT_EQ(pos[1], 0x70);
	EXPECT_EQ(pos[2], 0xb0);
	EXPECT_EQ(pos[3], 0xc0);
	/* hidden ones keep their own links */
	EXPECT_EQ(rd(&b->d, 0x41, 1), 0x50);
	EXPECT_EQ(rd(&b->d, 0x69, 1), 0x70);
	EXPECT_EQ(rd(&b->d, 0xd0, 2), PCI_CAP_ID_PCIX);
	EXPECT_EQ(b->d.cfg_size, PCI_CFG_SPACE_EXP_SIZE);
	check_header(&b->f, &b->d);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Any chain at all: the invariants hold and every other byte reads back.
 * (Before 836091f iteration 4, a vendor cap inside a maskable MSI, failed.)
 */
TEST(chain_random_devices)
{
	static const uint8_t ids[] = { PCI_CAP_ID_MSI, PCI_CAP_ID_MSIX,
				       PCI_CAP_ID_EXP, PCI_CAP_ID_VNDR,
				       PCI_CAP_ID_PM,  PCI_CAP_ID_AF,
				       0xff,	       0 };
	struct fake_bench *b = bench_new();
	uint32_t s = 1;
	unsigned int iter, i, ok = 0;

	for (iter = 0; iter < 1500; iter++) {
		unsigned int n = lcg(&s) % 9, p, pos[64], k;
		uint8_t kept[256 + 0x3c];

		fake_pci_init(&b->f, 0x1234, (uint16_t)iter);
		fake_pci_bar(&b->f, 0, 0, 0x4000);
		for (i = PCI_STD_HEADER_SIZEOF; i < 256; i++)
			b->f.cfg[i] = (uint8_t)lcg(&s);
		b->f.conf.msi_nvec = lcg(&s) % 3;
		b->f.conf.msix_nvec = lcg(&s) % 3;
		p = lcg(&s) & 0xff;
		fake_pci_caps_start(&b->f, lcg(&s) % 8 ? p : 0);
		for (i = 0; i < n; i++) {
			unsigned int next = lcg(&s) & 0xff;

			fake_pci_cap(&b->f, p < 0x40 ? 0x40 : p,
				     ids[lcg(&s) % sizeof(ids)], next);
			p = next;
		}
		if (fake_pci_vdev_init(&b->d, &b->f))
			continue;
		ok++;
		n = walk(&b->d, pos, 64);
		check_header(&b->f, &b->d);
		/* bytes of no kept capability (at most 0x3c long) are intact */
		memset(kept, 0, sizeof(kept));
		for (k = 0; k < n; k++)
			memset(kept + pos[k], 1,
			       b->f.cfg[pos[k]] == PCI_CAP_ID_VNDR ? 2 : 0x3c);
		for (i = PCI_STD_HEADER_SIZEOF; i < 256; i++)
			if (!kept[i])
				EXPECT_EQ(rd(&b->d, i, 1), b->f.cfg[i]);
		if (harness_failed) {
			HARNESS_REPORT("first failing device: iteration %u",
				       iter);
			return;
		}
	}
	EXPECT_GE(ok, 1000);
}

/* ---- read-only bits, bad accesses ---- */

TEST(read_only_writes_dropped_and_counted)
{
	struct fake_bench *b = bench_new();
	static const struct {
		unsigned int off, len;
	} ro[] = { { PCI_VENDOR_ID, 2 },
		   { PCI_DEVICE_ID, 2 },
		   { PCI_VENDOR_ID, 4 },
		   { PCI_REVISION_ID, 1 },
		   { PCI_CLASS_REVISION, 4 },
		   { PCI_STATUS, 2 },
		   { PCI_HEADER_TYPE, 1 },
		   { PCI_CAPABILITY_LIST, 1 },
		   { PCI_INTERRUPT_PIN, 1 },
		   { PCI_SUBSYSTEM_VENDOR_ID, 4 },
		   { PCI_ROM_ADDRESS, 4 },
		   { 0x40 + PCI_CAP_LIST_NEXT, 1 },
		   { 0x40, 2 },
		   { 0x50, 4 },
		   { 0x50 + PCI_CAP_LIST_NEXT, 1 } };
	uint8_t before[PCI_CFG_SPACE_SIZE];
	unsigned int i;

	fake_pci_caps_start(&b->f, 0x40);
	fake_pci_cap(&b->f, 0x40, PCI_CAP_ID_VNDR, 0x50);
	fake_pci_exp_cap(&b->f, 0x50, 0, 1);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	memcpy(before, b->d.cfg, sizeof(before));
	fake_pci_clear_log(&b->f);
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		wr(&b->d, ro[i].off, ro[i].len, 0xffffffff);
		EXPECT_EQ(b->d.stats.ro_writes, i + 1);
	}
	EXPECT_EQ(memcmp(before, b->d.cfg, sizeof(before)), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	/* the writable ones take and are not counted */
	wr(&b->d, PCI_CACHE_LINE_SIZE, 1, 0x10);
	wr(&b->d, PCI_INTERRUPT_LINE, 1, 10);
	EXPECT_EQ(rd(&b->d, PCI_CACHE_LINE_SIZE, 1), 0x10);
	EXPECT_EQ(rd(&b->d, PCI_INTERRUPT_LINE, 1), 10);
	EXPECT_EQ(b->d.stats.ro_writes, i);
	EXPECT_EQ(b->d.stats.bad_cfg, 0);
}

/*
 * A device without capabilities: its registers after the header (an
 * i6300ESB's timer enable bit at 0x68) are read and written on the
 * device, as VFIO passes them through; the header stays virtual.
 */
TEST(device_specific_bytes_reach_the_device)
{
	struct fake_bench *b = bench_new();
	const struct fake_call *c;

	fake_pci_set32(&b->f, 0x68, 0x11223344);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	fake_pci_clear_log(&b->f);
	EXPECT_EQ(rd(&b->d, 0x68, 4), 0x11223344);
	fake_pci_set8(&b->f, 0x69, 0x55); /* the device changed it: live */
	EXPECT_EQ(rd(&b->d, 0x69, 1), 0x55);
	EXPECT_EQ(rd(&b->d, 0x68, 2), 0x5544);
	wr(&b->d, 0x68, 1, 0x02);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_CFG_WRITE, -1), 1);
	c = fake_pci_nth(&b->f, FAKE_CFG_WRITE, -1, 0);
	ASSERT_TRUE(c != NULL);
	EXPECT_EQ(c->off, 0x68);
	EXPECT_EQ(c->len, 1);
	EXPECT_EQ(c->data, 0x02);
	EXPECT_EQ(fake_pci_get(&b->f, 0x68, 4), 0x11225502);
	wr(&b->d, 0xfc, 4, 0xcafef00d); /* the last dword, whole */
	EXPECT_EQ(fake_pci_get(&b->f, 0xfc, 4), 0xcafef00d);
	EXPECT_EQ(rd(&b->d, 0xfc, 4), 0xcafef00d);
	EXPECT_EQ(b->d.stats.ro_writes, 0);
	/* the header is not the device's to change */
	wr(&b->d, PCI_VENDOR_ID, 4, 0);
	wr(&b->d, 0x3c, 4, 0xffffffff);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_CFG_WRITE, -1), 2);
	EXPECT_EQ(fake_pci_get(&b->f, PCI_VENDOR_ID, 2), 0x8086);
	/* a device that fails the access: all-ones, counted */
	b->f.fail[FAKE_CFG_READ] = 1;
	EXPECT_EQ(rd(&b->d, 0x68, 4), 0xffffffff);
	EXPECT_EQ(b->d.stats.op_errors, 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/* 1 if a one-byte write at off reached the device. */
static int forwarded(struct fake_bench *b, unsigned int off)
{
	unsigned int n = fake_pci_count(&b->f, FAKE_CFG_WRITE, -1);

	wr(&b->d, off, 1, 0xa5);
	return fake_pci_count(&b->f, FAKE_CFG_WRITE, -1) != n;
}

/*
 * Every capability of the physical chain keeps its bytes, hidden or
 * kept, however long: known sizes, a vendor capability's length byte,
 * an unknown one up to the next capability. What is left is raw.
 */
TEST(device_specific_bytes_skip_capabilities)
{
	struct fake_bench *b = bench_new();
	static const struct {
		unsigned int off;
		int raw;
	} at[] = {
		{ 0x3f, 0 }, /* header */
		{ 0x40, 0 }, { 0x47, 0 }, { 0x48, 1 }, /* PM, 8 bytes, hidden */
		{ 0x50, 0 }, { 0x59, 0 }, { 0x5a, 1 }, /* MSI, 32-bit: 10 */
		{ 0x60, 0 }, { 0x6b, 0 }, { 0x6c, 1 }, /* vendor, length 12 */
		{ 0x80, 0 }, { 0x9f, 0 }, /* ID 0x0a: up to the next one */
		{ 0xa0, 0 }, { 0xa5, 0 }, { 0xa6, 1 }, /* AF, 6 bytes */
		{ 0xff, 1 },
	};
	unsigned int i;

	fake_pci_caps_start(&b->f, 0x40);
	fake_pci_cap(&b->f, 0x40, PCI_CAP_ID_PM, 0x50);
	fake_pci_msi_cap(&b->f, 0x50, 0x60, 0, 1);
	fake_pci_cap(&b->f, 0x60, PCI_CAP_ID_VNDR, 0x80);
	fake_pci_set8(&b->f, 0x62, 12);
	fake_pci_cap(&b->f, 0x80, PCI_CAP_ID_DBG, 0xa0);
	fake_pci_cap(&b->f, 0xa0, PCI_CAP_ID_AF, 0);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	fake_pci_clear_log(&b->f);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		EXPECT_EQ(forwarded(b, at[i].off), at[i].raw);
	/* an access across MSI's end: MSI keeps its data, the rest goes on */
	fake_pci_clear_log(&b->f);
	wr(&b->d, 0x58, 4, 0x77664321);
	EXPECT_EQ(rd(&b->d, 0x50 + PCI_MSI_DATA_32, 2), 0x4321);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_CFG_WRITE, -1), 2);
	EXPECT_EQ(fake_pci_get(&b->f, 0x5a, 2), 0x7766);
	EXPECT_EQ(rd(&b->d, 0x58, 4), 0x77664321);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/* Interrupt Status follows the device, read by read (uio_pci_generic). */
TEST(status_interrupt_bit_is_live)
{
	struct fake_bench *b = bench_new();
	uint16_t st;

	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	st = (uint16_t)fake_pci_get(&b->f, PCI_STATUS, 2);
	fake_pci_set16(&b->f, PCI_STATUS, st & ~PCI_STATUS_INTERRUPT);
	EXPECT_EQ(rd(&b->d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	EXPECT_EQ(rd(&b->d, PCI_STATUS, 1) & PCI_STATUS_INTERRUPT, 0);
	fake_pci_set16(&b->f, PCI_STATUS, st | PCI_STATUS_INTERRUPT);
	EXPECT_EQ(rd(&b->d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
		  PCI_STATUS_INTERRUPT);
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 4) >> 16 & PCI_STATUS_INTERRUPT,
		  PCI_STATUS_INTERRUPT);
	/* the other status bits stay virtual */
	fake_pci_set16(&b->f, PCI_STATUS, 0xffff);
	EXPECT_EQ(rd(&b->d, PCI_STATUS, 2) &
			  ~(STATUS_DEVICE | PCI_STATUS_CAP_LIST),
		  0);
}

TEST(command_forwarded_status_virtual)
{
	struct fake_bench *b = bench_new();

	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	wr(&b->d, PCI_COMMAND, 4, 0xffffffff);
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), CMD_FORWARD);
	EXPECT_EQ(rd(&b->d, PCI_STATUS, 2), PCI_STATUS_66MHZ |
						    PCI_STATUS_DEVSEL_MEDIUM |
						    PCI_STATUS_INTERRUPT);
	/* the device gets the guest's bits and keeps its own */
	EXPECT_EQ(fake_pci_get(&b->f, PCI_COMMAND, 2),
		  CMD_FORWARD | PCI_COMMAND_SPECIAL);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	EXPECT_EQ(fake_pci_get(&b->f, PCI_COMMAND, 2),
		  PCI_COMMAND_MASTER | PCI_COMMAND_SPECIAL);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(bad_cfg_accesses_ignored_and_counted)
{
	static const struct {
		unsigned int off, len;
	} bad[] = {
		{ 1, 2 }, { 2, 4 },    { 0, 3 },    { 0, 0 },	 { 0, 8 },
		{ 3, 4 }, { 0x41, 2 }, { 4096, 1 }, { 4094, 4 }, { -1u, 1 }
	};
	struct fake_bench *b = bench_new();
	uint8_t before[PCI_CFG_SPACE_EXP_SIZE];
	unsigned int i;

	fake_pci_bar(&b->f, 0, 0, 0x1000);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	memcpy(before, b->d.cfg, sizeof(before));
	fake_pci_clear_log(&b->f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(rd(&b->d, bad[i].off, bad[i].len), 0xffffffff);
		wr(&b->d, bad[i].off, bad[i].len, 0);
		EXPECT_EQ(b->d.stats.bad_cfg, 2 * (i + 1));
	}
	EXPECT_EQ(memcmp(before, b->d.cfg, sizeof(before)), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	/* past the end of a conventional function: all-ones */
	EXPECT_EQ(rd(&b->d, 0x100, 4), 0xffffffff);
	EXPECT_EQ(rd(&b->d, 0x102, 2), 0xffff);
	EXPECT_EQ(rd(&b->d, 0xffc, 1), 0xff);
}

TEST(pcie_cap_virtualized)
{
	struct fake_bench *b = bench_new();
	unsigned int e = 0x60;

	fake_pci_caps_start(&b->f, e);
	fake_pci_exp_cap(&b->f, e, 0,
			 2 | PCI_EXP_TYPE_ENDPOINT << 4 | PCI_EXP_FLAGS_SLOT);
	fake_pci_set32(&b->f, e + PCI_EXP_DEVCAP, 0x8fc1);
	fake_pci_set32(&b->f, e + PCI_EXP_LNKCAP, 0x00477c22);
	fake_pci_set16(&b->f, e + PCI_EXP_LNKSTA, 0x1042);
	fake_pci_set32(&b->f, e + PCI_EXP_LNKCAP2, 0x1e);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(b->d.exp_pos, e);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_FLAGS, 2),
		  2 | PCI_EXP_TYPE_RC_END << 4);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_DEVCAP, 4), 0x8fc1);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_LNKCAP, 4), 0);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_LNKSTA, 2), 0);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_LNKCAP2, 4), 0);
	/* extended space exists and its list ends at once */
	EXPECT_EQ(rd(&b->d, PCI_CFG_SPACE_SIZE, 4), 0);
	fake_pci_clear_log(&b->f);
	wr(&b->d, e + PCI_EXP_DEVCTL, 2, 0xffff);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_DEVCTL, 2), 0x7fff);
	EXPECT_EQ(b->f.ncalls, 0); /* virtual: FLR never reaches the device */
	wr(&b->d, PCI_CFG_SPACE_SIZE, 4, 0xffffffff);
	EXPECT_EQ(rd(&b->d, PCI_CFG_SPACE_SIZE, 4), 0);
	check_header(&b->f, &b->d);
}

/*
 * An FLR the guest asks for (PCIe 3.0, 6.6.2): the model first stops what
 * the device was doing for the guest (MSI-X routes and vectors, BAR
 * mappings, decoding), then the device resets; the guest's view comes
 * back as the device was at start (BARs unassigned, Device Control and
 * MSI-X control as they were), and it works again once the guest
 * restores it.
 */
TEST(flr_stops_the_function_then_resets_the_device)
{
	struct fake_bench *b = bench_new();
	unsigned int e = 0x60, x = 0xa0;
	uint32_t bar0;

	fake_pci_bar(&b->f, 0, 0, 0x4000);
	fake_pci_caps_start(&b->f, e);
	fake_pci_exp_cap(&b->f, e, x, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	fake_pci_set32(&b->f, e + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR | 0x1);
	fake_pci_set16(&b->f, e + PCI_EXP_DEVCTL, 0x2810);
	fake_pci_msix_cap(&b->f, x, 0, 4, 0x2000, 0x3000);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	pci_vdev_bar_set(&b->d, 0, 0xe0000000);
	pci_vdev_decode_on(&b->d);
	bar0 = rd(&b->d, PCI_BASE_ADDRESS_0, 4);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr(&b->d, e + PCI_EXP_DEVCTL, 2, 0x5f1f);
	pci_vdev_bar_write(&b->d, 0, 0x2000, 4, 0xfee00000);
	pci_vdev_bar_write(&b->d, 0, 0x2008, 4, 0x41);
	pci_vdev_bar_write(&b->d, 0, 0x200c, 4, 0);
	wr(&b->d, x + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	ASSERT_EQ(fake_pci_nrouted(&b->f, VFIO_PCI_MSIX_IRQ_INDEX), 1);
	ASSERT_TRUE(b->f.mapped[0]);
	fake_pci_clear_log(&b->f);

	/* Linux's pcie_flr(): Device Control, read, FLR set, written back */
	wr(&b->d, e + PCI_EXP_DEVCTL, 2,
	   rd(&b->d, e + PCI_EXP_DEVCTL, 2) | PCI_EXP_DEVCTL_BCR_FLR);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_RESET, -1), 1);
	/* the reset comes last: after the vector and the BAR were let go */
	EXPECT_EQ(fake_pci_pos(&b->f, FAKE_RESET, -1, 0) + 1, (int)b->f.ncalls);
	EXPECT_GE(fake_pci_count(&b->f, FAKE_IRQ_DISABLE, -1), 1);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_UNMAP, -1), 1);
	EXPECT_EQ(fake_pci_nrouted(&b->f, VFIO_PCI_MSIX_IRQ_INDEX), 0);
	EXPECT_EQ(b->d.stats.resets, 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	/* the guest's view is the device's at start */
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), 0);
	EXPECT_EQ(rd(&b->d, PCI_BASE_ADDRESS_0, 4), 0);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_DEVCTL, 2), 0x2810);
	EXPECT_EQ(rd(&b->d, x + PCI_MSIX_FLAGS, 2), 3);
	EXPECT_EQ(memcmp(b->d.cfg, b->d.cfg0, sizeof(b->d.cfg)), 0);
	/* the table is masked again (PCIe 3.0, 6.8.2.9) */
	{
		uint64_t v = 0;

		pci_vdev_bar_read(&b->d, 0, 0x200c, 4, &v);
		EXPECT_EQ(v & PCI_MSIX_ENTRY_CTRL_MASKBIT, 1);
	}
	/* restored as Linux's pci_restore_state() does: it all works again */
	fake_pci_clear_log(&b->f);
	wr(&b->d, PCI_BASE_ADDRESS_0, 4, bar0);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 1);
	EXPECT_EQ(b->f.map_addr[0], 0xe0000000);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/* FLR only where the device offers it; a failed reset is counted. */
TEST(flr_only_where_offered)
{
	struct fake_bench *b = bench_new();
	unsigned int e = 0x60;

	fake_pci_bar(&b->f, 0, 0, 0x4000);
	fake_pci_caps_start(&b->f, e);
	fake_pci_exp_cap(&b->f, e, 0, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	wr(&b->d, e + PCI_EXP_DEVCTL, 2, 0xffff);
	wr(&b->d, e + PCI_EXP_DEVCTL + 1, 1, 0xff);
	wr(&b->d, e + PCI_EXP_DEVCTL - 2, 4, 0xffffffff);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_RESET, -1), 0);
	EXPECT_EQ(b->d.stats.resets, 0);

	fake_pci_set32(&b->f, e + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR);
	b->f.fail[FAKE_RESET] = 1;
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	/* a byte write and a dword write that covers it both reach it */
	wr(&b->d, e + PCI_EXP_DEVCTL + 1, 1, 0x80);
	wr(&b->d, e + PCI_EXP_DEVCTL, 4, 0x8000);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_RESET, -1), 2);
	EXPECT_EQ(b->d.stats.resets, 2);
	EXPECT_EQ(b->d.stats.op_errors, 2);
	/* the bit itself always reads 0 */
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_DEVCTL, 2) & PCI_EXP_DEVCTL_BCR_FLR, 0);
}

/*
 * Advanced Features: kept for its FLR (length, TP and FLR bits as the
 * device has them, control and status virtual); hidden without FLR.
 */
TEST(af_flr)
{
	struct fake_bench *b = bench_new();
	unsigned int a = 0x48, pos[4];

	fake_pci_bar(&b->f, 0, 0, 0x4000);
	fake_pci_caps_start(&b->f, a);
	fake_pci_cap(&b->f, a, PCI_CAP_ID_AF, 0);
	fake_pci_set8(&b->f, a + PCI_AF_LENGTH, 6);
	fake_pci_set8(&b->f, a + PCI_AF_CAP, 0xf0 | PCI_AF_CAP_TP);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(walk(&b->d, pos, 4), 0);
	EXPECT_EQ(b->d.af_pos, 0);

	fake_pci_set8(&b->f, a + PCI_AF_CAP,
		      0xf0 | PCI_AF_CAP_TP | PCI_AF_CAP_FLR);
	fake_pci_set8(&b->f, a + PCI_AF_STATUS, PCI_AF_STATUS_TP);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	ASSERT_EQ(walk(&b->d, pos, 4), 1);
	EXPECT_EQ(pos[0], a);
	EXPECT_EQ(rd(&b->d, a + PCI_AF_LENGTH, 2),
		  6 | (PCI_AF_CAP_TP | PCI_AF_CAP_FLR) << 8);
	EXPECT_EQ(rd(&b->d, a + PCI_AF_CTRL, 2), 0);
	fake_pci_clear_log(&b->f);
	wr(&b->d, a + PCI_AF_CTRL, 1, 0xfe);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_RESET, -1), 0);
	EXPECT_EQ(b->d.stats.ro_writes, 1);
	wr(&b->d, a + PCI_AF_CTRL, 1, PCI_AF_CTRL_FLR);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_RESET, -1), 1);
	EXPECT_EQ(rd(&b->d, a + PCI_AF_CTRL, 1), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/* A version 1 endpoint's capability is 20 bytes: one at 0xe0 fits. */
TEST(pcie_v1_endpoint_cap_at_the_end_is_kept)
{
	struct fake_bench *b = bench_new();
	unsigned int e = 0xe0;

	fake_pci_caps_start(&b->f, e);
	fake_pci_exp_cap(&b->f, e, 0, 1 | PCI_EXP_TYPE_ENDPOINT << 4);
	fake_pci_set32(&b->f, e + PCI_EXP_LNKCAP, 0x00477c22);
	fake_pci_set32(&b->f, e + 0x14, 0x12345678); /* past its end */
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(b->d.exp_pos, e);
	EXPECT_EQ(b->d.cfg_size, PCI_CFG_SPACE_EXP_SIZE);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_FLAGS, 2),
		  1 | PCI_EXP_TYPE_RC_END << 4);
	EXPECT_EQ(rd(&b->d, e + PCI_EXP_LNKCAP, 4), 0);
	EXPECT_EQ(rd(&b->d, e + 0x14, 4), 0x12345678); /* not ours to clear */
	check_header(&b->f, &b->d);
}

/* ---- BAR registers ---- */

TEST(bar_sizing)
{
	struct fake_bench *b = bench_new();
	struct pci_vdev_bar_desc bd;

	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, 0x1000);
	fake_pci_bar(&b->f, 1, PCI_BASE_ADDRESS_MEM_PREFETCH, 0x1800);
	fake_pci_bar(&b->f, 2,
		     PCI_BASE_ADDRESS_MEM_TYPE_64 |
			     PCI_BASE_ADDRESS_MEM_PREFETCH,
		     0x100000);
	fake_pci_bar(&b->f, 4, PCI_BASE_ADDRESS_SPACE_IO, 0x20);
	fake_pci_bar(&b->f, 5, PCI_BASE_ADDRESS_SPACE_IO, 3);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);

	EXPECT_EQ(size_bar(&b->d, 0), 0xfffff000);
	EXPECT_EQ(size_bar(&b->d, 1), 0xffffe008); /* rounded up, prefetch */
	EXPECT_EQ(size_bar(&b->d, 2), 0xfff0000c); /* 64-bit, prefetch */
	EXPECT_EQ(size_bar(&b->d, 3), 0xffffffff); /* its high half */
	EXPECT_EQ(size_bar(&b->d, 4), 0xffffffe1); /* I/O */
	EXPECT_EQ(size_bar(&b->d, 5), 0xfffffffd); /* I/O, at least 4 */
	ASSERT_EQ(pci_vdev_bar_info(&b->d, 2, &bd), 0);
	EXPECT_TRUE(bd.is64 && bd.prefetch && !bd.io);
	EXPECT_EQ(bd.size, 0x100000);
	ASSERT_EQ(pci_vdev_bar_info(&b->d, 3, &bd), 0);
	EXPECT_EQ(bd.size, 0);
	ASSERT_EQ(pci_vdev_bar_info(&b->d, 4, &bd), 0);
	EXPECT_TRUE(bd.io && !bd.is64 && !bd.prefetch);
	EXPECT_EQ(pci_vdev_bar_info(&b->d, 6, &bd), -EINVAL);
	/* an absent BAR is read-only zero */
	fake_pci_bar(&b->f, 1, 0, 0);
	fake_pci_bar(&b->f, 2, PCI_BASE_ADDRESS_MEM_TYPE_64, 1ULL << 33);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(size_bar(&b->d, 1), 0);
	EXPECT_EQ(b->d.stats.ro_writes, 2);
	/* 8 GiB: the low half has no address bits */
	EXPECT_EQ(size_bar(&b->d, 2), PCI_BASE_ADDRESS_MEM_TYPE_64);
	EXPECT_EQ(size_bar(&b->d, 3), 0xfffffffe);
	/* sizing with decode off maps nothing */
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 0);
}

/* ---- writes that let the device master the bus ---- */

#define WM_MSI 0x50
#define WM_MSIX 0x70

/* MSI at WM_MSI and MSI-X (4 vectors, table in BAR 0) at WM_MSIX. */
static struct fake_bench *masters_bench(void)
{
	struct fake_bench *b = bench_new();

	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, 0x4000);
	fake_pci_caps_start(&b->f, WM_MSI);
	fake_pci_msi_cap(&b->f, WM_MSI, WM_MSIX,
			 PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT, 1);
	fake_pci_msix_cap(&b->f, WM_MSIX, 0, 4, 0x2000, 0x3000);
	if (fake_pci_vdev_init(&b->d, &b->f))
		abort();
	fake_pci_clear_log(&b->f);
	return b;
}

TEST(write_masters_bus_master_enable)
{
	struct fake_bench *b = masters_bench();
	const struct pci_vdev *d = &b->d;

	ASSERT_EQ(d->msi_pos, WM_MSI);
	ASSERT_EQ(d->msix_pos, WM_MSIX);
	/* BME in a 1-, 2- and 4-byte write at the command register */
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 1, PCI_COMMAND_MASTER),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 2, PCI_COMMAND_MASTER),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 4, PCI_COMMAND_MASTER),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 2,
					 PCI_COMMAND_MASTER |
						 PCI_COMMAND_MEMORY),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 4, 0xffffffff), 1);
	/* decode only, or nothing: the device cannot master */
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 1, PCI_COMMAND_MEMORY),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 2,
					 PCI_COMMAND_MEMORY | PCI_COMMAND_IO),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 4,
					 0xffff0000 | PCI_COMMAND_MEMORY),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 2, 0), 0);
	/* bit 2 of another byte is not BME */
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND + 1, 1,
					 PCI_COMMAND_MASTER),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_STATUS, 2, PCI_COMMAND_MASTER),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_VENDOR_ID, 4,
					 PCI_COMMAND_MASTER),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_CACHE_LINE_SIZE, 4, 0xffffffff),
		  0);
	/* BME not writable: the write cannot set it */
	b->d.wmask[PCI_COMMAND] &= (uint8_t)~PCI_COMMAND_MASTER;
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 2, PCI_COMMAND_MASTER),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 4, 0xffffffff), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	free(b);
}

TEST(write_masters_msi_and_msix_enable)
{
	struct fake_bench *b = masters_bench();
	const struct pci_vdev *d = &b->d;

	/* MSI Enable: flags byte 0 bit 0, however the write reaches it */
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_FLAGS, 2,
					 PCI_MSI_FLAGS_ENABLE),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_FLAGS, 1,
					 PCI_MSI_FLAGS_ENABLE),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI, 4,
					 PCI_MSI_FLAGS_ENABLE << 16 |
						 PCI_CAP_ID_MSI),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_FLAGS, 2,
					 PCI_MSI_FLAGS_QSIZE),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_FLAGS + 1, 1,
					 PCI_MSI_FLAGS_ENABLE),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI, 2, 0xffff), 0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_ADDRESS_LO, 4,
					 0xffffffff),
		  0);
	/* MSI-X Enable: flags byte 1 bit 7 */
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_FLAGS, 2,
					 PCI_MSIX_FLAGS_ENABLE),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX, 4,
					 (uint32_t)PCI_MSIX_FLAGS_ENABLE << 16 |
						 PCI_CAP_ID_MSIX),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_FLAGS + 1, 1,
					 PCI_MSIX_FLAGS_ENABLE >> 8),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_FLAGS, 2,
					 PCI_MSIX_FLAGS_ENABLE |
						 PCI_MSIX_FLAGS_MASKALL),
		  1);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_FLAGS, 2,
					 PCI_MSIX_FLAGS_MASKALL),
		  0);
	/* the table size byte: 0x80 there is not the enable bit */
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_FLAGS, 1, 0x80),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_TABLE, 4,
					 0xffffffff),
		  0);
	EXPECT_EQ(b->f.ncalls, 0);
	free(b);
}

TEST(write_masters_without_msi_or_msix)
{
	struct fake_bench *b = bench_new();
	const struct pci_vdev *d = &b->d;

	/* no capabilities: those offsets are the device's own registers */
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	ASSERT_EQ(d->msi_pos, 0);
	ASSERT_EQ(d->msix_pos, 0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_FLAGS, 2,
					 PCI_MSI_FLAGS_ENABLE),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI, 4, 0xffffffff), 0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX + PCI_MSIX_FLAGS, 2,
					 PCI_MSIX_FLAGS_ENABLE),
		  0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSIX, 4, 0xffffffff), 0);
	/* offset 0 of a function without MSI is not its flags byte */
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_MSI_FLAGS, 2,
					 PCI_MSI_FLAGS_ENABLE),
		  0);
	/* BME still counts */
	EXPECT_EQ(pci_vdev_write_masters(d, PCI_COMMAND, 2, PCI_COMMAND_MASTER),
		  1);
	/* MSI hidden (VFIO gives it no vectors): its enable is no master */
	fake_pci_caps_start(&b->f, WM_MSI);
	fake_pci_msi_cap(&b->f, WM_MSI, 0, 0, 0);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	ASSERT_EQ(d->msi_pos, 0);
	EXPECT_EQ(pci_vdev_write_masters(d, WM_MSI + PCI_MSI_FLAGS, 2,
					 PCI_MSI_FLAGS_ENABLE),
		  0);
	free(b);
}

TEST(write_masters_bad_accesses)
{
	static const struct {
		unsigned int off, len;
	} bad[] = {
		{ PCI_COMMAND + 1, 2 },
		{ PCI_COMMAND - 1, 2 },
		{ PCI_COMMAND + 2, 4 },
		{ PCI_COMMAND, 3 },
		{ PCI_COMMAND, 0 },
		{ PCI_COMMAND, 8 },
		{ WM_MSI + PCI_MSI_FLAGS - 1, 2 },
		{ WM_MSI + PCI_MSI_FLAGS + 1, 2 },
		{ WM_MSI + 1, 4 },
		{ WM_MSIX + PCI_MSIX_FLAGS + 1, 2 },
		{ WM_MSIX + PCI_MSIX_FLAGS, 4 },
		{ WM_MSIX + PCI_MSIX_FLAGS - 1, 4 },
		{ 4096, 1 },
		{ -1u, 1 },
	};
	struct fake_bench *b = masters_bench();
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pci_vdev_write_masters(&b->d, bad[i].off, bad[i].len,
					   0xffffffff))
			HARNESS_REPORT("off 0x%x len %u", bad[i].off,
				       bad[i].len);
		EXPECT_EQ(pci_vdev_write_masters(&b->d, bad[i].off, bad[i].len,
						 0xffffffff),
			  0);
	}
	/* past the end of a conventional function */
	ASSERT_EQ(b->d.cfg_size, PCI_CFG_SPACE_SIZE);
	EXPECT_EQ(pci_vdev_write_masters(&b->d, PCI_CFG_SPACE_SIZE, 4,
					 0xffffffff),
		  0);
	/* a bad access is not counted either: nothing happened */
	EXPECT_EQ(b->d.stats.bad_cfg, 0);
	EXPECT_EQ(b->f.ncalls, 0);
	free(b);
}

/* Asking changes nothing: the guest reads what it read before. */
TEST(write_masters_has_no_side_effect)
{
	static const struct {
		unsigned int off, len;
		uint32_t val;
	} w[] = {
		{ PCI_COMMAND, 1, PCI_COMMAND_MASTER },
		{ PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY },
		{ PCI_COMMAND, 4, 0xffffffff },
		{ WM_MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE },
		{ WM_MSI, 4, 0xffffffff },
		{ WM_MSIX + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE },
		{ WM_MSIX, 4, 0xffffffff },
		{ PCI_BASE_ADDRESS_0, 4, 0xffffffff },
		{ PCI_COMMAND + 1, 2, 0xffff },
	};
	struct fake_bench *b = masters_bench();
	struct pci_vdev *before = malloc(sizeof(*before));
	uint32_t cfg[PCI_CFG_SPACE_SIZE / 4];
	uint8_t phys[sizeof(b->f.cfg)];
	unsigned int i, k;

	ASSERT_TRUE(before != NULL);
	for (k = 0; k < PCI_CFG_SPACE_SIZE / 4; k++)
		cfg[k] = rd(&b->d, 4 * k, 4);
	memcpy(before, &b->d, sizeof(*before));
	memcpy(phys, b->f.cfg, sizeof(phys));
	fake_pci_clear_log(&b->f);
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		pci_vdev_write_masters(&b->d, w[i].off, w[i].len, w[i].val);
	EXPECT_EQ(memcmp(before, &b->d, sizeof(*before)), 0);
	EXPECT_EQ(memcmp(phys, b->f.cfg, sizeof(phys)), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	for (k = 0; k < PCI_CFG_SPACE_SIZE / 4; k++) {
		if (rd(&b->d, 4 * k, 4) != cfg[k])
			HARNESS_REPORT("dword 0x%02x", 4 * k);
		EXPECT_EQ(rd(&b->d, 4 * k, 4), cfg[k]);
	}
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2) & PCI_COMMAND_MASTER, 0);
	EXPECT_EQ(rd(&b->d, WM_MSI + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE,
		  0);
	EXPECT_EQ(rd(&b->d, WM_MSIX + PCI_MSIX_FLAGS, 2) &
			  PCI_MSIX_FLAGS_ENABLE,
		  0);
	/* the same write, made: it takes as always */
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	free(before);
	free(b);
}

TEST_MAIN()
