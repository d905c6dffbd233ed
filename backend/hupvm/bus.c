// SPDX-License-Identifier: BSD-2-Clause
/*
 * The device bus: a sorted table of non-overlapping ranges, binary-searched
 * on every access.  See bus.h for the contract.
 */
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bus__init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	atomic_init(&bus->unclaimed, 0);
}

void bus__exit(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
}

/* The last address of a range; callers have checked len != 0 and no wrap. */
static uint64_t range_last(uint64_t base, uint64_t len)
{
	return base + (len - 1);
}

int bus__register(struct bus *bus, uint64_t base, uint64_t len,
		  const struct bus_dev_ops *ops, void *opaque, const char *name)
{
	size_t pos;

	if (!len || !ops || !ops->read || !ops->write)
		return -EINVAL;
	if (len - 1 > UINT64_MAX - base)
		return -EINVAL; /* wraps around the address space */
	for (pos = 0; pos < bus->nr; pos++) {
		const struct bus_range *r = &bus->ranges[pos];

		if (base <= range_last(r->base, r->len) &&
		    r->base <= range_last(base, len))
			return -EBUSY;
		if (r->base > base)
			break;
	}
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 16;
		struct bus_range *n = realloc(bus->ranges, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		bus->ranges = n;
		bus->cap = cap;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr - pos) * sizeof(*bus->ranges));
	bus->ranges[pos] = (struct bus_range){base, len, ops, opaque, name};
	bus->nr++;
	return 0;
}

const struct bus_range *bus__find(const struct bus *bus, uint64_t addr,
				  uint32_t size)
{
	size_t lo = 0, hi = bus->nr;

	if (!size || size > BUS_MAX_ACCESS)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (addr < r->base) {
			hi = mid;
		} else if (addr - r->base >= r->len) {
			lo = mid + 1;
		} else {
			/* The whole access must fit: no straddling two devices.
			 */
			if (size > r->len - (addr - r->base))
				return NULL;
			return r;
		}
	}
	return NULL;
}

bool bus__read(struct bus *bus, int cpu, uint64_t addr, uint8_t *data,
	       uint32_t size)
{
	const struct bus_range *r = bus__find(bus, addr, size);

	if (!r) {
		memset(data, 0xff,
		       size > BUS_MAX_ACCESS ? BUS_MAX_ACCESS : size);
		atomic_fetch_add(&bus->unclaimed, 1);
		return false;
	}
	r->ops->read(r->opaque, cpu, addr - r->base, data, size);
	return true;
}

bool bus__write(struct bus *bus, int cpu, uint64_t addr, const uint8_t *data,
		uint32_t size)
{
	const struct bus_range *r = bus__find(bus, addr, size);

	if (!r) {
		atomic_fetch_add(&bus->unclaimed, 1);
		return false;
	}
	r->ops->write(r->opaque, cpu, addr - r->base, data, size);
	return true;
}
