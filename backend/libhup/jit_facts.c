// SPDX-License-Identifier: BSD-2-Clause
/*
 * The JIT's own facts about registers (jit.h): what r0..r9 hold before
 * each instruction on every path that reaches it, found by a forward
 * dataflow over the program the JIT is given, independent of the
 * verifier's reasoning (a verifier bug must not become a JIT shortcut).
 *
 * A register is, from most to least known:
 *
 *   CONST v    exactly v
 *   VIEW d     view_base + x + d for some x in [0, view_mask]: a guest
 *              address translated into the view (x = gva & mask, the
 *              program's own `&= MASK; += BASE`), moved by d
 *   MASKED     some value in [0, view_mask]
 *   TOP        anything
 *
 * and BOT before anything reaches the instruction (no fact is claimed
 * there).  At a join the facts meet (join(): equal facts stay, constants
 * within the mask and MASKED become MASKED, the rest TOP), and an
 * instruction's facts only ever move up that order, so the worklist ends
 * after at most three raises per register and instruction whatever the
 * program: a guest cannot make the load-time analysis slow.
 *
 * Only what the transfer below says is kept; every register an
 * instruction may write (hup_insn_writes: a call writes them all) is TOP
 * otherwise.  Every way in is a root with everything TOP: insn 0, each
 * BPF-to-BPF callee, each function a ldimm64 names.
 */
#include "jit.h"

#include <errno.h>
#include <stdlib.h>

#include <hyperupcall/abi.h>

#include "insn.h"

enum { F_BOT, F_CONST, F_VIEW, F_MASKED, F_TOP };

struct fact {
	uint8_t kind;
	uint64_t v; /* CONST: the value; VIEW: d (as int64_t) */
};

struct hup_jit_facts {
	struct fact r[HUP_JIT_FACT_REGS];
};

static struct fact mk(uint8_t kind, uint64_t v)
{
	return (struct fact){.kind = kind, .v = v};
}

static const struct fact TOP = {.kind = F_TOP};

/* Whether v is certainly in [0, mask]. */
static bool in_mask(const struct hup_jit_ctx *ctx, struct fact f)
{
	return f.kind == F_MASKED ||
	       (f.kind == F_CONST && f.v <= ctx->conf->view_mask);
}

static struct fact join(const struct hup_jit_ctx *ctx, struct fact a,
			struct fact b)
{
	if (a.kind == F_BOT)
		return b;
	if (b.kind == F_BOT)
		return a;
	if (a.kind == b.kind && (a.kind == F_TOP || a.kind == F_MASKED ||
				 a.v == b.v))
		return a;
	if (in_mask(ctx, a) && in_mask(ctx, b))
		return mk(F_MASKED, 0);
	return TOP;
}

/* A result that is certainly below 2^bits. */
static struct fact below_bits(const struct hup_jit_ctx *ctx, unsigned bits)
{
	uint64_t max = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;

	return max <= ctx->conf->view_mask ? mk(F_MASKED, 0) : TOP;
}

/* VIEW d moved by c, while the copy the guards keep (view.h) can still
 * make sense of it; TOP beyond. */
static struct fact view_moved(int64_t d, int64_t c)
{
	int64_t n;

	if (__builtin_add_overflow(d, c, &n) || n < -(int64_t)HUP_VIEW_GUARD ||
	    n > (int64_t)HUP_VIEW_GUARD)
		return TOP;
	return mk(F_VIEW, (uint64_t)n);
}

static struct fact alu64(const struct hup_jit_ctx *ctx, uint8_t op,
			 struct fact d, struct fact s)
{
	bool both = d.kind == F_CONST && s.kind == F_CONST;

