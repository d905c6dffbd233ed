/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * First pass of the verifier: the program's shape, before any value is
 * looked at.  Every instruction must be a valid encoding (known opcode,
 * registers r0..r10, reserved fields zero, ldimm64 second slots well
 * formed); jumps and calls must land on an instruction start inside the
 * program; the program splits into subprograms at call and callback
 * targets and no jump leaves its subprogram; no path falls off the end of
 * one.  Then a depth-first walk over jumps and calls proves the graph
 * acyclic (no loops, no recursion: termination) and that every instruction
 * is reachable.  Errors here are -EINVAL (malformed), except a back-edge,
 * which is a well-formed but possibly non-terminating program: -EACCES.
 */
#include "env.h"

#include <stdlib.h>
#include <string.h>

static bool is_ja(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) || in->code == (BPF_JMP32 | BPF_JA);
}

static bool is_pseudo_func(const struct bpf_insn *in)
{
	return hup_insn_is_ldimm64(in) && in->src_reg == BPF_PSEUDO_FUNC;
}

/* Target of a jump, call or callback load at idx (may be out of range). */
static int64_t target_of(const struct bpf_insn *in, uint32_t idx)
{
	if (in->code == (BPF_JMP32 | BPF_JA) || BPF_CLASS(in->code) == BPF_LD ||
	    BPF_OP(in->code) == BPF_CALL)
		return (int64_t)idx + 1 + in->imm;
	return (int64_t)idx + 1 + in->off;
}

#define BAD_FIELDS(env, i, in)                                             \
	hup_verr(env, EINVAL, i, "reserved fields of opcode 0x%02x must be zero", \
		 (in)->code)

static int check_alu(struct hup_venv *env, uint32_t i, const struct bpf_insn *in)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;

	if (op > BPF_END)
		return hup_verr(env, EINVAL, i, "invalid opcode 0x%02x", in->code);
	if (op == BPF_NEG) {
		if (x || in->src_reg || in->off || in->imm)
			return BAD_FIELDS(env, i, in);
		return 0;
	}
	if (op == BPF_END) {
		if (is64 && x)
			return hup_verr(env, EINVAL, i, "invalid opcode 0x%02x",
					in->code);
		if (in->src_reg || in->off)
			return BAD_FIELDS(env, i, in);
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return hup_verr(env, EINVAL, i,
					"invalid byte swap width %d", in->imm);
		return 0;
	}
	if (x ? in->imm != 0 : in->src_reg != 0)
		return BAD_FIELDS(env, i, in);
	if (op == BPF_DIV || op == BPF_MOD) {
		if (in->off != 0 && in->off != HUP_OFF_SDIV)
			return hup_verr(env, EINVAL, i,
					"invalid offset %d for div/mod", in->off);
	} else if (op == BPF_MOV && x) {
		if (in->off != 0 && in->off != 8 && in->off != 16 &&
		    !(is64 && in->off == 32))
			return hup_verr(env, EINVAL, i,
					"invalid offset %d for mov", in->off);
	} else if (in->off) {
		return BAD_FIELDS(env, i, in);
	}
	if (!x && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
	    (in->imm < 0 || in->imm >= (is64 ? 64 : 32)))
		return hup_verr(env, EINVAL, i, "invalid shift amount %d", in->imm);
	return 0;
}

static int check_jmp(struct hup_venv *env, uint32_t i, const struct bpf_insn *in)
{
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	uint8_t op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;

	switch (op) {
	case BPF_JA:
		if (x)
			break;
		if (in->src_reg || in->dst_reg || (is32 ? in->off : in->imm))
			return BAD_FIELDS(env, i, in);
		return 0;
	case BPF_CALL:
		if (is32)
			break;
		if (x)
			return hup_verr(env, EACCES, i,
					"indirect call (callx) not allowed");
		if (in->dst_reg || in->off)
			return BAD_FIELDS(env, i, in);
		if (in->src_reg != 0 && in->src_reg != BPF_PSEUDO_CALL)
			return hup_verr(env, EINVAL, i,
					"unsupported call kind src_reg=%u",
					in->src_reg);
		return 0;
	case BPF_EXIT:
		if (is32 || x)
			break;
		if (in->src_reg || in->dst_reg || in->off || in->imm)
			return BAD_FIELDS(env, i, in);
		return 0;
	case 0xe0:
	case 0xf0:
		break;
	default:
		if (x ? in->imm != 0 : in->src_reg != 0)
			return BAD_FIELDS(env, i, in);
		return 0;
	}
	return hup_verr(env, EINVAL, i, "invalid opcode 0x%02x", in->code);
}

