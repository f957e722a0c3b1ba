// SPDX-License-Identifier: MIT
/*
 * MSI through config space (the three layouts, multiple messages,
 * per-vector masking), MSI and MSI-X never on together on the device,
 * and reset. Checked against the fake's call log.
 */
#include "pci/vdev.h"
#include "tests/fake_pci.h"
#include "tests/harness.h"

#define MSI VFIO_PCI_MSI_IRQ_INDEX
#define MSIX VFIO_PCI_MSIX_IRQ_INDEX
#define M 0x50 /* the MSI capability */
#define X 0x70 /* the MSI-X capability, when there is one */
#define TBL 0x2000
#define F64 PCI_MSI_FLAGS_64BIT
#define FMASK PCI_MSI_FLAGS_MASKBIT
#define MMC(log2) ((log2) << 1) /* multiple message capable */
#define MME(log2) ((log2) << 4) /* multiple message enable */
#define ON PCI_MSI_FLAGS_ENABLE

/* MSI with these flags at M; MSI-X with 4 vectors at X if msix. */
static struct fake_bench *bench_new(uint16_t flags, unsigned int vfio, int msix)
{
	struct fake_bench *b = fake_bench_new(0x8086, 0x1533);

	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_64, 0x4000);
	fake_pci_bar(&b->f, 2, PCI_BASE_ADDRESS_SPACE_IO, 0x20);
	fake_pci_caps_start(&b->f, M);
	fake_pci_msi_cap(&b->f, M, msix ? X : 0, flags, vfio);
	/* what the device last had: the guest must not see it */
	fake_pci_set32(&b->f, M + PCI_MSI_ADDRESS_LO, 0xfee0100c);
	if (msix)
		fake_pci_msix_cap(&b->f, X, 0, 4, TBL, 0x3000);
	if (fake_pci_vdev_init(&b->d, &b->f))
		abort();
	fake_pci_clear_log(&b->f);
	return b;
}

static void msi_ctrl(struct pci_vdev *d, uint16_t flags)
{
	wr(d, M + PCI_MSI_FLAGS, 2, flags);
}

static void msix_ctrl(struct pci_vdev *d, uint16_t flags)
{
	wr(d, X + PCI_MSIX_FLAGS, 2, flags);
}

/* MSI-X vector v: a message, unmasked. */
static void msix_vec(struct pci_vdev *d, unsigned int v)
{
	uint64_t e = TBL + v * PCI_MSIX_ENTRY_SIZE;

	pci_vdev_bar_write(d, 0, e, 8, 0xfee00000);
	pci_vdev_bar_write(d, 0, e + 8, 8, 0x4040 + v);
}

static unsigned int n(struct fake_bench *b, enum fake_op op, unsigned int index)
{
	return fake_pci_count(&b->f, op, (int)index);
}

/*
 * Replays the log: MSI and MSI-X are never enabled physically while the
 * other one is, and interrupts are only routed to an enabled index.
 */
static int exclusive(const struct fake_pci *f)
{
	unsigned int i, on[FAKE_NIDX] = { 0 };

	for (i = 0; i < f->ncalls; i++) {
		const struct fake_call *c = &f->log[i];

		if (c->op == FAKE_IRQ_ENABLE) {
			if (on[c->index == MSI ? MSIX : MSI])
				return 0;
			on[c->index] = 1;
		} else if (c->op == FAKE_IRQ_DISABLE) {
			on[c->index] = 0;
		} else if (c->op == FAKE_IRQ_ROUTE && !on[c->index]) {
			return 0;
		}
	}
	return 1;
}

