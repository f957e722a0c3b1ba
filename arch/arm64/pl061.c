/* SPDX-License-Identifier: MIT */
/*
 * PL061 GPIO: the programmer's model of ARM DDI 0190B, chapter 3, with
 * eight lines, no alternate function behind GPIOAFSEL (it only stores),
 * and pads driven by ptvm. Every register is 8 bits wide, so no guest
 * value reaches state outside the eight lines.
 */
#include "arch/arm64/pl061.h"

#include "arch/arm64/layout.h"

#define PL061_DATA_END 0x400 /* GPIODATA: 0x000-0x3fc, mask = PADDR[9:2] */
#define PL061_DIR 0x400
#define PL061_IS 0x404 /* 1: level-sensitive */
#define PL061_IBE 0x408 /* 1: both edges, GPIOIEV ignored */
#define PL061_IEV 0x40c /* 1: rising edge or high level */
#define PL061_IE 0x410 /* 1: the line's interrupt reaches GPIOINTR */
#define PL061_RIS 0x414
#define PL061_MIS 0x418
#define PL061_IC 0x41c /* write one to clear an edge */
#define PL061_AFSEL 0x420
#define PL061_ID 0xfe0 /* PeriphID0-3, PCellID0-3, one byte a word */
#define PL061_SIZE 0x1000

#define POWER_BIT (1u << LAYOUT_GPIO_POWER_LINE)

/*
 * What Linux's AMBA bus reads (readl, low byte) to match gpio-pl061:
 * part 0x061, designer 0x41 (ARM), revision 0 -> periphid 0x00041061;
 * the PrimeCell id 0xb105f00d (DDI 0190B, 3.3.11-3.3.18).
 */
static const uint8_t pl061_id[8] = { 0x61, 0x10, 0x04, 0x00,
				     0x0d, 0xf0, 0x05, 0xb1 };

void pl061_init(struct pl061 *p, const struct pl061_ops *ops, void *opaque)
{
	*p = (struct pl061){ .ops = ops, .opaque = opaque };
}

/* What the pads carry: an output line shows its latch, an input ptvm's. */
static uint8_t pl061_pads(const struct pl061 *p)
{
	return (uint8_t)((p->out & p->dir) | (p->in & ~p->dir));
}

/*
 * GPIORIS: latched edges, and level-sensitive lines while the pad
 * matches GPIOIEV (high for 1, low for 0). Edge detection is raw: it
 * latches whatever GPIOIE says (DDI 0190B, 3.3.7-3.3.9).
 */
static uint8_t pl061_ris(const struct pl061 *p)
{
	return (uint8_t)(p->edge | (p->is & ~(pl061_pads(p) ^ p->iev)));
}

/*
 * Latches the edges between the pads as they were (old) and are, then
 * sets GPIOINTR to any bit of GPIOMIS. Called after every change.
 */
static void pl061_update(struct pl061 *p, uint8_t old)
{
	uint8_t now = pl061_pads(p), ch = old ^ now;
	uint8_t one = (uint8_t)((ch & now & p->iev) | (ch & old & ~p->iev));
	int level;

	p->edge |= (uint8_t)(((ch & p->ibe) | (one & ~p->ibe)) & ~p->is);
	level = (pl061_ris(p) & p->ie) != 0;
	if (level != p->level) {
		p->level = level;
		p->ops->irq(p->opaque, level);
	}
}

static int pl061_access_ok(unsigned int off, unsigned int len)
{
	return (len == 1 || len == 4) && !(off & 3) && off < PL061_SIZE;
}

int pl061_read(struct pl061 *p, unsigned int off, unsigned int len,
	       uint32_t *val)
{
	uint8_t mask;

	*val = 0;
	if (!pl061_access_ok(off, len))
		return -1;
	if (off < PL061_DATA_END) {
		mask = (uint8_t)(off >> 2);
		*val = pl061_pads(p) & mask;
		/* gpio_keys' debounce read: the press is reported */
		if ((*val & POWER_BIT) && !(pl061_ris(p) & POWER_BIT))
			p->power_seen = 1;
		return 0;
	}
	if (off >= PL061_ID) {
		*val = pl061_id[(off - PL061_ID) >> 2];
		return 0;
	}
	switch (off) {
	case PL061_DIR:
		*val = p->dir;
		return 0;
	case PL061_IS:
		*val = p->is;
		return 0;
	case PL061_IBE:
		*val = p->ibe;
		return 0;
	case PL061_IEV:
		*val = p->iev;
		return 0;
	case PL061_IE:
		*val = p->ie;
		return 0;
	case PL061_RIS:
		*val = pl061_ris(p);
		return 0;
	case PL061_MIS:
		*val = pl061_ris(p) & p->ie;
		return 0;
	case PL061_AFSEL:
		*val = p->afsel;
		return 0;
	}
	return -1;
}

int pl061_write(struct pl061 *p, unsigned int off, unsigned int len,
		uint32_t val)
{
	uint8_t old = pl061_pads(p), v = (uint8_t)val, mask;

	if (!pl061_access_ok(off, len))
		return -1;
	if (off < PL061_DATA_END) {
		/*
		 * Only output lines take the write: gpio-pl061 writes the
		 * value again after setting GPIODIR because the chip drops
		 * it while the line is an input.
		 */
		mask = (uint8_t)(off >> 2) & p->dir;
		p->out = (uint8_t)((p->out & ~mask) | (v & mask));
		pl061_update(p, old);
		return 0;
	}
	switch (off) {
	case PL061_DIR:
		p->dir = v;
		break;
	case PL061_IS:
		p->is = v;
		p->edge &= (uint8_t)~v; /* a level line latches no edge */
		break;
	case PL061_IBE:
		p->ibe = v;
		break;
	case PL061_IEV:
		p->iev = v;
		break;
	case PL061_IE:
		p->ie = v;
		break;
	case PL061_IC: /* level lines clear when the level goes */
		p->edge &= (uint8_t)~v;
		break;
	case PL061_AFSEL:
		p->afsel = v;
		return 0;
	default:
		return -1;
	}
	pl061_update(p, old);
	return 0;
}

void pl061_set_input(struct pl061 *p, unsigned int line, int level)
{
	uint8_t old = pl061_pads(p), bit;

	if (line >= PL061_LINES)
		return;
	bit = (uint8_t)(1u << line);
	p->in = level ? (uint8_t)(p->in | bit) : (uint8_t)(p->in & ~bit);
	pl061_update(p, old);
}

int pl061_press_power(struct pl061 *p)
{
	p->power_seen = 0;
	pl061_set_input(p, LAYOUT_GPIO_POWER_LINE, 1);
	return (p->ie & ~p->dir & POWER_BIT) != 0;
}

void pl061_release_power(struct pl061 *p)
{
	p->power_seen = 0;
	pl061_set_input(p, LAYOUT_GPIO_POWER_LINE, 0);
}

int pl061_power_seen(const struct pl061 *p)
{
	return p->power_seen;
}
