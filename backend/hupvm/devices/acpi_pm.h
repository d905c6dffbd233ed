/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI fixed hardware the FADT points at: the PM1a event block (status and
 * enable, 2 bytes each), the PM1a control block and a reset register, laid
 * out in one port range:
 *   base+0  PM1a_STS (write 1 to clear)   base+2  PM1a_EN
 *   base+4  PM1a_CNT                      base+8  RESET_REG
 * A PM1a_CNT write with SLP_EN set reports the sleep type (the guest's
 * `poweroff` writes the \_S5 value from our DSDT); a write of the reset
 * value to RESET_REG reports a reset.  SCI_EN always reads as 1: the
 * platform is born in ACPI mode and has no SMI command port.
 */
#ifndef HUPVM_ACPI_PM_H
#define HUPVM_ACPI_PM_H

#include <stdint.h>

#include "bus.h"

#define ACPI_PM_NR_PORTS       0x10u
#define ACPI_PM1_EVT_OFF       0x0u
#define ACPI_PM1_EVT_LEN       4u
#define ACPI_PM1_CNT_OFF       0x4u
#define ACPI_PM1_CNT_LEN       2u
#define ACPI_PM_RESET_OFF      0x8u
#define ACPI_PM_RESET_VALUE    0x0eu
#define ACPI_PM1_CNT_SCI_EN    0x0001u
#define ACPI_PM1_CNT_SLP_EN    0x2000u
#define ACPI_PM1_SLP_TYP_SHIFT 10

struct acpi_pm_ops {
	void (*sleep)(void *ctx, int slp_typ); /* SLP_EN written */
	void (*reset)(void *ctx);	       /* reset value written */
};

struct acpi_pm;

struct acpi_pm *acpi_pm__new(const struct acpi_pm_ops *ops, void *ctx);
void acpi_pm__free(struct acpi_pm *pm);
int acpi_pm__register(struct acpi_pm *pm, struct bus *pio, uint16_t base);

#endif
