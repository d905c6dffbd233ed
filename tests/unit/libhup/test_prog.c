/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The public API end to end, natively: hup_prog__load runs the real
 * verifier, loop rewrite, pseudo patching and JIT; hup_prog__run runs the
 * program against a view backed by a memfd "guest RAM".  Every program here
 * is checked under both engines (no_jit on and off), and every rejection
 * the loader itself makes at its boundary is exercised.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hup/libhup.h>

#include "check.h"
#include "hup_test_budget.h"

#define VIEW_BITS 30
#define GUEST_RAM (1u << 20)
/* A guest-virtual address whose page we map, as a direct-map pointer. */
#define GVA_BASE 0xffff888000100000ull

static struct hup_view *view;
static uint8_t *ram; /* the memfd, seen by the "VMM" */

/* The translated access of docs/abi.md section 5, for a constant gva:
 * r2 = mask; r3 = base; r1 = gva; r1 &= r2; r1 += r3; r0 = *(u64 *)r1 */
#define VIEW_LOAD64(gva_insn_hi, gva_insn_lo)                                \
	INSN(BPF_LD | BPF_IMM | BPF_DW, 2, HUP_PSEUDO_VIEW_MASK, 0, 0),      \
	INSN(0, 0, 0, 0, 0),                                                 \
	INSN(BPF_LD | BPF_IMM | BPF_DW, 3, HUP_PSEUDO_VIEW_BASE, 0, 0),      \
	INSN(0, 0, 0, 0, 0),                                                 \
	INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, (int32_t)(gva_insn_lo)),    \
	INSN(0, 0, 0, 0, (int32_t)(gva_insn_hi)),                            \
	ALU64_REG(BPF_AND, 1, 2), ALU64_REG(BPF_ADD, 1, 3),                  \
	LDX(BPF_DW, 0, 1, 8)

static const struct bpf_insn load_guest[] = {
	VIEW_LOAD64(GVA_BASE >> 32, GVA_BASE & 0xffffffff),
	EXIT(),
};

/* Reads a page we never map: must abort with -EFAULT. */
static const struct bpf_insn load_hole[] = {
	VIEW_LOAD64(GVA_BASE >> 32, (GVA_BASE + 0x10000) & 0xffffffff),
	EXIT(),
};

/* r0 = ctx->vcpu (trace ctx: offset 16, u32) */
static const struct bpf_insn ctx_vcpu[] = {
	LDX(BPF_W, 0, 1, 16),
	EXIT(),
};

/* Leaks the ctx pointer in r0: the verifier must refuse it. */
static const struct bpf_insn leak_ctx[] = {
	MOV64_REG(0, 1),
	EXIT(),
};

static struct hup_trace_ctx trace_ctx = {.vcpu = 3};

static void load_both(const struct bpf_insn *insns, size_t cnt,
		      struct hup_prog **jit, struct hup_prog **interp)
{
	char log[1024];
	struct hup_load_opts o = {.sz = sizeof(o), .view = view,
				  .log_buf = log, .log_size = sizeof(log),
				  .budget_us = HUP_TEST_RUN_BUDGET_US};

	CHECK_EQ(hup_prog__load(insns, cnt, HUP_EVENT_TRACE, &o, jit), 0);
	if (!*jit)
		fprintf(stderr, "verifier log: %s", log);
	o.no_jit = true;
	CHECK_EQ(hup_prog__load(insns, cnt, HUP_EVENT_TRACE, &o, interp), 0);
}

