/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge: bus 0 only, reached through configuration mechanism
 * #1 (ports 0xcf8/0xcfc) and ECAM. Slot 0 is the bridge itself; every other
 * function is registered with its config-space callbacks. Pure.
 */
#ifndef PTVM_PCI_HOST_H
#define PTVM_PCI_HOST_H

#include <stdint.h>

#define PCI_HOST_SLOTS 32
#define PCI_HOST_FUNCS 8
#define PCI_HOST_PIO_BASE 0xcf8
#define PCI_HOST_PIO_SIZE 8
/*
 * One bus, bus 0 (func[][]): its ECAM window is 1 MiB (32 devices x 8
 * functions x 4 KiB); every other bus number reads as absent. The arch's
 * layout places the window (LAYOUT_ECAM_SIZE must equal this).
 */
#define PCI_HOST_ECAM_SIZE 0x100000ULL

/* Red Hat's ID for a generic virtual PCIe host bridge: no quirks attached. */
#define PCI_HOST_VENDOR 0x1b36
#define PCI_HOST_DEVICE 0x0008

struct pci_func_ops {
	/* off < 4096, len 1/2/4 and naturally aligned (the host checks). */
	void (*cfg_read)(void *opaque, unsigned int off, unsigned int len,
			 uint32_t *val);
	void (*cfg_write)(void *opaque, unsigned int off, unsigned int len,
			  uint32_t val);
	/*
	 * Optional: 1 if this access (a write of val, or a read) must wait:
	 * the caller holds it back and retries later. No side effect.
	 */
	int (*held)(void *opaque, unsigned int off, unsigned int len, int write,
		    uint32_t val);
};

struct pci_host_func {
	const struct pci_func_ops *ops;
	void *opaque;
};

struct pci_host {
	uint32_t cf8;
	uint8_t bridge[64]; /* the host bridge's own header, read-only */
	struct pci_host_func func[PCI_HOST_SLOTS][PCI_HOST_FUNCS];
	/* config reads nothing answered: on bus 0, and on other buses */
	uint64_t absent_reads, other_bus_reads;
	/* odd-sized or unaligned config accesses, ignored */
	uint64_t bad_access;
};

/* An address window that BARs are allocated from, bottom up. */
struct pci_window {
	uint64_t base, size, next;
};

void pci_window_init(struct pci_window *w, uint64_t base, uint64_t size);
/*
 * Takes size bytes (a power of two) aligned to their size, as BARs must be.
 * 0 with *addr set, -EINVAL for a bad size, -ENOSPC when it does not fit.
 */
int pci_window_alloc(struct pci_window *w, uint64_t size, uint64_t *addr);

void pci_host_init(struct pci_host *h);
/* 0, -EBUSY if taken, -EINVAL if slot 0 or out of range. */
int pci_host_add(struct pci_host *h, unsigned int slot, unsigned int fn,
		 const struct pci_func_ops *ops, void *opaque);

/* Port access within [PCI_HOST_PIO_BASE, +8); bad ones read all-ones. */
uint32_t pci_host_pio_read(struct pci_host *h, unsigned int port,
			   unsigned int len);
void pci_host_pio_write(struct pci_host *h, unsigned int port, unsigned int len,
			uint32_t val);
/*
 * 1 if the config access this port or ECAM access would make is one its
 * function wants held back (pci_func_ops.held). No side effect.
 */
int pci_host_pio_held(const struct pci_host *h, unsigned int port,
		      unsigned int len, int write, uint32_t val);
int pci_host_ecam_held(const struct pci_host *h, uint64_t off, unsigned int len,
		       int write, uint32_t val);
/* Access at off inside the ECAM window. */
uint32_t pci_host_ecam_read(struct pci_host *h, uint64_t off, unsigned int len);
void pci_host_ecam_write(struct pci_host *h, uint64_t off, unsigned int len,
			 uint32_t val);

#endif
