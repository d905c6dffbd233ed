// SPDX-License-Identifier: BSD-2-Clause
/*
 * Events (see backend.h, docs/abi.md section 4): build the context, enter
 * a read section of the registry, run every attached program that wants
 * the event, and combine their answers.  Local events run on the event
 * vCPU's thread (reader slot = vCPU index); global ones (query, reclaim)
 * on a control connection's thread under the registry lock, which also keeps the
 * program alive (reclaim's chunking is in reclaim.c).
 */
#include "hyperupcall/backend.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

struct run_ctx {
	struct backend *b;
	uint32_t cpu;
	/* query output: libhup appends into it (hup_run_env.out_buf) */
	char *out;
	uint32_t cap, len;
};

uint64_t backend__now_ns(void)
{
	return hupvm_now_ns();
}

static int env_vcpu_reg(void *opaque, uint32_t reg, uint64_t *val)
{
	struct run_ctx *rc = opaque;

	if (!rc->b->ops || !rc->b->ops->vcpu_reg)
		return -EOPNOTSUPP;
	return rc->b->ops->vcpu_reg(rc->b->opaque, rc->cpu, reg, val);
}

static int env_output(void *opaque, const void *buf, uint32_t size)
{
	struct run_ctx *rc = opaque;

	if (!rc->out)
		return -EPERM;
	if (size > rc->cap - rc->len)
		return -ENOSPC;
	memcpy(rc->out + rc->len, buf, size);
	rc->len += size;
	return 0;
}

/* One line per call, at most BACKEND_DEBUG_LINES_PER_S per second. */
static void env_debug_print(void *opaque, const char *line, uint32_t len)
{
	struct run_ctx *rc = opaque;
	struct backend *b = rc->b;
	uint64_t sec = backend__now_ns() / 1000000000ull;

	if (atomic_exchange(&b->debug_sec, sec) != sec)
		atomic_store(&b->debug_count, 0);
	if (atomic_fetch_add(&b->debug_count, 1) >=
	    BACKEND_DEBUG_LINES_PER_S) {
		atomic_fetch_add(&b->st.debug_dropped, 1);
		return;
	}
	atomic_fetch_add(&b->st.debug_lines, 1);
	if (b->ops && b->ops->debug_line)
		b->ops->debug_line(b->opaque, rc->cpu, line, len);
	else
		pr_warn("hyperupcall vCPU %u: %.*s", rc->cpu, (int)len, line);
}

static void env_init(struct hup_run_env *env, struct run_ctx *rc,
		     uint32_t cpu, uint64_t tsc, bool local)
{
	memset(env, 0, sizeof(*env));
	env->sz = sizeof(*env);
	env->vcpu = cpu;
	env->guest_tsc = tsc;
	env->vcpu_reg = local ? env_vcpu_reg : NULL;
	env->output = env_output;
	env->debug_print = env_debug_print;
	env->opaque = rc;
	if (rc->out) {
		env->out_buf = (uint8_t *)rc->out;
		env->out_cap = rc->cap;
		env->out_len = &rc->len;
	}
}

static uint64_t guest_tsc(struct backend *b, uint32_t cpu)
{
	return b->ops && b->ops->guest_tsc ? b->ops->guest_tsc(b->opaque, cpu)
					   : 0;
}

/* Run one program; -errno if it aborted (counted). */
static int run(struct backend *b, struct registry_prog *p, void *ctx,
	       size_t ctx_size, const struct hup_run_env *env, uint64_t *r0)
{
	struct hup_run_result res = {0, 0};
	int err = p->native ? p->native(p->native_opaque, ctx, ctx_size, env,
					&res.r0)
			    : hup_prog__run(p->prog, ctx, ctx_size, env, &res);

	if (err) {
		atomic_fetch_add_explicit(&b->st.run_errors, 1,
					  memory_order_relaxed);
		if (err == -EFAULT)
			atomic_fetch_add_explicit(&b->st.view_faults, 1,
						  memory_order_relaxed);
		return err;
	}
	*r0 = res.r0;
	return 0;
}

