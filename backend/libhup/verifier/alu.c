/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ALU instructions, 64-bit immediate loads and conditional jumps.
 *
 * Scalars go to scalar.c.  Pointers allow very little, because every
 * operation on a host address either escapes its region or leaks the
 * address:
 *  - 64-bit mov copies any value; a 32-bit mov/movsx of a pointer would
 *    hand out its low half, so every 32-bit ALU op on a pointer is refused;
 *  - ctx and stack pointers move by known constants only;
 *  - a view pointer moves by constants within +-HUP_VIEW_GUARD (off), and
 *    by added non-negative scalars as long as the variable part stays
 *    provably in [0, view_mask] (`p = (gva & mask) + base` is that add;
 *    adding two masked offsets is not);
 *  - subtracting two pointers of the same region gives a scalar (an
 *    offset, not an address); every other op on a pointer is refused;
 *  - comparisons between a pointer and a number, or pointers of different
 *    regions, are refused (the branch taken would reveal the address).
 */
#include "env.h"

static const char *op_name(uint8_t op)
{
	static const char *const names[16] = {
		"add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
		"neg", "mod", "xor", "mov", "arsh", "end", "?", "?",
	};

	return names[op >> 4];
}

static bool is_ptr(const struct hup_vreg *r)
{
	return r->type != HUP_VT_SCALAR && r->type != HUP_VT_NOT_INIT;
}

static void scalar_from_imm(struct hup_vreg *r, int32_t imm, bool is64)
{
	hup_reg__mark_const(r, is64 ? (uint64_t)(int64_t)imm : (uint32_t)imm);
}

/* ptr (+|-) scalar into *res; dst_regno names the result for the log. */
static int ptr_arith(struct hup_venv *env, uint32_t idx, uint32_t dst_regno,
		     const struct hup_vreg *ptr, const struct hup_vreg *sc,
		     uint8_t op, struct hup_vreg *res)
{
	uint64_t mask = env->opts->view_mask;
	bool known = hup_reg__is_const(sc);
	int64_t c = (int64_t)sc->var.value, off;

	if (ptr->type == HUP_VT_FUNC)
		return hup_verr(env, EACCES, idx,
				"R%u arithmetic on a callback pointer prohibited",
				dst_regno);
	*res = *ptr;
	/* A known masked guest offset (a constant gva & mask) is beyond the
	 * guard but inside [0, mask]: it is a view offset like any other. */
	if (known && ptr->type == HUP_VT_VIEW && op == BPF_ADD &&
	    c > (int64_t)HUP_VIEW_GUARD && (uint64_t)c <= mask)
		known = false;
	if (known) {
		if (c < -HUP_PTR_OFF_MAX || c > HUP_PTR_OFF_MAX)
			goto out_of_range;
		off = op == BPF_ADD ? (int64_t)ptr->off + c : (int64_t)ptr->off - c;
		if (off < -HUP_PTR_OFF_MAX || off > HUP_PTR_OFF_MAX ||
		    (ptr->type == HUP_VT_VIEW &&
		     (off < -(int64_t)HUP_VIEW_GUARD || off > HUP_VIEW_GUARD)))
			goto out_of_range;
		res->off = (int32_t)off;
		return 0;
	}
	if (ptr->type != HUP_VT_VIEW)
		return hup_verr(env, EACCES, idx,
				"R%u variable offset on %s pointer prohibited",
				dst_regno, hup_vtype__name(ptr->type));
	if (op == BPF_SUB)
		return hup_verr(env, EACCES, idx,
				"R%u subtracting a variable from a view pointer prohibited",
				dst_regno);
	/* var' = var + sc, both in [0, mask]: no overflow below 2^49 */
	if (sc->umax > mask || ptr->umax + sc->umax > mask)
		return hup_verr(env, EACCES, idx,
				"R%u view offset not provably in [0, 0x%llx] (umax 0x%llx): mask the guest address",
				dst_regno, (unsigned long long)mask,
				(unsigned long long)(sc->umax > mask ?
							     sc->umax :
							     ptr->umax + sc->umax));
	if (!hup_scalar__alu(res, sc, BPF_ADD, true, 0))
		return -EFAULT;
	res->type = HUP_VT_VIEW;
	return 0;
out_of_range:
	return hup_verr(env, EACCES, idx, "R%u %s pointer offset out of range",
			dst_regno, hup_vtype__name(ptr->type));
}

