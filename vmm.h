/* SPDX-License-Identifier: MIT */
/*
 * struct vm: all of ptvm's mutable state, owned by the main thread's epoll
 * loop. vCPU threads touch only their own struct vcpu and hand each trapped
 * access to the loop through its mailbox (struct vcpu_trap).
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
#include "mbox.h"
#include "memory.h"
#include "opts.h"
#include "pci/host.h"
#include "pci/p2p.h"
#include "pm.h"
#include "uart.h"
#include "vfio/dmamap.h"
#include "vfio/vfio.h"

struct ptdev;

#define VM_MAX_CPUS 64
#define VCPU_EXIT_REASONS 64 /* KVM_EXIT_* counted per vCPU */

enum vcpu_trap_kind {
	TRAP_PIO,
	TRAP_MMIO,
	TRAP_EXIT, /* the vCPU stopped: exit_code says how */
};

/* One trapped access, filled by the vCPU thread, answered by the loop. */
struct vcpu_trap {
	enum vcpu_trap_kind kind;
	uint64_t addr;
	unsigned int len; /* bytes per element: 1, 2, 4 (PIO) or up to 8 */
	unsigned int count; /* elements (string PIO); 1 for MMIO */
	int write;
	uint8_t *data; /* in the kvm_run page */
	int exit_code; /* TRAP_EXIT */
};

struct vm;

/* Something the loop waits on: fn(vm, arg) runs when it is readable. */
struct vm_source {
	void (*fn)(struct vm *vm, void *arg);
	void *arg;
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int started;
	struct mbox mbox; /* hands trap to the loop and waits for its answer */
	struct vcpu_trap trap;
	/* its trap is a config write held until guest RAM is mapped for DMA */
	int held;
	uint64_t held_since;
	uint64_t exits[VCPU_EXIT_REASONS]; /* by KVM_EXIT_*, written by the thread */
	uint64_t entry_ns; /* first KVM_RUN, written by the thread */
};

