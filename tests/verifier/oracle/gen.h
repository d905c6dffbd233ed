/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The oracle's generator: subject programs and context inputs biased
 * towards partially known values (one half of a register known, the other
 * not), sign boundaries and 32/64-bit mixes, where the audit's bug lived.
 */
#ifndef HUP_ORACLE_GEN_H
#define HUP_ORACLE_GEN_H

#include "prog.h"

struct or_rng {
	uint64_t s;
};

uint64_t or_rand(struct or_rng *r);
static inline uint32_t or_below(struct or_rng *r, uint32_t n)
{
	return (uint32_t)(or_rand(r) % n);
}

/* A subject of at most max_units units. */
void or_gen_prog(struct or_rng *r, struct or_prog *p, size_t max_units);
/*
 * One adversarial trace context (OR_CTX_BYTES): edge values, half-edge
 * values, and the program's own constants (+-1, either half), which sit
 * on the boundaries its branches and masks draw.
 */
void or_gen_ctx(struct or_rng *r, const struct or_prog *p, uint8_t *ctx);

#endif /* HUP_ORACLE_GEN_H */
