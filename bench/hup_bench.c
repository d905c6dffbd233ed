/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libhup benchmarks (not a test): side-by-side ratios of the JIT against
 * the interpreter and, where the running kernel lets us load and
 * BPF_PROG_TEST_RUN a socket filter, against the Linux kernel's JIT on the
 * very same bytecode; the fixed cost of invoking a program; JIT (and,
 * when libhup has a verifier, verify + JIT) time against program size.
 * Results and method: docs/bench-libhup.md.
 *
 * usage: hup_bench [-q]   (-q: fewer repetitions, for a smoke run)
 *
 * Every timing is the median of REPS batches; a batch runs the program
 * enough times to last about BATCH_NS, so clock overhead vanishes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>

/* White-box: the engines' own entry points (confined interpreter runs,
 * JIT compiles), below libhup's public API, are what this measures. */
#include "clock.h"
#include "engine.h"
#include "helpers.h"
#include "hup_insn.h"

static unsigned int REPS = 9;
static uint64_t BATCH_NS = 20 * 1000 * 1000;

struct prog {
	const char *name;
	const char *what;
	struct bpf_insn insns[HUP_MAX_INSNS];
	size_t cnt;
	int kernel_ok; /* same bytecode is a valid socket filter */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------ programs */

/* 10,000 iterations of shifts, xor, add, mul. */
static void build_loop_alu(struct prog *p)
{
	size_t n = 0;

	p->name = "loop-alu";
	p->what = "10k iterations: shift, xor, add, mul";
	p->insns[n++] = ALU64_IMM(BPF_MOV, 0, 0);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 2, 10000);
	/* loop: */
	p->insns[n++] = ALU64_REG(BPF_MOV, 3, 2);
	p->insns[n++] = ALU64_IMM(BPF_LSH, 3, 3);
	p->insns[n++] = ALU64_REG(BPF_XOR, 0, 3);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 2);
	p->insns[n++] = ALU64_IMM(BPF_MUL, 0, 0x9e37);
	p->insns[n++] = ALU64_IMM(BPF_SUB, 2, 1);
	p->insns[n++] = JMP_IMM(BPF_JNE, 2, 0, -7);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 1;
}

/* 10,000 iterations of four independent mixing chains: throughput-bound,
 * the shape of hashing or bitmap scanning. */
static void build_loop_ilp(struct prog *p)
{
	size_t n = 0;

	p->name = "loop-ilp";
	p->what = "10k iterations: 4 independent add/xor/shift chains";
	for (uint8_t r = 3; r <= 6; r++)
		p->insns[n++] = ALU64_IMM(BPF_MOV, r, r * 77);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 2, 10000);
	/* loop: */
	for (uint8_t r = 3; r <= 6; r++) {
		p->insns[n++] = ALU64_REG(BPF_ADD, r, 2);
		p->insns[n++] = ALU64_IMM(BPF_XOR, r, 0x5bd1e995);
		p->insns[n++] = ALU64_IMM(BPF_LSH, r, 1);
		p->insns[n++] = ALU32_IMM(BPF_AND, r, 0x7fffffff);
	}
	p->insns[n++] = ALU64_IMM(BPF_SUB, 2, 1);
	p->insns[n++] = JMP_IMM(BPF_JNE, 2, 0, -18);
	p->insns[n++] = ALU64_REG(BPF_MOV, 0, 3);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 4);
	p->insns[n++] = ALU64_REG(BPF_XOR, 0, 5);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 6);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 1;
}

/* 10,000 iterations of unsigned div and mod by the counter. */
static void build_loop_div(struct prog *p)
{
	size_t n = 0;

	p->name = "loop-div";
	p->what = "10k iterations: div, mod";
	p->insns[n++] = ALU64_IMM(BPF_MOV, 0, 0);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 2, 10000);
	/* loop: */
	p->insns[n++] = ALU64_IMM(BPF_MOV, 3, 1000003);
	p->insns[n++] = ALU64_REG(BPF_DIV, 3, 2);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 3);
	p->insns[n++] = ALU64_REG(BPF_MOV, 4, 0);
	p->insns[n++] = ALU64_REG(BPF_MOD, 4, 2);
	p->insns[n++] = ALU64_REG(BPF_XOR, 0, 4);
	p->insns[n++] = ALU64_IMM(BPF_SUB, 2, 1);
	p->insns[n++] = JMP_IMM(BPF_JNE, 2, 0, -8);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 1;
}

