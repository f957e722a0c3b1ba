// SPDX-License-Identifier: MIT
/*
 * What lives in BARs: sizing, decoding and mapping them, the accesses that
 * trap, and MSI-X as the guest drives it through config space and the
 * table and PBA, checked against the fake's call log: nothing physical
 * before ENABLE, routes that follow the table, pending bits, bad accesses.
 */
#include <errno.h>

#include "pci/vdev.h"
#include "tests/fake_pci.h"
#include "tests/harness.h"

#define IDX VFIO_PCI_MSIX_IRQ_INDEX
#define POS 0x40 /* the MSI-X capability */
#define TBL 0x2000 /* table offset in BAR 0 */
#define PBA 0x3000 /* PBA offset in BAR 0 */
#define ENABLE PCI_MSIX_FLAGS_ENABLE
#define MASKALL PCI_MSIX_FLAGS_MASKALL
#define BAR(i) (PCI_BASE_ADDRESS_0 + 4 * (i))

static struct fake_bench *bench_new(unsigned int nvec, unsigned int vfio)
{
	struct fake_bench *b = fake_bench_new(0x15b3, 0x101e);

	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_64, 0x4000);
	fake_pci_caps_start(&b->f, POS);
	fake_pci_msix_cap(&b->f, POS, 0, nvec, TBL, PBA);
	b->f.conf.msix_nvec = vfio;
	return b;
}

static struct fake_bench *ready(unsigned int nvec)
{
	struct fake_bench *b = bench_new(nvec, nvec);

	if (fake_pci_vdev_init(&b->d, &b->f))
		abort();
	return b;
}

static void ctrl(struct pci_vdev *d, uint16_t flags)
{
	wr(d, POS + PCI_MSIX_FLAGS, 2, flags);
}

static uint64_t bar0_rd(struct pci_vdev *d, uint64_t off, unsigned int len)
{
	uint64_t v;

	pci_vdev_bar_read(d, 0, off, len, &v);
	return v;
}

static void ent_wr(struct pci_vdev *d, unsigned int v, unsigned int reg,
		   uint32_t val)
{
	pci_vdev_bar_write(d, 0, TBL + v * PCI_MSIX_ENTRY_SIZE + reg, 4, val);
}

static uint32_t ent_rd(struct pci_vdev *d, unsigned int v, unsigned int reg)
{
	return (uint32_t)bar0_rd(d, TBL + v * PCI_MSIX_ENTRY_SIZE + reg, 4);
}

