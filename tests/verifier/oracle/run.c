/* SPDX-License-Identifier: BSD-2-Clause */
/* Concrete runs on the interpreter and the JIT: see run.h. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"

struct or_runner {
	struct bpf_insn prog[OR_MAX_INSNS];
	size_t cnt;
	struct hup_jit_image img;
};

/* The body calls no helper. */
static const struct hup_helper_table no_helpers = {.fns = NULL, .nr = 0};

struct or_runner *or_runner_new(const struct bpf_insn *body, size_t n,
				int *jit_err)
{
	struct or_runner *rn = calloc(1, sizeof(*rn));
	size_t i, k = n;

	if (!rn)
		abort();
	memcpy(rn->prog, body, n * sizeof(*body));
	for (i = 0; i < OR_NR_TARGETS; i++)
		rn->prog[k++] = or_insn(BPF_STX | BPF_MEM | BPF_DW, 1,
					or_targets[i],
					(int16_t)(OR_RECORD_OFF + 8 * i), 0);
	rn->prog[k++] = or_insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	rn->prog[k++] = or_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	rn->cnt = k;
	*jit_err = hup_jit__compile(rn->prog, k, &no_helpers, &rn->img, NULL);
	if (*jit_err) {
		free(rn);
		return NULL;
	}
	return rn;
}

void or_runner_free(struct or_runner *rn)
{
	if (!rn)
		return;
	hup_jit__free(&rn->img);
	free(rn);
}

void or_run(struct or_runner *rn, const uint8_t *ctx,
	    uint64_t interp[OR_NR_TARGETS], uint64_t jit[OR_NR_TARGETS])
{
	uint64_t buf[OR_BUF_BYTES / 8];
	int err;

	memcpy(buf, ctx, OR_CTX_BYTES);
	memset((uint8_t *)buf + OR_RECORD_OFF, 0, OR_BUF_BYTES - OR_RECORD_OFF);
	hup_interp__run(rn->prog, rn->cnt, &no_helpers,
			(uint64_t)(uintptr_t)buf, 0, &err);
	memcpy(interp, (uint8_t *)buf + OR_RECORD_OFF, 8 * OR_NR_TARGETS);

	memcpy(buf, ctx, OR_CTX_BYTES);
	memset((uint8_t *)buf + OR_RECORD_OFF, 0, OR_BUF_BYTES - OR_RECORD_OFF);
	rn->img.entry((uint64_t)(uintptr_t)buf, 0);
	memcpy(jit, (uint8_t *)buf + OR_RECORD_OFF, 8 * OR_NR_TARGETS);
}