	switch (op) {
	case BPF_AND:
		if (both)
			return mk(F_CONST, d.v & s.v);
		return in_mask(ctx, d) || in_mask(ctx, s) ? mk(F_MASKED, 0)
							  : TOP;
	case BPF_ADD:
		if (both)
			return mk(F_CONST, d.v + s.v);
		if (d.kind == F_VIEW && s.kind == F_CONST)
			return view_moved((int64_t)d.v, (int64_t)s.v);
		if (s.kind == F_VIEW && d.kind == F_CONST)
			return view_moved((int64_t)s.v, (int64_t)d.v);
		if ((d.kind == F_MASKED && s.kind == F_CONST &&
		     s.v == ctx->conf->view_base) ||
		    (s.kind == F_MASKED && d.kind == F_CONST &&
		     d.v == ctx->conf->view_base))
			return mk(F_VIEW, 0);
		return TOP;
	case BPF_SUB:
		if (both)
			return mk(F_CONST, d.v - s.v);
		if (d.kind == F_VIEW && s.kind == F_CONST && s.v != 1ull << 63)
			return view_moved((int64_t)d.v, -(int64_t)s.v);
		return TOP;
	case BPF_RSH:
		if (s.kind != F_CONST)
			return TOP;
		if (d.kind == F_CONST)
			return mk(F_CONST, d.v >> (s.v & 63));
		return d.kind == F_MASKED ? d : TOP; /* x >> k <= x */
	}
	return TOP;
}

/* What insn i leaves in its destination, the other writes TOP. */
static void transfer(const struct hup_jit_ctx *ctx, size_t i,
		     struct hup_jit_facts *f)
{
	const struct bpf_insn *in = &ctx->insns[i];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	uint16_t w = hup_insn_writes(in);
	struct fact res = TOP, s;

	if (cls == BPF_LD && hup_insn_is_ldimm64(in) &&
	    (in->src_reg == 0 || in->src_reg == HUP_PSEUDO_VIEW_BASE ||
	     in->src_reg == HUP_PSEUDO_VIEW_MASK))
		/* the loader patched the view's values in (prog.c) */
		res = mk(F_CONST, hup_insn_imm64(in));
	else if (cls == BPF_LDX && BPF_MODE(in->code) == BPF_MEM &&
		 BPF_SIZE(in->code) != BPF_DW)
		res = below_bits(ctx, BPF_SIZE(in->code) == BPF_B   ? 8
				      : BPF_SIZE(in->code) == BPF_H ? 16
								    : 32);
	else if (cls == BPF_ALU64 || cls == BPF_ALU) {
		struct fact d = in->dst_reg < HUP_JIT_FACT_REGS
					? f->r[in->dst_reg] : TOP;

		if (BPF_SRC(in->code) == BPF_K)
			s = mk(F_CONST, cls == BPF_ALU ? (uint64_t)(uint32_t)in->imm
						       : (uint64_t)(int64_t)in->imm);
		else
			s = in->src_reg < HUP_JIT_FACT_REGS ? f->r[in->src_reg]
							     : TOP;
		if (cls == BPF_ALU64 && op == BPF_MOV && !in->off)
			res = s;
		else if (cls == BPF_ALU64 && op != BPF_END && !in->off)
			res = alu64(ctx, op, d, s);
		else if (cls == BPF_ALU && op == BPF_MOV && !in->off &&
			 s.kind == F_CONST)
			res = mk(F_CONST, (uint32_t)s.v);
		else if (cls == BPF_ALU && (op != BPF_END || in->imm <= 32))
			/* a 32-bit result, zero-extended */
			res = below_bits(ctx, 32);
	}
	for (unsigned int r = 0; r < HUP_JIT_FACT_REGS; r++)
		if (w & (1u << r))
			f->r[r] = TOP;
	if (cls != BPF_JMP && cls != BPF_JMP32 &&
	    in->dst_reg < HUP_JIT_FACT_REGS && (w & (1u << in->dst_reg)))
		f->r[in->dst_reg] = res;
}

