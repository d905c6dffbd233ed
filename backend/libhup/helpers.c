/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ABI helpers (HUP_FN_*), called by both engines through the table
 * hup_helpers_abi with the program's r1..r5.  Everything beyond the
 * registers comes from the thread-local run state the loader sets
 * (helpers.h).  Arguments are re-checked here even though the verifier
 * checked them against the prototypes: a helper is the one place where a
 * program's values turn into host actions, so sizes are bounded, register
 * numbers range-checked, the event matched, and guest memory touched only
 * through the view's guarded copy.  Calls into the VMM (the env callbacks)
 * are shielded from the run budget's abort (budget.h): it happens when
 * they return, never inside them.
 */
#define _GNU_SOURCE
#include "helpers.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "clock.h"
#include "view.h"

static __thread struct hup_run_state *run_tls
	__attribute__((tls_model("initial-exec")));

/* Whether the caller's env (of its own sz) has field f. */
#define ENV_HAS(env, f)                                                      \
	((env) && (env)->sz >= offsetof(struct hup_run_env, f) +             \
				       sizeof((env)->f))
/* A callback needs its opaque argument too (the last field). */
#define ENV_HAS_CB(env, f) (ENV_HAS(env, f) && ENV_HAS(env, opaque) && (env)->f)

void hup_run_state__init(struct hup_run_state *st, struct hup_view *view,
			 enum hup_event event, const struct hup_run_env *env)
{
	memset(st, 0, sizeof(*st));
	st->env = env;
	st->view = view;
	st->view_base = hup_view__base(view);
	st->view_mask = hup_view__mask(view);
	st->event = event;
	/* A query's output buffer: its free part, at most a query's worth
	 * (a *out_len past out_cap leaves no room). */
	if (event == HUP_EVENT_QUERY && ENV_HAS(env, out_len) &&
	    env->out_buf && env->out_len) {
		uint32_t len = *env->out_len < env->out_cap ? *env->out_len
							     : env->out_cap;
		uint32_t room = env->out_cap - len;

		st->out.dst = env->out_buf + len;
		st->out.room = room < HUP_QUERY_OUT_MAX ? room
							: HUP_QUERY_OUT_MAX;
	}
}

intptr_t hup_run_state__tls_offset(void)
{
	return (intptr_t)((uintptr_t)&run_tls -
			  (uintptr_t)__builtin_thread_pointer());
}

struct hup_run_state *hup_run_state__enter(struct hup_run_state *st)
{
	struct hup_run_state *prev = run_tls;

	run_tls = st;
	return prev;
}

void hup_run_state__leave(struct hup_run_state *prev)
{
	run_tls = prev;
}

struct hup_run_state *hup_run_state__current(void)
{
	return run_tls;
}

int hup_run_state__run(struct hup_run_state *st, uint64_t (*fn)(void *arg),
		       void *arg, uint64_t *r0)
{
	struct hup_run_state *prev;
	struct hup_budget_thread *b = NULL;
	uint64_t outer = 0;
	int err;

	/* The budget costs a TLS load and two stores per run: the hot path
	 * of a trace program at every VM exit (budget.h). */
	if (st->deadline_ns) {
		b = hup_budget__self(&err);
		if (!b)
			return err;
		outer = hup_budget__arm(b, st->deadline_ns, !st->straight);
	}
	prev = hup_run_state__enter(st);
	err = hup_view__run_guarded(st->view, fn, arg, r0);
	hup_run_state__leave(prev);
	if (st->out.dst)
		*st->env->out_len += st->out.used; /* an aborted run's too */
	if (b)
		hup_budget__disarm(b, outer);
	return err;
}


/* Events run on behalf of one vCPU (docs/abi.md section 4). */
static bool event_is_local(enum hup_event event)
{
	return event == HUP_EVENT_TRACE || event == HUP_EVENT_MSR_WRITE ||
	       event == HUP_EVENT_VCPU_RESUME;
}

static uint64_t ret_err(int err)
{
	return (uint64_t)(int64_t)err;
}

/* ---------------------------------------------------------- guest memory */

/*
 * The host address of gva, as the program's own translated access would
 * compute it: base + (gva & mask).  With size <= HUP_GUEST_COPY_MAX <=
 * HUP_VIEW_GUARD the range always ends inside the reservation (a range
 * running off the top of the view goes on in the guard, which mirrors the
 * view's first bytes: view.h); the check says so rather than trusting the
 * arithmetic.
 */
static int guest_translate(const struct hup_run_state *st, uint64_t gva,
			   uint64_t size, uint8_t **p)
{
	uint64_t off;

	if (size > HUP_GUEST_COPY_MAX)
		return -E2BIG;
	if (!st || !st->view)
		return -EFAULT;
	off = gva & st->view_mask;
	if (off + size > st->view_mask + 1 + HUP_VIEW_GUARD)
		return -EFAULT;
	*p = st->view_base + off;
	return 0;
}

