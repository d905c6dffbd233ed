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
#include <stddef.h>
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

/*
 * Sealed programs (verifier/seal.c), run by the engines in confined mode:
 *  - a ctx access has base register HUP_REG_CTX, which holds the context
 *    pointer the run was given (guest code can only name r0..r10);
 *  - a stack access has base r10 and off = d * HUP_STACK_SIZE + o: the
 *    frame d levels up the call chain, o in [-HUP_STACK_SIZE, -size];
 *  - a helper call whose argument dst_reg & 7 is a stack or ctx buffer
 *    carries it in dst_reg (| HUP_SEAL_ARG_CTX for ctx) and off (encoded
 *    as above, or the ctx offset); the engines rebuild that argument from
 *    it and clamp the size argument (the next register) to the region;
 *  - an instruction the verifier never reached that could touch memory is
 *    a call to helper HUP_SEAL_TRAP_ID, which no table has: it aborts.
 */
#define HUP_REG_CTX 11u
#define HUP_SEAL_ARG_CTX 8u
#define HUP_SEAL_TRAP_ID (-1)

/* Frames up (d) and in-frame offset (o) of a sealed stack offset. */
static inline unsigned int hup_seal_frames(int32_t off)
{
	return (unsigned int)((off + 512) >> 9);
}

static inline int32_t hup_seal_frame_off(int32_t off)
{
	return ((off + 512) & 511) - 512;
}

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

/* A conditional jump: JMP or JMP32, neither ja, call nor exit. */
static inline bool hup_insn_is_cond_jump(const struct bpf_insn *insn)
{
	uint8_t cls = insn->code & 0x07, op = insn->code & 0xf0;

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_JA &&
	       op != BPF_CALL && op != BPF_EXIT;
}

/* A jump's offset from the next insn: gotol (JMP32 | JA) keeps it in imm. */
static inline int64_t hup_insn_jump_off(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP32 | BPF_JA) ? (int64_t)insn->imm
						  : (int64_t)insn->off;
}

/* A load or store whose base register is r10 (and that does not store
 * r10 itself): in a sealed program, a stack access at a static offset. */
static inline bool hup_insn_r10_base(const struct bpf_insn *insn)
{
	uint8_t cls = insn->code & 0x07;

	if (cls == BPF_LDX)
		return insn->src_reg == BPF_REG_10 &&
		       insn->dst_reg != BPF_REG_10;
	if (cls == BPF_ST || cls == BPF_STX)
		return insn->dst_reg == BPF_REG_10 &&
		       (cls == BPF_ST || insn->src_reg != BPF_REG_10);
	return false;
}

/*
 * The registers r0..r10 an instruction writes, bit k for rk; HUP_WRITES_ALL
 * for what clobbers more than its operands say (any call: r0-r5, and
 * whatever a subprogram or callx does; the legacy packet loads).  An upper
 * bound: a fetching atomic counts its source, a compare-and-exchange r0.
 */
#define HUP_WRITES_ALL 0x7ffu
static inline uint16_t hup_insn_writes(const struct bpf_insn *insn)
{
	uint8_t cls = insn->code & 0x07;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
	case BPF_LDX:
		return (uint16_t)(1u << (insn->dst_reg & 0xf)) & HUP_WRITES_ALL;
	case BPF_LD:
		return hup_insn_is_ldimm64(insn)
			       ? (uint16_t)(1u << (insn->dst_reg & 0xf)) &
					 HUP_WRITES_ALL
			       : HUP_WRITES_ALL;
	case BPF_STX:
		if ((insn->code & 0xe0) != BPF_ATOMIC)
			return 0;
		if (insn->imm == BPF_CMPXCHG)
			return 1u;
		return insn->imm & BPF_FETCH
			       ? (uint16_t)(1u << (insn->src_reg & 0xf)) &
					 HUP_WRITES_ALL
			       : 0;
	case BPF_JMP:
	case BPF_JMP32:
		return (insn->code & 0xf0) == BPF_CALL ? HUP_WRITES_ALL : 0;
	}
	return 0; /* BPF_ST */
}

/*
 * Whether the program runs each instruction at most once: no BPF-to-BPF
 * call (a rewritten loop's callback, a subprogram) or callx exists, and
 * no cycle of jumps (a jump backwards that is not a loop, as compilers
 * lay out a shared exit block, is fine).  Such a run ends after at most
 * cnt instructions and their helpers, whatever the data: the budget
 * watchdog need not be woken for it (budget.h).  A static scan of what
 * the engines run, independent of the verifier's reasoning (pure; false
 * also for a jump out of the program or into an ldimm64, and when memory
 * for the scan runs out).  insn.c.
 */
bool hup_insns__straight(const struct bpf_insn *insns, size_t cnt);

#endif /* HUP_INSN_H */