/* Where insn i goes next: up to two successors (-1: none). */
static void successors(const struct hup_jit_ctx *ctx, size_t i,
		       int64_t next[2])
{
	const struct bpf_insn *in = &ctx->insns[i];
	uint8_t cls = BPF_CLASS(in->code);

	next[0] = next[1] = -1;
	if (hup_insn_is_ldimm64(in)) {
		next[0] = (int64_t)i + 2;
		return;
	}
	if (hup_jit__falls_through(in))
		next[0] = (int64_t)i + 1;
	if ((cls == BPF_JMP || cls == BPF_JMP32) &&
	    BPF_OP(in->code) != BPF_EXIT && BPF_OP(in->code) != BPF_CALL)
		next[1] = (int64_t)i + 1 + hup_insn_jump_off(in);
}

/* Merge out into insn t's facts; whether they changed. */
static bool merge(const struct hup_jit_ctx *ctx, struct hup_jit_facts *to,
		  const struct hup_jit_facts *out)
{
	bool changed = false;

	for (unsigned int r = 0; r < HUP_JIT_FACT_REGS; r++) {
		struct fact j = join(ctx, to->r[r], out->r[r]);

		if (j.kind != to->r[r].kind || j.v != to->r[r].v) {
			to->r[r] = j;
			changed = true;
		}
	}
	return changed;
}

int hup_jit__facts(struct hup_jit_ctx *ctx)
{
	size_t cnt = ctx->cnt, head = 0, tail = 0, n = 0;
	struct hup_jit_facts *facts = calloc(cnt, sizeof(*facts));
	uint32_t *queue = calloc(cnt, sizeof(*queue));
	uint8_t *queued = calloc(cnt, 1);
	struct hup_jit_facts all_top;

	if (!facts || !queue || !queued) {
		free(facts);
		free(queue);
		free(queued);
		return -ENOMEM;
	}
	for (unsigned int r = 0; r < HUP_JIT_FACT_REGS; r++)
		all_top.r[r] = TOP;
	/* the roots: every way in */
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &ctx->insns[i];
		int64_t t = -1;

		if (!ctx->imm_hi[i] && hup_insn_is_ldimm64(in) &&
		    in->src_reg == BPF_PSEUDO_FUNC)
			t = (int64_t)i + 1 + in->imm;
		if (t >= 0 && t < (int64_t)cnt)
			merge(ctx, &facts[t], &all_top), queued[t] = 1;
		if (!i || (ctx->call_target[i] & HUP_JIT_CALLEE))
			merge(ctx, &facts[i], &all_top), queued[i] = 1;
	}
	for (size_t i = 0; i < cnt; i++)
		if (queued[i])
			queue[tail++ % cnt] = (uint32_t)i, n++;
	while (n) {
		size_t i = queue[head++ % cnt];
		struct hup_jit_facts out = facts[i];
		int64_t next[2];

		n--;
		queued[i] = 0;
		transfer(ctx, i, &out);
		successors(ctx, i, next);
		for (int k = 0; k < 2; k++) {
			int64_t t = next[k];

			/* jit_scan checked the targets; cnt is the fall-off */
			if (t < 0 || t >= (int64_t)cnt || ctx->imm_hi[t])
				continue;
			if (merge(ctx, &facts[t], &out) && !queued[t]) {
				queued[t] = 1;
				queue[tail++ % cnt] = (uint32_t)t;
				n++;
			}
		}
	}
	free(queue);
	free(queued);
	ctx->facts = facts;
	return 0;
}

static const struct fact *fact_at(const struct hup_jit_ctx *ctx, size_t i,
				  uint8_t regno)
{
	if (!ctx->facts || i >= ctx->cnt || regno >= HUP_JIT_FACT_REGS)
		return NULL;
	return &ctx->facts[i].r[regno];
}

bool hup_jit__const_reg(const struct hup_jit_ctx *ctx, size_t i,
			uint8_t regno, uint64_t *val)
{
	const struct fact *f = fact_at(ctx, i, regno);

	if (!f || f->kind != F_CONST)
		return false;
	*val = f->v;
	return true;
}

bool hup_jit__view_reg(const struct hup_jit_ctx *ctx, size_t i,
		       uint8_t regno, int64_t *d)
{
	const struct fact *f = fact_at(ctx, i, regno);

	if (!f || f->kind != F_VIEW)
		return false;
	*d = (int64_t)f->v;
	return true;
}
