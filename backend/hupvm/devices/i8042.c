// SPDX-License-Identifier: BSD-2-Clause
/*
 * i8042 reset line (see i8042.h).  Stateless: reads of either port return
 * 0 (empty output buffer, empty input buffer), writes other than the reset
 * command are dropped.
 */
#include "i8042.h"

#include <string.h>

static void kbd_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
		     uint32_t size)
{
	(void)opaque;
	(void)cpu;
	(void)off;
	memset(data, 0, size);
}

static void kbd_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		      uint32_t size)
{
	struct i8042 *kbd = opaque;

	(void)cpu;
	(void)off;
	(void)size;
	if (data[0] == I8042_CMD_RESET && kbd->ops && kbd->ops->reset)
		kbd->ops->reset(kbd->ctx);
}

static void data_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		       uint32_t size)
{
	(void)opaque;
	(void)cpu;
	(void)off;
	(void)data;
	(void)size;
}

static const struct bus_dev_ops i8042_cmd_ops = {
    .read = kbd_read,
    .write = kbd_write,
};

static const struct bus_dev_ops i8042_data_ops = {
    .read = kbd_read,
    .write = data_write,
};

int i8042__register(struct i8042 *kbd, struct bus *pio)
{
	int err;

	err = bus__register(pio, I8042_DATA_PORT, 1, &i8042_data_ops, kbd,
			    "i8042-data");
	if (err)
		return err;
	return bus__register(pio, I8042_CMD_PORT, 1, &i8042_cmd_ops, kbd,
			     "i8042-cmd");
}
