/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Legacy PC ports with no behaviour worth a device of their own:
 *   0x80        POST code: writes are remembered (for debugging), reads 0xff
 *   0xcf8       PCI configuration address (32-bit latch)
 *   0xcfc-0xcff PCI configuration data: there is no PCI device, so every
 *               read returns all ones ("no device") and writes are dropped
 * The PIC, PIT and speaker port live in KVM (in-kernel irqchip and PIT).
 */
#ifndef HUPVM_LEGACY_H
#define HUPVM_LEGACY_H

#include <stdint.h>

#include "bus.h"

#define LEGACY_POST_PORT     0x80u
#define PCI_CONFIG_ADDR_PORT 0xcf8u
#define PCI_CONFIG_DATA_PORT 0xcfcu

struct legacy {
	uint8_t post;	   /* last POST code */
	uint32_t pci_addr; /* last value latched at 0xcf8 */
};

int legacy__register(struct legacy *lg, struct bus *pio);

#endif
