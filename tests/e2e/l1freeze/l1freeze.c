// SPDX-License-Identifier: GPL-2.0
/*
 * l1freeze: loaded in L1 by tests/e2e/freeze.t, it puts L1's CPU in the
 * state that QEMU's TCG now and then leaves it in by mistake: halted with
 * interrupts enabled and a timer interrupt pending that can never be taken
 * (CLGI clears SVM's global interrupt flag). scripts/nested must notice
 * this, end that L1 and boot another. insmod never returns.
 */
#include <linux/module.h>
#include <asm/msr.h>

static int __init l1freeze_init(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	for (;;)
		asm volatile("clgi; sti; hlt" ::: "memory");
	return 0;
}
module_init(l1freeze_init);
MODULE_LICENSE("GPL");
