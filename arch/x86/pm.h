/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM1a event and control registers (ACPI 6.4, 4.8.3.1 and
 * 4.8.3.2) with the one fixed-feature event ptvm has: the power button.
 * Pure: the SCI line goes through ops; what the guest asked for (power
 * off) is returned.
 */
#ifndef PTVM_ARCH_X86_PM_H
#define PTVM_ARCH_X86_PM_H

#include <stdint.h>

#define PM_PWRBTN 0x0100 /* PWRBTN_STS in PM1_STS, PWRBTN_EN in PM1_EN */
/*
 * GBL_EN sticks so that the guest finds the global lock's event (Linux
 * otherwise logs two ACPI errors per boot); no firmware ever sets
 * GBL_STS, so it never raises the SCI.
 */
#define PM_GBL 0x0020

struct pm_ops {
	void (*sci)(void *opaque, int level);
};

struct pm {
	const struct pm_ops *ops;
	void *opaque;
	uint16_t sts, en, cnt;
	int level; /* last level given to ops->sci */
};

enum pm_event { PM_NONE, PM_POWEROFF };

void pm_init(struct pm *p, const struct pm_ops *ops, void *opaque);
/*
 * An access at offset 0..5 of the PM1a block: status (0, write one to
 * clear), enable (2), control (4). Word accesses only; others read as
 * zero and are dropped (counted by the caller through the return of -1).
 * A write of SLP_TYP S5 with SLP_EN returns PM_POWEROFF.
 */
int pm_read(struct pm *p, unsigned int off, unsigned int len, uint32_t *val);
int pm_write(struct pm *p, unsigned int off, unsigned int len, uint32_t val,
	     enum pm_event *ev);
/*
 * Presses the power button: sets PWRBTN_STS and raises the SCI if the
 * guest enabled the event. 1 if it had (someone listens), else 0.
 */
int pm_press_power(struct pm *p);

#endif
