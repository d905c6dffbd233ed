/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The part of the i8042 keyboard controller a guest needs without a
 * keyboard: the status port reads "nothing buffered", and command 0xfe
 * (pulse the reset line) on port 0x64 reboots the machine, the path
 * Linux's reboot takes when ACPI reset is unavailable.  The FADT does not
 * advertise an 8042, so Linux does not probe for a keyboard here.
 */
#ifndef HUPVM_I8042_H
#define HUPVM_I8042_H

#include "bus.h"

#define I8042_DATA_PORT 0x60u
#define I8042_CMD_PORT	0x64u
#define I8042_CMD_RESET 0xfeu

struct i8042_ops {
	void (*reset)(void *ctx);
};

struct i8042 {
	const struct i8042_ops *ops;
	void *ctx;
};

int i8042__register(struct i8042 *kbd, struct bus *pio);

#endif
