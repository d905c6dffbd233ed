/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BPF instructions as C initialisers, for the native tests and the
 * benchmarks that hand-assemble programs (the uapi header has no such
 * macros).  One set: every builder here, none elsewhere.  Needs
 * <linux/bpf.h> (struct bpf_insn, the opcode bits).
 */
#ifndef HUP_TEST_INSN_H
#define HUP_TEST_INSN_H

#include <stdint.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i)                                                  \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s),      \
			   .off = (o), .imm = (i)})
#define ALU64_IMM(op, d, i) INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define ALU64_REG(op, d, s) INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define ALU32_REG(op, d, s) INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) ALU64_IMM(BPF_MOV, d, i)
#define MOV64_REG(d, s) ALU64_REG(BPF_MOV, d, s)
#define ADD64_IMM(d, i) ALU64_IMM(BPF_ADD, d, i)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define ATOMIC(sz, op, d, s, o) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define JMP_IMM(op, d, i, o) INSN(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define JMP32_IMM(op, d, i, o) INSN(BPF_JMP32 | (op) | BPF_K, d, 0, o, i)
#define JA(o) INSN(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define CALL_HELPER(id) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define CALL_LOCAL(rel) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
/* call through a register: not in the ISA, for refusal tests */
#define CALLX(r) INSN(BPF_JMP | BPF_CALL | BPF_X, r, 0, 0, 0)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* Two slots: ld_imm64 d, v (src 0: a plain value). */
#define LD_IMM64(d, v)                                                       \
	INSN(BPF_LD | BPF_IMM | BPF_DW, d, 0, 0, (int32_t)(uint32_t)(v)),    \
	INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
/* Two slots: ld_imm64 d with a pseudo kind (HUP_PSEUDO_*) the host patches. */
#define LD_PSEUDO(d, kind)                                                   \
	INSN(BPF_LD | BPF_IMM | BPF_DW, d, kind, 0, 0), INSN(0, 0, 0, 0, 0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* HUP_TEST_INSN_H */
