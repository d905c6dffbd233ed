/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hyperupcall doorbell (docs/abi.md section 2): HUP_DB_NR_PORTS ports
 * at HUP_DB_PORT_DEFAULT.  32-bit accesses only:
 *   outl REQ_HI  latch the high half of the request GPA (per vCPU)
 *   outl REQ_LO  submit: the backend processes the block at hi << 32 | lo
 *                before the outl retires; the latch is cleared
 *   inl  STATUS  this vCPU's last result (s32)
 *   outl UPCALL_ATTACH  the upcall block at hi << 32 | lo (upcall.h);
 *                the result at STATUS
 *   outl UPCALL_DONE    the guest answered upcall seq
 * Other widths and offsets are ignored; reads of them return all ones.
 * Per-vCPU state is only ever touched by that vCPU's thread (the bus
 * passes the vCPU index), so it needs no lock.
 */
#ifndef HUPVM_DEVICES_DOORBELL_H
#define HUPVM_DEVICES_DOORBELL_H

#include <stdatomic.h>
#include <stdint.h>

#include "bus.h"

#define DOORBELL_MAX_CPUS 64u

struct backend;
struct upcall;

struct doorbell {
	struct backend *be;
	struct upcall *up; /* NULL: no upcall baseline */
	struct {
		uint32_t hi;
		int32_t status;
	} cpu[DOORBELL_MAX_CPUS];
	atomic_ulong submits;
	atomic_ulong ignored; /* wrong width/offset, bad vCPU index */
};

void doorbell__init(struct doorbell *db, struct backend *be,
		    struct upcall *up);
int doorbell__register(struct doorbell *db, struct bus *pio, uint16_t base);

#endif