void backend__trace(struct backend *b, uint32_t cpu, uint32_t kind,
		    uint32_t reason, const uint64_t arg[4])
{
	const struct registry_list *l;
	struct hup_trace_ctx ctx;
	struct hup_run_env env;
	struct run_ctx rc = {b, cpu, NULL, 0, 0};
	bool built = false;

	registry__read_lock(&b->reg, cpu);
	l = registry__list(&b->reg, HUP_EVENT_TRACE);
	for (uint32_t i = 0; l && i < l->n; i++) {
		struct registry_prog *p = l->p[i];
		uint64_t r0;

		if (p->event_arg && !(p->event_arg & (1ull << kind)))
			continue;
		if (!built) {
			memset(&ctx, 0, sizeof(ctx));
			ctx.host_ns = backend__now_ns();
			ctx.guest_tsc = guest_tsc(b, cpu);
			ctx.vcpu = cpu;
			ctx.kind = kind;
			ctx.reason = reason;
			memcpy(ctx.arg, arg, sizeof(ctx.arg));
			env_init(&env, &rc, cpu, ctx.guest_tsc, true);
			atomic_fetch_add_explicit(
			    &b->st.dispatches[HUP_EVENT_TRACE], 1,
			    memory_order_relaxed);
			built = true;
		}
		run(b, p, &ctx, sizeof(ctx), &env, &r0); /* r0 ignored */
	}
	registry__read_unlock(&b->reg, cpu);
}

bool backend__msr_denied(struct backend *b, uint32_t cpu, uint32_t msr,
			 uint64_t value)
{
	const struct registry_list *l;
	struct hup_msr_ctx ctx = {0};
	struct hup_run_env env;
	struct run_ctx rc = {b, cpu, NULL, 0, 0};
	bool deny = false, built = false;

	registry__read_lock(&b->reg, cpu);
	l = registry__list(&b->reg, HUP_EVENT_MSR_WRITE);
	for (uint32_t i = 0; l && i < l->n && !deny; i++) {
		struct registry_prog *p = l->p[i];
		uint64_t r0 = 0;

		if (p->event_arg != msr)
			continue;
		if (!built) {
			ctx.guest_tsc = guest_tsc(b, cpu);
			ctx.vcpu = cpu;
			ctx.msr = msr;
			ctx.value = value;
			env_init(&env, &rc, cpu, ctx.guest_tsc, true);
			atomic_fetch_add_explicit(
			    &b->st.dispatches[HUP_EVENT_MSR_WRITE], 1,
			    memory_order_relaxed);
			built = true;
		}
		/* A policy that aborted cannot vouch for the write. */
		if (run(b, p, &ctx, sizeof(ctx), &env, &r0) || r0)
			deny = true;
	}
	registry__read_unlock(&b->reg, cpu);
	atomic_fetch_add_explicit(deny ? &b->st.msr_denied
				       : &b->st.msr_allowed,
				  1, memory_order_relaxed);
	return deny;
}

/* What the programs of a resume or desched event asked for the vCPU's
 * next entry, restricted to the actions defined, and counted. */
static uint32_t entry_actions(struct backend *b, uint32_t actions)
{
	actions &= HUP_ENTRY_FLUSH_TLB; /* the only action defined */
	if (actions & HUP_ENTRY_FLUSH_TLB)
		atomic_fetch_add(&b->st.tlb_flush_requests, 1);
	return actions;
}

uint32_t backend__resume(struct backend *b, uint32_t cpu, uint64_t paused_ns)
{
	const struct registry_list *l;
	struct hup_run_env env;
	struct run_ctx rc = {b, cpu, NULL, 0, 0};
	uint32_t actions = 0;
	uint64_t tsc = 0;

	if (!registry__any(&b->reg, HUP_EVENT_VCPU_RESUME))
		return 0;
	registry__read_lock(&b->reg, cpu);
	l = registry__list(&b->reg, HUP_EVENT_VCPU_RESUME);
	if (l && l->n) {
		tsc = guest_tsc(b, cpu);
		env_init(&env, &rc, cpu, tsc, true);
		atomic_fetch_add_explicit(
		    &b->st.dispatches[HUP_EVENT_VCPU_RESUME], 1,
		    memory_order_relaxed);
	}
	for (uint32_t i = 0; l && i < l->n; i++) {
		/* each program gets its own context: actions start at 0 */
		struct hup_resume_ctx ctx = {tsc, paused_ns, cpu, 0};
		uint64_t r0;

		if (!run(b, l->p[i], &ctx, sizeof(ctx), &env, &r0))
			actions |= ctx.actions;
	}
	registry__read_unlock(&b->reg, cpu);
	return entry_actions(b, actions);
}

bool backend__has_desched(struct backend *b)
{
	return b && registry__any(&b->reg, HUP_EVENT_VCPU_DESCHED);
}

