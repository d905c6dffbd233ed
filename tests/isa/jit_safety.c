/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the JIT promises the host beyond computing the right values: the
 * image is never writable and executable at once; host callee-saved
 * registers survive every way out of a run (exit, abort from deep frames);
 * BPF-to-BPF call depth is bounded at run time; callx and calls of missing
 * helpers end the run with r0 = 0 instead of jumping anywhere; falling off
 * the end does the same; division traps are impossible; a frame's stack
 * starts zeroed; long programs get near jumps right; and what it does not
 * handle is refused with -EOPNOTSUPP and a log line naming the insn.
 * Every run is also checked against the interpreter.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "hup_check.h"
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"



#include "hup_insn.h"
#include "../include/callee_saved_call.h"

static uint64_t helper_add(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			   uint64_t r5)
{
	return r1 + r2 + r3 + r4 + r5;
}

/* ids 0 and 2 are holes */
static const hup_helper_fn fns[4] = {[1] = helper_add, [3] = helper_add};
static const struct hup_helper_table helpers = {.fns = fns, .nr = 4};

/* Is [p, p + len) mapped r-x and not w, per /proc/self/maps? */
static int mapping_is_rx(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;
	char line[512], perms[8];
	int ok = -1;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s", &lo, &hi,
			   perms) != 3)
			continue;
		if (a >= lo && a + len <= hi)
			ok = perms[0] == 'r' && perms[1] == '-' &&
			     perms[2] == 'x';
	}
	fclose(f);
	return ok;
}

/*
 * Compile and run prog under the JIT (through the register checker) and
 * the interpreter; both must give expect.  Returns the JIT's r0.
 */
static uint64_t run(const char *what, const struct bpf_insn *prog,
		    size_t cnt, uint64_t r1, uint64_t expect)
{
	struct hup_jit_image img;
	uint64_t regs[6], r0, ir0;
	int err, ret = hup_jit__compile(prog, cnt, &helpers, &img, NULL);

	CHECK_MSG(!ret, "%s: compile: %d", what, ret);
	if (ret)
		return 0;
	CHECK_MSG(mapping_is_rx(img.mem, img.mem_len) == 1,
	      "%s: image not mapped r-x only", what);
	{
		const uint64_t args[5] = {r1, 0, 0, 0, 0};

		r0 = callee_saved_call((const void *)img.entry, args, regs);
	}
	hup_jit__free(&img);
	CHECK_MSG(r0 == expect, "%s: jit r0 %#" PRIx64 ", expected %#" PRIx64,
	      what, r0, expect);
	for (int k = 0; k < 6; k++)
		CHECK_MSG(regs[k] == CALLEE_SAVED_SENTINEL(k),
		      "%s: host callee-saved register %d clobbered: %#" PRIx64,
		      what, k, regs[k]);
	ir0 = hup_interp__run(prog, cnt, &helpers, r1, 0, &err);
	CHECK_MSG(ir0 == expect, "%s: interp r0 %#" PRIx64, what, ir0);
	return r0;
}

/* A chain of `depth` nested BPF-to-BPF calls; the innermost returns 100,
 * every level adds 1 on the way out. */
static void test_call_depth(void)
{
	struct bpf_insn prog[64];
	char what[64];

	for (unsigned int depth = 1; depth <= HUP_MAX_CALL_DEPTH + 2; depth++) {
		size_t n = 0;

		for (unsigned int f = 0; f < depth; f++) {
			prog[n++] = CALL_LOCAL(2); /* to the next function */
			prog[n++] = ADD64_IMM(0, 1);
			prog[n++] = EXIT();
		}
		prog[n++] = MOV64_IMM(0, 100);
		prog[n++] = EXIT();
		snprintf(what, sizeof(what), "depth %u", depth);
		/* main + depth callees = depth + 1 frames */
		run(what, prog, n, 0,
		    depth + 1 <= HUP_MAX_CALL_DEPTH ? 100 + depth : 0);
	}
	/* Unbounded recursion: main calls itself. */
	prog[0] = MOV64_IMM(0, 7);
	prog[1] = CALL_LOCAL(-2);
	prog[2] = EXIT();
	run("recursion", prog, 3, 0, 0);
}

