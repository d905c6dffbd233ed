/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Program generator for JIT-vs-interpreter differential testing (see
 * progen.h for the guarantees the generated programs keep).  A program is
 * a prologue that initialises every register and 64 bytes of stack, a
 * list of random "units" (one operation each, one to a few instructions),
 * an epilogue that spills every register into the context's free[] words
 * (so memory comparison sees the whole register file) and folds the stack
 * into r0, and optionally one callee.  Jumps name units, not instructions,
 * and are resolved at the end, so they never land inside an ldimm64.
 */
#include "progen.h"

#include <string.h>

#include <hyperupcall/abi.h>

#define MAX_UNITS 96u
#define STACK_BYTES 64
#define CTX_BYTES ((int)sizeof(struct hup_reclaim_ctx))
#define CTX_FREE_OFF 16 /* offsetof(struct hup_reclaim_ctx, free) */

enum fix_kind { FIX_OFF, FIX_GOTOL, FIX_CALL, FIX_FUNC };

struct fixup {
	size_t at;        /* instruction to patch */
	size_t unit;      /* target unit (FIX_OFF, FIX_GOTOL) */
	enum fix_kind kind;
};

struct gen {
	struct progen_src *src;
	struct bpf_insn *out;
	size_t n;
	size_t unit_start[MAX_UNITS + 1];
	struct fixup fix[MAX_UNITS * 2];
	size_t nfix;
	bool leaf; /* the callee is gen_leaf_callee()'s */
	bool loop; /* the callee is a loop callback (gen_loop_callback()) */
	int32_t loop_off; /* ...on this slot of the caller's stack at every
			   * call: a sealed access has one location */
};

/* Registers that only ever hold scalars; r6 is the context, r10 the fp. */
static const uint8_t scalar_regs[] = {0, 1, 2, 3, 4, 5, 7, 8, 9};

static uint8_t next_byte(struct progen_src *src)
{
	if (src->pos < src->len)
		return src->data[src->pos++];
	/* xorshift64* */
	src->rng ^= src->rng >> 12;
	src->rng ^= src->rng << 25;
	src->rng ^= src->rng >> 27;
	return (uint8_t)((src->rng * 0x2545f4914f6cdd1dull) >> 56);
}

void progen_src_init(struct progen_src *src, const uint8_t *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	src->data = data;
	src->len = len;
	src->pos = 0;
	src->views = false;
	src->rng = h ^ len ^ 0x9e3779b97f4a7c15ull;
	if (!src->rng)
		src->rng = 1;
}

uint32_t progen_next(struct progen_src *src, uint32_t bound)
{
	uint32_t v = next_byte(src);

	if (bound > 0x100)
		v = v << 8 | next_byte(src);
	if (bound > 0x10000)
		v = v << 16 | (uint32_t)next_byte(src) << 8 | next_byte(src);
	return bound ? v % bound : v;
}

static uint32_t rand32(struct progen_src *src)
{
	return (uint32_t)next_byte(src) << 24 | (uint32_t)next_byte(src) << 16 |
	       (uint32_t)next_byte(src) << 8 | next_byte(src);
}

/* Immediates: edge values half of the time. */
static int32_t pick_imm(struct progen_src *src)
{
	static const int32_t edge[] = {
		0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0x7f,
		0x80, 0xff, 0x7fff, 0x8000, 0xffff, INT32_MAX, INT32_MIN,
		INT32_MIN + 1, 0x12345678, -0x12345678,
	};

	if (progen_next(src, 2))
		return edge[progen_next(src, sizeof(edge) / sizeof(edge[0]))];
	return (int32_t)rand32(src);
}

static uint64_t pick_imm64(struct progen_src *src)
{
	static const uint64_t edge[] = {
		0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
		0xffffffff00000000ull, 0x00000000ffffffffull,
		0x0000000080000000ull, 0xffffffff80000000ull,
	};

	if (progen_next(src, 2))
		return edge[progen_next(src, sizeof(edge) / sizeof(edge[0]))];
	return (uint64_t)rand32(src) << 32 | rand32(src);
}

