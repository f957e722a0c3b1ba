// SPDX-License-Identifier: MIT
#include "arch/arm64/layout.h"
#include "arch/arm64/pl061.h"
#include "tests/harness.h"

#define DIR 0x400
#define IS 0x404
#define IBE 0x408
#define IEV 0x40c
#define IE 0x410
#define RIS 0x414
#define MIS 0x418
#define IC 0x41c
#define AFSEL 0x420
#define PWR LAYOUT_GPIO_POWER_LINE
#define PBIT (1u << PWR)
/* gpio-pl061 reads and writes line n at GPIODATA + BIT(n + 2) */
#define DATA(line) (4u << (line))

static int level;
static unsigned int nirq;

static void irq(void *o, int l)
{
	(void)o;
	level = l;
	nirq++;
}

static const struct pl061_ops ops = { irq };

static void fresh(struct pl061 *p)
{
	level = 0;
	nirq = 0;
	pl061_init(p, &ops, NULL);
}

/* Linux 6.1's gpio-pl061 uses readb/writeb for everything but the IDs */
static uint32_t rb(struct pl061 *p, unsigned int off)
{
	uint32_t v = 0xdead;

	EXPECT_EQ(pl061_read(p, off, 1, &v), 0);
	return v;
}

static void wb(struct pl061 *p, unsigned int off, uint32_t v)
{
	EXPECT_EQ(pl061_write(p, off, 1, v), 0);
}

static uint32_t rl(struct pl061 *p, unsigned int off)
{
	uint32_t v = 0xdead;

	EXPECT_EQ(pl061_read(p, off, 4, &v), 0);
	return v;
}

/* One line's interrupt: IS, IBE, IEV as pl061_irq_type sets them. */
static void trigger(struct pl061 *p, unsigned int line, int is, int ibe,
		    int iev)
{
	uint32_t bit = 1u << line;

	wb(p, IS, is ? rb(p, IS) | bit : rb(p, IS) & ~bit);
	wb(p, IBE, ibe ? rb(p, IBE) | bit : rb(p, IBE) & ~bit);
	wb(p, IEV, iev ? rb(p, IEV) | bit : rb(p, IEV) & ~bit);
	wb(p, IE, rb(p, IE) | bit);
}

TEST(amba_id_registers)
{
	static const uint8_t id[8] = { 0x61, 0x10, 0x04, 0x00,
				       0x0d, 0xf0, 0x05, 0xb1 };
	struct pl061 p;
	uint32_t pid = 0, cid = 0;
	unsigned int i;

	fresh(&p);
	/* as drivers/amba/bus.c: readl(base + size - 0x20 + 4 * i) & 255 */
	for (i = 0; i < 4; i++) {
		pid |= (rl(&p, 0xfe0 + 4 * i) & 255) << (i * 8);
		cid |= (rl(&p, 0xff0 + 4 * i) & 255) << (i * 8);
	}
	EXPECT_EQ(pid & 0x000fffff, 0x00041061); /* gpio-pl061's amba_id */
	EXPECT_EQ(cid, 0xb105f00d); /* AMBA_CID */
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(rl(&p, 0xfe0 + 4 * i), id[i]);
		EXPECT_EQ(rb(&p, 0xfe0 + 4 * i), id[i]);
		EXPECT_EQ(pl061_write(&p, 0xfe0 + 4 * i, 4, 0), -1);
	}
	EXPECT_EQ(rl(&p, 0xfe0), 0x61);
}

TEST(reset_state)
{
	struct pl061 p;
	unsigned int off;

	fresh(&p);
	for (off = DIR; off <= MIS; off += 4)
		EXPECT_EQ(rl(&p, off), 0);
	EXPECT_EQ(rl(&p, AFSEL), 0);
	EXPECT_EQ(rl(&p, 0x3fc), 0);
	EXPECT_EQ(nirq, 0);
	EXPECT_EQ(pl061_power_seen(&p), 0);
}

TEST(data_reads_only_the_address_mask)
{
	struct pl061 p;
	unsigned int i;

	fresh(&p);
	for (i = 0; i < 8; i++)
		pl061_set_input(&p, i, (0xa5 >> i) & 1);
	EXPECT_EQ(rb(&p, 0x3fc), 0xa5); /* all eight bits */
	EXPECT_EQ(rb(&p, 0x000), 0); /* no bit */
	EXPECT_EQ(rb(&p, 0x0f0), 0xa5 & 0x3c); /* PADDR[9:2] = 0x3c */
	for (i = 0; i < 8; i++)
		EXPECT_EQ(rb(&p, DATA(i)), 0xa5 & (1u << i));
	EXPECT_EQ(rl(&p, 0x3fc), 0xa5);
	EXPECT_EQ(nirq, 0); /* edges latch, but nothing is enabled */
}

