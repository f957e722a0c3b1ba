// SPDX-License-Identifier: MIT
#include <errno.h>

#include "arch/x86/layout.h"
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

/*
 * held: records its call; holds a write iff it sets bit 2, and a read
 * iff the function is at offset 0x40 or above (a stand-in for "busy").
 */
static unsigned int nheld, last_write;
static void *held_opaque;

static int fheld_(void *o, unsigned int off, unsigned int len, int write,
		  uint32_t val)
{
	held_opaque = o;
	last_write = (unsigned int)write;
	if (!write) {
		last_off = off;
		last_len = len;
		nheld++;
		return off >= 0x40;
	}
	last_off = off;
	last_len = len;
	last_val = val;
	nheld++;
	return !!(val & 4);
}

static const struct pci_func_ops hops = { fread_, fwrite_, fheld_ };

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

/* Two functions of slot 3 that hold writes, slot 4 with no held op. */
static void held_setup(struct pci_host *h, int *f0, int *f2)
{
	pci_host_init(h);
	if (pci_host_add(h, 3, 0, &hops, f0) ||
	    pci_host_add(h, 3, 2, &hops, f2) ||
	    pci_host_add(h, 4, 0, &fops, NULL))
		abort();
	nread = nwrite = nheld = 0;
	held_opaque = NULL;
}

static uint32_t cf8_fn(unsigned int bus, unsigned int slot, unsigned int fn,
		       unsigned int reg)
{
	return 0x80000000u | bus << 16 | slot << 11 | fn << 8 | reg;
}

TEST(pio_held_asks_the_decoded_function)
{
	struct pci_host h, before;
	int f0, f2;

	held_setup(&h, &f0, &f2);
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 2, 0x04));
	memcpy(&before, &h, sizeof(h));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 1);
	EXPECT_EQ(held_opaque, &f2);
	EXPECT_EQ(last_off, 0x04);
	EXPECT_EQ(last_len, 4);
	EXPECT_EQ(last_val, 0x4);
	/* the data port's byte lane is added to the register */
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfe, 2, 1, 0xbeef), 1);
	EXPECT_EQ(last_off, 0x06);
	EXPECT_EQ(last_len, 2);
	EXPECT_EQ(last_val, 0xbeef);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfd, 1, 1, 0x04), 1);
	EXPECT_EQ(last_off, 0x05);
	EXPECT_EQ(last_len, 1);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcff, 1, 1, 0x03), 0);
	EXPECT_EQ(last_off, 0x07);
	EXPECT_EQ(last_val, 0x03);
	/* the function's answer is passed on, 0 as well */
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 2, 1, 0x2), 0);
	EXPECT_EQ(nheld, 5);
	/* function 0 of the slot is another function */
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 0, 0x50));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfe, 2, 1, 0x1), 0);
	EXPECT_EQ(held_opaque, &f0);
	EXPECT_EQ(last_off, 0x52);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x00080004), 1);
	EXPECT_EQ(last_off, 0x50);
	EXPECT_EQ(last_val, 0x00080004);
	/* asking wrote nothing, read nothing */
	EXPECT_EQ(nwrite, 0);
	EXPECT_EQ(nread, 0);
	EXPECT_EQ(h.cf8, cf8_fn(0, 3, 0, 0x50));
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 2, 0x04));
	EXPECT_EQ(memcmp(&before, &h, sizeof(h)), 0);
}

TEST(pio_held_nothing_to_hold)
{
	struct pci_host h, before;
	int f0, f2;

	held_setup(&h, &f0, &f2);
	/* enable bit clear */
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 0, 0x04) & ~0x80000000u);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 2, 1, 0x4), 0);
	/* the address port itself, whatever is in it */
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 0, 0x04));
	memcpy(&before, &h, sizeof(h));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcf8, 4, 1, 0xffffffff), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcf8, 2, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcf9, 1, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfb, 1, 1, 0x4), 0);
	/* past the data port, and before the address port */
	EXPECT_EQ(pci_host_pio_held(&h, 0xd00, 1, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcf7, 1, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0, 4, 1, 0x4), 0);
	/* bad sizes and misaligned data accesses */
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 3, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 0, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 8, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfd, 2, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfe, 4, 1, 0x4), 0);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcff, 2, 1, 0x4), 0);
	EXPECT_EQ(h.bad_access, 0); /* not counted: nothing was accessed */
	EXPECT_EQ(memcmp(&before, &h, sizeof(h)), 0);
	/* another bus */
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(1, 3, 0, 0x04));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(255, 3, 0, 0x04));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	/* an absent function, the host bridge */
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 1, 0x04));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 5, 0, 0x04));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 0, 0, 0x04));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	/* a function whose ops hold nothing */
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 4, 0, 0x04));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 1, 0x4), 0);
	EXPECT_EQ(h.cf8, cf8_fn(0, 4, 0, 0x04));
	EXPECT_EQ(nheld, 0);
	EXPECT_EQ(nwrite, 0);
	EXPECT_EQ(nread, 0);
}