static int alu_ptr(struct hup_venv *env, uint32_t idx,
		   const struct bpf_insn *in, struct hup_vreg *dst,
		   const struct hup_vreg *src, bool is64)
{
	uint8_t op = BPF_OP(in->code);
	struct hup_vreg res;
	int err;

	if (!is64)
		return hup_verr(env, EACCES, idx,
				"R%u 32-bit ALU on a pointer prohibited (leaks the address)",
				is_ptr(dst) ? in->dst_reg : in->src_reg);
	if (op == BPF_MOV) {
		*dst = *src; /* off == 0 here: movsx of a pointer is 32-bit-ish */
		if (in->off)
			return hup_verr(env, EACCES, idx,
					"R%u sign-extending move of a pointer prohibited",
					in->src_reg);
		return 0;
	}
	if (op != BPF_ADD && op != BPF_SUB)
		return hup_verr(env, EACCES, idx,
				"R%u pointer arithmetic with %s prohibited",
				is_ptr(dst) ? in->dst_reg : in->src_reg,
				op_name(op));
	if (is_ptr(dst) && is_ptr(src)) {
		bool same = dst->type == src->type &&
			    (dst->type != HUP_VT_STACK ||
			     dst->frameno == src->frameno);

		if (op != BPF_SUB || !same || dst->type == HUP_VT_FUNC)
			return hup_verr(env, EACCES, idx,
					"R%u %s of two pointers prohibited",
					in->dst_reg, op_name(op));
		if (dst->type == HUP_VT_VIEW) {
			hup_reg__mark_unknown(dst);
		} else {
			hup_reg__mark_const(dst, (uint64_t)((int64_t)dst->off -
							    src->off));
		}
		return 0;
	}
	if (!is_ptr(dst)) {
		/* scalar + ptr: commutes; scalar - ptr does not */
		if (op == BPF_SUB)
			return hup_verr(env, EACCES, idx,
					"R%u subtracting a pointer from a scalar prohibited",
					in->dst_reg);
		err = ptr_arith(env, idx, in->dst_reg, src, dst, op, &res);
	} else {
		err = ptr_arith(env, idx, in->dst_reg, dst, src, op, &res);
	}
	if (err)
		return err;
	*dst = res;
	return 0;
}

int hup_alu__check(struct hup_venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	struct hup_vreg *regs = hup_cur_regs(env);
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = BPF_OP(in->code);
	struct hup_vreg src, *dst = &regs[in->dst_reg];
	int err;

	if (in->dst_reg == BPF_REG_10)
		return hup_verr(env, EACCES, idx, "frame pointer R10 is read-only");
	if (op != BPF_MOV) {
		err = hup_walk__check_read(env, idx, in->dst_reg);
		if (err)
			return err;
	}
	if (op == BPF_END) {
		if (is_ptr(dst))
			return hup_verr(env, EACCES, idx,
					"R%u byte swap of a pointer prohibited",
					in->dst_reg);
		hup_scalar__end(dst, is64 || BPF_SRC(in->code) == BPF_X, in->imm);
		return 0;
	}
	if (op == BPF_NEG) {
		if (is_ptr(dst))
			return hup_verr(env, EACCES, idx,
					"R%u pointer arithmetic with neg prohibited",
					in->dst_reg);
		hup_scalar__alu(dst, dst, BPF_NEG, is64, 0);
		return 0;
	}
	if (BPF_SRC(in->code) == BPF_X) {
		err = hup_walk__check_read(env, idx, in->src_reg);
		if (err)
			return err;
		src = regs[in->src_reg];
	} else {
		scalar_from_imm(&src, in->imm, is64);
	}
	if (op == BPF_MOV && !is_ptr(&src)) {
		hup_scalar__alu(dst, &src, op, is64, in->off);
		return 0;
	}
	if (is_ptr(dst) || is_ptr(&src)) {
		if (op == BPF_MOV && is_ptr(&src) && !is64)
			return hup_verr(env, EACCES, idx,
					"R%u 32-bit move of a pointer prohibited (leaks the address)",
					in->src_reg);
		return alu_ptr(env, idx, in, dst, &src, is64);
	}
	hup_scalar__alu(dst, &src, op, is64, in->off);
	return 0;
}