TEST(data_writes_only_masked_output_bits)
{
	struct pl061 p;

	fresh(&p);
	pl061_set_input(&p, 0, 1);
	pl061_set_input(&p, 7, 1);
	wb(&p, DIR, 0x3c); /* lines 2-5 outputs */
	wb(&p, 0x3fc, 0x00);
	wb(&p, DATA(2) | DATA(3), 0xff); /* only 2 and 3 in the mask */
	EXPECT_EQ(rb(&p, 0x3fc), 0x81 | 0x0c);
	/* outside the mask: nothing changes, upper value bits ignored */
	wb(&p, DATA(4), 0xffffffef);
	EXPECT_EQ(rb(&p, 0x3fc), 0x81 | 0x0c);
	EXPECT_EQ(pl061_write(&p, DATA(4), 4, 0xffffff10), 0);
	EXPECT_EQ(rb(&p, 0x3fc), 0x81 | 0x1c);
	/* inputs read their pads whatever is written to them */
	wb(&p, 0x3fc, 0x00);
	EXPECT_EQ(rb(&p, 0x3fc), 0x81);
	/* ptvm's level on an output line does not show */
	pl061_set_input(&p, 2, 1);
	EXPECT_EQ(rb(&p, DATA(2)), 0);
}

TEST(linux_direction_output_sequence)
{
	struct pl061 p;

	fresh(&p);
	/* a write to an input line is dropped: the chip's quirk */
	wb(&p, DATA(5), 1u << 5);
	wb(&p, DIR, rb(&p, DIR) | (1u << 5));
	EXPECT_EQ(rb(&p, DATA(5)), 0);
	/* so gpio-pl061 writes the value again after GPIODIR */
	wb(&p, DATA(5), 1u << 5);
	EXPECT_EQ(rb(&p, DATA(5)), 1u << 5);
	/* back to input: the pad ptvm drives (low) */
	wb(&p, DIR, rb(&p, DIR) & ~(1u << 5));
	EXPECT_EQ(rb(&p, DATA(5)), 0);
}

TEST(rising_edge)
{
	struct pl061 p;

	fresh(&p);
	trigger(&p, 1, 0, 0, 1);
	EXPECT_EQ(nirq, 0);
	pl061_set_input(&p, 1, 1);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rb(&p, RIS), 0x02);
	EXPECT_EQ(rb(&p, MIS), 0x02);
	wb(&p, IC, 0x02);
	EXPECT_EQ(level, 0);
	EXPECT_EQ(rb(&p, RIS), 0);
	/* the falling edge latches nothing; nor does staying high */
	pl061_set_input(&p, 1, 1);
	pl061_set_input(&p, 1, 0);
	EXPECT_EQ(rb(&p, RIS), 0);
	EXPECT_EQ(nirq, 2);
}

TEST(falling_edge)
{
	struct pl061 p;

	fresh(&p);
	trigger(&p, 6, 0, 0, 0);
	pl061_set_input(&p, 6, 1);
	EXPECT_EQ(level, 0);
	EXPECT_EQ(rb(&p, RIS), 0);
	pl061_set_input(&p, 6, 0);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rb(&p, MIS), 0x40);
	wb(&p, IC, 0x40);
	EXPECT_EQ(level, 0);
}

TEST(both_edges_ignore_iev)
{
	struct pl061 p;
	int iev;

	for (iev = 0; iev < 2; iev++) {
		fresh(&p);
		trigger(&p, 0, 0, 1, iev);
		pl061_set_input(&p, 0, 1);
		EXPECT_EQ(level, 1);
		wb(&p, IC, 1);
		EXPECT_EQ(level, 0);
		pl061_set_input(&p, 0, 0);
		EXPECT_EQ(level, 1);
		EXPECT_EQ(rb(&p, MIS), 1);
		wb(&p, IC, 1);
		EXPECT_EQ(level, 0);
	}
}

TEST(high_level)
{
	struct pl061 p;

	fresh(&p);
	trigger(&p, 4, 1, 0, 1);
	EXPECT_EQ(level, 0);
	pl061_set_input(&p, 4, 1);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rb(&p, RIS), 0x10);
	/* GPIOIC does not clear a level: it goes when the pad does */
	wb(&p, IC, 0xff);
	EXPECT_EQ(level, 1);
	pl061_set_input(&p, 4, 0);
	EXPECT_EQ(level, 0);
	EXPECT_EQ(rb(&p, RIS), 0);
}