static int check_mem(struct hup_venv *env, uint32_t i, const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), mode = BPF_MODE(in->code);
	uint8_t sz = BPF_SIZE(in->code);

	switch (cls) {
	case BPF_LDX:
		if (mode != BPF_MEM && !(mode == BPF_MEMSX && sz != BPF_DW))
			break;
		if (in->imm)
			return BAD_FIELDS(env, i, in);
		return 0;
	case BPF_ST:
		if (mode != BPF_MEM)
			break;
		if (in->src_reg)
			return BAD_FIELDS(env, i, in);
		return 0;
	case BPF_STX:
		if (mode == BPF_MEM) {
			if (in->imm)
				return BAD_FIELDS(env, i, in);
			return 0;
		}
		if (mode != BPF_ATOMIC || (sz != BPF_W && sz != BPF_DW))
			break;
		switch (in->imm) {
		case BPF_ADD:
		case BPF_OR:
		case BPF_AND:
		case BPF_XOR:
		case BPF_ADD | BPF_FETCH:
		case BPF_OR | BPF_FETCH:
		case BPF_AND | BPF_FETCH:
		case BPF_XOR | BPF_FETCH:
		case BPF_XCHG:
		case BPF_CMPXCHG:
			return 0;
		}
		return hup_verr(env, EINVAL, i, "invalid atomic operation 0x%x",
				in->imm);
	}
	return hup_verr(env, EINVAL, i, "invalid opcode 0x%02x", in->code);
}

static int check_ldimm64(struct hup_venv *env, uint32_t i,
			 const struct bpf_insn *in)
{
	const struct bpf_insn *hi = in + 1;

	if (i + 1 >= env->cnt)
		return hup_verr(env, EINVAL, i, "ldimm64 missing its second slot");
	if (hi->code || hi->dst_reg || hi->src_reg || hi->off)
		return hup_verr(env, EINVAL, i + 1, "invalid ldimm64 second slot");
	if (in->off)
		return BAD_FIELDS(env, i, in);
	switch (in->src_reg) {
	case 0:
		return 0;
	case HUP_PSEUDO_VIEW_BASE:
	case HUP_PSEUDO_VIEW_MASK:
		if (in->imm || hi->imm)
			return hup_verr(env, EINVAL, i,
					"view pseudo load needs imm 0");
		return 0;
	case BPF_PSEUDO_FUNC:
		if (hi->imm)
			return hup_verr(env, EINVAL, i,
					"callback load needs high imm 0");
		return 0;
	}
	return hup_verr(env, EINVAL, i, "unsupported ldimm64 src_reg %u",
			in->src_reg);
}

static int check_encoding(struct hup_venv *env, uint32_t i)
{
	const struct bpf_insn *in = &env->insns[i];

	if (in->dst_reg >= HUP_NR_REGS)
		return hup_verr(env, EINVAL, i, "invalid register r%u", in->dst_reg);
	if (in->src_reg >= HUP_NR_REGS &&
	    !(hup_insn_is_ldimm64(in) && in->src_reg <= HUP_PSEUDO_VIEW_MASK))
		return hup_verr(env, EINVAL, i, "invalid register r%u", in->src_reg);
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return check_alu(env, i, in);
	case BPF_JMP:
	case BPF_JMP32:
		return check_jmp(env, i, in);
	case BPF_LD:
		if (hup_insn_is_ldimm64(in))
			return check_ldimm64(env, i, in);
		if (BPF_MODE(in->code) == BPF_ABS || BPF_MODE(in->code) == BPF_IND)
			return hup_verr(env, EINVAL, i,
					"legacy packet access not supported");
		return hup_verr(env, EINVAL, i, "invalid opcode 0x%02x", in->code);
	default:
		return check_mem(env, i, in);
	}
}

static int add_subprog(struct hup_venv *env, uint32_t start, bool callback)
{
	uint32_t i;

	for (i = 0; i < env->nr_subprogs; i++)
		if (env->subprogs[i].start == start) {
			env->subprogs[i].is_callback |= callback;
			return 0;
		}
	env->subprogs[env->nr_subprogs].start = start;
	env->subprogs[env->nr_subprogs].is_callback = callback;
	env->nr_subprogs++;
	return 0;
}

