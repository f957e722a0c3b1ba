/* SPDX-License-Identifier: MIT */
/* arm64's part of the VM (arch.h): what only arm64's arch files share. */
#ifndef PTVM_ARCH_ARM64_VM_H
#define PTVM_ARCH_ARM64_VM_H

#include <stdint.h>

#include "arch/arm64/pl061.h"

struct arch_vm {
	int gic_fd, its_fd; /* the in-kernel GICv3 and its ITS */
	uint64_t entry; /* the BSP's first instruction */
	uint64_t fdt; /* the device tree's guest address (x0) */
	uint64_t initrd, initrd_size; /* 0, 0: none */
	struct pl061 gpio; /* the power button's GPIO block */
	uint64_t power_release_ns; /* the button is held until; 0: up */
};

#endif
