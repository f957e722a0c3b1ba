/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "fmt.h"
#include "opts.h"
#include "pci/caps.h"
#include "vfio/probe.h"
#include "vfio/sysfs.h"

/* include/linux/ioport.h: the flags sysfs prints in "resource" */
#define RES_IO 0x100
#define RES_MEM 0x200
#define RES_PREFETCH 0x2000
#define RES_MEM_64 0x100000

#define PAGE 4096ULL

struct out {
	FILE *f;
	int json;
	int nfields; /* fields written in the current object/array */
};

static void sysfs_read(const char *bdf, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf,
		     attr);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* JSON string escaping for the few characters sysfs could give us. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void kv(struct out *o, const char *key, const char *fmt, ...)
{
	char val[512];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (!o->json) {
		fmt_fprintf(o->f, "%-14s %s\n", key, val);
		return;
	}
	fmt_fprintf(o->f, "%s\n  ", o->nfields++ ? "," : "");
	json_str(o->f, key);
	fputs(": ", o->f);
	json_str(o->f, val);
}

static const char *cap_name(unsigned int id)
{
	static const char *const names[] = {
		[PCI_CAP_ID_PM] = "power management",
		[PCI_CAP_ID_AGP] = "AGP",
		[PCI_CAP_ID_VPD] = "vital product data",
		[PCI_CAP_ID_SLOTID] = "slot ID",
		[PCI_CAP_ID_MSI] = "MSI",
		[PCI_CAP_ID_CHSWP] = "hot swap",
		[PCI_CAP_ID_PCIX] = "PCI-X",
		[PCI_CAP_ID_HT] = "HyperTransport",
		[PCI_CAP_ID_VNDR] = "vendor-specific",
		[PCI_CAP_ID_DBG] = "debug port",
		[PCI_CAP_ID_SSVID] = "subsystem ID",
		[PCI_CAP_ID_EXP] = "PCI Express",
		[PCI_CAP_ID_MSIX] = "MSI-X",
		[PCI_CAP_ID_SATA] = "SATA",
		[PCI_CAP_ID_AF] = "advanced features",
		[PCI_CAP_ID_EA] = "enhanced allocation",
	};

	return id < sizeof(names) / sizeof(names[0]) && names[id] ? names[id]
								  : "unknown";
}

