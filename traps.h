/* SPDX-License-Identifier: MIT */
/*
 * The loop's side of the vCPU mailboxes (mbox.h): finding posted traps,
 * answering them in order, and holding the config writes that must wait
 * for guest RAM's DMA map.
 */
#ifndef PTVM_TRAPS_H
#define PTVM_TRAPS_H

struct vm;

/*
 * Serves the posted traps, then polls for more a few microseconds; 1 if
 * it stopped only to let the other sources in (the loop should not
 * block), 0 when idle or exit_code is set.
 */
int vm_traps_serve(struct vm *vm);
/* 1 if a vCPU posted a trap not answered yet. */
int vm_traps_pending(struct vm *vm);
/* The map is complete: the held traps are answered now, in vCPU order. */
void vm_traps_release(struct vm *vm);
/*
 * The loop's source for the mailbox kick: consumes it (the traps are
 * served when the loop comes back to vm_traps_serve).
 */
void vm_traps_kicked(struct vm *vm, void *arg);

#endif
