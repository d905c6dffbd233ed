/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The program object: the loader pipeline and the run entry of libhup.h.
 *
 * Load: check the caller's arguments, copy the bytecode (the caller may
 * hand us guest memory that changes under us; everything after this works
 * on our copy), verify it as sent, then rewrite it for the engines (loop
 * helper calls inlined, pseudo immediates patched to host values), then
 * JIT-compile it, falling back to the interpreter when the JIT declines.
 * Order matters: the verifier must see exactly what the guest sent, and
 * nothing the engines run may come from anywhere but the verified copy and
 * our own rewrites.
 *
 * Run: the event's context, the caller's environment and the view are
 * bound to the thread for the helpers, the engine runs inside a guarded
 * section of the view (a hole aborts with -EFAULT, an overrun of the
 * program's wall-clock budget with -ETIMEDOUT), and the statistics are
 * updated with relaxed atomics so several vCPU threads may run one program
 * at once.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hup/libhup.h>

#include "budget.h"
#include "clock.h"
#include "engine.h"
#include "helpers.h"
#include "insn.h"
#include "log.h"
#include "runstats.h"
#include "verifier.h"
#include "verifier/env.h"
#include "view.h"

struct hup_prog {
	_Atomic int state;         /* enum hup_prog_state */
	enum hup_event event;
	char name[HUP_NAME_LEN];
	size_t ctx_size;
	struct bpf_insn *insns;    /* verified, then rewritten for the engines */
	size_t insn_cnt;
	struct hup_view *view;
	struct hup_jit_image jit;  /* entry == NULL: interpreted */
	struct hup_confine conf;   /* what the engines confine it to */
	uint64_t budget_ns;        /* per run, 0: none (budget.h) */
	bool straight;             /* hup_insns__straight of what runs */
	struct hup_run_stats *stats; /* runs and run_ns, per thread */
	_Atomic uint64_t aborts;
};

/*
 * libbpf's rule for versioned option structs (sz first): a caller built
 * against an older, shorter struct is accepted (the fields it lacks count
 * as absent); one built against a newer, longer struct only if the part we
 * do not know is all zero.  min: the shortest size ever published.
 */
static bool sz_valid(const void *p, size_t sz, size_t min, size_t known)
{
	const unsigned char *b = p;

	if (sz < min)
		return false;
	for (size_t i = known; i < sz; i++)
		if (b[i])
			return false;
	return true;
}

static bool opts_valid(const struct hup_load_opts *opts)
{
	return !opts || sz_valid(opts, opts->sz, HUP_LOAD_OPTS_SZ_V1,
				 sizeof(*opts));
}

/* An env needs only its sz; helpers check each field (ENV_HAS). */
static bool env_valid(const struct hup_run_env *env)
{
	return !env ||
	       sz_valid(env, env->sz, sizeof(env->sz), sizeof(*env));
}

/* Whether opts (already valid) has field f: libbpf's OPTS_HAS. */
#define OPTS_HAS(opts, f)                                                    \
	((opts) && (opts)->sz >= offsetof(struct hup_load_opts, f) +         \
				 sizeof((opts)->f))

/*
 * The run budget: the caller's, or the event's default (local events run
 * on a vCPU thread at every exit and get the tighter one).  0 in
 * *budget_ns when there is none, or budgets are off process-wide.
 */
static int budget_of(const struct hup_load_opts *opts, enum hup_event event,
		     uint64_t *budget_ns)
{
	uint32_t us = OPTS_HAS(opts, budget_us) ? opts->budget_us : 0;
	bool enabled;
	int err;

	*budget_ns = 0;
	if (!us)
		us = event == HUP_EVENT_RECLAIM || event == HUP_EVENT_QUERY ?
		     HUP_RUN_BUDGET_US_GLOBAL : HUP_RUN_BUDGET_US_LOCAL;
	if (us == HUP_RUN_BUDGET_NONE)
		return 0;
	err = hup_budget__setup(&enabled);
	if (err || !enabled)
		return err;
	*budget_ns = (uint64_t)us * 1000u;
	hup_budget__note(*budget_ns);
	return 0;
}

/*
 * Replace the verified pseudo loads by the host values they stand for.
 * The verifier accepted only the kinds listed here (with a view attached),
 * so anything else is a verifier/loader mismatch: refuse to run it.
 */
static int patch_pseudo(struct bpf_insn *insns, size_t cnt,
			struct hup_view *view, struct hup_log *log)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		uint64_t v;

		if (!hup_insn_is_ldimm64(&insns[i]))
			continue;
		if (i + 1 >= cnt)
			return -EINVAL;
		switch (insns[i].src_reg) {
		case 0:
			i++;
			continue;
		case HUP_PSEUDO_VIEW_BASE:
			if (!view)
				goto bad;
			v = (uint64_t)(uintptr_t)hup_view__base(view);
			break;
		case HUP_PSEUDO_VIEW_MASK:
			if (!view)
				goto bad;
			v = hup_view__mask(view);
			break;
		default:
			goto bad;
		}
		insns[i].src_reg = 0;
		insns[i].imm = (int32_t)(uint32_t)v;
		insns[i + 1].imm = (int32_t)(uint32_t)(v >> 32);
		i++;
	}
	return 0;