TEST(layout_32bit)
{
	struct fake_bench *b = fake_bench_new(0x8086, 0x1533);

	/*
	 * As bench_new(0, 1, 0), with a capability of the null ID after
	 * MSI: the bytes past MSI's 10 are then no device-specific
	 * registers (those go to the device, see test_pci_vdev.c).
	 */
	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_64, 0x4000);
	fake_pci_bar(&b->f, 2, PCI_BASE_ADDRESS_SPACE_IO, 0x20);
	fake_pci_caps_start(&b->f, M);
	fake_pci_msi_cap(&b->f, M, M + 12, 0, 1);
	fake_pci_cap(&b->f, M + 12, 0, 0);
	fake_pci_set32(&b->f, M + PCI_MSI_ADDRESS_LO, 0xfee0100c);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	fake_pci_clear_log(&b->f);

	EXPECT_EQ(b->d.msi.size, 10);
	EXPECT_EQ(rd(&b->d, M, 4), PCI_CAP_ID_MSI); /* alone, disabled */
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_ADDRESS_LO, 4), 0);
	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee01003); /* DWORD aligned */
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_ADDRESS_LO, 4), 0xfee01000);
	wr(&b->d, M + PCI_MSI_DATA_32, 2, 0x4021);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_DATA_32, 2), 0x4021);
	/* capability bits are read-only, MME and enable are not */
	msi_ctrl(&b->d, (uint16_t)~ON);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_FLAGS, 2), PCI_MSI_FLAGS_QSIZE);
	/* past the 10 bytes is not MSI's */
	wr(&b->d, M + 12, 4, 0xffffffff);
	EXPECT_EQ(rd(&b->d, M + 12, 4), 0);
	EXPECT_EQ(b->d.stats.ro_writes, 1);
	EXPECT_EQ(b->f.ncalls, 0);
}

TEST(layout_64bit_maskable)
{
	struct fake_bench *b = bench_new(F64 | FMASK | MMC(2), 4, 0);

	EXPECT_EQ(b->d.msi.size, 24);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_FLAGS, 2), F64 | FMASK | MMC(2));
	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee02000);
	wr(&b->d, M + PCI_MSI_ADDRESS_HI, 4, 0x1);
	wr(&b->d, M + PCI_MSI_DATA_64, 4, 0xffff4022);
	wr(&b->d, M + PCI_MSI_MASK_64, 4, 0x5);
	wr(&b->d, M + PCI_MSI_PENDING_64, 4, 0xffffffff);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_ADDRESS_HI, 4), 1);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_DATA_64, 4), 0x4022);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_MASK_64, 4), 5);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_PENDING_64, 4), 0); /* read-only */
	EXPECT_EQ(b->f.ncalls, 0);
}

TEST(layout_32bit_maskable)
{
	struct fake_bench *b = bench_new(FMASK, 1, 0);

	EXPECT_EQ(b->d.msi.size, 20);
	wr(&b->d, M + PCI_MSI_DATA_32, 4, 0xffff4023);
	wr(&b->d, M + PCI_MSI_MASK_32, 4, 1);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_DATA_32, 4), 0x4023);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_MASK_32, 4), 1);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_PENDING_32, 4), 0);
}