/* The message of vector v: 0xfee0_0000 + v * 0x1000, data 0x4020 + v. */
static void program(struct pci_vdev *d, unsigned int v)
{
	ent_wr(d, v, PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000 + v * 0x1000);
	ent_wr(d, v, PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	ent_wr(d, v, PCI_MSIX_ENTRY_DATA, 0x4020 + v);
}

static void mask(struct pci_vdev *d, unsigned int v, int on)
{
	ent_wr(d, v, PCI_MSIX_ENTRY_VECTOR_CTRL,
	       on ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

static int pba_bit(struct pci_vdev *d, unsigned int v)
{
	return (bar0_rd(d, PBA + v / 64 * 8, 8) >> (v % 64)) & 1;
}

/* irq ops of this kind logged, for MSI-X */
static unsigned int n(struct fake_bench *b, enum fake_op op)
{
	return fake_pci_count(&b->f, op, IDX);
}

/* ---- BAR decoding and mapping ---- */

static struct fake_bench *bars_bench(void)
{
	struct fake_bench *b = fake_bench_new(0x8086, 0x10d3);

	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, 0x1000);
	fake_pci_bar(&b->f, 1, PCI_BASE_ADDRESS_MEM_PREFETCH, 0x1800);
	fake_pci_bar(&b->f, 2,
		     PCI_BASE_ADDRESS_MEM_TYPE_64 |
			     PCI_BASE_ADDRESS_MEM_PREFETCH,
		     0x100000);
	fake_pci_bar(&b->f, 4, PCI_BASE_ADDRESS_SPACE_IO, 0x20);
	fake_pci_bar(&b->f, 5, PCI_BASE_ADDRESS_SPACE_IO, 3);
	if (fake_pci_vdev_init(&b->d, &b->f))
		abort();
	return b;
}

TEST(bar_map_follows_decode_and_address)
{
	struct fake_bench *b = bars_bench();
	const struct fake_call *c;

	wr(&b->d, BAR(0), 4, 0xc0001000);
	wr(&b->d, BAR(4), 4, 0xc041); /* low bits are ignored */
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 0);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ASSERT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 1);
	c = fake_pci_nth(&b->f, FAKE_BAR_MAP, -1, 0);
	EXPECT_EQ(c->bar, 0);
	EXPECT_EQ(c->addr, 0xc0001000);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	ASSERT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 2);
	c = fake_pci_nth(&b->f, FAKE_BAR_MAP, -1, 1);
	EXPECT_EQ(c->bar, 4);
	EXPECT_EQ(c->addr, 0xc040);
	/* moving: unmap the old place, then map the new */
	fake_pci_clear_log(&b->f);
	wr(&b->d, BAR(0), 4, 0xc0008000);
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_BAR_UNMAP);
	EXPECT_EQ(b->f.log[0].addr, 0xc0001000);
	EXPECT_EQ(b->f.log[1].op, FAKE_BAR_MAP);
	EXPECT_EQ(b->f.log[1].addr, 0xc0008000);
	/* rewriting the same address does nothing */
	wr(&b->d, BAR(0), 4, 0xc0008000);
	EXPECT_EQ(b->f.ncalls, 2);
	/* sizing with decode on: unmapped while all-ones, back after */
	fake_pci_clear_log(&b->f);
	EXPECT_EQ(size_bar(&b->d, 0), 0xfffff000);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_UNMAP, -1), 1);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 1);
	EXPECT_EQ(b->f.map_addr[0], 0xc0008000);
	EXPECT_EQ(size_bar(&b->d, 4), 0xffffffe1);
	EXPECT_EQ(b->f.map_addr[4], 0xc040);
	/* address 0 is never mapped */
	fake_pci_clear_log(&b->f);
	wr(&b->d, BAR(0), 4, 0);
	EXPECT_FALSE(b->f.mapped[0]);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 0);
	/* turning memory decode off unmaps memory BARs only */
	wr(&b->d, BAR(0), 4, 0xc0001000);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_IO);
	EXPECT_FALSE(b->f.mapped[0]);
	EXPECT_TRUE(b->f.mapped[4]);
	wr(&b->d, PCI_COMMAND, 2, 0);
	EXPECT_FALSE(b->f.mapped[4]);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(bar_64bit_map_and_firmware_assignment)
{
	struct fake_bench *b = bars_bench();
	uint32_t v;

	/* firmware's assignment: aligned, flags kept, decode still off */
	pci_vdev_bar_set(&b->d, 0, 0xc0000fff);
	pci_vdev_bar_set(&b->d, 2, 0x800000000ULL);
	pci_vdev_bar_set(&b->d, 3, 0x1000); /* a high half: ignored */
	pci_vdev_bar_set(&b->d, 7, 0x1000);
	EXPECT_EQ(rd(&b->d, BAR(0), 4), 0xc0000000);
	EXPECT_EQ(rd(&b->d, BAR(2), 4), 0x0000000c);
	EXPECT_EQ(rd(&b->d, BAR(3), 4), 0x8);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 0);
	wr(&b->d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_TRUE(b->f.mapped[0]);
	EXPECT_TRUE(b->f.mapped[2]);
	EXPECT_EQ(b->f.map_addr[2], 0x800000000ULL);
	EXPECT_FALSE(b->f.mapped[3]);
	/* sizing both halves: never mapped at the all-ones pattern */
	wr(&b->d, BAR(2), 4, 0xffffffff);
	wr(&b->d, BAR(3), 4, 0xffffffff);
	EXPECT_FALSE(b->f.mapped[2]);
	v = rd(&b->d, BAR(2), 4);
	EXPECT_EQ(v, 0xfff0000c);
	wr(&b->d, BAR(2), 4, 0x00200000);
	wr(&b->d, BAR(3), 4, 0x1);
	EXPECT_TRUE(b->f.mapped[2]);
	EXPECT_EQ(b->f.map_addr[2], 0x100200000ULL);
	/* a failed map still gets its unmap */
	b->f.fail[FAKE_BAR_MAP] = 1;
	wr(&b->d, BAR(0), 4, 0xd0000000);
	EXPECT_EQ(b->d.stats.op_errors, 1);
	b->f.fail[FAKE_BAR_MAP] = 0;
	wr(&b->d, PCI_COMMAND, 2, 0);
	EXPECT_FALSE(b->f.mapped[0]);
	EXPECT_FALSE(b->f.mapped[2]);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(firmware_turns_decoding_on_not_bus_mastering)
{
	struct fake_bench *b = bars_bench();
	uint16_t phys;

	pci_vdev_bar_set(&b->d, 0, 0xc0000000);
	pci_vdev_bar_set(&b->d, 1, 0xc0002000);
	pci_vdev_bar_set(&b->d, 2, 0x800000000ULL);
	pci_vdev_bar_set(&b->d, 4, 0xc000);
	pci_vdev_bar_set(&b->d, 5, 0xc020);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 0);
	pci_vdev_decode_on(&b->d);
	/* the guest reads it back, and the device has it */
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2),
		  PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	phys = (uint16_t)fake_pci_get(&b->f, PCI_COMMAND, 2);
	EXPECT_EQ(phys & (PCI_COMMAND_MEMORY | PCI_COMMAND_IO),
		  PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	EXPECT_EQ(phys & PCI_COMMAND_MASTER, 0);
	/* every BAR is mapped where it was assigned */
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_MAP, -1), 5);
	EXPECT_EQ(b->f.map_addr[1], 0xc0002000);
	EXPECT_EQ(b->f.map_addr[2], 0x800000000ULL);
	EXPECT_EQ(b->f.map_addr[4], 0xc000);
	/* the guest can still turn it off: everything unmapped */
	wr(&b->d, PCI_COMMAND, 2, 0);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_UNMAP, -1), 5);
	/* a reset is power-on state again: decoding off */
	pci_vdev_decode_on(&b->d);
	pci_vdev_reset(&b->d);
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(firmware_decoding_only_for_the_kinds_of_bars_present)
{
	struct fake_bench *b = fake_bench_new(0x1af4, 0x1110);

	fake_pci_bar(&b->f, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, 0x100);
	if (fake_pci_vdev_init(&b->d, &b->f))
		abort();
	pci_vdev_bar_set(&b->d, 0, 0xc0000000);
	pci_vdev_decode_on(&b->d);
	EXPECT_EQ(rd(&b->d, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	EXPECT_EQ(fake_pci_get(&b->f, PCI_COMMAND, 2) & PCI_COMMAND_IO, 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

/* ---- MSI-X ---- */

TEST(capability_as_the_guest_sees_it)
{
	struct fake_bench *b = bench_new(16, 8);
	unsigned int v;

	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	/* the vectors VFIO can give, disabled, where the device has them */
	EXPECT_EQ(rd(&b->d, POS, 2), PCI_CAP_ID_MSIX);
	EXPECT_EQ(rd(&b->d, POS + PCI_MSIX_FLAGS, 2), 7);
	EXPECT_EQ(rd(&b->d, POS + PCI_MSIX_TABLE, 4), TBL);
	EXPECT_EQ(rd(&b->d, POS + PCI_MSIX_PBA, 4), PBA);
	/* only ENABLE and MASKALL are the guest's */
	ctrl(&b->d, 0xffff);
	EXPECT_EQ(rd(&b->d, POS + PCI_MSIX_FLAGS, 2), ENABLE | MASKALL | 7);
	pci_vdev_cfg_write(&b->d, POS + PCI_MSIX_TABLE, 4, 0);
	pci_vdev_cfg_write(&b->d, POS + PCI_MSIX_PBA, 4, 0);
	EXPECT_EQ(b->d.stats.ro_writes, 2);
	EXPECT_EQ(rd(&b->d, POS + PCI_MSIX_TABLE, 4), TBL);
	/* every vector starts masked, nothing pending */
	for (v = 0; v < 8; v++) {
		EXPECT_EQ(ent_rd(&b->d, v, PCI_MSIX_ENTRY_LOWER_ADDR), 0);
		EXPECT_EQ(ent_rd(&b->d, v, PCI_MSIX_ENTRY_DATA), 0);
		EXPECT_EQ(ent_rd(&b->d, v, PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	}
	EXPECT_EQ(bar0_rd(&b->d, PBA, 8), 0);
	/* reserved vector control bits read as zero */
	ent_wr(&b->d, 0, PCI_MSIX_ENTRY_VECTOR_CTRL, 0xfffffffe);
	EXPECT_EQ(ent_rd(&b->d, 0, PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(table_and_pba_must_fit)
{
	static const struct {
		uint32_t table, pba;
	} bad[] = {
		{ TBL | 1, PBA }, /* absent BAR */
		{ TBL | 6, PBA }, /* no such BAR */
		{ TBL, PBA | 7 }, /* no such BAR */
		{ TBL | 4, PBA }, /* an I/O BAR */
		{ 0x3ff8, PBA }, /* runs past the end */
		{ TBL, 0x4000 }, /* starts past the end */
	};
	struct fake_bench *b = bench_new(4, 4);
	unsigned int i;

	fake_pci_bar(&b->f, 4, PCI_BASE_ADDRESS_SPACE_IO, 0x4000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_pci_msix_cap(&b->f, POS, 0, 4, bad[i].table, bad[i].pba);
		EXPECT_EQ(fake_pci_vdev_init(&b->d, &b->f), -EINVAL);
	}
	/* no vectors from VFIO: the capability is hidden instead */
	fake_pci_msix_cap(&b->f, POS, 0, 4, TBL | 1, PBA);
	b->f.conf.msix_nvec = 0;
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(rd(&b->d, PCI_CAPABILITY_LIST, 1), 0);
	EXPECT_EQ(b->d.msix_pos, 0);
}

TEST(nothing_physical_until_enable)
{
	struct fake_bench *b = ready(8);
	const struct fake_call *c;
	unsigned int v;

	fake_pci_clear_log(&b->f);
	for (v = 0; v < 8; v++)
		program(&b->d, v);
	mask(&b->d, 1, 0);
	mask(&b->d, 3, 0);
	ctrl(&b->d, MASKALL);
	ctrl(&b->d, 0);
	EXPECT_EQ(b->f.ncalls, 0);
	ctrl(&b->d, ENABLE);
	ASSERT_EQ(n(b, FAKE_IRQ_ENABLE), 1);
	EXPECT_EQ(b->f.log[0].op, FAKE_IRQ_ENABLE); /* before any route */
	EXPECT_EQ(b->f.log[0].vec, 8);
	ASSERT_EQ(n(b, FAKE_IRQ_ROUTE), 2);
	c = fake_pci_nth(&b->f, FAKE_IRQ_ROUTE, IDX, 0);
	EXPECT_EQ(c->vec, 1);
	EXPECT_EQ(c->addr, 0xfee01000);
	EXPECT_EQ(c->data, 0x4021);
	c = fake_pci_nth(&b->f, FAKE_IRQ_ROUTE, IDX, 1);
	EXPECT_EQ(c->vec, 3);
	EXPECT_EQ(c->addr, 0xfee03000);
	EXPECT_EQ(c->data, 0x4023);
	EXPECT_EQ(fake_pci_nrouted(&b->f, IDX), 2);
	EXPECT_EQ(b->d.msix.stats.routes, 2);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(mask_unroutes_reprogram_reroutes)
{
	struct fake_bench *b = ready(8);
	const struct fake_call *c;

	ctrl(&b->d, ENABLE);
	program(&b->d, 2);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE), 0); /* still masked */
	mask(&b->d, 2, 0);
	ASSERT_EQ(n(b, FAKE_IRQ_ROUTE), 1);
	/* the same message again: no new route */
	program(&b->d, 2);
	mask(&b->d, 2, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE), 1);
	/* new data, then a new 64-bit address in one QWORD write */
	ent_wr(&b->d, 2, PCI_MSIX_ENTRY_DATA, 0x4099);
	pci_vdev_bar_write(&b->d, 0, TBL + 2 * 16, 8, 0x00000001fee0f000ULL);
	ASSERT_EQ(n(b, FAKE_IRQ_ROUTE), 3);
	c = fake_pci_nth(&b->f, FAKE_IRQ_ROUTE, IDX, 1);
	EXPECT_EQ(c->data, 0x4099);
	EXPECT_EQ(c->addr, 0xfee02000);
	c = fake_pci_nth(&b->f, FAKE_IRQ_ROUTE, IDX, 2);
	EXPECT_EQ(c->addr, 0x1fee0f000ULL);
	EXPECT_EQ(b->f.route_data[IDX][2], 0x4099);
	EXPECT_EQ(ent_rd(&b->d, 2, PCI_MSIX_ENTRY_UPPER_ADDR), 1);
	EXPECT_EQ(n(b, FAKE_IRQ_UNROUTE), 0);
	/* masking takes the route away; unmasking gives it back */
	mask(&b->d, 2, 1);
	ASSERT_EQ(n(b, FAKE_IRQ_UNROUTE), 1);
	EXPECT_EQ(fake_pci_nth(&b->f, FAKE_IRQ_UNROUTE, IDX, 0)->vec, 2);
	EXPECT_FALSE(b->f.routed[IDX][2]);
	mask(&b->d, 2, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE), 4);
	EXPECT_TRUE(b->f.routed[IDX][2]);
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE), 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(function_mask_unroutes_all)
{
	struct fake_bench *b = ready(4);
	unsigned int v;

	for (v = 0; v < 4; v++) {
		program(&b->d, v);
		mask(&b->d, v, v == 3);
	}
	ctrl(&b->d, ENABLE | MASKALL); /* enabled, but masked from the start */
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE), 1);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE), 0);
	ctrl(&b->d, ENABLE);
	EXPECT_EQ(fake_pci_nrouted(&b->f, IDX), 3);
	ctrl(&b->d, ENABLE | MASKALL);
	EXPECT_EQ(n(b, FAKE_IRQ_UNROUTE), 3);
	EXPECT_EQ(fake_pci_nrouted(&b->f, IDX), 0);
	EXPECT_EQ(n(b, FAKE_IRQ_DISABLE), 0); /* still on physically */
	/* vector changes under the function mask route nothing */
	mask(&b->d, 3, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE), 3);
	ctrl(&b->d, ENABLE);
	EXPECT_EQ(fake_pci_nrouted(&b->f, IDX), 4);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(masked_fire_sets_pba_unmask_injects_once)
{
	struct fake_bench *b = ready(100);
	unsigned int marks;

	program(&b->d, 70);
	program(&b->d, 5);
	mask(&b->d, 5, 0);
	ctrl(&b->d, ENABLE);
	fake_pci_clear_log(&b->f);
	pci_vdev_irq_fired(&b->d, IDX, 70);
	EXPECT_TRUE(pba_bit(&b->d, 70));
	EXPECT_EQ(bar0_rd(&b->d, PBA + 8, 4), 1u << 6);
	EXPECT_EQ(bar0_rd(&b->d, PBA + 12, 4), 0);
	EXPECT_EQ(b->f.ncalls, 0);
	/* the PBA is read-only */
	pci_vdev_bar_write(&b->d, 0, PBA + 8, 8, 0);
	EXPECT_TRUE(pba_bit(&b->d, 70));
	mask(&b->d, 70, 0);
	ASSERT_EQ(b->f.ncalls, 2);
	EXPECT_EQ(b->f.log[0].op, FAKE_IRQ_ROUTE);
	EXPECT_EQ(b->f.log[1].op, FAKE_IRQ_INJECT);
	EXPECT_EQ(b->f.log[1].vec, 70);
	EXPECT_FALSE(pba_bit(&b->d, 70));
	mask(&b->d, 70, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_INJECT), 1);
	/* the same through the function mask */
	ctrl(&b->d, ENABLE | MASKALL);
	pci_vdev_irq_fired(&b->d, IDX, 5);
	pci_vdev_irq_fired(&b->d, IDX, 5);
	EXPECT_TRUE(pba_bit(&b->d, 5));
	marks = n(b, FAKE_IRQ_INJECT);
	ctrl(&b->d, ENABLE);
	EXPECT_EQ(n(b, FAKE_IRQ_INJECT), marks + 1);
	EXPECT_FALSE(pba_bit(&b->d, 5));
	/* a fire racing with the unmask is delivered, not stranded */
	pci_vdev_irq_fired(&b->d, IDX, 5);
	EXPECT_EQ(n(b, FAKE_IRQ_INJECT), marks + 2);
	EXPECT_FALSE(pba_bit(&b->d, 5));
	/* nonsense vectors and indexes are ignored */
	pci_vdev_irq_fired(&b->d, IDX, 100);
	pci_vdev_irq_fired(&b->d, IDX, -1u);
	pci_vdev_irq_fired(&b->d, 7, 0);
	EXPECT_EQ(bar0_rd(&b->d, PBA, 8), 0);
	EXPECT_EQ(bar0_rd(&b->d, PBA + 8, 8), 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(disable_unroutes_then_disables)
{
	struct fake_bench *b = ready(4);
	unsigned int v;
	int last_unroute;

	for (v = 0; v < 4; v++) {
		program(&b->d, v);
		mask(&b->d, v, v == 1);
	}
	ctrl(&b->d, ENABLE);
	fake_pci_clear_log(&b->f);
	ctrl(&b->d, 0);
	EXPECT_EQ(n(b, FAKE_IRQ_UNROUTE), 3);
	ASSERT_EQ(n(b, FAKE_IRQ_DISABLE), 1);
	last_unroute = fake_pci_pos(&b->f, FAKE_IRQ_UNROUTE, IDX, 2);
	EXPECT_LT(last_unroute, fake_pci_pos(&b->f, FAKE_IRQ_DISABLE, IDX, 0));
	EXPECT_EQ(b->f.irq_on[IDX], 0);
	/* off: table changes and fires stay virtual */
	fake_pci_clear_log(&b->f);
	mask(&b->d, 1, 0);
	program(&b->d, 2);
	pci_vdev_irq_fired(&b->d, IDX, 3);
	ctrl(&b->d, MASKALL);
	EXPECT_EQ(b->f.ncalls, 0);
	/* on again with the table as the guest left it */
	ctrl(&b->d, ENABLE);
	EXPECT_EQ(n(b, FAKE_IRQ_ENABLE), 1);
	EXPECT_EQ(fake_pci_nrouted(&b->f, IDX), 4);
	EXPECT_EQ(n(b, FAKE_IRQ_INJECT), 1); /* the fire while off */
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(bad_table_accesses_ignored)
{
	struct fake_bench *b = ready(8);
	uint64_t v;

	program(&b->d, 0);
	fake_pci_clear_log(&b->f);
	/* MSI-X allows aligned DWORDs and QWORDs only */
	EXPECT_EQ(bar0_rd(&b->d, TBL, 1), 0xff);
	EXPECT_EQ(bar0_rd(&b->d, TBL + 2, 2), 0xffff);
	EXPECT_EQ(bar0_rd(&b->d, TBL + 2, 4), 0xffffffff);
	EXPECT_EQ(bar0_rd(&b->d, TBL + 4, 8), ~0ULL);
	EXPECT_EQ(bar0_rd(&b->d, TBL - 4, 8), ~0ULL); /* runs into it */
	EXPECT_EQ(bar0_rd(&b->d, PBA + 1, 1), 0xff);
	pci_vdev_bar_write(&b->d, 0, TBL, 1, 0);
	pci_vdev_bar_write(&b->d, 0, TBL, 2, 0);
	pci_vdev_bar_write(&b->d, 0, TBL + 1, 4, 0);
	pci_vdev_bar_write(&b->d, 0, TBL + 12, 8, 0);
	pci_vdev_bar_write(&b->d, 0, PBA, 4, 0xffffffff);
	EXPECT_EQ(b->d.msix.stats.bad_access, 11);
	EXPECT_EQ(b->f.ncalls, 0); /* none reached the device */
	EXPECT_EQ(ent_rd(&b->d, 0, PCI_MSIX_ENTRY_LOWER_ADDR), 0xfee00000);
	EXPECT_EQ(ent_rd(&b->d, 0, PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	pci_vdev_bar_read(&b->d, 0, TBL + 8, 8, &v);
	EXPECT_EQ(v, 0x100004020ULL);
}

TEST(traps_cover_exactly_table_and_pba)
{
	struct fake_bench *b = ready(100);
	struct pci_vdev_range r[4];
	unsigned int bar;

	ASSERT_EQ(pci_vdev_bar_traps(&b->d, 0, r, 4), 2);
	EXPECT_EQ(r[0].off, TBL);
	EXPECT_EQ(r[0].len, 100 * PCI_MSIX_ENTRY_SIZE);
	EXPECT_EQ(r[1].off, PBA);
	EXPECT_EQ(r[1].len, 16);
	EXPECT_EQ(pci_vdev_bar_traps(&b->d, 0, r, 1), 1);
	for (bar = 1; bar < 8; bar++)
		EXPECT_EQ(pci_vdev_bar_traps(&b->d, bar, r, 4), 0);
	/* PBA in its own BAR */
	b = bench_new(8, 8);
	fake_pci_bar(&b->f, 3, 0, 0x1000);
	fake_pci_msix_cap(&b->f, POS, 0, 8, TBL, 0x800 | 3);
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	ASSERT_EQ(pci_vdev_bar_traps(&b->d, 0, r, 4), 1);
	EXPECT_EQ(r[0].off, TBL);
	EXPECT_EQ(r[0].len, 8 * PCI_MSIX_ENTRY_SIZE);
	ASSERT_EQ(pci_vdev_bar_traps(&b->d, 3, r, 4), 1);
	EXPECT_EQ(r[0].off, 0x800);
	EXPECT_EQ(r[0].len, 8);
	pci_vdev_irq_fired(&b->d, IDX, 2);
	pci_vdev_bar_read(&b->d, 3, 0x800, 8, &r[0].off);
	EXPECT_EQ(r[0].off, 4);
	/* no MSI-X, no traps */
	b->f.conf.msix_nvec = 0;
	ASSERT_EQ(fake_pci_vdev_init(&b->d, &b->f), 0);
	EXPECT_EQ(pci_vdev_bar_traps(&b->d, 0, r, 4), 0);
}

TEST(bar_accesses_trapped_forwarded_or_refused)
{
	static const uint64_t outside[] = { 0,	     TBL - 4, TBL + 8 * 16,
					    PBA - 4, PBA + 8, 0x3ffc };
	struct fake_bench *b = ready(8);
	unsigned int i;
	uint64_t v;

	memcpy(b->f.bar[0] + 0x10, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	EXPECT_EQ(bar0_rd(&b->d, 0x10, 8), 0x8877665544332211ULL);
	pci_vdev_bar_write(&b->d, 0, 0x20, 2, 0xabcd);
	EXPECT_EQ(b->f.bar[0][0x20], 0xcd);
	/* right next to the table and PBA: the device's */
	fake_pci_clear_log(&b->f);
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		bar0_rd(&b->d, outside[i], 4);
		pci_vdev_bar_write(&b->d, 0, outside[i], 4, 0);
	}
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_READ, -1), i);
	EXPECT_EQ(fake_pci_count(&b->f, FAKE_BAR_WRITE, -1), i);
	/* outside the BAR, absent BARs, bad sizes: nowhere */
	fake_pci_clear_log(&b->f);
	EXPECT_EQ(bar0_rd(&b->d, 0x4000, 4), 0xffffffff);
	EXPECT_EQ(bar0_rd(&b->d, 0x3ffe, 4), 0xffffffff);
	EXPECT_EQ(bar0_rd(&b->d, 0, 3), 0xffffff);
	pci_vdev_bar_read(&b->d, 1, 0, 4, &v); /* BAR 0's high half */
	pci_vdev_bar_read(&b->d, 6, 0, 4, &v);
	pci_vdev_bar_write(&b->d, 0, -8ULL, 8, 0);
	pci_vdev_bar_write(&b->d, 0, 0, 16, 0);
	EXPECT_EQ(b->d.stats.bad_bar, 7);
	EXPECT_EQ(b->f.ncalls, 0);
	/* a failing device reads all-ones */
	b->f.fail[FAKE_BAR_READ] = 1;
	EXPECT_EQ(bar0_rd(&b->d, 0x10, 2), 0xffff);
	EXPECT_EQ(b->d.stats.op_errors, 1);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST(failed_ops_counted_state_stays_sane)
{
	struct fake_bench *b = ready(4);

	program(&b->d, 0);
	mask(&b->d, 0, 0);
	b->f.fail[FAKE_IRQ_ENABLE] = 1;
	ctrl(&b->d, ENABLE);
	EXPECT_EQ(b->d.msix.stats.op_errors, 1);
	EXPECT_EQ(n(b, FAKE_IRQ_ROUTE), 0); /* no routes on a dead enable */
	b->f.fail[FAKE_IRQ_ENABLE] = 0;
	ctrl(&b->d, ENABLE | MASKALL); /* any control write retries */
	ctrl(&b->d, ENABLE);
	EXPECT_EQ(fake_pci_nrouted(&b->f, IDX), 1);
	b->f.fail[FAKE_IRQ_ROUTE] = 1;
	ent_wr(&b->d, 0, PCI_MSIX_ENTRY_DATA, 0x55);
	EXPECT_EQ(b->d.msix.stats.op_errors, 2);
	b->f.fail[FAKE_IRQ_ROUTE] = 0;
	ctrl(&b->d, 0);
	EXPECT_EQ(b->f.irq_on[IDX], 0);
	EXPECT_TRUE(fake_pci_ok(&b->f));
}

TEST_MAIN()
