/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interpreter tests beyond the conformance suite: the limits and error
 * paths a verified program never reaches but a wrong verifier or a fuzzer
 * could (call depth, bad helper ids, invalid encodings, running off the
 * code), the arithmetic corners C leaves undefined (INT_MIN / -1, division
 * by zero, oversized shifts), the memory effects of every atomic, their
 * atomicity under two threads, and the per-frame stacks of local calls.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "engine.h"

static uint64_t helper_add(uint64_t r1, uint64_t r2, uint64_t r3,
			   uint64_t r4, uint64_t r5)
{
	return r1 + r2 + r3 + r4 + r5;
}

static const hup_helper_fn test_fns[3] = {[2] = helper_add};
static const struct hup_helper_table test_helpers = {.fns = test_fns, .nr = 3};

#define RUN_PROG(prog, r1, err)                                              \
	hup_interp__run(prog, ARRAY_LEN(prog), &test_helpers,                \
			(uint64_t)(uintptr_t)(r1), 0, err)

/* A chain of `calls` nested local calls: f adds 1 to r1 and recurses
 * until r1 reaches `calls`. */
static uint64_t run_depth(int calls, int *err)
{
	struct bpf_insn prog[] = {
		MOV64_IMM(1, 0),
		CALL_LOCAL(1),                       /* -> f */
		EXIT(),
		/* f: */
		ALU64_IMM(BPF_ADD, 1, 1),
		MOV64_REG(0, 1),
		JMP_IMM(BPF_JGE, 1, calls, 1),
		CALL_LOCAL(-4),                      /* -> f */
		EXIT(),
	};

	return RUN_PROG(prog, 0, err);
}

static void test_call_depth(void)
{
	int err;

	/* main + 7 callees = HUP_MAX_CALL_DEPTH frames: allowed */
	CHECK_EQ(run_depth(HUP_MAX_CALL_DEPTH - 1, &err), HUP_MAX_CALL_DEPTH - 1);
	CHECK_EQ(err, 0);
	/* one more frame: refused */
	CHECK_EQ(run_depth(HUP_MAX_CALL_DEPTH, &err), 0);
	CHECK_EQ(err, -EINVAL);
}

static void test_call_frames(void)
{
	/* The caller's r6-r9, r10 and stack survive a callee that
	 * overwrites all of them (its own stack at the same offsets). */
	struct bpf_insn prog[] = {
		MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8),
		MOV64_IMM(9, 9),
		ST(BPF_DW, 10, -8, 0x1234),
		MOV64_REG(1, 10),                    /* caller's fp, to compare */
		CALL_LOCAL(12),                      /* -> callee at 19 */
		/* r0 = r6 + r7 + r8 + r9 + *(fp - 8) + (fp == r1 ? 0 : 1000) */
		MOV64_REG(0, 6), ALU64_REG(BPF_ADD, 0, 7),
		ALU64_REG(BPF_ADD, 0, 8), ALU64_REG(BPF_ADD, 0, 9),
		LDX(BPF_DW, 2, 10, -8), ALU64_REG(BPF_ADD, 0, 2),
		JMP_REG(BPF_JEQ, 10, 1, 1),
		ALU64_IMM(BPF_ADD, 0, 1000),
		JMP_IMM(BPF_JEQ, 3, 77, 1),          /* r3 = callee's fp diff */
		ALU64_IMM(BPF_ADD, 0, 2000),
		EXIT(),
		INSN(0, 0, 0, 0, 0), /* padding, never reached */
		/* callee: clobber, and tell whether its fp differs */
		MOV64_IMM(6, 0), MOV64_IMM(7, 0), MOV64_IMM(8, 0),
		MOV64_IMM(9, 0),
		ST(BPF_DW, 10, -8, 0),
		MOV64_IMM(3, 0),
		JMP_REG(BPF_JEQ, 10, 1, 1),
		MOV64_IMM(3, 77),
		EXIT(),
	};
	int err;

	CHECK_EQ(RUN_PROG(prog, 0, &err), 6 + 7 + 8 + 9 + 0x1234);
	CHECK_EQ(err, 0);
}

