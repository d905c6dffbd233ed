/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eBPF instruction encoding (RFC 9669).  Builds on the kernel's uapi
 * <linux/bpf.h> and adds what the Debian 12 (Linux 6.1) copy lacks: the v4
 * ISA additions (sign-extending loads and moves, signed division, gotol,
 * unconditional byte swap).  Shared by the loader, verifier, interpreter and
 * JIT so there is one definition of every encoding.
 */
#ifndef HUP_INSN_H
#define HUP_INSN_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80 /* ldxs{b,h,w}: sign-extending load */
#endif
/* ALU/ALU64 ops whose `off` field selects a variant. */
#define HUP_OFF_SDIV 1   /* BPF_DIV / BPF_MOD with off = 1: signed */
/* BPF_MOV with off = 8, 16, 32: sign-extend the low bits (movsx) */
/* BPF_ALU64 | BPF_END: unconditional byte swap (bswap16/32/64) */
/* BPF_JMP32 | BPF_JA: gotol, 32-bit offset in imm */

#define HUP_INSN_SIZE 8u
#define HUP_NR_REGS 11u       /* r0..r10 */
#define HUP_MAX_CALL_DEPTH 8u /* frames of BPF-to-BPF calls, as Linux */

static inline uint8_t hup_insn_class(const struct bpf_insn *insn)
{
	return BPF_CLASS(insn->code);
}

/* The first slot of a 16-byte 64-bit immediate load. */
static inline bool hup_insn_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* The 64-bit value of an ldimm64 whose second slot is insn[1]. */
static inline uint64_t hup_insn_imm64(const struct bpf_insn *insn)
{
	return (uint64_t)(uint32_t)insn[0].imm |
	       ((uint64_t)(uint32_t)insn[1].imm << 32);
}

/* A BPF-to-BPF call: target is pc + 1 + imm. */
static inline bool hup_insn_is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) &&
	       insn->src_reg == BPF_PSEUDO_CALL;
}

#endif /* HUP_INSN_H */
