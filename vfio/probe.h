/* SPDX-License-Identifier: MIT */
/*
 * The subcommands around a boot: `ptvm probe BDF [--json]` reports whether
 * a host device can be passed through, from sysfs alone (opening it through
 * VFIO would reset it); `ptvm bind BDF...` and `ptvm unbind BDF...` move
 * devices to vfio-pci and back to the driver they had.
 */
#ifndef PTVM_VFIO_PROBE_H
#define PTVM_VFIO_PROBE_H

/* argv[0] is the subcommand. Return the process exit code. */
int probe_main(int argc, char *argv[]);
int bind_main(int argc, char *argv[]);

#endif
