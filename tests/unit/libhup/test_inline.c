/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifier/inline.c: a loop whose callback the verifier proved runs the
 * callback's body inside a trampoline of its own.  Each program here is
 * verified once, then made ready for the engines twice: with the shared
 * trampoline only (hup_fixup__inline_loops + hup_seal) and as the loader
 * does (hup_fixup__engines).  Both forms must give the same r0 and the
 * same context under the interpreter and the JIT, and the inlined form
 * must point each call at a trampoline of its own exactly where the body
 * allows it (the cases that must keep the shared one are here too).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "check.h"
#include "engine.h"
#include "verifier.h"

#define LD_FUNC(d, rel)                                                      \
	INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_FUNC, 0, rel),         \
	INSN(0, 0, 0, 0, 0)

/* Stack accesses in the appended trampolines of the last check_prog(). */
static unsigned int appended_stack;

struct form {
	struct bpf_insn *insns;
	size_t cnt;
};

/* Run f under both engines on a copy of *ctx; r0 of each, and whether
 * they agree on r0 and the context. */
static uint64_t run_both(const struct form *f, const struct hup_reclaim_ctx *ctx,
			 const char *name)
{
	const struct hup_confine conf = {
		.view_base = 0, .view_mask = UINT64_MAX,
		.ctx_size = sizeof(*ctx), .sealed = true,
	};
	struct hup_reclaim_ctx a = *ctx, b = *ctx;
	struct hup_jit_image img;
	uint64_t r0_in, r0_jit = 0;
	int err = 0, ret;

	r0_in = hup_interp__run_confined(f->insns, f->cnt, NULL, &conf,
					 (uint64_t)(uintptr_t)&a, 0, &err);
	CHECK_MSG(!err, "%s: interpreter error %d", name, err);
	ret = hup_jit__compile_confined(f->insns, f->cnt, NULL, &conf, &img,
					NULL);
	CHECK_MSG(!ret, "%s: JIT refused (%d)", name, ret);
	if (!ret) {
		r0_jit = img.entry((uint64_t)(uintptr_t)&b, 0);
		hup_jit__free(&img);
		CHECK_MSG(r0_in == r0_jit, "%s: r0 interp %#llx jit %#llx",
			  name, (unsigned long long)r0_in,
			  (unsigned long long)r0_jit);
		CHECK_MSG(!memcmp(&a, &b, sizeof(a)),
			  "%s: context differs between engines", name);
	}
	return r0_in;
}

/*
 * Verify p, build both forms; check results agree and are `want`, and
 * that the loop call at insn `site` (-1: none checked) calls a trampoline
 * of its own iff `inlined`.  Returns how many insns inlining appended.
 */
static size_t check_prog(const char *name, const struct bpf_insn *p,
			 size_t cnt, uint64_t ctx_word, uint64_t want,
			 int site, bool inlined)
{
	struct hup_mem_rec *recs = calloc(cnt, sizeof(*recs));
	struct hup_verifier_opts o = {.event = HUP_EVENT_RECLAIM, .recs = recs};
	struct hup_reclaim_ctx ctx = {.pfn_start = ctx_word};
	struct form shared = {malloc(cnt * sizeof(*p)), cnt};
	struct form mine = {malloc(cnt * sizeof(*p)), cnt};
	uint64_t r0;
	size_t grew = 0;
	int err;

	if (!recs || !shared.insns || !mine.insns) {
		CHECK_MSG(0, "%s: out of memory", name);
		goto out;
	}
	err = hup_verify(p, cnt, &o, NULL);
	CHECK_MSG(!err, "%s: verifier refused (%d)", name, err);
	if (err)
		goto out;
	memcpy(shared.insns, p, cnt * sizeof(*p));
	memcpy(mine.insns, p, cnt * sizeof(*p));
	err = hup_fixup__inline_loops(&shared.insns, &shared.cnt);
	if (!err)
		err = hup_seal(shared.insns, shared.cnt, recs, cnt,
			       sizeof(ctx), false, NULL);
	CHECK_MSG(!err, "%s: shared form: %d", name, err);
	err = err ? err : hup_fixup__engines(&mine.insns, &mine.cnt, recs, cnt,
					     sizeof(ctx), false, NULL);
	CHECK_MSG(!err, "%s: engines' form: %d", name, err);
	if (err)
		goto out;
	grew = mine.cnt - shared.cnt;
	appended_stack = 0;
	for (size_t i = shared.cnt; i < mine.cnt; i++) {
		uint8_t cls = BPF_CLASS(mine.insns[i].code);

		if ((cls == BPF_LDX && mine.insns[i].src_reg == BPF_REG_10) ||
		    ((cls == BPF_STX || cls == BPF_ST) &&
		     mine.insns[i].dst_reg == BPF_REG_10))
			appended_stack++;
	}
	if (site >= 0) {
		int64_t t = site + 1 + (int64_t)mine.insns[site].imm;

		CHECK_MSG(recs[site].loop_cb, "%s: no callback recorded", name);
		CHECK_MSG(inlined == (t >= (int64_t)shared.cnt),
			  "%s: call at %d goes to %lld (shared trampoline at "
			  "%zu, program %zu): %s expected", name, site,
			  (long long)t, cnt, shared.cnt,
			  inlined ? "its own" : "the shared one");
	}
	CHECK_MSG(inlined == (grew > 0), "%s: %zu insns appended", name, grew);
	r0 = run_both(&shared, &ctx, name);
	CHECK_MSG(r0 == want, "%s: shared form r0 %#llx, want %#llx", name,
		  (unsigned long long)r0, (unsigned long long)want);
	r0 = run_both(&mine, &ctx, name);
	CHECK_MSG(r0 == want, "%s: inlined form r0 %#llx, want %#llx", name,
		  (unsigned long long)r0, (unsigned long long)want);
out:
	free(recs);
	free(shared.insns);
	free(mine.insns);
	return grew;
}

