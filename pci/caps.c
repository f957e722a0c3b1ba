/* SPDX-License-Identifier: MIT */
#include <linux/pci_regs.h>

#include "pci/caps.h"

enum pci_cap_policy pci_cap_policy(unsigned int id)
{
	switch (id) {
	case PCI_CAP_ID_MSI:
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_EMULATED;
	case PCI_CAP_ID_EXP:
	case PCI_CAP_ID_AF: /* for its FLR, which the guest may ask for */
		return PCI_CAP_VIRTUAL;
	case PCI_CAP_ID_VNDR:
		/*
		 * Vendor-specific capabilities describe where a device keeps
		 * its registers (virtio's common, notify, ISR and device
		 * config structures live in BARs and are found this way).
		 * Read-only, they only point into BARs the guest owns anyway.
		 */
		return PCI_CAP_READONLY;
	default:
		return PCI_CAP_HIDDEN;
	}
}

const char *pci_cap_policy_name(unsigned int id)
{
	switch (pci_cap_policy(id)) {
	case PCI_CAP_EMULATED:
		return "emulated";
	case PCI_CAP_VIRTUAL:
		return "exposed with virtual values";
	case PCI_CAP_READONLY:
		return "exposed read-only";
	default:
		return "hidden";
	}
}
