// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACPI table builder (see acpi.h).  Offsets are those of the ACPI 6.x
 * specification; each table is written field by field into a zeroed
 * buffer, then checksummed so its bytes sum to zero.  Choices:
 *  - the MADT routes ISA IRQs identity-mapped onto IOAPIC pins, matching
 *    KVM's default GSI routing (GSI n -> PIC and IOAPIC pin n), with one
 *    interrupt source override: the SCI, level-triggered active-high;
 *  - the FADT is a full (not hardware-reduced) one so the kernel keeps the
 *    PIT and legacy PIC; it has no SMI command port (always in ACPI mode),
 *    no 8042 and no VGA (IAPC_BOOT_ARCH), a reset register, and points at
 *    a DSDT whose only object is \_S5.
 */
#include "acpi.h"

#include <errno.h>
#include <string.h>

#include "devices/acpi_pm.h"

#define FADT_REVISION	     6
#define FADT_LEN	     276
#define MADT_REVISION	     3
#define ACPI_HDR_LEN	     36
#define GAS_SYSTEM_IO	     1
#define FADT_F_WBINVD	     (1u << 0)
#define FADT_F_PWR_BUTTON    (1u << 4) /* no fixed power button */
#define FADT_F_SLP_BUTTON    (1u << 5) /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_BOOT_NO_VGA     (1u << 2)
#define MADT_PCAT_COMPAT     1u
#define MADT_LAPIC	     0
#define MADT_IOAPIC	     1
#define MADT_ISO	     2
#define MADT_LAPIC_NMI	     4
#define MPS_LEVEL_HIGH	     0x000d /* trigger level (3<<2), polarity high (1) */

/* DefinitionBlock body: Name (_S5, Package () { 5, 5, 0, 0 }) */
static const uint8_t dsdt_aml[] = {
    0x08, '_',
    'S',  '5',
    '_', /* NameOp "_S5_" */
    0x12, 0x08,
    0x04,		   /* PackageOp, PkgLength 8, 4 elements */
    0x0a, ACPI_S5_SLP_TYP, /* BytePrefix SLP_TYPa */
    0x0a, ACPI_S5_SLP_TYP, /* BytePrefix SLP_TYPb */
    0x00, 0x00,		   /* ZeroOp, ZeroOp (reserved) */
};

struct builder {
	uint8_t *buf;
	size_t len, pos;
	uint64_t gpa;
};

uint8_t acpi__sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void put8(uint8_t *p, size_t off, uint8_t v)
{
	p[off] = v;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

/* Reserve len bytes aligned to align; returns NULL when out of space. */
static uint8_t *alloc(struct builder *b, size_t len, size_t align,
		      uint64_t *gpa)
{
	size_t pos = (b->pos + align - 1) & ~(align - 1);

	if (pos > b->len || len > b->len - pos)
		return NULL;
	b->pos = pos + len;
	*gpa = b->gpa + pos;
	return b->buf + pos;
}

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t, 4, len);
	put8(t, 8, rev);
	memcpy(t + 10, "HUPVM ", 6);   /* OEM id */
	memcpy(t + 16, "HUPVMTBL", 8); /* OEM table id */
	put32(t, 24, 1);	       /* OEM revision */
	memcpy(t + 28, "HUPV", 4);     /* creator id */
	put32(t, 32, 1);	       /* creator revision */
}

static void finish(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - acpi__sum(t, len));
}

static void gas_io(uint8_t *p, size_t off, uint8_t bits, uint8_t access,
		   uint64_t port)
{
	put8(p, off, GAS_SYSTEM_IO);
	put8(p, off + 1, bits);
	put8(p, off + 2, 0);
	put8(p, off + 3, access); /* 1 byte, 2 word, 3 dword */
	put64(p, off + 4, port);
}

static void fill_fadt(uint8_t *t, const struct acpi_config *cfg, uint64_t facs,
		      uint64_t dsdt)
{
	uint32_t evt = cfg->pm_port + ACPI_PM1_EVT_OFF;
	uint32_t cnt = cfg->pm_port + ACPI_PM1_CNT_OFF;

	header(t, "FACP", FADT_LEN, FADT_REVISION);
	put32(t, 36, (uint32_t)facs);	 /* FIRMWARE_CTRL */
	put32(t, 40, (uint32_t)dsdt);	 /* DSDT */
	put16(t, 46, cfg->sci_irq);	 /* SCI_INT */
	put32(t, 56, evt);		 /* PM1a_EVT_BLK */
	put32(t, 64, cnt);		 /* PM1a_CNT_BLK */
	put8(t, 88, ACPI_PM1_EVT_LEN);	 /* PM1_EVT_LEN */
	put8(t, 89, ACPI_PM1_CNT_LEN);	 /* PM1_CNT_LEN */
	put16(t, 96, 101);		 /* P_LVL2_LAT: C2 unsupported */
	put16(t, 98, 1001);		 /* P_LVL3_LAT: C3 unsupported */
	put16(t, 109, FADT_BOOT_NO_VGA); /* IAPC_BOOT_ARCH: no 8042 */
	put32(t, 112,
	      FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
		  FADT_F_RESET_REG_SUP);
	gas_io(t, 116, 8, 1, cfg->pm_port + ACPI_PM_RESET_OFF); /* RESET_REG */
	put8(t, 128, ACPI_PM_RESET_VALUE);
	put64(t, 132, facs);			      /* X_FIRMWARE_CTRL */
	put64(t, 140, dsdt);			      /* X_DSDT */
	gas_io(t, 148, 8 * ACPI_PM1_EVT_LEN, 2, evt); /* X_PM1a_EVT_BLK */
	gas_io(t, 172, 8 * ACPI_PM1_CNT_LEN, 2, cnt); /* X_PM1a_CNT_BLK */
	finish(t, FADT_LEN);
}