TEST(enable_routes_disable_unroutes)
{
	struct fake_bench *b = bench_new(F64, 1, 0);
	const struct fake_call *c;

	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee03000);
	wr(&b->d, M + PCI_MSI_ADDRESS_HI, 4, 0x2);
	wr(&b->d, M + PCI_MSI_DATA_64, 2, 0x4031);
	EXPECT_EQ(b->f.ncalls, 0);
	EXPECT_FALSE(pci_msi_enabled(&b->d.msi));
	msi_ctrl(&b->d, ON);
	EXPECT_TRUE(pci_msi_enabled(&b->d.msi));
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_IRQ_ENABLE);
	EXPECT_EQ(b->f.log[0].index, MSI);
	EXPECT_EQ(b->f.log[0].vec, 1);
	c = &b->f.log[1];
	EXPECT_EQ(c->op, FAKE_IRQ_ROUTE);
	EXPECT_EQ(c->vec, 0);
	EXPECT_EQ(c->addr, 0x2fee03000ULL);
	EXPECT_EQ(c->data, 0x4031);
	fake_pci_clear_log(&b->f);
	msi_ctrl(&b->d, 0);
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_IRQ_UNROUTE);
	EXPECT_EQ(b->f.log[1].op, FAKE_IRQ_DISABLE);
	EXPECT_EQ(b->f.irq_on[MSI], 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(multiple_messages_limited)
{
	struct fake_bench *b = bench_new(MMC(3), 8, 0);
	unsigned int v;

	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	wr(&b->d, M + PCI_MSI_DATA_32, 2, 0x4048);
	msi_ctrl(&b->d, ON | MME(3));
	ASSERT_EQ(n(b, FAKE_IRQ_ENABLE, MSI), 1);
	EXPECT_EQ(fake_pci_nth(&b->f, FAKE_IRQ_ENABLE, MSI, 0)->vec, 8);
	for (v = 0; v < 8; v++) /* 6.8.1.6: the low bits name the vector */
		EXPECT_EQ(b->f.route_data[MSI][v], 0x4048 | v);
	/* more than the device can: what it can */
	msi_ctrl(&b->d, ON | MME(5));
	EXPECT_EQ(b->f.irq_on[MSI], 8);
	/* fewer: a fresh enable, routes torn down first */
	msi_ctrl(&b->d, ON | MME(1));
	EXPECT_EQ(b->f.irq_on[MSI], 2);
	EXPECT_EQ(fake_pci_nrouted(&b->f, MSI), 2);
	EXPECT_EQ(n(b, FAKE_IRQ_DISABLE, MSI), 1);
	EXPECT_EQ(b->f.route_data[MSI][1], 0x4049);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	/* VFIO gives 5: the largest power of two below is 4 */
	b = bench_new(MMC(3), 5, 0);
	msi_ctrl(&b->d, ON | MME(3));
	EXPECT_EQ(b->f.irq_on[MSI], 4);
	EXPECT_EQ(b->d.msi.maxvec, 4);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/*
 * maxvec is cut to what VFIO gives, and so is the Multiple Message
 * Capable field the guest reads: a driver told 32 vectors when only 4
 * exist would enable 32 and wait on 28 that never come.
 */
TEST(mmc_advertises_only_what_vfio_gives)
{
	struct fake_bench *b = bench_new(MMC(5), 4, 0);

	EXPECT_EQ(b->d.msi.maxvec, 4);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_QMASK,
		  MMC(2));
}

/*
 * Writes that hit only read-only MSI bits (Message Control's high byte,
 * the Pending Bits) are dropped and counted in stats.ro_writes.
 */
TEST(msi_read_only_writes_counted)
{
	struct fake_bench *b = bench_new(F64 | FMASK, 1, 0);

	wr(&b->d, M + PCI_MSI_FLAGS + 1, 1, 0xff);
	wr(&b->d, M + PCI_MSI_PENDING_64, 4, 0xffffffff);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_FLAGS, 2), F64 | FMASK);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_PENDING_64, 4), 0);
	EXPECT_EQ(b->d.stats.ro_writes, 2);
}

