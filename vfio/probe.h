/* SPDX-License-Identifier: MIT */
/*
 * `ptvm probe BDF [--json]` reports whether a host device can be passed
 * through, from sysfs alone (opening it through VFIO would reset it).
 */
#ifndef PTVM_VFIO_PROBE_H
#define PTVM_VFIO_PROBE_H

/* argv[0] is the subcommand. Returns the process exit code. */
int probe_main(int argc, char *argv[]);

#endif
