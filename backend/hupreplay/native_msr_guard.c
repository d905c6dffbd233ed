// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/msr_guard.c ported by hand to native C (native.h): the write of
 * the MSR it vets is refused (non-zero) for the one value the sample
 * refuses.  No guest memory, no layout: what is compared is the cost of
 * the decision itself, in backend__msr_denied.  Compiled -O2.
 */
#include "native_port.h"

#define MSR_GUARD_REFUSED_VALUE 0xdead /* the sample's REFUSED_VALUE */

static int mg_setup(struct native_setup *c, void *state)
{
	(void)c;
	(void)state;
	return 0;
}

static uint64_t mg_run(const void *state, const struct native_view *v,
		       void *ctx, const struct hup_run_env *env)
{
	const struct hup_msr_ctx *m = ctx;

	(void)state;
	(void)v;
	(void)env;
	return m->value == MSR_GUARD_REFUSED_VALUE;
}

const struct native_port native_msr_guard = {
    .prog = "msr_guard",
    .event = HUP_EVENT_MSR_WRITE,
    .ctx_size = sizeof(struct hup_msr_ctx),
    .setup = mg_setup,
    .run = mg_run,
};