/* 10,000 iterations of stack loads and stores. */
static void build_loop_stack(struct prog *p)
{
	size_t n = 0;

	p->name = "loop-stack";
	p->what = "10k iterations: stack load/store";
	p->insns[n++] = ST(BPF_DW, 10, -8, 1);
	p->insns[n++] = ST(BPF_DW, 10, -16, 2);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 2, 10000);
	/* loop: */
	p->insns[n++] = LDX(BPF_DW, 3, 10, -8);
	p->insns[n++] = ALU64_REG(BPF_ADD, 3, 2);
	p->insns[n++] = STX(BPF_DW, 10, 3, -8);
	p->insns[n++] = LDX(BPF_W, 4, 10, -16);
	p->insns[n++] = ALU64_REG(BPF_XOR, 4, 3);
	p->insns[n++] = STX(BPF_W, 10, 4, -16);
	p->insns[n++] = ALU64_IMM(BPF_SUB, 2, 1);
	p->insns[n++] = JMP_IMM(BPF_JNE, 2, 0, -8);
	p->insns[n++] = LDX(BPF_DW, 0, 10, -8);
	p->insns[n++] = LDX(BPF_W, 4, 10, -16);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 4);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 1;
}

/* Checksum of the 4 KiB input through r1 (not a socket filter). */
static void build_loop_mem(struct prog *p)
{
	size_t n = 0;

	p->name = "loop-mem";
	p->what = "512 iterations: 8-byte loads from the input";
	p->insns[n++] = ALU64_IMM(BPF_MOV, 0, 0);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 2, 512);
	/* loop: */
	p->insns[n++] = LDX(BPF_DW, 3, 1, 0);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 3);
	p->insns[n++] = ALU64_REG(BPF_MOV, 4, 0);
	p->insns[n++] = ALU64_IMM(BPF_RSH, 4, 51);
	p->insns[n++] = ALU64_IMM(BPF_LSH, 0, 13);
	p->insns[n++] = ALU64_REG(BPF_OR, 0, 4);
	p->insns[n++] = ALU64_IMM(BPF_ADD, 1, 8);
	p->insns[n++] = ALU64_IMM(BPF_SUB, 2, 1);
	p->insns[n++] = JMP_IMM(BPF_JNE, 2, 0, -9);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 0;
}

/* Dependent loads: each address comes from the previous load, so the
 * confined engines' masking (-c) sits on the critical path. */
static void build_loop_chase(struct prog *p)
{
	size_t n = 0;

	p->name = "loop-chase";
	p->what = "512 dependent 8-byte loads from the input";
	p->insns[n++] = ALU64_IMM(BPF_MOV, 0, 0);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 2, 512);
	p->insns[n++] = ALU64_REG(BPF_MOV, 4, 1);
	/* loop: */
	p->insns[n++] = LDX(BPF_DW, 3, 4, 0);
	p->insns[n++] = ALU64_REG(BPF_ADD, 0, 3);
	p->insns[n++] = ALU64_IMM(BPF_AND, 3, 0xff8);
	p->insns[n++] = ALU64_REG(BPF_MOV, 4, 1);
	p->insns[n++] = ALU64_REG(BPF_ADD, 4, 3);
	p->insns[n++] = ALU64_IMM(BPF_SUB, 2, 1);
	p->insns[n++] = JMP_IMM(BPF_JNE, 2, 0, -7);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 0;
}

/*
 * Straight-line code of exactly cnt insns, the shape of a verified guest
 * program: every register and 64 bytes of stack written first, then ALU
 * ops, stack traffic and short forward branches, then exit.
 */
