/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Subject programs for the soundness oracle.  Registers are seeded from
 * context words (unknown) or constants, then combined by units that make
 * halves known or unknown (shifts by 32, half masks, OR/AND with
 * constants), cross the 32/64-bit boundary (ALU32 ops with register
 * sources, JMP32 on 64-bit values, movsx, byte swaps) and branch on sign
 * boundaries, so that every verifier path narrowing, extending or folding
 * a partially known value is walked.  Jumps go forward (to a later unit or
 * the end), so every program terminates and all paths meet at the end.
 */
#include "gen.h"

#include <limits.h>
#include <string.h>

uint64_t or_rand(struct or_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Values an attacker reaches for: half boundaries, sign bits, shift
 * widths, and their neighbours. */
static const uint64_t edges64[] = {
	0, 1, 2, 31, 32, 33, 63, 64, 0xff, 0xffff, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000, 0x100000020, 0xffffffff00000000,
	0xffffffff80000000, 0x7fffffffffffffff, 0x8000000000000000,
	0xffffffffffffffff, 0xfffffffffffffffe, 0x8000000080000000,
	0x0000002000000020, 0x7fffffff80000000,
};
#define NR_EDGES64 (sizeof(edges64) / sizeof(edges64[0]))

static const int32_t edges32[] = {
	0, 1, -1, 2, 7, 8, 16, 31, 32, 33, 63, 64, 0xff, 0xffff, 0x8000,
	INT32_MAX, INT32_MIN, INT32_MIN + 1, -32, -2,
};
#define NR_EDGES32 (sizeof(edges32) / sizeof(edges32[0]))

static uint64_t pick64(struct or_rng *r)
{
	switch (or_below(r, 4)) {
	case 0:
		return or_rand(r);
	case 1: /* one edge half, one random half */
		return or_below(r, 2) ?
			       (or_rand(r) << 32) | (uint32_t)edges64[or_below(r, NR_EDGES64)] :
			       (edges64[or_below(r, NR_EDGES64)] << 32) | (uint32_t)or_rand(r);
	default:
		return edges64[or_below(r, NR_EDGES64)];
	}
}

static int32_t pick32(struct or_rng *r)
{
	if (or_below(r, 5))
		return edges32[or_below(r, NR_EDGES32)];
	return (int32_t)or_rand(r);
}

/* Body registers: the targets; r1 (ctx) and r9 (scratch) are left out. */
static uint8_t reg(struct or_rng *r)
{
	return or_targets[or_below(r, OR_NR_TARGETS)];
}

/* The register written last: sources favour it so that units chain (a
 * value made partially known is then shifted by, divided by, compared). */
static uint8_t last_dst;

static uint8_t src_reg(struct or_rng *r)
{
	return or_below(r, 2) ? last_dst : reg(r);
}

static struct or_unit *add(struct or_prog *p)
{
	struct or_unit *u = &p->u[p->n++];

	memset(u, 0, sizeof(*u));
	u->target = OR_NO_JUMP;
	return u;
}

static void one(struct or_prog *p, struct bpf_insn a)
{
	struct or_unit *u = add(p);

	u->insn[0] = a;
	u->n = 1;
}

/* lddw r9, c; OP dst, r9: a 64-bit constant operand. */
static void with_const64(struct or_prog *p, uint8_t cls_op, uint8_t dst,
			 uint64_t c)
{
	struct or_unit *u;

	if ((int64_t)c == (int32_t)c) {
		one(p, or_insn(cls_op | BPF_K, dst, 0, 0, (int32_t)c));
		return;
	}
	/* lddw needs two slots, the op a third: two units, the first only
	 * loading r9 (which is never a target nor read elsewhere) */
	u = add(p);
	u->insn[0] = or_insn(BPF_LD | BPF_IMM | BPF_DW, 9, 0, 0, (int32_t)c);
	u->insn[1] = or_insn(0, 0, 0, 0, (int32_t)(c >> 32));
	u->n = 2;
	one(p, or_insn(cls_op | BPF_X, dst, 9, 0, 0));
}

static void seed(struct or_rng *r, struct or_prog *p, uint8_t dst)
{
	static const int16_t words[] = {0, 8, 32, 40, 48, 56};
	static const int16_t halves[] = {16, 20, 24, 28};

	switch (or_below(r, 5)) {
	case 0:
	case 1:
		one(p, or_insn(BPF_LDX | BPF_MEM | BPF_DW, dst, 1,
			       words[or_below(r, 6)], 0));
		break;
	case 2: {
		/* a 32-bit field, read whole or in part, zero- or
		 * sign-extended (hup_reg__mark_sized) */
		static const uint8_t sz[] = {BPF_W, BPF_W, BPF_H, BPF_B};
		uint8_t size = sz[or_below(r, 4)];
		int16_t off = halves[or_below(r, 4)];

		if (size != BPF_W)
			off += (int16_t)(size == BPF_H ? 2 * or_below(r, 2) :
							 or_below(r, 4));
		one(p, or_insn(BPF_LDX | (or_below(r, 3) ? BPF_MEM : BPF_MEMSX) |
				       size, dst, 1, off, 0));
		break;
	}
	case 3:
		with_const64(p, BPF_ALU64 | BPF_MOV, dst, pick64(r));
		/* with_const64 moved r9 into dst for wide constants: fine */
		break;
	default:
		one(p, or_insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, pick32(r)));
	}
}