static void test_helpers(void)
{
	struct bpf_insn prog[] = {
		MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3),
		MOV64_IMM(4, 4), MOV64_IMM(5, 5), CALL_HELPER(1), EXIT(),
	};
	static const int64_t bad_ids[] = {0, 2, 4, 5, 1000, -1, INT64_MIN};
	char what[64];

	run("helper 1", prog, 7, 0, 15);
	prog[5] = CALL_HELPER(0);
	run("missing helper 0", prog, 7, 0, 0);
	prog[5] = CALL_HELPER(-1);
	run("missing helper -1", prog, 7, 0, 0);

	/* callx through r6 */
	{
		struct bpf_insn px[] = {
			INSN(BPF_LD | BPF_IMM | BPF_DW, 6, 0, 0, 0),
			INSN(0, 0, 0, 0, 0),
			MOV64_IMM(1, 10), MOV64_IMM(2, 20), MOV64_IMM(3, 0),
			MOV64_IMM(4, 0), MOV64_IMM(5, 0), CALLX(6), EXIT(),
		};

		px[0].imm = 3;
		run("callx 3", px, 9, 0, 30);
		for (size_t k = 0; k < sizeof(bad_ids) / sizeof(bad_ids[0]); k++) {
			px[0].imm = (int32_t)(uint32_t)bad_ids[k];
			px[1].imm = (int32_t)((uint64_t)bad_ids[k] >> 32);
			snprintf(what, sizeof(what), "callx bad id %" PRId64,
				 bad_ids[k]);
			run(what, px, 9, 0, 0);
		}
	}
	/* callx from inside a callee: the abort unwinds every frame */
	{
		struct bpf_insn pd[] = {
			MOV64_IMM(0, 1), CALL_LOCAL(1), EXIT(),
			MOV64_IMM(6, 99), CALL_LOCAL(1), EXIT(),
			CALLX(6), EXIT(),
		};

		run("callx abort from depth 3", pd, 8, 0, 0);
	}
}

static void test_edges(void)
{
	struct bpf_insn fall[] = {MOV64_IMM(0, 5)};
	/* Reads a stack slot nobody wrote: both engines give 0. */
	struct bpf_insn stack[] = {
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, -504, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, 10, -8, 0),
		INSN(BPF_ALU64 | BPF_OR | BPF_X, 0, 1, 0, 0), EXIT(),
	};
	/* INT64_MIN / -1 and % -1, signed, through every path */
	struct bpf_insn sdiv[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 3, 0, 0, 0),
		INSN(0, 0, 0, 0, (int32_t)0x80000000),
		MOV64_IMM(4, -1),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 3, 0, 0),
		INSN(BPF_ALU64 | BPF_DIV | BPF_X, 0, 4, 1, 0),  /* r0 /= r4 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 5, 3, 0, 0),
		INSN(BPF_ALU64 | BPF_MOD | BPF_X, 5, 4, 1, 0),  /* r5 %= r4 */
		INSN(BPF_ALU64 | BPF_OR | BPF_X, 0, 5, 0, 0),
		INSN(BPF_ALU | BPF_MOV | BPF_K, 3, 0, 0, INT32_MIN),
		INSN(BPF_ALU | BPF_DIV | BPF_X, 3, 4, 1, 0),    /* w3 /= w4 */
		INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0),
		INSN(BPF_ALU | BPF_DIV | BPF_K, 3, 0, 1, -1),   /* w3 /= -1 */
		INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0),
		EXIT(),
	};
	struct bpf_insn *big;
	uint64_t mask;
	size_t n = 0;

	run("fall off the end", fall, 1, 0, 0);
	{
		/* leave junk on the native stack below us */
		volatile unsigned char junk[4096];

		memset((void *)junk, 0xee, sizeof(junk));
	}
	run("uninitialised stack reads 0", stack, 4, 0, 0);
	run("INT_MIN / -1", sdiv, 14, 0,
	    0x8000000000000000ull + 0x80000000ull + 0x80000000ull);

	/* 4,096 insns: a conditional jump across 4,000 of them (rel32),
	 * then a backward-free tail */
	big = calloc(4096, sizeof(*big));
	if (!big)
		return;
	big[n++] = MOV64_IMM(0, 0);
	big[n++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 4000, 1);
	for (int k = 0; k < 4000; k++)
		big[n++] = ADD64_IMM(0, 1);
	while (n < 4095)
		big[n++] = INSN(BPF_ALU64 | BPF_XOR | BPF_K, 0, 0, 0, 0x10000);
	big[n++] = EXIT();
	mask = (4095 - 4002) % 2 ? 0x10000 : 0; /* the tail's xors */
	run("4096 insns, taken long jump", big, n, 1, mask);
	run("4096 insns, not taken", big, n, 0, 4000 ^ mask);
	free(big);
}