static int guest_result(struct hup_run_state *st, int err)
{
	if (err == -EFAULT)
		st->helper_faults++;
	return err;
}

/* s64 guest_read(void *dst, u32 size, u64 gva) */
static uint64_t fn_guest_read(uint64_t r1, uint64_t r2, uint64_t r3,
			      uint64_t r4, uint64_t r5)
{
	struct hup_run_state *st = run_tls;
	void *dst = (void *)(uintptr_t)r1;
	uint8_t *src;
	int err;

	(void)r4, (void)r5;
	err = guest_translate(st, r3, r2, &src);
	if (err)
		return ret_err(err);
	if (!r2)
		return 0;
	if (!dst)
		return ret_err(-EINVAL);
	err = guest_result(st, hup_view__copy(st->view, dst, src, (size_t)r2));
	if (err == -EFAULT)
		memset(dst, 0, (size_t)r2); /* no half copy (docs/abi.md) */
	return ret_err(err);
}

/* What a fault in the JIT's inlined copy of guest_read returns, counted
 * as the helper counts its own (engine.h, read_fault): called from the
 * copy's landing pad, which the view's handler resumes at. */
static uint64_t fn_guest_read_fault(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5)
{
	struct hup_run_state *st = run_tls;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (st)
		st->helper_faults++;
	return ret_err(-EFAULT);
}

/* s64 guest_write(u64 gva, const void *src, u32 size): the page
 * protection of the window enforces HUP_WIN_WRITE (a read-only window
 * faults, and the helper returns -EFAULT). */
static uint64_t fn_guest_write(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5)
{
	struct hup_run_state *st = run_tls;
	const void *src = (const void *)(uintptr_t)r2;
	uint8_t *dst;
	int err;

	(void)r4, (void)r5;
	err = guest_translate(st, r1, r3, &dst);
	if (err)
		return ret_err(err);
	if (!r3)
		return 0;
	if (!src)
		return ret_err(-EINVAL);
	return ret_err(guest_result(st, hup_view__copy(st->view, dst, src,
							(size_t)r3)));
}

/* s64 guest_memset(u64 gva, u32 byte, u32 size): byte's low 8 bits. */
static uint64_t fn_guest_memset(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	struct hup_run_state *st = run_tls;
	uint8_t *dst;
	int err;

	(void)r4, (void)r5;
	err = guest_translate(st, r1, r3, &dst);
	if (err)
		return ret_err(err);
	if (!r3)
		return 0;
	return ret_err(guest_result(st, hup_view__set(st->view, dst,
						       (uint8_t)r2,
						       (size_t)r3)));
}

/* ------------------------------------------------------------ the vCPU */

/* u64 host_ns(void): CLOCK_MONOTONIC, part of the ABI (not the run
 * clock, which may be the TSC). */
static uint64_t fn_host_ns(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return hup_clock__monotonic_ns();
}

/* u64 guest_tsc(void): the caller supplies the right vCPU's value. */
static uint64_t fn_guest_tsc(uint64_t r1, uint64_t r2, uint64_t r3,
			     uint64_t r4, uint64_t r5)
{
	const struct hup_run_state *st = run_tls;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (!st || !ENV_HAS(st->env, guest_tsc))
		return 0;
	return st->env->guest_tsc;
}

/*
 * s64 vcpu_reg(u32 reg).  A register whose value lies in [-4095, -1] as
 * an s64 reads like an error; real addresses and flags never do in
 * practice, and the ABI documents the convention.
 */
static uint64_t fn_vcpu_reg(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5)
{
	const struct hup_run_state *st = run_tls;
	uint64_t val = 0;
	int err;

	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!st || !event_is_local(st->event))
		return ret_err(-EPERM);
	if (r1 > HUP_REG_MAX)
		return ret_err(-EINVAL);
	if (!ENV_HAS_CB(st->env, vcpu_reg))
		return ret_err(-EOPNOTSUPP);
	hup_budget__hold();
	err = st->env->vcpu_reg(st->env->opaque, (uint32_t)r1, &val);
	hup_budget__release();
	if (err < 0)
		return ret_err(err);
	return val;
}

/*
 * u32 vcpu_id(void): local events only (the verifier enforces it).  The
 * verifier also assumes the result fits in a u32, so even a call it should
 * have refused answers 0 rather than a negative errno.
 */
static uint64_t fn_vcpu_id(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5)
{
	const struct hup_run_state *st = run_tls;

	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (!st || !event_is_local(st->event))
		return 0;
	return ENV_HAS(st->env, vcpu) ? st->env->vcpu : 0;
}

/* ---------------------------------------------------- talking to the host */