static void test_helper_ids(void)
{
	struct bpf_insn ok[] = {
		MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3),
		MOV64_IMM(4, 4), MOV64_IMM(5, 5), CALL_HELPER(2), EXIT(),
	};
	struct bpf_insn bad[] = {CALL_HELPER(3), EXIT()};
	struct bpf_insn null_slot[] = {CALL_HELPER(1), EXIT()};
	struct bpf_insn neg[] = {CALL_HELPER(-1), EXIT()};
	struct bpf_insn kfunc[] = {INSN(BPF_JMP | BPF_CALL, 0, 2, 0, 2), EXIT()};
	struct bpf_insn callx_ok[] = {
		MOV64_IMM(1, 10), MOV64_IMM(2, 20), MOV64_IMM(3, 0),
		MOV64_IMM(4, 0), MOV64_IMM(5, 0), MOV64_IMM(7, 2),
		INSN(BPF_JMP | BPF_CALL | BPF_X, 7, 0, 0, 0), EXIT(),
	};
	struct bpf_insn callx_bad[] = {
		LD_IMM64(7, 0x100000002ull),
		INSN(BPF_JMP | BPF_CALL | BPF_X, 7, 0, 0, 0), EXIT(),
	};
	int err;

	CHECK_EQ(RUN_PROG(ok, 0, &err), 15);
	CHECK_EQ(err, 0);
	RUN_PROG(bad, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(null_slot, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(neg, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(kfunc, 0, &err);
	CHECK_EQ(err, -EINVAL);
	CHECK_EQ(RUN_PROG(callx_ok, 0, &err), 30);
	CHECK_EQ(err, 0);
	/* an id that only matches in its low 32 bits is still out of range */
	RUN_PROG(callx_bad, 0, &err);
	CHECK_EQ(err, -EINVAL);
	/* no table at all */
	hup_interp__run(ok, ARRAY_LEN(ok), NULL, 0, 0, &err);
	CHECK_EQ(err, -EINVAL);
}

/* A one-instruction program followed by exit must be refused. */
static void expect_invalid(struct bpf_insn insn, const char *what)
{
	struct bpf_insn prog[] = {MOV64_IMM(0, 1), MOV64_IMM(1, 3), insn,
				  EXIT()};
	int err = 0;
	uint64_t r0 = RUN_PROG(prog, 0, &err);

	if (err != -EINVAL || r0 != 0) {
		fprintf(stderr, "invalid %s (code %#x) ran: r0 %" PRIu64
			", err %d\n", what, insn.code, r0, err);
		check_failures++;
	}
}

static void test_invalid(void)
{
	int code;

	expect_invalid(INSN(0xff, 0, 0, 0, 0), "opcode 0xff");
	expect_invalid(INSN(BPF_ALU64 | BPF_NEG | BPF_X, 0, 1, 0, 0), "neg x");
	expect_invalid(INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 8, 1),
		       "movsx imm");
	expect_invalid(INSN(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0),
		       "movsx32 off 32");
	expect_invalid(INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 7, 0),
		       "mov off 7");
	expect_invalid(INSN(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 2, 0),
		       "div off 2");
	expect_invalid(INSN(BPF_ALU | BPF_MOD | BPF_K, 0, 0, -1, 3),
		       "mod off -1");
	expect_invalid(INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 8),
		       "be8");
	expect_invalid(INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 0, 0),
		       "bswap0");
	expect_invalid(INSN(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16),
		       "alu64 end x");
	expect_invalid(INSN(BPF_JMP32 | BPF_CALL, 0, 0, 0, 2), "call32");
	expect_invalid(INSN(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0), "exit32");
	expect_invalid(INSN(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 10, -8, 0),
		       "ldxsdw");
	expect_invalid(INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 0), "ld abs");
	expect_invalid(INSN(BPF_STX | BPF_ATOMIC | BPF_B, 10, 1, -8, BPF_ADD),
		       "atomic b");
	expect_invalid(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, 0x02),
		       "atomic imm 2");
	expect_invalid(INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -8, 0x100),
		       "load-acquire");
	/* misaligned atomics (split locks) */
	expect_invalid(INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -12, BPF_ADD),
		       "atomic dw at fp-12");
	expect_invalid(INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -6, BPF_XCHG),
		       "atomic w at fp-6");
	/* every opcode of the unused LD modes and of class 0 apart from
	 * ldimm64 is refused */
	for (code = BPF_LD; code < 0x100; code += 8)
		if (BPF_CLASS(code) == BPF_LD &&
		    code != (BPF_LD | BPF_IMM | BPF_DW))
			expect_invalid(INSN((uint8_t)code, 0, 0, 0, 0), "ld");
}