bad:
	hup_log__line(log, "%zu: ldimm64 src_reg %u survived verification",
		      i, insns[i].src_reg);
	return -EINVAL;
}

/* Set by the JIT's abort stub on this thread (engine.h, on_abort). */
static __thread bool jit_aborted;

static void note_jit_abort(void)
{
	jit_aborted = true;
}

/* What hup_prog__load and hup_prog__verify refuse before verifying. */
static int check_input(struct hup_log *log, const void *insns,
		       size_t insn_cnt, enum hup_event event)
{
	if (!insns || !insn_cnt) {
		hup_log__line(log, "0: empty program");
		return -EINVAL;
	}
	if (insn_cnt > HUP_MAX_INSNS) {
		hup_log__line(log, "0: program of %zu instructions exceeds "
			      "the limit of %u", insn_cnt, HUP_MAX_INSNS);
		return -E2BIG;
	}
	if (!hup_ctx__layout((unsigned int)event)) {
		hup_log__line(log, "0: unknown event %d", (int)event);
		return -EOPNOTSUPP;
	}
	return 0;
}

int hup_prog__verify(const void *insns, size_t insn_cnt, enum hup_event event,
		     struct hup_verify_opts *opts)
{
	struct hup_verifier_opts vopts = {0};
	struct hup_verifier_info info = {0};
	struct hup_load_opts lo = {0};
	unsigned int bits = 0;
	struct hup_log log;
	int err;

	/* the first version is this one: nothing shorter was published */
	if (opts && !sz_valid(opts, opts->sz, sizeof(*opts), sizeof(*opts)))
		return -EINVAL;
	if (opts) {
		bits = opts->view_bits;
		if (bits && (bits < 12 || bits > 63))
			return -EINVAL;
		lo.sz = sizeof(lo);
		lo.log_buf = opts->log_buf;
		lo.log_size = opts->log_size;
		lo.log_fn = opts->log_fn;
		lo.log_opaque = opts->log_opaque;
		lo.log_level = opts->log_level;
	}
	hup_log__init(&log, opts ? &lo : NULL);
	err = check_input(&log, insns, insn_cnt, event);
	if (err)
		return err;
	vopts.event = event;
	vopts.has_view = bits != 0;
	vopts.view_mask = bits ? (1ull << bits) - 1 : 0;
	vopts.log = &log;
	err = hup_verify(insns, insn_cnt, &vopts, &info);
	if (!err && opts) {
		opts->stack_depth = info.stack_depth;
		opts->states_explored = info.states_explored;
	}
	return err;
}

