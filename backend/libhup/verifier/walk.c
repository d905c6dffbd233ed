/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verifier's main pass: a depth-first walk of every path through the
 * (acyclic) program with an abstract state, dispatching each instruction
 * to its check.  A conditional jump whose outcome is unknown queues the
 * taken side (with its refined state) and goes on with the fall-through;
 * a path ends at the program's exit, at a dead branch, or when pruned
 * against a state already proven safe (state.c).  Every instruction
 * processed counts against HUP_VERIFIER_MAX_STATES (-E2BIG).
 *
 * The same walk, nested, verifies loop callbacks (call.c): it then starts
 * from the callback's frame and a path ends where the callback returns.
 */
#include "env.h"

#include <stdlib.h>

int hup_walk__check_read(struct hup_venv *env, uint32_t idx, uint32_t regno)
{
	if (hup_cur_regs(env)[regno].type == HUP_VT_NOT_INIT)
		return hup_verr(env, EACCES, idx, "R%u read before write", regno);
	return 0;
}

int hup_walk__push(struct hup_venv *env, const struct hup_vstate *st)
{
	struct hup_vstate *copy;

	if (env->stack_len == env->stack_cap) {
		uint32_t cap = env->stack_cap ? env->stack_cap * 2 : 64;
		struct hup_vstate **s = realloc(env->stack, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		env->stack = s;
		env->stack_cap = cap;
	}
	env->mem_bytes += hup_vstate__bytes(st);
	if (env->mem_bytes > HUP_VERIFIER_MAX_MEM)
		return hup_verr(env, E2BIG, st->pc,
				"program too complex: verifier state memory over %u MiB",
				HUP_VERIFIER_MAX_MEM >> 20);
	copy = hup_vstate__dup(st);
	if (!copy)
		return -ENOMEM;
	env->stack[env->stack_len++] = copy;
	return 0;
}

static int check_ldx(struct hup_venv *env, uint32_t idx,
		     const struct bpf_insn *in)
{
	struct hup_vreg out;
	int err;

	err = hup_walk__check_read(env, idx, in->src_reg);
	if (err)
		return err;
	if (in->dst_reg == BPF_REG_10)
		return hup_verr(env, EACCES, idx, "frame pointer R10 is read-only");
	err = hup_mem__access(env, idx, in->src_reg, in->off,
			      bpf_size_to_bytes_(in->code), HUP_READ, NULL, -1,
			      &out, BPF_MODE(in->code) == BPF_MEMSX);
	if (err)
		return err;
	hup_cur_regs(env)[in->dst_reg] = out;
	return 0;
}

static int check_st(struct hup_venv *env, uint32_t idx,
		    const struct bpf_insn *in)
{
	struct hup_vreg *regs = hup_cur_regs(env), val, out;
	uint32_t size = bpf_size_to_bytes_(in->code);
	int err;

	err = hup_walk__check_read(env, idx, in->dst_reg);
	if (err)
		return err;
	if (BPF_CLASS(in->code) == BPF_ST) {
		hup_reg__mark_const(&val, (uint64_t)(int64_t)in->imm);
		return hup_mem__access(env, idx, in->dst_reg, in->off, size,
				       HUP_WRITE, &val, -1, &out, false);
	}
	err = hup_walk__check_read(env, idx, in->src_reg);
	if (err)
		return err;
	if (BPF_MODE(in->code) == BPF_MEM)
		return hup_mem__access(env, idx, in->dst_reg, in->off, size,
				       HUP_WRITE, &regs[in->src_reg],
				       in->src_reg, &out, false);

	/* atomics: operands are numbers; results land in src or r0 */
	if (regs[in->src_reg].type != HUP_VT_SCALAR)
		return hup_verr(env, EACCES, idx,
				"R%u atomic operand must be a scalar, not %s",
				in->src_reg, hup_vtype__name(regs[in->src_reg].type));
	if (in->imm == BPF_CMPXCHG) {
		err = hup_walk__check_read(env, idx, BPF_REG_0);
		if (err)
			return err;
		if (regs[BPF_REG_0].type != HUP_VT_SCALAR)
			return hup_verr(env, EACCES, idx,
					"R0 cmpxchg comparand must be a scalar, not %s",
					hup_vtype__name(regs[BPF_REG_0].type));
	}
	val = regs[in->src_reg];
	err = hup_mem__access(env, idx, in->dst_reg, in->off, size, HUP_ATOMIC,
			      &val, in->src_reg, &out, false);
	if (err)
		return err;
	regs = hup_cur_regs(env); /* the frame's slots may have moved, not regs */
	if (in->imm == BPF_CMPXCHG)
		regs[BPF_REG_0] = out;
	else if (in->imm & BPF_FETCH)
		regs[in->src_reg] = out;
	return 0;
}

/* One instruction of the current path; *end when the path is over. */
static int step(struct hup_venv *env, uint32_t base_frame, bool *end)
{
	uint32_t idx = env->cur->pc;
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	int err;

	*end = false;
	env->aux[idx].rec.seen = 1; /* seal.c traps what no path reached */
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		err = hup_alu__check(env, idx);
		env->cur->pc = idx + 1;
		return err;
	case BPF_LDX:
		err = check_ldx(env, idx, in);
		env->cur->pc = idx + 1;
		return err;
	case BPF_ST:
	case BPF_STX:
		err = check_st(env, idx, in);
		env->cur->pc = idx + 1;
		return err;
	case BPF_LD:
		err = hup_alu__ldimm64(env, idx);
		env->cur->pc = idx + 2;
		return err;
	}
	/* BPF_JMP / BPF_JMP32 */
	switch (op) {
	case BPF_JA:
		env->cur->pc = idx + 1 +
			       (cls == BPF_JMP32 ? in->imm : (int32_t)in->off);
		return 0;
	case BPF_CALL:
		if (in->src_reg == BPF_PSEUDO_CALL)
			return hup_call__local(env, idx);
		return hup_call__helper(env, idx);
	case BPF_EXIT:
		err = hup_call__exit(env, idx, base_frame);
		if (err < 0)
			return err;
		*end = err == 1;
		return 0;
	}
	return hup_jmp__check(env, idx, end);
}