/* Counted by the loop; vCPU exits are counted per vCPU (struct vcpu). */
struct vm_stats {
	uint64_t pio, mmio; /* trapped accesses handed to the loop */
	uint64_t pio_uart, pio_pci_cfg, pio_acpi, pio_dev, pio_unhandled;
	uint64_t mmio_ecam, mmio_dev, mmio_unhandled;
	/* the start-up timeline, vm_now_ns() */
	uint64_t t_start, t_kvm, t_dma, t_end;
	/* the power button pressed on a shutdown request; the guest's S5 */
	uint64_t t_shutdown, t_poweroff;
	uint64_t bar_dma_map_ns; /* spent in the IOMMU mapping BARs */
	/* guest RAM for DMA: when all of it was mapped; the writes held */
	uint64_t t_dma_ready;
	uint64_t held_writes, hold_ns, hold_max_ns;
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
	struct kvm_cpuid2 *cpuid;
	unsigned int ncpus;
	int pvh; /* an ELF kernel entered through PVH, not a bzImage */
	struct vcpu vcpu[VM_MAX_CPUS];
	struct uart uart;
	struct pci_host pci;
	struct irq_routes routes;
	struct pci_window mmio32_window, mmio64_window, pio_window;
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
	struct pci_p2p p2p; /* where BARs sit; their IOMMU mappings */
	int p2p_warned; /* an IOMMU refusal was reported */
	uint64_t p2p_flush_ns; /* parked BAR mappings due to go; 0: none */
	unsigned int ndevs;
	struct ptdev *dev[OPTS_MAX_DEVICES];
	struct pm pm; /* ACPI PM1a: power-off and the power button */
	/* a shutdown request (SIGTERM, SIGPWR): the signal and the deadline */
	int shutdown_sig;
	uint64_t shutdown_deadline; /* vm_now_ns(); 0: none */
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

/* vmm.c: reports a setup failure in one line on stderr; EXIT_ERROR. */
int vm_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* load.c: kernel, initrd, command line, ACPI tables, boot structures; *entry. */
int vm_load(struct vm *vm, uint64_t *entry);

/* kvm.c: opens /dev/kvm, makes the VM with its irqchip, PIT and routes. */
int vm_kvm_open(struct vm *vm);
/*
 * Maps KVM's coalesced ring through vCPU fd (any vCPU's) if vm_kvm_open
 * registered the zone; without it, config writes simply exit. 0 or -errno.
 */
int vm_coalesced_map(struct vm *vm, int vcpu_fd);
void vm_coalesced_unmap(struct vm *vm);
/*
 * The latency mode's VM-wide parts (--disable-exits, --halt-poll), before
 * any vCPU exists. 0 or an exit code, reported.
 */
int vm_kvm_tune(struct vm *vm);
/*
 * A latency option the host cannot honour: reported as an error (an exit
 * code), or with --best-effort as a warning (0).
 */
int vm_tune_refused(struct vm *vm, const char *what, const char *why);

/* vfio/devices.c: opens every --device, maps guest RAM for DMA; 0 or an exit code, reported. */
int vm_devices_open(struct vm *vm);
void vm_devices_close(struct vm *vm);
/* Reports a failed guest-RAM DMA map (err) in one line; EXIT_ERROR. */
int vm_dma_fail(struct vm *vm, int err);
/* A trapped access no built-in device took: 1 if a passthrough BAR did. */
int vm_devices_access(struct vm *vm, int io, uint64_t addr, unsigned int len,
		      int write, uint8_t *data);

/*
 * traps.c: serves the posted traps, then polls for more a few
 * microseconds; 1 if it stopped only to let the other sources in (the
 * loop should not block), 0 when idle or exit_code is set.
 */
int vm_traps_serve(struct vm *vm);
/* 1 if a vCPU posted a trap not answered yet. */
int vm_traps_pending(struct vm *vm);
/* The map is complete: the held traps are answered now, in vCPU order. */
void vm_traps_release(struct vm *vm);
/* The loop's source for the mailbox kick: consumes it (the traps are
 * served when the loop comes back to vm_traps_serve). */
void vm_traps_kicked(struct vm *vm, void *arg);

/* io.c: the loop's answer to a trapped port or MMIO access. */
/* Replays the writes KVM queued in its coalesced ring, oldest first. */
void io_coalesced_drain(struct vm *vm);
/* 1 if t is a config write that must wait for the DMA map (dma_pending). */
int io_write_held(struct vm *vm, const struct vcpu_trap *t);
void io_pio(struct vm *vm, struct vcpu_trap *t);
void io_mmio(struct vm *vm, struct vcpu_trap *t);

/* stats.c: the --stats summary as text lines, or as one JSON object. */
void stats_print(const struct vm *vm, FILE *f);
void stats_json(const struct vm *vm, FILE *f);
/*
 * ns as milliseconds with decimals (1 or 3) digits, as printf's "%.1f" or
 * "%.3f" of ns / 1e6 would write it but in integer arithmetic (halves round
 * up); a negative ns writes -1 ("-1.0", "-1.000"). Returns snprintf's count.
 */
int stats_fmt_ms(char *buf, size_t n, int64_t ns, unsigned int decimals);
/* CLOCK_MONOTONIC in nanoseconds. */
/*
 * A BAR whose decoding went off keeps its IOMMU mappings for
 * VM_P2P_PARK_NS (pci/p2p.h: Linux turns decoding off and on around
 * each BAR it sizes); the loop unmaps them when that is up.
 */
#define VM_P2P_PARK_NS 250000000ULL
void vm_p2p_park(struct vm *vm, unsigned int id);
/* Unmaps what is due; epoll_wait's timeout for the next, ms (-1: none). */
int vm_p2p_flush_ms(struct vm *vm);
uint64_t vm_now_ns(void);

/* vcpu.c: create vCPU id, set its registers for the 64-bit entry (BSP only). */
int vcpu_create(struct vm *vm, unsigned int id, uint64_t entry,
		uint64_t zero_page);
/* Starts the thread running KVM_RUN. */
int vcpu_start(struct vcpu *v);
/* Kicks a vCPU out of KVM_RUN and out of its mailbox wait; joins it. */
void vcpu_stop(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
/* --cpu-affinity and --realtime for a started vCPU thread; 0 or -errno. */
int vcpu_pin(struct vcpu *v, unsigned int host_cpu);
int vcpu_realtime(struct vcpu *v);
/* Signal used to kick vCPU threads out of KVM_RUN. */
int vcpu_signal(void);

#endif
