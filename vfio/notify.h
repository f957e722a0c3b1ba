/* SPDX-License-Identifier: MIT */
/* VFIO's error and request notifications for a passed-through function. */
#ifndef PTVM_VFIO_NOTIFY_H
#define PTVM_VFIO_NOTIFY_H

struct ptdev;

/*
 * Wires VFIO's error and request IRQs, where the device has them, to the
 * loop: either ends the guest with EXIT_DEVICE. Best effort.
 */
void ptdev_notify_open(struct ptdev *pt);
void ptdev_notify_close(struct ptdev *pt);

#endif