TEST(low_level)
{
	struct pl061 p;

	fresh(&p);
	/* the pad is low: pending as soon as it is level-low */
	wb(&p, IS, 0x04);
	EXPECT_EQ(rb(&p, RIS), 0x04);
	EXPECT_EQ(level, 0);
	wb(&p, IE, 0x04);
	EXPECT_EQ(level, 1);
	pl061_set_input(&p, 2, 1);
	EXPECT_EQ(level, 0);
	pl061_set_input(&p, 2, 0);
	EXPECT_EQ(level, 1);
	/* level to edge: the level condition goes with it */
	wb(&p, IS, 0);
	EXPECT_EQ(level, 0);
}

TEST(edge_latched_while_masked_and_mis)
{
	struct pl061 p;

	fresh(&p);
	wb(&p, IEV, 0xff); /* rising on every line, none enabled */
	pl061_set_input(&p, 3, 1);
	pl061_set_input(&p, 5, 1);
	EXPECT_EQ(rb(&p, RIS), 0x28);
	EXPECT_EQ(rb(&p, MIS), 0);
	EXPECT_EQ(nirq, 0);
	wb(&p, IE, 0x20);
	EXPECT_EQ(rb(&p, MIS), 0x20);
	EXPECT_EQ(level, 1);
	wb(&p, IE, 0x08);
	EXPECT_EQ(rb(&p, MIS), 0x08);
	EXPECT_EQ(level, 1);
	wb(&p, IC, 0x08);
	EXPECT_EQ(level, 0);
	EXPECT_EQ(rb(&p, RIS), 0x20);
	EXPECT_EQ(nirq, 2);
	/* an output line's edge latches too: the pad changed */
	wb(&p, IE, 0x01);
	wb(&p, DIR, 0x01);
	wb(&p, DATA(0), 1);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rb(&p, MIS), 0x01);
}

/*
 * The power button as Linux 6.1 drives it: gpio-pl061's probe, gpiolib
 * reading each line's direction, gpio_keys asking for an input with a
 * both-edges interrupt, then per edge: the chained handler reads GPIOMIS,
 * handle_edge_irq acks through GPIOIC, gpio_keys arms its 5 ms debounce
 * hrtimer, and the timer reads GPIODATA + BIT(line + 2) and reports it.
 */
TEST(gpio_keys_press_and_release)
{
	struct pl061 p;
	uint32_t v;
	unsigned int i;

	fresh(&p);
	/* AMBA match, then pl061_probe: GPIOIE = 0 */
	EXPECT_EQ(rl(&p, 0xfe0) & 255, 0x61);
	wb(&p, IE, 0);
	for (i = 0; i < 8; i++) /* gpiochip_add_data: get_direction */
		EXPECT_EQ(rb(&p, DIR) & (1u << i), 0);
	/* gpio_keys: GPIOD_IN -> pl061_direction_input */
	wb(&p, DIR, rb(&p, DIR) & ~PBIT);
	/* request_irq(RISING | FALLING): lock_as_irq, set_type, unmask */
	EXPECT_EQ(rb(&p, DIR) & PBIT, 0);
	v = rb(&p, IEV);
	EXPECT_EQ(v, 0);
	wb(&p, IS, rb(&p, IS) & ~PBIT);
	wb(&p, IBE, rb(&p, IBE) | PBIT);
	wb(&p, IEV, v);
	wb(&p, IE, rb(&p, IE) | PBIT);
	/* gpio_keys_open reports the initial state: up */
	EXPECT_EQ(rb(&p, DATA(PWR)), 0);
	EXPECT_EQ(nirq, 0);

	EXPECT_EQ(pl061_press_power(&p), 1);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rb(&p, MIS), PBIT);
	/* a read before the ack is not the debounce read */
	EXPECT_EQ(rb(&p, DATA(PWR)), PBIT);
	EXPECT_EQ(pl061_power_seen(&p), 0);
	wb(&p, IC, PBIT);
	EXPECT_EQ(level, 0); /* before the GIC's EOI: no second interrupt */
	EXPECT_EQ(pl061_power_seen(&p), 0);
	/* 5 ms later: KEY_POWER 1 */
	EXPECT_EQ(rb(&p, DATA(PWR)), PBIT);
	EXPECT_EQ(pl061_power_seen(&p), 1);

	pl061_release_power(&p);
	EXPECT_EQ(pl061_power_seen(&p), 0);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rb(&p, MIS), PBIT);
	wb(&p, IC, PBIT);
	EXPECT_EQ(level, 0);
	/* KEY_POWER 0 */
	EXPECT_EQ(rb(&p, DATA(PWR)), 0);
	EXPECT_EQ(pl061_power_seen(&p), 0);
	EXPECT_EQ(nirq, 4);
}

