// SPDX-License-Identifier: BSD-2-Clause
/*
 * The device bus: overlapping registrations are refused with -EBUSY,
 * dispatch passes device-relative offsets, accesses that straddle a range
 * end or hit no device are answered with all ones and counted.
 */
#include <errno.h>
#include <string.h>

#include "bus.h"
#include "check.h"

struct dev {
	uint64_t last_off;
	uint32_t last_size;
	int last_cpu;
	int reads, writes;
	uint8_t value;
};

static void dev_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
		     uint32_t size)
{
	struct dev *d = opaque;

	d->reads++;
	d->last_off = off;
	d->last_size = size;
	d->last_cpu = cpu;
	memset(data, d->value, size);
}

static void dev_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		      uint32_t size)
{
	struct dev *d = opaque;

	d->writes++;
	d->last_off = off;
	d->last_size = size;
	d->last_cpu = cpu;
	d->value = data[0];
}

static const struct bus_dev_ops ops = {dev_read, dev_write};

int main(void)
{
	struct dev a = {.value = 0x11}, b = {.value = 0x22};
	struct bus bus;
	uint8_t buf[8];

	bus__init(&bus, "test");
	CHECK_EQ(bus__register(&bus, 0x100, 8, &ops, &a, "a"), 0);
	CHECK_EQ(bus__register(&bus, 0x200, 4, &ops, &b, "b"), 0);
	/* Overlaps: inside, straddling either end, covering, identical. */
	CHECK_EQ(bus__register(&bus, 0x104, 1, &ops, &b, "x"), -EBUSY);
	CHECK_EQ(bus__register(&bus, 0xff, 2, &ops, &b, "x"), -EBUSY);
	CHECK_EQ(bus__register(&bus, 0x107, 0x10, &ops, &b, "x"), -EBUSY);
	CHECK_EQ(bus__register(&bus, 0x0, 0x1000, &ops, &b, "x"), -EBUSY);
	CHECK_EQ(bus__register(&bus, 0x200, 4, &ops, &b, "x"), -EBUSY);
	/* Invalid: empty, wrapping, no handlers. */
	CHECK_EQ(bus__register(&bus, 0x300, 0, &ops, &b, "x"), -EINVAL);
	CHECK_EQ(bus__register(&bus, ~0ull, 2, &ops, &b, "x"), -EINVAL);
	CHECK_EQ(bus__register(&bus, 0x300, 1, NULL, &b, "x"), -EINVAL);
	/* Adjacent ranges are fine, before and after, in any order. */
	CHECK_EQ(bus__register(&bus, 0x108, 8, &ops, &b, "c"), 0);
	CHECK_EQ(bus__register(&bus, 0xf8, 8, &ops, &b, "d"), 0);
	CHECK_EQ(bus__register(&bus, ~0ull, 1, &ops, &b, "top"), 0);
	CHECK_EQ(bus.nr, 5);
	for (size_t i = 1; i < bus.nr; i++)
		CHECK(bus.ranges[i - 1].base < bus.ranges[i].base);

	CHECK(bus__read(&bus, 3, 0x102, buf, 2));
	CHECK_EQ(a.last_off, 2);
	CHECK_EQ(a.last_size, 2);
	CHECK_EQ(a.last_cpu, 3);
	CHECK_EQ(buf[0], 0x11);
	CHECK(bus__write(&bus, 0, 0x203, (const uint8_t *)"\x5a", 1));
	CHECK_EQ(b.last_off, 3);
	CHECK_EQ(b.value, 0x5a);

	/* Straddling the end of a range: nobody's. */
	memset(buf, 0, sizeof(buf));
	CHECK(!bus__read(&bus, 0, 0x202, buf, 4));
	CHECK_EQ(buf[0], 0xff);
	CHECK_EQ(buf[3], 0xff);
	/* Unclaimed reads are all ones, writes vanish; both counted. */
	CHECK(!bus__read(&bus, 0, 0x5000, buf, 4));
	CHECK_EQ(bus__get_le(buf, 4), 0xffffffffu);
	CHECK(!bus__write(&bus, 0, 0x5000, buf, 4));
	CHECK_EQ(atomic_load(&bus.unclaimed), 3);
	/* Access sizes beyond the bus's maximum are never dispatched. */
	CHECK(bus__find(&bus, 0x100, 0) == NULL);
	CHECK(bus__find(&bus, 0x100, 9) == NULL);
	CHECK(bus__find(&bus, ~0ull, 1) != NULL);

	bus__put_le(buf, 4, 0x11223344);
	CHECK_EQ(buf[0], 0x44);
	CHECK_EQ(bus__get_le(buf, 4), 0x11223344);
	bus__exit(&bus);
	return check_summary("bus");
}