static size_t build_straight(struct bpf_insn *insns, size_t cnt, uint64_t seed)
{
	static const uint8_t ops[] = {BPF_ADD, BPF_SUB, BPF_XOR, BPF_OR,
				      BPF_AND, BPF_MUL};
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
	size_t n = 0;

#define RND(m) ((s = s * 6364136223846793005ull + 1442695040888963407ull), \
		(uint32_t)(s >> 33) % (m))
	for (uint8_t r = 0; r <= 9; r++)
		insns[n++] = ALU64_IMM(BPF_MOV, r, (int32_t)(r * 0x01010101u));
	for (int16_t off = -8; off >= -64; off -= 8)
		insns[n++] = ST(BPF_DW, 10, off, off);
	while (n < cnt - 1) {
		uint8_t d = (uint8_t)RND(10), sr = (uint8_t)RND(10);
		int16_t off = (int16_t)(-8 * (1 + (int)RND(8)));

		switch (RND(8)) {
		case 0:
		case 1:
			insns[n++] = ALU64_REG(ops[RND(6)], d, sr);
			break;
		case 2: {
			/* One RND per statement: it updates s. */
			uint8_t op = ops[RND(6)];
			int32_t imm = (int32_t)RND(1000) + 1;

			insns[n++] = ALU32_IMM(op, d, imm);
			break;
		}
		case 3: {
			uint8_t op = RND(2) ? BPF_LSH : BPF_RSH;
			int32_t imm = (int32_t)RND(64);

			insns[n++] = ALU64_IMM(op, d, imm);
			break;
		}
		case 4:
			insns[n++] = LDX(BPF_DW, d, 10, off);
			break;
		case 5:
			insns[n++] = STX(BPF_DW, 10, sr, off);
			break;
		case 6:
			insns[n++] = ALU64_IMM(BPF_DIV, d, (int32_t)RND(100) + 1);
			break;
		default: {
			/* forward, at most to the exit */
			int16_t skip = (int16_t)RND(3);

			if (n + 1 + (size_t)skip > cnt - 1)
				skip = (int16_t)(cnt - 2 - n);
			insns[n++] = INSN(BPF_JMP | BPF_JGT | BPF_X, d, sr, skip, 0);
			break;
		}
		}
	}
	insns[n++] = EXIT();
#undef RND
	return n;
}

static void build_straight_prog(struct prog *p)
{
	p->name = "straight";
	p->what = "300 insns straight-line: ALU, stack, fwd branches";
	p->cnt = build_straight(p->insns, 300, 7);
	p->kernel_ok = 1;
}

static void build_empty(struct prog *p)
{
	p->name = "empty";
	p->what = "r0 = 0; exit: the fixed cost of a run";
	p->insns[0] = ALU64_IMM(BPF_MOV, 0, 0);
	p->insns[1] = EXIT();
	p->cnt = 2;
	p->kernel_ok = 1;
}

/* r0 = loop(1, cb, 0, 0), cb returning 1: the empty program's work plus
 * one loop, so not straight (hup_insns__straight): its run after idleness
 * wakes the budget watchdog, as any program with a loop does. */
static void build_one_loop(struct prog *p)
{
	size_t n = 0, ld;

	p->name = "one-loop";
	p->what = "one HUP_FN_loop iteration: a program that is not straight";
	p->insns[n++] = ALU64_IMM(BPF_MOV, 1, 1);
	ld = n;
	p->insns[n++] = INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 0);
	p->insns[n++] = INSN(0, 0, 0, 0, 0);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 3, 0);
	p->insns[n++] = ALU64_IMM(BPF_MOV, 4, 0);
	p->insns[n++] = CALL_HELPER(HUP_FN_loop);
	p->insns[n++] = EXIT();
	p->insns[ld].imm = (int32_t)(n - (ld + 1));
	p->insns[n++] = ALU64_IMM(BPF_MOV, 0, 1);
	p->insns[n++] = EXIT();
	p->cnt = n;
	p->kernel_ok = 0;
}

/* ----------------------------------------------------------- engines */

static unsigned char input[4096];

static const hup_helper_fn no_fns[1];
static const struct hup_helper_table no_helpers = {.fns = no_fns, .nr = 0};