int hup_prog__load(const void *insns, size_t insn_cnt, enum hup_event event,
		   const struct hup_load_opts *opts, struct hup_prog **out)
{
	struct hup_verifier_opts vopts = {0};
	struct hup_verifier_info info = {0};
	struct hup_mem_rec *recs = NULL;
	const struct hup_ctx_layout *layout;
	struct hup_log log;
	struct hup_prog *prog;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!opts_valid(opts))
		return -EINVAL;
	hup_log__init(&log, opts);
	err = check_input(&log, insns, insn_cnt, event);
	if (err)
		return err;
	layout = hup_ctx__layout((unsigned int)event);

	/* Before the first run: its deadline and statistics use it. */
	hup_clock__setup();
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->stats = hup_run_stats__new();
	if (!prog->stats) {
		free(prog);
		return -ENOMEM;
	}
	prog->event = event;
	prog->ctx_size = layout->size;
	err = budget_of(opts, event, &prog->budget_ns);
	if (err) {
		hup_log__line(&log, "0: run budget unavailable (%d)", err);
		goto err_free;
	}
	prog->view = opts ? opts->view : NULL;
	if (opts && opts->name) {
		strncpy(prog->name, opts->name, sizeof(prog->name) - 1);
	}
	prog->insn_cnt = insn_cnt;
	prog->insns = malloc(insn_cnt * sizeof(*prog->insns));
	if (!prog->insns) {
		err = -ENOMEM;
		goto err_free;
	}
	memcpy(prog->insns, insns, insn_cnt * sizeof(*prog->insns));

	vopts.event = event;
	vopts.has_view = prog->view != NULL;
	vopts.view_mask = prog->view ? hup_view__mask(prog->view) : 0;
	vopts.log = &log;
	recs = calloc(insn_cnt, sizeof(*recs));
	if (!recs) {
		err = -ENOMEM;
		goto err_free;
	}
	vopts.recs = recs;
	err = hup_verify(prog->insns, prog->insn_cnt, &vopts, &info);
	if (err)
		goto err_free;

	/* From here on a wrong pointer value cannot move a stack or ctx
	 * access (verifier/seal.c); the view is masked by the engines. */
	err = hup_fixup__engines(&prog->insns, &prog->insn_cnt, recs, insn_cnt,
				 layout->size, prog->view != NULL, &log);
	if (err) {
		hup_log__line(&log, "0: rewrite for the engines failed (%d)",
			      err);
		goto err_free;
	}
	prog->conf.sealed = true;
	prog->conf.ctx_size = layout->size;
	prog->conf.on_abort = note_jit_abort;
	if (prog->view) {
		prog->conf.view_base = (uint64_t)(uintptr_t)hup_view__base(prog->view);
		prog->conf.view_mask = hup_view__mask(prog->view);
		prog->conf.view_mirrored = true; /* a hup_view's guards */
	}
	err = patch_pseudo(prog->insns, prog->insn_cnt, prog->view, &log);
	if (err)
		goto err_free;
	prog->straight = hup_insns__straight(prog->insns, prog->insn_cnt);

	if (!opts || !opts->no_jit) {
		err = hup_jit__compile_confined(prog->insns, prog->insn_cnt,
						&hup_helpers_abi, &prog->conf,
						&prog->jit, &log);
		if (err == -EOPNOTSUPP) {
			hup_log__line(&log, "0: JIT declined; interpreting");
		} else if (err) {
			goto err_free;
		}
	}
	if (log.level >= 1)
		hup_log__line(&log, "0: verified %zu insns (%llu states, "
			      "stack %u), %s %zu bytes", insn_cnt,
			      (unsigned long long)info.states_explored,
			      info.stack_depth,
			      prog->jit.entry ? "jited" : "interpreted",
			      prog->jit.entry ? prog->jit.code_len : 0);
	free(recs);
	atomic_store(&prog->state, HUP_PROG_LOADED);
	*out = prog;
	return 0;

err_free:
	free(recs);
	hup_prog__free(prog);
	return err;
}

void hup_prog__free(struct hup_prog *prog)
{
	if (!prog)
		return;
	hup_jit__free(&prog->jit);
	hup_run_stats__free(prog->stats);
	free(prog->insns);
	free(prog);
}

enum hup_prog_state hup_prog__state(const struct hup_prog *prog)
{
	return (enum hup_prog_state)atomic_load(&prog->state);
}

int hup_prog__detach(struct hup_prog *prog)
{
	int loaded = HUP_PROG_LOADED;

	if (!prog)
		return -EINVAL;
	return atomic_compare_exchange_strong(&prog->state, &loaded,
					      HUP_PROG_DEAD) ? 0 : -ENOENT;
}

enum hup_event hup_prog__event(const struct hup_prog *prog)
{
	return prog->event;
}

const char *hup_prog__name(const struct hup_prog *prog)
{
	return prog->name;
}

size_t hup_prog__jited_len(const struct hup_prog *prog)
{
	return prog->jit.entry ? prog->jit.code_len : 0;
}

