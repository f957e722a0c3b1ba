/* SPDX-License-Identifier: MIT */
/*
 * arm64's VM (arch.h): the in-kernel GICv3 with its ITS, the GSI routes
 * of its SPIs, the PCI windows, and the power button on a PL061 GPIO line
 * (gpio-keys in the device tree).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "arch/arm64/fdt.h"
#include "arch/arm64/vm.h"
#include "clock.h"
#include "fmt.h"
#include "irq/kvm.h"
#include "vmm.h"

_Static_assert(LAYOUT_ECAM_SIZE == PCI_HOST_ECAM_SIZE,
	       "the host bridge decodes bus 0 alone");

const struct mem_map arch_mem_map = {
	.ram_base = LAYOUT_RAM_BASE,
	.low_end = LAYOUT_RAM_BASE + (1ULL << 39), /* one range */
	.high_base = LAYOUT_RAM_BASE + (1ULL << 39),
	.mmio64_min = 0,
	.mmio64_align = LAYOUT_MMIO64_ALIGN,
};

/*
 * How long the power button stays down at most: gpio_keys reads the
 * line 5 ms after its interrupt (debounce), and the press is lost if the
 * line is low again by then. It goes up as soon as the guest has read it
 * down (pl061_power_seen); this bounds a guest that never does.
 */
#define POWER_HOLD_NS 2000000000ULL

/* KVM_IRQ_LINE's encoding of SPI spi (arch/arm64/include/uapi/asm/kvm.h). */
static int spi_line(struct vm *vm, unsigned int spi, int level)
{
	return irq_kvm_line(vm->vm_fd,
			    KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT |
				    (32 + spi),
			    level);
}

void arch_uart_irq(struct vm *vm, int level)
{
	spi_line(vm, LAYOUT_SPI_UART, level);
}

static void gpio_irq(void *opaque, int level)
{
	spi_line(opaque, LAYOUT_SPI_GPIO, level);
}

static const struct pl061_ops gpio_ops = { .irq = gpio_irq };

const char arch_button[] =
	"its power button, gpio-keys on the PL061 (no gpio_keys driver?)";

int arch_power_press(struct vm *vm)
{
	struct arch_vm *a = vm->arch;

	if (!pl061_press_power(&a->gpio))
		return 0;
	a->power_release_ns = clock_ns() + POWER_HOLD_NS;
	return 1;
}

int arch_poll_ms(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	uint64_t now;

	if (!a->power_release_ns)
		return -1;
	now = clock_ns();
	if (now < a->power_release_ns && !pl061_power_seen(&a->gpio))
		return (int)((a->power_release_ns - now + 999999) / 1000000);
	pl061_release_power(&a->gpio);
	a->power_release_ns = 0;
	return -1;
}

static int dev_attr(int fd, uint32_t group, uint64_t attr, const void *val)
{
	struct kvm_device_attr a = { .group = group,
				     .attr = attr,
				     .addr = (uint64_t)(uintptr_t)val };

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

static int dev_create(struct vm *vm, uint32_t type)
{
	struct kvm_create_device cd = { .type = type };

	return ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0 ? -errno
							    : (int)cd.fd;
}

/*
 * The GICv3 (Documentation/virt/kvm/devices/arm-vgic-v3.rst): its
 * distributor and redistributors where the device tree says, SPIs enough
 * for the platform's lines; and its ITS, so that MSIs carry a device ID.
 * Both are initialized once the vCPUs exist (arch_vm_ready).
 */
static int gic_create(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	uint64_t dist = LAYOUT_GICD, redist = LAYOUT_GICR, its = LAYOUT_GITS;
	uint32_t nr_irqs = 32 + LAYOUT_NR_SPIS;
	int ret;

	a->gic_fd = dev_create(vm, KVM_DEV_TYPE_ARM_VGIC_V3);
	if (a->gic_fd < 0)
		return fmt_fail(
			"/dev/kvm: no in-kernel GICv3: %s (ptvm needs a host with a GICv3)",
			strerror(-a->gic_fd));
	ret = dev_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	if (!ret)
		ret = dev_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	if (!ret)
		ret = dev_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0,
			       &nr_irqs);
	if (ret)
		return fmt_fail("/dev/kvm: GICv3 setup: %s", strerror(-ret));
	a->its_fd = dev_create(vm, KVM_DEV_TYPE_ARM_VGIC_ITS);
	if (a->its_fd < 0)
		return fmt_fail(
			"/dev/kvm: no in-kernel GICv3 ITS: %s (MSIs need it)",
			strerror(-a->its_fd));
	ret = dev_attr(a->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       KVM_VGIC_ITS_ADDR_TYPE, &its);
	if (ret)
		return fmt_fail("/dev/kvm: GICv3 ITS setup: %s",
				strerror(-ret));
	return 0;
}

