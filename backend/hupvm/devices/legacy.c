// SPDX-License-Identifier: BSD-2-Clause
/*
 * POST port and PCI configuration mechanism #1 with an empty bus (see
 * legacy.h).  The address latch only takes 32-bit writes, as on real
 * chipsets; Linux's type-1 probe reads it back to detect the mechanism,
 * then finds no device on bus 0.  Racy updates between vCPUs are harmless:
 * each field is one aligned store and nothing depends on their pairing.
 */
#include "legacy.h"

#include <string.h>

static void post_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
		      uint32_t size)
{
	(void)opaque;
	(void)cpu;
	(void)off;
	memset(data, 0xff, size);
}

static void post_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		       uint32_t size)
{
	struct legacy *lg = opaque;

	(void)cpu;
	(void)off;
	(void)size;
	__atomic_store_n(&lg->post, data[0], __ATOMIC_RELAXED);
}

static void pci_addr_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
			  uint32_t size)
{
	struct legacy *lg = opaque;
	uint32_t v = __atomic_load_n(&lg->pci_addr, __ATOMIC_RELAXED);

	(void)cpu;
	memset(data, 0xff, size);
	if (off == 0 && size == 4)
		bus__put_le(data, 4, v);
}

static void pci_addr_write(void *opaque, int cpu, uint64_t off,
			   const uint8_t *data, uint32_t size)
{
	struct legacy *lg = opaque;

	(void)cpu;
	if (off == 0 && size == 4)
		__atomic_store_n(&lg->pci_addr, (uint32_t)bus__get_le(data, 4),
				 __ATOMIC_RELAXED);
}

static void pci_data_write(void *opaque, int cpu, uint64_t off,
			   const uint8_t *data, uint32_t size)
{
	(void)opaque;
	(void)cpu;
	(void)off;
	(void)data;
	(void)size;
}

static const struct bus_dev_ops post_ops = {post_read, post_write};
static const struct bus_dev_ops pci_addr_ops = {pci_addr_read, pci_addr_write};
static const struct bus_dev_ops pci_data_ops = {post_read, pci_data_write};

int legacy__register(struct legacy *lg, struct bus *pio)
{
	int err;

	memset(lg, 0, sizeof(*lg));
	err = bus__register(pio, LEGACY_POST_PORT, 1, &post_ops, lg, "post");
	if (!err)
		err = bus__register(pio, PCI_CONFIG_ADDR_PORT, 4, &pci_addr_ops,
				    lg, "pci-config-addr");
	if (!err)
		err = bus__register(pio, PCI_CONFIG_DATA_PORT, 4, &pci_data_ops,
				    lg, "pci-config-data");
	return err;
}