#define CHECK_PROG(name, p, word, want, site, inl)                           \
	check_prog(name, p, ARRAY_LEN(p), word, want, site, inl)

/* fp[-8] = 0; loop(nr, cb, fp - 8); r0 = fp[-8] + 1000 * loop's r0.
 * The call is insn 7; the callback starts at insn 13. */
#define CALLER(nr)                                                           \
	ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, nr), LD_FUNC(2, 10),              \
	MOV64_REG(3, 10), ADD64_IMM(3, -8), MOV64_IMM(4, 0),                 \
	CALL_HELPER(HUP_FN_loop), MOV64_REG(6, 0),                           \
	LDX(BPF_DW, 0, 10, -8), ALU64_IMM(BPF_MUL, 6, 1000),                 \
	ALU64_REG(BPF_ADD, 0, 6), EXIT()
#define SITE 7

/* The callback sums i into the caller's slot: inlined, r1 and r2 kept. */
static const struct bpf_insn sum[] = {
	CALLER(10),
	LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
	STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
};

static void test_sum(void)
{
	CHECK_PROG("sum", sum, 0, 10000 + 45, SITE, true);
	/* the slot lives in a register: one load before the loop, a store
	 * at each of its two ends, none per iteration */
	CHECK_EQ(appended_stack, 3);
}

/* Five slots: summed into and counted (8 bytes), summed into at 4 bytes
 * (stays in memory: an access other than a plain 8-byte one), stored an
 * immediate, and added to; four is the most a trampoline keeps. */
static void test_slots(void)
{
	static const struct bpf_insn p[] = {
		ST(BPF_DW, 10, -8, 0), ST(BPF_DW, 10, -16, 0),
		ST(BPF_DW, 10, -24, 0), ST(BPF_DW, 10, -32, 0),
		ST(BPF_DW, 10, -40, 0),
		MOV64_IMM(1, 10), LD_FUNC(2, 19), MOV64_REG(3, 10),
		ADD64_IMM(3, -40), MOV64_IMM(4, 0), CALL_HELPER(HUP_FN_loop),
		/* r0 = s0 + 100 s1 + 10^4 s2 + 10^6 s3 + 10^8 s4 */
		LDX(BPF_DW, 0, 10, -40), LDX(BPF_DW, 3, 10, -32),
		ALU64_IMM(BPF_MUL, 3, 100), ALU64_REG(BPF_ADD, 0, 3),
		LDX(BPF_DW, 3, 10, -24), ALU64_IMM(BPF_MUL, 3, 10000),
		ALU64_REG(BPF_ADD, 0, 3), LDX(BPF_DW, 3, 10, -16),
		ALU64_IMM(BPF_MUL, 3, 1000000), ALU64_REG(BPF_ADD, 0, 3),
		LDX(BPF_DW, 3, 10, -8), ALU64_IMM(BPF_MUL, 3, 100000000),
		ALU64_REG(BPF_ADD, 0, 3), EXIT(),
		/* 26: the callback */
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0),
		LDX(BPF_DW, 3, 2, 8), ADD64_IMM(3, 1), STX(BPF_DW, 2, 3, 8),
		LDX(BPF_W, 3, 2, 16), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_W, 2, 3, 16),
		ST(BPF_DW, 2, 24, 7),
		LDX(BPF_DW, 3, 2, 32), ADD64_IMM(3, 2), STX(BPF_DW, 2, 3, 32),
		MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("slots", p, 0,
		   45 + 100 * 10 + 10000 * 45 + 1000000ull * 7 +
			   100000000ull * 20,
		   11, true);
	/* the four 8-byte slots in registers (a load before the loop, a
	 * store at each end), the 4-byte one loaded and stored in the body */
	CHECK_EQ(appended_stack, 4 * 3 + 2);
}

