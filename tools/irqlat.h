/* SPDX-License-Identifier: MIT */
/* irqlat: what tools/irqlat.c and tools/irqlat_uio.c share. */
#ifndef IRQLAT_H
#define IRQLAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum irqlat_mode { MODE_MSI, MODE_MSIX, MODE_INTX };

struct reg {
	uint64_t off, val;
	int set;
};

struct irqlat {
	const char *bdf; /* from the command line */
	enum irqlat_mode mode;
	int bar, width, timeout_ms, gap_us;
	int want_uio; /* --uio */
	const char *uio_drv; /* uio_pci_generic or uio_msi; NULL: VFIO */
	unsigned long n;
	struct reg fire, ack, status;
	uint64_t top, bar_size; /* the highest register offset; BAR size */
	int container, group, device; /* VFIO, kept open */
	int irqfd, cfgfd, rfd; /* eventfd or /dev/uioN; config (INTx); BAR */
	volatile uint8_t *map; /* the BAR, or NULL: pread/pwrite on rfd */
	off_t roff;
	int64_t uio_total; /* /dev/uioN's count, -1 until the first read */
	uint64_t *lat; /* results */
	unsigned long got, lost, spurious;
	char err[384];
};

/* irqlat.c, for irqlat_uio.c */
int fail(struct irqlat *il, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
char *devpath(char *buf, const struct irqlat *il, const char *leaf);
int dev_bind(struct irqlat *il, const char *drv);

#endif
