/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Concrete runs of a body on both engines (interpreter and JIT), through
 * their internal entry points: the body followed by stores of every
 * target register into the record area after the context (the engines
 * check no memory: the verifier's proof is what keeps real programs in
 * bounds, and this suffix is ours, not the guest's).
 */
#ifndef HUP_ORACLE_RUN_H
#define HUP_ORACLE_RUN_H

#include "prog.h"

struct or_runner;

/* Compile body + record suffix for both engines; NULL if the JIT refused
 * (reported by the caller as a finding). */
struct or_runner *or_runner_new(const struct bpf_insn *body, size_t n,
				int *jit_err);
void or_runner_free(struct or_runner *rn);

/* Run ctx (OR_CTX_BYTES) on both engines: every target's value. */
void or_run(struct or_runner *rn, const uint8_t *ctx,
	    uint64_t interp[OR_NR_TARGETS], uint64_t jit[OR_NR_TARGETS]);

#endif /* HUP_ORACLE_RUN_H */
