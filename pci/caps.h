/* SPDX-License-Identifier: MIT */
/*
 * What ptvm does with each PCI capability of a passed-through function.
 * One table, used by the config-space model and by `ptvm probe`, so that
 * the report and the guest's view cannot disagree.
 */
#ifndef PTVM_PCI_CAPS_H
#define PTVM_PCI_CAPS_H

enum pci_cap_policy {
	PCI_CAP_HIDDEN, /* unlinked from the chain; its bytes read as they were */
	PCI_CAP_EMULATED, /* ptvm owns its state (MSI, MSI-X) */
	PCI_CAP_VIRTUAL, /* exposed with virtual values (PCI Express) */
	PCI_CAP_READONLY, /* exposed as the device has it, writes dropped */
};

enum pci_cap_policy pci_cap_policy(unsigned int id);
const char *pci_cap_policy_name(unsigned int id);

#endif
