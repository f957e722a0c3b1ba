// SPDX-License-Identifier: MIT
#include <errno.h>

#include "boot/layout.h"
#include "pci/host.h"
#include "tests/harness.h"

static unsigned int last_off, last_len, nread, nwrite;
static uint32_t last_val;

static void fread_(void *o, unsigned int off, unsigned int len, uint32_t *val)
{
	(void)o;
	last_off = off;
	last_len = len;
	nread++;
	*val = 0x12345678 >> (8 * (off & 3));
	if (len < 4)
		*val &= (1u << (8 * len)) - 1;
}

static void fwrite_(void *o, unsigned int off, unsigned int len, uint32_t val)
{
	(void)o;
	last_off = off;
	last_len = len;
	last_val = val;
	nwrite++;
}

static const struct pci_func_ops fops = { fread_, fwrite_ };

static uint32_t cf8(unsigned int slot, unsigned int reg)
{
	return 0x80000000u | slot << 11 | reg;
}

TEST(host_bridge_identity)
{
	struct pci_host h;

	pci_host_init(&h);
	pci_host_pio_write(&h, 0xcf8, 4, cf8(0, 0));
	EXPECT_EQ(pci_host_pio_read(&h, 0xcf8, 4), cf8(0, 0));
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfc, 4), 0x00081b36);
	pci_host_pio_write(&h, 0xcf8, 4, cf8(0, 8));
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfc, 4) >> 16, 0x0600);
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfe, 2), 0x0600);
	EXPECT_EQ(pci_host_ecam_read(&h, 0x0e, 1), 0); /* header type 0 */
	/* read-only */
	pci_host_ecam_write(&h, 0, 4, 0);
	EXPECT_EQ(pci_host_ecam_read(&h, 0, 2), 0x1b36);
}

TEST(absent_and_bad_accesses_read_all_ones)
{
	struct pci_host h;

	pci_host_init(&h);
	pci_host_pio_write(&h, 0xcf8, 4, cf8(5, 0));
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfc, 4), 0xffffffff);
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfd, 1), 0xff);
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfe, 2), 0xffff);
	pci_host_pio_write(&h, 0xcf8, 4, 0x00000000); /* disabled */
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfc, 4), 0xffffffff);
	pci_host_pio_write(&h, 0xcf8, 4, 0x80010000); /* bus 1 */
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfc, 4), 0xffffffff);
	EXPECT_EQ(pci_host_ecam_read(&h, 1 << 20, 4), 0xffffffff);
	EXPECT_EQ(pci_host_ecam_read(&h, 0x100001, 2), 0xffff);
}

TEST(add_errors)
{
	struct pci_host h;

	pci_host_init(&h);
	EXPECT_EQ(pci_host_add(&h, 0, 0, &fops, NULL), -EINVAL);
	EXPECT_EQ(pci_host_add(&h, 32, 0, &fops, NULL), -EINVAL);
	EXPECT_EQ(pci_host_add(&h, 1, 8, &fops, NULL), -EINVAL);
	EXPECT_EQ(pci_host_add(&h, 3, 0, &fops, NULL), 0);
	EXPECT_EQ(pci_host_add(&h, 3, 0, &fops, NULL), -EBUSY);
}

