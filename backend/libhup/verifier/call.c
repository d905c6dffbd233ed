/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Calls and returns: BPF-to-BPF calls (a new frame with its own 512-byte
 * stack, at most HUP_MAX_CALL_DEPTH frames), helper calls checked against
 * helper_protos.c, and HUP_FN_loop, whose callback is verified as a
 * subprogram called from the loop's call site.
 *
 * A loop callback runs any number of times, and through its data pointer
 * it may change the caller's stack between runs.  The walk therefore looks
 * for an invariant W of the caller frames: it starts from the state at the
 * call, verifies the callback from W, joins the caller frames of every
 * state in which the callback returns into W, and repeats until nothing
 * changes (a few rounds: a stack slot can only go from a value to "some
 * number" to "unreadable").  Then W holds before every run and after the
 * last, and the caller continues from it.  The callback is entered two
 * frames deep, as fixup.c will run it (through a trampoline subprogram),
 * so depth limits are checked against the code that really runs.  Loops
 * do not nest: a loop call anywhere below a callback is refused (-E2BIG),
 * so one loop call costs at most HUP_LOOP_MAX runs of loop-free code.
 */
#include "env.h"

#include <stdlib.h>

static void clobber_args(struct hup_vreg *regs)
{
	uint32_t i;

	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		hup_reg__mark_not_init(&regs[i]);
}

static uint32_t subprog_at(struct hup_venv *env, uint32_t start)
{
	return env->aux[start].subprog;
}

int hup_call__local(struct hup_venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	struct hup_vstate *st = env->cur;
	uint32_t target = (uint32_t)(idx + 1 + in->imm), i;
	struct hup_vframe *f;

	if (st->curframe + 1 >= HUP_MAX_CALL_DEPTH)
		return hup_verr(env, E2BIG, idx,
				"call stack too deep: more than %u frames",
				HUP_MAX_CALL_DEPTH);
	f = hup_vframe__new((int32_t)idx, subprog_at(env, target),
			    st->curframe + 1);
	if (!f)
		return -ENOMEM;
	for (i = BPF_REG_1; i <= BPF_REG_5; i++)
		f->regs[i] = st->frames[st->curframe]->regs[i];
	st->frames[++st->curframe] = f;
	st->pc = target;
	return 0;
}

static int check_ret(struct hup_venv *env, uint32_t idx, bool scalar_only)
{
	const struct hup_vreg *r0 = &hup_cur_regs(env)[BPF_REG_0];
	int err = hup_walk__check_read(env, idx, BPF_REG_0);

	if (err)
		return err;
	if (r0->type == HUP_VT_SCALAR)
		return 0;
	if (scalar_only)
		return hup_verr(env, EACCES, idx,
				"R0 leaks a %s pointer at exit (must be a scalar)",
				hup_vtype__name(r0->type));
	if (r0->type == HUP_VT_FUNC ||
	    (r0->type == HUP_VT_STACK && r0->frameno == env->cur->curframe))
		return hup_verr(env, EACCES, idx,
				"R0 returns a %s pointer that dies with its frame",
				hup_vtype__name(r0->type));
	return 0;
}

int hup_call__exit(struct hup_venv *env, uint32_t idx, uint32_t base_frame)
{
	struct hup_vstate *st = env->cur;
	struct hup_vframe *callee;
	struct hup_vreg r0;
	uint32_t f;
	int err;

	if (st->curframe == base_frame) {
		err = check_ret(env, idx, true);
		if (err || !env->loop_depth)
			return err ? err : 1;
		/* a callback returns: its caller frames join the invariant */
		for (f = 0; f <= env->cb_caller; f++) {
			err = hup_vframe__join(env->cb_acc->frames[f],
					       st->frames[f], &env->cb_changed);
			if (err)
				return err;
		}
		return 1;
	}
	err = check_ret(env, idx, false);
	if (err)
		return err;
	callee = st->frames[st->curframe];
	r0 = callee->regs[BPF_REG_0];
	st->pc = (uint32_t)callee->callsite + 1;
	hup_vframe__free(callee);
	st->frames[st->curframe--] = NULL;
	clobber_args(hup_cur_regs(env));
	hup_cur_regs(env)[BPF_REG_0] = r0;
	return 0;
}

/* HUP_FN_loop: find the callback's invariant over the caller frames. */
static int check_loop(struct hup_venv *env, uint32_t idx)
{
	struct hup_vstate *st = env->cur, *w, *start;
	struct hup_vreg *regs = hup_cur_regs(env);
	const struct hup_subprog *sp = &env->subprogs[regs[BPF_REG_2].subprog];
	struct hup_mem_rec *rec = &env->aux[idx].rec;
	uint32_t caller = st->curframe, round, f;
	uint64_t imax = regs[BPF_REG_1].umax;
	struct hup_vframe *tramp, *cb;
	struct hup_vstate *saved_acc = env->cb_acc;
	uint32_t saved_caller = env->cb_caller;
	bool saved_changed = env->cb_changed;
	int err = 0;

	if (caller + 2 >= HUP_MAX_CALL_DEPTH)
		return hup_verr(env, E2BIG, idx,
				"call stack too deep: more than %u frames",
				HUP_MAX_CALL_DEPTH);
	/* the callback this call runs on this path (inline.c) */
	if (!rec->loop_cb)
		rec->loop_cb = sp->start + 1;
	else if (rec->loop_cb != sp->start + 1)
		rec->loop_cb = HUP_LOOP_CB_MIXED;
	if (imax > HUP_LOOP_MAX)
		imax = HUP_LOOP_MAX;
	if (!imax)
		imax = 1;
	w = hup_vstate__dup(st);
	if (!w)
		return -ENOMEM;
	for (round = 0; round < HUP_VERIFIER_MAX_LOOP_ROUNDS; round++) {
		start = hup_vstate__dup(w);
		env->cb_acc = hup_vstate__dup(w);
		tramp = hup_vframe__new((int32_t)idx, UINT32_MAX, caller + 1);
		cb = hup_vframe__new((int32_t)idx, subprog_at(env, sp->start),
				     caller + 2);
		if (!start || !env->cb_acc || !tramp || !cb) {
			hup_vstate__free(start);
			hup_vframe__free(tramp);
			hup_vframe__free(cb);
			err = -ENOMEM;
			break;
		}
		hup_reg__mark_urange(&cb->regs[BPF_REG_1], 0, imax - 1);
		cb->regs[BPF_REG_2] = regs[BPF_REG_3];
		start->frames[caller + 1] = tramp;
		start->frames[caller + 2] = cb;
		start->curframe = caller + 2;
		start->pc = sp->start;
		env->cb_caller = caller;
		env->cb_changed = false;
		err = hup_walk__nested(env, start, caller + 2);
		if (err || !env->cb_changed)
			break;
		hup_vstate__free(w);
		w = env->cb_acc;
		env->cb_acc = NULL;
	}
	if (!err && round == HUP_VERIFIER_MAX_LOOP_ROUNDS)
		err = hup_verr(env, E2BIG, idx,
			       "loop callback effect on the caller does not converge");
	hup_vstate__free(env->cb_acc);
	env->cb_acc = saved_acc;
	env->cb_caller = saved_caller;
	env->cb_changed = saved_changed;
	if (!err) {
		/* the caller goes on from the invariant (stacks only change) */
		for (f = 0; f <= caller; f++) {
			struct hup_vframe *old = st->frames[f];

			st->frames[f] = w->frames[f];
			w->frames[f] = old;
		}
	}
	hup_vstate__free(w);
	return err;
}

static int check_arg_size(struct hup_venv *env, uint32_t idx,
			  const struct hup_helper_proto *p, uint32_t buf_regno,
			  bool write)
{
	const struct hup_vreg *sz = &hup_cur_regs(env)[buf_regno + 1];
	int err = hup_walk__check_read(env, idx, buf_regno + 1);

	if (err)
		return err;
	if (sz->type != HUP_VT_SCALAR)
		return hup_verr(env, EACCES, idx,
				"R%u type %s: %s expects a size", buf_regno + 1,
				hup_vtype__name(sz->type), p->name);
	if (sz->umax > p->max_size)
		return hup_verr(env, EACCES, idx,
				"R%u size may be %llu, %s allows at most %u",
				buf_regno + 1, (unsigned long long)sz->umax,
				p->name, p->max_size);
	return hup_mem__helper_buf(env, idx, buf_regno, sz, write);
}

int hup_call__helper(struct hup_venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	const struct hup_helper_proto *p = hup_helper__proto(in->imm);
	struct hup_vreg *regs;
	uint32_t i, regno;
	int err;

	if (in->imm == HUP_CORE_POISON_CALL)
		return hup_verr(env, EINVAL, idx,
				"reached an access the loader's CO-RE "
				"relocation could not resolve on this kernel "
				"(guard it with hup_core_*_exists())");
	if (!p)
		return hup_verr(env, EINVAL, idx, "unknown helper %d", in->imm);
	if (!(p->events & (1u << env->opts->event)))
		return hup_verr(env, EACCES, idx,
				"helper %s not allowed in %s programs", p->name,
				hup_event__name(env->opts->event));
	/*
	 * One level of HUP_FN_loop only: nested loops multiply (three fit in
	 * the frames, HUP_LOOP_MAX^3 = 2^60 callback runs), which proves
	 * termination but no useful time bound.  loop_depth counts every
	 * callback walk below us, so a loop in a subprogram the callback
	 * calls is nested too.
	 */
	if (in->imm == HUP_FN_loop && env->loop_depth)
		return hup_verr(env, E2BIG, idx,
				"nested HUP_FN_loop is not allowed");
	for (i = 0; i < 5 && p->args[i] != HUP_ARG_NONE; i++) {
		const struct hup_vreg *r;

		regno = i + 1;
		if (p->args[i] == HUP_ARG_SIZE)
			continue; /* checked with its buffer */
		err = hup_walk__check_read(env, idx, regno);
		if (err)
			return err;
		r = &hup_cur_regs(env)[regno];
		switch (p->args[i]) {
		case HUP_ARG_SCALAR:
			if (r->type != HUP_VT_SCALAR)
				return hup_verr(env, EACCES, idx,
						"R%u type %s: %s expects a scalar",
						regno, hup_vtype__name(r->type), p->name);
			break;
		case HUP_ARG_MEM_RO:
		case HUP_ARG_MEM_WO:
			err = check_arg_size(env, idx, p, regno,
					     p->args[i] == HUP_ARG_MEM_WO);
			if (err)
				return err;
			break;
		case HUP_ARG_FUNC:
			if (r->type != HUP_VT_FUNC)
				return hup_verr(env, EACCES, idx,
						"R%u type %s: %s expects a callback (ldimm64 BPF_PSEUDO_FUNC)",
						regno, hup_vtype__name(r->type), p->name);
			break;
		case HUP_ARG_DATA:
			if (r->type == HUP_VT_FUNC)
				return hup_verr(env, EACCES, idx,
						"R%u callback pointer cannot be passed as data",
						regno);
			break;
		case HUP_ARG_ZERO:
			if (!hup_reg__is_const(r) || r->var.value)
				return hup_verr(env, EACCES, idx,
						"R%u %s flags must be 0", regno,
						p->name);
			break;
		}
	}
	if (in->imm == HUP_FN_loop) {
		err = check_loop(env, idx);
		if (err)
			return err;
	}
	regs = hup_cur_regs(env);
	clobber_args(regs);
	if (p->ret_umax == UINT64_MAX)
		hup_reg__mark_unknown(&regs[BPF_REG_0]);
	else
		hup_reg__mark_urange(&regs[BPF_REG_0], 0, p->ret_umax);
	env->cur->pc = idx + 1;
	return 0;
}
