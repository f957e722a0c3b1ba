/* SPDX-License-Identifier: MIT */
/*
 * pvh-probe's entry: the PVH boot ABI starts us in 32-bit protected mode,
 * paging off, flat segments, %ebx = struct hvm_start_info.
 */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4			/* namesz: "Xen\0" */
	.long 4			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start

	.section .text.start, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	movl $stack_top, %esp
	pushl %ebx
	call probe_main
1:	cli
	hlt
	jmp 1b

/* The device's MSI vector: count it in C. */
	.globl msi_entry
msi_entry:
	pushal
	call msi_handler
	popal
	iret

/* Any other external vector: counted as spurious. */
	.globl spurious_entry
spurious_entry:
	pushal
	call spurious_handler
	popal
	iret

/* An exception: report it and power off (never returns). */
	.globl fault_entry
fault_entry:
	call fault_handler
2:	cli
	hlt
	jmp 2b

	.bss
	.balign 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