TEST(function_gets_both_mechanisms)
{
	struct pci_host h;

	pci_host_init(&h);
	ASSERT_EQ(pci_host_add(&h, 3, 0, &fops, NULL), 0);
	pci_host_pio_write(&h, 0xcf8, 4, cf8(3, 0x10));
	pci_host_pio_write(&h, 0xcfe, 2, 0xbeef);
	EXPECT_EQ(last_off, 0x12);
	EXPECT_EQ(last_len, 2);
	EXPECT_EQ(last_val, 0xbeef);
	EXPECT_EQ(pci_host_pio_read(&h, 0xcfd, 1), 0x56);
	EXPECT_EQ(last_off, 0x11);
	pci_host_ecam_write(&h, 3 << 15 | 0x104, 4, 0xcafe);
	EXPECT_EQ(last_off, 0x104);
	EXPECT_EQ(last_len, 4);
	EXPECT_EQ(pci_host_ecam_read(&h, 3 << 15 | 0x200, 4), 0x12345678);
	/* misaligned and bad lengths never reach it */
	nread = nwrite = 0;
	EXPECT_EQ(pci_host_ecam_read(&h, 3 << 15 | 0x101, 2), 0xffff);
	EXPECT_EQ(pci_host_ecam_read(&h, 3 << 15 | 0x102, 4), 0xffffffff);
	pci_host_ecam_write(&h, 3 << 15 | 0x103, 2, 1);
	pci_host_ecam_write(&h, 3 << 15 | 0x100, 3, 1);
	EXPECT_EQ(nread, 0);
	EXPECT_EQ(nwrite, 0);
	/* function 1 of slot 3 is absent */
	EXPECT_EQ(pci_host_ecam_read(&h, 3 << 15 | 1 << 12, 4), 0xffffffff);
}

/*
 * A hostile guest addressing bus 1 and up (ECAM past the one-bus window,
 * or CF8 with a bus number) reaches no function of bus 0: writes go
 * nowhere, reads are all-ones and counted as other-bus reads.
 */
TEST(other_buses_reach_nothing)
{
	struct pci_host h;
	unsigned int bus;

	pci_host_init(&h);
	ASSERT_EQ(pci_host_add(&h, 3, 0, &fops, NULL), 0);
	nread = nwrite = 0;
	for (bus = 1; bus < 256; bus += 127) {
		pci_host_ecam_write(&h, (uint64_t)bus << 20 | 3 << 15 | 0x10, 4,
				    0xdead);
		EXPECT_EQ(pci_host_ecam_read(&h, (uint64_t)bus << 20 | 3 << 15,
					     4),
			  0xffffffff);
		pci_host_pio_write(&h, 0xcf8, 4, cf8(3, 0x10) | bus << 16);
		pci_host_pio_write(&h, 0xcfc, 4, 0xdead);
		EXPECT_EQ(pci_host_pio_read(&h, 0xcfc, 4), 0xffffffff);
	}
	/* far past the window: the offset does not wrap onto bus 0 */
	pci_host_ecam_write(&h, 1ULL << 32 | 3 << 15 | 0x10, 4, 0xdead);
	EXPECT_EQ(pci_host_ecam_read(&h, 1ULL << 32 | 3 << 15, 4), 0xffffffff);
	EXPECT_EQ(nread, 0);
	EXPECT_EQ(nwrite, 0);
	EXPECT_EQ(h.other_bus_reads, 3);
	EXPECT_EQ(h.absent_reads, 0);
	/* the last function of bus 0 is still inside the window */
	EXPECT_EQ(pci_host_ecam_read(&h, LAYOUT_ECAM_SIZE - 4, 4), 0xffffffff);
	EXPECT_EQ(h.absent_reads, 1);
}

TEST(window_alloc)
{
	struct pci_window w;
	uint64_t a;

	pci_window_init(&w, 0xc0000000, 0x20000000);
	ASSERT_EQ(pci_window_alloc(&w, 0x1000, &a), 0);
	EXPECT_EQ(a, 0xc0000000);
	ASSERT_EQ(pci_window_alloc(&w, 0x100000, &a), 0);
	EXPECT_EQ(a, 0xc0100000); /* naturally aligned */
	EXPECT_EQ(pci_window_alloc(&w, 0x3000, &a), -EINVAL);
	EXPECT_EQ(pci_window_alloc(&w, 0, &a), -EINVAL);
	EXPECT_EQ(pci_window_alloc(&w, 0x20000000, &a), -ENOSPC);
	ASSERT_EQ(pci_window_alloc(&w, 0x10000000, &a), 0);
	EXPECT_EQ(a, 0xd0000000);
	EXPECT_EQ(pci_window_alloc(&w, 0x10000000, &a), -ENOSPC);
}

TEST_MAIN()
