/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run clock (clock.h): the choice between the TSC and CLOCK_MONOTONIC,
 * and the TSC's calibration.
 */
#define _GNU_SOURCE
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <hup/libhup.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

struct hup_clock hup_clock = { .mode = HUP_CLOCK_MONOTONIC };

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

#define CLOCKSOURCE_PATH                                                     \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"

/* CPUID.80000007H:EDX[8]: the TSC ticks at a constant rate in every
 * P-, C- and T-state. */
static bool cpu_has_invariant_tsc(void)
{
#if defined(__x86_64__)
	unsigned int a, b, c, d;

	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return false;
	__cpuid(0x80000007u, a, b, c, d);
	return d & (1u << 8);
#else
	return false;
#endif
}

/* The kernel keeps its own time on the TSC: it checked the TSCs are
 * synchronised across CPUs and has not since marked them unstable. */
static bool kernel_clocksource_is_tsc(void)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(CLOCKSOURCE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, "tsc\n") || !strcmp(buf, "tsc");
}

bool hup_clock__tsc_usable(void)
{
	return cpu_has_invariant_tsc() && kernel_clocksource_is_tsc();
}

#if defined(__x86_64__)
/* One (TSC, CLOCK_MONOTONIC) reading: both counters at one instant. */
struct tsc_pair {
	uint64_t tsc;
	uint64_t ns;
};

/*
 * One (TSC, CLOCK_MONOTONIC) pair: the TSC read halfway between two
 * monotonic reads, keeping the tightest bracket of a few tries (a
 * preemption between the reads would skew the pair).  Returned by value
 * and zero until a bracket is kept, so that no caller ever reads an unset
 * pair: a zero pair fails calibrate's "time passed" check.
 */
static struct tsc_pair sample_pair(void)
{
	struct tsc_pair p = { 0, 0 };
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8; i++) {
		uint64_t a = hup_clock__monotonic_ns();
		uint64_t t = hup_clock__rdtsc();
		uint64_t b = hup_clock__monotonic_ns();

		if (b - a < best) {
			best = b - a;
			p.tsc = t;
			p.ns = a + (b - a) / 2;
		}
	}
	return p;
}

/*
 * The TSC rate against CLOCK_MONOTONIC over 2 ms: the bracket of each
 * sample is tens of ns, so the rate is good to ~1e-5.  0 if the clocks
 * disagree about time passing at all (then the TSC is not used).
 */
static int calibrate(struct hup_clock *c)
{
	struct timespec pause = { .tv_sec = 0, .tv_nsec = 2000000 };
	struct tsc_pair p0, p1;

	p0 = sample_pair();
	while (nanosleep(&pause, &pause) && errno == EINTR)
		;
	p1 = sample_pair();
	if (p1.tsc <= p0.tsc || p1.ns <= p0.ns)
		return -EOPNOTSUPP;
	c->mult = (uint64_t)((((unsigned __int128)(p1.ns - p0.ns)) << 32) /
			     (p1.tsc - p0.tsc));
	if (!c->mult)
		return -EOPNOTSUPP; /* a TSC faster than 2^32 GHz */
	c->tsc0 = p1.tsc;
	c->ns0 = p1.ns;
	return 0;
}
#endif

int hup_clock__force(int mode)
{
	switch (mode) {
	case HUP_CLOCK_MONOTONIC:
		hup_clock.mode = HUP_CLOCK_MONOTONIC;
		return 0;
	case HUP_CLOCK_TSC:
#if defined(__x86_64__)
	{
		struct hup_clock c = { .mode = HUP_CLOCK_TSC };
		int err;

		if (!cpu_has_invariant_tsc())
			return -EOPNOTSUPP;
		err = calibrate(&c);
		if (err)
			return err;
		hup_clock.tsc0 = c.tsc0;
		hup_clock.ns0 = c.ns0;
		hup_clock.mult = c.mult;
		__atomic_store_n(&hup_clock.mode, HUP_CLOCK_TSC,
				 __ATOMIC_RELEASE);
		return 0;
	}
#else
		return -EOPNOTSUPP;
#endif
	default:
		return -EINVAL;
	}
}

static void clock_setup(void)
{
	if (hup_clock__tsc_usable())
		(void)hup_clock__force(HUP_CLOCK_TSC);
}

void hup_clock__setup(void)
{
	pthread_once(&setup_once, clock_setup);
}

const char *hup_clock_name(void)
{
	hup_clock__setup();
	return hup_clock.mode == HUP_CLOCK_TSC ? "tsc" : "monotonic";
}