static uint8_t pick_reg(struct progen_src *src)
{
	return scalar_regs[progen_next(src, sizeof(scalar_regs))];
}

static void put(struct gen *g, uint8_t code, uint8_t dst, uint8_t src,
		int16_t off, int32_t imm)
{
	struct bpf_insn *insn;

	if (g->n >= PROGEN_MAX_INSNS)
		return; /* the budget below keeps us from getting here */
	insn = &g->out[g->n++];
	memset(insn, 0, sizeof(*insn));
	insn->code = code;
	insn->dst_reg = dst & 0xf;
	insn->src_reg = src & 0xf;
	insn->off = off;
	insn->imm = imm;
}

static void put_ldimm64(struct gen *g, uint8_t dst, uint64_t v)
{
	put(g, BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int32_t)(uint32_t)v);
	put(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

static void put_fixup(struct gen *g, size_t unit, enum fix_kind kind)
{
	if (g->nfix < sizeof(g->fix) / sizeof(g->fix[0]))
		g->fix[g->nfix++] = (struct fixup){g->n - 1, unit, kind};
}

static void init_reg(struct gen *g, uint8_t r)
{
	switch (progen_next(g->src, 3)) {
	case 0:
		put(g, BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, pick_imm(g->src));
		break;
	case 1:
		put(g, BPF_ALU | BPF_MOV | BPF_K, r, 0, 0, pick_imm(g->src));
		break;
	default:
		put_ldimm64(g, r, pick_imm64(g->src));
		break;
	}
}

static const uint8_t alu_ops[] = {
	BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
	BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH,
};

static void gen_alu(struct gen *g, bool reg_src)
{
	struct progen_src *s = g->src;
	uint8_t cls = progen_next(s, 2) ? BPF_ALU64 : BPF_ALU;
	uint8_t op = alu_ops[progen_next(s, sizeof(alu_ops))];
	uint8_t dst = pick_reg(s), src = pick_reg(s);
	int16_t off = 0;
	int32_t imm = pick_imm(s);

	if (op == BPF_NEG) {
		put(g, cls | op | BPF_K, dst, 0, 0, 0);
		return;
	}
	if (op == BPF_DIV || op == BPF_MOD)
		off = (int16_t)progen_next(s, 2); /* 1: signed */
	if (op == BPF_MOV && reg_src) {
		static const int16_t widths[] = {0, 0, 8, 16, 32};

		off = widths[progen_next(s, cls == BPF_ALU64 ? 5 : 4)];
	}
	if (reg_src) {
		put(g, cls | op | BPF_X, dst, src, off, 0);
		return;
	}
	if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
		imm = (int32_t)progen_next(s, cls == BPF_ALU64 ? 64 : 32);
	put(g, cls | op | BPF_K, dst, 0, off, imm);
}

static void gen_end(struct gen *g)
{
	static const int32_t widths[] = {16, 32, 64};
	struct progen_src *s = g->src;
	uint8_t dst = pick_reg(s);
	int32_t w = widths[progen_next(s, 3)];

	switch (progen_next(s, 3)) {
	case 0:
		put(g, BPF_ALU | BPF_END | BPF_TO_LE, dst, 0, 0, w);
		break;
	case 1:
		put(g, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, w);
		break;
	default: /* bswap */
		put(g, BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, w);
		break;
	}
}

static const uint8_t sizes[] = {BPF_B, BPF_H, BPF_W, BPF_DW};

static int size_bytes(uint8_t size)
{
	return size == BPF_B ? 1 : size == BPF_H ? 2 : size == BPF_W ? 4 : 8;
}

/* A load or store through r10 (stack) or r6 (context). */
static void gen_mem(struct gen *g, bool ctx, bool store)
{
	struct progen_src *s = g->src;
	uint8_t size = sizes[progen_next(s, 4)];
	int n = size_bytes(size);
	int16_t off;
	uint8_t base = ctx ? BPF_REG_6 : BPF_REG_10;

	if (!ctx)
		off = (int16_t)(-STACK_BYTES +
				n * (int)progen_next(s, STACK_BYTES / n));
	else if (store)
		off = (int16_t)(CTX_FREE_OFF +
				n * (int)progen_next(s, (CTX_BYTES - CTX_FREE_OFF) / n));
	else
		off = (int16_t)(n * (int)progen_next(s, CTX_BYTES / n));
	if (ctx && n == 8 && off == 8)
		off = 0; /* nr_pfns + reserved: two fields, not one read */
	if (!store) {
		uint8_t mode = size != BPF_DW && progen_next(s, 3) == 0 ?
			       BPF_MEMSX : BPF_MEM;

		put(g, BPF_LDX | mode | size, pick_reg(s), base, off, 0);
	} else if (progen_next(s, 3) == 0) {
		put(g, BPF_ST | BPF_MEM | size, base, 0, off, pick_imm(s));
	} else {
		put(g, BPF_STX | BPF_MEM | size, base, pick_reg(s), off, 0);
	}
}

static void gen_atomic(struct gen *g)
{
	static const int32_t ops[] = {
		BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH,
		BPF_OR | BPF_FETCH, BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH,
		BPF_XCHG, BPF_CMPXCHG,
	};
	struct progen_src *s = g->src;
	uint8_t size = progen_next(s, 2) ? BPF_DW : BPF_W;
	int n = size_bytes(size);
	int16_t off = (int16_t)(-STACK_BYTES + n * (int)progen_next(s, STACK_BYTES / n));

	put(g, BPF_STX | BPF_ATOMIC | size, BPF_REG_10, pick_reg(s), off,
	    ops[progen_next(s, sizeof(ops) / sizeof(ops[0]))]);
}

static const uint8_t jmp_ops[] = {
	BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE,
	BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE,
};

/* Forward only: to a unit after this one, at most the exit unit. */
static size_t pick_target(struct gen *g, size_t u, size_t nunits,
			  size_t span)
{
	size_t room = nunits - u; /* units u+1 .. nunits */

	return u + 1 + progen_next(g->src, (uint32_t)(room < span ? room : span));
}

static void gen_jump(struct gen *g, size_t u, size_t nunits)
{
	struct progen_src *s = g->src;
	uint8_t cls = progen_next(s, 2) ? BPF_JMP : BPF_JMP32;
	uint8_t op = jmp_ops[progen_next(s, sizeof(jmp_ops))];
	size_t t = pick_target(g, u, nunits, 8);

	if (progen_next(s, 2))
		put(g, cls | op | BPF_X, pick_reg(s), pick_reg(s), 0, 0);
	else
		put(g, cls | op | BPF_K, pick_reg(s), 0, 0, pick_imm(s));
	put_fixup(g, t, FIX_OFF);
}

static void gen_ja(struct gen *g, size_t u)
{
	/* To the next unit: whatever a jmp skipped would be dead code
	 * unless a jump landed in it, and a verifier rejects that. */
	size_t t = u + 1;

	if (progen_next(g->src, 2)) {
		put(g, BPF_JMP | BPF_JA, 0, 0, 0, 0);
		put_fixup(g, t, FIX_OFF);
	} else {
		put(g, BPF_JMP32 | BPF_JA, 0, 0, 0, 0); /* gotol */
		put_fixup(g, t, FIX_GOTOL);
	}
}

/* HUP_FN_loop(nr, the callback, the program's slot, 0): nr up to 9, so
 * that the callback's stop (at an index up to 11) may come or not. */
static void gen_loop_call(struct gen *g)
{
	put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0,
	    (int32_t)progen_next(g->src, 10));
	put(g, BPF_LD | BPF_IMM | BPF_DW, BPF_REG_2, BPF_PSEUDO_FUNC, 0, 0);
	put_fixup(g, 0, FIX_FUNC);
	put(g, 0, 0, 0, 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0);
	put(g, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, g->loop_off);
	put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0);
	put(g, BPF_JMP | BPF_CALL, 0, 0, 0, HUP_FN_loop);
	for (uint8_t r = BPF_REG_1; r <= BPF_REG_5; r++)
		init_reg(g, r);
}