int probe_main(int argc, char *argv[])
{
	char bdf[16], buf[256], drv[64], others[1024], path[PATH_MAX];
	struct out o = { .f = stdout };
	uint8_t cfg[256] = { 0 };
	struct pci_bdf b;
	unsigned int i, pos, hops, msix = 0, msi = 0, pin;
	int group, nothers, fd, unready = 0, ncfg;
	const char *todo = NULL;
	FILE *res;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--json"))
			o.json = 1;
		else if (opts_parse_bdf(argv[i], &b)) {
			fmt_fprintf(
				stderr,
				"ptvm: probe: '%s' is not a PCI address (use DDDD:BB:SS.F, e.g. 0000:01:00.0)\n",
				argv[i]);
			return EXIT_USAGE;
		} else
			fmt_snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x",
				     b.domain, b.bus, b.slot, b.fn);
	}
	if (argc < 2 || (argc == 2 && o.json)) {
		fmt_fprintf(
			stderr,
			"ptvm: probe: which device? (ptvm probe BDF [--json])\n");
		return EXIT_USAGE;
	}
	if (!sysfs_dev_exists(bdf)) {
		fmt_fprintf(
			stderr,
			"ptvm: %s: no such PCI device (lspci -D lists the host's devices)\n",
			bdf);
		return EXIT_ERROR;
	}
	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ncfg = fd < 0 ? -1 : (int)read(fd, cfg, sizeof(cfg));
	if (fd >= 0)
		close(fd);

	if (o.json)
		fputc('{', o.f);
	kv(&o, "device", "%s", bdf);
	sysfs_read(bdf, "vendor", buf, sizeof(buf));
	sysfs_read(bdf, "device", buf + 64, sizeof(buf) - 64);
	kv(&o, "id", "%s:%s", buf + 2, buf + 66);
	sysfs_read(bdf, "class", buf, sizeof(buf));
	kv(&o, "class", "%s", buf + 2);
	sysfs_dev_driver(bdf, drv, sizeof(drv));
	kv(&o, "driver", "%s", drv[0] ? drv : "none");
	group = sysfs_dev_group(bdf);
	if (group < 0) {
		kv(&o, "iommu_group", "none");
		todo = "enable the IOMMU (intel_iommu=on or amd_iommu=on on the host kernel command line; on arm64, the SMMU in the firmware)";
	} else {
		kv(&o, "iommu_group", "%d", group);
	}
	nothers = sysfs_group_others(bdf, others, sizeof(others));
	kv(&o, "group_members", "%s", nothers ? others : "this device only");

	/* BARs, from sysfs "resource": start end flags per line. */
	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource",
		     bdf);
	res = fopen(path, "r");
	for (i = 0; res && i < PCI_STD_NUM_BARS + 1; i++) {
		unsigned long long start, end, flags, size;
		char key[8], line[80], *p, *q;

		/* "0x%016llx 0x%016llx 0x%016llx": parsed without scanf */
		if (!fgets(line, sizeof(line), res))
			break;
		start = fmt_strtoull(line, &p, 16);
		end = fmt_strtoull(p, &q, 16);
		flags = fmt_strtoull(q, &p, 16);
		if (p == q)
			break;
		if (!flags)
			continue;
		size = end - start + 1;
		fmt_snprintf(key, sizeof(key),
			     i < PCI_STD_NUM_BARS ? "bar%u" : "rom", i);
		if (i == PCI_STD_NUM_BARS)
			kv(&o, key, "memory, %llu KiB; hidden from the guest",
			   size >> 10);
		else if (flags & RES_IO)
			kv(&o, key, "I/O, %llu bytes; trapped", size);
		else
			kv(&o, key, "memory %s%s, %llu KiB; %s",
			   flags & RES_MEM_64 ? "64-bit" : "32-bit",
			   flags & RES_PREFETCH ? " prefetchable" : "",
			   size >> 10,
			   size >= PAGE
				   ? "mmap-able by vfio-pci (MSI-X pages trapped)"
				   : "under a page: trapped");
	}
	if (res)
		fclose(res);

	/* Capabilities: the physical chain, and what ptvm does with each. */
	if (ncfg < 64 || !(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
		kv(&o, "capabilities",
		   ncfg < 64 ? "unreadable (run as root)" : "none");
	}
	pos = cfg[PCI_CAPABILITY_LIST] & ~3u;
	for (hops = 0; ncfg >= 256 && (cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST) &&
		       pos >= PCI_STD_HEADER_SIZEOF && pos < 0xff && hops < 48;
	     hops++) {
		unsigned int id = cfg[pos];
		char key[16];

		fmt_snprintf(key, sizeof(key), "cap@0x%02x", pos);
		/* Advanced Features is kept only for its FLR */
		kv(&o, key, "%s (0x%02x): %s", cap_name(id), id,
		   id == PCI_CAP_ID_AF &&
				   !(cfg[pos + PCI_AF_CAP] & PCI_AF_CAP_FLR)
			   ? "hidden"
			   : pci_cap_policy_name(id));
		if (id == PCI_CAP_ID_MSIX)
			msix = ((cfg[pos + 2] | cfg[pos + 3] << 8) &
				PCI_MSIX_FLAGS_QSIZE) +
			       1;
		if (id == PCI_CAP_ID_MSI)
			msi = 1u << ((cfg[pos + 2] & PCI_MSI_FLAGS_QMASK) >> 1);
		pos = cfg[pos + 1] & ~3u;
	}
	pin = ncfg >= 64 ? cfg[PCI_INTERRUPT_PIN] : 0;
	kv(&o, "interrupts", "INTx %s, MSI %u vectors, MSI-X %u vectors",
	   pin ? "yes" : "no", msi, msix);
	sysfs_read(bdf, "reset_method", buf, sizeof(buf));
	kv(&o, "reset", "%s",
	   buf[0] ? buf
		  : "no reset method: the device is not reset between runs");

	if (!todo && strcmp(drv, "vfio-pci")) {
		fmt_snprintf(path, sizeof(path),
			     "bind it to vfio-pci (ptvm bind %s)", bdf);
		todo = path;
	}
	if (!todo && nothers) {
		/* Other members must be on vfio-pci or on no driver. */
		char *p = others;

		while ((p = strchr(p, '(')) != NULL) {
			if (strncmp(p, "(vfio-pci)", 10) &&
			    strncmp(p, "(no driver)", 11))
				unready = 1;
			p++;
		}
		if (unready)
			todo = "unbind the other members of its IOMMU group from their drivers, or bind them to vfio-pci";
	}
	kv(&o, "verdict", "%s%s",
	   todo ? "not ready: " : "ready to pass through", todo ? todo : "");
	if (o.json)
		fputs("\n}\n", o.f);
	return todo ? EXIT_ERROR : 0;
}
