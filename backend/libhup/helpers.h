/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ABI helpers (HUP_FN_*, docs/abi.md section 7) as engine helper
 * functions, and the per-run state they read.
 *
 * Helpers take only the five BPF argument registers, so what else they need
 * (the caller's hup_run_env, the view, the event, per-run budgets) comes
 * from a thread-local struct hup_run_state that the loader sets around each
 * run.  The contract for the loader (prog.c):
 *
 *     struct hup_run_state st;
 *     uint64_t r0;
 *     int err;
 *
 *     hup_run_state__init(&st, prog->view, prog->event, env);
 *     st.deadline_ns = t0 + budget_ns;     // optional: the run budget
 *     err = hup_run_state__run(&st, engine_fn, engine_arg, &r0);
 *     // err: 0, -EFAULT (a hole) or -ETIMEDOUT (over budget): count an
 *     // abort; -EBUSY (nested run)
 *     // st.out.used, st.print_lines, st.print_dropped, st.helper_faults
 *
 * hup_run_state__run() makes st current on this thread, runs engine_fn
 * inside hup_view__run_guarded() (view.h) and restores the previous state.
 * engine_fn wraps hup_interp__run(..., &hup_helpers_abi, ...) or a JIT
 * entry compiled against hup_helpers_abi.
 *
 * Helper results follow the ABI: guest_read/write/memset, debug_print and
 * output return 0 on success; host_ns, guest_tsc, vcpu_reg and vcpu_id
 * their value; failures are -errno (-E2BIG size over HUP_GUEST_COPY_MAX,
 * -EFAULT a hole or a read-only window, -EPERM wrong event, -EINVAL bad
 * register, -ENOSPC query answer full, -EBUSY print rate limit,
 * -EOPNOTSUPP callback missing).  Never a host pointer.  The verifier checks arguments against the
 * prototypes; the helpers check again whatever could hurt the host if the
 * verifier were wrong (sizes, register numbers, the event) and touch guest
 * memory only through hup_view__copy/set, so a hole makes the helper return
 * -EFAULT to the program (and counts a view fault) rather than abort it.
 *
 * A run may be abandoned (budget.h) anywhere in a helper, as on a view
 * fault, so helpers hold no locks or allocations; the calls into the VMM
 * (the env callbacks) are the exception and are bracketed by
 * hup_budget__hold/release: the abort waits until they return.
 */
#ifndef HUP_HELPERS_H
#define HUP_HELPERS_H

#include <stdint.h>

#include <hup/libhup.h>

#include "engine.h"

/* debug_print: bytes of one line, and lines per run. */
#define HUP_DEBUG_LINE_MAX 256u
#define HUP_DEBUG_LINES_PER_RUN 16u

struct hup_run_state {
	const struct hup_run_env *env; /* may be NULL: no callbacks */
	struct hup_view *view;         /* may be NULL: no guest memory */
	uint8_t *view_base;            /* cached hup_view__base(view) */
	uint64_t view_mask;            /* cached hup_view__mask(view) */
	enum hup_event event;
	/* Run-clock ns (clock.h) past which the run is abandoned (-ETIMEDOUT),
	 * 0 for none; the loader sets it after init (budget.h). */
	uint64_t deadline_ns;
	/* Each instruction runs at most once (hup_insns__straight): the run
	 * cannot outrun its budget in its own code, so an idle watchdog is
	 * not woken for it (budget.h). */
	bool straight;
	/* Budgets and counters of this run, for the loader's statistics. */
	/* HUP_FN_output's: used counts the bytes emitted either way; dst
	 * and room are env->out_buf's free part (engine.h), dst NULL without
	 * one.  The JIT reaches it through run_tls (hup_helpers_abi). */
	struct hup_out_cursor out;
	uint32_t print_lines;   /* printed by HUP_FN_debug_print */
	uint32_t print_dropped; /* refused by the rate limit */
	uint32_t helper_faults; /* holes reported by guest_* helpers */
};

/* Prepare st for one run: counters zero, view fields cached. */
void hup_run_state__init(struct hup_run_state *st, struct hup_view *view,
			 enum hup_event event, const struct hup_run_env *env);

/*
 * Make st the helpers' state on this thread and return the previous one
 * (restore it with hup_run_state__leave).  Used by hup_run_state__run and
 * by tests that call helpers directly.
 */
struct hup_run_state *hup_run_state__enter(struct hup_run_state *st);
void hup_run_state__leave(struct hup_run_state *prev);
/* The current state, NULL outside a run. */
struct hup_run_state *hup_run_state__current(void);
/* Where this thread's current run state pointer lies, in bytes from the
 * thread pointer: the same in every thread (initial-exec TLS). */
intptr_t hup_run_state__tls_offset(void);

/*
 * enter + hup_view__run_guarded(st->view, fn, arg, r0) + leave, with the
 * thread's budget armed for st->deadline_ns (if not 0) around the guarded
 * run.  -ETIMEDOUT: the deadline passed and the run was abandoned.
 */
int hup_run_state__run(struct hup_run_state *st, uint64_t (*fn)(void *arg),
		       void *arg, uint64_t *r0);

/* The ABI helper table: fns[HUP_FN_*], nr = HUP_FN_MAX + 1. */
extern const struct hup_helper_table hup_helpers_abi;

#endif /* HUP_HELPERS_H */