/* The callback writes r1 and r2 first thing, so index and data live in
 * other registers; r3-r5 are written too: they come from r6-r9. */
static void test_writes_args(void)
{
	static const struct bpf_insn p[] = {
		CALLER(10),
		MOV64_REG(3, 1), MOV64_REG(4, 2), MOV64_IMM(1, 0),
		MOV64_IMM(2, 0), MOV64_IMM(5, 0), LDX(BPF_DW, 5, 4, 0),
		ALU64_REG(BPF_ADD, 5, 3), ALU64_REG(BPF_ADD, 5, 3),
		STX(BPF_DW, 4, 5, 0), MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("writes-args", p, 0, 10000 + 90, SITE, true);
}

/* `w1 = w1` first (as clang casts the u32 index), then r1 written: the
 * index lives elsewhere and the cast is dropped; after r1 <<= 32 the same
 * cast is not (it zeroes r1 there). */
static void test_index_cast(void)
{
	static const struct bpf_insn first[] = {
		CALLER(10),
		ALU32_REG(BPF_MOV, 1, 1), LDX(BPF_DW, 3, 2, 0),
		ALU64_REG(BPF_ADD, 3, 1), STX(BPF_DW, 2, 3, 0),
		MOV64_IMM(1, 0), MOV64_IMM(0, 0), EXIT(),
	};
	static const struct bpf_insn later[] = {
		CALLER(10),
		ALU64_IMM(BPF_LSH, 1, 32), ALU32_REG(BPF_MOV, 1, 1),
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("index-cast-first", first, 0, 10000 + 45, SITE, true);
	CHECK_PROG("index-cast-later", later, 0, 10000, SITE, true);
}

/* Every register but r0 and r10 written: nowhere to keep the loop's
 * state, so the shared trampoline stays. */
static void test_no_free_register(void)
{
	static const struct bpf_insn p[] = {
		CALLER(10),
		MOV64_REG(9, 2), MOV64_REG(8, 1), MOV64_IMM(1, 1),
		MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4),
		MOV64_IMM(5, 5), MOV64_IMM(6, 6), MOV64_IMM(7, 7),
		LDX(BPF_DW, 0, 9, 0), ALU64_REG(BPF_ADD, 0, 8),
		STX(BPF_DW, 9, 0, 0), MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("no-free-register", p, 0, 10000 + 45, SITE, false);
}

/* Two exits, one stopping the loop at i == 3: four iterations done. */
static void test_stop_early(void)
{
	static const struct bpf_insn p[] = {
		CALLER(10),
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), JMP_IMM(BPF_JEQ, 1, 3, 2),
		MOV64_IMM(0, 0), EXIT(), MOV64_IMM(0, 1), EXIT(),
	};

	CHECK_PROG("stop-early", p, 0, 4000 + 6, SITE, true);
}

/* nr = 0: the body never runs, r0 = 0 iterations. */
static void test_zero_iterations(void)
{
	static const struct bpf_insn p[] = {
		CALLER(0),
		LDX(BPF_DW, 3, 2, 0), ALU64_IMM(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("zero-iterations", p, 0, 0, SITE, true);
}

/* The callback uses a stack slot of its own: it keeps its frame, and its
 * call. */
static void test_own_frame(void)
{
	static const struct bpf_insn p[] = {
		CALLER(10),
		STX(BPF_DW, 10, 1, -8), LDX(BPF_DW, 4, 10, -8),
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 4),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("own-frame", p, 0, 10000 + 45, SITE, false);
}

/* The callback calls a subprogram: not inlined. */
static void test_calls(void)
{
	static const struct bpf_insn p[] = {
		CALLER(10),
		MOV64_REG(6, 2), CALL_LOCAL(5), LDX(BPF_DW, 3, 6, 0),
		ALU64_REG(BPF_ADD, 3, 0), STX(BPF_DW, 6, 3, 0),
		MOV64_IMM(0, 0), EXIT(),
		MOV64_IMM(0, 2), EXIT(),
	};

	CHECK_PROG("calls", p, 0, 10000 + 20, SITE, false);
}

/* Two loops with the same callback share one trampoline of their own;
 * the program's r0 is both sums. */
static void test_two_sites(void)
{
	static const struct bpf_insn p[] = {
		ST(BPF_DW, 10, -8, 0), MOV64_IMM(1, 10), LD_FUNC(2, 14),
		MOV64_REG(3, 10), ADD64_IMM(3, -8), MOV64_IMM(4, 0),
		CALL_HELPER(HUP_FN_loop),
		MOV64_IMM(1, 5), LD_FUNC(2, 7),
		MOV64_REG(3, 10), ADD64_IMM(3, -8), MOV64_IMM(4, 0),
		CALL_HELPER(HUP_FN_loop),
		LDX(BPF_DW, 0, 10, -8), EXIT(),
		/* 17: the callback, as sum's */
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
	};
	size_t one = CHECK_PROG("sum", sum, 0, 10000 + 45, SITE, true);

	/* one trampoline appended, as for one call */
	CHECK_EQ(CHECK_PROG("two-sites", p, 0, 45 + 10, 7, true), one);
	CHECK_PROG("two-sites-second", p, 0, 45 + 10, 14, true);
}

/* Which callback runs depends on the context: the verifier proves both,
 * the call keeps the shared trampoline that dispatches at run time. */
static void test_mixed(void)
{
	static const struct bpf_insn p[] = {
		ST(BPF_DW, 10, -8, 0), LDX(BPF_DW, 6, 1, 0),
		LD_FUNC(2, 11), JMP_IMM(BPF_JEQ, 6, 0, 2), LD_FUNC(2, 13),
		MOV64_IMM(1, 10), MOV64_REG(3, 10), ADD64_IMM(3, -8),
		MOV64_IMM(4, 0), CALL_HELPER(HUP_FN_loop),
		LDX(BPF_DW, 0, 10, -8), EXIT(),
		/* 14: sum i */
		LDX(BPF_DW, 3, 2, 0), ALU64_REG(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
		/* 19: count */
		LDX(BPF_DW, 3, 2, 0), ALU64_IMM(BPF_ADD, 3, 1),
		STX(BPF_DW, 2, 3, 0), MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("mixed-0", p, 0, 45, 11, false);
	CHECK_PROG("mixed-1", p, 1, 10, 11, false);
}

/* The callback writes the context through data: accesses other than the
 * caller's stack move unchanged. */
static void test_ctx_data(void)
{
	static const struct bpf_insn p[] = {
		MOV64_REG(6, 1), MOV64_IMM(1, 64), LD_FUNC(2, 7),
		MOV64_REG(3, 6), MOV64_IMM(4, 0), CALL_HELPER(HUP_FN_loop),
		LDX(BPF_DW, 0, 6, 16), ALU64_REG(BPF_ADD, 0, 0), EXIT(),
		/* 10: free[0] |= 1 << i for even i */
		MOV64_REG(3, 1), ALU64_IMM(BPF_AND, 3, 1),
		JMP_IMM(BPF_JNE, 3, 0, 5), MOV64_IMM(3, 1),
		ALU64_REG(BPF_LSH, 3, 1), LDX(BPF_DW, 4, 2, 16),
		ALU64_REG(BPF_OR, 4, 3), STX(BPF_DW, 2, 4, 16),
		MOV64_IMM(0, 0), EXIT(),
	};

	CHECK_PROG("ctx-data", p, 0, 0x5555555555555555ull * 2, 6, true);
}

int main(void)
{
	RUN(test_sum);
	RUN(test_slots);
	RUN(test_writes_args);
	RUN(test_index_cast);
	RUN(test_no_free_register);
	RUN(test_stop_early);
	RUN(test_zero_iterations);
	RUN(test_own_frame);
	RUN(test_calls);
	RUN(test_two_sites);
	RUN(test_mixed);
	RUN(test_ctx_data);
	return check_exit();
}