static int cmp_subprog(const void *a, const void *b)
{
	const struct hup_subprog *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Successors of insn i in the graph the DFS walks (jumps, calls). */
static uint32_t successors(struct hup_venv *env, uint32_t i, uint32_t out[2])
{
	const struct bpf_insn *in = &env->insns[i];
	uint32_t n = 0;

	if (hup_insn_is_ldimm64(in)) {
		out[n++] = i + 2;
		if (is_pseudo_func(in))
			out[n++] = (uint32_t)target_of(in, i);
		return n;
	}
	if (in->code == (BPF_JMP | BPF_EXIT))
		return 0;
	if (is_ja(in)) {
		out[n++] = (uint32_t)target_of(in, i);
		return n;
	}
	if (hup_insn_is_pseudo_call(in)) {
		/* the callee first: a recursion shows as a back-edge to it */
		out[n++] = (uint32_t)target_of(in, i);
		out[n++] = i + 1;
		return n;
	}
	out[n++] = i + 1;
	if (hup_insn_is_cond_jump(in))
		out[n++] = (uint32_t)target_of(in, i);
	return n;
}

/* Iterative DFS: 0 white, 1 on the stack (grey), 2 done. */
static int check_dag(struct hup_venv *env)
{
	uint8_t *color = calloc(env->cnt, 1);
	uint32_t *stk = malloc(env->cnt * sizeof(*stk));
	uint8_t *next = calloc(env->cnt, 1);
	uint32_t sp = 0, i;
	int err = 0;

	if (!color || !stk || !next) {
		err = -ENOMEM;
		goto out;
	}
	stk[sp++] = 0;
	color[0] = 1;
	while (sp && !err) {
		uint32_t cur = stk[sp - 1], succ[2], n, t;

		n = successors(env, cur, succ);
		if (next[cur] >= n) {
			color[cur] = 2;
			sp--;
			continue;
		}
		t = succ[next[cur]++];
		if (color[t] == 1) {
			const struct bpf_insn *in = &env->insns[cur];

			if (hup_insn_is_pseudo_call(in) || is_pseudo_func(in))
				err = hup_verr(env, EACCES, cur,
					       "recursive call to insn %u", t);
			else
				err = hup_verr(env, EACCES, cur,
					       "back-edge to insn %u (loops must use HUP_FN_loop)",
					       t);
		} else if (!color[t]) {
			color[t] = 1;
			stk[sp++] = t;
		}
	}
	for (i = 0; i < env->cnt && !err; i++) {
		if (env->aux[i].imm_hi)
			continue;
		if (color[i] != 2)
			err = hup_verr(env, EINVAL, i, "unreachable insn");
		env->aux[i].reached = 1;
	}
out:
	free(color);
	free(stk);
	free(next);
	return err;
}

int hup_cfg__check(struct hup_venv *env)
{
	uint32_t i, s;
	int err;

	env->subprogs = calloc(env->cnt + 1, sizeof(*env->subprogs));
	if (!env->subprogs)
		return -ENOMEM;
	env->nr_subprogs = 0;
	add_subprog(env, 0, false);

	/* encodings, ldimm64 pairs, targets in range */
	for (i = 0; i < env->cnt; i++) {
		const struct bpf_insn *in = &env->insns[i];
		int64_t t;

		if (env->aux[i].imm_hi)
			continue;
		err = check_encoding(env, i);
		if (err)
			return err;
		if (hup_insn_is_ldimm64(in))
			env->aux[i + 1].imm_hi = 1;
		if (!is_ja(in) && !hup_insn_is_cond_jump(in) && !hup_insn_is_pseudo_call(in) &&
		    !is_pseudo_func(in))
			continue;
		t = target_of(in, i);
		if (t < 0 || t >= env->cnt)
			return hup_verr(env, EINVAL, i, "jump out of range to %lld",
					(long long)t);
		if (hup_insn_is_pseudo_call(in) || is_pseudo_func(in))
			add_subprog(env, (uint32_t)t, is_pseudo_func(in));
	}
	/* no target in the middle of an ldimm64 */
	for (i = 0; i < env->cnt; i++) {
		const struct bpf_insn *in = &env->insns[i];
		int64_t t;

		if (env->aux[i].imm_hi ||
		    (!is_ja(in) && !hup_insn_is_cond_jump(in) && !hup_insn_is_pseudo_call(in) &&
		     !is_pseudo_func(in)))
			continue;
		t = target_of(in, i);
		if (env->aux[t].imm_hi)
			return hup_verr(env, EINVAL, i,
					"jump into the middle of ldimm64 at insn %lld",
					(long long)t - 1);
		if (!hup_insn_is_pseudo_call(in) && !is_pseudo_func(in)) {
			env->aux[t].prune = 1;
			if (hup_insn_is_cond_jump(in))
				env->aux[i + 1].prune = 1;
		} else if (hup_insn_is_pseudo_call(in)) {
			env->aux[i + 1].prune = 1;
		}
	}

	/* subprogram extents; jumps stay inside, nothing falls off an end */
	qsort(env->subprogs, env->nr_subprogs, sizeof(*env->subprogs),
	      cmp_subprog);
	for (s = 0; s < env->nr_subprogs; s++) {
		env->subprogs[s].end = s + 1 < env->nr_subprogs ?
					       env->subprogs[s + 1].start :
					       env->cnt;
		for (i = env->subprogs[s].start; i < env->subprogs[s].end; i++)
			env->aux[i].subprog = s;
	}
	for (i = 0; i < env->cnt; i++) {
		const struct bpf_insn *in = &env->insns[i];
		const struct hup_subprog *sp = &env->subprogs[env->aux[i].subprog];
		uint32_t next;

		if (env->aux[i].imm_hi)
			continue;
		if (is_ja(in) || hup_insn_is_cond_jump(in)) {
			int64_t t = target_of(in, i);

			if (t < sp->start || t >= sp->end)
				return hup_verr(env, EINVAL, i,
						"jump out of subprogram to %lld",
						(long long)t);
		}
		if (in->code == (BPF_JMP | BPF_EXIT) || is_ja(in))
			continue;
		next = i + (hup_insn_is_ldimm64(in) ? 2 : 1);
		if (next >= sp->end)
			return hup_verr(env, EINVAL, i, "falls off the end of %s",
					sp->end == env->cnt ? "the program" :
							      "its subprogram");
	}
	return check_dag(env);
}
