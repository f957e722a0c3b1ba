/* SPDX-License-Identifier: MIT */
/*
 * vCPU threads. Each runs KVM_RUN and nothing else: a trapped access is
 * posted to the loop's mailbox as a struct vcpu_trap and the thread waits
 * for the answer, so device state has one owner and needs no locks.
 */
#ifndef PTVM_VCPU_H
#define PTVM_VCPU_H

#include <pthread.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "mbox.h"

struct vm;

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

/*
 * Creates vCPU id and gives it its first state (arch_vcpu_init: the BSP
 * enters the kernel). 0 or an exit code, reported.
 */
int vcpu_create(struct vm *vm, unsigned int id);
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
