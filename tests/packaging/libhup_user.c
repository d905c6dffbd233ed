// SPDX-License-Identifier: BSD-2-Clause
/*
 * A VMM's first use of libhup as the hyperupcall-host package installs it
 * (pkg-config libhup): load a query program that returns its first
 * argument, run it under the JIT and the interpreter, and see the verifier
 * refuse a read past the context.  Exit 0 only if all of that holds.
 *
 *	cc libhup_user.c $(pkg-config --cflags --libs libhup)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <hup/libhup.h>

struct insn {
	unsigned char code;
	unsigned char regs; /* dst low nibble, src high nibble */
	short off;
	int imm;
};

static int run(const struct insn *prog, size_t n, int no_jit, long *r0)
{
	struct hup_load_opts opts;
	struct hup_query_ctx ctx;
	struct hup_run_result res;
	struct hup_prog *p;
	char log[512] = "";
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.name = "user";
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.no_jit = no_jit;
	/* a test of answers: a run preempted on a loaded machine must not
	 * outlive a wall-clock budget and fail it */
	opts.budget_us = HUP_RUN_BUDGET_NONE;
	err = hup_prog__load(prog, n, HUP_EVENT_QUERY, &opts, &p);
	if (err) {
		printf("load: %s: %s", hup_strerror(err), log);
		return err;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.arg[0] = 42;
	err = hup_prog__run(p, &ctx, sizeof(ctx), NULL, &res);
	*r0 = (long)res.r0;
	hup_prog__free(p);
	return err;
}

int main(void)
{
	/* r0 = *(u64 *)(r1 + 8), ctx->arg[0]; exit */
	static const struct insn arg0[] = {
		{ 0x79, 0x10, 8, 0 }, { 0x95, 0, 0, 0 },
	};
	/* r0 = *(u64 *)(r1 + 40), past the 40-byte context */
	static const struct insn past[] = {
		{ 0x79, 0x10, 40, 0 }, { 0x95, 0, 0, 0 },
	};
	long r0 = 0;
	int err, fails = 0;

	for (int no_jit = 0; no_jit < 2; no_jit++) {
		err = run(arg0, 2, no_jit, &r0);
		printf("%s: err=%d r0=%ld\n", no_jit ? "interp" : "jit", err, r0);
		fails += err != 0 || r0 != 42;
	}
	err = run(past, 2, 0, &r0);
	printf("past the context: %d (want %d)\n", err, -EACCES);
	fails += err != -EACCES;
	printf("%s\n", fails ? "FAIL" : "ok: libhup loads, runs and refuses");
	return fails ? 1 : 0;
}
