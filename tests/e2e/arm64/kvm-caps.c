/* SPDX-License-Identifier: MIT */
/*
 * kvm-caps: what an arm64 L1 (scripts/nested-arm64) offers a VMM, printed
 * as "KEY value" lines for tests/e2e/arm64-ref.t. Static (musl), built on
 * the host with aarch64-linux-musl-gcc; nothing of ptvm's.
 *
 *   kvm-caps [-n MMIO_EXITS] [BDF]
 *
 * KVM: the API version and the capabilities a passthrough VMM may use; a
 * VM (default IPA size) with one vCPU (the preferred target, PSCI 0.2), a
 * vGICv3 (distributor 0x08000000, redistributors 0x080a0000) and an ITS
 * (0x08080000), as QEMU's virt machine places them; the vCPU runs a few
 * instructions from RAM at 0x40000000: MMIO_EXITS (default 1000) stores
 * to 0x10000000, each a KVM_EXIT_MMIO, then PSCI SYSTEM_OFF through HVC
 * (KVM_EXIT_SYSTEM_EVENT). "mmio_exit_us" is the mean round trip.
 * VFIO (with a BDF bound to vfio-pci): the type1 IOMMU's page sizes, its
 * usable IOVA ranges (the SMMUv3's MSI window is a hole), how many DMA
 * mappings it allows; the device's regions and interrupts (INTx, MSI,
 * MSI-X counts); whether a DMA map at 0x40000000 works and one in the MSI
 * window is refused.
 * Exits 1 when a step that a VMM needs fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM_GPA 0x40000000ULL
#define RAM_SIZE 0x10000ULL
#define MMIO_GPA 0x10000000ULL
#define GICD_GPA 0x08000000ULL
#define GICR_GPA 0x080a0000ULL
#define ITS_GPA 0x08080000ULL

static int failed;

static void fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	failed = 1;
}

static const struct {
	const char *name;
	int cap;
} caps[] = {
	{ "KVM_CAP_ARM_VM_IPA_SIZE", KVM_CAP_ARM_VM_IPA_SIZE },
	{ "KVM_CAP_NR_VCPUS", KVM_CAP_NR_VCPUS },
	{ "KVM_CAP_MAX_VCPUS", KVM_CAP_MAX_VCPUS },
	{ "KVM_CAP_NR_MEMSLOTS", KVM_CAP_NR_MEMSLOTS },
	{ "KVM_CAP_USER_MEMORY", KVM_CAP_USER_MEMORY },
	{ "KVM_CAP_READONLY_MEM", KVM_CAP_READONLY_MEM },
	{ "KVM_CAP_SYNC_MMU", KVM_CAP_SYNC_MMU },
	{ "KVM_CAP_ONE_REG", KVM_CAP_ONE_REG },
	{ "KVM_CAP_DEVICE_CTRL", KVM_CAP_DEVICE_CTRL },
	{ "KVM_CAP_IRQCHIP", KVM_CAP_IRQCHIP },
	{ "KVM_CAP_IRQFD", KVM_CAP_IRQFD },
	{ "KVM_CAP_IRQFD_RESAMPLE", KVM_CAP_IRQFD_RESAMPLE },
	{ "KVM_CAP_IRQ_ROUTING", KVM_CAP_IRQ_ROUTING },
	{ "KVM_CAP_SIGNAL_MSI", KVM_CAP_SIGNAL_MSI },
	{ "KVM_CAP_MSI_DEVID", KVM_CAP_MSI_DEVID },
	{ "KVM_CAP_IOEVENTFD", KVM_CAP_IOEVENTFD },
	{ "KVM_CAP_COALESCED_MMIO", KVM_CAP_COALESCED_MMIO },
	{ "KVM_CAP_IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT },
	{ "KVM_CAP_ARM_PSCI", KVM_CAP_ARM_PSCI },
	{ "KVM_CAP_ARM_PSCI_0_2", KVM_CAP_ARM_PSCI_0_2 },
	{ "KVM_CAP_ARM_PMU_V3", KVM_CAP_ARM_PMU_V3 },
	{ "KVM_CAP_ARM_EL1_32BIT", KVM_CAP_ARM_EL1_32BIT },
	{ "KVM_CAP_ARM_SVE", KVM_CAP_ARM_SVE },
	{ "KVM_CAP_ARM_PTRAUTH_ADDRESS", KVM_CAP_ARM_PTRAUTH_ADDRESS },
	{ "KVM_CAP_ARM_PTRAUTH_GENERIC", KVM_CAP_ARM_PTRAUTH_GENERIC },
	{ "KVM_CAP_ARM_MTE", KVM_CAP_ARM_MTE },
	{ "KVM_CAP_ARM_USER_IRQ", KVM_CAP_ARM_USER_IRQ },
	{ "KVM_CAP_ARM_NISV_TO_USER", KVM_CAP_ARM_NISV_TO_USER },
	{ "KVM_CAP_ARM_INJECT_SERROR_ESR", KVM_CAP_ARM_INJECT_SERROR_ESR },
	{ "KVM_CAP_ARM_SYSTEM_SUSPEND", KVM_CAP_ARM_SYSTEM_SUSPEND },
	{ "KVM_CAP_VCPU_ATTRIBUTES", KVM_CAP_VCPU_ATTRIBUTES },
};

/* x0 counts, x1 = MMIO_GPA, x2 = the number of stores (set by ONE_REG) */
static const uint32_t guest_code[] = {
	0xd2800000, /* mov x0, #0 */
	0xd2a20001, /* mov x1, #0x10000000 */
	0xb9000020, /* 1: str w0, [x1] */
	0x91000400, /* add x0, x0, #1 */
	0xeb02001f, /* cmp x0, x2 */
	0x54ffffa1, /* b.ne 1b */
	0xd2800100, /* mov x0, #0x8 */
	0xf2b08000, /* movk x0, #0x8400, lsl #16: PSCI SYSTEM_OFF */
	0xd4000002, /* hvc #0 */
	0x14000000, /* b . */
};

