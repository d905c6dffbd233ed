/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run clock (clock.h): the mode the process picks follows the rules
 * (invariant TSC and a "tsc" kernel clocksource), each mode keeps time
 * with CLOCK_MONOTONIC (the TSC's calibration within 1 % over 50 ms),
 * never goes backwards on one thread, and run statistics count real time
 * under both.  On a CPU without an invariant TSC the TSC cases check the
 * refusal instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include <hup/libhup.h>

#include "check.h"
#include "clock.h"
#include "hup_test_budget.h"

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void test_choice_follows_rules(void)
{
	const char *name = hup_clock_name();

	CHECK_EQ(strcmp(name, hup_clock__tsc_usable() ? "tsc" : "monotonic"),
		 0);
	CHECK_EQ(hup_clock.mode,
		 hup_clock__tsc_usable() ? HUP_CLOCK_TSC : HUP_CLOCK_MONOTONIC);
	CHECK_EQ(hup_clock__force(7), -EINVAL);
	CHECK_EQ(hup_clock__force(-1), -EINVAL);
	printf("  run clock: %s\n", name);
}

/*
 * One 50 ms sample.  Each reading of the clock under test is bracketed by
 * two CLOCK_MONOTONIC readings, so a preemption between two reads (a
 * loaded CI machine, a sanitizer build) widens the bracket instead of
 * skewing the ratio: the clock's interval must lie within the outer
 * monotonic interval and cover the inner one, each stretched by 1 %.
 * Returns the brackets' total width, the sample's uncertainty.
 */
static uint64_t sample_tracks_monotonic(void)
{
	uint64_t m0a = hup_clock__monotonic_ns(), c0 = hup_clock__ns();
	uint64_t m0b = hup_clock__monotonic_ns();
	uint64_t m1a, c1, m1b;

	sleep_ms(50);
	m1a = hup_clock__monotonic_ns();
	c1 = hup_clock__ns();
	m1b = hup_clock__monotonic_ns();
	CHECK(c1 > c0);
	CHECK((double)(c1 - c0) > 0.99 * (double)(m1a - m0b));
	CHECK((double)(c1 - c0) < 1.01 * (double)(m1b - m0a));
	/* and both clocks agree on the absolute time, within 1 ms */
	CHECK(c1 + 1000000u > m1a && c1 < m1b + 1000000u);
	return (m0b - m0a) + (m1b - m1a);
}

/*
 * Over 50 ms of sleep the clock advances as CLOCK_MONOTONIC does.  The
 * check above is sound however wide the brackets are, but only a tight
 * sample (under 50 us, 0.1 % of the interval) can catch a 1 % drift, so
 * sample until one is tight, and say so if none was.
 */
static void check_tracks_monotonic(void)
{
	uint64_t width = UINT64_MAX;

	for (int i = 0; i < 20 && width > 50000u; i++) {
		uint64_t w = sample_tracks_monotonic();

		width = w < width ? w : width;
	}
	printf("  tightest bracket: %llu ns\n", (unsigned long long)width);
	CHECK(width <= 50000u);
}

static void check_never_backwards(void)
{
	uint64_t prev = hup_clock__ns();
	int back = 0;

	for (int i = 0; i < 200000; i++) {
		uint64_t t = hup_clock__ns();

		back += t < prev;
		prev = t;
	}
	CHECK_EQ(back, 0);
}

/* run_ns of a run that sleeps in an env callback covers the sleep. */
static void env_sleep(void *opaque, const char *line, uint32_t len)
{
	(void)opaque, (void)line, (void)len;
	sleep_ms(5);
}

/* A program that prints a line (5 ms in env_sleep) and returns 7. */
static struct hup_prog *load_sleeper(void)
{
	static const struct bpf_insn p[] = {
		DEBUG_PRINT_STACK8(),
		MOV64_IMM(0, 7),
		EXIT(),
	};
	struct hup_load_opts o = { .sz = sizeof(o),
				   .budget_us = HUP_TEST_RUN_BUDGET_US };
	struct hup_prog *prog = NULL;

	CHECK_EQ(hup_prog__load(p, ARRAY_LEN(p), HUP_EVENT_TRACE, &o, &prog),
		 0);
	return prog;
}

static int run_sleeper(struct hup_prog *prog, struct hup_run_result *res)
{
	struct hup_run_env env = { .sz = sizeof(env),
				   .debug_print = env_sleep };
	struct hup_trace_ctx ctx = {0};

	return hup_prog__run(prog, &ctx, sizeof(ctx), &env, res);
}

static void check_run_stats(void)
{
	struct hup_run_result res = {0};
	struct hup_prog_stats s;
	struct hup_prog *prog = load_sleeper();

	if (!prog)
		return;
	CHECK_EQ(run_sleeper(prog, &res), 0);
	hup_prog__stats(prog, &s);
	CHECK_EQ(s.runs, 1);
	CHECK(res.ns >= 5000000u && res.ns < 5000000000u);
	CHECK_EQ(s.run_ns, res.ns);
	hup_prog__free(prog);
}

/* With run timing off (hup_set_run_timing) runs are counted, not timed. */
static void test_untimed_runs(void)
{
	struct hup_run_result res = {0, 1};
	struct hup_prog_stats s;
	struct hup_prog *prog = load_sleeper();

	if (!prog)
		return;
	CHECK_EQ(hup_set_run_timing(false), true);
	CHECK_EQ(run_sleeper(prog, &res), 0);
	CHECK_EQ(hup_set_run_timing(true), false);
	hup_prog__stats(prog, &s);
	CHECK_EQ(s.runs, 1);
	CHECK_EQ(res.r0, 7);
	CHECK_EQ(res.ns, 0);
	CHECK_EQ(s.run_ns, 0);
	/* timed again: the next run counts its 5 ms */
	CHECK_EQ(run_sleeper(prog, &res), 0);
	hup_prog__stats(prog, &s);
	CHECK_EQ(s.runs, 2);
	CHECK(res.ns >= 5000000u && s.run_ns == res.ns);
	hup_prog__free(prog);
}

static void test_monotonic_mode(void)
{
	CHECK_EQ(hup_clock__force(HUP_CLOCK_MONOTONIC), 0);
	CHECK_EQ(strcmp(hup_clock_name(), "monotonic"), 0);
	check_tracks_monotonic();
	check_never_backwards();
	check_run_stats();
}

static void test_tsc_mode(void)
{
	int err = hup_clock__force(HUP_CLOCK_TSC);

	if (err) {
		/* Only a CPU without an invariant TSC may refuse. */
		CHECK_EQ(err, -EOPNOTSUPP);
		CHECK(!hup_clock__tsc_usable());
		printf("  no invariant TSC: the TSC mode is refused\n");
		return;
	}
	CHECK_EQ(strcmp(hup_clock_name(), "tsc"), 0);
	CHECK(hup_clock.mult > 0);
	check_tracks_monotonic();
	check_never_backwards();
	check_run_stats();
}

int main(void)
{
	RUN(test_choice_follows_rules);
	RUN(test_monotonic_mode);
	RUN(test_tsc_mode);
	RUN(test_untimed_runs);
	return check_exit();
}
