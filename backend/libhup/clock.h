/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libhup's run clock: the time base of run statistics (run_ns) and run
 * deadlines (budget.h).  Every run reads it twice, so its cost is most of
 * the fixed cost of hup_prog__run(): clock_gettime(CLOCK_MONOTONIC) costs
 * 40-60 ns through the vDSO on a VM with a TSC clocksource, and several us
 * where the kernel falls back to the HPET (a syscall and an MMIO read),
 * whereas rdtsc costs 20-25 ns.
 *
 * The TSC is used only where it is safe to compare readings taken on
 * different CPUs (a run's deadline is set on a vCPU thread and checked by
 * the watchdog on another): the CPU declares an invariant TSC (constant
 * rate, runs in deep C-states) *and* the kernel's current clocksource is
 * "tsc", i.e. the kernel itself found the TSCs synchronised and stable.
 * Otherwise the clock is CLOCK_MONOTONIC.  TSC readings are scaled to ns
 * with a rate calibrated against CLOCK_MONOTONIC at setup (a 2 ms
 * measurement, once per process) and offset so both clocks agree then;
 * they drift apart only by the clock's NTP slew (at most 500 ppm), which
 * neither statistics nor budgets notice.
 */
#ifndef HUP_CLOCK_H
#define HUP_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum hup_clock_mode {
	HUP_CLOCK_MONOTONIC = 0,
	HUP_CLOCK_TSC = 1,
};

struct hup_clock {
	int mode;             /* enum hup_clock_mode */
	uint64_t tsc0;        /* TSC at calibration */
	uint64_t ns0;         /* CLOCK_MONOTONIC ns at tsc0 */
	uint64_t mult;        /* ns per TSC tick, 32.32 fixed point */
};

extern struct hup_clock hup_clock;

/* Choose and calibrate the clock, once per process (idempotent). */
void hup_clock__setup(void);

/*
 * Force a mode (tests and benchmarks): TSC is refused with -EOPNOTSUPP
 * where the CPU has no invariant TSC.  Not thread-safe against runs.
 */
int hup_clock__force(int mode);

/* Whether this machine's TSC may serve (the rules above). */
bool hup_clock__tsc_usable(void);

/* clk in ns, 0 if it cannot be read (async-signal-safe). */
static inline uint64_t hup_clock__read_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t hup_clock__monotonic_ns(void)
{
	return hup_clock__read_ns(CLOCK_MONOTONIC);
}

#if defined(__x86_64__)
static inline uint64_t hup_clock__rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
#endif

/*
 * Now, in ns.  Async-signal-safe (the budget's signal handler reads it).
 * Monotonic per thread; across threads, within the kernel's own TSC
 * synchronisation (or exact, for CLOCK_MONOTONIC).  Before setup: the
 * monotonic clock.
 */
static inline uint64_t hup_clock__ns(void)
{
#if defined(__x86_64__)
	if (__builtin_expect(hup_clock.mode == HUP_CLOCK_TSC, 1)) {
		uint64_t d = hup_clock__rdtsc() - hup_clock.tsc0;

		/* A reading from a CPU slightly behind the calibrating one:
		 * clamp rather than wrap to the far future. */
		if ((int64_t)d < 0)
			d = 0;
		return hup_clock.ns0 +
		       (uint64_t)(((unsigned __int128)d * hup_clock.mult) >>
				  32);
	}
#endif
	return hup_clock__monotonic_ns();
}

#endif /* HUP_CLOCK_H */
