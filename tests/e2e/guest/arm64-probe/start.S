/* SPDX-License-Identifier: MIT */
/*
 * arm64-probe's entry. ptvm enters an arm64 ELF as Linux's booting.rst
 * enters an Image: EL1, MMU and caches off, DAIF masked, x0 = the device
 * tree's guest-physical address. x0 and our own address go to probe_main
 * untouched; nothing here clobbers x0.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	adr	x1, _start		/* where we run: the report checks e_entry */
	ldr	x2, =vectors		/* first, so that a fault is reported */
	msr	vbar_el1, x2
	isb
	ldr	x2, =stack_top
	mov	sp, x2
	bl	probe_main		/* (dtb, pc): powers off, never returns */
1:	wfi
	b	1b

/*
 * VBAR_EL1: 16 entries of 128 bytes, 2 KiB aligned (ARM ARM D1.10.2).
 * Every one reports the exception and powers off: nothing here expects one.
 */
	.text
	.balign 2048
vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 128
	mov	x0, #\n
	b	exception
	.endr
exception:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	probe_exception		/* (vector, esr, elr, far) */

	.bss
	.balign 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
