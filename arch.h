/* SPDX-License-Identifier: MIT */
/*
 * The seam between ptvm's shared code and what differs between x86 and
 * arm64. Each arch implements all of it, one file per concern, and keeps
 * its own state behind struct arch_vm; nothing outside arch/ and boot/
 * knows which arch it runs on.
 *
 *   arch/<arch>/kvm.c      the VM's interrupt controller, platform devices
 *                          and GSI routes; the PCI windows; the power button
 *   arch/<arch>/vcpu.c     a vCPU's first state, and its registers on a
 *                          fatal exit
 *   arch/<arch>/load.c     the kernel formats and the platform description
 *                          (ACPI tables or a device tree)
 *   arch/<arch>/io.c       the platform's own trapped accesses: the UART,
 *                          power and reset, the PCI configuration mechanisms
 *   arch/<arch>/irq.c      the fixed interrupt lines and their GSI routes
 *                          (pure)
 *   arch/<arch>/seccomp.c  the ABI's audit arch, system calls and ioctls
 *   arch/<arch>/layout.h   the guest-physical address map
 *
 * Setup calls them in this order: arch_vm_create, arch_load, arch_vcpu_init
 * per vCPU, arch_vm_ready; then the loop runs; arch_vm_destroy at teardown.
 * Each returns 0 or an exit code, reported in one line (fmt_fail).
 */
#ifndef PTVM_ARCH_H
#define PTVM_ARCH_H

#include <stdint.h>

struct vm;
struct vcpu;
struct vcpu_trap;
struct irq_routes;
struct mem_map;

/* The arch's RAM placement, for mem_layout() (memory.h). */
extern const struct mem_map arch_mem_map;

/*
 * After KVM_CREATE_VM: the in-kernel interrupt controller and platform
 * devices, the GSI routes, vm->arch, and the PCI windows
 * (vm->mmio32_window, pio_window, and the 64-bit window's size).
 */
int arch_vm_create(struct vm *vm);
/*
 * The guest ranges besides RAM that no BAR may cover (the platform's own
 * MMIO), each given to pci_p2p_reserve(&vm->p2p). 0 or -errno.
 */
int arch_reserve(struct vm *vm);
/* Kernel, initrd, command line and platform description into guest RAM. */
int arch_load(struct vm *vm);
/* vCPU v was just created: its first state; the BSP enters the kernel. */
int arch_vcpu_init(struct vcpu *v);
/* All vCPUs exist: what needs them (arm64: the GIC, the device tree). */
int arch_vm_ready(struct vm *vm);
void arch_vm_destroy(struct vm *vm);
/*
 * An exit reason only this arch has, on the vCPU's thread: 0 if it was
 * dealt with there (the vCPU goes on), -1 if it is fatal. No device state:
 * what needs the loop is a trap.
 */
int arch_vcpu_exit(struct vcpu *v);
/* The registers of a vCPU that stopped on a fatal exit, on stderr. */
void arch_vcpu_dump(struct vcpu *v, const char *why);

/*
 * Answers a trapped access (port or MMIO): the platform's own devices,
 * then the passthrough BARs (vm_devices_access); what nothing takes reads
 * all-ones and is counted.
 */
void arch_io(struct vm *vm, struct vcpu_trap *t);
/*
 * Accesses KVM queued instead of exiting (x86: writes to 0xcf8), replayed
 * before any trap is answered.
 */
void arch_io_drain(struct vm *vm);
/*
 * 1 if t is a config access that must wait: a write that lets a device
 * master the bus before guest RAM's DMA map is done, or any access to a
 * function in a reset the guest asked for.
 */
int arch_io_held(struct vm *vm, const struct vcpu_trap *t);

/* The UART's interrupt line. */
void arch_uart_irq(struct vm *vm, int level);
/*
 * Presses the power button: 1 if the guest listens to it, else 0.
 * arch_button names it for the line that says the guest does not.
 */
extern const char arch_button[];
int arch_power_press(struct vm *vm);
/*
 * The loop's timer for the arch's devices (a button released): does what
 * is due, returns ms until the next (-1: none).
 */
int arch_poll_ms(struct vm *vm);

/*
 * arch/<arch>/irq.c, pure: the routes of the arch's fixed lines
 * (irq_routes_add_pin), and the GSI that INTx pin (1 = INTA .. 4) of the
 * device in slot is wired to, as the platform description says.
 */
void arch_irq_routes(struct irq_routes *r);
unsigned int arch_intx_gsi(unsigned int slot, unsigned int pin);

/*
 * --help's head (arch/<arch>/load.c): the usage lines, the machine the
 * guest gets, and the kernel formats; opts_usage follows.
 */
extern const char arch_usage[];

/* seccomp: the ABI, and what only this arch's code calls. */
struct seccomp_arch {
	uint32_t audit_arch;
	const unsigned int *run_syscalls, *setup_syscalls;
	const unsigned int *run_ioctls, *setup_ioctls;
	unsigned int nrun_syscalls, nsetup_syscalls;
	unsigned int nrun_ioctls, nsetup_ioctls;
};
extern const struct seccomp_arch arch_seccomp;

#endif