int arch_vm_create(struct vm *vm)
{
	int ret;

	vm->arch = calloc(1, sizeof(*vm->arch));
	if (!vm->arch)
		return fmt_fail("out of memory");
	vm->arch->gic_fd = vm->arch->its_fd = -1;
	pl061_init(&vm->arch->gpio, &gpio_ops, vm);
	ret = gic_create(vm);
	if (ret)
		return ret;
	/*
	 * MMIO the guest reaches with an instruction KVM cannot decode exits
	 * to ptvm (arch_vcpu_exit), which answers with an external abort,
	 * instead of failing KVM_RUN; older hosts keep failing it.
	 */
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION,
		  KVM_CAP_ARM_INJECT_EXT_DABT) > 0) {
		struct kvm_enable_cap c = { .cap = KVM_CAP_ARM_NISV_TO_USER };

		ioctl(vm->vm_fd, KVM_ENABLE_CAP, &c);
	}
	pci_window_init(&vm->mmio32_window, LAYOUT_MMIO32_BASE,
			LAYOUT_MMIO32_SIZE);
	pci_window_init(&vm->pio_window, LAYOUT_PIO_PCI_BASE,
			LAYOUT_PIO_PCI_SIZE);
	vm->mmio64_size = LAYOUT_MMIO64_SIZE;
	return 0;
}

/* The platform's MMIO below the 32-bit window, ECAM and the I/O window. */
int arch_reserve(struct vm *vm)
{
	int ret = pci_p2p_reserve(&vm->p2p, 0, LAYOUT_MMIO32_BASE);

	if (!ret)
		ret = pci_p2p_reserve(&vm->p2p, LAYOUT_PIO_MMIO,
				      LAYOUT_RAM_BASE - LAYOUT_PIO_MMIO);
	return ret;
}

#define MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)

/*
 * The device tree (arch/arm64/fdt.h), where arch_load left room for it:
 * written now, since each cpu node's reg is that vCPU's MPIDR, which KVM
 * chose when it made the vCPU.
 */
static int fdt_write(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	struct arm64_fdt_config c = {
		.ncpus = vm->ncpus,
		.ram_base = vm->mem.range[0].gpa,
		.ram_size = vm->mem.range[0].size,
		.cmdline = vm->opts->cmdline,
		.initrd_start = a->initrd,
		.initrd_end = a->initrd + a->initrd_size,
		.mmio32_base = LAYOUT_MMIO32_BASE,
		.mmio32_size = LAYOUT_MMIO32_SIZE,
		.mmio64_base = mem_top_aligned(&vm->mem),
		.mmio64_size = vm->mmio64_size,
		.pio_base = LAYOUT_PIO_MMIO,
		.pio_size = LAYOUT_PIO_SIZE,
	};
	void *dst = mem_gpa(&vm->mem, a->fdt, LAYOUT_FDT_MAX);
	unsigned int i;
	int n;

	for (i = 0; i < vm->ncpus; i++) {
		struct kvm_one_reg r = {
			.id = MPIDR_EL1,
			.addr = (uint64_t)(uintptr_t)&c.mpidr[i]
		};

		if (ioctl(vm->vcpu[i].fd, KVM_GET_ONE_REG, &r) < 0)
			return fmt_fail("vcpu %u: MPIDR_EL1: %s", i,
					strerror(errno));
	}
	n = dst ? arm64_fdt_build(dst, LAYOUT_FDT_MAX, &c) : -EFAULT;
	if (n < 0)
		return fmt_fail("the device tree does not fit in %llu KiB: %s",
				LAYOUT_FDT_MAX >> 10, strerror(-n));
	return 0;
}

int arch_vm_ready(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	int ret;

	ret = dev_attr(a->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
		       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (!ret)
		ret = dev_attr(a->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
			       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		return fmt_fail("/dev/kvm: GICv3 init: %s", strerror(-ret));
	/* It reads 0 until the ITS exists. */
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID) <= 0)
		return fmt_fail(
			"/dev/kvm: the ITS takes no device IDs (KVM_CAP_MSI_DEVID)");
	irq_routes_init(&vm->routes);
	vm->routes.msi_devid = 1;
	arch_irq_routes(&vm->routes);
	if (irq_kvm_commit(vm->vm_fd, &vm->routes))
		return fmt_fail("/dev/kvm: GSI routing: %s", strerror(errno));
	return fdt_write(vm);
}

void arch_vm_destroy(struct vm *vm)
{
	struct arch_vm *a = vm->arch;

	if (!a)
		return;
	if (a->its_fd >= 0)
		close(a->its_fd);
	if (a->gic_fd >= 0)
		close(a->gic_fd);
	free(a);
	vm->arch = NULL;
}
