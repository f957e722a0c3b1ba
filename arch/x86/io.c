/* SPDX-License-Identifier: MIT */
/*
 * x86's trapped port and MMIO accesses (arch.h), answered in the loop: the
 * UART, the PCI configuration mechanisms, the ACPI PM1 registers (pm.c) and
 * the reset ports, then the passthrough BARs. Anything else reads all-ones
 * and is counted.
 */
#include <string.h>

#include "arch/x86/layout.h"
#include "clock.h"
#include "arch.h"
#include "arch/x86/vm.h"
#include "vfio/devices.h"
#include "vfio/pci.h"
#include "vmm.h"

#define I8042_STATUS 0x64
#define I8042_PULSE_RESET 0xfe
#define PORT_POST 0x80 /* an I/O delay for Linux */
#define CF9_RST_CPU 0x04

static int in_range(uint64_t a, unsigned int len, uint64_t base, uint64_t size)
{
	return a >= base && a - base < size && len <= size - (a - base);
}

static uint32_t all_ones(unsigned int len)
{
	return len < 4 ? (1u << (8 * len)) - 1 : 0xffffffffu;
}

/* Ports ptvm itself emulates; 1 if port was one of them. */
static int pio_builtin(struct vm *vm, unsigned int port, unsigned int len,
		       int write, uint32_t *val)
{
	struct vm_stats *st = &vm->stats;

	if (in_range(port, len, LAYOUT_PIO_UART, 8) && len == 1) {
		st->pio_uart++;
		if (write)
			uart_write(&vm->uart, port - LAYOUT_PIO_UART,
				   (uint8_t)*val);
		else
			*val = uart_read(&vm->uart, port - LAYOUT_PIO_UART);
		return 1;
	}
	/*
	 * Byte-wide 0xcf9 is the reset control register (the FADT's reset
	 * register), not a configuration-mechanism port.
	 */
	if (port == LAYOUT_PIO_RESET && len == 1) {
		if (write && (*val & CF9_RST_CPU))
			vm->exit_code = EXIT_REBOOT;
		*val = write ? *val : 0;
		return 1;
	}
	if (in_range(port, len, PCI_HOST_PIO_BASE, PCI_HOST_PIO_SIZE)) {
		st->pio_pci_cfg++;
		if (write)
			pci_host_pio_write(&vm->pci, port, len, *val);
		else
			*val = pci_host_pio_read(&vm->pci, port, len);
		return 1;
	}
	if (in_range(port, len, LAYOUT_PIO_ACPI_PM1_EVT, 6)) {
		unsigned int off = port - LAYOUT_PIO_ACPI_PM1_EVT;
		enum pm_event ev;

		st->pio_acpi++;
		if (!write) {
			pm_read(&vm->arch->pm, off, len, val);
		} else if (!pm_write(&vm->arch->pm, off, len, *val, &ev) &&
			   ev == PM_POWEROFF) {
			vm->exit_code = EXIT_POWEROFF;
			vm->stats.t_poweroff = clock_ns();
		}
		return 1;
	}
	if (port == I8042_STATUS && len == 1) {
		/* Only the reset pulse exists; the status says "ready" for it. */
		if (write && (*val & 0xff) == I8042_PULSE_RESET)
			vm->exit_code = EXIT_REBOOT;
		*val = 0;
		return 1;
	}
	if (port == PORT_POST) {
		*val = all_ones(len);
		return 1;
	}
	return 0;
}

static void io_coalesced_one(void *opaque, const struct kvm_coalesced_mmio *e)
{
	struct vm *vm = opaque;
	uint32_t val = 0;

	/* Only what the zone covers can be here: 0xcf8-0xcfb, 1 to 4 bytes. */
	if (!e->pio || e->len < 1 || e->len > 4)
		return;
	memcpy(&val, e->data, e->len);
	if (e->phys_addr == LAYOUT_PIO_RESET && e->len == 1)
		pio_builtin(vm, LAYOUT_PIO_RESET, 1, 1, &val);
	else if (in_range(e->phys_addr, e->len, PCI_HOST_PIO_BASE,
			  PCI_HOST_PIO_SIZE))
		pci_host_pio_write(&vm->pci, (unsigned int)e->phys_addr, e->len,
				   val);
}

void arch_io_drain(struct vm *vm)
{
	coalesced_drain(&vm->coalesced, io_coalesced_one, vm);
}

int arch_io_held(struct vm *vm, const struct vcpu_trap *t)
{
	uint32_t val = 0;
	unsigned int i;

	if (t->len > 4)
		return 0;
	if (t->kind == TRAP_MMIO) {
		memcpy(&val, t->data, t->len);
		return in_range(t->addr, t->len, LAYOUT_ECAM_BASE,
				LAYOUT_ECAM_SIZE) &&
		       pci_host_ecam_held(&vm->pci, t->addr - LAYOUT_ECAM_BASE,
					  t->len, t->write, val);
	}
	if (t->kind != TRAP_PIO ||
	    !in_range(t->addr, t->len, PCI_HOST_PIO_BASE, PCI_HOST_PIO_SIZE))
		return 0;
	/* string PIO: held whole if any of its elements would be */
	for (i = 0; i < t->count; i++) {
		memcpy(&val, t->data + i * t->len, t->len);
		if (pci_host_pio_held(&vm->pci, (unsigned int)t->addr, t->len,
				      t->write, val))
			return 1;
	}
	return 0;
}

static void io_pio(struct vm *vm, struct vcpu_trap *t)
{
	unsigned int i, port = (unsigned int)t->addr, len = t->len;

	vm->stats.pio++;
	for (i = 0; i < t->count; i++) {
		uint8_t *p = t->data + i * len;
		uint32_t val = 0;

		if (len > 4)
			return;
		if (t->write)
			memcpy(&val, p, len);
		if (pio_builtin(vm, port, len, t->write, &val)) {
			/* answered */
		} else if (vm_devices_access(vm, 1, port, len, t->write,
					     (uint8_t *)&val)) {
			vm->stats.pio_dev++;
		} else {
			vm->stats.pio_unhandled++;
			val = all_ones(len);
		}
		if (!t->write)
			memcpy(p, &val, len);
	}
}

static void io_mmio(struct vm *vm, struct vcpu_trap *t)
{
	uint64_t a = t->addr;
	uint32_t val = 0;

	vm->stats.mmio++;
	if (in_range(a, t->len, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE) &&
	    t->len <= 4) {
		vm->stats.mmio_ecam++;
		if (t->write) {
			memcpy(&val, t->data, t->len);
			pci_host_ecam_write(&vm->pci, a - LAYOUT_ECAM_BASE,
					    t->len, val);
		} else {
			val = pci_host_ecam_read(&vm->pci, a - LAYOUT_ECAM_BASE,
						 t->len);
			memcpy(t->data, &val, t->len);
		}
		return;
	}
	if (vm_devices_access(vm, 0, a, t->len, t->write, t->data)) {
		vm->stats.mmio_dev++;
		return;
	}
	vm->stats.mmio_unhandled++;
	if (!t->write)
		memset(t->data, 0xff, t->len);
}

void arch_io(struct vm *vm, struct vcpu_trap *t)
{
	if (t->kind == TRAP_PIO)
		io_pio(vm, t);
	else
		io_mmio(vm, t);
}
