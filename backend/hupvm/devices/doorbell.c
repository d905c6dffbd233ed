// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hyperupcall doorbell device (see doorbell.h).  It only decodes port
 * accesses; everything about the request is the backend's.
 */
#include "devices/doorbell.h"

#include <string.h>

#include <hyperupcall/abi.h>

#include "hyperupcall/backend.h"
#include "upcall.h"

void doorbell__init(struct doorbell *db, struct backend *be,
		    struct upcall *up)
{
	memset(db, 0, sizeof(*db));
	db->be = be;
	db->up = up;
}

static void db_read(void *opaque, int cpu, uint64_t off, uint8_t *data,
		    uint32_t size)
{
	struct doorbell *db = opaque;

	memset(data, 0xff, size);
	if (size != 4 || off != HUP_DB_STATUS || cpu < 0 ||
	    (unsigned int)cpu >= DOORBELL_MAX_CPUS) {
		atomic_fetch_add(&db->ignored, 1);
		return;
	}
	bus__put_le(data, 4, (uint32_t)db->cpu[cpu].status);
}

static void db_write(void *opaque, int cpu, uint64_t off, const uint8_t *data,
		     uint32_t size)
{
	struct doorbell *db = opaque;
	uint32_t v = (uint32_t)bus__get_le(data, size);
	uint64_t gpa;

	if (size != 4 || cpu < 0 || (unsigned int)cpu >= DOORBELL_MAX_CPUS) {
		atomic_fetch_add(&db->ignored, 1);
		return;
	}
	switch (off) {
	case HUP_DB_REQ_HI:
		db->cpu[cpu].hi = v;
		break;
	case HUP_DB_REQ_LO:
		gpa = (uint64_t)db->cpu[cpu].hi << 32 | v;
		db->cpu[cpu].hi = 0;
		atomic_fetch_add(&db->submits, 1);
		db->cpu[cpu].status =
		    db->be ? backend__submit(db->be, (uint32_t)cpu, gpa)
			   : -HUP_ENODEV;
		break;
	case HUP_DB_UPCALL_ATTACH:
		gpa = (uint64_t)db->cpu[cpu].hi << 32 | v;
		db->cpu[cpu].hi = 0;
		db->cpu[cpu].status =
		    db->up ? upcall__attach(db->up, gpa) : -HUP_EOPNOTSUPP;
		break;
	case HUP_DB_UPCALL_DONE:
		if (db->up)
			upcall__done(db->up, v);
		else
			atomic_fetch_add(&db->ignored, 1);
		break;
	default:
		atomic_fetch_add(&db->ignored, 1);
		break;
	}
}

static const struct bus_dev_ops db_ops = {db_read, db_write};

int doorbell__register(struct doorbell *db, struct bus *pio, uint16_t base)
{
	return bus__register(pio, base, HUP_DB_NR_PORTS, &db_ops, db,
			     "hyperupcall-doorbell");
}