static uint32_t madt_len(uint32_t nr_cpus)
{
	return 44 + 8 * nr_cpus + 12 + 10 + 6;
}

static void fill_madt(uint8_t *t, const struct acpi_config *cfg)
{
	uint32_t len = madt_len(cfg->nr_cpus);
	size_t p = 44;

	header(t, "APIC", len, MADT_REVISION);
	put32(t, 36, cfg->lapic_addr);
	put32(t, 40, MADT_PCAT_COMPAT); /* dual 8259s present */
	for (uint32_t i = 0; i < cfg->nr_cpus; i++, p += 8) {
		put8(t, p, MADT_LAPIC);
		put8(t, p + 1, 8);
		put8(t, p + 2, (uint8_t)i); /* ACPI processor UID */
		put8(t, p + 3, (uint8_t)i); /* APIC id = KVM vcpu id */
		put32(t, p + 4, 1);	    /* enabled */
	}
	put8(t, p, MADT_IOAPIC);
	put8(t, p + 1, 12);
	put8(t, p + 2, cfg->ioapic_id);
	put32(t, p + 4, cfg->ioapic_addr);
	put32(t, p + 8, 0); /* GSI base */
	p += 12;
	put8(t, p, MADT_ISO);
	put8(t, p + 1, 10);
	put8(t, p + 2, 0);	       /* ISA bus */
	put8(t, p + 3, cfg->sci_irq);  /* source IRQ */
	put32(t, p + 4, cfg->sci_irq); /* GSI */
	put16(t, p + 8, MPS_LEVEL_HIGH);
	p += 10;
	put8(t, p, MADT_LAPIC_NMI);
	put8(t, p + 1, 6);
	put8(t, p + 2, 0xff); /* all processors */
	put16(t, p + 3, 0);   /* flags: bus default */
	put8(t, p + 5, 1);    /* LINT1 */
	finish(t, len);
}

int acpi__build(uint8_t *buf, size_t len, uint64_t gpa,
		const struct acpi_config *cfg, uint64_t *rsdp_gpa)
{
	struct builder b = {buf, len, 0, gpa};
	uint64_t rsdp_a = 0, xsdt_a = 0, fadt_a = 0, facs_a = 0, dsdt_a = 0,
		 madt_a = 0;
	uint8_t *rsdp, *xsdt, *fadt, *facs, *dsdt, *madt;
	uint32_t dsdt_len = ACPI_HDR_LEN + sizeof(dsdt_aml);

	if (!cfg->nr_cpus || cfg->nr_cpus > ACPI_MAX_CPUS)
		return -EINVAL;
	memset(buf, 0, len);
	rsdp = alloc(&b, 36, 16, &rsdp_a); /* spec: 16-byte aligned */
	xsdt = alloc(&b, ACPI_HDR_LEN + 2 * 8, 8, &xsdt_a);
	fadt = alloc(&b, FADT_LEN, 8, &fadt_a);
	facs = alloc(&b, 64, 64, &facs_a); /* spec: 64-byte aligned */
	dsdt = alloc(&b, dsdt_len, 8, &dsdt_a);
	madt = alloc(&b, madt_len(cfg->nr_cpus), 8, &madt_a);
	if (!rsdp || !xsdt || !fadt || !facs || !dsdt || !madt)
		return -ENOSPC;
	if (madt_a + madt_len(cfg->nr_cpus) > UINT32_MAX)
		return -EINVAL; /* FADT's 32-bit fields must reach FACS/DSDT */

	memcpy(facs, "FACS", 4);
	put32(facs, 4, 64);
	put32(facs, 32, 2); /* version */

	header(dsdt, "DSDT", dsdt_len, 2);
	memcpy(dsdt + ACPI_HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	finish(dsdt, dsdt_len);

	fill_fadt(fadt, cfg, facs_a, dsdt_a);
	fill_madt(madt, cfg);

	header(xsdt, "XSDT", ACPI_HDR_LEN + 2 * 8, 1);
	put64(xsdt, ACPI_HDR_LEN, fadt_a);
	put64(xsdt, ACPI_HDR_LEN + 8, madt_a);
	finish(xsdt, ACPI_HDR_LEN + 2 * 8);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "HUPVM ", 6);
	put8(rsdp, 15, 2);   /* revision: ACPI 2.0+ */
	put32(rsdp, 20, 36); /* length */
	put64(rsdp, 24, xsdt_a);
	rsdp[8] = (uint8_t)(0x100 - acpi__sum(rsdp, 20));
	rsdp[32] = (uint8_t)(0x100 - acpi__sum(rsdp, 36));
	*rsdp_gpa = rsdp_a;
	return 0;
}
