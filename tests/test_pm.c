// SPDX-License-Identifier: MIT
#include "arch/x86/layout.h"
#include "arch/x86/pm.h"
#include "tests/harness.h"

static int level;
static unsigned int nsci;

static void sci(void *o, int l)
{
	(void)o;
	level = l;
	nsci++;
}

static const struct pm_ops ops = { sci };

static void fresh(struct pm *p)
{
	level = 0;
	nsci = 0;
	pm_init(p, &ops, NULL);
}

static uint32_t rd(struct pm *p, unsigned int off)
{
	uint32_t v = 0xdead;

	EXPECT_EQ(pm_read(p, off, 2, &v), 0);
	return v;
}

static void wr(struct pm *p, unsigned int off, uint32_t v)
{
	enum pm_event ev;

	EXPECT_EQ(pm_write(p, off, 2, v, &ev), 0);
	EXPECT_EQ(ev, PM_NONE);
}

TEST(sci_en_reads_set)
{
	struct pm p;

	fresh(&p);
	EXPECT_EQ(rd(&p, 4) & 1, 1);
	EXPECT_EQ(rd(&p, 0), 0);
	EXPECT_EQ(rd(&p, 2), 0);
}

TEST(press_without_enable_raises_nothing)
{
	struct pm p;

	fresh(&p);
	EXPECT_EQ(pm_press_power(&p), 0);
	EXPECT_EQ(nsci, 0);
	/* the status is there for a guest that polls it */
	EXPECT_EQ(rd(&p, 0), PM_PWRBTN);
	/* enabling it afterwards raises the SCI (ACPI 6.4, 4.8.3.1) */
	wr(&p, 2, PM_PWRBTN);
	EXPECT_EQ(level, 1);
}

TEST(press_raises_level_sci_until_cleared)
{
	struct pm p;

	fresh(&p);
	wr(&p, 2, PM_PWRBTN | PM_GBL | 0x0001); /* TMR_EN: no PM timer */
	EXPECT_EQ(rd(&p, 2), PM_PWRBTN | PM_GBL);
	EXPECT_EQ(nsci, 0);
	EXPECT_EQ(pm_press_power(&p), 1);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(rd(&p, 0), PM_PWRBTN);
	/* writing zeros clears nothing */
	wr(&p, 0, 0);
	EXPECT_EQ(level, 1);
	/* write one to clear */
	wr(&p, 0, PM_PWRBTN);
	EXPECT_EQ(level, 0);
	EXPECT_EQ(rd(&p, 0), 0);
	EXPECT_EQ(nsci, 2);
}

TEST(disable_lowers_sci)
{
	struct pm p;

	fresh(&p);
	wr(&p, 2, PM_PWRBTN);
	pm_press_power(&p);
	EXPECT_EQ(level, 1);
	wr(&p, 2, 0);
	EXPECT_EQ(level, 0);
}

TEST(s5_powers_off_other_sleep_types_do_not)
{
	struct pm p;
	enum pm_event ev;

	fresh(&p);
	EXPECT_EQ(pm_write(&p, 4, 2, (1u << 10) | 0x2000, &ev), 0);
	EXPECT_EQ(ev, PM_NONE);
	EXPECT_EQ(pm_write(&p, 4, 2, LAYOUT_ACPI_SLP_TYP_S5 << 10, &ev), 0);
	EXPECT_EQ(ev, PM_NONE); /* no SLP_EN */
	EXPECT_EQ(pm_write(&p, 4, 2, (LAYOUT_ACPI_SLP_TYP_S5 << 10) | 0x2000,
			   &ev),
		  0);
	EXPECT_EQ(ev, PM_POWEROFF);
	EXPECT_EQ(rd(&p, 4) & 0x2000, 0); /* SLP_EN reads zero */
}

TEST(odd_accesses_are_refused)
{
	struct pm p;
	enum pm_event ev;
	uint32_t v;

	fresh(&p);
	EXPECT_EQ(pm_read(&p, 0, 1, &v), -1);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(pm_read(&p, 1, 2, &v), -1);
	EXPECT_EQ(pm_write(&p, 2, 4, PM_PWRBTN, &ev), -1);
	EXPECT_EQ(rd(&p, 2), 0);
	EXPECT_EQ(pm_write(&p, 4, 1, 0x34, &ev), -1);
	EXPECT_EQ(ev, PM_NONE);
}

TEST_MAIN()
