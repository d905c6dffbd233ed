// SPDX-License-Identifier: BSD-2-Clause
/*
 * The module's timestamp arithmetic (kernel-module/trace_conv.h, the very
 * header trace.c includes), run natively with user-space stand-ins for the
 * kernel's math helpers: exact at both pairs, monotonic from drain to
 * drain whatever the clock's rate against the TSC, an entry newer than the
 * drain's pair placed by the next drain (placed at once it would go back
 * in time: the case trace.c holds it for), an entry older than the
 * previous pair placed from that pair, and the fallbacks (first drain,
 * another clock, a long pause, no TSC rate).
 */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"

typedef uint64_t u64;
typedef uint32_t u32;
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000UL

static u64 mul_u64_u32_div(u64 a, u32 mul, u32 div)
{
	return (u64)((unsigned __int128)a * mul / div);
}

static u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 div)
{
	return (u64)((unsigned __int128)a * mul / div);
}

#include "trace_conv.h"

#define KHZ 2300000u			/* a nested L1's TSC rate */
#define CYC_PER_MS ((u64)KHZ)

/*
 * A guest whose trace clock runs at rate_ppm of the TSC's nominal rate
 * (nested: L2's kvm-clock and its TSC drift apart): the clock at a TSC.
 */
static u64 clock_at(u64 tsc, u64 tsc_base, u64 ns_base, u64 rate_ppm)
{
	u64 nominal = mul_u64_u32_div(tsc - tsc_base, NSEC_PER_MSEC, KHZ);

	return ns_base + nominal * rate_ppm / 1000000;
}

static struct hup_trace_pair pair(u64 tsc, u64 rate_ppm)
{
	struct hup_trace_pair p = {
		.tsc = tsc, .ns = clock_at(tsc, 1000, 5000000000ULL, rate_ppm),
		.clock = 1,
	};

	return p;
}

static void test_exact_at_pairs(void)
{
	struct hup_trace_pair a = pair(1000 + 10 * CYC_PER_MS, 900000);
	struct hup_trace_pair b = pair(1000 + 20 * CYC_PER_MS, 900000);
	u64 mid = hup_trace_conv(a.tsc + 5 * CYC_PER_MS, &a, &b, KHZ);

	CHECK_EQ(hup_trace_conv(b.tsc, &a, &b, KHZ), b.ns);
	CHECK(hup_trace_conv(a.tsc + 1, &a, &b, KHZ) - a.ns <= 1);
	/* halfway in TSC is halfway in clock, whatever the rate */
	CHECK_MSG(mid >= a.ns + (b.ns - a.ns) / 2 - 1 &&
		  mid <= a.ns + (b.ns - a.ns) / 2 + 1,
		  "interpolated %llu between %llu and %llu", (unsigned long long)mid,
		  (unsigned long long)a.ns, (unsigned long long)b.ns);
}

/*
 * Drains every 10 ms of a clock running at 90 % of the nominal rate,
 * events every 100 us (port writes); an event recorded after its drain's
 * pair is left for the next drain (trace.c's hold).  Every converted time
 * follows the previous one and lies between the two pairs placing it.
 */
static void test_monotonic_across_drains(u64 rate_ppm)
{
	struct hup_trace_pair prev = { 0 }, cur;
	u64 ev = 1000 + CYC_PER_MS / 10, last = 0, n = 0;
	int d;

	for (d = 1; d <= 50; d++) {
		cur = pair(1000 + (u64)d * 10 * CYC_PER_MS, rate_ppm);
		for (; ev <= cur.tsc; ev += CYC_PER_MS / 10, n++) {
			u64 ts = hup_trace_conv(ev, &prev, &cur, KHZ);

			CHECK_MSG(ts >= last, "rate %llu ppm, drain %d: event %llu at %llu, "
				  "before the previous one at %llu", (unsigned long long)rate_ppm,
				  d, (unsigned long long)n, (unsigned long long)ts,
				  (unsigned long long)last);
			if (prev.tsc)
				CHECK(ts >= prev.ns && ts <= cur.ns);
			last = ts;
		}
		prev = cur;
	}
	CHECK(n > 4000);
}

/*
 * Why trace.c holds an entry newer than its drain's pair: placed at once,
 * at the nominal rate, with a clock slower than that rate, it lands after
 * an event the next drain places 100 us later.
 */
