/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-event context layouts, transcribed from the context structs of
 * <hyperupcall/abi.h>: each field's offset, size and whether a program may
 * store to it.  The verifier allows a load that lies inside one field and
 * is naturally aligned (a narrower read of a field is fine), and a store
 * only inside a writable field, naturally aligned.  The static asserts
 * below tie the table to the header so the two cannot drift apart.
 */
#include "env.h"

#include <stddef.h>

#define F(type, member, w)                                                 \
	{                                                                  \
		offsetof(struct type, member),                             \
			sizeof(((struct type *)0)->member), w, #member     \
	}
#define FA(type, member, i, w)                                             \
	{                                                                  \
		offsetof(struct type, member) +                            \
			(i) * sizeof(((struct type *)0)->member[0]),       \
			sizeof(((struct type *)0)->member[0]), w,          \
			#member "[" #i "]"                                 \
	}

static const struct hup_ctx_layout layouts[HUP_EVENT_MAX + 1] = {
	[HUP_EVENT_TRACE] = {
		sizeof(struct hup_trace_ctx), 10, {
			F(hup_trace_ctx, host_ns, false),
			F(hup_trace_ctx, guest_tsc, false),
			F(hup_trace_ctx, vcpu, false),
			F(hup_trace_ctx, kind, false),
			F(hup_trace_ctx, reason, false),
			F(hup_trace_ctx, reserved, false),
			FA(hup_trace_ctx, arg, 0, false),
			FA(hup_trace_ctx, arg, 1, false),
			FA(hup_trace_ctx, arg, 2, false),
			FA(hup_trace_ctx, arg, 3, false),
		},
	},
	[HUP_EVENT_MSR_WRITE] = {
		sizeof(struct hup_msr_ctx), 4, {
			F(hup_msr_ctx, guest_tsc, false),
			F(hup_msr_ctx, vcpu, false),
			F(hup_msr_ctx, msr, false),
			F(hup_msr_ctx, value, false),
		},
	},
	[HUP_EVENT_RECLAIM] = {
		sizeof(struct hup_reclaim_ctx), 11, {
			F(hup_reclaim_ctx, pfn_start, false),
			F(hup_reclaim_ctx, nr_pfns, false),
			F(hup_reclaim_ctx, reserved, false),
			FA(hup_reclaim_ctx, free, 0, true),
			FA(hup_reclaim_ctx, free, 1, true),
			FA(hup_reclaim_ctx, free, 2, true),
			FA(hup_reclaim_ctx, free, 3, true),
			FA(hup_reclaim_ctx, free, 4, true),
			FA(hup_reclaim_ctx, free, 5, true),
			FA(hup_reclaim_ctx, free, 6, true),
			FA(hup_reclaim_ctx, free, 7, true),
		},
	},
	[HUP_EVENT_VCPU_RESUME] = {
		sizeof(struct hup_resume_ctx), 4, {
			F(hup_resume_ctx, guest_tsc, false),
			F(hup_resume_ctx, paused_ns, false),
			F(hup_resume_ctx, vcpu, false),
			F(hup_resume_ctx, actions, true),
		},
	},
	[HUP_EVENT_QUERY] = {
		sizeof(struct hup_query_ctx), 5, {
			F(hup_query_ctx, tag, false),
			FA(hup_query_ctx, arg, 0, false),
			FA(hup_query_ctx, arg, 1, false),
			FA(hup_query_ctx, arg, 2, false),
			FA(hup_query_ctx, arg, 3, false),
		},
	},
	[HUP_EVENT_VCPU_DESCHED] = {
		sizeof(struct hup_desched_ctx), 5, {
			F(hup_desched_ctx, host_ns, false),
			F(hup_desched_ctx, descheduled_ns, false),
			F(hup_desched_ctx, vcpu, false),
			F(hup_desched_ctx, run, false),
			F(hup_desched_ctx, actions, true),
		},
	},
};

/* The tables above must list every field: free[] has 8 words. */
_Static_assert(HUP_RECLAIM_BATCH / 64 == 8, "reclaim free[] table");
_Static_assert(sizeof(((struct hup_trace_ctx *)0)->arg) == 32, "trace arg[]");
_Static_assert(sizeof(((struct hup_query_ctx *)0)->arg) == 32, "query arg[]");

const struct hup_ctx_layout *hup_ctx__layout(unsigned int event)
{
	if (event < 1 || event > HUP_EVENT_MAX)
		return NULL;
	return &layouts[event];
}

const char *hup_event__name(unsigned int event)
{
	static const char *const names[HUP_EVENT_MAX + 1] = HUP_EVENT_NAMES_INIT;

	return event >= 1 && event <= HUP_EVENT_MAX && names[event] ?
		       names[event] : "?";
}

const struct hup_ctx_field *hup_ctx__field(const struct hup_ctx_layout *l,
					   int64_t off, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < l->nr_fields; i++) {
		const struct hup_ctx_field *f = &l->fields[i];

		if (off >= f->off && off + size <= (int64_t)f->off + f->size)
			return f;
	}
	return NULL;
}
