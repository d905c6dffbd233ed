// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACPI PM1a event/control blocks and reset register (see acpi_pm.h).
 * ACPICA accesses these with the widths the FADT's generic address
 * structures give, but a guest may use any width at any offset: the block
 * is modelled as a little register file updated byte by byte, and the
 * side effects are evaluated once per access.
 */
#include "acpi_pm.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct acpi_pm {
	pthread_mutex_t lock;
	const struct acpi_pm_ops *ops;
	void *ctx;
	uint16_t sts, en, cnt;
};

struct acpi_pm *acpi_pm__new(const struct acpi_pm_ops *ops, void *ctx)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	pthread_mutex_init(&pm->lock, NULL);
	pm->ops = ops;
	pm->ctx = ctx;
	pm->cnt = ACPI_PM1_CNT_SCI_EN;
	return pm;
}

void acpi_pm__free(struct acpi_pm *pm)
{
	if (!pm)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}

static uint8_t read_byte_locked(const struct acpi_pm *pm, uint64_t off)
{
	switch (off) {
	case 0:
		return (uint8_t)pm->sts;
	case 1:
		return (uint8_t)(pm->sts >> 8);
	case 2:
		return (uint8_t)pm->en;
	case 3:
		return (uint8_t)(pm->en >> 8);
	case 4:
		return (uint8_t)(pm->cnt | ACPI_PM1_CNT_SCI_EN);
	case 5:
		return (uint8_t)(pm->cnt >> 8);
	default:
		return off == ACPI_PM_RESET_OFF ? 0 : 0xff;
	}
}

static void pm_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
		    uint32_t size)
{
	struct acpi_pm *pm = opaque;

	(void)cpu;
	pthread_mutex_lock(&pm->lock);
	for (uint32_t i = 0; i < size; i++)
		data[i] = read_byte_locked(pm, off + i);
	pthread_mutex_unlock(&pm->lock);
}

static void set_byte(uint16_t *reg, unsigned int hi, uint8_t v)
{
	if (hi)
		*reg = (uint16_t)((*reg & 0x00ff) | (v << 8));
	else
		*reg = (uint16_t)((*reg & 0xff00) | v);
}

static void pm_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		     uint32_t size)
{
	struct acpi_pm *pm = opaque;
	bool cnt_written = false, reset = false;
	int slp_typ = -1;

	(void)cpu;
	pthread_mutex_lock(&pm->lock);
	for (uint32_t i = 0; i < size; i++) {
		uint64_t o = off + i;
		uint8_t v = data[i];

		if (o < 2)
			pm->sts &=
			    (uint16_t) ~(o ? v << 8 : v); /* write 1 to clear */
		else if (o < 4)
			set_byte(&pm->en, (unsigned int)(o - 2), v);
		else if (o < 6) {
			set_byte(&pm->cnt, (unsigned int)(o - 4), v);
			cnt_written = true;
		} else if (o == ACPI_PM_RESET_OFF && v == ACPI_PM_RESET_VALUE)
			reset = true;
	}
	if (cnt_written && (pm->cnt & ACPI_PM1_CNT_SLP_EN)) {
		slp_typ = (pm->cnt >> ACPI_PM1_SLP_TYP_SHIFT) & 7;
		pm->cnt &= (uint16_t)~ACPI_PM1_CNT_SLP_EN; /* write-only bit */
	}
	pthread_mutex_unlock(&pm->lock);
	/* Callbacks run unlocked: they may stop the whole VM. */
	if (slp_typ >= 0 && pm->ops && pm->ops->sleep)
		pm->ops->sleep(pm->ctx, slp_typ);
	if (reset && pm->ops && pm->ops->reset)
		pm->ops->reset(pm->ctx);
}

static const struct bus_dev_ops acpi_pm_bus_ops = {
    .read = pm_read,
    .write = pm_write,
};

int acpi_pm__register(struct acpi_pm *pm, struct bus *pio, uint16_t base)
{
	return bus__register(pio, base, ACPI_PM_NR_PORTS, &acpi_pm_bus_ops, pm,
			     "acpi-pm");
}