TEST(reprogram_while_enabled_reroutes)
{
	struct fake_bench *b = bench_new(F64 | MMC(2), 4, 0);
	unsigned int v;

	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	msi_ctrl(&b->d, ON | MME(2));
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE, MSI), 4);
	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee05000);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE, MSI), 8);
	wr(&b->d, M + PCI_MSI_DATA_64, 2, 0x4060);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE, MSI), 12);
	for (v = 0; v < 4; v++) {
		EXPECT_EQ(b->f.route_addr[MSI][v], 0xfee05000);
		EXPECT_EQ(b->f.route_data[MSI][v], 0x4060 + v);
	}
	/* the same values again: nothing */
	wr(&b->d, M + PCI_MSI_DATA_64, 2, 0x4060);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE, MSI), 12);
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE, MSI), 1);
	EXPECT_EQ(n(b, FAKE_IRQ_DISABLE, MSI), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(per_vector_mask_and_pending)
{
	struct fake_bench *b = bench_new(FMASK | MMC(2), 4, 0);
	unsigned int inj;

	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	wr(&b->d, M + PCI_MSI_MASK_32, 4, 1u << 1);
	msi_ctrl(&b->d, ON | MME(2));
	EXPECT_EQ(fake_pci_nrouted(&b->f, MSI), 3);
	EXPECT_FALSE(b->f.routed[MSI][1]);
	wr(&b->d, M + PCI_MSI_MASK_32, 4, 1u << 0 | 1u << 1);
	EXPECT_FALSE(b->f.routed[MSI][0]);
	EXPECT_EQ(n(b, FAKE_IRQ_UNROUTE, MSI), 1);
	/* fired while masked: pending, not delivered */
	pci_vdev_irq_fired(&b->d, MSI, 0);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_PENDING_32, 4), 1);
	EXPECT_EQ(n(b, FAKE_IRQ_INJECT, MSI), 0);
	/* unmasked: routed, then delivered once */
	wr(&b->d, M + PCI_MSI_MASK_32, 4, 1u << 1);
	ASSERT_EQ(n(b, FAKE_IRQ_INJECT, MSI), 1);
	EXPECT_LT(fake_pci_pos(&b->f, FAKE_IRQ_ROUTE, MSI, 3),
		  fake_pci_pos(&b->f, FAKE_IRQ_INJECT, MSI, 0));
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_PENDING_32, 4), 0);
	wr(&b->d, M + PCI_MSI_MASK_32, 4, 1u << 1);
	inj = n(b, FAKE_IRQ_INJECT, MSI);
	EXPECT_EQ(inj, 1);
	pci_vdev_irq_fired(&b->d, MSI, 40); /* nonsense: ignored */
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_PENDING_32, 4), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
	/* without masking there is nothing to keep pending */
	b = bench_new(0, 1, 0);
	msi_ctrl(&b->d, ON);
	pci_vdev_irq_fired(&b->d, MSI, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_INJECT, MSI), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(msi_then_msix)
{
	struct fake_bench *b = bench_new(0, 1, 1);

	msi_ctrl(&b->d, ON);
	msix_vec(&b->d, 0);
	msix_ctrl(&b->d, PCI_MSIX_FLAGS_ENABLE);
	EXPECT_TRUE(exclusive(&b->f));
	EXPECT_LT(fake_pci_pos(&b->f, FAKE_IRQ_DISABLE, MSI, 0),
		  fake_pci_pos(&b->f, FAKE_IRQ_ENABLE, MSIX, 0));
	EXPECT_EQ(b->f.irq_on[MSI], 0);
	EXPECT_EQ(fake_pci_nrouted(&b->f, MSIX), 1);
	/* MSI-X off: the guest still has MSI on, so it comes back */
	msix_ctrl(&b->d, 0);
	EXPECT_TRUE(exclusive(&b->f));
	EXPECT_EQ(b->f.irq_on[MSIX], 0);
	EXPECT_EQ(b->f.irq_on[MSI], 1);
	EXPECT_EQ(fake_pci_nrouted(&b->f, MSI), 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(msix_then_msi)
{
	struct fake_bench *b = bench_new(0, 1, 1);

	msix_ctrl(&b->d, PCI_MSIX_FLAGS_ENABLE);
	msi_ctrl(&b->d, ON);
	EXPECT_TRUE(pci_msi_enabled(&b->d.msi)); /* as the guest wrote it */
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE, MSI), 0);
	/* function mask changes keep MSI-X on, and MSI off */
	msix_ctrl(&b->d, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	msix_ctrl(&b->d, PCI_MSIX_FLAGS_ENABLE);
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE, MSI), 0);
	msix_ctrl(&b->d, 0);
	EXPECT_LT(fake_pci_pos(&b->f, FAKE_IRQ_DISABLE, MSIX, 0),
		  fake_pci_pos(&b->f, FAKE_IRQ_ENABLE, MSI, 0));
	/* MSI-X off with MSI off too: nothing comes back */
	msi_ctrl(&b->d, 0);
	msix_ctrl(&b->d, PCI_MSIX_FLAGS_ENABLE);
	msix_ctrl(&b->d, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE, MSI), 1);
	EXPECT_TRUE(exclusive(&b->f));
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/* Everything a confused guest could do, in one go and with dword writes. */
TEST(both_in_one_sequence)
{
	static const struct {
		int msix; /* which register */
		uint16_t val;
	} seq[] = {
		{ 0, ON },	    { 1, PCI_MSIX_FLAGS_ENABLE },
		{ 0, 0 },	    { 0, ON },
		{ 1, 0 },	    { 1, PCI_MSIX_FLAGS_ENABLE },
		{ 0, ON | MME(1) }, { 1, PCI_MSIX_FLAGS_MASKALL },
		{ 0, 0 },	    { 1, PCI_MSIX_FLAGS_ENABLE },
		{ 0, ON },	    { 1, 0 },
	};
	struct fake_bench *b = bench_new(MMC(1), 2, 1);
	unsigned int i;

	msix_vec(&b->d, 0);
	msix_vec(&b->d, 3);
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		if (seq[i].msix)
			wr(&b->d, X, 4, (uint32_t)seq[i].val << 16 | 0x11);
		else
			wr(&b->d, M, 4, (uint32_t)seq[i].val << 16 | 0x5);
		EXPECT_FALSE(b->f.irq_on[MSI] && b->f.irq_on[MSIX]);
	}
	EXPECT_TRUE(exclusive(&b->f));
	EXPECT_GE(n(b, FAKE_IRQ_ENABLE, MSI), 3);
	EXPECT_GE(n(b, FAKE_IRQ_ENABLE, MSIX), 3);
	EXPECT_EQ(b->f.irq_on[MSI], 1); /* MSI on, MSI-X off at the end */
	EXPECT_EQ(b->f.irq_on[MSIX], 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(reset_returns_to_power_on)
{
	struct fake_bench *b = bench_new(F64 | FMASK, 1, 1);
	unsigned int i;
	uint64_t v;

	pci_vdev_bar_set(&b->d, 0, 0xc0000000);
	pci_vdev_bar_set(&b->d, 2, 0xc000);
	wr(&b->d, PCI_COMMAND, 2,
	   PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	EXPECT_TRUE(b->f.mapped[0] && b->f.mapped[2]);
	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	msix_vec(&b->d, 0);
	msix_ctrl(&b->d, PCI_MSIX_FLAGS_ENABLE);
	msi_ctrl(&b->d, ON); /* blocked by MSI-X */
	pci_vdev_irq_fired(&b->d, MSIX, 2);
	fake_pci_clear_log(&b->f);
	pci_vdev_reset(&b->d);
	EXPECT_EQ(n(b, FAKE_IRQ_DISABLE, MSIX), 1);
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE, MSI), 0); /* not even for a moment */
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE, MSIX), 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_UNMAP, -1), 2);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		EXPECT_FALSE(b->f.mapped[i]);
	EXPECT_EQ(b->f.irq_on[MSI] + b->f.irq_on[MSIX], 0);
	EXPECT_EQ(fake_pci_get(&b->f, PCI_COMMAND, 2), PCI_COMMAND_SPECIAL);
	/* and the guest sees a device fresh from power-on */
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), 0);
	EXPECT_EQ(rd(&b->d, X + PCI_MSIX_FLAGS, 2), 3);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_FLAGS, 2), F64 | FMASK);
	EXPECT_EQ(rd(&b->d, M + PCI_MSI_ADDRESS_LO, 4), 0);
	pci_vdev_bar_read(&b->d, 0, TBL + 12, 4, &v);
	EXPECT_EQ(v, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_vdev_bar_read(&b->d, 0, 0x3000, 8, &v);
	EXPECT_EQ(v, 0);
	/* MSI is not left blocked: it works, and reset turns it off */
	wr(&b->d, M + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	msi_ctrl(&b->d, ON);
	EXPECT_EQ(b->f.irq_on[MSI], 1);
	pci_vdev_reset(&b->d);
	EXPECT_EQ(b->f.irq_on[MSI], 0);
	EXPECT_EQ(fake_pci_nrouted(&b->f, MSI), 0);
	/* decoding comes back where it was when the guest turns it on */
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(b->f.map_addr[0], 0xc0000000);
	EXPECT_TRUE(exclusive(&b->f));
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(direct_api_bounds)
{
	static const struct pci_irq_ops none = { 0 };
	uint8_t cap[PCI_MSI_REGS] = { PCI_CAP_ID_MSI, 0, MMC(7), 0 };
	struct pci_msi m;

	/* an impossible MMC is capped; out-of-range accesses do nothing */
	pci_msi_init(&m, &none, NULL, cap, 64);
	EXPECT_EQ(m.maxvec, PCI_MSI_MAX);
	EXPECT_EQ(m.size, 10);
	EXPECT_EQ(pci_msi_read(&m, 10, 1), 0);
	EXPECT_EQ(pci_msi_read(&m, 8, 4), 0);
	EXPECT_EQ(pci_msi_read(&m, 0, 8), 0);
	pci_msi_write(&m, 9, 2, 0xffff);
	pci_msi_write(&m, 100, 1, 0xff);
	EXPECT_EQ(pci_msi_read(&m, 8, 2), 0);
	pci_msi_fired(&m, 0);
	EXPECT_FALSE(pci_msi_enabled(&m));
}

TEST_MAIN()