TEST(ecam_held_asks_the_decoded_function)
{
	struct pci_host h, before;
	int f0, f2;

	held_setup(&h, &f0, &f2);
	memcpy(&before, &h, sizeof(h));
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 2 << 12 | 0x04, 2, 1, 0x4),
		  1);
	EXPECT_EQ(held_opaque, &f2);
	EXPECT_EQ(last_off, 0x04);
	EXPECT_EQ(last_len, 2);
	EXPECT_EQ(last_val, 0x4);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x72, 2, 1, 0x8000), 0);
	EXPECT_EQ(held_opaque, &f0);
	EXPECT_EQ(last_off, 0x72);
	EXPECT_EQ(last_val, 0x8000);
	/* extended space is passed on too */
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x104, 4, 1, 0xffffffff), 1);
	EXPECT_EQ(last_off, 0x104);
	EXPECT_EQ(last_len, 4);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0xfff, 1, 1, 0x4), 1);
	EXPECT_EQ(last_off, 0xfff);
	EXPECT_EQ(nheld, 4);
	/* nothing to hold: bad sizes, absent, no held op, other buses */
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x05, 2, 1, 0x4), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x06, 4, 1, 0x4), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x04, 3, 1, 0x4), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x04, 0, 1, 0x4), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 1 << 12 | 0x04, 4, 1, 0x4),
		  0);
	EXPECT_EQ(pci_host_ecam_held(&h, 0x04, 4, 1, 0x4), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 4 << 15 | 0x04, 4, 1, 0x4), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 1 << 20 | 3 << 15 | 0x04, 4, 1, 0x4),
		  0);
	EXPECT_EQ(pci_host_ecam_held(&h, 1ULL << 32 | 3 << 15 | 0x04, 4, 1,
				     0x4),
		  0);
	EXPECT_EQ(pci_host_ecam_held(&h, ~0ULL - 3, 4, 1, 0x4), 0);
	EXPECT_EQ(nheld, 4);
	EXPECT_EQ(nwrite, 0);
	EXPECT_EQ(nread, 0);
	EXPECT_EQ(memcmp(&before, &h, sizeof(h)), 0);
}

/* Reads are asked about too (a function in reset holds every access). */
TEST(reads_are_asked_about_and_never_change_state)
{
	struct pci_host h, before;
	int f0, f2;

	held_setup(&h, &f0, &f2);
	pci_host_pio_write(&h, 0xcf8, 4, cf8_fn(0, 3, 2, 0x40));
	memcpy(&before, &h, sizeof(h));
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfc, 4, 0, 0), 1);
	EXPECT_EQ(held_opaque, &f2);
	EXPECT_EQ(last_write, 0);
	EXPECT_EQ(last_off, 0x40);
	EXPECT_EQ(pci_host_pio_held(&h, 0xcfe, 2, 0, 0), 1);
	EXPECT_EQ(last_off, 0x42);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x3c, 4, 0, 0), 0);
	EXPECT_EQ(held_opaque, &f0);
	EXPECT_EQ(pci_host_ecam_held(&h, 3 << 15 | 0x100, 4, 0, 0), 1);
	/* the address port is the bridge's: never held */
	EXPECT_EQ(pci_host_pio_held(&h, 0xcf8, 4, 0, 0), 0);
	EXPECT_EQ(pci_host_ecam_held(&h, 4 << 15 | 0x40, 4, 0, 0), 0);
	EXPECT_EQ(nheld, 4);
	EXPECT_EQ(nread, 0);
	EXPECT_EQ(memcmp(&before, &h, sizeof(h)), 0);
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
