// SPDX-License-Identifier: BSD-2-Clause
/*
 * 16550A UART model.  Register map (offset from the base port, DLAB = LCR
 * bit 7):
 *   0  RBR (read) / THR (write)      DLAB: DLL
 *   1  IER                           DLAB: DLM
 *   2  IIR (read) / FCR (write)
 *   3  LCR   4  MCR   5  LSR   6  MSR   7  SCR
 * Linux probes the type by writing FCR and reading IIR bits 7:6 (11 means
 * a 16550A with FIFOs), and checks THRE interrupts by toggling IER.THRI:
 * enabling THRI while the transmitter is empty must raise THRE at once.
 * Every access is one byte wide; wider ones are treated as their low byte
 * (writes) or answered 0xff in the upper bytes (reads).
 */
#include "serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define UART_IER_RDI	    0x01
#define UART_IER_THRI	    0x02
#define UART_IER_MSI	    0x08
#define UART_IIR_NO_INT	    0x01
#define UART_IIR_MSI	    0x00
#define UART_IIR_THRI	    0x02
#define UART_IIR_RDI	    0x04
#define UART_IIR_FIFO	    0xc0
#define UART_FCR_ENABLE	    0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_LCR_DLAB	    0x80
#define UART_MCR_OUT2	    0x08
#define UART_MCR_LOOP	    0x10
#define UART_LSR_DR	    0x01
#define UART_LSR_THRE	    0x20
#define UART_LSR_TEMT	    0x40
#define UART_MSR_CTS	    0x10
#define UART_MSR_DSR	    0x20
#define UART_MSR_RI	    0x40
#define UART_MSR_DCD	    0x80

struct serial {
	pthread_mutex_t lock;
	const struct serial_ops *ops;
	void *ctx;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_pending; /* THRE interrupt latched, cleared by IIR read */
	int irq_level;	  /* what the line was last set to */
	uint8_t fifo[SERIAL_FIFO_LEN];
	unsigned int head, count;
};

struct serial *serial__new(const struct serial_ops *ops, void *ctx)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->ops = ops;
	s->ctx = ctx;
	s->dll = 12; /* 9600 baud, as after a BIOS */
	s->mcr = UART_MCR_OUT2;
	return s;
}

void serial__free(struct serial *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static uint8_t iir_locked(const struct serial *s)
{
	uint8_t fifo = (s->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	if ((s->ier & UART_IER_RDI) && s->count)
		return fifo | UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_pending)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NO_INT;
}

/* Recompute the IRQ line; called with the lock held after any change. */
static void update_irq_locked(struct serial *s)
{
	int level = !(iir_locked(s) & UART_IIR_NO_INT);

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->ops && s->ops->set_irq)
			s->ops->set_irq(s->ctx, level);
	}
}

static uint8_t pop_locked(struct serial *s)
{
	uint8_t b;

	if (!s->count)
		return 0;
	b = s->fifo[s->head];
	s->head = (s->head + 1) % SERIAL_FIFO_LEN;
	s->count--;
	return b;
}

static uint8_t msr_locked(const struct serial *s)
{
	if (s->mcr & UART_MCR_LOOP) {
		/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
		return (
		    uint8_t)(((s->mcr & 0x01) << 5) | ((s->mcr & 0x02) << 3) |
			     ((s->mcr & 0x04) << 4) | ((s->mcr & 0x08) << 4));
	}
	return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
}

static uint8_t read_reg_locked(struct serial *s, unsigned int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case 0:
		if (dlab)
			return s->dll;
		return pop_locked(s);
	case 1:
		return dlab ? s->dlm : s->ier;
	case 2:
		v = iir_locked(s);
		if ((v & 0x0f) == UART_IIR_THRI)
			s->thr_pending =
			    false; /* reading IIR acknowledges THRE */
		return v;
	case 3:
		return s->lcr;
	case 4:
		return s->mcr;
	case 5:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (s->count ? UART_LSR_DR : 0);
	case 6:
		return msr_locked(s);
	default:
		return s->scr;
	}
}

static void write_reg_locked(struct serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			s->dll = v;
			break;
		}
		if (s->mcr & UART_MCR_LOOP) {
			if (s->count < SERIAL_FIFO_LEN) {
				s->fifo[(s->head + s->count) %
					SERIAL_FIFO_LEN] = v;
				s->count++;
			}
		} else if (s->ops && s->ops->tx) {
			s->ops->tx(s->ctx, v);
		}
		s->thr_pending = true; /* sent at once: THR empty again */
		break;
	case 1:
		if (dlab) {
			s->dlm = v;
			break;
		}
		/* Enabling THRI with an empty THR raises THRE immediately. */
		if (!(s->ier & UART_IER_THRI) && (v & UART_IER_THRI))
			s->thr_pending = true;
		s->ier = v & 0x0f;
		break;
	case 2:
		s->fcr = v & 0xc9; /* enable, trigger level, DMA mode */
		if (v & UART_FCR_CLEAR_RCVR)
			s->head = s->count = 0;
		break;
	case 3:
		s->lcr = v;
		break;
	case 4:
		s->mcr = v & 0x1f;
		break;
	case 7:
		s->scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}

static void serial_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
			uint32_t size)
{
	struct serial *s = opaque;

	(void)cpu;
	for (uint32_t i = 0; i < size; i++)
		data[i] = 0xff;
	if (off >= SERIAL_NR_PORTS)
		return;
	pthread_mutex_lock(&s->lock);
	data[0] = read_reg_locked(s, (unsigned int)off);
	update_irq_locked(s);
	pthread_mutex_unlock(&s->lock);
}

static void serial_write(void *opaque, int cpu, uint64_t off,
			 const uint8_t *data, uint32_t size)
{
	struct serial *s = opaque;

	(void)cpu;
	if (off >= SERIAL_NR_PORTS || !size)
		return;
	pthread_mutex_lock(&s->lock);
	write_reg_locked(s, (unsigned int)off, data[0]);
	update_irq_locked(s);
	pthread_mutex_unlock(&s->lock);
}

static const struct bus_dev_ops serial_bus_ops = {
    .read = serial_read,
    .write = serial_write,
};

int serial__register(struct serial *s, struct bus *pio, uint16_t base)
{
	return bus__register(pio, base, SERIAL_NR_PORTS, &serial_bus_ops, s,
			     "serial");
}

size_t serial__receive(struct serial *s, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	pthread_mutex_lock(&s->lock);
	while (done < n && s->count < SERIAL_FIFO_LEN) {
		s->fifo[(s->head + s->count) % SERIAL_FIFO_LEN] = buf[done++];
		s->count++;
	}
	update_irq_locked(s);
	pthread_mutex_unlock(&s->lock);
	return done;
}
