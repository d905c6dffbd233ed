/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engines enforce what the verifier proved (docs/libhup.md, "What the
 * engines enforce"): the seal pass's rewrites and rejections, then both
 * engines running sealed programs whose pointer registers hold a WRONG
 * value (a value-domain bug, simulated by records the verifier would have
 * made while believing otherwise): the stack access lands at the proven
 * frame and offset, the ctx access at ctx + the proven offset, a view
 * access inside the view, a helper gets the rebuilt pointer and a clamped
 * size, and an access no path reached traps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hup/libhup.h>

#include "check.h"
#include "engine.h"
#include "log.h"
#include "verifier.h"

#define MAXI 32

/* A record as the verifier makes it. */
#define REC(reg, o, d, rn) \
	((struct hup_mem_rec){.region = (reg), .frames = (d), .regno = (rn), \
			      .seen = 1, .off = (o)})

static uint64_t cap_r1, cap_r2;

static uint64_t capture(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			uint64_t r5)
{
	uint64_t v;

	(void)r3, (void)r4, (void)r5;
	cap_r1 = r1;
	cap_r2 = r2;
	memcpy(&v, (const void *)(uintptr_t)r1, sizeof(v));
	return v;
}

static const hup_helper_fn fns[2] = {NULL, capture};
static const struct hup_helper_table helpers = {.fns = fns, .nr = 2};

/* Every instruction reached; memory ones get recs[] from the caller. */
static void mark_seen(struct hup_mem_rec *recs, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		recs[i].seen = 1;
}

/* insns = p (cnt insns) sealed with recs for conf. */
static void seal_copy(struct bpf_insn *insns, const struct bpf_insn *p,
		      size_t cnt, struct hup_mem_rec *recs,
		      const struct hup_confine *conf)
{
	memcpy(insns, p, cnt * sizeof(*p));
	mark_seen(recs, cnt);
	CHECK_EQ(hup_seal(insns, cnt, recs, cnt, conf->ctx_size,
			  conf->view_mask != UINT64_MAX, NULL), 0);
}

/* Seal p (cnt insns) with recs, run it under both engines, compare r0. */
static void run_both(const char *what, const struct bpf_insn *p, size_t cnt,
		     struct hup_mem_rec *recs, const struct hup_confine *conf,
		     void *ctx, uint64_t want)
{
	struct bpf_insn insns[MAXI];
	struct hup_jit_image img;
	uint64_t r0;
	int err;

	seal_copy(insns, p, cnt, recs, conf);
	r0 = hup_interp__run_confined(insns, cnt, &helpers, conf,
				      (uint64_t)(uintptr_t)ctx, 0, &err);
	if (r0 != want || err)
		fprintf(stderr, "%s: interpreter\n", what);
	CHECK_EQ(err, 0);
	CHECK_EQ(r0, want);
	err = hup_jit__compile_confined(insns, cnt, &helpers, conf, &img, NULL);
	CHECK_EQ(err, 0);
	if (err)
		return;
	r0 = img.entry((uint64_t)(uintptr_t)ctx, 0);
	if (r0 != want)
		fprintf(stderr, "%s: jit\n", what);
	CHECK_EQ(r0, want);
	hup_jit__free(&img);
}

static int aborts;

static void on_abort(void)
{
	aborts++;
}

static const struct hup_confine sealed_no_view = {
	.view_base = 0, .view_mask = UINT64_MAX, .ctx_size = 64, .sealed = true,
	.on_abort = on_abort,
};

/* r5 = r10 + r3 with r3 believed 0 but 4096: the store still hits fp-16. */
static void test_stack_wrong_value(void)
{
	const struct bpf_insn p[] = {
		ST(BPF_DW, 10, -8, 7),
		MOV64_IMM(3, 4096),
		MOV64_REG(5, 10),
		ALU64_REG(BPF_ADD, 5, 3),
		ST(BPF_DW, 5, -16, 0x42),
		LDX(BPF_DW, 0, 10, -16),
		LDX(BPF_DW, 1, 10, -8),
		ALU64_REG(BPF_ADD, 0, 1),
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};
	uint8_t ctx[64] = {0};

	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[4] = REC(HUP_REC_STACK, 0, 0, 5);
	recs[5] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[6] = REC(HUP_REC_STACK, 0, 0, 10);
	run_both("stack", p, ARRAY_LEN(p), recs, &sealed_no_view, ctx, 0x49);
}

/*
 * A callee writes through a pointer to its caller's fp-8, offset by a
 * wrong 1000: it lands on the caller's fp-8 (one frame up), under both
 * engines (frames top down / rbp + FRAME_BYTES).
 */
static void test_stack_frame_up(void)
{
	const struct bpf_insn p[] = {
		ST(BPF_DW, 10, -8, 1),
		MOV64_REG(1, 10),
		ALU64_IMM(BPF_ADD, 1, -8),
		CALL_LOCAL(2),
		LDX(BPF_DW, 0, 10, -8),
		EXIT(),
		/* callee */
		ST(BPF_DW, 10, -8, 2),           /* its own fp-8 */
		MOV64_IMM(2, 1000),
		ALU64_REG(BPF_ADD, 1, 2),
		ST(BPF_DW, 1, 0, 0x55),          /* believed: caller fp-8 */
		LDX(BPF_DW, 0, 10, -8),
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};
	uint8_t ctx[64] = {0};

	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[4] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[6] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[9] = REC(HUP_REC_STACK, -8, 1, 1);
	recs[10] = REC(HUP_REC_STACK, 0, 0, 10);
	run_both("frame up", p, ARRAY_LEN(p), recs, &sealed_no_view, ctx, 0x55);
}

/*
 * A light callee (jit.c: no call, never names its own frame) runs on its
 * caller's rbp and saves only the r6-r9 it writes: the caller's r6 must
 * survive it, and its sealed accesses one and two frames up must land in
 * its caller's and grandparent's frames, as in the interpreter.
 */
static void test_light_callee(void)
{
	const struct bpf_insn one_up[] = {
		MOV64_IMM(6, 7),
		ST(BPF_DW, 10, -8, 5),
		ST(BPF_DW, 10, -16, 0),
		CALL_LOCAL(4),
		ALU64_REG(BPF_ADD, 0, 6),        /* r6 kept: + 7 */
		LDX(BPF_DW, 1, 10, -16),
		ALU64_REG(BPF_ADD, 0, 1),        /* + 15 */
		EXIT(),
		/* light: writes r6, reads and writes its caller's frame */
		LDX(BPF_DW, 6, 10, -8),
		ALU64_IMM(BPF_MUL, 6, 3),
		STX(BPF_DW, 10, 6, -16),
		MOV64_REG(0, 6),
		ALU64_IMM(BPF_ADD, 0, 1),        /* 16 */
		EXIT(),
	};
	const struct bpf_insn two_up[] = {
		ST(BPF_DW, 10, -8, 11),
		MOV64_IMM(9, 100),
		CALL_LOCAL(2),
		ALU64_REG(BPF_ADD, 0, 9),        /* r9 kept through both */
		EXIT(),
		CALL_LOCAL(2),                   /* the middle: framed */
		ALU64_IMM(BPF_ADD, 0, 1),
		EXIT(),
		LDX(BPF_DW, 9, 10, -8),          /* light: two frames up */
		MOV64_REG(0, 9),
		EXIT(),
	};
	/* light though it writes all of r6-r9 (pushed, popped) */
	const struct bpf_insn all_four[] = {
		MOV64_IMM(6, 1), MOV64_IMM(7, 2), MOV64_IMM(8, 3),
		MOV64_IMM(9, 4), ST(BPF_DW, 10, -8, 1000),
		CALL_LOCAL(7),
		ALU64_REG(BPF_ADD, 0, 6), ALU64_REG(BPF_ADD, 0, 7),
		ALU64_REG(BPF_ADD, 0, 8), ALU64_REG(BPF_ADD, 0, 9),
		LDX(BPF_DW, 1, 10, -8),
		ALU64_REG(BPF_ADD, 0, 1),        /* + 10 + 1000 */
		EXIT(),
		LDX(BPF_DW, 6, 10, -8), MOV64_IMM(7, 20), MOV64_IMM(8, 30),
		MOV64_IMM(9, 40), ALU64_REG(BPF_ADD, 6, 7),
		ALU64_REG(BPF_ADD, 6, 8), ALU64_REG(BPF_ADD, 6, 9),
		MOV64_REG(0, 6),                 /* 1090 */
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};
	uint8_t ctx[64] = {0};

	recs[4] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[10] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[13] = REC(HUP_REC_STACK, 0, 1, 10);
	run_both("light callee writing r6-r9", all_four, ARRAY_LEN(all_four),
		 recs, &sealed_no_view, ctx, 1090 + 10 + 1000);
	memset(recs, 0, sizeof(recs));
	recs[1] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[2] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[5] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[8] = REC(HUP_REC_STACK, 0, 1, 10);
	recs[10] = REC(HUP_REC_STACK, 0, 1, 10);
	run_both("light callee, one frame up", one_up, ARRAY_LEN(one_up),
		 recs, &sealed_no_view, ctx, 38);
	memset(recs, 0, sizeof(recs));
	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[8] = REC(HUP_REC_STACK, 0, 2, 10);
	run_both("light callee, two frames up", two_up, ARRAY_LEN(two_up),
		 recs, &sealed_no_view, ctx, 112);
}

/* Seal p with recs and run it under both engines: each must end the run
 * as an abort (the interpreter's -EINVAL, the JIT's abort stub). */
static void aborts_both(const char *what, const struct bpf_insn *p,
			size_t cnt, struct hup_mem_rec *recs)
{
	struct bpf_insn insns[MAXI];
	struct hup_jit_image img;
	uint8_t ctx[64] = {0};
	uint64_t r0;
	int err;

	seal_copy(insns, p, cnt, recs, &sealed_no_view);
	r0 = hup_interp__run_confined(insns, cnt, &helpers, &sealed_no_view,
				      (uint64_t)(uintptr_t)ctx, 0, &err);
	if (err != -EINVAL)
		fprintf(stderr, "%s: interpreter did not abort\n", what);
	CHECK_EQ(err, -EINVAL);
	CHECK_EQ(r0, 0);
	CHECK_EQ(hup_jit__compile_confined(insns, cnt, &helpers,
					   &sealed_no_view, &img, NULL), 0);
	if (!img.entry)
		return;
	aborts = 0;
	r0 = img.entry((uint64_t)(uintptr_t)ctx, 0);
	if (aborts != 1)
		fprintf(stderr, "%s: jit did not abort\n", what);
	CHECK_EQ(aborts, 1);
	CHECK_EQ(r0, 0);
	hup_jit__free(&img);
}

/*
 * A frame count the verifier got wrong, pointing above the run's entry
 * frame (at depth 0, "one frame up"; in a callee, two up): no such frame
 * exists, and the access would land in the host's own stack.  Both engines
 * end the run instead, for loads, stores and a helper's buffer.
 */
static void test_stack_frame_up_past_entry(void)
{
	const struct bpf_insn load[] = {
		LDX(BPF_DW, 0, 10, -8),
		EXIT(),
	};
	const struct bpf_insn store[] = {
		ST(BPF_DW, 10, -8, 0x66),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	const struct bpf_insn arg[] = {
		MOV64_IMM(1, 0),
		MOV64_IMM(2, 8),
		CALL_HELPER(1),
		EXIT(),
	};
	const struct bpf_insn callee[] = {
		CALL_LOCAL(1),
		EXIT(),
		LDX(BPF_DW, 0, 10, -8),
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};

	recs[0] = REC(HUP_REC_STACK, 0, 1, 10);
	aborts_both("load one frame up at depth 0", load, ARRAY_LEN(load),
		    recs);
	memset(recs, 0, sizeof(recs));
	recs[0] = REC(HUP_REC_STACK, 0, 1, 10);
	aborts_both("store one frame up at depth 0", store, ARRAY_LEN(store),
		    recs);
	memset(recs, 0, sizeof(recs));
	recs[2] = REC(HUP_REC_STACK, -8, 1, 1);
	aborts_both("helper buffer one frame up at depth 0", arg,
		    ARRAY_LEN(arg), recs);
	memset(recs, 0, sizeof(recs));
	recs[2] = REC(HUP_REC_STACK, 0, 2, 10);
	aborts_both("load two frames up at depth 1", callee, ARRAY_LEN(callee),
		    recs);
}

/* Fill the native stack below the caller with 0xa5, as host code that ran
 * deeper before a run leaves it. */
static __attribute__((noinline)) void dirty_stack(void)
{
	volatile uint8_t junk[16384];

	memset((void *)junk, 0xa5, sizeof(junk));
	__asm__ volatile("" : : "r"(junk) : "memory");
}

/* Run a sealed program under the JIT right after dirty_stack(). */
static uint64_t jit_on_dirty_stack(const struct bpf_insn *p, size_t cnt,
				   struct hup_mem_rec *recs)
{
	struct bpf_insn insns[MAXI];
	struct hup_jit_image img;
	uint8_t ctx[64] = {0};
	uint64_t r0 = UINT64_MAX;

	seal_copy(insns, p, cnt, recs, &sealed_no_view);
	CHECK_EQ(hup_jit__compile_confined(insns, cnt, &helpers,
					   &sealed_no_view, &img, NULL), 0);
	if (!img.entry)
		return r0;
	dirty_stack();
	r0 = img.entry((uint64_t)(uintptr_t)ctx, 0);
	hup_jit__free(&img);
	return r0;
}

/*
 * The JIT clears only the frames a sealed program can reach (jit.c,
 * jit_frames): reading 8 bytes no instruction wrote (what the verifier
 * forbids, simulated by records) gives 0, never host bytes, from a leaf
 * that names its own frame (a load; its frame as a helper's buffer) and
 * from a frame that calls but never names its own frame, read by its
 * callee one frame up; and 300-400 bytes down, the clear reaching as far
 * as the program's lowest access or buffer.
 */
static void test_frames_cleared(void)
{
	const struct bpf_insn leaf_load[] = {
		ST(BPF_DW, 10, -16, 1),
		CALL_LOCAL(2),
		LDX(BPF_DW, 1, 10, -16),
		EXIT(),
		LDX(BPF_DW, 0, 10, -8),          /* unwritten */
		EXIT(),
	};
	const struct bpf_insn leaf_arg[] = {
		ST(BPF_DW, 10, -16, 1),
		CALL_LOCAL(2),
		LDX(BPF_DW, 1, 10, -16),
		EXIT(),
		MOV64_IMM(1, 0),
		MOV64_IMM(2, 8),
		CALL_HELPER(1),                  /* capture: reads fp-8 */
		EXIT(),
	};
	const struct bpf_insn deep[] = {
		ST(BPF_DW, 10, -400, 1),
		LDX(BPF_DW, 0, 10, -392),        /* unwritten */
		EXIT(),
	};
	const struct bpf_insn deep_arg[] = {
		ST(BPF_DW, 10, -8, 1),
		MOV64_IMM(1, 0),
		MOV64_IMM(2, 16),
		CALL_HELPER(1),                  /* capture: reads fp-304 */
		EXIT(),
	};
	const struct bpf_insn middle[] = {
		ST(BPF_DW, 10, -16, 1),
		CALL_LOCAL(2),
		LDX(BPF_DW, 1, 10, -16),
		EXIT(),
		CALL_LOCAL(1),                   /* never names r10 */
		EXIT(),
		LDX(BPF_DW, 0, 10, -8),          /* the middle frame's fp-8 */
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};

	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[2] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[4] = REC(HUP_REC_STACK, 0, 0, 10);
	CHECK_EQ(jit_on_dirty_stack(leaf_load, ARRAY_LEN(leaf_load), recs), 0);
	memset(recs, 0, sizeof(recs));
	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[2] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[6] = REC(HUP_REC_STACK, -8, 0, 1);
	CHECK_EQ(jit_on_dirty_stack(leaf_arg, ARRAY_LEN(leaf_arg), recs), 0);
	memset(recs, 0, sizeof(recs));
	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[2] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[6] = REC(HUP_REC_STACK, 0, 1, 10);
	CHECK_EQ(jit_on_dirty_stack(middle, ARRAY_LEN(middle), recs), 0);
	/* only the reach of the program's lowest access is cleared: an
	 * unwritten slot above it, and a helper buffer's bytes */
	memset(recs, 0, sizeof(recs));
	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[1] = REC(HUP_REC_STACK, 0, 0, 10);
	CHECK_EQ(jit_on_dirty_stack(deep, ARRAY_LEN(deep), recs), 0);
	memset(recs, 0, sizeof(recs));
	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[3] = REC(HUP_REC_STACK, -304, 0, 1);
	CHECK_EQ(jit_on_dirty_stack(deep_arg, ARRAY_LEN(deep_arg), recs), 0);
}

/* r2 = ctx + 4096 believed ctx + 0: the load reads ctx + 16. */
static void test_ctx_wrong_value(void)
{
	const struct bpf_insn p[] = {
		MOV64_REG(2, 1),
		ALU64_IMM(BPF_ADD, 2, 4096),
		LDX(BPF_W, 0, 2, 16),
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};
	uint32_t ctx[16] = {0};

	ctx[4] = 0xc0ffee;
	recs[2] = REC(HUP_REC_CTX, 0, 0, 2);
	run_both("ctx", p, ARRAY_LEN(p), recs, &sealed_no_view, ctx, 0xc0ffee);
}

/* A view pointer 5 views past the view: masked back to base + 8 (a mask
 * that fits an imm32 and one that does not: two JIT code paths). */
static void view_masked(uint64_t mask)
{
	static uint64_t view[512] __attribute__((aligned(4096)));
	uint64_t base = (uint64_t)(uintptr_t)view + 5 * (mask + 1);
	const struct bpf_insn p[] = {
		LD_IMM64(2, base),
		MOV64_IMM(3, 0xf0),
		ATOMIC(BPF_DW, BPF_OR | BPF_FETCH, 2, 3, 8), /* r3 = old */
		ST(BPF_DW, 2, 16, 9),
		MOV64_IMM(1, 0x80),
		STX(BPF_B, 2, 1, 24),                   /* byte store from dil */
		INSN(BPF_LDX | BPF_MEMSX | BPF_B, 4, 2, 24, 0), /* r4 = -128 */
		LDX(BPF_DW, 0, 2, 8),
		ALU64_REG(BPF_ADD, 0, 3),
		ALU64_REG(BPF_ADD, 0, 4),
		EXIT(),
	};
	struct hup_confine conf = {
		.view_base = (uint64_t)(uintptr_t)view, .view_mask = mask,
		.ctx_size = 64, .sealed = true,
	};
	struct hup_mem_rec recs[MAXI] = {0};
	uint8_t ctx[64] = {0};

	view[1] = 0x0f;
	recs[3] = REC(HUP_REC_VIEW, 0, 0, 2);
	recs[4] = REC(HUP_REC_VIEW, 0, 0, 2);
	recs[6] = REC(HUP_REC_VIEW, 0, 0, 2);
	recs[7] = REC(HUP_REC_VIEW, 0, 0, 2);
	recs[8] = REC(HUP_REC_VIEW, 0, 0, 2);
	/* interpreter: 0xff + 0x0f; then the JIT sees 0xff already */
	memset(view, 0, sizeof(view));
	view[1] = 0x0f;
	{
		struct bpf_insn insns[MAXI];
		struct hup_jit_image img;
		uint64_t r0;
		int err;

		memcpy(insns, p, sizeof(p));
		mark_seen(recs, ARRAY_LEN(p));
		CHECK_EQ(hup_seal(insns, ARRAY_LEN(p), recs, ARRAY_LEN(p), 64,
				  true, NULL), 0);
		r0 = hup_interp__run_confined(insns, ARRAY_LEN(p), &helpers,
					      &conf, (uint64_t)(uintptr_t)ctx,
					      0, &err);
		CHECK_EQ(err, 0);
		CHECK_EQ(r0, 0xff + 0x0f - 128);
		CHECK_EQ(view[1], 0xff);
		CHECK_EQ(view[2], 9);
		CHECK_EQ(view[3], 0x80);
		view[1] = 0x0f;
		view[2] = 0;
		view[3] = 0;
		CHECK_EQ(hup_jit__compile_confined(insns, ARRAY_LEN(p), &helpers,
						   &conf, &img, NULL), 0);
		if (img.entry) {
			r0 = img.entry((uint64_t)(uintptr_t)ctx, 0);
			CHECK_EQ(r0, 0xff + 0x0f - 128);
			CHECK_EQ(view[1], 0xff);
			CHECK_EQ(view[2], 9);
			CHECK_EQ(view[3], 0x80);
			hup_jit__free(&img);
		}
	}
}

static void test_view_masked(void)
{
	view_masked(0xfff);
	view_masked(UINT32_MAX); /* the JIT's 32-bit form */
	view_masked((1ull << 40) - 1);
}

/* A helper's buffer: rebuilt from fp-16 and ctx+8, sizes clamped. */
static void test_helper_remat(void)
{
	const struct bpf_insn stack_arg[] = {
		ST(BPF_DW, 10, -16, 0x77),
		MOV64_IMM(1, 0xdead),
		MOV64_IMM(2, 100000),
		CALL_HELPER(1),
		ALU64_IMM(BPF_ADD, 0, 0),
		EXIT(),
	};
	const struct bpf_insn ctx_arg[] = {
		MOV64_IMM(1, 0xdead),
		MOV64_IMM(2, 100000),
		CALL_HELPER(1),
		EXIT(),
	};
	struct hup_mem_rec recs[MAXI] = {0};
	uint64_t ctx[8] = {0};

	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[3] = REC(HUP_REC_STACK, -16, 0, 1);
	cap_r2 = 0;
	run_both("helper stack", stack_arg, ARRAY_LEN(stack_arg), recs,
		 &sealed_no_view, ctx, 0x77);
	CHECK_EQ(cap_r2, 16);

	memset(recs, 0, sizeof(recs));
	recs[2] = REC(HUP_REC_CTX, 8, 0, 1);
	ctx[1] = 0x88;
	cap_r2 = 0;
	run_both("helper ctx", ctx_arg, ARRAY_LEN(ctx_arg), recs,
		 &sealed_no_view, ctx, 0x88);
	CHECK_EQ(cap_r1, (uint64_t)(uintptr_t)&ctx[1]);
	CHECK_EQ(cap_r2, 56);
}

/* A helper table whose helper 1 is a guest read the JIT may inline
 * (engine.h, read_id): capture() stands for it where it is called. */
static uint64_t read_fault_fake(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return (uint64_t)-EFAULT;
}

static const struct hup_helper_table read_helpers = {
	.fns = fns, .nr = 2, .read_fault = read_fault_fake, .read_id = 1};

/* Compile read(fp + dst_off, size, 2^40 + 0x40) sealed over a view of
 * mask (its first 4 KiB mapped); *r0: the run's answer; returns the
 * image's landing pads (inlined copies), -1 if it did not compile. */
static int read_inlined(uint64_t mask, int16_t dst_off, int32_t size,
			bool const_size, uint64_t *r0)
{
	static uint64_t guest[512 + 8]; /* the view, and room for its guard */
	const struct bpf_insn p[] = {
		ST(BPF_DW, 10, -16, 0),
		ST(BPF_DW, 10, -8, 0),
		MOV64_IMM(1, 0xdead), /* the seal rebuilds it: fp + dst_off */
		const_size ? ALU32_IMM(BPF_MOV, 2, size) : LDX(BPF_DW, 2, 10, -8),
		LD_IMM64(3, 0x10000000040ull),
		CALL_HELPER(1),
		LDX(BPF_DW, 1, 10, -16),
		ALU64_REG(BPF_ADD, 0, 1),
		EXIT(),
	};
	const struct hup_confine conf = {
		.view_base = (uint64_t)(uintptr_t)guest, .view_mask = mask,
		.ctx_size = 64, .sealed = true, .on_abort = on_abort,
	};
	struct hup_mem_rec recs[MAXI] = {0};
	struct bpf_insn insns[MAXI];
	struct hup_jit_image img;
	int n;

	for (n = 0; n < 512; n++)
		guest[n] = 0x0101010101010101ull * (uint64_t)n;
	recs[0] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[1] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[3] = REC(HUP_REC_STACK, -8, 0, 10);
	recs[6] = REC(HUP_REC_STACK, dst_off, 0, 1);
	recs[7] = REC(HUP_REC_STACK, 0, 0, 10);
	seal_copy(insns, p, ARRAY_LEN(p), recs, &conf);
	if (hup_jit__compile_confined(insns, ARRAY_LEN(p), &read_helpers, &conf,
				      &img, NULL))
		return -1;
	*r0 = img.entry(0, 0);
	n = (int)img.nr_fixups;
	hup_jit__free(&img);
	return n;
}

/* The JIT inlines a constant-size read into the stack: the bytes at
 * base + (gva & mask) land in the buffer and r0 is 0, with one landing
 * pad; other reads stay calls of the helper (no pad). */
static void test_read_inlined(void)
{
	const uint64_t masks[] = {0xfff, UINT32_MAX, (1ull << 40) - 1};
	uint64_t r0 = 0;

	for (size_t m = 0; m < ARRAY_LEN(masks); m++) {
		uint64_t mask = masks[m];

		r0 = 0;
		CHECK_EQ(read_inlined(mask, -16, 16, true, &r0), 1);
		CHECK_EQ(r0, 0x0808080808080808ull); /* guest[8], 0x40 in */
		CHECK_EQ(read_inlined(mask, -16, 3, true, &r0), 1);
		CHECK_EQ(r0, 0x080808ull);
		CHECK_EQ(read_inlined(mask, -64, HUP_JIT_INLINE_READ - 1, true,
				      &r0), 1);
		CHECK_EQ(r0, 0x0e0e0e0e0e0e0e0eull); /* 48 bytes further */
	}
	/* size not constant, past the frame, too big */
	CHECK_EQ(read_inlined(0xfff, -16, 16, false, &r0), 0);
	CHECK_EQ(read_inlined(0xfff, -8, 16, true, &r0), 0);
	CHECK_EQ(read_inlined(0xfff, -64, HUP_JIT_INLINE_READ, true, &r0), 0);
}

/* A helper table whose helper 1 is an output the JIT may inline
 * (engine.h, out_id): its cursor in a run struct this thread's TLS
 * names, as libhup's run state is named by its own. */
struct fake_run {
	uint64_t pad;
	struct hup_out_cursor cur;
};

static __thread struct fake_run *fake_run_tls
	__attribute__((tls_model("initial-exec")));

static intptr_t fake_out_tls(void)
{
	return (intptr_t)((uintptr_t)&fake_run_tls -
			  (uintptr_t)__builtin_thread_pointer());
}

static uint64_t fake_output(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5)
{
	(void)r3, (void)r4, (void)r5;
	cap_r1 = r1;
	cap_r2 = r2;
	return 77;
}

static const hup_helper_fn out_fns[2] = {NULL, fake_output};
static const struct hup_helper_table out_helpers = {
	.fns = out_fns, .nr = 2, .out_id = 1,
	.out_off = offsetof(struct fake_run, cur), .out_tls = fake_out_tls,
};

/* output(fp - 32, size) of "abcdefgh..." (32 bytes), sealed and JIT
 * compiled against out_helpers, run with run's cursor; r0. */
static uint64_t output_run(int32_t size, bool const_size, struct fake_run *run)
{
	const struct bpf_insn p[] = {
		ST(BPF_W, 10, -32, 0x64636261), ST(BPF_W, 10, -28, 0x68676665),
		ST(BPF_W, 10, -24, 0x6c6b6a69), ST(BPF_W, 10, -20, 0x706f6e6d),
		ST(BPF_W, 10, -16, 0x74737271), ST(BPF_W, 10, -12, 0x78777675),
		ST(BPF_W, 10, -8, 0x7a7a7a79), ST(BPF_W, 10, -4, size),
		MOV64_IMM(1, 0xdead), /* the seal rebuilds it: fp - 32 */
		const_size ? MOV64_IMM(2, size) : LDX(BPF_W, 2, 10, -4),
		CALL_HELPER(1),
		EXIT(),
	};
	const struct hup_confine conf = {
		.view_mask = UINT64_MAX, .ctx_size = 64, .sealed = true,
		.on_abort = on_abort,
	};
	struct hup_mem_rec recs[MAXI] = {0};
	struct bpf_insn insns[MAXI];
	struct hup_jit_image img;
	uint64_t r0;

	for (int i = 0; i < 8; i++)
		recs[i] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[9] = REC(HUP_REC_STACK, 0, 0, 10);
	recs[10] = REC(HUP_REC_STACK, -32, 0, 1);
	seal_copy(insns, p, ARRAY_LEN(p), recs, &conf);
	if (hup_jit__compile_confined(insns, ARRAY_LEN(p), &out_helpers, &conf,
				      &img, NULL))
		return 0xbad;
	fake_run_tls = run;
	r0 = img.entry(0, 0);
	fake_run_tls = NULL;
	hup_jit__free(&img);
	return r0;
}

/* The JIT copies a constant-size output into the run's buffer with no
 * call, refuses one that does not fit (-ENOSPC, nothing written), and
 * calls the helper when the run has no buffer or the size is not a
 * constant. */
static void test_output_inlined(void)
{
	uint8_t out[80];
	struct fake_run run = {.cur = {.dst = out, .room = 64, .used = 3}};

	/* the 16-byte moves, then 8, 4, 2, 1: the whole 32-byte buffer */
	static const int32_t sizes[] = {1, 2, 3, 7, 8, 15, 16, 17, 27, 28};
	uint8_t *in;

	for (size_t j = 0; j < ARRAY_LEN(sizes); j++) {
		int32_t k = sizes[j];

		memset(out, '.', sizeof(out));
		run.cur.used = 3;
		cap_r2 = 0;
		CHECK_EQ(output_run(k, true, &run), 0);
		CHECK_EQ(run.cur.used, 3 + (uint32_t)k);
		CHECK_EQ(memcmp(out + 3, "abcdefghijklmnopqrstuvwxyzzz",
				(size_t)k), 0);
		CHECK_EQ(out[3 + k], '.');
		CHECK_EQ(cap_r2, 0); /* no call */
	}
	/* all 32, the size word included */
	run.cur.used = 3;
	CHECK_EQ(output_run(32, true, &run), 0);
	in = out + run.cur.used - 32;
	CHECK_EQ(memcmp(in, "abcdefghijklmnopqrstuvwxyzzz\x20\0\0\0", 32), 0);
	/* one byte short: refused, nothing written */
	memset(out, '.', sizeof(out));
	run.cur.used = 64 - 15;
	CHECK_EQ(output_run(16, true, &run), (uint64_t)-ENOSPC);
	CHECK_EQ(run.cur.used, 64 - 15);
	CHECK_EQ(out[64 - 15], '.');
	CHECK_EQ(output_run(15, true, &run), 0);
	CHECK_EQ(run.cur.used, 64);
	/* no buffer: the helper, with the rebuilt buffer and the size */
	run.cur.dst = NULL;
	CHECK_EQ(output_run(8, true, &run), 77);
	CHECK_EQ(cap_r2, 8);
	CHECK(cap_r1 != 0xdead && cap_r1 != 0);
	/* a size that is not a constant: the helper */
	run.cur.dst = out;
	cap_r2 = 0;
	CHECK_EQ(output_run(8, false, &run), 77);
	CHECK_EQ(cap_r2, 8);
}

/* ------------------------------------------- translated view pointers */

/* ld_imm64 of a pseudo kind as the loader leaves it: the value patched in */
#define LD_PATCHED(d, kind, v)                                               \
	INSN(BPF_LD | BPF_IMM | BPF_DW, d, kind, 0, (int32_t)(uint32_t)(v)), \
	INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

struct engine_run {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct hup_confine *conf;
	const struct hup_jit_image *img; /* NULL: the interpreter */
	void *ctx;
};

static uint64_t engine_fn(void *arg)
{
	struct engine_run *e = arg;
	int err;

	if (e->img)
		return e->img->entry((uint64_t)(uintptr_t)e->ctx, 0);
	return hup_interp__run_confined(e->insns, e->cnt, &helpers, e->conf,
					(uint64_t)(uintptr_t)e->ctx, 0, &err);
}

/*
 * Seal p (its insn 0 reads the gva from ctx, load_at loads through the
 * view), run it for gva under both engines in a guarded run of view;
 * both must agree (a result, or -EFAULT for a hole).  Returns the JIT's
 * code length, mirrored as the view is or (mirrored false) as if it
 * were not: the difference is the masking the JIT left out.
 */
static size_t view_run(struct hup_view *view, const struct bpf_insn *p,
		       size_t cnt, size_t load_at, bool mirrored, uint64_t gva,
		       int want_err, uint64_t want)
{
	const struct hup_confine conf = {
		.view_base = (uint64_t)(uintptr_t)hup_view__base(view),
		.view_mask = hup_view__mask(view), .ctx_size = 64,
		.sealed = true, .view_mirrored = mirrored,
	};
	struct hup_mem_rec recs[MAXI] = {0};
	struct bpf_insn insns[MAXI];
	struct hup_jit_image img;
	uint64_t ctx[8] = {gva}, r0 = 0;
	struct engine_run e = {insns, cnt, &conf, NULL, ctx};
	size_t len;

	recs[0] = REC(HUP_REC_CTX, 0, 0, 1);
	recs[load_at] = REC(HUP_REC_VIEW, 0, 0, p[load_at].src_reg);
	seal_copy(insns, p, cnt, recs, &conf);
	CHECK_EQ(hup_view__run_guarded(view, engine_fn, &e, &r0), want_err);
	if (!want_err)
		CHECK_EQ(r0, want);
	CHECK_EQ(hup_jit__compile_confined(insns, cnt, &helpers, &conf, &img,
					   NULL), 0);
	if (!img.entry)
		return 0;
	e.img = &img;
	r0 = 0;
	CHECK_EQ(hup_view__run_guarded(view, engine_fn, &e, &r0), want_err);
	if (!want_err)
		CHECK_EQ(r0, want);
	len = img.code_len;
	hup_jit__free(&img);
	return len;
}

/* A view of 2^20 bytes: page 1 of a memfd (bytes 0x11) at offset 0,
 * page 2 (0x12) at the top; the rest holes. */
static struct hup_view *small_view(int *fd)
{
	struct hup_view *view = NULL;
	uint8_t page[4096];

	*fd = memfd_create("hup-test-confine", MFD_CLOEXEC);
	CHECK(*fd >= 0 && !ftruncate(*fd, 3 * 4096));
	for (int i = 1; i < 3; i++) {
		memset(page, 0x10 + i, sizeof(page));
		CHECK_EQ(pwrite(*fd, page, sizeof(page), i * 4096), 4096);
	}
	CHECK_EQ(hup_view__create(20, &view), 0);
	CHECK_EQ(hup_view__map(view, 0, *fd, 4096, 4096, HUP_WIN_READ), 0);
	CHECK_EQ(hup_view__map(view, (1u << 20) - 4096, *fd, 2 * 4096, 4096,
			       HUP_WIN_READ), 0);
	return view;
}

/*
 * A load through a pointer the program translated itself (`&= MASK;
 * += BASE`, maybe moved by a constant) needs no masking of the JIT's
 * when the view's guards mirror its ends: shorter code, the same bytes
 * as the interpreter's masked access, also past either end of the view
 * (around it) and in a hole (-EFAULT).  Where the JIT's own facts do not
 * show it (a path that skips the translation, an offset past the
 * mirrored guard, a view not mirrored) the access stays masked.
 */
static void test_view_direct(void)
{
	const uint64_t S = 1u << 20, P1 = 0x1111111111111111ull,
		       P2 = 0x1212121212121212ull;
	int fd;
	struct hup_view *view = small_view(&fd);
	const uint64_t base = (uint64_t)(uintptr_t)hup_view__base(view);
#define TRANSLATED(add, off)                                                    \
	LDX(BPF_DW, 1, 1, 0),                                                \
	LD_PATCHED(2, HUP_PSEUDO_VIEW_MASK, S - 1),                          \
	ALU64_REG(BPF_AND, 1, 2),                                            \
	LD_PATCHED(3, HUP_PSEUDO_VIEW_BASE, base),                           \
	ALU64_REG(BPF_ADD, 1, 3),                                            \
	ADD64_IMM(1, add),                                                   \
	LDX(BPF_DW, 0, 1, off),                                              \
	EXIT()
	const struct bpf_insn at0[] = {TRANSLATED(8, 0)};
	const struct bpf_insn above[] = {TRANSLATED(8, 16)};  /* past the top */
	const struct bpf_insn below[] = {TRANSLATED(8, -32)}; /* under 0 */
	/* 4 bytes past the mirrored guard; moved past it before the load */
	const struct bpf_insn far[] = {TRANSLATED(HUP_VIEW_GUARD - 4, 0)};
	const struct bpf_insn farther[] = {TRANSLATED(HUP_VIEW_GUARD + 8, 0)};
	/* r1 translated on one path only */
	const struct bpf_insn join[] = {
		LDX(BPF_DW, 1, 1, 0),
		LD_PATCHED(2, HUP_PSEUDO_VIEW_MASK, S - 1),
		LD_PATCHED(3, HUP_PSEUDO_VIEW_BASE, base),
		JMP_IMM(BPF_JGT, 1, 0x100000, 2),
		ALU64_REG(BPF_AND, 1, 2),
		ALU64_REG(BPF_ADD, 1, 3),
		LDX(BPF_DW, 0, 1, 0),
		EXIT(),
	};
#undef TRANSLATED
	size_t direct, masked;

	/* gva aliasing offset 0: +8 in page 1 */
	direct = view_run(view, at0, ARRAY_LEN(at0), 8, true, 5 * S, 0, P1);
	masked = view_run(view, at0, ARRAY_LEN(at0), 8, false, 5 * S, 0, P1);
	CHECK(direct && direct < masked);
	/* the top page's last 8 bytes + 16: offset 8 again, around the top */
	direct = view_run(view, above, ARRAY_LEN(above), 8, true, S - 16, 0, P1);
	masked = view_run(view, above, ARRAY_LEN(above), 8, false, S - 16, 0,
			  P1);
	CHECK(direct && direct < masked);
	/* 16 - 32 + 8: offset S - 8, under offset 0 */
	direct = view_run(view, below, ARRAY_LEN(below), 8, true, 16, 0, P2);
	CHECK(direct && direct < masked);
	/* straddling the top: 4 bytes of page 2, 4 of page 1 */
	view_run(view, at0, ARRAY_LEN(at0), 8, true, S - 12, 0,
		 0x1111111112121212ull);
	/* a hole, through a direct access and a masked one alike */
	view_run(view, at0, ARRAY_LEN(at0), 8, true, S / 2, -EFAULT, 0);
	/* beyond the mirrored guard: masked, even mirrored */
	direct = view_run(view, far, ARRAY_LEN(far), 8, true,
			  S - 4096 - HUP_VIEW_GUARD + 20, 0, P2);
	masked = view_run(view, far, ARRAY_LEN(far), 8, false,
			  S - 4096 - HUP_VIEW_GUARD + 20, 0, P2);
	CHECK(direct && direct == masked);
	direct = view_run(view, farther, ARRAY_LEN(farther), 8, true,
			  S - 4096 - HUP_VIEW_GUARD + 8, 0, P2);
	masked = view_run(view, farther, ARRAY_LEN(farther), 8, false,
			  S - 4096 - HUP_VIEW_GUARD + 8, 0, P2);
	CHECK(direct && direct == masked);
	/* the path that skips the translation: a host address five views
	 * up, masked back to offset 8 all the same */
	direct = view_run(view, join, ARRAY_LEN(join), 8, true,
			  base + 5 * S + 8, 0, P1);
	masked = view_run(view, join, ARRAY_LEN(join), 8, false,
			  base + 5 * S + 8, 0, P1);
	CHECK(direct && direct == masked);
	hup_view__free(view);
	close(fd);
}

/* ------------------------------------------------------- the seal pass */

static int verify_seal(struct bpf_insn *p, size_t cnt, char *buf,
		       size_t len)
{
	struct hup_load_opts lo = {.sz = sizeof(lo), .log_buf = buf,
				   .log_size = len};
	struct hup_mem_rec recs[MAXI] = {0};
	struct hup_verifier_opts vo = {.event = HUP_EVENT_TRACE, .recs = recs};
	struct hup_log log;
	int err;

	buf[0] = '\0';
	hup_log__init(&log, &lo);
	vo.log = &log;
	err = hup_verify(p, cnt, &vo, NULL);
	if (err)
		return err;
	return hup_seal(p, cnt, recs, cnt, 64, false, &log);
}

static void test_seal_rewrites(void)
{
	struct bpf_insn p[] = {
		MOV64_REG(5, 10),
		ALU64_IMM(BPF_ADD, 5, -16),
		ST(BPF_W, 5, 4, 1),          /* fp-12 */
		MOV64_REG(2, 1),
		ALU64_IMM(BPF_ADD, 2, 16),
		LDX(BPF_W, 0, 2, 0),         /* ctx + 16 */
		MOV64_REG(1, 10),
		ALU64_IMM(BPF_ADD, 1, -16),
		CALL_LOCAL(1),
		EXIT(),
		ST(BPF_DW, 1, 0, 3),         /* caller's fp-16 */
		MOV64_IMM(0, 0),
		EXIT(),
	};
	char buf[256];

	CHECK_EQ(verify_seal(p, ARRAY_LEN(p), buf, sizeof(buf)), 0);
	CHECK_EQ(p[2].dst_reg, 10);
	CHECK_EQ(p[2].off, -12);
	CHECK_EQ(p[5].src_reg, HUP_REG_CTX);
	CHECK_EQ(p[5].off, 16);
	CHECK_EQ(p[10].dst_reg, 10);
	CHECK_EQ(p[10].off, 512 - 16);
}

static void test_seal_disagree(void)
{
	/* fp-8 on one path, fp-16 on the other */
	struct bpf_insn off[] = {
		LDX(BPF_W, 3, 1, 16),
		MOV64_REG(5, 10),
		JMP_IMM(BPF_JEQ, 3, 0, 1),
		ALU64_IMM(BPF_ADD, 5, -8),
		ST(BPF_DW, 5, -8, 1),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	/* ctx on one path, stack on the other */
	struct bpf_insn region[] = {
		ST(BPF_DW, 10, -8, 0),
		LDX(BPF_W, 3, 1, 16),
		MOV64_REG(5, 1),
		ALU64_IMM(BPF_ADD, 5, 16),
		JMP_IMM(BPF_JEQ, 3, 0, 2),
		MOV64_REG(5, 10),
		ALU64_IMM(BPF_ADD, 5, -8),
		LDX(BPF_W, 0, 5, 0),
		EXIT(),
	};
	/* an empty helper buffer at the frame's top */
	struct bpf_insn top[] = {
		MOV64_REG(1, 10),
		MOV64_IMM(2, 0),
		CALL_HELPER(HUP_FN_debug_print),
		MOV64_IMM(0, 0),
		EXIT(),
	};
	char buf[256];

	CHECK_EQ(verify_seal(off, ARRAY_LEN(off), buf, sizeof(buf)), -EACCES);
	CHECK(!strncmp(buf, "4: R5 points to the stack 0 frame(s) up, off ", 45) &&
	      strstr(buf, "on another path (one static location per access)"));
	CHECK_EQ(verify_seal(region, ARRAY_LEN(region), buf, sizeof(buf)),
		 -EACCES);
	CHECK(!strncmp(buf, "7: R5 points to ", 16) && strstr(buf, "ctx, off 16"));
	CHECK_EQ(verify_seal(top, ARRAY_LEN(top), buf, sizeof(buf)), -EACCES);
	CHECK(!strncmp(buf, "2: R1 stack buffer at off=0: no room in the frame", 48));
}

/* An access the walk never reached (a branch believed dead) traps. */
/*
 * A conditional jump every path took the same way becomes a ja that way:
 * taken (the verifier knew r3 = 1), not taken (r4 = 0), and one it could
 * not decide (a ctx word) stays.  Then r3 holds what the verifier
 * did NOT believe (a value-domain bug, simulated by editing the constant
 * after the seal): both engines still follow the proven path.
 */
static void test_seal_hard_wired(void)
{
	struct bpf_insn p[] = {
		MOV64_IMM(3, 1),
		JMP_IMM(BPF_JEQ, 3, 1, 2),   /* always taken */
		MOV64_IMM(0, 7),
		EXIT(),
		MOV64_IMM(4, 0),
		JMP32_IMM(BPF_JNE, 4, 0, 2), /* never taken (its target is
					      * reached, from insn 7) */
		LDX(BPF_W, 5, 1, 16),
		JMP_IMM(BPF_JEQ, 5, 0, 2),   /* undecided: stays */
		MOV64_IMM(0, 3),
		EXIT(),
		MOV64_IMM(0, 5),
		EXIT(),
	};
	uint8_t ctx[64] = {0};
	char buf[256];
	int err;

	CHECK_EQ(verify_seal(p, ARRAY_LEN(p), buf, sizeof(buf)), 0);
	CHECK_EQ(p[1].code, BPF_JMP | BPF_JA);
	CHECK_EQ(p[1].off, 2);
	CHECK_EQ(p[5].code, BPF_JMP | BPF_JA);
	CHECK_EQ(p[5].off, 0);
	CHECK_EQ(p[7].code, BPF_JMP | BPF_JEQ | BPF_K);
	p[0].imm = 0; /* would fall to r0 = 7 */
	p[4].imm = 1; /* would jump to r0 = 3 */
	CHECK_EQ(hup_interp__run_confined(p, ARRAY_LEN(p), &helpers,
					  &sealed_no_view,
					  (uint64_t)(uintptr_t)ctx, 0, &err),
		 5);
	CHECK_EQ(err, 0);
	{
		struct hup_jit_image img;

		CHECK_EQ(hup_jit__compile_confined(p, ARRAY_LEN(p), &helpers,
						   &sealed_no_view, &img, NULL), 0);
		if (img.entry) {
			CHECK_EQ(img.entry((uint64_t)(uintptr_t)ctx, 0), 5);
			hup_jit__free(&img);
		}
	}
}

static void test_seal_trap(void)
{
	struct bpf_insn p[] = {
		MOV64_IMM(3, 0),
		JMP_IMM(BPF_JNE, 3, 0, 2),
		MOV64_IMM(0, 0),
		EXIT(),
		LDX(BPF_DW, 0, 7, 0),   /* r7: never written */
		EXIT(),
	};
	char buf[256];
	int err;

	CHECK_EQ(verify_seal(p, ARRAY_LEN(p), buf, sizeof(buf)), 0);
	CHECK_EQ(p[4].code, BPF_JMP | BPF_CALL);
	CHECK_EQ(p[4].imm, HUP_SEAL_TRAP_ID);
	/* the branch no path took is hard-wired (test_seal_hard_wired); put
	 * it back and run from the dead branch on: the interpreter aborts */
	CHECK_EQ(p[1].code, BPF_JMP | BPF_JA);
	p[1] = (struct bpf_insn)JMP_IMM(BPF_JNE, 3, 0, 2);
	p[0].imm = 1;
	CHECK_EQ(hup_interp__run_confined(p, ARRAY_LEN(p), &helpers,
					  &sealed_no_view, 0, 0, &err), 0);
	CHECK_EQ(err, -EINVAL);
	{
		struct hup_jit_image img;

		CHECK_EQ(hup_jit__compile_confined(p, ARRAY_LEN(p), &helpers,
						   &sealed_no_view, &img, NULL), 0);
		if (img.entry) {
			aborts = 0;
			CHECK_EQ(img.entry(0, 0), 0); /* the JIT's abort: r0 = 0 */
			CHECK_EQ(aborts, 1);
			hup_jit__free(&img);
		}
	}
}

int main(void)
{
	RUN(test_stack_wrong_value);
	RUN(test_stack_frame_up);
	RUN(test_stack_frame_up_past_entry);
	RUN(test_frames_cleared);
	RUN(test_light_callee);
	RUN(test_ctx_wrong_value);
	RUN(test_view_masked);
	RUN(test_helper_remat);
	RUN(test_read_inlined);
	RUN(test_output_inlined);
	RUN(test_view_direct);
	RUN(test_seal_rewrites);
	RUN(test_seal_disagree);
	RUN(test_seal_hard_wired);
	RUN(test_seal_trap);
	return check_exit();
}