int hup_alu__ldimm64(struct hup_venv *env, uint32_t idx)
{
	const struct bpf_insn *in = &env->insns[idx];
	struct hup_vreg *dst = &hup_cur_regs(env)[in->dst_reg];
	uint32_t s;

	if (in->dst_reg == BPF_REG_10)
		return hup_verr(env, EACCES, idx, "frame pointer R10 is read-only");
	switch (in->src_reg) {
	case 0:
		hup_reg__mark_const(dst, hup_insn_imm64(in));
		return 0;
	case HUP_PSEUDO_VIEW_BASE:
	case HUP_PSEUDO_VIEW_MASK:
		if (!env->opts->has_view)
			return hup_verr(env, EACCES, idx,
					"view pseudo load but no view is attached");
		if (in->src_reg == HUP_PSEUDO_VIEW_MASK) {
			hup_reg__mark_const(dst, env->opts->view_mask);
			return 0;
		}
		hup_reg__mark_const(dst, 0);
		dst->type = HUP_VT_VIEW;
		return 0;
	case BPF_PSEUDO_FUNC:
		for (s = 0; s < env->nr_subprogs; s++)
			if (env->subprogs[s].start == idx + 1 + (int64_t)in->imm)
				break;
		hup_reg__mark_not_init(dst);
		dst->type = HUP_VT_FUNC;
		dst->subprog = (uint16_t)s;
		return 0;
	}
	return hup_verr(env, EINVAL, idx, "unsupported ldimm64 src_reg %u",
			in->src_reg);
}

/* A pointer comparison: allowed only between pointers of one region. */
static int cmp_ptrs(struct hup_venv *env, uint32_t idx,
		    const struct bpf_insn *in, const struct hup_vreg *a,
		    const struct hup_vreg *b)
{
	bool x = BPF_SRC(in->code) == BPF_X;

	if (!is_ptr(a) || !is_ptr(b))
		return hup_verr(env, EACCES, idx,
				"R%u comparison of a pointer with a scalar prohibited",
				is_ptr(a) || !x ? in->dst_reg : in->src_reg);
	if (BPF_CLASS(in->code) == BPF_JMP32)
		return hup_verr(env, EACCES, idx,
				"R%u 32-bit comparison of pointers prohibited",
				in->dst_reg);
	if (a->type != b->type || a->type == HUP_VT_FUNC ||
	    (a->type == HUP_VT_STACK && a->frameno != b->frameno))
		return hup_verr(env, EACCES, idx,
				"R%u comparison of pointers to different regions prohibited",
				in->dst_reg);
	return 0;
}

int hup_jmp__check(struct hup_venv *env, uint32_t idx, bool *stop)
{
	const struct bpf_insn *in = &env->insns[idx];
	struct hup_vreg *regs = hup_cur_regs(env);
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	bool x = BPF_SRC(in->code) == BPF_X;
	uint8_t op = BPF_OP(in->code);
	uint32_t target = (uint32_t)(idx + 1 + in->off);
	struct hup_vreg a, b, a2, b2;
	struct hup_mem_rec *rec = &env->aux[idx].rec;
	struct hup_vstate *other;
	int err, taken;

	*stop = false;
	err = hup_walk__check_read(env, idx, in->dst_reg);
	if (!err && x)
		err = hup_walk__check_read(env, idx, in->src_reg);
	if (err)
		return err;
	a = regs[in->dst_reg];
	if (x)
		b = regs[in->src_reg];
	else
		scalar_from_imm(&b, in->imm, !is32);

	if (is_ptr(&a) || is_ptr(&b)) {
		err = cmp_ptrs(env, idx, in, &a, &b);
		if (err)
			return err;
		/* same region: no refinement, both ways possible */
		rec->took |= HUP_TOOK_FALL | HUP_TOOK_JUMP;
		err = hup_walk__push(env, env->cur);
		if (err)
			return err;
		env->stack[env->stack_len - 1]->pc = target;
		env->cur->pc = idx + 1;
		return 0;
	}

	taken = hup_scalar__branch(&a, &b, op, is32);
	if (taken == 1) {
		rec->took |= HUP_TOOK_JUMP;
		env->cur->pc = target;
		return 0;
	}
	if (taken == 0) {
		rec->took |= HUP_TOOK_FALL;
		env->cur->pc = idx + 1;
		return 0;
	}
	/* both: the taken branch is queued, the fall-through walked now */
	a2 = a, b2 = b;
	if (hup_scalar__refine(&a2, &b2, op, is32, true)) {
		rec->took |= HUP_TOOK_JUMP;
		err = hup_walk__push(env, env->cur);
		if (err)
			return err;
		other = env->stack[env->stack_len - 1];
		other->pc = target;
		other->frames[other->curframe]->regs[in->dst_reg] = a2;
		if (x)
			other->frames[other->curframe]->regs[in->src_reg] = b2;
	}
	if (!hup_scalar__refine(&a, &b, op, is32, false)) {
		*stop = true;
		return 0;
	}
	rec->took |= HUP_TOOK_FALL;
	regs[in->dst_reg] = a;
	if (x)
		regs[in->src_reg] = b;
	env->cur->pc = idx + 1;
	return 0;
}