struct run_args {
	const struct hup_prog *prog;
	void *ctx;
	int err;
};

static uint64_t run_engine(void *arg)
{
	struct run_args *a = arg;
	const struct hup_prog *prog = a->prog;
	uint64_t r1 = (uint64_t)(uintptr_t)a->ctx;

	if (prog->jit.entry) {
		uint64_t r0;

		jit_aborted = false;
		if (prog->jit.nr_fixups) /* its inlined helper copies */
			hup_view__code_fixups((const void *)(uintptr_t)prog->jit.entry,
					      prog->jit.fixups,
					      prog->jit.nr_fixups);
		r0 = prog->jit.entry(r1, 0);
		if (jit_aborted)
			a->err = -EINVAL; /* what verification forbids, as the
					   * interpreter reports it */
		return r0;
	}
	return hup_interp__run_confined(prog->insns, prog->insn_cnt,
					&hup_helpers_abi, &prog->conf, r1, 0,
					&a->err);
}

/* hup_set_run_timing(): whether runs are timed for the statistics. */
static _Atomic bool run_timing = true;

bool hup_set_run_timing(bool on)
{
	return atomic_exchange_explicit(&run_timing, on, memory_order_relaxed);
}

int hup_prog__run(struct hup_prog *prog, void *ctx, size_t ctx_size,
		  const struct hup_run_env *env, struct hup_run_result *res)
{
	struct hup_run_state st;
	struct run_args args;
	uint64_t t0, r0 = 0, ns;
	bool timed, deadline;
	int err;

	if (!prog || !ctx || !res)
		return -EINVAL;
	if (atomic_load_explicit(&prog->state, memory_order_acquire) !=
	    HUP_PROG_LOADED)
		return -ENOENT;
	if (ctx_size != prog->ctx_size)
		return -EINVAL;
	if (!env_valid(env))
		return -EINVAL;

	args.prog = prog;
	args.ctx = ctx;
	args.err = 0;
	hup_run_state__init(&st, prog->view, prog->event, env);
	/* The clock is read for the statistics, and for the budget's deadline
	 * where the run needs one: a straight program ends within its
	 * instructions and helpers (budget.h), so untimed it reads none. */
	timed = atomic_load_explicit(&run_timing, memory_order_relaxed);
	deadline = prog->budget_ns && (timed || !prog->straight);
	t0 = timed || deadline ? hup_clock__ns() : 0;
	if (deadline)
		st.deadline_ns = t0 + prog->budget_ns; /* t0 serves both */
	st.straight = prog->straight;
	err = hup_run_state__run(&st, run_engine, &args, &r0);
	ns = 0;
	if (timed) {
		ns = hup_clock__ns() - t0;
		if ((int64_t)ns < 0)
			ns = 0; /* migrated to a CPU whose TSC lags a few ns */
	}
	if (!err && args.err)
		err = args.err; /* the interpreter met what verification forbids */
	/* run_ns counts every timed attempt, runs the completed ones */
	hup_run_stats__add(prog->stats, !err, ns);
	if (err == -EBUSY)
		return err; /* nothing ran */
	if (err) {
		atomic_fetch_add_explicit(&prog->aborts, 1,
					  memory_order_relaxed);
		return err;
	}
	res->r0 = r0;
	res->ns = ns;
	return 0;
}

void hup_prog__stats(const struct hup_prog *prog, struct hup_prog_stats *stats)
{
	hup_run_stats__sum(prog->stats, &stats->runs, &stats->run_ns);
	stats->aborts = atomic_load_explicit(&prog->aborts,
					     memory_order_relaxed);
}

const char *hup_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "success";
	case EINVAL:
		return "malformed program or argument";
	case EACCES:
		return "program rejected as unsafe";
	case E2BIG:
		return "program too large or too complex";
	case EFAULT:
		return "guest memory fault";
	case ENOMEM:
		return "out of memory";
	case ENOENT:
		return "no such program";
	case EOPNOTSUPP:
		return "not supported";
	case EBUSY:
		return "busy";
	case EADDRNOTAVAIL:
		return "guest windows collide in the view";
	case EPERM:
		return "not permitted for this event";
	case ETIMEDOUT:
		return "run exceeded its time budget";
	default:
		return "unknown error";
	}
}