/* guest_read(a stack buffer, a constant size that fits it, a scalar
 * gva): the JIT inlines it where the harness's helper table lets it
 * (engine.h, read_id), and calls it elsewhere, as the interpreter does. */
static void gen_guest_read(struct gen *g)
{
	struct progen_src *s = g->src;
	int32_t off = -(int32_t)(1 + progen_next(s, STACK_BYTES));
	int32_t size = 1 + (int32_t)progen_next(s, (uint32_t)-off);

	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, pick_reg(s), 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 0, 0);
	put(g, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, off);
	put(g, (progen_next(s, 2) ? BPF_ALU64 : BPF_ALU) | BPF_MOV | BPF_K,
	    BPF_REG_2, 0, 0, size);
	put(g, BPF_JMP | BPF_CALL, 0, 0, 0, HUP_FN_guest_read);
	for (uint8_t r = BPF_REG_1; r <= BPF_REG_5; r++)
		init_reg(g, r);
}

/* A load through the view (progen_src.views): a scalar translated as the
 * LLVM pass does (`& MASK`, `+ BASE`), moved by a constant and loaded at
 * a small offset, anywhere in or around the view (its guards mirror its
 * ends; a hole aborts).  r1-r3 are scalars again after it: a view pointer
 * is never spilled into the context. */
