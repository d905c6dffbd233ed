/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Property test of the verifier's value domain (verifier/scalar.c): the
 * abstraction of every concrete result must contain that result.
 *
 * Each trial draws two small sets of concrete 64-bit values (edge values,
 * random ones, clusters around a base), abstracts each set (known bits,
 * signed/unsigned 64/32 ranges, then hup_reg__sync, which must keep every
 * member), applies every ALU operation in both widths to the abstractions
 * and, with an independent reference implementation of the RFC 9669
 * semantics, to every pair of members, and checks containment.  For every
 * conditional jump it checks hup_scalar__branch (a decided outcome must
 * hold for all pairs) and hup_scalar__refine (each branch's refined values
 * must still contain every pair for which that branch is taken).
 *
 * usage: scalar_soundness [TRIALS [SEED]]; prints "scalar soundness: N
 * checks, F failures" and exits non-zero on any failure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "verifier/env.h"

#define MAXV 4

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t draw(uint64_t base)
{
	static const uint64_t edges[] = {
		0, 1, 2, 7, 8, 0xff, 0x100, 0x7fff, 0xffff, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
		0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe,
		0xffffffff80000000, 0xfffff, 31, 32, 33, 63, 64,
	};

	switch (rnd() % 7) {
	case 0:
		return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return rnd();
	case 2:
		return rnd() & 0xffff;
	/*
	 * Partially known sets: base's low half with any high half, or its
	 * high half with any low half.  Their abstraction knows exactly one
	 * half, the case the ALU32 shift hole needed (a known low 32 with an
	 * unknown high half) and clusters around a base never produce.
	 */
	case 3:
		return (rnd() << 32) | (uint32_t)base;
	case 4:
		return (base & ~0xffffffffull) | (uint32_t)rnd();
	default:
		return base + (rnd() % 9) - 4;
	}
}

struct set {
	uint64_t v[MAXV];
	int n;
};

static void make_set(struct set *s)
{
	uint64_t base = draw(0);
	int i;

	s->n = 1 + (int)(rnd() % MAXV);
	for (i = 0; i < s->n; i++)
		s->v[i] = i ? draw(base) : base;
}

static void abstract(const struct set *s, struct hup_vreg *r)
{
	uint64_t diff = 0;
	int i;

	hup_reg__mark_unknown(r);
	r->umin = r->umax = s->v[0];
	r->smin = r->smax = (int64_t)s->v[0];
	r->u32min = r->u32max = (uint32_t)s->v[0];
	r->s32min = r->s32max = (int32_t)(uint32_t)s->v[0];
	for (i = 0; i < s->n; i++) {
		uint64_t v = s->v[i];

		diff |= v ^ s->v[0];
		if (v < r->umin) r->umin = v;
		if (v > r->umax) r->umax = v;
		if ((int64_t)v < r->smin) r->smin = (int64_t)v;
		if ((int64_t)v > r->smax) r->smax = (int64_t)v;
		if ((uint32_t)v < r->u32min) r->u32min = (uint32_t)v;
		if ((uint32_t)v > r->u32max) r->u32max = (uint32_t)v;
		if ((int32_t)(uint32_t)v < r->s32min) r->s32min = (int32_t)(uint32_t)v;
		if ((int32_t)(uint32_t)v > r->s32max) r->s32max = (int32_t)(uint32_t)v;
	}
	r->var.mask = diff;
	r->var.value = s->v[0] & ~diff;
	hup_reg__sync(r);
}

static bool contains(const struct hup_vreg *r, uint64_t v)
{
	return r->type == HUP_VT_SCALAR && (v & ~r->var.mask) == r->var.value &&
	       v >= r->umin && v <= r->umax && (int64_t)v >= r->smin &&
	       (int64_t)v <= r->smax && (uint32_t)v >= r->u32min &&
	       (uint32_t)v <= r->u32max && (int32_t)(uint32_t)v >= r->s32min &&
	       (int32_t)(uint32_t)v <= r->s32max;
}