/*
 * s64 debug_print(const char *buf, u32 size): one line into the host log.
 * At most HUP_DEBUG_LINE_MAX bytes are read, up to the first NUL; trailing
 * newlines are dropped and every other byte outside printable ASCII
 * becomes '?', so a guest cannot forge log lines or send terminal escapes.
 * After HUP_DEBUG_LINES_PER_RUN lines a run's prints are refused (-EBUSY).
 */
static uint64_t fn_debug_print(uint64_t r1, uint64_t r2, uint64_t r3,
			       uint64_t r4, uint64_t r5)
{
	struct hup_run_state *st = run_tls;
	const char *buf = (const char *)(uintptr_t)r1;
	char line[HUP_DEBUG_LINE_MAX + 1];
	size_t len, max, i;

	(void)r3, (void)r4, (void)r5;
	if (!st)
		return ret_err(-EINVAL);
	if (!ENV_HAS_CB(st->env, debug_print))
		return ret_err(-EOPNOTSUPP);
	if (!buf && r2)
		return ret_err(-EINVAL);
	if (st->print_lines >= HUP_DEBUG_LINES_PER_RUN) {
		st->print_dropped++;
		return ret_err(-EBUSY);
	}
	max = r2 < HUP_DEBUG_LINE_MAX ? (size_t)r2 : HUP_DEBUG_LINE_MAX;
	for (len = 0; len < max && buf[len]; len++)
		;
	while (len && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		line[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	line[len] = '\0';
	st->print_lines++;
	hup_budget__hold();
	st->env->debug_print(st->env->opaque, line, (uint32_t)len);
	hup_budget__release();
	return 0;
}

/* s64 output(const void *buf, u32 size): HUP_EVENT_QUERY's answer. */
static uint64_t fn_output(uint64_t r1, uint64_t r2, uint64_t r3,
			  uint64_t r4, uint64_t r5)
{
	struct hup_run_state *st = run_tls;
	const void *buf = (const void *)(uintptr_t)r1;
	int err;

	(void)r3, (void)r4, (void)r5;
	if (!st || st->event != HUP_EVENT_QUERY)
		return ret_err(-EPERM);
	if (r2 > HUP_QUERY_OUT_MAX - st->out.used)
		return ret_err(-ENOSPC);
	if (st->out.dst) {
		/* the caller's buffer: no call into it (what the JIT
		 * inlines, engine.h) */
		if (r2 > st->out.room - st->out.used)
			return ret_err(-ENOSPC);
		if (r2 && !buf)
			return ret_err(-EINVAL);
		memcpy(st->out.dst + st->out.used, buf, r2);
		st->out.used += (uint32_t)r2;
		return 0;
	}
	if (!ENV_HAS_CB(st->env, output))
		return ret_err(-EOPNOTSUPP);
	if (!r2)
		return 0;
	if (!buf)
		return ret_err(-EINVAL);
	hup_budget__hold();
	err = st->env->output(st->env->opaque, buf, (uint32_t)r2);
	if (err >= 0)
		st->out.used += (uint32_t)r2; /* before a budget abort */
	hup_budget__release();
	return err < 0 ? ret_err(err) : 0;
}

static const hup_helper_fn abi_fns[HUP_FN_MAX + 1] = {
	[HUP_FN_guest_read] = fn_guest_read,
	[HUP_FN_guest_write] = fn_guest_write,
	[HUP_FN_guest_memset] = fn_guest_memset,
	[HUP_FN_host_ns] = fn_host_ns,
	[HUP_FN_guest_tsc] = fn_guest_tsc,
	[HUP_FN_vcpu_reg] = fn_vcpu_reg,
	[HUP_FN_debug_print] = fn_debug_print,
	/*
	 * HUP_FN_loop is not a runtime helper: its callback is a BPF
	 * function, which no C helper can call into both engines, so the
	 * verifier rewrites each loop call into bounded bytecode before the
	 * program runs.  The slot stays NULL: an unrewritten call ends the
	 * run with -EINVAL.
	 */
	[HUP_FN_loop] = NULL,
	[HUP_FN_output] = fn_output,
	[HUP_FN_vcpu_id] = fn_vcpu_id,
};

/* fn_guest_read is the copy engine.h describes: below HUP_JIT_INLINE_READ
 * bytes (<= HUP_GUEST_COPY_MAX, and inside the guard past the view)
 * guest_translate() never refuses a size. */
_Static_assert(HUP_JIT_INLINE_READ <= HUP_GUEST_COPY_MAX &&
		       HUP_JIT_INLINE_READ <= HUP_VIEW_GUARD,
	       "an inlined guest_read is the helper's copy");

const struct hup_helper_table hup_helpers_abi = {
	.fns = abi_fns,
	.nr = HUP_FN_MAX + 1,
	.read_fault = fn_guest_read_fault,
	.read_id = HUP_FN_guest_read,
	.out_id = HUP_FN_output,
	.out_off = offsetof(struct hup_run_state, out),
	.out_tls = hup_run_state__tls_offset,
};
