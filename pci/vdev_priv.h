/* SPDX-License-Identifier: MIT */
/*
 * Shared inside the device model (vdev.c, vcaps.c): byte access to the
 * virtual config space.
 */
#ifndef PTVM_PCI_VDEV_PRIV_H
#define PTVM_PCI_VDEV_PRIV_H

#include <string.h>

#include "pci/vdev.h"

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* The guest may change the bits of mask at [off, off + len). */
static inline void wmask_range(struct pci_vdev *d, unsigned int off,
			       unsigned int len, uint32_t mask)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		d->wmask[off + i] = (uint8_t)(mask >> (8 * i));
}
#endif
