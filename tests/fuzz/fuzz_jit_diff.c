/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: JIT vs interpreter on programs the verifier accepts.
 *
 * The first input byte picks how the rest becomes a program: odd = raw
 * instructions (what a hostile guest would send), even = the structured
 * generator of progen.c (which reaches deep into the ISA far more often
 * than random bytes do).  The program is kept only if hup_verify() accepts
 * it for HUP_EVENT_RECLAIM without a view; it then runs under both engines
 * on identical copies of a hup_reclaim_ctx, with fake helpers that return
 * 0 (a value inside every helper's declared result range, so the verifier's
 * reasoning about results stays true) and touch nothing.  Any difference in
 * r0 or in the context bytes, or a JIT that refuses a verified program,
 * aborts.
 *
 * Build: cmake -DHUP_FUZZ=ON -DCMAKE_C_COMPILER=clang-19; run
 *   fuzz_jit_diff -max_total_time=600 CORPUS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "engine.h"
#include "progen.h"
#include "verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fake_helper(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

static const hup_helper_fn fake_fns[HUP_FN_MAX + 1] = {
	[1] = fake_helper, [2] = fake_helper, [3] = fake_helper,
	[4] = fake_helper, [5] = fake_helper, [6] = fake_helper,
	[7] = fake_helper, [8] = fake_helper, [9] = fake_helper,
	[10] = fake_helper,
};
static const struct hup_helper_table fake_helpers = {fake_fns,
						     HUP_FN_MAX + 1};

static struct bpf_insn prog[HUP_MAX_INSNS > PROGEN_MAX_INSNS ?
			    HUP_MAX_INSNS : PROGEN_MAX_INSNS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hup_verifier_opts opts = {.event = HUP_EVENT_RECLAIM};
	struct hup_verifier_info info;
	struct hup_reclaim_ctx ctx_in, ctx_jit;
	struct progen_src src;
	struct hup_jit_image img;
	uint64_t r0_in, r0_jit;
	size_t cnt;
	int err, ret;

	if (!size)
		return 0;
	if (data[0] & 1) {
		cnt = (size - 1) / sizeof(struct bpf_insn);
		if (!cnt || cnt > HUP_MAX_INSNS)
			return 0;
		memcpy(prog, data + 1, cnt * sizeof(struct bpf_insn));
		progen_src_init(&src, data, size); /* for the context bytes */
	} else {
		progen_src_init(&src, data + 1, size - 1);
		cnt = progen_build(&src, prog);
	}
	if (hup_verify(prog, cnt, &opts, &info))
		return 0;

	for (size_t i = 0; i < sizeof(ctx_in); i++)
		((uint8_t *)&ctx_in)[i] = (uint8_t)progen_next(&src, 256);
	ctx_in.nr_pfns = HUP_RECLAIM_BATCH;
	ctx_jit = ctx_in;

	r0_in = hup_interp__run(prog, cnt, &fake_helpers,
				(uint64_t)(uintptr_t)&ctx_in, 0, &err);
	ret = hup_jit__compile(prog, cnt, &fake_helpers, &img, NULL);
	if (ret) {
		fprintf(stderr, "fuzz_jit_diff: JIT refused a verified "
			"program (%d)\n", ret);
		abort();
	}
	r0_jit = img.entry((uint64_t)(uintptr_t)&ctx_jit, 0);
	hup_jit__free(&img);
	if (r0_in != r0_jit) {
		fprintf(stderr, "fuzz_jit_diff: r0 interp %#llx (err %d) jit "
			"%#llx\n", (unsigned long long)r0_in, err,
			(unsigned long long)r0_jit);
		abort();
	}
	if (memcmp(&ctx_in, &ctx_jit, sizeof(ctx_in))) {
		fprintf(stderr, "fuzz_jit_diff: context memory differs\n");
		abort();
	}
	return 0;
}