static void test_bad_control_flow(void)
{
	struct bpf_insn fall_off[] = {MOV64_IMM(0, 1)};
	struct bpf_insn jump_past[] = {JA(1), EXIT()};
	struct bpf_insn jump_before[] = {JA(-2), EXIT()};
	struct bpf_insn gotol_far[] = {INSN(BPF_JMP32 | BPF_JA, 0, 0, 0,
					    INT32_MAX), EXIT()};
	struct bpf_insn call_past[] = {CALL_LOCAL(5), EXIT()};
	struct bpf_insn ldimm_cut[] = {MOV64_IMM(0, 0), EXIT(),
				       INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0,
					    1)};
	struct bpf_insn ldimm_bad2[] = {INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0,
					     0, 1), EXIT(), EXIT()};
	int err;

	RUN_PROG(fall_off, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(jump_past, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(jump_before, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(gotol_far, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(call_past, 0, &err);
	CHECK_EQ(err, -EINVAL);
	ldimm_cut[0] = JA(1); /* jump onto the cut-off ldimm64 */
	RUN_PROG(ldimm_cut, 0, &err);
	CHECK_EQ(err, -EINVAL);
	RUN_PROG(ldimm_bad2, 0, &err);
	CHECK_EQ(err, -EINVAL);
	/* a NULL err pointer is allowed */
	CHECK_EQ(hup_interp__run(fall_off, 1, NULL, 0, 0, NULL), 0);
}

/* r0 = a OP b for one ALU instruction (64- or 32-bit, reg or imm). */
static uint64_t alu(uint8_t code, int16_t off, uint64_t a, uint64_t b)
{
	struct bpf_insn prog[] = {
		LD_IMM64(0, a), LD_IMM64(1, b),
		INSN(code, 0, 1, off, (int32_t)b), EXIT(),
	};
	int err;
	uint64_t r0 = RUN_PROG(prog, 0, &err);

	CHECK_EQ(err, 0);
	return r0;
}

#define SDIV 1
static void test_division_corners(void)
{
	const uint64_t min64 = 0x8000000000000000ull, m1 = UINT64_MAX;
	const uint8_t div64x = BPF_ALU64 | BPF_DIV | BPF_X;
	const uint8_t div64k = BPF_ALU64 | BPF_DIV | BPF_K;
	const uint8_t mod64x = BPF_ALU64 | BPF_MOD | BPF_X;
	const uint8_t mod64k = BPF_ALU64 | BPF_MOD | BPF_K;
	const uint8_t div32x = BPF_ALU | BPF_DIV | BPF_X;
	const uint8_t div32k = BPF_ALU | BPF_DIV | BPF_K;
	const uint8_t mod32x = BPF_ALU | BPF_MOD | BPF_X;
	const uint8_t mod32k = BPF_ALU | BPF_MOD | BPF_K;

	/* INT_MIN / -1 wraps to INT_MIN, INT_MIN % -1 is 0 (no trap) */
	CHECK_EQ(alu(div64x, SDIV, min64, m1), min64);
	CHECK_EQ(alu(div64k, SDIV, min64, m1), min64);
	CHECK_EQ(alu(mod64x, SDIV, min64, m1), 0);
	CHECK_EQ(alu(mod64k, SDIV, min64, m1), 0);
	CHECK_EQ(alu(div32x, SDIV, 0xdead80000000ull, 0xffffffff), 0x80000000);
	CHECK_EQ(alu(div32k, SDIV, 0x80000000, 0xffffffff), 0x80000000);
	CHECK_EQ(alu(mod32x, SDIV, 0x80000000, 0xffffffff), 0);
	CHECK_EQ(alu(mod32k, SDIV, 0x80000000, 0xffffffff), 0);
	/* x / -1 and x % -1 for an ordinary x */
	CHECK_EQ(alu(div64x, SDIV, 7, m1), (uint64_t)-7);
	CHECK_EQ(alu(div32x, SDIV, 7, 0xffffffff), 0xfffffff9);
	/* by zero: quotient 0, remainder the dividend (32-bit: truncated) */
	CHECK_EQ(alu(div64x, 0, 5, 0), 0);
	CHECK_EQ(alu(div64x, SDIV, min64, 0), 0);
	CHECK_EQ(alu(mod64x, 0, m1, 0), m1);
	CHECK_EQ(alu(mod64x, SDIV, min64, 0), min64);
	CHECK_EQ(alu(mod32x, 0, 0xabcdef0012345678ull, 0), 0x12345678);
	CHECK_EQ(alu(mod32x, SDIV, 0xabcdef00f2345678ull, 0), 0xf2345678);
	CHECK_EQ(alu(div32x, SDIV, 0xffffffff, 0), 0);
	/* the 32-bit divisor is the low half only */
	CHECK_EQ(alu(div32x, 0, 100, 0x100000000ull), 0);
	/* signed rounding toward zero, remainder takes the dividend's sign */
	CHECK_EQ(alu(div64x, SDIV, (uint64_t)-7, 2), (uint64_t)-3);
	CHECK_EQ(alu(mod64x, SDIV, (uint64_t)-7, 2), (uint64_t)-1);
	CHECK_EQ(alu(mod64x, SDIV, 7, (uint64_t)-2), 1);
	/* unsigned 64-bit division by an imm sign-extends it */
	CHECK_EQ(alu(div64k, 0, m1, (uint32_t)-1), 1);
	CHECK_EQ(alu(div32k, 0, 0xffffffff, (uint32_t)-1), 1);
}

static void test_shifts_and_mul(void)
{
	const uint8_t lsh64 = BPF_ALU64 | BPF_LSH | BPF_X;
	const uint8_t arsh64 = BPF_ALU64 | BPF_ARSH | BPF_X;
	const uint8_t arsh32k = BPF_ALU | BPF_ARSH | BPF_K;
	const uint8_t rsh32 = BPF_ALU | BPF_RSH | BPF_X;

	CHECK_EQ(alu(lsh64, 0, 1, 65), 2);              /* 65 & 63 = 1 */
	CHECK_EQ(alu(lsh64, 0, 1, 64), 1);
	CHECK_EQ(alu(arsh64, 0, 0x8000000000000000ull, 63), UINT64_MAX);
	CHECK_EQ(alu(arsh32k, 0, 0x80000000, 31), 0xffffffff);
	CHECK_EQ(alu(arsh32k, 0, 0x80000000, 33), 0xc0000000); /* & 31 */
	CHECK_EQ(alu(rsh32, 0, 0xffffffff00000010ull, 36), 1);
	/* overflowing multiplies wrap */
	CHECK_EQ(alu(BPF_ALU64 | BPF_MUL | BPF_X, 0, 0x8000000000000000ull,
		     UINT64_MAX), 0x8000000000000000ull);
	CHECK_EQ(alu(BPF_ALU | BPF_MUL | BPF_X, 0, 0xffff, 0x10001), 0xffffffff);
	CHECK_EQ(alu(BPF_ALU | BPF_MUL | BPF_X, 0, 0x80000000, 0xffffffff),
		 0x80000000);
	/* neg of INT_MIN */
	CHECK_EQ(alu(BPF_ALU64 | BPF_NEG | BPF_K, 0, 0x8000000000000000ull, 0),
		 0x8000000000000000ull);
	CHECK_EQ(alu(BPF_ALU | BPF_NEG | BPF_K, 0, 0x80000000, 0), 0x80000000);
	/* movsx */
	CHECK_EQ(alu(BPF_ALU64 | BPF_MOV | BPF_X, 32, 0, 0x80000000),
		 0xffffffff80000000ull);
	CHECK_EQ(alu(BPF_ALU | BPF_MOV | BPF_X, 8, 0, 0x80), 0xffffff80);
	CHECK_EQ(alu(BPF_ALU | BPF_MOV | BPF_X, 16, 0, 0x1234), 0x1234);
}

struct atomic_case {
	uint8_t size;     /* BPF_W or BPF_DW */
	int32_t op;
	uint64_t mem;     /* initial memory */
	uint64_t src, r0; /* initial registers */
	uint64_t mem_after, src_after, r0_after;
};

static void test_atomics(void)
{
	static const struct atomic_case cases[] = {
		{BPF_DW, BPF_ADD, 10, 5, 0, 15, 5, 0},
		{BPF_DW, BPF_ADD | BPF_FETCH, 10, 5, 0, 15, 10, 0},
		{BPF_DW, BPF_OR, 0xf0, 0x0f, 0, 0xff, 0x0f, 0},
		{BPF_DW, BPF_OR | BPF_FETCH, 0xf0, 0x0f, 0, 0xff, 0xf0, 0},
		{BPF_DW, BPF_AND, 0xf0, 0x3c, 0, 0x30, 0x3c, 0},
		{BPF_DW, BPF_AND | BPF_FETCH, 0xf0, 0x3c, 0, 0x30, 0xf0, 0},
		{BPF_DW, BPF_XOR, 0xff, 0x0f, 0, 0xf0, 0x0f, 0},
		{BPF_DW, BPF_XOR | BPF_FETCH, 0xff, 0x0f, 0, 0xf0, 0xff, 0},
		{BPF_DW, BPF_XCHG, 1, 2, 0, 2, 1, 0},
		/* cmpxchg: equal -> stored; r0 gets the old value either way */
		{BPF_DW, BPF_CMPXCHG, 7, 9, 7, 9, 9, 7},
		{BPF_DW, BPF_CMPXCHG, 7, 9, 8, 7, 9, 7},
		/* 32-bit: the upper half of memory is untouched, fetched
		 * values and r0 are zero-extended */
		{BPF_W, BPF_ADD, 0x11111111ffffffffull, 0xaaaaaaaa00000001ull,
		 0, 0x1111111100000000ull, 0xaaaaaaaa00000001ull, 0},
		{BPF_W, BPF_ADD | BPF_FETCH, 0x22222222fffffff0ull, 0x1, 0,
		 0x22222222fffffff1ull, 0xfffffff0, 0},
		{BPF_W, BPF_OR | BPF_FETCH, 0x3333333300000001ull, 0x2, 0,
		 0x3333333300000003ull, 1, 0},
		{BPF_W, BPF_AND | BPF_FETCH, 0x44444444000000ffull, 0x0f, 0,
		 0x444444440000000full, 0xff, 0},
		{BPF_W, BPF_XOR | BPF_FETCH, 0x55555555000000ffull, 0xff, 0,
		 0x5555555500000000ull, 0xff, 0},
		{BPF_W, BPF_XCHG, 0x66666666deadbeefull, 0xffffffff00000001ull,
		 0, 0x6666666600000001ull, 0xdeadbeef, 0},
		{BPF_W, BPF_CMPXCHG, 0x7777777700000005ull, 9,
		 0xffffffff00000005ull, 0x7777777700000009ull, 9, 5},
		{BPF_W, BPF_CMPXCHG, 0x77777777f0000005ull, 9, 6,
		 0x77777777f0000005ull, 9, 0xf0000005},
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const struct atomic_case *c = &cases[i];
		uint64_t mem[2] = {c->mem, 0x5a5a5a5a5a5a5a5aull};
		struct bpf_insn prog[] = {
			LD_IMM64(2, c->src), LD_IMM64(0, c->r0),
			ATOMIC(c->size, c->op, 1, 2, 0),
			/* return r0 in mem[1]'s place check: r3 = r0 */
			MOV64_REG(3, 0), STX(BPF_DW, 1, 2, 8), MOV64_REG(0, 3),
			EXIT(),
		};
		int err;
		uint64_t r0 = RUN_PROG(prog, mem, &err);

		CHECK_EQ(err, 0);
		if (mem[0] != c->mem_after || mem[1] != c->src_after ||
		    r0 != c->r0_after) {
			fprintf(stderr, "atomic case %zu: mem %#" PRIx64
				" src %#" PRIx64 " r0 %#" PRIx64 "\n", i,
				mem[0], mem[1], r0);
			check_failures++;
		}
	}
}

/* Two threads adding to one counter with lock add: no update is lost. */
#define ATOMIC_ITERS 100000
static void *atomic_worker(void *arg)
{
	struct bpf_insn prog[] = {
		MOV64_IMM(2, ATOMIC_ITERS),
		MOV64_IMM(3, 1),
		ATOMIC(BPF_DW, BPF_ADD, 1, 3, 0),
		ALU64_IMM(BPF_SUB, 2, 1),
		JMP_IMM(BPF_JNE, 2, 0, -3),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	int err;

	RUN_PROG(prog, arg, &err);
	return err ? arg : NULL;
}

static void test_atomic_threads(void)
{
	uint64_t counter = 0;
	pthread_t t[2];
	void *ret[2] = {0};
	int i;

	for (i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, atomic_worker, &counter), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], &ret[i]);
	CHECK(!ret[0] && !ret[1]);
	CHECK_EQ(counter, 2 * ATOMIC_ITERS);
}

static void test_stack_zeroed(void)
{
	/* An unwritten stack slot reads 0 (defence in depth; the verifier
	 * normally refuses the read), in main and in a callee frame. */
	struct bpf_insn prog[] = {
		ST(BPF_DW, 10, -16, -1),
		CALL_LOCAL(3),
		LDX(BPF_DW, 1, 10, -512), ALU64_REG(BPF_OR, 0, 1),
		EXIT(),
		LDX(BPF_DW, 0, 10, -16), ALU64_IMM(BPF_ADD, 0, 0), EXIT(),
	};
	int err;

	CHECK_EQ(RUN_PROG(prog, 0, &err), 0);
	CHECK_EQ(err, 0);
}

static void test_misc_isa(void)
{
	uint8_t buf[16] = {0x80, 0xff, 0x7f, 0xfe, 0xff, 0xff, 0xff, 0xff,
			   1, 2, 3, 4, 5, 6, 7, 8};
	/* unaligned sign-extending loads, and gotol over a gap */
	struct bpf_insn prog[] = {
		INSN(BPF_LDX | BPF_MEMSX | BPF_H, 0, 1, 1, 0), /* 0x7fff */
		INSN(BPF_LDX | BPF_MEMSX | BPF_B, 2, 1, 0, 0), /* -128 */
		ALU64_REG(BPF_ADD, 0, 2),
		INSN(BPF_LDX | BPF_MEMSX | BPF_W, 2, 1, 3, 0), /* 0xfffffffe */
		ALU64_REG(BPF_ADD, 0, 2),
		INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 1),
		MOV64_IMM(0, 0),
		INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, 3, 0, 0, 64),
		EXIT(),
	};
	int err;

	CHECK_EQ(RUN_PROG(prog, buf, &err), 0x7fff - 128 + (int32_t)0xfffffffe);
	CHECK_EQ(err, 0);
}

int main(void)
{
	RUN(test_call_depth);
	RUN(test_call_frames);
	RUN(test_helper_ids);
	RUN(test_invalid);
	RUN(test_bad_control_flow);
	RUN(test_division_corners);
	RUN(test_shifts_and_mul);
	RUN(test_atomics);
	RUN(test_atomic_threads);
	RUN(test_stack_zeroed);
	RUN(test_misc_isa);
	return check_exit();
}
