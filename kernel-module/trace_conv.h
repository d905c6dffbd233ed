/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placing a guest TSC value on the trace clock (trace.c, "Timestamps"):
 * arithmetic on two drains' (TSC, clock) pairs only, in a header of its
 * own so that a native unit test (tests/kmod/trace_conv.c) runs this very
 * code with user-space stand-ins for the kernel's math helpers.
 */
#ifndef HUP_TRACE_CONV_H
#define HUP_TRACE_CONV_H

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/time64.h>
#endif

/* One drain's sample: the TSC and trace clock number clock, read together. */
struct hup_trace_pair {
	u64 tsc;		/* 0: no sample yet */
	u64 ns;
	unsigned int clock;
};

/* Pairs further apart (the drains paused: no program) are not used. */
#define HUP_TRACE_INTERP_MAX_NS (10ULL * NSEC_PER_SEC)

/*
 * tsc on the clock of cur, whose pair this drain took; prev is the
 * previous drain's pair; khz the TSC's nominal rate (0: unknown).
 */
static inline u64 hup_trace_conv(u64 tsc, const struct hup_trace_pair *prev,
				 const struct hup_trace_pair *cur, u32 khz)
{
	bool have_prev = prev->tsc && prev->clock == cur->clock;
	u64 d;

	if (have_prev && tsc > prev->tsc && tsc <= cur->tsc &&
	    cur->ns > prev->ns && cur->ns - prev->ns <= HUP_TRACE_INTERP_MAX_NS)
		return prev->ns + mul_u64_u64_div_u64(tsc - prev->tsc,
						      cur->ns - prev->ns,
						      cur->tsc - prev->tsc);
	if (!khz)
		return cur->ns;
	/*
	 * Older than the previous pair (published after the previous drain
	 * passed its slot: another vCPU's event): that pair is the nearest.
	 */
	if (have_prev && tsc <= prev->tsc) {
		d = mul_u64_u32_div(prev->tsc - tsc, NSEC_PER_MSEC, khz);
		return d < prev->ns ? prev->ns - d : 0;
	}
	if (tsc <= cur->tsc) {
		d = mul_u64_u32_div(cur->tsc - tsc, NSEC_PER_MSEC, khz);
		return d < cur->ns ? cur->ns - d : 0;
	}
	return cur->ns + mul_u64_u32_div(tsc - cur->tsc, NSEC_PER_MSEC, khz);
}

#endif /* HUP_TRACE_CONV_H */