static uint64_t core_reg(size_t off)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       (off / sizeof(uint32_t));
}

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

static int dev_attr(int fd, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = { .group = group,
				     .attr = attr,
				     .addr = (uintptr_t)val };
	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static int create_dev(int vm, uint32_t type)
{
	struct kvm_create_device d = { .type = type };
	if (ioctl(vm, KVM_CREATE_DEVICE, &d) < 0)
		return -1;
	return d.fd;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void kvm(long exits)
{
	int kvm_fd, vm, vcpu, gic, its, sz;
	unsigned i;
	struct kvm_vcpu_init init;
	struct kvm_run *run;
	void *ram;
	long n = 0;
	double t;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return fail("open /dev/kvm");
	printf("KVM_GET_API_VERSION %d\n", ioctl(kvm_fd, KVM_GET_API_VERSION));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("%s %d\n", caps[i].name,
		       ioctl(kvm_fd, KVM_CHECK_EXTENSION, caps[i].cap));
	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(ram, guest_code, sizeof(guest_code));
	struct kvm_userspace_memory_region mr = {
		.slot = 0,
		.guest_phys_addr = RAM_GPA,
		.memory_size = RAM_SIZE,
		.userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return fail("KVM_ARM_PREFERRED_TARGET");
	printf("KVM_ARM_PREFERRED_TARGET %u\n", init.target);
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		return fail("KVM_ARM_VCPU_INIT");

	gic = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V3);
	printf("VGIC_V3 %s\n", gic < 0 ? strerror(errno) : "ok");
	if (gic < 0)
		return fail("KVM_CREATE_DEVICE vgic-v3");
	uint64_t a = GICD_GPA;
	if (dev_attr(gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
		     &a) < 0)
		return fail("vgic-v3 distributor address");
	a = GICR_GPA;
	if (dev_attr(gic, KVM_DEV_ARM_VGIC_GRP_ADDR,
		     KVM_VGIC_V3_ADDR_TYPE_REDIST, &a) < 0)
		return fail("vgic-v3 redistributor address");
	if (dev_attr(gic, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
		     NULL) < 0)
		return fail("vgic-v3 init");
	its = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_ITS);
	printf("VGIC_ITS %s\n", its < 0 ? strerror(errno) : "ok");
	if (its >= 0) {
		a = ITS_GPA;
		if (dev_attr(its, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_ITS_ADDR_TYPE, &a) < 0 ||
		    dev_attr(its, KVM_DEV_ARM_VGIC_GRP_CTRL,
			     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) < 0)
			fail("vgic-its address and init");
	} else {
		fail("KVM_CREATE_DEVICE vgic-its");
	}
	/* asked of the VM: MSIs carry a device ID once there is an ITS */
	printf("KVM_CAP_MSI_DEVID(vm) %d\n",
	       ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID));

	if (set_reg(vcpu, core_reg(offsetof(struct kvm_regs, regs.pc)),
		    RAM_GPA) < 0 ||
	    set_reg(vcpu, core_reg(offsetof(struct kvm_regs, regs.regs[2])),
		    exits) < 0)
		return fail("KVM_SET_ONE_REG");
	sz = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");
	t = now();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return fail("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == MMIO_GPA && run->mmio.is_write) {
			n++;
			continue;
		}
		break;
	}
	t = now() - t;
	printf("guest_exit %u", run->exit_reason);
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		printf(" system_event %u", run->system_event.type);
	printf("\nmmio_exits %ld\nmmio_exit_us %.1f\n", n,
	       n ? t * 1e6 / n : 0.0);
	if (n != exits || run->exit_reason != KVM_EXIT_SYSTEM_EVENT ||
	    run->system_event.type != KVM_SYSTEM_EVENT_SHUTDOWN) {
		errno = EPROTO;
		fail("the guest's MMIO stores and PSCI SYSTEM_OFF");
	} else {
		printf("GUEST_OK\n");
	}
}

