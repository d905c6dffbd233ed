/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libhup unit tests' checks (tests/include/hup_check.h) and
 * instruction builders: they spell BPF instructions as C initialisers
 * (the uapi header has no such macros).
 */
#ifndef HUP_TEST_CHECK_H
#define HUP_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>

#include "hup_check.h"
#include "insn.h"

#define INSN(c, d, s, o, i)                                                  \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s),      \
			   .off = (o), .imm = (i)})
#define ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define ALU32_REG(op, d, s) INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) ALU64_IMM(BPF_MOV, d, i)
#define MOV64_REG(d, s) ALU64_REG(BPF_MOV, d, s)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define ATOMIC(sz, op, d, s, o) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL_HELPER(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
/* debug_print of 8 bytes from the stack: a run that calls into the VMM's
 * env callback (five instructions, for initialisers). */
#define DEBUG_PRINT_STACK8()                                                 \
	ST(BPF_DW, 10, -8, 0x41), MOV64_REG(1, 10),                          \
	ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 8),                          \
	CALL_HELPER(HUP_FN_debug_print)
#define CALL_LOCAL(rel) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* Two slots: ld_imm64 d, v (src 0: a plain value). */
#define LD_IMM64(d, v)                                                       \
	INSN(BPF_LD | BPF_IMM | BPF_DW, d, 0, 0, (int32_t)(uint32_t)(v)),    \
	INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* HUP_TEST_CHECK_H */
