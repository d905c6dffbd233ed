/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An address bus (port I/O or MMIO): devices register [base, base+len)
 * ranges; overlapping registrations are refused with -EBUSY.  Dispatch hands
 * a device only accesses that lie wholly inside its range, with an offset
 * relative to its base, so handlers never see a foreign address.  Accesses
 * nobody claims are answered quietly: reads return all ones, writes are
 * dropped, and both are counted.
 *
 * Registration happens before vCPUs start; dispatch is then lock-free
 * (the range table is read-only) and each device serializes itself.
 */
#ifndef HUPVM_BUS_H
#define HUPVM_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_MAX_ACCESS 8u /* widest single access (MMIO qword) */

struct bus_dev_ops {
	/* off + size <= the registered len; size is 1..BUS_MAX_ACCESS. */
	void (*read)(void *opaque, int cpu, uint64_t off, uint8_t *data,
		     uint32_t size);
	void (*write)(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		      uint32_t size);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct bus_dev_ops *ops;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name;
	struct bus_range *ranges; /* sorted by base, never overlapping */
	size_t nr;
	size_t cap;
	atomic_ulong unclaimed; /* accesses no device claimed */
};

void bus__init(struct bus *bus, const char *name);
void bus__exit(struct bus *bus);
int bus__register(struct bus *bus, uint64_t base, uint64_t len,
		  const struct bus_dev_ops *ops, void *opaque,
		  const char *name);
const struct bus_range *bus__find(const struct bus *bus, uint64_t addr,
				  uint32_t size);
/* Both return true if a device claimed the access. */
bool bus__read(struct bus *bus, int cpu, uint64_t addr, uint8_t *data,
	       uint32_t size);
bool bus__write(struct bus *bus, int cpu, uint64_t addr, const uint8_t *data,
		uint32_t size);

/* Little-endian helpers for device handlers. */
static inline uint64_t bus__get_le(const uint8_t *data, uint32_t size)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < size && i < 8; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

static inline void bus__put_le(uint8_t *data, uint32_t size, uint64_t v)
{
	for (uint32_t i = 0; i < size && i < 8; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

#endif
