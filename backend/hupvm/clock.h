/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupvm's one clock: CLOCK_MONOTONIC in ns, for budgets, stops, timeouts
 * and statistics (never the guest's time).
 */
#ifndef HUPVM_CLOCK_H
#define HUPVM_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t hupvm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