/*
 * Walk from env->cur until every path is done.  Paths queued by this
 * invocation live above stack_base; nested walks never see them.
 */
static int explore(struct hup_venv *env, uint32_t base_frame,
		   uint32_t stack_base)
{
	bool end;
	int err;

	for (;;) {
		for (;;) {
			if (++env->insns_processed > HUP_VERIFIER_MAX_STATES)
				return hup_verr(env, E2BIG, env->cur->pc,
						"program too complex: more than %u instructions explored",
						HUP_VERIFIER_MAX_STATES);
			err = hup_state__prune_or_store(env);
			if (err < 0)
				return err;
			if (err == 1)
				break;
			err = step(env, base_frame, &end);
			if (err)
				return err;
			if (end)
				break;
		}
		if (env->stack_len == stack_base)
			return 0;
		hup_vstate__free(env->cur);
		env->cur = env->stack[--env->stack_len];
		env->mem_bytes -= hup_vstate__bytes(env->cur);
	}
}

int hup_walk__nested(struct hup_venv *env, struct hup_vstate *start,
		     uint32_t base_frame)
{
	struct hup_vstate *saved = env->cur;
	uint32_t base = env->stack_len;
	int err;

	env->cur = start;
	env->loop_depth++;
	err = explore(env, base_frame, base);
	env->loop_depth--;
	/* on error, drop what this walk queued */
	while (env->stack_len > base) {
		env->mem_bytes -= hup_vstate__bytes(env->stack[env->stack_len - 1]);
		hup_vstate__free(env->stack[--env->stack_len]);
	}
	hup_vstate__free(env->cur);
	env->cur = saved;
	return err;
}

int hup_walk__run(struct hup_venv *env)
{
	struct hup_vframe *f;
	int err;

	env->cur = hup_vstate__new();
	if (!env->cur)
		return -ENOMEM;
	f = hup_vframe__new(-1, 0, 0);
	if (!f)
		return -ENOMEM;
	env->cur->frames[0] = f;
	f->regs[BPF_REG_1].type = HUP_VT_CTX;
	f->regs[BPF_REG_1].off = 0;
	err = explore(env, 0, 0);
	while (env->stack_len)
		hup_vstate__free(env->stack[--env->stack_len]);
	hup_vstate__free(env->cur);
	env->cur = NULL;
	return err;
}
