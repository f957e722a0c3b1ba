/* SPDX-License-Identifier: MIT */
/*
 * irqlat's UIO paths. INTx: uio_pci_generic, whose handler masks the line
 * with PCI_COMMAND_INTX_DISABLE and which has no irqcontrol, so the bit is
 * cleared again through the sysfs config file. MSI: uio_msi, the small
 * module in tests/e2e/guest/uio_msi (one MSI vector as the UIO irq), for
 * kernels without an IOMMU or CONFIG_VFIO_NOIOMMU; MSI is edge and not
 * shared, so there is nothing to unmask. Both: read /dev/uioN to wait, the
 * BAR through sysfs resourceN.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "tools/irqlat.h"
#include "tools/irqlat_uio.h"

/* VFIO takes a device without an IOMMU group only in no-IOMMU mode. */
static int vfio_can_take(const struct irqlat *il)
{
	char path[PATH_MAX], c = 'N';
	FILE *f;

	if (!access(devpath(path, il, "iommu_group"), F_OK))
		return 1;
	f = fopen("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
		  "r");
	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == 'Y' || c == '1';
}

/*
 * Sets il->uio_drv: INTx always, MSI with --uio, or when VFIO cannot take
 * the device and uio_msi is loaded. 1 when UIO it is, 0 for VFIO.
 */
int uio_pick(struct irqlat *il)
{
	if (il->mode == MODE_INTX) {
		il->uio_drv = "uio_pci_generic";
	} else if (il->mode == MODE_MSI &&
		   (il->want_uio ||
		    (!vfio_can_take(il) &&
		     !access("/sys/bus/pci/drivers/uio_msi", F_OK)))) {
		il->uio_drv = "uio_msi";
		if (!il->want_uio)
			printf("irqlat: %s: no IOMMU and no VFIO no-IOMMU mode: MSI through uio_msi\n",
			       il->bdf);
	}
	return il->uio_drv != NULL;
}

/* Clears PCI_COMMAND_INTX_DISABLE, which uio_pci_generic's handler set. */
int uio_unmask(struct irqlat *il)
{
	uint16_t cmd;

	if (pread(il->cfgfd, &cmd, 2, PCI_COMMAND) != 2)
		return -EIO;
	cmd &= ~PCI_COMMAND_INTX_DISABLE;
	return pwrite(il->cfgfd, &cmd, 2, PCI_COMMAND) == 2 ? 0 : -EIO;
}

int uio_setup(struct irqlat *il)
{
	char path[PATH_MAX], name[64] = "", res[16];
	struct dirent *e;
	struct stat st;
	DIR *d;
	void *p;
	int ret = dev_bind(il, il->uio_drv);

	if (ret == -ENOENT && il->mode == MODE_MSI)
		return fail(
			il, ret,
			"no uio_msi driver (build tests/e2e/guest/uio_msi against this kernel's headers; insmod uio_msi.ko)");
	if (ret)
		return ret;
	il->uio_total = -1;
	d = opendir(devpath(path, il, "uio"));
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "uio", 3))
			snprintf(name, sizeof(name), "/dev/%s", e->d_name);
	if (d)
		closedir(d);
	if (!name[0])
		return fail(il, -ENODEV, "%s: %s made no uio device (%s)",
			    il->bdf, il->uio_drv,
			    il->mode == MODE_INTX ? "no INTx pin or masking"
						  : "see: dmesg | tail");
	il->irqfd = open(name, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (il->irqfd < 0)
		return fail(il, -errno, "%s: %s (mount devtmpfs on /dev)", name,
			    strerror(errno));
	il->cfgfd = open(devpath(path, il, "config"), O_RDWR | O_CLOEXEC);
	snprintf(res, sizeof(res), "resource%d", il->bar);
	il->rfd = open(devpath(path, il, res), O_RDWR | O_CLOEXEC | O_SYNC);
	if (il->cfgfd < 0 || il->rfd < 0 || fstat(il->rfd, &st) || !st.st_size)
		return fail(il, -ENXIO, "%s: no BAR %d (see: lspci -v -s %s)",
			    il->bdf, il->bar, il->bdf);
	il->bar_size = st.st_size;
	/* memory BARs mmap; I/O BARs take pread/pwrite */
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, il->rfd,
		 0);
	il->map = p == MAP_FAILED ? NULL : p;
	if (il->mode == MODE_INTX && uio_unmask(il))
		return fail(il, -EIO, "%s: command register unwritable",
			    il->bdf);
	return 0;
}

/* /dev/uioN gives the device's running total: the count since last time */
unsigned long uio_take(struct irqlat *il)
{
	uint32_t total;
	unsigned long cnt;

	if (read(il->irqfd, &total, 4) != 4)
		return 0;
	cnt = il->uio_total < 0 ? 1 : (uint32_t)(total - il->uio_total);
	il->uio_total = total;
	return cnt;
}
