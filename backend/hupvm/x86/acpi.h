/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI tables: RSDP -> XSDT -> {FADT, MADT}; FADT -> {FACS, DSDT}.
 * The 6.1 cloud kernel has no MP-table parser (CONFIG_X86_MPPARSE off), so
 * the MADT is how it finds its CPUs and the IOAPIC, and the FADT plus the
 * DSDT's \_S5 object are how `poweroff` reaches our PM1a control port.
 *
 * acpi__build writes into a caller buffer that will appear at guest
 * physical address gpa; it is pure so unit tests can parse the result.
 */
#ifndef HUPVM_X86_ACPI_H
#define HUPVM_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS	64u
#define ACPI_S5_SLP_TYP 5u /* the SLP_TYP our DSDT gives \_S5 */

struct acpi_config {
	uint32_t nr_cpus; /* APIC ids 0..nr_cpus-1 */
	uint16_t pm_port; /* devices/acpi_pm.h layout */
	uint8_t sci_irq;
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
	uint32_t lapic_addr;
};

/* Returns 0 and the RSDP address, -ENOSPC if len is too small, -EINVAL. */
int acpi__build(uint8_t *buf, size_t len, uint64_t gpa,
		const struct acpi_config *cfg, uint64_t *rsdp_gpa);
/* The byte sum ACPI checksums make zero (exposed for tests). */
uint8_t acpi__sum(const uint8_t *p, size_t len);

#endif
