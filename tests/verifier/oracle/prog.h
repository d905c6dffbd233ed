/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The oracle's program model (docs/verifier-oracle.md).
 *
 * A subject program is a list of units of one or two instructions.  Jumps
 * name a later unit (or the end), never an instruction, so units can be
 * dropped while minimising a finding without breaking any jump.  The body
 * never touches r1 (the context pointer) or r9 (a scratch for 64-bit
 * constants), so the suffixes appended after it (the belief probes, or the
 * stores that record the registers for a concrete run) can use them.
 */
#ifndef HUP_ORACLE_PROG_H
#define HUP_ORACLE_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"

#define OR_MAX_UNITS 64u
/* Room for a body plus the longest suffix. */
#define OR_MAX_INSNS (OR_MAX_UNITS * 2u + 64u)
/* A jump's target: unit index, or OR_END (the first suffix insn). */
#define OR_END 0xffffu
#define OR_NO_JUMP 0xfffeu

/* Registers the body computes in, and so the targets of the questions. */
#define OR_NR_TARGETS 8u
extern const uint8_t or_targets[OR_NR_TARGETS];

struct or_unit {
	struct bpf_insn insn[2];
	uint8_t n;       /* instructions used */
	uint16_t target; /* jump units: target unit or OR_END; else OR_NO_JUMP */
};

struct or_prog {
	struct or_unit u[OR_MAX_UNITS];
	size_t n;
};

/* The trace context (64 bytes) the body reads, and after it the record
 * area where a concrete run stores every target register. */
#define OR_CTX_BYTES 64u
#define OR_RECORD_OFF OR_CTX_BYTES
#define OR_BUF_BYTES (OR_CTX_BYTES + 8u * OR_NR_TARGETS)

/* The body into out; returns its length (the index of the end label). */
size_t or_emit(const struct or_prog *p, struct bpf_insn *out);
/* Remove unit i; jumps to it then land on the unit after it. */
void or_drop(struct or_prog *p, size_t i);

static inline struct bpf_insn or_insn(uint8_t code, uint8_t dst, uint8_t src,
				      int16_t off, int32_t imm)
{
	struct bpf_insn in = {0};

	in.code = code, in.dst_reg = dst & 0xf, in.src_reg = src & 0xf;
	in.off = off, in.imm = imm;
	return in;
}

/* Print insns in tests/tools/bpfasm.py syntax, one per line. */
void or_print(const struct bpf_insn *insns, size_t cnt, const char *indent);

#endif /* HUP_ORACLE_PROG_H */
