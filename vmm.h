/* SPDX-License-Identifier: MIT */
/*
 * struct vm: all of ptvm's mutable state, owned by the main thread's epoll
 * loop (vmm.c). vCPU threads touch only their own struct vcpu and hand each
 * trapped access to the loop through its mailbox (vcpu.h). The modules the
 * loop calls declare their functions in their own headers; this one holds
 * the state they share and the loop's own event sources.
 */
#ifndef PTVM_VMM_H
#define PTVM_VMM_H

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/resource.h>

#include <linux/kvm.h>

#include "coalesced.h"
#include "irq/routes.h"
#include "memory.h"
#include "opts.h"
#include "pci/host.h"
#include "pci/p2p.h"
#include "uart.h"
#include "vcpu.h"
#include "vfio/dmamap.h"
#include "vfio/vfio.h"

struct arch_vm;
struct ptdev;

#define VM_MAX_CPUS 64

struct vm;

/* Something the loop waits on: fn(vm, arg) runs when it is readable. */
struct vm_source {
	void (*fn)(struct vm *vm, void *arg);
	void *arg;
};

/* Counted by the loop; vCPU exits are counted per vCPU (struct vcpu). */
struct vm_stats {
	uint64_t pio, mmio; /* trapped accesses handed to the loop */
	uint64_t pio_uart, pio_pci_cfg, pio_acpi, pio_dev, pio_unhandled;
	uint64_t mmio_uart, mmio_power, mmio_ecam, mmio_dev, mmio_unhandled;
	/* the start-up timeline, clock_ns() */
	uint64_t t_start, t_kvm, t_dma, t_end;
	/* the power button pressed on a shutdown request; the guest's S5 */
	uint64_t t_shutdown, t_poweroff;
	uint64_t bar_dma_map_ns; /* spent in the IOMMU mapping BARs */
	/* guest RAM for DMA: when all of it was mapped; the writes held */
	uint64_t t_dma_ready;
	uint64_t held_writes, hold_ns, hold_max_ns; /* and accesses in reset */
};

struct vm {
	const struct opts *opts;
	int kvm_fd, vm_fd, epoll_fd, signal_fd;
	int run_size;
	/*
	 * Guest writes to 0xcf8-0xcfb that KVM queued instead of exiting
	 * (its coalesced PIO ring, a page of the vCPU mmap, mapped on its
	 * own): the loop replays them before it answers any trap. r is NULL
	 * without KVM_CAP_COALESCED_PIO.
	 */
	struct coalesced_ring coalesced;
	long coalesced_page; /* the ring's page offset in a vCPU mmap */
	struct mem mem;
	unsigned int ncpus;
	struct arch_vm *arch; /* what only the arch's files see (arch.h) */
	struct vcpu vcpu[VM_MAX_CPUS];
	struct uart uart;
	struct pci_host pci;
	struct irq_routes routes;
	struct pci_window mmio32_window, mmio64_window, pio_window;
	uint64_t mmio64_size; /* the 64-bit window's, set by the arch */
	struct vfio vfio;
	/*
	 * Guest RAM into the container. While dma_pending (the mapper still
	 * runs) every config write that would let a device master the bus
	 * is held: its vCPU gets no answer until the map is complete.
	 */
	struct dmamap dmamap;
	struct rlimit memlock; /* RLIMIT_MEMLOCK, for a failed map's hint */
	int dma_pending;
	struct vm_source dma_src;
	/*
	 * Functions in a reset the guest asked for (vfio/reset.h): every
	 * config access to them is held until their reset is done.
	 */
	unsigned int resets;
	struct pci_p2p p2p; /* where BARs sit; their IOMMU mappings */
	int p2p_warned; /* an IOMMU refusal was reported */
	uint64_t p2p_flush_ns; /* parked BAR mappings due to go; 0: none */
	unsigned int ndevs;
	struct ptdev *dev[OPTS_MAX_DEVICES];
	/* a shutdown request (SIGTERM, SIGPWR): the signal and the deadline */
	int shutdown_sig;
	uint64_t shutdown_deadline; /* clock_ns(); 0: none */
	uint8_t out_buf[4096]; /* console output, flushed when the loop idles */
	size_t out_len;
	int stdin_open;
	struct vm_source stdin_src, signal_src;
	struct mbox_loop mloop; /* the loop's side of the vCPU mailboxes */
	struct vm_source kick_src;
	_Atomic int stopping; /* set by the loop; read by vCPU threads */
	int exit_code; /* < 0 while running */
	struct vm_stats stats;
	FILE *stats_json; /* --stats=json: rewritten at exit and on SIGUSR1 */
};

#endif
