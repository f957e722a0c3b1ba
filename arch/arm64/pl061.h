/* SPDX-License-Identifier: MIT */
/*
 * The ARM PrimeCell GPIO (PL061, ARM DDI 0190B) as Linux's gpio-pl061
 * driver uses it, carrying the arm64 guest's power button: line
 * LAYOUT_GPIO_POWER_LINE, which the device tree hands to gpio-keys
 * (KEY_POWER, active high). Pure: the interrupt line (SPI
 * LAYOUT_SPI_GPIO, level, high while any bit of GPIOMIS is set) goes
 * through ops; the pads ptvm drives come in through pl061_set_input.
 *
 * Access sizes: Linux 6.1 reads the AMBA ID registers with readl but
 * every GPIO register with readb/writeb (ldrb/strb: 1-byte MMIO exits),
 * so both 1- and 4-byte accesses at 4-byte aligned offsets work (the
 * 8-bit register in the low byte, upper bits of a write ignored).
 * Anything else (other sizes, unaligned, past the 4 KiB block, reserved
 * registers, writing a read-only or reading the write-only GPIOIC)
 * reads as zero, is dropped, and returns -1 so the caller counts it.
 *
 * Releasing the button: gpio_keys does not report the edge, it reports
 * the level it reads from GPIODATA in its debounce timer, 5 ms (its
 * default debounce-interval) after the interrupt. A release before that
 * read loses the press entirely (it reads 0 twice; the input core drops
 * the repeated "up"). The model sees that read: pl061_power_seen() turns
 * 1 when the guest reads GPIODATA with the power bit in the address mask
 * while the line is high and its interrupt is no longer pending (acked
 * through GPIOIC), which is exactly gpio_keys' debounce read. A read
 * before the ack (gpio_keys_open's initial report, a debugfs dump) does
 * not count. So the loop should release once pl061_power_seen() (the
 * next tick of a ~100 ms timer is fine), and release anyway after a cap
 * (a couple of seconds) for a guest that never reads it: no gpio_keys,
 * a level trigger, or a vCPU stalled in a loaded nested L1 for longer
 * than any fixed 100-200 ms hold.
 */
#ifndef PTVM_ARCH_ARM64_PL061_H
#define PTVM_ARCH_ARM64_PL061_H

#include <stdint.h>

#define PL061_LINES 8

struct pl061_ops {
	void (*irq)(void *opaque, int level);
};

struct pl061 {
	const struct pl061_ops *ops;
	void *opaque;
	uint8_t in; /* levels ptvm drives on the pads */
	uint8_t out; /* output latch: GPIODATA as written to output lines */
	uint8_t dir, is, ibe, iev, ie, afsel;
	uint8_t edge; /* latched edge interrupts, cleared by GPIOIC */
	int level; /* last level given to ops->irq */
	int power_seen; /* see pl061_power_seen */
};

/* Reset state: all lines inputs driven low, interrupts masked. */
void pl061_init(struct pl061 *p, const struct pl061_ops *ops, void *opaque);
/*
 * A guest access at offset off within the 4 KiB block, len 1 or 4 at a
 * 4-byte aligned offset. 0, or -1 for a refused access (*val = 0, write
 * dropped). A write may change the interrupt line through ops->irq.
 */
int pl061_read(struct pl061 *p, unsigned int off, unsigned int len,
	       uint32_t *val);
int pl061_write(struct pl061 *p, unsigned int off, unsigned int len,
		uint32_t val);
/*
 * Drives input pad `line` (0..7; others ignored) to level (0 or not),
 * latching an edge into GPIORIS as GPIOIS/GPIOIBE/GPIOIEV configure it
 * (level-sensitive lines follow the pad). A line the guest made an
 * output shows its latch instead, as on the chip.
 */
void pl061_set_input(struct pl061 *p, unsigned int line, int level);
/*
 * Presses the power button: drives LAYOUT_GPIO_POWER_LINE high. 1 if the
 * guest listens (the line is an input with its GPIOIE bit set), else 0.
 * The line stays high until pl061_release_power.
 */
int pl061_press_power(struct pl061 *p);
/* Key up: drives the power line low (gpio_keys gets the other edge). */
void pl061_release_power(struct pl061 *p);
/*
 * 1 once the guest has read the pressed line high after acknowledging
 * its interrupt (gpio_keys' debounce read: the press is reported), so it
 * is safe to release; 0 after a release or before. See above.
 */
int pl061_power_seen(const struct pl061 *p);

#endif
