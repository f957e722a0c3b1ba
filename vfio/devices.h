/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the --device list: every group into one container, guest
 * RAM mapped for DMA, each device opened; and the BARs' parked IOMMU
 * mappings, which the loop lets go when their time is up.
 */
#ifndef PTVM_VFIO_DEVICES_H
#define PTVM_VFIO_DEVICES_H

#include <stdint.h>

struct vm;

/* Opens every --device, maps guest RAM for DMA; 0 or an exit code, reported. */
int vm_devices_open(struct vm *vm);
void vm_devices_close(struct vm *vm);
/* Reports a failed guest-RAM DMA map (err) in one line; EXIT_ERROR. */
int vm_dma_fail(struct vm *vm, int err);
/* A trapped access no built-in device took: 1 if a passthrough BAR did. */
int vm_devices_access(struct vm *vm, int io, uint64_t addr, unsigned int len,
		      int write, uint8_t *data);

/*
 * A BAR whose decoding went off keeps its IOMMU mappings for
 * VM_P2P_PARK_NS (pci/p2p.h: Linux turns decoding off and on around
 * each BAR it sizes); the loop unmaps them when that is up.
 */
#define VM_P2P_PARK_NS 250000000ULL
void vm_p2p_park(struct vm *vm, unsigned int id);
/* Unmaps what is due; epoll_wait's timeout for the next, ms (-1: none). */
int vm_p2p_flush_ms(struct vm *vm);

#endif