static void gen_view_load(struct gen *g)
{
	static const uint8_t dsts[] = {0, 4, 5, 7, 8, 9};
	struct progen_src *s = g->src;
	int32_t move = progen_next(s, 2) ?
		(int32_t)progen_next(s, 2 * (HUP_VIEW_GUARD - 64)) -
			(int32_t)(HUP_VIEW_GUARD - 64) :
		(int32_t)progen_next(s, 64);
	int16_t off = (int16_t)((int32_t)progen_next(s, 96) - 48);

	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, pick_reg(s), 0, 0);
	put(g, BPF_LD | BPF_IMM | BPF_DW, BPF_REG_2, HUP_PSEUDO_VIEW_MASK, 0, 0);
	put(g, 0, 0, 0, 0, 0);
	put(g, BPF_LD | BPF_IMM | BPF_DW, BPF_REG_3, HUP_PSEUDO_VIEW_BASE, 0, 0);
	put(g, 0, 0, 0, 0, 0);
	if (progen_next(s, 4))
		put(g, BPF_ALU64 | BPF_AND | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0);
	else /* a 32-bit move masks for a 4 GiB view, and less otherwise */
		put(g, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_1, 0, 0);
	put(g, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
	if (move)
		put(g, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, move);
	put(g, BPF_LDX | BPF_MEM | sizes[progen_next(s, 4)],
	    dsts[progen_next(s, sizeof(dsts))], BPF_REG_1, off, 0);
	for (uint8_t r = BPF_REG_1; r <= BPF_REG_3; r++)
		init_reg(g, r);
}

static void gen_call(struct gen *g)
{
	if (g->loop) {
		gen_loop_call(g);
		return;
	}
	if (g->leaf) {
		/* r1 = one of the caller's initialised stack slots */
		put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 0, 0);
		put(g, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0,
		    -8 * (int32_t)(1 + progen_next(g->src, STACK_BYTES / 8)));
	}
	put(g, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
	put_fixup(g, 0, FIX_CALL);
	/* r1-r5 are dead after a call: write them again. */
	for (uint8_t r = BPF_REG_1; r <= BPF_REG_5; r++)
		init_reg(g, r);
}

static void gen_unit(struct gen *g, size_t u, size_t nunits, bool callee)
{
	uint32_t k = progen_next(g->src, 100);

	if (k < 22)
		gen_alu(g, true);
	else if (k < 44)
		gen_alu(g, false);
	else if (k < 48)
		gen_end(g);
	else if (k < 51)
		put_ldimm64(g, pick_reg(g->src), pick_imm64(g->src));
	else if (k < 58)
		gen_mem(g, false, false);
	else if (k < 65)
		gen_mem(g, false, true);
	else if (k < 70)
		gen_mem(g, true, false);
	else if (k < 74)
		gen_mem(g, true, true);
	else if (k < 80)
		gen_atomic(g);
	else if (k < 82)
		gen_guest_read(g);
	else if (k < 86 && g->src->views)
		gen_view_load(g);
	else if (k < 96)
		gen_jump(g, u, nunits);
	else if (k < 98 || !callee)
		gen_ja(g, u);
	else
		gen_call(g);
}