/* Units that make one half of dst known and leave the other unknown. */
static void halves(struct or_rng *r, struct or_prog *p, uint8_t dst)
{
	static const uint8_t sh[] = {BPF_LSH, BPF_RSH, BPF_ARSH};

	switch (or_below(r, 5)) {
	case 0:
		one(p, or_insn(BPF_ALU64 | sh[or_below(r, 3)] | BPF_K, dst, 0, 0,
			       or_below(r, 4) ? 32 : (int32_t)or_below(r, 64)));
		break;
	case 1:
		with_const64(p, BPF_ALU64 | BPF_AND, dst,
			     or_below(r, 2) ? 0xffffffff00000000ull : 0xffffffffull);
		break;
	case 2:
		with_const64(p, BPF_ALU64 | (or_below(r, 2) ? BPF_OR : BPF_AND),
			     dst, pick64(r));
		break;
	case 3:
		/* w = w: zero-extend (high half becomes known zero) */
		one(p, or_insn(BPF_ALU | BPF_MOV | BPF_X, dst, dst, 0, 0));
		break;
	default:
		one(p, or_insn(BPF_ALU64 | (or_below(r, 2) ? BPF_OR : BPF_XOR) | BPF_K,
			       dst, 0, 0, pick32(r)));
	}
}

static void alu(struct or_rng *r, struct or_prog *p, uint8_t dst)
{
	static const uint8_t ops[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
		BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH,
		BPF_LSH, BPF_RSH, BPF_ARSH, BPF_DIV, BPF_MOD, /* weighted */
	};
	uint8_t op = ops[or_below(r, sizeof(ops))];
	uint8_t cls = or_below(r, 3) ? BPF_ALU : BPF_ALU64;
	int16_t off = 0;

	if ((op == BPF_DIV || op == BPF_MOD) && or_below(r, 2))
		off = HUP_OFF_SDIV;
	if (op == BPF_MOV && or_below(r, 2)) {
		static const int16_t w[] = {8, 16, 32};

		off = w[or_below(r, cls == BPF_ALU ? 2 : 3)];
		one(p, or_insn(cls | BPF_MOV | BPF_X, dst, src_reg(r), off, 0));
		return;
	}
	if (or_below(r, 3)) {
		one(p, or_insn(cls | op | BPF_X, dst, src_reg(r), off, 0));
		return;
	}
	{
		int32_t imm = pick32(r);

		if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
			imm &= cls == BPF_ALU ? 31 : 63;
		one(p, or_insn(cls | op | BPF_K, dst, 0, off, imm));
	}
}

static void misc(struct or_rng *r, struct or_prog *p, uint8_t dst)
{
	static const int32_t widths[] = {16, 32, 64};
	int32_t w = widths[or_below(r, 3)];

	switch (or_below(r, 4)) {
	case 0: /* le / be */
		one(p, or_insn(BPF_ALU | BPF_END | (or_below(r, 2) ? BPF_X : BPF_K),
			       dst, 0, 0, w));
		break;
	case 1: /* bswap */
		one(p, or_insn(BPF_ALU64 | BPF_END, dst, 0, 0, w));
		break;
	default:
		one(p, or_insn((or_below(r, 2) ? BPF_ALU : BPF_ALU64) | BPF_NEG,
			       dst, 0, 0, 0));
	}
}

/*
 * Through the stack: a store of src into one of four slots and a load of
 * the same or fewer bytes back, maybe sign-extended.  An 8-byte store
 * spills the register's state, a narrower one leaves plain data; pruning
 * compares both.
 */