uint32_t backend__desched(struct backend *b, uint32_t cpu,
			  uint64_t descheduled_ns, uint32_t nth)
{
	const struct registry_list *l;
	struct hup_run_env env;
	struct run_ctx rc = {b, cpu, NULL, 0, 0};
	uint32_t actions = 0;
	uint64_t now = backend__now_ns();

	if (!backend__has_desched(b))
		return 0;
	registry__read_lock(&b->reg, REGISTRY_READER_SCHED);
	l = registry__list(&b->reg, HUP_EVENT_VCPU_DESCHED);
	if (l && l->n) {
		/* not local: no vCPU register helpers from this thread */
		env_init(&env, &rc, cpu, 0, false);
		atomic_fetch_add_explicit(
		    &b->st.dispatches[HUP_EVENT_VCPU_DESCHED], 1,
		    memory_order_relaxed);
	}
	for (uint32_t i = 0; l && i < l->n; i++) {
		struct hup_desched_ctx ctx = {now, descheduled_ns, cpu, nth, 0,
					      0};
		uint64_t r0;

		/* Taken even from a run that aborted: a program that asked
		 * for a flush and then acted on the guest's memory must get
		 * it, whatever stopped it afterwards. */
		run(b, l->p[i], &ctx, sizeof(ctx), &env, &r0);
		actions |= ctx.actions;
	}
	registry__read_unlock(&b->reg, REGISTRY_READER_SCHED);
	return entry_actions(b, actions);
}

struct registry_prog *backend__global_prog(struct backend *b, uint32_t id,
				     uint32_t event, int *err)
{
	struct registry_prog *p = registry__find(&b->reg, id);

	*err = !p ? -ENOENT : p->event != event ? -EPERM : 0;
	return *err ? NULL : p;
}

int backend__query(struct backend *b, uint32_t id, const uint64_t args[4],
		   char *out, size_t cap, size_t *len, uint64_t *ret)
{
	struct run_ctx rc = {b, 0, out, cap < UINT32_MAX ? (uint32_t)cap
						       : UINT32_MAX, 0};
	struct hup_query_ctx ctx;
	struct hup_run_env env;
	struct registry_prog *p;
	uint64_t r0 = 0;
	int err;

	*len = 0;
	pthread_mutex_lock(&b->reg.lock);
	p = backend__global_prog(b, id, HUP_EVENT_QUERY, &err);
	if (p) {
		ctx.tag = p->event_arg;
		memcpy(ctx.arg, args, sizeof(ctx.arg));
		env_init(&env, &rc, 0, guest_tsc(b, 0), false);
		atomic_fetch_add(&b->st.dispatches[HUP_EVENT_QUERY], 1);
		err = run(b, p, &ctx, sizeof(ctx), &env, &r0);
		*len = rc.len; /* an aborted run's output too */
		if (!err && ret)
			*ret = r0;
	}
	pthread_mutex_unlock(&b->reg.lock);
	return err;
}

int backend__run_reclaim(struct backend *b, struct registry_prog *p,
			 struct hup_reclaim_ctx *ctx)
{
	struct run_ctx rc = {b, 0, NULL, 0, 0};
	struct hup_run_env env;
	uint64_t r0 = 0;
	int err;

	env_init(&env, &rc, 0, guest_tsc(b, 0), false);
	err = run(b, p, ctx, sizeof(*ctx), &env, &r0);
	if (err)
		return err;
	if ((int64_t)r0 < 0)
		return backend__ret_errno(r0) ? backend__ret_errno(r0) : -EINVAL;
	return 0;
}

unsigned int backend__list(struct backend *b, uint32_t id,
			   struct backend_prog_info *out, unsigned int cap)
{
	unsigned int n = 0;

	pthread_mutex_lock(&b->reg.lock);
	for (unsigned int i = 0; i < HUP_MAX_PROGS && n < cap; i++) {
		const struct registry_prog *p = b->reg.progs[i];
		struct backend_prog_info *o = &out[n];

		if (!p || (id && p->id != id))
			continue;
		memset(o, 0, sizeof(*o));
		o->id = p->id;
		o->event = p->event;
		o->vcpu = p->vcpu;
		o->nr_windows = p->nr_windows;
		o->event_arg = p->event_arg;
		memcpy(o->name, p->name, sizeof(o->name));
		hup_prog__stats(p->prog, &o->st);
		o->jited_len = hup_prog__jited_len(p->prog);
		o->mapped_bytes = p->view->bytes;
		o->view_bits = p->view->bits;
		o->view_shared = p->view->refs > 1;
		o->hole_bytes = p->window_holes;
		n++;
	}
	pthread_mutex_unlock(&b->reg.lock);
	/* the registry keeps slots unordered: sort by id */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && out[j - 1].id > out[j].id;
		     j--) {
			struct backend_prog_info t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}
