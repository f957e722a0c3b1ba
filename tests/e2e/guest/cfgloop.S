# SPDX-License-Identifier: MIT
/*
 * cfgloop: a tiny "bzImage" for ptvm (boot protocol 2.12, 64-bit entry)
 * that is no Linux: it alternates type-1 config reads of the host bridge
 * (00:00.0, expects 1b36:0008) and of an absent slot (00:1f.0, expects
 * all-ones) ITER times, so that an address-port write lost or replayed out
 * of order shows as a wrong value; then prints "K" on COM1 and resets
 * through 0xcf9 followed by a read of port 0x64 (queued reset register,
 * then an exit). A wrong value prints "F" and halts. tests/e2e/ringloop.t
 * runs it under --reboot many times in a row.
 *
 *   as --64 -o cfgloop.o cfgloop.S && objcopy -O binary cfgloop.o cfgloop.img
 */
	.equ ITER, 2000

	.text
	.code16
	.org 0x1f1
	.byte 1				/* setup_sects: 2 sectors of setup */
	.org 0x1fe
	.word 0xaa55			/* boot_flag */
	.org 0x202
	.ascii "HdrS"
	.word 0x020c			/* version 2.12 */
	.org 0x211
	.byte 1				/* loadflags: LOADED_HIGH */
	.org 0x22c
	.long 0x7fffffff		/* initrd_addr_max */
	.long 0x200000			/* kernel_alignment */
	.org 0x236
	.word 1				/* xloadflags: XLF_KERNEL_64 */
	.long 2048			/* cmdline_size */
	.org 0x260
	.long 0x10000			/* init_size */
	.org 0x400			/* end of setup: the kernel */

	.org 0x600			/* startup_64: kernel + 0x200 */
	.code64
start:
	mov $ITER, %ebx
1:	mov $0x80000000, %eax		/* 00:00.0, offset 0 */
	mov $0xcf8, %dx
	out %eax, %dx
	mov $0xcfc, %dx
	in %dx, %eax
	cmp $0x00081b36, %eax
	jne fail
	mov $0x8000f800, %eax		/* 00:1f.0, absent */
	mov $0xcf8, %dx
	out %eax, %dx
	mov $0xcfc, %dx
	in %dx, %eax
	cmp $0xffffffff, %eax
	jne fail
	dec %ebx
	jnz 1b
	mov $0x3f8, %dx
	mov $'K', %al
	out %al, %dx
	mov $'\n', %al
	out %al, %dx
	mov $0xcf9, %dx			/* reset: CPU reset + system reset */
	mov $6, %al
	out %al, %dx
	in $0x64, %al
	jmp halt
fail:
	mov $0x3f8, %dx
	mov $'F', %al
	out %al, %dx
	mov $'\n', %al
	out %al, %dx
halt:
	hlt
	jmp halt
	.org 0x800
