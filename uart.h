/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART as Linux's 8250 driver sees it: transmit goes out at once,
 * receive holds a FIFO fed by the loop from stdin. Pure: output and the
 * interrupt line go through ops.
 */
#ifndef PTVM_UART_H
#define PTVM_UART_H

#include <stdint.h>

#define UART_FIFO 64

struct uart_ops {
	void (*tx)(void *opaque, uint8_t byte);
	void (*irq)(void *opaque, int level);
};

struct uart {
	const struct uart_ops *ops;
	void *opaque;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	int thri; /* THR-empty interrupt pending (cleared by reading IIR) */
	int level; /* last level given to ops->irq */
	uint8_t rx[UART_FIFO];
	unsigned int rx_head, rx_len;
};

void uart_init(struct uart *u, const struct uart_ops *ops, void *opaque);
/* Register access at offset 0..7 from the base port; one byte. */
uint8_t uart_read(struct uart *u, unsigned int off);
void uart_write(struct uart *u, unsigned int off, uint8_t val);
/* Room left in the receive FIFO, and queuing received bytes (extra dropped). */
unsigned int uart_rx_room(const struct uart *u);
void uart_rx_push(struct uart *u, const uint8_t *buf, unsigned int len);

#endif
