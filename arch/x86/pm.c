/* SPDX-License-Identifier: MIT */
/*
 * ACPI PM1a: the guest's power-off (SLP_EN with S5 in PM1_CNT) and the
 * fixed-feature power button (PWRBTN_STS/PWRBTN_EN) that ptvm presses
 * when it is asked to stop. The FADT says the button is a fixed feature,
 * so Linux's ACPI button driver enables PWRBTN_EN and reads the press
 * through the SCI.
 */
#include "arch/x86/pm.h"

#include "arch/x86/layout.h"

#define PM1_SCI_EN 0x0001 /* ACPI 6.4, 4.8.3.2.1 */
#define PM1_SLP_EN 0x2000
#define PM1_SLP_TYP(v) (((v) >> 10) & 7)
#define PM1_STS_WAK 0x8000

void pm_init(struct pm *p, const struct pm_ops *ops, void *opaque)
{
	*p = (struct pm){ .ops = ops, .opaque = opaque };
}

/*
 * The SCI is level-triggered (the MADT says so): high while an enabled
 * event's status bit is set (ACPI 6.4, 4.8.3.1). SCI_EN always reads
 * one: there is no legacy mode to switch from.
 */
static void pm_update(struct pm *p)
{
	int level = (p->sts & p->en & PM_PWRBTN) != 0;

	if (level != p->level) {
		p->level = level;
		p->ops->sci(p->opaque, level);
	}
}

int pm_read(struct pm *p, unsigned int off, unsigned int len, uint32_t *val)
{
	*val = 0;
	if (len != 2)
		return -1;
	switch (off) {
	case 0:
		*val = p->sts;
		return 0;
	case 2:
		*val = p->en;
		return 0;
	case 4:
		*val = p->cnt | PM1_SCI_EN;
		return 0;
	}
	return -1;
}

int pm_write(struct pm *p, unsigned int off, unsigned int len, uint32_t val,
	     enum pm_event *ev)
{
	*ev = PM_NONE;
	if (len != 2)
		return -1;
	switch (off) {
	case 0: /* write one to clear */
		p->sts &= (uint16_t)~val;
		break;
	case 2:
		p->en = (uint16_t)(val & (PM_PWRBTN | PM_GBL));
		break;
	case 4:
		p->cnt = (uint16_t)(val & ~PM1_SLP_EN);
		if ((val & PM1_SLP_EN) &&
		    PM1_SLP_TYP(val) == LAYOUT_ACPI_SLP_TYP_S5)
			*ev = PM_POWEROFF;
		return 0;
	default:
		return -1;
	}
	pm_update(p);
	return 0;
}

int pm_press_power(struct pm *p)
{
	p->sts |= PM_PWRBTN;
	pm_update(p);
	return (p->en & PM_PWRBTN) != 0;
}
