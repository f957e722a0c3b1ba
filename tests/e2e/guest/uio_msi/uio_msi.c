// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * uio_msi: a UIO driver for one PCI function with one MSI vector, for
 * kernels without CONFIG_VFIO_NOIOMMU (Debian's). It binds only by
 * driver_override or new_id; BAR 0 is UIO map 0, and reading /dev/uioN
 * waits for the next MSI, as uio_pci_generic does for INTx. MSI is edge
 * and not shared: the handler has nothing to mask or acknowledge.
 *
 *   echo uio_msi > /sys/bus/pci/devices/BDF/driver_override
 *   echo BDF > /sys/bus/pci/drivers_probe
 */
#include <linux/bitops.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uio_driver.h>

#define DRV_NAME "uio_msi"

struct uio_msi {
	struct uio_info info;
	unsigned long masked; /* bit 0: the vector is disabled */
};

static irqreturn_t uio_msi_handler(int irq, struct uio_info *info)
{
	return IRQ_HANDLED;
}

/* A write of 0 or 1 to /dev/uioN: disable or enable the vector. */
static int uio_msi_irqcontrol(struct uio_info *info, s32 irq_on)
{
	struct uio_msi *um = container_of(info, struct uio_msi, info);

	if (irq_on && test_and_clear_bit(0, &um->masked))
		enable_irq(info->irq);
	else if (!irq_on && !test_and_set_bit(0, &um->masked))
		disable_irq(info->irq);
	return 0;
}

static int uio_msi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct uio_msi *um;
	int ret;

	um = devm_kzalloc(&pdev->dev, sizeof(*um), GFP_KERNEL);
	if (!um)
		return -ENOMEM;
	/* managed: the vectors and the device are released after uio's irq */
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    !pci_resource_len(pdev, 0)) {
		dev_err(&pdev->dev, "BAR 0 is not a memory BAR\n");
		return -ENODEV;
	}
	/* the MSI is a memory write by the device */
	pci_set_master(pdev);
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0) {
		dev_err(&pdev->dev, "no MSI vector: %d\n", ret);
		return ret;
	}

	um->info.name = DRV_NAME;
	um->info.version = "1";
	um->info.irq = pci_irq_vector(pdev, 0);
	um->info.handler = uio_msi_handler;
	um->info.irqcontrol = uio_msi_irqcontrol;
	/* regions stay unclaimed: sysfs resource0 must remain mappable */
	um->info.mem[0].name = "BAR0";
	um->info.mem[0].addr = pci_resource_start(pdev, 0);
	um->info.mem[0].size = pci_resource_len(pdev, 0);
	um->info.mem[0].memtype = UIO_MEM_PHYS;

	ret = devm_uio_register_device(&pdev->dev, &um->info);
	if (ret)
		return ret;
	dev_info(&pdev->dev, "MSI on irq %ld\n", um->info.irq);
	return 0;
}

static struct pci_driver uio_msi_driver = {
	.name = DRV_NAME,
	.id_table = NULL, /* driver_override or new_id only */
	.probe = uio_msi_probe,
};

module_pci_driver(uio_msi_driver);

MODULE_LICENSE("Dual MIT/GPL");
MODULE_DESCRIPTION("UIO driver for one PCI function's MSI vector");
