/* SPDX-License-Identifier: MIT */
/*
 * `ptvm bind BDF...` and `ptvm unbind BDF...` move devices to vfio-pci and
 * back to the driver they had.
 */
#ifndef PTVM_VFIO_BIND_H
#define PTVM_VFIO_BIND_H

/* argv[0] is the subcommand. Returns the process exit code. */
int bind_main(int argc, char *argv[]);

#endif
