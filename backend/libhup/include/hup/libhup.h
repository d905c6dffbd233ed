/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libhup: the host runtime of hyperupcalls.  Loads guest-supplied eBPF
 * bytecode, verifies it (the verifier's verdict is what makes it safe), JIT
 * compiles it to x86-64 (the interpreter is the reference and the fallback),
 * and runs it against a *view* of guest memory: one host reservation into
 * which guest windows are mapped (docs/abi.md, "Guest memory").
 *
 * Conventions (libbpf's): opaque objects with object__verb methods; every
 * function returns 0 or -errno and sets nothing else; option structs start
 * with `size_t sz` so they can grow; the library never prints, it writes its
 * log into the caller's buffer or hands lines to a callback.
 *
 * No KVM here: the VMM (hupvm) supplies guest memory as a file descriptor
 * and per-event context; tests supply memfds.
 */
#ifndef HUP_LIBHUP_H
#define HUP_LIBHUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HUP_API __attribute__((visibility("default")))

/* ---------------------------------------------------------------- views */

struct hup_view;

/*
 * Reserve a view of 2^mask_bits bytes (plus HUP_VIEW_GUARD on both sides),
 * PROT_NONE.  mask_bits in [HUP_VIEW_BITS_MIN, HUP_VIEW_BITS_MAX]; 0 picks
 * HUP_VIEW_BITS_DEFAULT.
 */
#define HUP_VIEW_BITS_DEFAULT 44u
#define HUP_VIEW_BITS_MIN 20u
#define HUP_VIEW_BITS_MAX 46u

HUP_API int hup_view__create(unsigned int mask_bits, struct hup_view **out);
HUP_API void hup_view__free(struct hup_view *view);

/*
 * Map len bytes of fd at offset into the view at view offset
 * (gva & mask).  gva, offset and len page aligned; prot is HUP_WIN_READ
 * and/or HUP_WIN_WRITE.  -EADDRNOTAVAIL if any page of the range is already
 * mapped (windows colliding modulo the view size), -EINVAL on bad alignment
 * or a range wrapping the view.
 */
HUP_API int hup_view__map(struct hup_view *view, uint64_t gva, int fd,
			  uint64_t offset, uint64_t len, unsigned int prot);
/* Turn the range back into a hole. */
HUP_API int hup_view__unmap(struct hup_view *view, uint64_t gva, uint64_t len);
HUP_API uint64_t hup_view__mask(const struct hup_view *view);
/* Faults taken inside the view by programs since creation. */
HUP_API uint64_t hup_view__faults(const struct hup_view *view);

/* Host address of view offset 0 (what HUP_PSEUDO_VIEW_BASE patches to). */
HUP_API uint8_t *hup_view__base(const struct hup_view *view);

/*
 * Run fn(arg) with view faults recovered.  Returns 0 with *ret = fn's
 * result; -EFAULT if fn touched an unmapped or protection-violating page of
 * the view's reservation (the run was abandoned where it faulted; the
 * view's fault count was bumped); -ETIMEDOUT if hup_view__abandon() ended
 * it (the run budget); -EBUSY if a guarded run is already
 * active on this thread (runs do not nest, e.g. a VMM callback running a
 * program from inside a helper); -ENOMEM/-errno if the fault handler or
 * this thread's signal stack could not be set up.
 *
 * view may be NULL (a program without guest memory): then no fault is
 * recovered, fn simply runs.  fn is abandoned by siglongjmp on a fault, so
 * it must hold no locks or allocations across the guest accesses; the
 * engines and the helpers (which copy with hup_view__copy) qualify.
 */
HUP_API int hup_view__run_guarded(struct hup_view *view, uint64_t (*fn)(void *arg),
			  void *arg, uint64_t *ret);


/* ------------------------------------------------------------- programs */

struct hup_prog;

enum hup_prog_state {
	HUP_PROG_LOADED = 1, /* verified, compiled (or interpreted), runnable */
	HUP_PROG_DEAD = 2,   /* detached by its owner; runs return -ENOENT */
};

/* Called once per log line (without the newline). */
typedef void (*hup_log_fn)(void *opaque, const char *line);

struct hup_load_opts {
	size_t sz;              /* sizeof(struct hup_load_opts) */
	const char *name;       /* for logs; copied */
	struct hup_view *view;  /* required if the program uses the view */
	/* The verifier log: into log_buf (always NUL-terminated, truncated
	 * lines are dropped whole) and/or through log_fn. */
	char *log_buf;
	size_t log_size;
	hup_log_fn log_fn;
	void *log_opaque;
	unsigned int log_level; /* 0: rejections only, 1: + summary, 2: + every
				 * instruction's state */
	bool no_jit;            /* run under the interpreter */
	/* Wall-clock budget of one run in microseconds: a run still going
	 * after it is aborted with -ETIMEDOUT (docs/libhup.md, "Run-time
	 * budget").  0 picks the default for the event
	 * (HUP_RUN_BUDGET_US_LOCAL / _GLOBAL), HUP_RUN_BUDGET_NONE runs
	 * without one. */
	uint32_t budget_us;
};
/* sz of the first version (up to no_jit): no budget_us, the default. */
#define HUP_LOAD_OPTS_SZ_V1 (offsetof(struct hup_load_opts, no_jit) + sizeof(bool))
/* sz up to budget_us. */
#define HUP_LOAD_OPTS_SZ_V2                                                  \
	(offsetof(struct hup_load_opts, budget_us) + sizeof(uint32_t))

/*
 * Default run budgets.  Local events (trace, msr_write, vcpu_resume) run
 * on the vCPU thread at every such exit, where a millisecond is already a
 * long stall; global ones (reclaim, query) run on the VMM's control thread
 * and may walk more.
 */
#define HUP_RUN_BUDGET_US_LOCAL 1000u
#define HUP_RUN_BUDGET_US_GLOBAL 10000u
#define HUP_RUN_BUDGET_NONE UINT32_MAX

/*
 * Copy, verify and compile insns for event.  On success *out is a LOADED
 * program.  Errors: -EINVAL malformed, -EACCES unsafe, -E2BIG too large or
 * complex, -ENOMEM; the log says why, naming the instruction index.
 */
HUP_API int hup_prog__load(const void *insns, size_t insn_cnt,
			   enum hup_event event,
			   const struct hup_load_opts *opts,
			   struct hup_prog **out);

/*
 * Verify without loading: the verifier hup_prog__load runs, on insns for
 * event, as if the program had a view of 2^view_bits bytes (0: no view,
 * every guest memory access refused).  For offline checks (hupcc runs it
 * at compile time) and tools; nothing is kept.  0 if the program is safe,
 * else the errors of hup_prog__load; the log says why.  Versioned by sz as
 * hup_load_opts.
 */
struct hup_verify_opts {
	size_t sz;              /* sizeof(struct hup_verify_opts) */
	unsigned int view_bits; /* 0, or 12..63 */
	char *log_buf;          /* as in hup_load_opts */
	size_t log_size;
	hup_log_fn log_fn;
	void *log_opaque;
	unsigned int log_level;
	/* out, on success */
	uint32_t stack_depth;      /* deepest stack use of any frame, bytes */
	uint64_t states_explored;  /* verifier states visited */
};

HUP_API int hup_prog__verify(const void *insns, size_t insn_cnt,
			     enum hup_event event,
			     struct hup_verify_opts *opts);
HUP_API void hup_prog__free(struct hup_prog *prog);
HUP_API enum hup_prog_state hup_prog__state(const struct hup_prog *prog);
HUP_API int hup_prog__detach(struct hup_prog *prog);
HUP_API enum hup_event hup_prog__event(const struct hup_prog *prog);
HUP_API const char *hup_prog__name(const struct hup_prog *prog);
/* Native code size in bytes, 0 if the program runs interpreted. */
HUP_API size_t hup_prog__jited_len(const struct hup_prog *prog);

/*
 * What helpers may ask of the caller during one run.  All callbacks are
 * optional; a helper whose callback is missing returns -EOPNOTSUPP.
 * Versioned by sz, as libbpf's opts: a shorter struct from an older caller
 * is accepted (what it lacks is absent; callbacks need opaque too), a
 * longer one only if the fields this libhup does not know are zero.
 */
struct hup_run_env {
	size_t sz;              /* sizeof(struct hup_run_env) */
	uint32_t vcpu;          /* event vCPU (local events) */
	uint64_t guest_tsc;     /* for HUP_FN_guest_tsc */
	int (*vcpu_reg)(void *opaque, uint32_t reg, uint64_t *val);
	int (*output)(void *opaque, const void *buf, uint32_t size);
	void (*debug_print)(void *opaque, const char *line, uint32_t len);
	void *opaque;
	/*
	 * A query's output (HUP_FN_output) straight into the caller's
	 * buffer instead of through output(): records are appended at
	 * out_buf + *out_len, up to out_cap bytes in all (and at most
	 * HUP_QUERY_OUT_MAX per run), and *out_len is advanced when the run
	 * ends, an aborted run's records included.  No call into the caller
	 * per record: the JIT copies a small one inline.  out_buf NULL: the
	 * callback (or -EOPNOTSUPP without one).
	 */
	uint8_t *out_buf;
	uint32_t out_cap;
	uint32_t *out_len;
};

struct hup_run_result {
	uint64_t r0;            /* the program's return value */
	uint64_t ns;            /* time spent (0 with run timing off) */
};

/*
 * Run prog once with ctx (the event's context structure, ctx_size bytes,
 * which must equal the event's context size).  Returns 0 with res->r0 set,
 * -EFAULT if the program touched a hole of the view, -ETIMEDOUT if it ran
 * past its budget (both: the run was aborted and counted), -ENOENT if the
 * program is dead, -EINVAL on a bad ctx_size.  Safe to call from several
 * threads at once.  The env callbacks are never interrupted by a budget
 * abort: it waits until they return.
 */
HUP_API int hup_prog__run(struct hup_prog *prog, void *ctx, size_t ctx_size,
			  const struct hup_run_env *env,
			  struct hup_run_result *res);

struct hup_prog_stats {
	uint64_t runs;          /* completed runs */
	uint64_t aborts;        /* runs ended by a fault or the budget */
	uint64_t run_ns;        /* total time in completed and aborted runs
				 * (those timed: hup_set_run_timing) */
};
HUP_API void hup_prog__stats(const struct hup_prog *prog,
			     struct hup_prog_stats *stats);

/*
 * Whether runs are timed for run_ns and hup_run_result.ns: on unless
 * turned off; process-wide, at any time; returns the setting it replaces.
 * Two clock reads are most of a short program's fixed cost (docs/libhup.md,
 * "The run clock"); off, a run reads the clock only when its budget needs
 * a deadline (a program with a loop or a call: a straight one ends within
 * its instructions and helpers and needs none), as Linux times BPF runs
 * only with kernel.bpf_stats_enabled.  runs and aborts are always counted.
 */
HUP_API bool hup_set_run_timing(bool on);

/*
 * The signal that aborts a run past its budget: a process-wide watchdog
 * thread sends it (tgkill) to a thread whose run overstayed, and libhup's
 * handler abandons the run.  The default is SIGRTMIN + HUP_BUDGET_SIGNAL_OFFSET
 * (no VMM we know uses it); pass another real-time signal if the VMM does,
 * or 0 to enforce no budget at all (runs are never aborted).  Only before
 * the first run of a program with a budget: -EBUSY afterwards, -EINVAL for
 * a signal outside [SIGRTMIN, SIGRTMAX].
 */
#define HUP_BUDGET_SIGNAL_OFFSET 7
HUP_API int hup_set_budget_signal(int signo);

/*
 * The clock behind run statistics and budgets: "tsc" where the CPU's TSC
 * is invariant and the kernel keeps time on it (cheapest), "monotonic"
 * (CLOCK_MONOTONIC) otherwise.  Chosen, and the TSC calibrated (2 ms),
 * once per process, at the first load or at this call.
 */
HUP_API const char *hup_clock_name(void);

/* Human-readable name of an errno value returned by this library. */
HUP_API const char *hup_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* HUP_LIBHUP_H */