static void vfio(const char *bdf)
{
	char path[256], link[256];
	int container, group, dev, i;
	ssize_t len;
	static uint8_t buf[4096];
	struct vfio_iommu_type1_info *info = (void *)buf;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return fail("the device's iommu_group");
	link[len] = 0;
	printf("vfio_group %s\n", strrchr(link, '/') + 1);
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		return fail("open /dev/vfio/vfio");
	printf("VFIO_GET_API_VERSION %d\nVFIO_TYPE1v2_IOMMU %d\n",
	       ioctl(container, VFIO_GET_API_VERSION),
	       ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return fail("open the vfio group");
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	ioctl(group, VFIO_GROUP_GET_STATUS, &gs);
	printf("vfio_group_viable %d\n",
	       !!(gs.flags & VFIO_GROUP_FLAGS_VIABLE));
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		return fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		return fail("VFIO_SET_IOMMU");
	info->argsz = sizeof(buf);
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info) < 0)
		return fail("VFIO_IOMMU_GET_INFO");
	printf("iova_pgsizes 0x%llx\n", (unsigned long long)info->iova_pgsizes);
	uint32_t off = 0;
	if (info->flags & VFIO_IOMMU_INFO_CAPS)
		off = info->cap_offset;
	while (off && off < sizeof(buf)) {
		struct vfio_info_cap_header *h = (void *)(buf + off);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r =
				(void *)h;
			for (uint32_t j = 0; j < r->nr_iovas; j++)
				printf("iova_range 0x%llx-0x%llx\n",
				       (unsigned long long)r->iova_ranges[j]
					       .start,
				       (unsigned long long)r->iova_ranges[j]
					       .end);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			printf("dma_avail %u\n",
			       ((struct vfio_iommu_type1_info_dma_avail *)h)
				       ->avail);
		}
		off = h->next;
	}
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		return fail("VFIO_GROUP_GET_DEVICE_FD");
	struct vfio_device_info di = { .argsz = sizeof(di) };
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &di) < 0)
		return fail("VFIO_DEVICE_GET_INFO");
	printf("device_flags 0x%x regions %u irqs %u\n", di.flags,
	       di.num_regions, di.num_irqs);
	for (i = 0;
	     i < (int)di.num_regions && i <= VFIO_PCI_CONFIG_REGION_INDEX;
	     i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri),
					       .index = i };
		if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0 &&
		    ri.size)
			printf("region %d size 0x%llx flags 0x%x\n", i,
			       (unsigned long long)ri.size, ri.flags);
	}
	static const char *const irq_names[] = { "intx", "msi", "msix" };
	for (i = 0; i < 3 && i < (int)di.num_irqs; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };
		if (ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &ii) == 0)
			printf("irq_%s %u\n", irq_names[i], ii.count);
	}
	/* DMA maps: guest RAM where QEMU's virt has it, and the MSI window */
	void *mem = mmap(NULL, 0x200000, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)mem,
		.iova = RAM_GPA,
		.size = 0x200000,
	};
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0)
		fail("VFIO_IOMMU_MAP_DMA at 0x40000000");
	else
		printf("map_dma_0x40000000 ok\n");
	map.iova = 0x8000000;
	map.size = 0x100000;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0)
		printf("map_dma_msi_window refused (%s)\n", strerror(errno));
	else
		printf("map_dma_msi_window accepted\n");
	close(dev);
	close(group);
	close(container);
}

int main(int argc, char **argv)
{
	long exits = 1000;
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		exits = atol(argv[2]);
		i = 3;
	}
	kvm(exits);
	if (i < argc)
		vfio(argv[i]);
	return failed;
}
