// SPDX-License-Identifier: BSD-2-Clause
/*
 * Minimal MC146818 CMOS RTC (see cmos.h).  Registers A-D read as a healthy
 * RTC: A = 32.768 kHz time base, UIP clear; B = 24h + BCD; C = no flags;
 * D = valid RAM and time.
 */
#include "cmos.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CMOS_NR_REGS 128u
#define RTC_REG_A    0x0a
#define RTC_REG_B    0x0b
#define RTC_REG_C    0x0c
#define RTC_REG_D    0x0d
#define RTC_CENTURY  0x32

struct cmos {
	pthread_mutex_t lock;
	time_t (*now)(void);
	uint8_t index;
	uint8_t regs[CMOS_NR_REGS];
};

static time_t cmos_time(void)
{
	return time(NULL);
}

struct cmos *cmos__new(time_t (*now)(void))
{
	struct cmos *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->now = now ? now : cmos_time;
	c->regs[RTC_REG_A] = 0x26;
	c->regs[RTC_REG_B] = 0x02;
	c->regs[RTC_REG_D] = 0x80;
	return c;
}

void cmos__free(struct cmos *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) % 10) << 4 | (v % 10));
}

static uint8_t read_reg_locked(struct cmos *c, uint8_t reg)
{
	time_t t = c->now();
	struct tm tm;

	if (reg <= 9 || reg == RTC_CENTURY) {
		if (!gmtime_r(&t, &tm))
			memset(&tm, 0, sizeof(tm));
		switch (reg) {
		case 0x00:
			return bcd(tm.tm_sec);
		case 0x02:
			return bcd(tm.tm_min);
		case 0x04:
			return bcd(tm.tm_hour);
		case 0x06:
			return bcd(tm.tm_wday + 1);
		case 0x07:
			return bcd(tm.tm_mday);
		case 0x08:
			return bcd(tm.tm_mon + 1);
		case 0x09:
			return bcd(tm.tm_year % 100);
		case RTC_CENTURY:
			return bcd(19 + tm.tm_year / 100);
		default:
			return c->regs[reg]; /* alarm registers */
		}
	}
	if (reg == RTC_REG_C)
		return 0; /* no interrupt flags, and reading clears them */
	return c->regs[reg];
}

static void cmos_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
		      uint32_t size)
{
	struct cmos *c = opaque;

	(void)cpu;
	memset(data, 0xff, size);
	pthread_mutex_lock(&c->lock);
	if (off == 0)
		data[0] = c->index;
	else
		data[0] = read_reg_locked(c, c->index);
	pthread_mutex_unlock(&c->lock);
}

static void cmos_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		       uint32_t size)
{
	struct cmos *c = opaque;
	uint8_t reg;

	(void)cpu;
	(void)size;
	pthread_mutex_lock(&c->lock);
	if (off == 0) {
		c->index = data[0] & 0x7f; /* bit 7 masks NMI: ignored */
	} else {
		reg = c->index;
		/* The clock and status C/D are read-only; UIP is never set. */
		if (reg == RTC_REG_A)
			c->regs[reg] = data[0] & 0x7f;
		else if (reg == RTC_REG_B)
			c->regs[reg] = (uint8_t)((data[0] & ~0x04) | 0x02);
		else if (reg > 9 && reg != RTC_REG_C && reg != RTC_REG_D &&
			 reg != RTC_CENTURY)
			c->regs[reg] = data[0];
	}
	pthread_mutex_unlock(&c->lock);
}

static const struct bus_dev_ops cmos_bus_ops = {
    .read = cmos_read,
    .write = cmos_write,
};

int cmos__register(struct cmos *c, struct bus *pio)
{
	return bus__register(pio, CMOS_BASE_PORT, CMOS_NR_PORTS, &cmos_bus_ops,
			     c, "cmos");
}