/*
 * -c: run confined as a sealed program is (engine.h): the input is the
 * "view" (base = input, mask = 4 KiB - 1), so every load through r1 is
 * masked; r10 accesses are what a sealed program's stack accesses are.
 * NULL: the unconfined engines, as the conformance suite runs them.
 */
static struct hup_confine bench_conf_c;
static const struct hup_confine *bench_conf;

/* Median ns per run of `runs` back-to-back runs. */
static double time_interp(const struct prog *p, uint64_t *r0)
{
	double v[64];
	uint64_t iters = 1, t;
	int err;

	/* calibrate: grow until one batch lasts BATCH_NS / 4 */
	for (;;) {
		t = now_ns();
		for (uint64_t k = 0; k < iters; k++)
			*r0 = hup_interp__run_confined(p->insns, p->cnt,
						       &no_helpers, bench_conf,
						       (uint64_t)(uintptr_t)input,
						       sizeof(input), &err);
		if (now_ns() - t > BATCH_NS / 4)
			break;
		iters *= 2;
	}
	iters *= 4;
	for (unsigned int r = 0; r < REPS; r++) {
		t = now_ns();
		for (uint64_t k = 0; k < iters; k++)
			*r0 = hup_interp__run_confined(p->insns, p->cnt,
						       &no_helpers, bench_conf,
						       (uint64_t)(uintptr_t)input,
						       sizeof(input), &err);
		v[r] = (double)(now_ns() - t) / (double)iters;
	}
	return median(v, REPS);
}

