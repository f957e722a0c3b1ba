/* SPDX-License-Identifier: MIT */
/*
 * arm64's trapped accesses (arch.h), answered in the loop. All are MMIO:
 * the 16550 UART, the PL061 GPIO block with the power button, ECAM, and
 * the PCI I/O window, whose accesses go to the I/O BARs as ports; then
 * the passthrough BARs. Anything else reads all-ones and is counted.
 */
#include <string.h>

#include "arch.h"
#include "arch/arm64/layout.h"
#include "arch/arm64/vm.h"
#include "vfio/devices.h"
#include "vmm.h"

static int in_range(uint64_t a, unsigned int len, uint64_t base, uint64_t size)
{
	return a >= base && a - base < size && len <= size - (a - base);
}

void arch_io_drain(struct vm *vm)
{
	(void)vm;
}

int arch_io_held(struct vm *vm, const struct vcpu_trap *t)
{
	uint32_t val = 0;

	if (t->len > 4 || t->kind != TRAP_MMIO ||
	    !in_range(t->addr, t->len, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE))
		return 0;
	memcpy(&val, t->data, t->len);
	return pci_host_ecam_held(&vm->pci, t->addr - LAYOUT_ECAM_BASE, t->len,
				  t->write, val);
}

/* The platform's own registers at a; 1 if a was one of them. */
static int mmio_builtin(struct vm *vm, uint64_t a, unsigned int len, int write,
			uint32_t *val)
{
	struct arch_vm *av = vm->arch;
	struct vm_stats *st = &vm->stats;

	if (in_range(a, len, LAYOUT_UART, 8)) {
		st->mmio_uart++;
		if (len != 1)
			*val = write ? *val : 0xff;
		else if (write)
			uart_write(&vm->uart, a - LAYOUT_UART, (uint8_t)*val);
		else
			*val = uart_read(&vm->uart, a - LAYOUT_UART);
		return 1;
	}
	if (in_range(a, len, LAYOUT_GPIO, LAYOUT_GPIO_SIZE)) {
		unsigned int off = a - LAYOUT_GPIO;

		st->mmio_power++;
		if (write)
			pl061_write(&av->gpio, off, len, *val);
		else
			pl061_read(&av->gpio, off, len, val);
		return 1;
	}
	if (in_range(a, len, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE)) {
		st->mmio_ecam++;
		if (write)
			pci_host_ecam_write(&vm->pci, a - LAYOUT_ECAM_BASE, len,
					    *val);
		else
			*val = pci_host_ecam_read(&vm->pci,
						  a - LAYOUT_ECAM_BASE, len);
		return 1;
	}
	return 0;
}

void arch_io(struct vm *vm, struct vcpu_trap *t)
{
	uint64_t a = t->addr;
	uint32_t val = 0;

	vm->stats.mmio++;
	if (t->len <= 4) {
		if (t->write)
			memcpy(&val, t->data, t->len);
		if (mmio_builtin(vm, a, t->len, t->write, &val)) {
			if (!t->write)
				memcpy(t->data, &val, t->len);
			return;
		}
	}
	if (in_range(a, t->len, LAYOUT_PIO_MMIO, LAYOUT_PIO_SIZE)) {
		/* the I/O window: port a - LAYOUT_PIO_MMIO of an I/O BAR */
		vm->stats.pio++;
		if (t->len <= 4 &&
		    vm_devices_access(vm, 1, a - LAYOUT_PIO_MMIO, t->len,
				      t->write, t->data)) {
			vm->stats.pio_dev++;
			return;
		}
		vm->stats.pio_unhandled++;
	} else if (vm_devices_access(vm, 0, a, t->len, t->write, t->data)) {
		vm->stats.mmio_dev++;
		return;
	} else {
		vm->stats.mmio_unhandled++;
	}
	if (!t->write)
		memset(t->data, 0xff, t->len);
}
