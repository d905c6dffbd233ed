// SPDX-License-Identifier: BSD-2-Clause
/*
 * The ACPI tables as the guest's ACPICA will walk them: RSDP checksums and
 * XSDT pointer, every table's checksum, the FADT's PM1a/reset/DSDT/FACS
 * fields, the DSDT's \_S5 package, and a MADT with one enabled local APIC
 * per vCPU, the IOAPIC and the SCI override.  Also the refusals.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "devices/acpi_pm.h"
#include "x86/acpi.h"

#define BASE 0xe0000u
static uint8_t buf[0x20000];

static uint64_t rd(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static const uint8_t *at(uint64_t gpa)
{
	if (gpa < BASE || gpa >= BASE + sizeof(buf))
		return NULL;
	return buf + (gpa - BASE);
}

static void check_table(const uint8_t *t, const char *sig)
{
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(!memcmp(t, sig, 4));
	CHECK_EQ(acpi__sum(t, (size_t)rd(t + 4, 4)), 0);
}

static void test_tables(uint32_t cpus)
{
	struct acpi_config cfg = {
	    .nr_cpus = cpus,
	    .pm_port = 0x600,
	    .sci_irq = 9,
	    .ioapic_id = 0,
	    .ioapic_addr = 0xfec00000,
	    .lapic_addr = 0xfee00000,
	};
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt, *facs, *p, *end;
	uint64_t rsdp_gpa = 0;
	unsigned int lapics = 0, ioapics = 0, isos = 0;

	CHECK_EQ(acpi__build(buf, sizeof(buf), BASE, &cfg, &rsdp_gpa), 0);
	rsdp = at(rsdp_gpa);
	CHECK(rsdp && !memcmp(rsdp, "RSD PTR ", 8));
	CHECK_EQ(rsdp_gpa % 16, 0);
	CHECK_EQ(acpi__sum(rsdp, 20), 0);
	CHECK_EQ(acpi__sum(rsdp, 36), 0);
	CHECK_EQ(rsdp[15], 2);
	xsdt = at(rd(rsdp + 24, 8));
	check_table(xsdt, "XSDT");
	CHECK_EQ(rd(xsdt + 4, 4), 36 + 16);
	fadt = at(rd(xsdt + 36, 8));
	madt = at(rd(xsdt + 44, 8));
	check_table(fadt, "FACP");
	check_table(madt, "APIC");

	CHECK_EQ(rd(fadt + 46, 2), 9);	   /* SCI_INT */
	CHECK_EQ(rd(fadt + 48, 4), 0);	   /* no SMI_CMD */
	CHECK_EQ(rd(fadt + 56, 4), 0x600); /* PM1a_EVT_BLK */
	CHECK_EQ(rd(fadt + 64, 4), 0x604); /* PM1a_CNT_BLK */
	CHECK_EQ(fadt[88], 4);
	CHECK_EQ(fadt[89], 2);
	CHECK_EQ(rd(fadt + 109, 2) & 2, 0);    /* no 8042 */
	CHECK(rd(fadt + 112, 4) & (1u << 10)); /* RESET_REG_SUP */
	CHECK_EQ(fadt[116], 1);		       /* reset reg in I/O space */
	CHECK_EQ(rd(fadt + 120, 8), 0x608);
	CHECK_EQ(fadt[128], ACPI_PM_RESET_VALUE);
	CHECK_EQ(rd(fadt + 172 + 4, 8), 0x604);	       /* X_PM1a_CNT_BLK */
	CHECK_EQ(rd(fadt + 140, 8), rd(fadt + 40, 4)); /* X_DSDT == DSDT */
	dsdt = at(rd(fadt + 140, 8));
	facs = at(rd(fadt + 132, 8));
	check_table(dsdt, "DSDT");
	CHECK(facs && !memcmp(facs, "FACS", 4));
	CHECK_EQ(rd(fadt + 132, 8) % 64, 0);
	CHECK(dsdt && memmem(dsdt, (size_t)rd(dsdt + 4, 4), "_S5_\x12", 5));

	CHECK_EQ(rd(madt + 36, 4), 0xfee00000);
	end = madt + rd(madt + 4, 4);
	for (p = madt + 44; p < end && p[1]; p += p[1]) {
		switch (p[0]) {
		case 0:
			CHECK_EQ(p[3], lapics);	       /* APIC id = index */
			CHECK_EQ(rd(p + 4, 4) & 1, 1); /* enabled */
			lapics++;
			break;
		case 1:
			CHECK_EQ(rd(p + 4, 4), 0xfec00000);
			ioapics++;
			break;
		case 2:
			CHECK_EQ(p[3], 9);
			CHECK_EQ(rd(p + 8, 2), 0x000d); /* level, active high */
			isos++;
			break;
		default:
			break;
		}
	}
	CHECK(p == end);
	CHECK_EQ(lapics, cpus);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(isos, 1);
}

int main(void)
{
	struct acpi_config cfg = {.nr_cpus = 1, .pm_port = 0x600, .sci_irq = 9};
	uint64_t rsdp;

	test_tables(1);
	test_tables(2);
	test_tables(ACPI_MAX_CPUS);
	CHECK_EQ(acpi__build(buf, 200, BASE, &cfg, &rsdp), -ENOSPC);
	cfg.nr_cpus = 0;
	CHECK_EQ(acpi__build(buf, sizeof(buf), BASE, &cfg, &rsdp), -EINVAL);
	cfg.nr_cpus = ACPI_MAX_CPUS + 1;
	CHECK_EQ(acpi__build(buf, sizeof(buf), BASE, &cfg, &rsdp), -EINVAL);
	return check_summary("acpi");
}