static void test_guest_read_both_engines(void)
{
	struct hup_prog *p[2] = {0};
	struct hup_run_result res;
	int i;

	load_both(load_guest, ARRAY_LEN(load_guest), &p[0], &p[1]);
	if (!p[0] || !p[1])
		return;
	CHECK(hup_prog__jited_len(p[0]) > 0);
	CHECK_EQ(hup_prog__jited_len(p[1]), 0);
	memcpy(ram + 0x100000 % GUEST_RAM + 8, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	for (i = 0; i < 2; i++) {
		memset(&res, 0, sizeof(res));
		CHECK_EQ(hup_prog__run(p[i], &trace_ctx, sizeof(trace_ctx),
				       NULL, &res), 0);
		CHECK_EQ(res.r0, 0x8877665544332211ull);
		CHECK_EQ(hup_prog__state(p[i]), HUP_PROG_LOADED);
		hup_prog__free(p[i]);
	}
}

static void test_hole_aborts_and_counts(void)
{
	struct hup_prog *p[2] = {0};
	struct hup_run_result res;
	struct hup_prog_stats st;
	uint64_t faults = hup_view__faults(view);
	int i;

	load_both(load_hole, ARRAY_LEN(load_hole), &p[0], &p[1]);
	for (i = 0; i < 2 && p[i]; i++) {
		CHECK_EQ(hup_prog__run(p[i], &trace_ctx, sizeof(trace_ctx),
				       NULL, &res), -EFAULT);
		CHECK_EQ(hup_prog__run(p[i], &trace_ctx, sizeof(trace_ctx),
				       NULL, &res), -EFAULT);
		hup_prog__stats(p[i], &st);
		CHECK_EQ(st.aborts, 2);
		CHECK_EQ(st.runs, 0);
		hup_prog__free(p[i]);
	}
	CHECK_EQ(hup_view__faults(view), faults + 4);
}

/*
 * guest_read(r10 - 16, size, gva) with the buffer prefilled, returning the
 * helper's result plus both words of the buffer: the JIT inlines such a
 * call (a constant size under HUP_JIT_INLINE_READ into the stack), the
 * interpreter calls the helper; both must give the same answer, a hole
 * included (-EFAULT from the helper, not an abort; the bytes before the
 * faulting word written).
 */
static uint64_t read_both(uint64_t gva, int32_t size)
{
	const struct bpf_insn prog[] = {
		ST(BPF_DW, 10, -16, 0x5a5a5a5a),
		ST(BPF_DW, 10, -8, 0x3c3c3c3c),
		MOV64_REG(1, 10),
		ADD64_IMM(1, -16),
		ALU32_IMM(BPF_MOV, 2, size),
		LD_IMM64(3, gva),
		CALL_HELPER(HUP_FN_guest_read),
		LDX(BPF_DW, 1, 10, -16),
		ADD64_IMM(1, 0), /* kept apart from r0's sum below */
		LDX(BPF_DW, 2, 10, -8),
		ALU64_IMM(BPF_LSH, 2, 1),
		ALU64_REG(BPF_ADD, 0, 1),
		ALU64_REG(BPF_ADD, 0, 2),
		EXIT(),
	};
	struct hup_prog *p[2] = {0};
	struct hup_run_result res[2];
	uint64_t faults = hup_view__faults(view);
	int i, faulted;

	load_both(prog, ARRAY_LEN(prog), &p[0], &p[1]);
	for (i = 0; i < 2 && p[i]; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		CHECK_EQ(hup_prog__run(p[i], &trace_ctx, sizeof(trace_ctx),
				       NULL, &res[i]), 0);
		hup_prog__free(p[i]);
	}
	CHECK_EQ(res[0].r0, res[1].r0);
	faulted = (int)(hup_view__faults(view) - faults);
	CHECK(faulted == 0 || faulted == 2); /* each engine's copy, once */
	return res[1].r0;
}

/* What read_both answers, from the guest RAM directly: size bytes copied,
 * or (a hole) size zeros and -EFAULT. */
static uint64_t read_expect(uint64_t gva, size_t size, bool hole)
{
	uint8_t buf[16];
	uint64_t w0, w1;

	memcpy(buf, "\x5a\x5a\x5a\x5a\0\0\0\0\x3c\x3c\x3c\x3c\0\0\0\0", 16);
	if (hole)
		memset(buf, 0, size);
	else
		memcpy(buf, ram + (gva - GVA_BASE + 0x100000) % GUEST_RAM, size);
	memcpy(&w0, buf, 8);
	memcpy(&w1, buf + 8, 8);
	return (uint64_t)(hole ? -EFAULT : 0) + w0 + (w1 << 1);
}

static void test_guest_read_inlined(void)
{
	uint64_t end = GVA_BASE + 0x10000; /* the window's end: a hole */
	size_t k;

	for (k = 0; k < 0x20; k++)
		ram[0x100000 % GUEST_RAM + 0x40 + k] = (uint8_t)(0x91 + 3 * k);
	for (k = 0; k < 16; k++)
		ram[(0x100000 + 0x10000 - 16) % GUEST_RAM + k] = (uint8_t)(7 * k + 1);
	CHECK_EQ(read_both(GVA_BASE + 0x40, 16),
		 read_expect(GVA_BASE + 0x40, 16, false));
	CHECK_EQ(read_both(GVA_BASE + 0x43, 15), /* 8, 4, 2, 1 bytes */
		 read_expect(GVA_BASE + 0x43, 15, false));
	CHECK_EQ(read_both(GVA_BASE + 0x41, 1),
		 read_expect(GVA_BASE + 0x41, 1, false));
	CHECK_EQ(read_both(end - 16, 16), read_expect(end - 16, 16, false));
	/* all in the hole; half in it; the last byte in it: -EFAULT and
	 * nothing of the copy left, however far it got */
	CHECK_EQ(read_both(end + 0x100, 16), read_expect(end, 16, true));
	CHECK_EQ(read_both(end - 8, 16), read_expect(end - 8, 16, true));
	CHECK_EQ(read_both(end - 11, 12), read_expect(end - 11, 12, true));
}

static void test_ctx_and_stats(void)
{
	struct hup_prog *p[2] = {0};
	struct hup_run_result res;
	struct hup_prog_stats st;
	int i, n;

	load_both(ctx_vcpu, ARRAY_LEN(ctx_vcpu), &p[0], &p[1]);
	for (i = 0; i < 2 && p[i]; i++) {
		for (n = 0; n < 5; n++) {
			CHECK_EQ(hup_prog__run(p[i], &trace_ctx,
					       sizeof(trace_ctx), NULL, &res),
				 0);
			CHECK_EQ(res.r0, 3);
		}
		hup_prog__stats(p[i], &st);
		CHECK_EQ(st.runs, 5);
		CHECK_EQ(st.aborts, 0);
		/* wrong context size, then a dead program */
		CHECK_EQ(hup_prog__run(p[i], &trace_ctx, sizeof(trace_ctx) - 8,
				       NULL, &res), -EINVAL);
		CHECK_EQ(hup_prog__detach(p[i]), 0);
		CHECK_EQ(hup_prog__detach(p[i]), -ENOENT);
		CHECK_EQ(hup_prog__state(p[i]), HUP_PROG_DEAD);
		CHECK_EQ(hup_prog__run(p[i], &trace_ctx, sizeof(trace_ctx),
				       NULL, &res), -ENOENT);
		hup_prog__free(p[i]);
	}
}

/* Runs counted per thread (runstats.h): 80 threads at once, more than
 * there are slots (the rest count in the shared one), twice, each batch
 * after the last one's threads exited and gave their slots back; with
 * run timing on, time counted too.  The sums are exact. */
#define STAT_THREADS 80
#define STAT_RUNS 500

static void *stat_runner(void *arg)
{
	struct hup_prog *prog = arg;
	struct hup_run_result res;

	for (int n = 0; n < STAT_RUNS; n++)
		if (hup_prog__run(prog, &trace_ctx, sizeof(trace_ctx), NULL,
				  &res) || res.r0 != 3)
			return arg; /* a failure */
	return NULL;
}

static void test_stats_threads(void)
{
	struct hup_prog *p[2] = {0};
	pthread_t t[STAT_THREADS];
	struct hup_prog_stats st;
	bool timing = hup_set_run_timing(true);

	load_both(ctx_vcpu, ARRAY_LEN(ctx_vcpu), &p[0], &p[1]);
	for (int i = 0; i < 2 && p[i]; i++) {
		for (int batch = 1; batch <= 2; batch++) {
			void *ret;
			int failed = 0;

			for (int k = 0; k < STAT_THREADS; k++)
				CHECK_EQ(pthread_create(&t[k], NULL,
							stat_runner, p[i]), 0);
			for (int k = 0; k < STAT_THREADS; k++) {
				pthread_join(t[k], &ret);
				failed += ret != NULL;
			}
			CHECK_EQ(failed, 0);
			hup_prog__stats(p[i], &st);
			CHECK_EQ(st.runs, (uint64_t)batch * STAT_THREADS *
						  STAT_RUNS);
			CHECK(st.run_ns > 0);
			CHECK_EQ(st.aborts, 0);
		}
		hup_prog__free(p[i]);
	}
	hup_set_run_timing(timing);
}

/* hup_run_env's sz, libbpf's way: shorter from an older caller is fine,
 * longer only with a zero tail, less than sz itself never. */
static void test_env_versions(void)
{
	struct hup_prog *p = NULL, *q = NULL;
	struct hup_run_result res;
	struct hup_run_env env = {.sz = sizeof(env), .vcpu = 3};
	struct {
		struct hup_run_env env;
		uint64_t future;
	} bigger = {.env = {.sz = sizeof(bigger)}, .future = 7};

	load_both(ctx_vcpu, ARRAY_LEN(ctx_vcpu), &p, &q);
	if (!p)
		return;
	CHECK_EQ(hup_prog__run(p, &trace_ctx, sizeof(trace_ctx), &env, &res),
		 0);
	env.sz = offsetof(struct hup_run_env, vcpu_reg); /* an older caller */
	CHECK_EQ(hup_prog__run(p, &trace_ctx, sizeof(trace_ctx), &env, &res),
		 0);
	CHECK_EQ(res.r0, 3);
	env.sz = sizeof(env.sz);
	CHECK_EQ(hup_prog__run(p, &trace_ctx, sizeof(trace_ctx), &env, &res),
		 0);
	env.sz = sizeof(env.sz) - 1;
	CHECK_EQ(hup_prog__run(p, &trace_ctx, sizeof(trace_ctx), &env, &res),
		 -EINVAL);
	CHECK_EQ(hup_prog__run(p, &trace_ctx, sizeof(trace_ctx), &bigger.env,
			       &res),
		 -EINVAL);
	bigger.future = 0;
	CHECK_EQ(hup_prog__run(p, &trace_ctx, sizeof(trace_ctx), &bigger.env,
			       &res),
		 0);
	hup_prog__free(p);
	hup_prog__free(q);
}

static void test_rejections_at_the_boundary(void)
{
	struct bpf_insn big[HUP_MAX_INSNS + 1];
	struct hup_load_opts o = {.sz = sizeof(o)};
	struct {
		struct hup_load_opts o;
		uint64_t future;
	} bigger = {.o = {.sz = sizeof(bigger)}, .future = 1};
	struct hup_prog *p = (void *)1;
	char log[256];

	CHECK_EQ(hup_prog__load(ctx_vcpu, 0, HUP_EVENT_TRACE, &o, &p), -EINVAL);
	CHECK(p == NULL);
	CHECK_EQ(hup_prog__load(NULL, 2, HUP_EVENT_TRACE, &o, &p), -EINVAL);
	CHECK_EQ(hup_prog__load(ctx_vcpu, 2, HUP_EVENT_TRACE, &o, NULL),
		 -EINVAL);
	memset(big, 0, sizeof(big));
	o.log_buf = log;
	o.log_size = sizeof(log);
	CHECK_EQ(hup_prog__load(big, ARRAY_LEN(big), HUP_EVENT_TRACE, &o, &p),
		 -E2BIG);
	CHECK(strstr(log, "exceeds the limit") != NULL);
	CHECK_EQ(hup_prog__load(ctx_vcpu, 2, (enum hup_event)99, &o, &p),
		 -EOPNOTSUPP);
	/* Options: too small, or larger with unknown non-zero bytes. */
	o.sz = 4;
	CHECK_EQ(hup_prog__load(ctx_vcpu, 2, HUP_EVENT_TRACE, &o, &p), -EINVAL);
	CHECK_EQ(hup_prog__load(ctx_vcpu, 2, HUP_EVENT_TRACE, &bigger.o, &p),
		 -EINVAL);
	bigger.future = 0;
	CHECK_EQ(hup_prog__load(ctx_vcpu, 2, HUP_EVENT_TRACE, &bigger.o, &p),
		 0);
	hup_prog__free(p);
}

static void test_verifier_rejection_logged(void)
{
	struct hup_load_opts o = {.sz = sizeof(o)};
	struct hup_prog *p = NULL;
	char log[512];

	o.log_buf = log;
	o.log_size = sizeof(log);
	CHECK_EQ(hup_prog__load(leak_ctx, ARRAY_LEN(leak_ctx), HUP_EVENT_TRACE,
				&o, &p), -EACCES);
	CHECK(p == NULL);
	/* one line naming the instruction index of the exit */
	CHECK(strncmp(log, "1: ", 3) == 0);
	/* a view access without a view attached is refused too */
	o.view = NULL;
	CHECK(hup_prog__load(load_guest, ARRAY_LEN(load_guest),
			     HUP_EVENT_TRACE, &o, &p) < 0);
	CHECK(p == NULL);
}

/* Verify without loading: the same verdicts as hup_prog__load, the view
 * given by its size alone, nothing kept; its own option checks. */
static void test_verify_only(void)
{
	struct hup_verify_opts o = {.sz = sizeof(o), .view_bits = VIEW_BITS};
	struct {
		struct hup_verify_opts o;
		uint64_t future;
	} bigger = {.o = {.sz = sizeof(bigger)}, .future = 1};
	char log[512];

	CHECK_EQ(hup_prog__verify(ctx_vcpu, ARRAY_LEN(ctx_vcpu),
				  HUP_EVENT_TRACE, &o), 0);
	CHECK(o.states_explored > 0);
	CHECK_EQ(hup_prog__verify(load_guest, ARRAY_LEN(load_guest),
				  HUP_EVENT_TRACE, &o), 0);
	/* no view: the guest access is refused, as at load */
	o.view_bits = 0;
	o.log_buf = log;
	o.log_size = sizeof(log);
	CHECK(hup_prog__verify(load_guest, ARRAY_LEN(load_guest),
			       HUP_EVENT_TRACE, &o) < 0);
	CHECK_EQ(hup_prog__verify(leak_ctx, ARRAY_LEN(leak_ctx),
				  HUP_EVENT_TRACE, &o), -EACCES);
	CHECK(strncmp(log, "1: ", 3) == 0);
	CHECK_EQ(hup_prog__verify(ctx_vcpu, ARRAY_LEN(ctx_vcpu),
				  HUP_EVENT_TRACE, NULL), 0);
	CHECK_EQ(hup_prog__verify(ctx_vcpu, 0, HUP_EVENT_TRACE, &o), -EINVAL);
	CHECK_EQ(hup_prog__verify(ctx_vcpu, 2, (enum hup_event)99, &o),
		 -EOPNOTSUPP);
	o.view_bits = 5;
	CHECK_EQ(hup_prog__verify(ctx_vcpu, 2, HUP_EVENT_TRACE, &o), -EINVAL);
	o.view_bits = 0;
	o.sz = 4;
	CHECK_EQ(hup_prog__verify(ctx_vcpu, 2, HUP_EVENT_TRACE, &o), -EINVAL);
	CHECK_EQ(hup_prog__verify(ctx_vcpu, 2, HUP_EVENT_TRACE, &bigger.o),
		 -EINVAL);
	bigger.future = 0;
	CHECK_EQ(hup_prog__verify(ctx_vcpu, 2, HUP_EVENT_TRACE, &bigger.o), 0);
}

int main(void)
{
	int fd = memfd_create("guest-ram", 0);

	if (fd < 0 || ftruncate(fd, GUEST_RAM))
		return 2;
	ram = mmap(NULL, GUEST_RAM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ram == MAP_FAILED || hup_view__create(VIEW_BITS, &view))
		return 2;
	/* guest page GVA_BASE .. +64 KiB is guest-physical 0x100000 % RAM */
	if (hup_view__map(view, GVA_BASE, fd, 0x100000 % GUEST_RAM, 0x10000,
			  HUP_WIN_READ))
		return 2;
	RUN(test_guest_read_both_engines);
	RUN(test_hole_aborts_and_counts);
	RUN(test_guest_read_inlined);
	RUN(test_ctx_and_stats);
	RUN(test_stats_threads);
	RUN(test_env_versions);
	RUN(test_rejections_at_the_boundary);
	RUN(test_verifier_rejection_logged);
	RUN(test_verify_only);
	hup_view__free(view);
	return check_exit();
}
