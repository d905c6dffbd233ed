/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The audit's program against libhup with the ALU32 shift hole put back
 * (hup_mutant_shift32): that verifier believes `w3 = 1; w3 <<= w2` is 0
 * when w2's low half is 32, so it accepts `r5 = r10 + r3 * X; *(r5 - 8) =
 * r6` as a store to fp-8, while both engines compute r3 = X.  Sealed and
 * confined, the store lands on the callee's fp-8 whatever X is: the
 * caller's canary one frame up (X = 512: frames are 512 apart in the
 * interpreter) and the JIT's saved registers and return address (X = 56,
 * 64) are untouched, the process lives, under both engines.
 */
#include <stdint.h>
#include <stdio.h>

#include <hup/libhup.h>

#include "check.h"
#include "hup_test_budget.h"

#define CANARY 0x1234

static const struct bpf_insn audit[] = {
	ST(BPF_DW, 10, -8, CANARY),
	CALL_LOCAL(2),
	LDX(BPF_DW, 0, 10, -8),          /* the caller's canary */
	EXIT(),
	/* callee: the audit's program */
	LDX(BPF_DW, 4, 1, 32),           /* X = ctx->arg[0] */
	LDX(BPF_DW, 2, 1, 40),           /* ctx->arg[1]: unknown high half */
	ALU64_IMM(BPF_LSH, 2, 32),
	ALU64_IMM(BPF_OR, 2, 32),        /* low half known: 32 */
	ALU32_IMM(BPF_MOV, 3, 1),
	ALU32_REG(BPF_LSH, 3, 2),        /* believed 0, is 1 */
	ALU64_REG(BPF_MUL, 3, 4),
	MOV64_REG(5, 10),
	ALU64_REG(BPF_ADD, 5, 3),        /* believed fp + 0 */
	MOV64_IMM(6, 0x6666),
	STX(BPF_DW, 5, 6, -8),
	MOV64_IMM(0, 0),
	EXIT(),
};

static void run(bool no_jit, uint64_t x)
{
	char buf[512] = {0};
	struct hup_load_opts o = {.sz = sizeof(o), .no_jit = no_jit,
				  .log_buf = buf, .log_size = sizeof(buf),
				  .budget_us = HUP_TEST_RUN_BUDGET_US};
	struct hup_trace_ctx ctx = {0};
	struct hup_run_result res = {0};
	struct hup_prog *prog = NULL;
	int err;

	err = hup_prog__load(audit, ARRAY_LEN(audit), HUP_EVENT_TRACE, &o,
			     &prog);
	if (err)
		fprintf(stderr, "load: %s", buf);
	CHECK_EQ(err, 0); /* the mutant verifier is fooled */
	if (err)
		return;
	CHECK_EQ(!no_jit, hup_prog__jited_len(prog) > 0);
	ctx.arg[0] = x;
	ctx.arg[1] = 0x5a5a;
	CHECK_EQ(hup_prog__run(prog, &ctx, sizeof(ctx), NULL, &res), 0);
	CHECK_EQ(res.r0, CANARY);
	hup_prog__free(prog);
}

static void test_audit_interp(void)
{
	run(true, 512);
	run(true, 4096);
	run(true, 0);
}

static void test_audit_jit(void)
{
	run(false, 56);
	run(false, 64);
	run(false, 512);
	run(false, 0);
}

int main(void)
{
	RUN(test_audit_interp);
	RUN(test_audit_jit);
	return check_exit();
}
