/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CMOS RTC at ports 0x70 (index, bit 7 = NMI mask) and 0x71 (data): the
 * clock registers read the host's UTC time in BCD, 24-hour mode, with no
 * update ever in progress; other bytes are 128 bytes of plain storage.
 * No alarms or periodic interrupts: the guest keeps time with kvmclock.
 */
#ifndef HUPVM_CMOS_H
#define HUPVM_CMOS_H

#include <stdint.h>
#include <time.h>

#include "bus.h"

#define CMOS_BASE_PORT 0x70u
#define CMOS_NR_PORTS  2u

struct cmos;

/* now: the clock source (NULL: time()); tests pass a fixed one. */
struct cmos *cmos__new(time_t (*now)(void));
void cmos__free(struct cmos *c);
int cmos__register(struct cmos *c, struct bus *pio);

#endif
