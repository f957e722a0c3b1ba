// SPDX-License-Identifier: MIT
#include <linux/serial_reg.h>

#include "tests/harness.h"
#include "uart.h"

static uint8_t txbuf[256];
static unsigned int ntx, nirq;
static int level;

static void tx(void *o, uint8_t b)
{
	(void)o;
	txbuf[ntx++ % 256] = b;
}

static void irq(void *o, int l)
{
	(void)o;
	level = l;
	nirq++;
}

static const struct uart_ops ops = { tx, irq };

TEST(transmit_and_lsr)
{
	struct uart u;

	uart_init(&u, &ops, NULL);
	uart_write(&u, UART_TX, 'h');
	uart_write(&u, UART_TX, 'i');
	EXPECT_EQ(ntx, 2);
	EXPECT_EQ(txbuf[0], 'h');
	EXPECT_EQ(txbuf[1], 'i');
	EXPECT_EQ(uart_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

TEST(dlab_and_scratch)
{
	struct uart u;

	uart_init(&u, &ops, NULL);
	uart_write(&u, UART_LCR, UART_LCR_DLAB);
	uart_write(&u, UART_DLL, 0x34);
	uart_write(&u, UART_DLM, 0x12);
	EXPECT_EQ(ntx, 0); /* a divisor, not a character */
	EXPECT_EQ(uart_read(&u, UART_DLL), 0x34);
	EXPECT_EQ(uart_read(&u, UART_DLM), 0x12);
	uart_write(&u, UART_LCR, 0x03);
	EXPECT_EQ(uart_read(&u, UART_IER), 0);
	uart_write(&u, UART_SCR, 0x5a);
	EXPECT_EQ(uart_read(&u, UART_SCR), 0x5a);
	EXPECT_EQ(uart_read(&u, 9), 0xff);
}

TEST(receive_fifo_order_and_overflow)
{
	struct uart u;
	uint8_t in[UART_FIFO + 8];
	unsigned int i;

	uart_init(&u, &ops, NULL);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	EXPECT_EQ(uart_rx_room(&u), UART_FIFO);
	uart_rx_push(&u, in, sizeof(in));
	EXPECT_EQ(uart_rx_room(&u), 0);
	EXPECT_TRUE(uart_read(&u, UART_LSR) & UART_LSR_DR);
	for (i = 0; i < UART_FIFO; i++)
		ASSERT_EQ(uart_read(&u, UART_RX), i);
	EXPECT_FALSE(uart_read(&u, UART_LSR) & UART_LSR_DR);
}

TEST(rx_interrupt_needs_ier_and_out2)
{
	struct uart u;
	uint8_t c = 'x';

	uart_init(&u, &ops, NULL);
	level = 0;
	uart_write(&u, UART_IER, UART_IER_RDI);
	uart_rx_push(&u, &c, 1);
	EXPECT_EQ(level, 0); /* OUT2 gates the line */
	uart_write(&u, UART_MCR, UART_MCR_OUT2);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_RDI);
	uart_read(&u, UART_RX);
	EXPECT_EQ(level, 0);
	EXPECT_EQ(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_NO_INT);
}

TEST(thri_at_enable_and_ack_by_iir)
{
	struct uart u;

	uart_init(&u, &ops, NULL);
	uart_write(&u, UART_MCR, UART_MCR_OUT2);
	uart_write(&u, UART_IER, UART_IER_THRI);
	EXPECT_EQ(level, 1);
	EXPECT_EQ(uart_read(&u, UART_IIR) & 0x0f, UART_IIR_THRI);
	EXPECT_EQ(level, 0);
	uart_write(&u, UART_TX, 'a');
	EXPECT_EQ(level, 1);
}

TEST(fifo_bits_and_clear)
{
	struct uart u;
	uint8_t c = 'x';

	uart_init(&u, &ops, NULL);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO);
	EXPECT_EQ(uart_read(&u, UART_IIR) & 0xc0, 0xc0);
	uart_rx_push(&u, &c, 1);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	EXPECT_FALSE(uart_read(&u, UART_LSR) & UART_LSR_DR);
}

TEST(loopback_as_8250_autoconfig_checks)
{
	struct uart u;

	uart_init(&u, &ops, NULL);
	ntx = 0;
	uart_write(&u, UART_MCR, UART_MCR_LOOP | 0x0a); /* RTS | OUT2 */
	EXPECT_EQ(uart_read(&u, UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	uart_write(&u, UART_TX, 'q');
	EXPECT_EQ(ntx, 0);
	EXPECT_EQ(uart_read(&u, UART_RX), 'q');
	uart_write(&u, UART_MCR, 0);
	EXPECT_EQ(uart_read(&u, UART_MSR),
		  UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

TEST_MAIN()
