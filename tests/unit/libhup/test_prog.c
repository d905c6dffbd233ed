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
	RUN(test_ctx_and_stats);
	RUN(test_env_versions);
	RUN(test_rejections_at_the_boundary);
	RUN(test_verifier_rejection_logged);
	RUN(test_verify_only);
	hup_view__free(view);
	return check_exit();
}