/* Reference semantics, written apart from scalar.c on purpose. */
static uint64_t ref_alu(uint8_t op, bool is64, int16_t off, uint64_t a,
			uint64_t b)
{
	uint64_t r;

	if (!is64) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;
		int32_t sx = (int32_t)x, sy = (int32_t)y;

		switch (op) {
		case BPF_ADD: r = x + y; break;
		case BPF_SUB: r = x - y; break;
		case BPF_MUL: r = x * y; break;
		case BPF_OR: r = x | y; break;
		case BPF_AND: r = x & y; break;
		case BPF_XOR: r = x ^ y; break;
		case BPF_LSH: r = x << (y & 31); break;
		case BPF_RSH: r = x >> (y & 31); break;
		case BPF_ARSH: r = (uint32_t)(sx >> (y & 31)); break;
		case BPF_NEG: r = (uint32_t)-x; break;
		case BPF_MOV:
			r = off == 8 ? (uint32_t)(int8_t)x :
			    off == 16 ? (uint32_t)(int16_t)x : x;
			break;
		case BPF_DIV:
			if (off)
				r = !y ? 0 : sy == -1 ? (uint32_t)-x : (uint32_t)(sx / sy);
			else
				r = y ? x / y : 0;
			break;
		default: /* MOD */
			if (off)
				r = !y ? x : sy == -1 ? 0 : (uint32_t)(sx % sy);
			else
				r = y ? x % y : x;
			break;
		}
		return (uint32_t)r;
	}
	switch (op) {
	case BPF_ADD: return a + b;
	case BPF_SUB: return a - b;
	case BPF_MUL: return a * b;
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return a << (b & 63);
	case BPF_RSH: return a >> (b & 63);
	case BPF_ARSH: return (uint64_t)((int64_t)a >> (b & 63));
	case BPF_NEG: return -a;
	case BPF_MOV:
		return off == 8 ? (uint64_t)(int8_t)a :
		       off == 16 ? (uint64_t)(int16_t)a :
		       off == 32 ? (uint64_t)(int32_t)a : a;
	case BPF_DIV:
		if (off)
			return !b ? 0 : (int64_t)b == -1 ? -a :
				    (uint64_t)((int64_t)a / (int64_t)b);
		return b ? a / b : 0;
	default:
		if (off)
			return !b ? a : (int64_t)b == -1 ? 0 :
				    (uint64_t)((int64_t)a % (int64_t)b);
		return b ? a % b : a;
	}
}

static bool ref_cond(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	if (is32) {
		a = (uint32_t)a, b = (uint32_t)b;
		switch (op) {
		case BPF_JSGT: return (int32_t)a > (int32_t)b;
		case BPF_JSGE: return (int32_t)a >= (int32_t)b;
		case BPF_JSLT: return (int32_t)a < (int32_t)b;
		case BPF_JSLE: return (int32_t)a <= (int32_t)b;
		}
	}
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSET: return (a & b) != 0;
	case BPF_JSGT: return (int64_t)a > (int64_t)b;
	case BPF_JSGE: return (int64_t)a >= (int64_t)b;
	case BPF_JSLT: return (int64_t)a < (int64_t)b;
	default: return (int64_t)a <= (int64_t)b;
	}
}

static unsigned long checks, failures;

static void fail(const char *what, uint8_t op, int w, uint64_t a, uint64_t b,
		 uint64_t r)
{
	if (failures++ < 20)
		printf("FAIL %s op=0x%02x w=%d a=0x%" PRIx64 " b=0x%" PRIx64
		       " -> 0x%" PRIx64 "\n", what, op, w, a, b, r);
}