static double time_jit(const struct prog *p, uint64_t *r0)
{
	struct hup_jit_image img;
	hup_jit_entry fn;
	double v[64];
	uint64_t iters = 1, t;
	int ret = hup_jit__compile_confined(p->insns, p->cnt, &no_helpers,
					    bench_conf, &img, NULL);

	if (ret) {
		fprintf(stderr, "%s: jit compile failed: %d\n", p->name, ret);
		return -1;
	}
	fn = img.entry;
	for (;;) {
		t = now_ns();
		for (uint64_t k = 0; k < iters; k++)
			*r0 = fn((uint64_t)(uintptr_t)input, sizeof(input));
		if (now_ns() - t > BATCH_NS / 4)
			break;
		iters *= 2;
	}
	iters *= 4;
	for (unsigned int r = 0; r < REPS; r++) {
		t = now_ns();
		for (uint64_t k = 0; k < iters; k++)
			*r0 = fn((uint64_t)(uintptr_t)input, sizeof(input));
		v[r] = (double)(now_ns() - t) / (double)iters;
	}
	hup_jit__free(&img);
	return median(v, REPS);
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static char kernel_skip[256];

/*
 * The kernel's JIT on the same bytecode: load it as a socket filter and
 * BPF_PROG_TEST_RUN it; wall time of `repeat` runs in one syscall, so the
 * syscall itself is amortised away (the kernel's per-run loop overhead,
 * a few ns, is not: it is part of what running a kernel program costs).
 */
static double time_kernel(const struct prog *p, uint32_t *retval)
{
	static char log[65536];
	unsigned char pkt[64] = {0};
	union bpf_attr attr;
	double v[64];
	uint32_t repeat = 1;
	uint64_t t;
	int fd;

	/* without a log first: a long verifier log alone can fail the load */
	for (int pass = 0; pass < 2; pass++) {
		memset(&attr, 0, sizeof(attr));
		attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		attr.insns = (uint64_t)(uintptr_t)p->insns;
		attr.insn_cnt = (uint32_t)p->cnt;
		attr.license = (uint64_t)(uintptr_t)"GPL";
		if (pass) {
			attr.log_buf = (uint64_t)(uintptr_t)log;
			attr.log_size = sizeof(log);
			attr.log_level = 1;
		}
		fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0)
			break;
	}
	if (fd < 0) {
		int err = errno;
		size_t len = strlen(log);
		char *last;

		/* the verifier's last log line says why */
		while (len && log[len - 1] == '\n')
			log[--len] = '\0';
		last = strrchr(log, '\n');
		snprintf(kernel_skip, sizeof(kernel_skip),
			 "%s: BPF_PROG_LOAD: %s%s%.120s", p->name, strerror(err),
			 len ? ": " : "", last ? last + 1 : log);
		return -1;
	}
	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = (uint32_t)fd;
		attr.test.data_in = (uint64_t)(uintptr_t)pkt;
		attr.test.data_size_in = sizeof(pkt);
		attr.test.repeat = repeat;
		t = now_ns();
		if (sys_bpf(BPF_PROG_TEST_RUN, &attr)) {
			snprintf(kernel_skip, sizeof(kernel_skip),
				 "BPF_PROG_TEST_RUN: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (now_ns() - t > BATCH_NS / 4 || repeat >= (1u << 28))
			break;
		repeat *= 2;
	}
	repeat = repeat <= (1u << 28) / 4 ? repeat * 4 : repeat;
	for (unsigned int r = 0; r < REPS; r++) {
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = (uint32_t)fd;
		attr.test.data_in = (uint64_t)(uintptr_t)pkt;
		attr.test.data_size_in = sizeof(pkt);
		attr.test.repeat = repeat;
		t = now_ns();
		sys_bpf(BPF_PROG_TEST_RUN, &attr);
		v[r] = (double)(now_ns() - t) / (double)repeat;
		*retval = attr.test.retval;
	}
	close(fd);
	return median(v, REPS);
}

/*
 * The fixed cost of hup_prog__run() on the empty program: argument checks,
 * the helpers' run state, the guarded section (sigsetjmp), the run budget
 * and two clock reads, on top of the engine call timed above.
 */
static double time_prog_run(const struct prog *p, bool no_jit,
			    uint32_t budget_us)
{
	struct hup_load_opts o = {.sz = sizeof(o), .no_jit = no_jit,
				  .budget_us = budget_us};
	struct hup_trace_ctx ctx = {0};
	struct hup_run_result res;
	struct hup_prog *prog;
	double v[64];
	uint64_t iters = 1, t;

	if (hup_prog__load(p->insns, p->cnt, HUP_EVENT_TRACE, &o, &prog))
		return -1;
	for (;;) {
		t = now_ns();
		for (uint64_t k = 0; k < iters; k++)
			hup_prog__run(prog, &ctx, sizeof(ctx), NULL, &res);
		if (now_ns() - t > BATCH_NS / 4)
			break;
		iters *= 2;
	}
	iters *= 4;
	for (unsigned int r = 0; r < REPS; r++) {
		t = now_ns();
		for (uint64_t k = 0; k < iters; k++)
			hup_prog__run(prog, &ctx, sizeof(ctx), NULL, &res);
		v[r] = (double)(now_ns() - t) / (double)iters;
	}
	hup_prog__free(prog);
	return median(v, REPS);
}

/*
 * One run after the process ran nothing for a while: libhup's budget
 * watchdog has stretched its sleep (budget.h, HUP_BUDGET_TICK_IDLE_MAX_NS)
 * and the run wakes it (one futex syscall), which a run in a busy stream
 * never pays.  A rarely firing event (an MSR write) pays it each time.
 * Median of single runs IDLE_RUNS apart by IDLE_GAP_MS.
 */
#define IDLE_RUNS 15
#define IDLE_GAP_MS 150

static double time_prog_run_idle(const struct prog *p, uint32_t budget_us)
{
	struct hup_load_opts o = {.sz = sizeof(o), .budget_us = budget_us};
	struct hup_trace_ctx ctx = {0};
	struct hup_run_result res;
	struct hup_prog *prog;
	struct timespec gap = {0, IDLE_GAP_MS * 1000000l};
	double v[IDLE_RUNS];
	uint64_t t;

	if (hup_prog__load(p->insns, p->cnt, HUP_EVENT_TRACE, &o, &prog))
		return -1;
	for (unsigned int r = 0; r < IDLE_RUNS; r++) {
		nanosleep(&gap, NULL);
		t = now_ns();
		hup_prog__run(prog, &ctx, sizeof(ctx), NULL, &res);
		v[r] = (double)(now_ns() - t);
	}
	hup_prog__free(prog);
	return median(v, IDLE_RUNS);
}

static uint64_t guarded_nop(void *arg)
{
	return (uint64_t)(uintptr_t)arg;
}

/*
 * What the budget adds, without the clock reads and the engine: the
 * helpers' run state and guarded section with the budget armed (a far
 * deadline) or not.  Interleaved batches, the fastest of each kind: the
 * difference is a few ns, below the noise of the whole run.
 */
static void time_guarded(double *armed, double *plain)
{
	const uint64_t iters = 1u << 20;
	struct hup_run_state st;
	uint64_t r0, t;

	*armed = *plain = 1e9;
	for (unsigned int r = 0; r < 4 * REPS; r++) {
		for (int kind = 0; kind < 2; kind++) {
			double ns;

			hup_run_state__init(&st, NULL, HUP_EVENT_TRACE, NULL);
			st.deadline_ns = kind ? hup_clock__ns() + 3600000000000ull : 0;
			t = now_ns();
			for (uint64_t k = 0; k < iters; k++)
				hup_run_state__run(&st, guarded_nop, NULL, &r0);
			ns = (double)(now_ns() - t) / (double)iters;
			if (kind && ns < *armed)
				*armed = ns;
			if (!kind && ns < *plain)
				*plain = ns;
		}
	}
}

static void bench_prog_run(void)
{
	double armed, plain;

	struct prog p, loop;

	build_empty(&p);
	printf("\n== hup_prog__run() of the empty program (median of %u "
	       "batches, ns/run), by run clock (clock.h; in use: %s)\n", REPS,
	       hup_clock_name());
	printf("%-10s %-28s %10s %10s\n", "clock", "budget", "interp", "jit");
	for (int mode = HUP_CLOCK_MONOTONIC; mode <= HUP_CLOCK_TSC; mode++) {
		const char *name = mode == HUP_CLOCK_TSC ? "tsc" : "monotonic";

		if (hup_clock__force(mode)) {
			printf("%-10s (unavailable: no invariant TSC)\n", name);
			continue;
		}
		printf("%-10s %-28s %10.1f %10.1f\n", name, "default",
		       time_prog_run(&p, true, 0), time_prog_run(&p, false, 0));
		printf("%-10s %-28s %10.1f %10.1f\n", name,
		       "none (HUP_RUN_BUDGET_NONE)",
		       time_prog_run(&p, true, HUP_RUN_BUDGET_NONE),
		       time_prog_run(&p, false, HUP_RUN_BUDGET_NONE));
	}
	/* Back to the process's own choice. */
	hup_clock__force(hup_clock__tsc_usable() ? HUP_CLOCK_TSC
						 : HUP_CLOCK_MONOTONIC);
	build_one_loop(&loop);
	printf("one run after %u ms of nothing (JIT, median of %u): the empty "
	       "program %.0f ns with the default budget (straight: the "
	       "watchdog left asleep), %.0f ns without one; a one-loop program "
	       "%.0f ns with the budget (the watchdog woken), %.0f ns without\n",
	       IDLE_GAP_MS, IDLE_RUNS, time_prog_run_idle(&p, 0),
	       time_prog_run_idle(&p, HUP_RUN_BUDGET_NONE),
	       time_prog_run_idle(&loop, 0),
	       time_prog_run_idle(&loop, HUP_RUN_BUDGET_NONE));
	time_guarded(&armed, &plain);
	printf("guarded section alone (fastest batch): %.1f ns without a "
	       "budget, %.1f ns with one\n", plain, armed);
}

/* --------------------------------------------------------- reporting */

static void bench_runs(void)
{
	static struct prog progs[8];
	void (*build[])(struct prog *) = {
		build_loop_alu, build_loop_ilp, build_loop_div, build_loop_stack,
		build_loop_mem, build_loop_chase, build_straight_prog,
		build_empty,
	};
	int kernel_first = 1;

	for (size_t i = 0; i < sizeof(input); i++)
		input[i] = (unsigned char)(i * 131 + 7);
	printf("== run time per invocation (median of %u batches, ns/run)\n",
	       REPS);
	printf("%-11s %5s %12s %10s %9s %12s %10s  %s\n", "program", "insns",
	       "interp", "jit", "interp/jit", "kernel-jit", "jit/kernel",
	       "what");
	for (size_t k = 0; k < sizeof(build) / sizeof(build[0]); k++) {
		struct prog *p = &progs[k];
		uint64_t r0_i = 0, r0_j = 0;
		uint32_t kret = 0;
		double ti, tj, tk = -1;
		char kcol[32] = "-", rcol[32] = "-";

		build[k](p);
		ti = time_interp(p, &r0_i);
		tj = time_jit(p, &r0_j);
		if (p->kernel_ok && (kernel_first || !kernel_skip[0])) {
			kernel_first = 0;
			tk = time_kernel(p, &kret);
		}
		if (r0_i != r0_j)
			printf("!! %s: interp r0 %#llx != jit r0 %#llx\n", p->name,
			       (unsigned long long)r0_i, (unsigned long long)r0_j);
		if (tk >= 0) {
			if (kret != (uint32_t)r0_j)
				printf("!! %s: kernel retval %#x != jit r0 %#x\n",
				       p->name, kret, (uint32_t)r0_j);
			snprintf(kcol, sizeof(kcol), "%.1f", tk);
			snprintf(rcol, sizeof(rcol), "%.2fx", tj / tk);
		}
		printf("%-11s %5zu %12.1f %10.1f %8.1fx %12s %10s  %s\n",
		       p->name, p->cnt, ti, tj, ti / tj, kcol, rcol, p->what);
	}
	if (kernel_skip[0])
		printf("kernel JIT comparison skipped: %s\n", kernel_skip);
}

static void bench_compile(void)
{
	static const size_t sizes[] = {100, 500, 4096};
	static struct bpf_insn insns[HUP_MAX_INSNS];

	printf("\n== compile time against program size (median of %u, us)\n",
	       REPS * 3);
	printf("%6s %10s %10s %12s %10s\n", "insns", "jit", "verify",
	       "verify+jit", "code bytes");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned int reps = REPS * 3;
		size_t cnt = build_straight(insns, sizes[k], 11 + k);
		double vj[256], vv[256];
		size_t code_len = 0;

		for (unsigned int r = 0; r < reps; r++) {
			struct hup_jit_image img;
			uint64_t t = now_ns();

			if (hup_jit__compile(insns, cnt, &no_helpers, &img, NULL)) {
				printf("%6zu: jit compile failed\n", cnt);
				return;
			}
			hup_jit__free(&img);
			vj[r] = (double)(now_ns() - t) / 1000.0;
			code_len = img.code_len;
		}
		/* hup_jit__free zeroes img; compile once more for the size */
		{
			struct hup_jit_image img;

			if (!hup_jit__compile(insns, cnt, &no_helpers, &img, NULL)) {
				code_len = img.code_len;
				hup_jit__free(&img);
			}
		}
		{
			char buf[512] = "";
			struct hup_verify_opts vo = {.sz = sizeof(vo),
						     .log_buf = buf,
						     .log_size = sizeof(buf)};

			for (unsigned int r = 0; r < reps; r++) {
				uint64_t t = now_ns();
				int ret = hup_prog__verify(insns, cnt,
							   HUP_EVENT_RECLAIM,
							   &vo);

				vv[r] = (double)(now_ns() - t) / 1000.0;
				if (ret) {
					printf("%6zu: verifier rejects: %d %s\n",
					       cnt, ret, buf);
					return;
				}
			}
			double mj = median(vj, reps), mv = median(vv, reps);

			printf("%6zu %10.1f %10.1f %12.1f %10zu\n", cnt, mj, mv,
			       mj + mv, code_len);
		}
	}
}

int main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-q")) {
			REPS = 3;
			BATCH_NS = 2 * 1000 * 1000;
		} else if (!strcmp(argv[a], "-c")) {
			bench_conf_c.view_base = (uint64_t)(uintptr_t)input;
			bench_conf_c.view_mask = sizeof(input) - 1;
			bench_conf_c.sealed = true;
			bench_conf = &bench_conf_c;
			printf("confined engines (-c): view = the input\n");
		}
	}
	bench_runs();
	bench_prog_run();
	bench_compile();
	return 0;
}
