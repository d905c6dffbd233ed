/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A 16550A UART (the guest's ttyS0): transmit is instantaneous, so THR is
 * always empty; receive goes through a 16-byte FIFO fed by serial__receive.
 * The interrupt line and the byte sink are callbacks, so the device runs
 * (and is unit-tested) without KVM.
 */
#ifndef HUPVM_SERIAL_H
#define HUPVM_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"

#define SERIAL_NR_PORTS 8u
#define SERIAL_FIFO_LEN 16u

struct serial_ops {
	void (*set_irq)(void *ctx, int level); /* level of the IRQ line */
	void (*tx)(void *ctx, uint8_t byte);   /* a byte the guest sent */
};

struct serial;

struct serial *serial__new(const struct serial_ops *ops, void *ctx);
void serial__free(struct serial *s);
int serial__register(struct serial *s, struct bus *pio, uint16_t base);
/* Queue host input; returns how many bytes fitted in the receive FIFO. */
size_t serial__receive(struct serial *s, const uint8_t *buf, size_t n);

#endif