static void expect_refused(const char *what, const struct bpf_insn *prog,
			   size_t cnt, const char *log_prefix)
{
	char buf[1024];
	struct hup_load_opts opts = {.sz = sizeof(opts), .log_buf = buf,
				     .log_size = sizeof(buf)};
	struct hup_log log;
	struct hup_jit_image img;
	int ret;

	hup_log__init(&log, &opts);
	ret = hup_jit__compile(prog, cnt, &helpers, &img, &log);
	CHECK_MSG(ret == -EOPNOTSUPP, "%s: compile gave %d", what, ret);
	CHECK_MSG(!img.entry && !img.mem, "%s: image left behind", what);
	CHECK_MSG(!strncmp(buf, log_prefix, strlen(log_prefix)),
	      "%s: log \"%s\" does not start with \"%s\"", what, buf,
	      log_prefix);
}

static void test_refusals(void)
{
	struct bpf_insn p[3];

	p[0] = MOV64_IMM(10, 1);
	p[1] = EXIT();
	expect_refused("write r10", p, 2, "0: jit: write to r10");
	p[0] = INSN(BPF_LDX | BPF_MEM | BPF_DW, 10, 1, 0, 0);
	expect_refused("load into r10", p, 2, "0: jit: load into r10");
	p[0] = INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 10, 0, BPF_XCHG);
	expect_refused("xchg into r10", p, 2, "0: jit: atomic fetch into r10");
	p[0] = INSN(BPF_JMP | BPF_JA, 0, 0, 5, 0);
	expect_refused("jump out", p, 2, "0: jit: jump target");
	p[0] = INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1);
	expect_refused("truncated ldimm64", p, 1, "0: jit: malformed ldimm64");
	p[1] = INSN(0, 0, 0, 0, 0);
	p[2] = INSN(BPF_JMP | BPF_JA, 0, 0, -2, 0);
	expect_refused("jump into ldimm64", p, 3, "2: jit: jump target");
	p[0] = MOV64_IMM(0, 0);
	p[1] = INSN(0xff, 0, 0, 0, 0);
	p[2] = EXIT();
	expect_refused("bad opcode", p, 3, "1: jit: ");
	p[1] = INSN(BPF_JMP | BPF_CALL, 0, 2, 0, 1); /* kfunc call */
	expect_refused("kfunc call", p, 3, "1: jit: unknown call kind");
	p[1] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 7, 0);
	expect_refused("movsx width 7", p, 3, "1: jit: bad movsx width");
	p[1] = INSN(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16);
	expect_refused("alu64 to_be", p, 3, "1: jit: bad byte swap");
	p[1] = INSN(BPF_STX | BPF_ATOMIC | BPF_H, 10, 0, -8, BPF_ADD);
	expect_refused("atomic16", p, 3, "1: jit: bad atomic width");
}

int main(void)
{
	test_call_depth();
	test_helpers();
	test_edges();
	test_refusals();
	if (check_failures) {
		printf("jit safety: %d failure(s)\n", check_failures);
		return 1;
	}
	printf("jit safety: all passed\n");
	return 0;
}
