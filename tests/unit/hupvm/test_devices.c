// SPDX-License-Identifier: BSD-2-Clause
/*
 * The small board devices: ACPI PM1 (poweroff through SLP_TYP|SLP_EN in
 * one or two writes, reset register, status write-1-to-clear, odd
 * widths), CMOS RTC (BCD clock, index masking), i8042 reset, POST and the
 * empty PCI configuration space.
 */
#include <string.h>

#include "check.h"
#include "devices/acpi_pm.h"
#include "devices/cmos.h"
#include "devices/i8042.h"
#include "devices/legacy.h"

static struct bus bus;
static int slept = -1, resets;

static void on_sleep(void *ctx, int typ)
{
	(void)ctx;
	slept = typ;
}

static void on_reset(void *ctx)
{
	(void)ctx;
	resets++;
}

static uint64_t in(uint16_t port, uint32_t size)
{
	uint8_t v[8] = {0};

	bus__read(&bus, 0, port, v, size);
	return bus__get_le(v, size);
}

static void out(uint16_t port, uint32_t size, uint64_t val)
{
	uint8_t v[8];

	bus__put_le(v, size, val);
	bus__write(&bus, 0, port, v, size);
}

static void test_acpi_pm(void)
{
	static const struct acpi_pm_ops ops = {on_sleep, on_reset};
	struct acpi_pm *pm = acpi_pm__new(&ops, NULL);

	CHECK_EQ(acpi_pm__register(pm, &bus, 0x600), 0);
	CHECK_EQ(in(0x604, 2) & 1, 1); /* SCI_EN: already in ACPI mode */
	/* ACPICA: write SLP_TYP first, then SLP_TYP|SLP_EN. */
	out(0x604, 2, 5 << 10);
	CHECK_EQ(slept, -1);
	out(0x604, 2, 5 << 10 | 1 << 13);
	CHECK_EQ(slept, 5);
	CHECK_EQ(in(0x604, 2) & (1 << 13), 0); /* SLP_EN is write-only */
	/* The same through two byte writes (high byte carries SLP_EN). */
	slept = -1;
	out(0x604, 1, 0);
	out(0x605, 1, (3 << 2) | (1 << 5));
	CHECK_EQ(slept, 3);
	/* Enable register keeps what is written; status is W1C. */
	out(0x602, 2, 0x0120);
	CHECK_EQ(in(0x602, 2), 0x0120);
	CHECK_EQ(in(0x600, 4) >> 16, 0x0120);
	out(0x600, 2, 0xffff);
	CHECK_EQ(in(0x600, 2), 0);
	/* Reset register: only the advertised value resets. */
	out(0x608, 1, 0x01);
	CHECK_EQ(resets, 0);
	out(0x608, 1, ACPI_PM_RESET_VALUE);
	CHECK_EQ(resets, 1);
	/* Unused bytes of the block read all ones. */
	CHECK_EQ(in(0x60c, 4), 0xffffffffu);
	acpi_pm__free(pm);
}

static time_t fixed_time(void)
{
	return 1700000000; /* 2023-11-14 22:13:20 UTC, a Tuesday */
}

static void test_cmos(void)
{
	struct cmos *c = cmos__new(fixed_time);
	static const uint8_t want[][2] = {
	    {0x00, 0x20}, {0x02, 0x13}, {0x04, 0x22}, {0x06, 0x03},
	    {0x07, 0x14}, {0x08, 0x11}, {0x09, 0x23}, {0x32, 0x20},
	    {0x0a, 0x26}, {0x0b, 0x02}, {0x0c, 0x00}, {0x0d, 0x80},
	};

	CHECK_EQ(cmos__register(c, &bus), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		out(0x70, 1, 0x80 | want[i][0]); /* NMI-mask bit is ignored */
		CHECK_EQ(in(0x71, 1), want[i][1]);
	}
	out(0x70, 1, 0x40);
	out(0x71, 1, 0xab);
	CHECK_EQ(in(0x71, 1), 0xab);
	out(0x70, 1, 0x00);
	out(0x71, 1, 0x59); /* the clock is read-only */
	CHECK_EQ(in(0x71, 1), 0x20);
	out(0x70, 1, 0x0b);
	out(0x71, 1, 0x06); /* binary mode refused: stays BCD */
	CHECK_EQ(in(0x71, 1) & 0x04, 0);
	CHECK_EQ(in(0x71, 2) >> 8, 0xff);
	cmos__free(c);
}

static void test_i8042_legacy(void)
{
	static const struct i8042_ops kops = {on_reset};
	struct i8042 kbd = {&kops, NULL};
	struct legacy lg;

	resets = 0;
	CHECK_EQ(i8042__register(&kbd, &bus), 0);
	CHECK_EQ(in(0x64, 1), 0);
	out(0x64, 1, 0xd1);
	CHECK_EQ(resets, 0);
	out(0x64, 1, 0xfe);
	CHECK_EQ(resets, 1);

	CHECK_EQ(legacy__register(&lg, &bus), 0);
	out(0x80, 1, 0x42);
	CHECK_EQ(lg.post, 0x42);
	out(0xcf8, 4, 0x80000000);
	CHECK_EQ(in(0xcf8, 4), 0x80000000);
	out(0xcf8, 1, 0x12); /* byte writes do not change the latch */
	CHECK_EQ(in(0xcf8, 4), 0x80000000);
	CHECK_EQ(in(0xcfc, 4), 0xffffffffu); /* vendor id ffff: no device */
	CHECK_EQ(in(0xcfe, 2), 0xffff);
}

int main(void)
{
	bus__init(&bus, "pio");
	test_acpi_pm();
	test_cmos();
	test_i8042_legacy();
	bus__exit(&bus);
	return check_summary("devices");
}
