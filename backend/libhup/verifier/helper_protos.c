/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Prototypes of the HUP_FN_* helpers (abi.h, docs/abi.md section 7) as the
 * verifier checks them: the type of each argument register, the limit of
 * each buffer size, the events a helper may run in, and the range of its
 * result.  A "buf, size" pair is checked together: the buffer is stack or
 * context memory of at least the size's largest possible value; a buffer
 * the helper reads must be initialised and free of spilled pointers (so no
 * host address reaches guest memory, the host log or a query answer).
 */
#include "env.h"

#define EV(e) (1u << (e))
#define ALL_EVENTS                                                         \
	(EV(HUP_EVENT_TRACE) | EV(HUP_EVENT_MSR_WRITE) |                   \
	 EV(HUP_EVENT_RECLAIM) | EV(HUP_EVENT_VCPU_RESUME) |               \
	 EV(HUP_EVENT_QUERY) | EV(HUP_EVENT_VCPU_DESCHED))
/* Events that run on behalf of one vCPU. */
#define LOCAL_EVENTS                                                       \
	(EV(HUP_EVENT_TRACE) | EV(HUP_EVENT_MSR_WRITE) |                   \
	 EV(HUP_EVENT_VCPU_RESUME))
#define ANY UINT64_MAX

static const struct hup_helper_proto protos[HUP_FN_MAX + 1] = {
	[HUP_FN_guest_read] = {
		"guest_read",
		{HUP_ARG_MEM_WO, HUP_ARG_SIZE, HUP_ARG_SCALAR},
		HUP_GUEST_COPY_MAX, ALL_EVENTS, ANY,
	},
	[HUP_FN_guest_write] = {
		"guest_write",
		{HUP_ARG_SCALAR, HUP_ARG_MEM_RO, HUP_ARG_SIZE},
		HUP_GUEST_COPY_MAX, ALL_EVENTS, ANY,
	},
	[HUP_FN_guest_memset] = {
		/* size is checked by the helper at run time: it bounds
		 * guest memory, never host memory */
		"guest_memset",
		{HUP_ARG_SCALAR, HUP_ARG_SCALAR, HUP_ARG_SCALAR},
		0, ALL_EVENTS, ANY,
	},
	[HUP_FN_host_ns] = {"host_ns", {0}, 0, ALL_EVENTS, ANY},
	[HUP_FN_guest_tsc] = {"guest_tsc", {0}, 0, ALL_EVENTS, ANY},
	[HUP_FN_vcpu_reg] = {
		"vcpu_reg", {HUP_ARG_SCALAR}, 0, LOCAL_EVENTS, ANY,
	},
	[HUP_FN_debug_print] = {
		"debug_print", {HUP_ARG_MEM_RO, HUP_ARG_SIZE},
		HUP_STACK_SIZE, ALL_EVENTS, ANY,
	},
	[HUP_FN_loop] = {
		/* nr is clamped to HUP_LOOP_MAX at run time (fixup.c) */
		"loop",
		{HUP_ARG_SCALAR, HUP_ARG_FUNC, HUP_ARG_DATA, HUP_ARG_ZERO},
		0, ALL_EVENTS, HUP_LOOP_MAX,
	},
	[HUP_FN_output] = {
		"output", {HUP_ARG_MEM_RO, HUP_ARG_SIZE},
		HUP_STACK_SIZE, EV(HUP_EVENT_QUERY), ANY,
	},
	[HUP_FN_vcpu_id] = {
		"vcpu_id", {0}, 0, LOCAL_EVENTS, UINT32_MAX,
	},
};

const struct hup_helper_proto *hup_helper__proto(int32_t id)
{
	if (id < 1 || id > HUP_FN_MAX)
		return NULL;
	return &protos[id];
}
