/* SPDX-License-Identifier: MIT */
/*
 * What sysfs and /proc say about a host PCI device, for error lines that
 * name the problem and its fix. Read-only; never touches device state.
 */
#ifndef PTVM_VFIO_SYSFS_H
#define PTVM_VFIO_SYSFS_H

#include <stddef.h>

/* 1 if /sys/bus/pci/devices/bdf exists. */
int sysfs_dev_exists(const char *bdf);
/* The bound driver's name into buf ("" if none). */
void sysfs_dev_driver(const char *bdf, char *buf, size_t len);
/* IOMMU group number, or -errno (-ENOENT: no IOMMU for it). */
int sysfs_dev_group(const char *bdf);
/*
 * The other members of bdf's IOMMU group as "BDF (driver), ..." into buf;
 * returns how many there are.
 */
int sysfs_group_others(const char *bdf, char *buf, size_t len);
/* PID of a process other than us holding /dev/vfio/<group> open, or 0. */
int sysfs_group_user(int group);

#endif