static void test_newer_than_pair(void)
{
	struct hup_trace_pair p0 = pair(1000, 900000);
	struct hup_trace_pair p1 = pair(1000 + 10 * CYC_PER_MS, 900000);
	struct hup_trace_pair p2 = pair(1000 + 20 * CYC_PER_MS, 900000);
	u64 late = p1.tsc + 2 * CYC_PER_MS, after = late + CYC_PER_MS / 10;
	u64 at_once = hup_trace_conv(late, &p0, &p1, KHZ);
	u64 held = hup_trace_conv(late, &p1, &p2, KHZ);
	u64 next = hup_trace_conv(after, &p1, &p2, KHZ);

	CHECK_EQ(at_once, p1.ns + 2 * NSEC_PER_MSEC);
	CHECK_MSG(at_once > next, "the nominal rate no longer misplaces it: %llu <= %llu",
		  (unsigned long long)at_once, (unsigned long long)next);
	CHECK(held < next);
	CHECK(held > p1.ns && held < p2.ns);
}

/*
 * Older than the previous pair (another vCPU's event, published after the
 * previous drain passed its slot): placed from that pair, so it stays
 * before what the previous drain placed after it.
 */
static void test_older_than_prev(void)
{
	/* a clock faster than the nominal rate: from p2, it would land after */
	struct hup_trace_pair p0 = pair(1000, 1100000);
	struct hup_trace_pair p1 = pair(1000 + 10 * CYC_PER_MS, 1100000);
	struct hup_trace_pair p2 = pair(1000 + 20 * CYC_PER_MS, 1100000);
	u64 old = p1.tsc - CYC_PER_MS / 10;
	u64 ts = hup_trace_conv(old, &p1, &p2, KHZ);
	u64 placed_before = hup_trace_conv(old + CYC_PER_MS / 20, &p0, &p1, KHZ);

	CHECK_EQ(ts, p1.ns - NSEC_PER_MSEC / 10);
	CHECK_MSG(ts < placed_before, "older event at %llu, after %llu placed by "
		  "the previous drain", (unsigned long long)ts,
		  (unsigned long long)placed_before);
}

static void test_fallbacks(void)
{
	struct hup_trace_pair none = { 0 };
	struct hup_trace_pair a = pair(1000 + 10 * CYC_PER_MS, 900000);
	struct hup_trace_pair b = pair(1000 + 20 * CYC_PER_MS, 900000);
	struct hup_trace_pair other = a, far = b, tiny = { .tsc = 10 * CYC_PER_MS,
							  .ns = 100, .clock = 1 };
	u64 t = b.tsc - CYC_PER_MS;

	/* the first drain: the nominal rate from its own pair */
	CHECK_EQ(hup_trace_conv(t, &none, &b, KHZ), b.ns - NSEC_PER_MSEC);
	CHECK_EQ(hup_trace_conv(b.tsc + CYC_PER_MS, &none, &b, KHZ), b.ns + NSEC_PER_MSEC);
	/* the previous pair on another clock is not used */
	other.clock = 2;
	CHECK_EQ(hup_trace_conv(t, &other, &b, KHZ), b.ns - NSEC_PER_MSEC);
	/* pairs more than 10 s apart are not interpolated between */
	far.ns = a.ns + HUP_TRACE_INTERP_MAX_NS + 1;
	CHECK_EQ(hup_trace_conv(t, &a, &far, KHZ), far.ns - NSEC_PER_MSEC);
	/* a clock that did not advance is not interpolated on */
	far.ns = a.ns;
	CHECK_EQ(hup_trace_conv(t, &a, &far, KHZ), a.ns - NSEC_PER_MSEC);
	/* no TSC rate: the drain's own time */
	CHECK_EQ(hup_trace_conv(b.tsc + CYC_PER_MS, &a, &b, 0), b.ns);
	/* never below 0 */
	CHECK_EQ(hup_trace_conv(1, &none, &tiny, KHZ), 0);
	CHECK_EQ(hup_trace_conv(1, &tiny, &b, KHZ), 0);
}

int main(void)
{
	test_exact_at_pairs();
	test_monotonic_across_drains(900000);
	test_monotonic_across_drains(1000000);
	test_monotonic_across_drains(1100000);
	test_newer_than_pair();
	test_older_than_prev();
	test_fallbacks();
	return check_summary("trace-conv");
}
