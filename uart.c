/* SPDX-License-Identifier: MIT */
#include <linux/serial_reg.h>

#include "uart.h"

void uart_init(struct uart *u, const struct uart_ops *ops, void *opaque)
{
	*u = (struct uart){ .ops = ops, .opaque = opaque, .dll = 12 };
}

static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & UART_FCR_ENABLE_FIFO) ? 0xc0 : 0;

	/* 16550 priority: line status, receive data, THR empty, modem. */
	if ((u->ier & UART_IER_RDI) && u->rx_len)
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

static void uart_update_irq(struct uart *u)
{
	int level = !(uart_iir(u) & UART_IIR_NO_INT);

	/* OUT2 gates the interrupt line on PC-compatible boards. */
	if (!(u->mcr & UART_MCR_OUT2))
		level = 0;
	if (level != u->level) {
		u->level = level;
		u->ops->irq(u->opaque, level);
	}
}

static uint8_t uart_msr(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	/* Loopback: outputs come back as inputs (8250 autoconfig checks it). */
	return ((m & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
	       ((m & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
	       ((m & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
	       ((m & UART_MCR_OUT2) ? UART_MSR_DCD : 0);
}

uint8_t uart_read(struct uart *u, unsigned int off)
{
	uint8_t v = 0xff;

	switch (off) {
	case UART_RX:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		v = 0;
		if (u->rx_len) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_FIFO;
			u->rx_len--;
		}
		break;
	case UART_IER:
		return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thri = 0;
		break;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return (u->rx_len ? UART_LSR_DR : 0) | UART_LSR_THRE |
		       UART_LSR_TEMT;
	case UART_MSR:
		return uart_msr(u);
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
	uart_update_irq(u);
	return v;
}

void uart_write(struct uart *u, unsigned int off, uint8_t val)
{
	switch (off) {
	case UART_TX:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & UART_MCR_LOOP)
			uart_rx_push(u, &val, 1);
		else
			u->ops->tx(u->opaque, val);
		u->thri = 1; /* sent at once: the THR is empty again */
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = val;
			return;
		}
		/* Enabling THRI with an empty THR interrupts at once. */
		if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thri = 1;
		u->ier = val & 0x0f;
		break;
	case UART_FCR:
		if (val & UART_FCR_CLEAR_RCVR)
			u->rx_head = u->rx_len = 0;
		u->fcr = val & (UART_FCR_ENABLE_FIFO | 0xc0);
		break;
	case UART_LCR:
		u->lcr = val;
		return;
	case UART_MCR:
		u->mcr = val & 0x1f;
		break;
	case UART_SCR:
		u->scr = val;
		return;
	default:
		return; /* LSR, MSR: read-only */
	}
	uart_update_irq(u);
}

unsigned int uart_rx_room(const struct uart *u)
{
	return UART_FIFO - u->rx_len;
}

void uart_rx_push(struct uart *u, const uint8_t *buf, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len && u->rx_len < UART_FIFO; i++) {
		u->rx[(u->rx_head + u->rx_len) % UART_FIFO] = buf[i];
		u->rx_len++;
	}
	uart_update_irq(u);
}