static void check_alu(const struct set *sa, const struct set *sb)
{
	static const struct { uint8_t op; int16_t off; } ops[] = {
		{BPF_ADD, 0}, {BPF_SUB, 0}, {BPF_MUL, 0}, {BPF_DIV, 0},
		{BPF_DIV, 1}, {BPF_OR, 0}, {BPF_AND, 0}, {BPF_LSH, 0},
		{BPF_RSH, 0}, {BPF_NEG, 0}, {BPF_MOD, 0}, {BPF_MOD, 1},
		{BPF_XOR, 0}, {BPF_MOV, 0}, {BPF_MOV, 8}, {BPF_MOV, 16},
		{BPF_MOV, 32}, {BPF_ARSH, 0},
	};
	struct hup_vreg a, b, r;
	unsigned int k;
	int i, j, w;

	abstract(sa, &a);
	abstract(sb, &b);
	for (i = 0; i < sa->n; i++) {
		checks++;
		if (!contains(&a, sa->v[i]))
			fail("abstract/sync", 0, 64, sa->v[i], 0, 0);
	}
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		for (w = 0; w < 2; w++) {
			bool is64 = w == 0;

			if (!is64 && ops[k].op == BPF_MOV && ops[k].off == 32)
				continue;
			r = a;
			hup_scalar__alu(&r, &b, ops[k].op, is64, ops[k].off);
			for (i = 0; i < sa->n; i++)
				for (j = 0; j < sb->n; j++) {
					uint64_t x = ops[k].op == BPF_MOV ? sb->v[j] :
									   sa->v[i];
					uint64_t v = ref_alu(ops[k].op, is64,
							     ops[k].off, x, sb->v[j]);

					checks++;
					if (!contains(&r, v))
						fail("alu", ops[k].op, is64 ? 64 : 32,
						     x, sb->v[j], v);
				}
		}
	}
	for (k = 16; k <= 64; k *= 2) {
		for (w = 0; w < 2; w++) {
			r = a;
			hup_scalar__end(&r, w, (int32_t)k);
			for (i = 0; i < sa->n; i++) {
				uint64_t v = sa->v[i];

				if (w)
					v = k == 16 ? __builtin_bswap16((uint16_t)v) :
					    k == 32 ? __builtin_bswap32((uint32_t)v) :
						      __builtin_bswap64(v);
				else if (k < 64)
					v &= (1ull << k) - 1;
				checks++;
				if (!contains(&r, v))
					fail("end", (uint8_t)k, w, sa->v[i], 0, v);
			}
		}
	}
}

static void check_jmp(const struct set *sa, const struct set *sb)
{
	static const uint8_t ops[] = {
		BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
		BPF_JSET, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE,
	};
	struct hup_vreg a, b, ta, tb, fa, fb;
	unsigned int k;
	int i, j, w;

	abstract(sa, &a);
	abstract(sb, &b);
	for (k = 0; k < sizeof(ops); k++) {
		for (w = 0; w < 2; w++) {
			bool is32 = w;
			int decided = hup_scalar__branch(&a, &b, ops[k], is32);
			bool tok, fok;

			ta = a, tb = b, fa = a, fb = b;
			tok = hup_scalar__refine(&ta, &tb, ops[k], is32, true);
			fok = hup_scalar__refine(&fa, &fb, ops[k], is32, false);
			for (i = 0; i < sa->n; i++)
				for (j = 0; j < sb->n; j++) {
					uint64_t x = sa->v[i], y = sb->v[j];
					bool c = ref_cond(ops[k], is32, x, y);

					checks++;
					if (decided >= 0 && c != (decided == 1))
						fail("branch", ops[k], is32 ? 32 : 64,
						     x, y, (uint64_t)decided);
					if (c && (!tok || !contains(&ta, x) ||
						  !contains(&tb, y)))
						fail("refine taken", ops[k],
						     is32 ? 32 : 64, x, y, tok);
					if (!c && (!fok || !contains(&fa, x) ||
						   !contains(&fb, y)))
						fail("refine not taken", ops[k],
						     is32 ? 32 : 64, x, y, fok);
				}
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long trials = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	unsigned long t;

	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
	for (t = 0; t < trials; t++) {
		struct set sa, sb;

		make_set(&sa);
		make_set(&sb);
		/* a constant operand is common: make it so a third of the time */
		if (rnd() % 3 == 0)
			sb.n = 1;
		check_alu(&sa, &sb);
		check_jmp(&sa, &sb);
	}
	printf("scalar soundness: %lu checks, %lu failures\n", checks, failures);
	return failures ? 1 : 0;
}
