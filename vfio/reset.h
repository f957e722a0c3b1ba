/* SPDX-License-Identifier: MIT */
/*
 * A function reset the guest asked for (an FLR in its config space) runs
 * on a thread of its own: a reset takes 100 ms or more, and the loop goes
 * on serving the other devices meanwhile. The guest's config accesses to
 * that function are held (struct vm's resets) until it is done.
 */
#ifndef PTVM_VFIO_RESET_H
#define PTVM_VFIO_RESET_H

struct ptdev;

/* pci_vdev_ops.reset: starts the reset of the struct ptdev at opaque. */
int ptdev_reset_start(void *opaque);
/* 1 while the function's reset runs. */
int ptdev_resetting(const struct ptdev *pt);
/* At close: waits for a reset still running, and lets go of its fd. */
void ptdev_reset_close(struct ptdev *pt);

#endif