TEST(press_while_not_listening)
{
	struct pl061 p;

	fresh(&p);
	wb(&p, IBE, PBIT);
	EXPECT_EQ(pl061_press_power(&p), 0);
	EXPECT_EQ(nirq, 0);
	EXPECT_EQ(rb(&p, DATA(PWR)), PBIT); /* for a guest that polls */
	EXPECT_EQ(rb(&p, RIS), PBIT);
	/* enabling it afterwards raises the latched edge */
	wb(&p, IE, PBIT);
	EXPECT_EQ(level, 1);
	pl061_release_power(&p);

	/* enabled, but the guest made the line an output */
	fresh(&p);
	wb(&p, IE, PBIT);
	wb(&p, DIR, PBIT);
	EXPECT_EQ(pl061_press_power(&p), 0);
	EXPECT_EQ(rb(&p, DATA(PWR)), 0);
	EXPECT_EQ(level, 0);
}

TEST(bad_accesses_are_refused)
{
	static const unsigned int offs[] = { 0x424, 0x800, 0xfd0,  0xfdc,
					     RIS,   MIS,   0x1000, 0xfffffffc };
	struct pl061 p;
	unsigned int i;
	uint32_t v;

	fresh(&p);
	wb(&p, IE, 0xff);
	wb(&p, IEV, 0xff);
	pl061_set_input(&p, 1, 1);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		EXPECT_EQ(pl061_write(&p, offs[i], 4, 0xffffffff), -1);
		EXPECT_EQ(pl061_write(&p, offs[i], 1, 0xff), -1);
	}
	for (i = 0; i < 4; i++) { /* reserved and test registers */
		v = 0xdead;
		EXPECT_EQ(pl061_read(&p, offs[i], 4, &v), -1);
		EXPECT_EQ(v, 0);
	}
	v = 0xdead;
	EXPECT_EQ(pl061_read(&p, IC, 4, &v), -1); /* write-only */
	EXPECT_EQ(v, 0);
	v = 0xdead;
	EXPECT_EQ(pl061_read(&p, 0x1000, 4, &v), -1);
	EXPECT_EQ(v, 0);
	v = 0xdead;
	EXPECT_EQ(pl061_read(&p, 0xfffffffc, 1, &v), -1);
	EXPECT_EQ(v, 0);
	/* sizes other than 1 and 4, and unaligned offsets */
	v = 0xdead;
	EXPECT_EQ(pl061_read(&p, DIR, 2, &v), -1);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(pl061_read(&p, DIR, 8, &v), -1);
	EXPECT_EQ(pl061_read(&p, DIR, 0, &v), -1);
	EXPECT_EQ(pl061_read(&p, DIR + 1, 1, &v), -1);
	EXPECT_EQ(pl061_read(&p, 0x3fd, 1, &v), -1);
	EXPECT_EQ(pl061_write(&p, DIR, 2, 0xff), -1);
	EXPECT_EQ(pl061_write(&p, DIR, 8, 0xff), -1);
	EXPECT_EQ(pl061_write(&p, DIR + 2, 1, 0xff), -1);
	EXPECT_EQ(pl061_write(&p, IC + 1, 1, 0xff), -1);
	/* nothing of it landed */
	EXPECT_EQ(rb(&p, DIR), 0);
	EXPECT_EQ(rb(&p, RIS), 0x02);
	EXPECT_EQ(level, 1);
}

TEST(values_stay_within_eight_lines)
{
	struct pl061 p;
	unsigned int off;

	fresh(&p);
	for (off = DIR; off <= IE; off += 4) {
		EXPECT_EQ(pl061_write(&p, off, 4, 0xffffffff), 0);
		EXPECT_EQ(rl(&p, off), 0xff);
	}
	EXPECT_EQ(pl061_write(&p, AFSEL, 4, 0xfffffffe), 0);
	EXPECT_EQ(rl(&p, AFSEL), 0xfe);
	EXPECT_EQ(pl061_write(&p, 0x3fc, 4, 0xffffffff), 0);
	EXPECT_EQ(rl(&p, 0x3fc), 0xff);
	/* lines past 7 are not there */
	pl061_set_input(&p, 8, 1);
	pl061_set_input(&p, 32, 1);
	pl061_set_input(&p, (unsigned int)-1, 1);
	EXPECT_EQ(p.in, 0);
	EXPECT_EQ(rl(&p, MIS) & ~0xffu, 0);
}

TEST_MAIN()