static void spill(struct or_rng *r, struct or_prog *p, uint8_t dst)
{
	static const uint8_t sz[] = {BPF_DW, BPF_W, BPF_H, BPF_B};
	unsigned int st = or_below(r, 4), ld = st + or_below(r, 4 - st);
	int16_t off = (int16_t)(-8 * (1 + (int)or_below(r, 4)));
	uint8_t mode = ld && !or_below(r, 3) ? BPF_MEMSX : BPF_MEM;
	struct or_unit *u = add(p);

	u->insn[0] = or_insn(BPF_STX | BPF_MEM | sz[st], 10, src_reg(r), off, 0);
	u->insn[1] = or_insn(BPF_LDX | mode | sz[ld], dst, 10, off, 0);
	u->n = 2;
}

static void jump(struct or_rng *r, struct or_prog *p, size_t max_units)
{
	static const uint8_t ops[] = {
		BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT,
		BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET,
	};
	uint8_t cls = or_below(r, 2) ? BPF_JMP32 : BPF_JMP;
	uint8_t op = ops[or_below(r, sizeof(ops))];
	struct or_unit *u;
	size_t to = p->n + 1 + 1 + or_below(r, 3);

	if (or_below(r, 3)) {
		u = add(p);
		u->insn[0] = or_insn(cls | op | BPF_K, src_reg(r), 0, 0, pick32(r));
	} else {
		u = add(p);
		u->insn[0] = or_insn(cls | op | BPF_X, src_reg(r), reg(r), 0, 0);
	}
	u->n = 1;
	u->target = to >= max_units || !or_below(r, 8) ? OR_END : (uint16_t)to;
}

void or_gen_prog(struct or_rng *r, struct or_prog *p, size_t max_units)
{
	size_t i, want;

	if (max_units > OR_MAX_UNITS)
		max_units = OR_MAX_UNITS;
	p->n = 0;
	for (i = 0; i < OR_NR_TARGETS; i++)
		seed(r, p, or_targets[i]);
	/* seeds take up to 2 units each: at least 4 more; want stays below
	 * max_units, and the loop overshoots it by at most one unit */
	want = p->n + 4;
	if (max_units > want)
		want += or_below(r, (uint32_t)(max_units - want));
	last_dst = reg(r);
	while (p->n + 2 <= want) {
		uint8_t dst = reg(r);

		switch (or_below(r, 10)) {
		case 0:
		case 1:
		case 2:
			halves(r, p, dst);
			break;
		case 3:
		case 4:
		case 5:
		case 6:
			alu(r, p, dst);
			break;
		case 7:
			misc(r, p, dst);
			break;
		case 8:
			if (or_below(r, 2)) {
				spill(r, p, dst);
				break;
			}
			/* fall through */
		default:
			jump(r, p, want);
			continue;
		}
		last_dst = dst;
	}
	/* jumps were aimed at units that may not have been made */
	for (i = 0; i < p->n; i++)
		if (p->u[i].target != OR_NO_JUMP && p->u[i].target != OR_END &&
		    p->u[i].target >= p->n)
			p->u[i].target = OR_END;
}

/* A constant of the program: an immediate (sign-extended) or an lddw. */
static bool prog_const(struct or_rng *r, const struct or_prog *p, uint64_t *c)
{
	const struct or_unit *u = &p->u[or_below(r, (uint32_t)p->n)];

	if (hup_insn_is_ldimm64(&u->insn[0]) && u->n == 2)
		*c = hup_insn_imm64(u->insn);
	else if (BPF_CLASS(u->insn[0].code) != BPF_LDX &&
		 BPF_SRC(u->insn[0].code) == BPF_K)
		*c = (uint64_t)(int64_t)u->insn[0].imm;
	else
		return false;
	return true;
}

void or_gen_ctx(struct or_rng *r, const struct or_prog *p, uint8_t *ctx)
{
	uint64_t w[OR_CTX_BYTES / 8], c;
	size_t i;

	for (i = 0; i < OR_CTX_BYTES / 8; i++) {
		w[i] = pick64(r);
		if (!p->n || or_below(r, 3) || !prog_const(r, p, &c))
			continue;
		c += (uint64_t)or_below(r, 3) - 1;
		switch (or_below(r, 4)) {
		case 0:
			w[i] = c;
			break;
		case 1: /* as the high half, e.g. of a value shifted right */
			w[i] = c << 32 | (uint32_t)w[i];
			break;
		case 2: /* as the low half, any high half */
			w[i] = (w[i] & ~0xffffffffull) | (uint32_t)c;
			break;
		default:
			w[i] = (uint64_t)(uint32_t)c;
		}
	}
	memcpy(ctx, w, sizeof(w));
}
