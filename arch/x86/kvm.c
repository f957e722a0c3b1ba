/* SPDX-License-Identifier: MIT */
/*
 * x86's VM (arch.h): the in-kernel PIC, IOAPIC and PIT, KVM's coalesced
 * ring for the configuration address port, the legacy GSI routes, the
 * CPUID KVM supports, the PCI windows, and the ACPI power button.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "arch/x86/vm.h"
#include "arch/x86/layout.h"
#include "fmt.h"
#include "kvm.h"
#include "irq/kvm.h"
#include "vmm.h"

_Static_assert(LAYOUT_ECAM_SIZE == PCI_HOST_ECAM_SIZE,
	       "the host bridge decodes bus 0 alone");

const struct mem_map arch_mem_map = LAYOUT_MEM_MAP;

static void pm_sci(void *opaque, int level)
{
	struct vm *vm = opaque;

	irq_kvm_line(vm->vm_fd, LAYOUT_ACPI_SCI_IRQ, level);
}

static const struct pm_ops vm_pm_ops = { .sci = pm_sci };

void arch_uart_irq(struct vm *vm, int level)
{
	irq_kvm_line(vm->vm_fd, LAYOUT_UART_IRQ, level);
}

const char arch_button[] = "its ACPI power button (no ACPI button driver?)";

int arch_power_press(struct vm *vm)
{
	return pm_press_power(&vm->arch->pm);
}

int arch_poll_ms(struct vm *vm)
{
	(void)vm;
	return -1;
}

/* KVM_GET_SUPPORTED_CPUID, growing the table until it fits. */
static int cpuid_get(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	int nent = 128;

	for (;;) {
		a->cpuid =
			calloc(1, sizeof(*a->cpuid) +
					  nent * sizeof(a->cpuid->entries[0]));
		if (!a->cpuid)
			return fmt_fail("out of memory");
		a->cpuid->nent = nent;
		if (!ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, a->cpuid))
			return 0;
		free(a->cpuid);
		a->cpuid = NULL;
		if (errno != E2BIG || nent > 4096)
			return fmt_fail("/dev/kvm: KVM_GET_SUPPORTED_CPUID: %s",
					strerror(errno));
		nent *= 2;
	}
}

/*
 * What no BAR may cover besides guest RAM: ECAM and the APICs. A BAR
 * there traps (the platform keeps decoding what it owns) and is never
 * mapped for DMA.
 */
int arch_reserve(struct vm *vm)
{
	int ret = pci_p2p_reserve(&vm->p2p, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE);

	if (!ret)
		ret = pci_p2p_reserve(&vm->p2p, LAYOUT_IOAPIC,
				      LAYOUT_4G - LAYOUT_IOAPIC);
	return ret;
}

int arch_vm_create(struct vm *vm)
{
	uint64_t idmap = 0xfffbc000;
	struct kvm_pit_config pit = { .flags = 0 };

	vm->arch = calloc(1, sizeof(*vm->arch));
	if (!vm->arch)
		return fmt_fail("out of memory");
	pm_init(&vm->arch->pm, &vm_pm_ops, vm);
	/* Intel needs these two pages somewhere the guest does not use. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fmt_fail("/dev/kvm: in-kernel irqchip: %s",
				strerror(errno));
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return fmt_fail("/dev/kvm: in-kernel PIT: %s", strerror(errno));
	/*
	 * Linux writes the configuration address port before every type-1
	 * config access: let KVM queue those writes instead of exiting. The
	 * data port still exits, and the loop replays the queue first, so
	 * the device model sees the accesses in order. The zone covers
	 * 0xcf8-0xcfb whole (a 32-bit write must fit in one zone), so the
	 * byte-wide reset register at 0xcf9 is queued too: it takes effect at
	 * the guest's next exit (Linux's reboot goes on to the keyboard
	 * controller's port, which exits).
	 */
	vm->coalesced_page =
		ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (vm->coalesced_page > 0 &&
	    ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) > 0) {
		struct kvm_coalesced_mmio_zone z = { .addr = PCI_HOST_PIO_BASE,
						     .size = 4,
						     .pio = 1 };

		if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0)
			vm->coalesced_page = 0;
	} else {
		vm->coalesced_page = 0;
	}
	irq_routes_init(&vm->routes);
	arch_irq_routes(&vm->routes);
	if (irq_kvm_commit(vm->vm_fd, &vm->routes))
		return fmt_fail("/dev/kvm: GSI routing: %s", strerror(errno));
	pci_window_init(&vm->mmio32_window, LAYOUT_MMIO32_BASE,
			LAYOUT_MMIO32_SIZE);
	pci_window_init(&vm->pio_window, LAYOUT_PIO_PCI_BASE,
			LAYOUT_PIO_PCI_SIZE);
	vm->mmio64_size = LAYOUT_MMIO64_SIZE;
	return cpuid_get(vm);
}

int arch_vm_ready(struct vm *vm)
{
	(void)vm;
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	vm_coalesced_unmap(vm);
	if (vm->arch)
		free(vm->arch->cpuid);
	free(vm->arch);
	vm->arch = NULL;
}
