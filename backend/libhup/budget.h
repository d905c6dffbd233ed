/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run-time budget: a wall-clock limit on one run, enforced by a
 * process-wide watchdog thread (budget.c) so that a hostile program cannot
 * stall a vCPU or control thread, whatever the verifier let through
 * (verifier/README.md, "What the verifier does not prove").
 *
 * Why a watchdog and not a timer per run: a trace program runs at every VM
 * exit and costs a few ns; arming and disarming a POSIX timer costs ~1 us of
 * syscalls.  Here a run costs two stores to a per-thread record (its
 * deadline, then 0) plus a TLS load; the deadline reuses the clock read the
 * loader makes for its statistics anyway.  The watchdog scans the records,
 * sleeping until the earliest deadline it knows of (or the smallest budget
 * in use, for runs that start after its scan), and sends the budget signal
 * with tgkill() to every thread whose run is past its deadline and still
 * using CPU (HUP_BUDGET_CPU_NS: a preempted run is not overdue work).  The
 * signal's handler (same thread, asynchronously) abandons the run through
 * the view's recovery point (hup_view__abandon, view.h): the run returns
 * -ETIMEDOUT.  A signal that lands after its run ended, or during the next
 * run, finds the thread's current deadline not yet passed and is ignored.
 *
 * Env callbacks (vcpu_reg, output, debug_print) call into the VMM, which
 * may hold locks or be mid-syscall: abandoning them is unsafe.  Helpers
 * bracket them with hup_budget__hold()/hup_budget__release(): the watchdog
 * does not signal a holding thread, a signal that races in only records
 * itself (pending), and the abort happens at release, back in libhup.
 *
 * Contract for the loader and helpers:
 *
 *     hup_budget__setup(&enabled);          // at load, freezes the signal
 *     hup_budget__note(budget_ns);          // at load, if enabled
 *     b = hup_budget__self();               // at run, lazily registered
 *     outer = hup_budget__arm(b, deadline, wake); // before the run
 *     ... hup_view__run_guarded(...) ...    // -ETIMEDOUT on expiry
 *     hup_budget__disarm(b, outer);
 */
#ifndef HUP_BUDGET_H
#define HUP_BUDGET_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* A run past its deadline is signalled again this often until it ends
 * (the first signal may find it inside an env callback). */
#define HUP_BUDGET_RESEND_NS (200u * 1000u)
/* The watchdog never wakes more often than this, whatever the budgets. */
#define HUP_BUDGET_TICK_MIN_NS (1000u * 1000u)
/*
 * While no thread starts a run, the watchdog's tick doubles per idle scan
 * up to this: an idle VMM is not woken a thousand times a second.  During
 * such a stretched sleep hup_budget_idle is set, and the first run to
 * start wakes the watchdog (hup_budget__kick: one syscall, once per idle
 * period), so that run is still watched at its deadline.
 */
#define HUP_BUDGET_TICK_IDLE_MAX_NS (64u * 1000u * 1000u)
/*
 * An overdue run is abandoned only once its thread has also used this
 * much CPU time since the watchdog first saw it overdue: a run that was
 * merely preempted past its deadline (a few ns of work on an overcommitted
 * host) finishes as soon as it runs again and is left alone.
 */
#define HUP_BUDGET_CPU_NS (100u * 1000u)

/*
 * One per thread that has run a budgeted program.  The owner writes
 * deadline (relaxed atomics: the watchdog reads it from its own thread);
 * hold and pending are shared only with the owner's signal handler.
 */
struct hup_budget_thread {
	uint64_t deadline;             /* run clock ns (clock.h), 0: no run */
	uint64_t runs;                 /* runs started: tells idle from busy */
	volatile sig_atomic_t hold;    /* inside an env callback */
	volatile sig_atomic_t pending; /* expiry signalled during hold */
	pid_t tid;
	clockid_t cpu_clock;           /* the thread's CPU-time clock */
	/* The watchdog's own, under the registry lock: the overdue deadline
	 * it saw and the thread's CPU time then. */
	uint64_t seen_deadline;
	uint64_t seen_cpu_ns;
	struct hup_budget_thread *prev, *next; /* the registry, locked */
};

/* This thread's record, NULL until its first budgeted run.  initial-exec:
 * the signal handler reads it. */
extern __thread struct hup_budget_thread *hup_budget_tls
	__attribute__((tls_model("initial-exec")));

/* Non-zero while the watchdog sleeps a stretched (idle) tick. */
extern uint32_t hup_budget_idle;

/* Wake an idle watchdog: a run has started. */
void hup_budget__kick(void);

/*
 * Choose the signal (hup_set_budget_signal or the default) and install
 * its handler, once.  *enabled: whether budgets are enforced at all (the
 * signal is not 0).  -errno if the handler cannot be installed.
 */
int hup_budget__setup(bool *enabled);

/* A program with this budget exists: the watchdog wakes often enough. */
void hup_budget__note(uint64_t budget_ns);

/* Register this thread (and start the watchdog if needed). */
int hup_budget__register(struct hup_budget_thread **out);

/* At a release with an expiry pending: abandon the run (view.h). */
void hup_budget__expire(void);

/* This thread's record, registering it on first use; NULL on failure. */
static inline struct hup_budget_thread *hup_budget__self(int *err)
{
	struct hup_budget_thread *b = hup_budget_tls;

	*err = 0;
	if (__builtin_expect(!b, 0))
		*err = hup_budget__register(&b);
	return b;
}

/*
 * Start the budget of a run ending at deadline; returns the deadline it
 * replaces (non-zero only for a nested attempt from inside an env
 * callback, which hup_view__run_guarded refuses with -EBUSY at once).
 * wake: wake an idle watchdog.  A program that runs each instruction at
 * most once (hup_insns__straight) passes false: it ends within its
 * instructions' time, so only an env callback can hold it past its
 * deadline, and during one the watchdog signals nothing anyway (hold);
 * a budget signal that does arrive there is still honoured at release.
 * That spares the rare straight run (an MSR check tens of ms after the
 * last) the wakeup: a syscall and, with the watchdog's CPU idle, an IPI.
 */
static inline uint64_t hup_budget__arm(struct hup_budget_thread *b,
				       uint64_t deadline, bool wake)
{
	uint64_t outer = b->deadline;

	if (!outer)
		b->pending = 0;
	/* Only this thread writes runs; the watchdog reads it. */
	__atomic_store_n(&b->runs, b->runs + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&b->deadline, deadline, __ATOMIC_RELAXED);
	if (wake && __builtin_expect(__atomic_load_n(&hup_budget_idle,
						     __ATOMIC_RELAXED), 0))
		hup_budget__kick();
	return outer;
}

static inline void hup_budget__disarm(struct hup_budget_thread *b,
				      uint64_t outer)
{
	__atomic_store_n(&b->deadline, outer, __ATOMIC_RELAXED);
}

/* Around a call into the VMM: no budget abort in between. */
static inline void hup_budget__hold(void)
{
	struct hup_budget_thread *b = hup_budget_tls;

	if (b) {
		__atomic_store_n(&b->hold, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	}
}

static inline void hup_budget__release(void)
{
	struct hup_budget_thread *b = hup_budget_tls;

	if (!b)
		return;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&b->hold, 0, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__builtin_expect(b->pending, 0))
		hup_budget__expire();
}

#endif /* HUP_BUDGET_H */