/* A callee: mixes its arguments, uses its own stack, returns in r0. */
static void gen_callee(struct gen *g)
{
	struct progen_src *s = g->src;
	uint32_t n = 1 + progen_next(s, 6);

	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_1, 0, 0);
	put(g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, BPF_REG_2, -8, 0);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t op = alu_ops[progen_next(s, sizeof(alu_ops))];
		uint8_t dst = (uint8_t)progen_next(s, 6);
		uint8_t src = (uint8_t)progen_next(s, 6);

		if (op == BPF_NEG)
			put(g, BPF_ALU64 | op | BPF_K, dst, 0, 0, 0);
		else if (progen_next(s, 2))
			put(g, BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
		else
			put(g, BPF_ALU | op | BPF_K, dst, 0, 0,
			    op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH ?
			    (int32_t)progen_next(s, 32) : pick_imm(s));
	}
	put(g, BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_3, BPF_REG_10, -8, 0);
	put(g, BPF_ALU64 | BPF_XOR | BPF_X, BPF_REG_0, BPF_REG_3, 0, 0);
	put(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* n 64-bit ALU ops, register to register, among regs[0, nregs). */
static void gen_mix(struct gen *g, const uint8_t *regs, uint32_t nregs,
		    uint32_t n)
{
	struct progen_src *s = g->src;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t op = alu_ops[progen_next(s, sizeof(alu_ops))];
		uint8_t dst = regs[progen_next(s, nregs)];
		uint8_t src = regs[progen_next(s, nregs)];

		if (op == BPF_NEG)
			put(g, BPF_ALU64 | op | BPF_K, dst, 0, 0, 0);
		else
			put(g, BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
	}
}

/*
 * A leaf callee that works on its caller's stack slot (r1) and never on a
 * stack of its own, as a loop callback on its caller's state does: it
 * reads the slot, mixes it in r0 and r7-r9 (which it writes first; the
 * caller's must come back unchanged), writes the slot back and returns.
 * Once loaded and sealed, such a callee is what the JIT runs without a
 * frame of its own (a "light" callee, backend/libhup/jit.h).
 */
static void gen_leaf_callee(struct gen *g)
{
	static const uint8_t regs[] = {0, 7, 8, 9};
	struct progen_src *s = g->src;
	uint32_t n = 1 + progen_next(s, 6);

	put(g, BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_7, BPF_REG_1, 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_7, 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_8, 0, 0, pick_imm(s));
	put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_9, 0, 0, pick_imm(s));
	gen_mix(g, regs, sizeof(regs), n);
	put(g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_8, 0, 0);
	put(g, BPF_ALU64 | BPF_XOR | BPF_X, BPF_REG_0, BPF_REG_9, 0, 0);
	put(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/*
 * A loop callback on its caller's stack slot (r2 = data, r1 = the index),
 * in one of the shapes libhup's inlining tells apart (verifier/inline.c):
 * the slot read and written 8 bytes at a time or 4, the work in r0 and
 * r7-r9 or also in r1 and r3-r5 (then too few registers stay free for the
 * loop's own), and a return of 0, or of 1 at one index (the loop stops;
 * that exit is jumped to).
 */
static void gen_loop_callback(struct gen *g)
{
	static const uint8_t few[] = {0, 7, 8, 9};
	static const uint8_t many[] = {0, 1, 3, 4, 5, 7, 8, 9};
	struct progen_src *s = g->src;
	bool wide = progen_next(s, 4) != 0, all = progen_next(s, 3) == 0;
	const uint8_t *regs = all ? many : few;
	uint32_t nregs = all ? sizeof(many) : sizeof(few);
	uint8_t size = wide ? BPF_DW : BPF_W;
	uint32_t n = 1 + progen_next(s, 8);

	if (progen_next(s, 2)) /* the u32 index cast, as clang emits it */
		put(g, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_1, 0, 0);
	put(g, BPF_LDX | BPF_MEM | size, BPF_REG_7, BPF_REG_2, 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_7, 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_8, 0, 0, pick_imm(s));
	put(g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_9, BPF_REG_1, 0, 0);
	if (all)
		for (uint8_t r = BPF_REG_3; r <= BPF_REG_5; r++)
			put(g, BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0,
			    pick_imm(s));
	gen_mix(g, regs, nregs, n);
	put(g, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_8, BPF_REG_9, 0, 0);
	put(g, BPF_ALU64 | BPF_XOR | BPF_X, BPF_REG_8, BPF_REG_0, 0, 0);
	put(g, BPF_STX | BPF_MEM | size, BPF_REG_2, BPF_REG_8, 0, 0);
	put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	if (progen_next(s, 2)) {
		/* r9 began as the index: stop where it is K */
		put(g, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_9, 0, 1,
		    (int32_t)progen_next(s, 12));
		put(g, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	}
	put(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

size_t progen_build(struct progen_src *src, struct bpf_insn *out, bool loops)
{
	static struct gen g; /* large; the fuzzer is single-threaded */
	size_t nunits, u, callee_start = 0;
	bool callee;

	memset(&g, 0, sizeof(g));
	g.src = src;
	g.out = out;
	nunits = 1 + progen_next(src, MAX_UNITS);
	callee = progen_next(src, 3) == 0;
	g.leaf = callee && progen_next(src, 2);
	g.loop = loops && g.leaf && progen_next(src, 2);
	g.loop_off = -8 * (int32_t)(1 + progen_next(src, STACK_BYTES / 8));

	/* Prologue: context to r6, every scalar register and the stack
	 * written before anything reads them. */
	put(&g, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	for (size_t i = 0; i < sizeof(scalar_regs); i++)
		init_reg(&g, scalar_regs[i]);
	for (int16_t off = -8; off >= -STACK_BYTES; off -= 8)
		put(&g, BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, off,
		    pick_imm(src));

	for (u = 0; u < nunits; u++) {
		g.unit_start[u] = g.n;
		gen_unit(&g, u, nunits, callee);
	}

	/* Exit unit: spill r1-r5, r7-r9 into free[], fold the stack into
	 * r0 (through r1, already spilled), return r0. */
	g.unit_start[nunits] = g.n;
	for (int i = 1, slot = 0; i < (int)sizeof(scalar_regs); i++, slot++)
		put(&g, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_6, scalar_regs[i],
		    (int16_t)(CTX_FREE_OFF + 8 * slot), 0);
	for (int16_t off = -8; off >= -STACK_BYTES; off -= 8) {
		put(&g, BPF_LDX | BPF_MEM | BPF_DW, BPF_REG_1, BPF_REG_10, off, 0);
		put(&g, BPF_ALU64 | BPF_XOR | BPF_X, BPF_REG_0, BPF_REG_1, 0, 0);
		put(&g, BPF_ALU64 | BPF_LSH | BPF_K, BPF_REG_0, 0, 0, 1);
	}
	put(&g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	/* The callee only if some unit calls it: else it is dead code. */
	for (size_t i = 0; i < g.nfix; i++) {
		if (g.fix[i].kind == FIX_CALL || g.fix[i].kind == FIX_FUNC) {
			callee_start = g.n;
			if (g.loop)
				gen_loop_callback(&g);
			else if (g.leaf)
				gen_leaf_callee(&g);
			else
				gen_callee(&g);
			break;
		}
	}

	for (size_t i = 0; i < g.nfix; i++) {
		struct fixup *f = &g.fix[i];
		int64_t rel;

		if (f->kind == FIX_CALL || f->kind == FIX_FUNC)
			rel = (int64_t)callee_start - (int64_t)(f->at + 1);
		else
			rel = (int64_t)g.unit_start[f->unit] - (int64_t)(f->at + 1);
		if (f->kind == FIX_OFF)
			out[f->at].off = (int16_t)rel;
		else
			out[f->at].imm = (int32_t)rel;
	}
	return g.n;
}
