/* SPDX-License-Identifier: MIT */
/*
 * The loop's answer to a trapped port or MMIO access: the built-in
 * devices, the PCI configuration mechanisms, then the passthrough BARs.
 */
#ifndef PTVM_IO_H
#define PTVM_IO_H

struct vm;
struct vcpu_trap;

/* Replays the writes KVM queued in its coalesced ring, oldest first. */
void io_coalesced_drain(struct vm *vm);
/* 1 if t is a config write that must wait for the DMA map (dma_pending). */
int io_write_held(struct vm *vm, const struct vcpu_trap *t);
void io_pio(struct vm *vm, struct vcpu_trap *t);
void io_mmio(struct vm *vm, struct vcpu_trap *t);

#endif
