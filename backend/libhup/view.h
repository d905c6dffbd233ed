/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals of the guest-memory view (libhup.h, docs/abi.md section 5) and
 * of the fault recovery that makes a touch of a view hole end a run with
 * -EFAULT instead of killing the host.
 *
 * The view: one PROT_NONE reservation of HUP_VIEW_GUARD + 2^mask_bits +
 * HUP_VIEW_GUARD bytes; base = reservation + HUP_VIEW_GUARD; guest windows
 * are mapped (MAP_SHARED | MAP_FIXED over the reservation) at
 * base + (gva & mask).  Everything a verified program can address through
 * the view lies inside the reservation, so the worst it can do is touch a
 * PROT_NONE page.  The guards mirror the view's ends: what is mapped at
 * offsets [0, GUARD) is mapped again at [size, size + GUARD), and
 * [size - GUARD, size) again at [-GUARD, 0), holes included.  So
 * base + v, for any v in [-GUARD, size + GUARD), is the memory at
 * base + (v & mask): an access running past an end of the view goes on
 * around it, as the guest addresses it covers do modulo the view.  The
 * engines' masked accesses and the JIT's unmasked ones (engine.h,
 * view_mirrored) therefore see the same bytes.
 *
 * Fault recovery: a process-wide SIGSEGV/SIGBUS handler, installed once,
 * and per-thread state (thread-local, initial-exec TLS so the handler can
 * read it async-signal-safely).  A fault is recovered only if a guarded run
 * is active on the faulting thread AND the faulting address lies inside
 * that run's view reservation (guards included); every other fault goes to
 * the handler installed before ours, or to the default action: a host bug
 * is never swallowed.  Each thread that runs programs gets an alternate
 * signal stack (unless it already has one), freed when the thread exits.
 * The handler is installed on the first guarded run and never removed; a
 * VMM that installs its own SIGSEGV/SIGBUS handler afterwards must chain
 * to the one it replaces, or view faults will kill the process.
 *
 * The run budget (budget.h) abandons a run through the same recovery
 * point: hup_view__abandon() below, from its signal handler.
 *
 * hup_view__unmap() returns -ENOENT when no page of the range was mapped
 * (libhup.h leaves that case open); map records are page-granular and
 * coalesced, so mapping a window page by page stays cheap.
 *
 * Contract for the loader (prog.c):
 *
 *     struct hup_run_state st;             // helpers.h
 *     hup_run_state__init(&st, view, event, env);
 *     err = hup_run_state__run(&st, engine_fn, &args, &r0);
 *
 * which sets the helpers' thread-local run state and calls
 * hup_view__run_guarded() below; engine_fn calls hup_interp__run() or the
 * JIT entry.  On -EFAULT the run was aborted (count an abort); stats of the
 * run (output bytes, debug lines, helper faults) are in st afterwards.
 */
#ifndef HUP_VIEW_H
#define HUP_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include <hup/libhup.h>

/*
 * Size of the alternate signal stack given to each thread that runs
 * programs: room for our handler and for whatever handler we chain to
 * (a sanitizer's report needs tens of KiB).  Untouched pages cost nothing.
 */
#define HUP_VIEW_ALTSTACK_SIZE (256u * 1024u)

/* hup_view__base and hup_view__run_guarded: libhup.h (public: native
 * code that reads a view as programs do, hupreplay's baseline). */

/*
 * Abandon this thread's active guarded run: hup_view__run_guarded returns
 * -ETIMEDOUT (no fault counted).  Async-signal-safe.  uctx: the signal's
 * ucontext_t, whose mask the run gets back, or NULL when called from the
 * run's own code (a helper).  Returns only if no guarded run is active.
 * Always to the run's recovery point, never to a helper's nested one
 * (hup_view__copy), which would take it for a fault.
 */
void hup_view__abandon(const void *uctx);

/*
 * The generated code of this thread's active guarded run whose faults in
 * the view resume at landing pads (engine.h, hup_code_fixup; ent sorted by
 * begin, offsets from base): the JIT's inlined helper copies.  Set by the
 * engine inside the run, forgotten when the run ends however it ends; a
 * call with no guarded run active does nothing.  A fault elsewhere in the
 * code, or outside the view, is handled as without it.
 */
struct hup_code_fixup;
void hup_view__code_fixups(const void *base, const struct hup_code_fixup *ent,
			   uint32_t nr);

/*
 * memcpy / memset for helpers, inside a guarded run of view on this thread:
 * a fault inside the view returns -EFAULT (and counts a fault) instead of
 * abandoning the whole run, so a helper can report the hole to the program
 * as a result.  -EPERM if no guarded run of this view is active on this
 * thread (touching the view unguarded could kill the host).  A fault
 * outside the view is a host bug and is not recovered.
 */
int hup_view__copy(struct hup_view *view, void *dst, const void *src,
		   size_t len);
int hup_view__set(struct hup_view *view, void *dst, int byte, size_t len);

/* The view this thread is running guarded, or NULL. */
struct hup_view *hup_view__current(void);

#endif /* HUP_VIEW_H */
