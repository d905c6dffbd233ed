// SPDX-License-Identifier: BSD-2-Clause
/*
 * The 16550A as Linux's 8250 driver probes and drives it: IER scratch
 * test, FIFO detection through IIR, the THRE interrupt test, transmit,
 * receive with the IRQ line following the FIFO, loopback, DLAB, and
 * hostile accesses (wide, out of range) that must not break anything.
 */
#include <string.h>

#include "check.h"
#include "devices/serial.h"

struct sink {
	int irq;
	int irq_changes;
	char out[64];
	size_t n;
};

static void set_irq(void *ctx, int level)
{
	struct sink *s = ctx;

	s->irq = level;
	s->irq_changes++;
}

static void tx(void *ctx, uint8_t b)
{
	struct sink *s = ctx;

	if (s->n < sizeof(s->out) - 1)
		s->out[s->n++] = (char)b;
}

static const struct serial_ops ops = {set_irq, tx};
static struct bus bus;

static uint8_t in(uint16_t reg)
{
	uint8_t v = 0;

	bus__read(&bus, 0, 0x3f8 + reg, &v, 1);
	return v;
}

static void out(uint16_t reg, uint8_t v)
{
	bus__write(&bus, 0, 0x3f8 + reg, &v, 1);
}

int main(void)
{
	struct sink sink = {0};
	struct serial *s = serial__new(&ops, &sink);
	uint8_t wide[4];

	bus__init(&bus, "pio");
	CHECK(s != NULL);
	CHECK_EQ(serial__register(s, &bus, 0x3f8), 0);

	/* autoconfig: IER keeps its low nibble. */
	out(1, 0);
	CHECK_EQ(in(1) & 0x0f, 0);
	out(1, 0x0f);
	CHECK_EQ(in(1), 0x0f);
	out(1, 0);
	/* FIFO enabled -> IIR bits 7:6 = 11: a 16550A. */
	out(2, 0x01);
	CHECK_EQ(in(2) >> 6, 3);
	CHECK_EQ(in(2) & 0x0f, 0x01); /* no interrupt pending */
	CHECK_EQ(in(5) & 0x60, 0x60); /* THRE | TEMT */

	/* THRE test: enabling THRI with an empty THR raises THRE at once;
	 * reading IIR acknowledges it. */
	out(1, 0x02);
	CHECK_EQ(sink.irq, 1);
	CHECK_EQ(in(2) & 0x0f, 0x02);
	CHECK_EQ(sink.irq, 0);
	CHECK_EQ(in(2) & 0x0f, 0x01);
	/* Each transmitted byte raises THRE again. */
	out(0, 'h');
	out(0, 'i');
	CHECK_EQ(sink.irq, 1);
	CHECK(!strcmp(sink.out, "hi"));
	CHECK_EQ(in(2) & 0x0f, 0x02);
	out(1, 0);
	CHECK_EQ(sink.irq, 0);

	/* Receive: data ready and the RX interrupt follow the FIFO. */
	out(1, 0x01);
	CHECK_EQ(serial__receive(s, (const uint8_t *)"ab", 2), 2);
	CHECK_EQ(sink.irq, 1);
	CHECK_EQ(in(5) & 0x01, 1);
	CHECK_EQ(in(2) & 0x0f, 0x04);
	CHECK_EQ(in(0), 'a');
	CHECK_EQ(in(0), 'b');
	CHECK_EQ(in(5) & 0x01, 0);
	CHECK_EQ(sink.irq, 0);
	CHECK_EQ(in(0), 0); /* empty FIFO reads 0 */
	/* The FIFO is bounded. */
	{
		uint8_t many[40];

		memset(many, 'x', sizeof(many));
		CHECK_EQ(serial__receive(s, many, sizeof(many)),
			 SERIAL_FIFO_LEN);
		CHECK_EQ(serial__receive(s, many, 1), 0);
		out(2, 0x03); /* clear the receive FIFO */
		CHECK_EQ(in(5) & 0x01, 0);
	}

	/* DLAB: divisor latches shadow RBR/IER. */
	out(3, 0x80);
	out(0, 0x01);
	out(1, 0x00);
	CHECK_EQ(in(0), 0x01);
	out(3, 0x03);
	CHECK_EQ(in(1), 0x01); /* IER unchanged by the divisor writes */

	/* Loopback: transmitted bytes come back, nothing leaves. */
	sink.n = 0;
	memset(sink.out, 0, sizeof(sink.out));
	out(4, 0x10);
	out(0, 'L');
	CHECK_EQ(sink.n, 0);
	CHECK_EQ(in(0), 'L');
	out(4, 0x1b); /* loop + DTR + RTS + OUT2 */
	CHECK_EQ(in(6) & 0xb0, 0xb0);
	out(4, 0x08);

	/* Hostile: wide accesses, scratch register, read-only registers. */
	out(7, 0x5a);
	CHECK_EQ(in(7), 0x5a);
	out(5, 0x00);
	CHECK_EQ(in(5) & 0x60, 0x60);
	memset(wide, 0, sizeof(wide));
	CHECK(bus__read(&bus, 0, 0x3f8 + 4, wide, 4));
	CHECK_EQ(wide[3], 0xff);
	CHECK(!bus__read(&bus, 0, 0x3f8 + 6, wide, 4)); /* straddles the end */
	CHECK(bus__write(&bus, 0, 0x3f8 + 7, wide, 1));

	serial__free(s);
	bus__exit(&bus);
	return check_summary("serial");
}
