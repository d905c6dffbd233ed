/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86-64 instruction encoders for the JIT: one small function per machine
 * instruction form, each with its mnemonic and byte layout beside the
 * bytes it writes.  Nothing here knows about BPF; jit_x86.c picks the forms.
 *
 * Encoding reminders (Intel SDM vol. 2, ch. 2):
 *   REX     = 0100WRXB: W = 64-bit operand, R/X/B extend ModRM.reg,
 *             SIB.index and ModRM.rm/SIB.base to r8..r15.  A byte access to
 *             sil/dil/bpl/spl needs a REX (any) or it means dh/bh/ch/ah.
 *   ModRM   = mod(2) reg(3) rm(3); mod 3 = register direct.
 *   Memory operands here always carry a displacement (mod 1 = disp8,
 *   mod 2 = disp32), never mod 0: with rm = 101 (rbp, r13) mod 0 means
 *   RIP-relative.  rm = 100 (rsp, r12) needs a SIB byte (0x24: no index).
 */
#ifndef HUP_JIT_X86_EMIT_H
#define HUP_JIT_X86_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "jit.h"

enum x86_reg {
	X86_RAX = 0, X86_RCX = 1, X86_RDX = 2, X86_RBX = 3,
	X86_RSP = 4, X86_RBP = 5, X86_RSI = 6, X86_RDI = 7,
	X86_R8 = 8, X86_R9 = 9, X86_R10 = 10, X86_R11 = 11,
	X86_R12 = 12, X86_R13 = 13, X86_R14 = 14, X86_R15 = 15,
};

/* Condition codes: jcc rel8 = 0x70 | cc, jcc rel32 = 0x0f 0x80 | cc. */
enum x86_cc {
	X86_CC_B = 0x2,  /* below (CF)          unsigned < */
	X86_CC_AE = 0x3, /* above or equal      unsigned >= */
	X86_CC_E = 0x4,  /* equal (ZF) */
	X86_CC_NE = 0x5, /* not equal */
	X86_CC_BE = 0x6, /* below or equal      unsigned <= */
	X86_CC_A = 0x7,  /* above               unsigned > */
	X86_CC_L = 0xc,  /* less                signed < */
	X86_CC_GE = 0xd, /* greater or equal    signed >= */
	X86_CC_LE = 0xe, /* less or equal       signed <= */
	X86_CC_G = 0xf,  /* greater             signed > */
};

/* Group-1 ALU opcodes, "op r/m, reg" form; the /digit of 0x81/0x83 is
 * (opcode >> 3). */
enum x86_alu {
	X86_ADD = 0x01, X86_OR = 0x09, X86_AND = 0x21, X86_SUB = 0x29,
	X86_XOR = 0x31, X86_CMP = 0x39,
};

/* /digit of the group-2 shifts (0xc1, 0xd1, 0xd3). */
enum x86_shift { X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/* /digit of the group-3 unary ops (0xf7). */
enum x86_unary { X86_NEG = 3, X86_DIV = 6, X86_IDIV = 7 };

/* ------------------------------------------------------------ raw bytes */

static inline void emit1(struct hup_jit_buf *b, uint8_t v)
{
	if (b->mem) {
		if (b->pos >= b->cap)
			b->overflow = true;
		else
			b->mem[b->pos] = v;
	}
	b->pos++;
}

static inline void emit2(struct hup_jit_buf *b, uint8_t v0, uint8_t v1)
{
	emit1(b, v0);
	emit1(b, v1);
}

static inline void emit_u32(struct hup_jit_buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		emit1(b, (uint8_t)(v >> (8 * i)));
}

static inline void emit_u64(struct hup_jit_buf *b, uint64_t v)
{
	emit_u32(b, (uint32_t)v);
	emit_u32(b, (uint32_t)(v >> 32));
}

static inline bool is_imm8(int64_t v)
{
	return v >= -128 && v <= 127;
}

static inline bool is_simm32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* REX.W R X B; omitted when all clear unless force (byte regs 4..7). */
static inline void emit_rex(struct hup_jit_buf *b, bool w, int reg, int index,
			    int rm, bool force)
{
	uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 |
				((index >> 3) & 1) << 1 | ((rm >> 3) & 1));

	if (rex != 0x40 || force)
		emit1(b, rex);
}

/* ModRM, register direct: 11 reg rm. */
static inline void emit_modrm_rr(struct hup_jit_buf *b, int reg, int rm)
{
	emit1(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* ModRM + SIB (+disp8/disp32) for [base + index + off] (scale 1); index
 * must not be rsp. */
static inline void emit_modrm_sib(struct hup_jit_buf *b, int reg, int base,
				  int index, int32_t off)
{
	uint8_t mod = off == 0 && (base & 7) != X86_RBP ? 0x00 :
		      is_imm8(off) ? 0x40 : 0x80;

	emit1(b, (uint8_t)(mod | (reg & 7) << 3 | 0x04));
	emit1(b, (uint8_t)((index & 7) << 3 | (base & 7)));
	if (mod == 0x40)
		emit1(b, (uint8_t)off);
	else if (mod == 0x80)
		emit_u32(b, (uint32_t)off);
}

/* ModRM (+SIB) (+disp8/disp32) for [base + off]. */
static inline void emit_modrm_mem(struct hup_jit_buf *b, int reg, int base,
				  int32_t off)
{
	uint8_t mod = is_imm8(off) ? 0x40 : 0x80;

	emit1(b, (uint8_t)(mod | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == X86_RSP)
		emit1(b, 0x24); /* SIB: scale 1, no index, base = rm */
	if (mod == 0x40)
		emit1(b, (uint8_t)off);
	else
		emit_u32(b, (uint32_t)off);
}

/* [base + off], or [base + index + off] when index >= 0. */
static inline void emit_modrm_memx(struct hup_jit_buf *b, int reg, int base,
				   int index, int32_t off)
{
	if (index < 0)
		emit_modrm_mem(b, reg, base, off);
	else
		emit_modrm_sib(b, reg, base, index, off);
}

/* ------------------------------------------------- register to register */

/* mov dst, src                 REX.W? 89 /r */
static inline void emit_mov_rr(struct hup_jit_buf *b, bool w, int dst, int src)
{
	emit_rex(b, w, src, 0, dst, false);
	emit1(b, 0x89);
	emit_modrm_rr(b, src, dst);
}

/* add|or|and|sub|xor|cmp dst, src       REX.W? op /r */
static inline void emit_alu_rr(struct hup_jit_buf *b, bool w, enum x86_alu op,
			       int dst, int src)
{
	emit_rex(b, w, src, 0, dst, false);
	emit1(b, (uint8_t)op);
	emit_modrm_rr(b, src, dst);
}

/* test dst, src                REX.W? 85 /r */
static inline void emit_test_rr(struct hup_jit_buf *b, bool w, int dst, int src)
{
	emit_rex(b, w, src, 0, dst, false);
	emit1(b, 0x85);
	emit_modrm_rr(b, src, dst);
}

/* op dst, imm: 83 /digit ib (imm8, sign-extended) or 81 /digit id */
static inline void emit_alu_ri(struct hup_jit_buf *b, bool w, enum x86_alu op,
			       int dst, int32_t imm)
{
	emit_rex(b, w, 0, 0, dst, false);
	if (is_imm8(imm)) {
		emit1(b, 0x83);                      /* op r/m, imm8 */
		emit_modrm_rr(b, op >> 3, dst);
		emit1(b, (uint8_t)imm);
	} else {
		emit1(b, 0x81);                      /* op r/m, imm32 */
		emit_modrm_rr(b, op >> 3, dst);
		emit_u32(b, (uint32_t)imm);
	}
}

/* test dst, imm32              REX.W? f7 /0 id */
static inline void emit_test_ri(struct hup_jit_buf *b, bool w, int dst,
				int32_t imm)
{
	emit_rex(b, w, 0, 0, dst, false);
	emit1(b, 0xf7);
	emit_modrm_rr(b, 0, dst);
	emit_u32(b, (uint32_t)imm);
}

/* imul dst, src                REX.W? 0f af /r */
static inline void emit_imul_rr(struct hup_jit_buf *b, bool w, int dst, int src)
{
	emit_rex(b, w, dst, 0, src, false);
	emit2(b, 0x0f, 0xaf);
	emit_modrm_rr(b, dst, src);
}

/* imul dst, src, imm: 6b /r ib or 69 /r id */
static inline void emit_imul_rri(struct hup_jit_buf *b, bool w, int dst,
				 int src, int32_t imm)
{
	emit_rex(b, w, dst, 0, src, false);
	if (is_imm8(imm)) {
		emit1(b, 0x6b);
		emit_modrm_rr(b, dst, src);
		emit1(b, (uint8_t)imm);
	} else {
		emit1(b, 0x69);
		emit_modrm_rr(b, dst, src);
		emit_u32(b, (uint32_t)imm);
	}
}

/* neg|div|idiv r/m             REX.W? f7 /digit */
static inline void emit_unary(struct hup_jit_buf *b, bool w, enum x86_unary op,
			      int reg)
{
	emit_rex(b, w, 0, 0, reg, false);
	emit1(b, 0xf7);
	emit_modrm_rr(b, op, reg);
}

/* shl|shr|sar|ror dst, imm: d1 /digit (by 1) or c1 /digit ib */
static inline void emit_shift_ri(struct hup_jit_buf *b, bool w,
				 enum x86_shift op, int dst, uint8_t cnt)
{
	emit_rex(b, w, 0, 0, dst, false);
	if (cnt == 1) {
		emit1(b, 0xd1);
		emit_modrm_rr(b, op, dst);
	} else {
		emit1(b, 0xc1);
		emit_modrm_rr(b, op, dst);
		emit1(b, cnt);
	}
}

/* shl|shr|sar dst, cl          REX.W? d3 /digit */
static inline void emit_shift_cl(struct hup_jit_buf *b, bool w,
				 enum x86_shift op, int dst)
{
	emit_rex(b, w, 0, 0, dst, false);
	emit1(b, 0xd3);
	emit_modrm_rr(b, op, dst);
}

/*
 * shlx/shrx/sarx dst, src, cnt (BMI2): dst = src shifted by cnt, which any
 * register may hold, flags untouched.  VEX.LZ.{66,F2,F3}.0F38.W{0,1} F7 /r:
 * c4, then ~R ~X ~B 00010 (map 0F38), then W ~vvvv(cnt) L=0 pp, f7, and
 * ModRM with dst in reg and src in rm.
 */
static inline void emit_shiftx(struct hup_jit_buf *b, bool w,
			       enum x86_shift op, int dst, int src, int cnt)
{
	uint8_t pp = op == X86_SHL ? 1 : op == X86_SAR ? 2 : 3;

	emit1(b, 0xc4);
	emit1(b, (uint8_t)((dst & 8 ? 0 : 0x80) | 0x40 | (src & 8 ? 0 : 0x20) |
			   0x02));
	emit1(b, (uint8_t)((w ? 0x80 : 0) | ((~cnt & 0xf) << 3) | pp));
	emit1(b, 0xf7);
	emit_modrm_rr(b, dst, src);
}

/* ror dst16, 8                 66 REX? c1 /1 08  (swap the two low bytes) */
static inline void emit_ror16_8(struct hup_jit_buf *b, int dst)
{
	emit1(b, 0x66);
	emit_rex(b, false, 0, 0, dst, false);
	emit1(b, 0xc1);
	emit_modrm_rr(b, X86_ROR, dst);
	emit1(b, 8);
}

/* bswap dst                    REX.W? 0f c8+r */
static inline void emit_bswap(struct hup_jit_buf *b, bool w, int dst)
{
	emit_rex(b, w, 0, 0, dst, false);
	emit2(b, 0x0f, (uint8_t)(0xc8 | (dst & 7)));
}

/* movzx dst32, src16           REX? 0f b7 /r */
static inline void emit_movzx16_rr(struct hup_jit_buf *b, int dst, int src)
{
	emit_rex(b, false, dst, 0, src, false);
	emit2(b, 0x0f, 0xb7);
	emit_modrm_rr(b, dst, src);
}

/*
 * movsx dst, src8|src16|src32:
 *   movsx r32/64, r/m8         REX 0f be /r  (REX forced: sil/dil/bpl)
 *   movsx r32/64, r/m16        REX.W? 0f bf /r
 *   movsxd r64, r/m32          REX.W 63 /r
 */
static inline void emit_movsx_rr(struct hup_jit_buf *b, bool w, int dst,
				 int src, int bits)
{
	emit_rex(b, w, dst, 0, src, bits == 8 && src >= 4);
	if (bits == 8)
		emit2(b, 0x0f, 0xbe);
	else if (bits == 16)
		emit2(b, 0x0f, 0xbf);
	else
		emit1(b, 0x63);
	emit_modrm_rr(b, dst, src);
}

/* ---------------------------------------------------------- immediates */

/* mov dst32, imm32 (zero-extends)   REX? b8+r id */
static inline void emit_mov_r32_imm(struct hup_jit_buf *b, int dst,
				    uint32_t imm)
{
	emit_rex(b, false, 0, 0, dst, false);
	emit1(b, (uint8_t)(0xb8 | (dst & 7)));
	emit_u32(b, imm);
}

/* mov dst, simm32 (sign-extends)    REX.W c7 /0 id */
static inline void emit_mov_r64_simm(struct hup_jit_buf *b, int dst,
				     int32_t imm)
{
	emit_rex(b, true, 0, 0, dst, false);
	emit1(b, 0xc7);
	emit_modrm_rr(b, 0, dst);
	emit_u32(b, (uint32_t)imm);
}

/* movabs dst, imm64                 REX.W b8+r io */
static inline void emit_movabs(struct hup_jit_buf *b, int dst, uint64_t imm)
{
	emit_rex(b, true, 0, 0, dst, false);
	emit1(b, (uint8_t)(0xb8 | (dst & 7)));
	emit_u64(b, imm);
}

/* dst = imm64 in the shortest form. */
static inline void emit_load_imm64(struct hup_jit_buf *b, int dst, uint64_t v)
{
	if (v == 0)
		emit_alu_rr(b, false, X86_XOR, dst, dst); /* xor dst32, dst32 */
	else if (v <= UINT32_MAX)
		emit_mov_r32_imm(b, dst, (uint32_t)v);
	else if (is_simm32((int64_t)v))
		emit_mov_r64_simm(b, dst, (int32_t)v);
	else
		emit_movabs(b, dst, v);
}

/* cqo (rdx:rax = sx rax)  48 99;   cdq (edx:eax = sx eax)  99 */
static inline void emit_cqo(struct hup_jit_buf *b, bool w)
{
	if (w)
		emit1(b, 0x48);
	emit1(b, 0x99);
}

/* -------------------------------------------------------------- memory */

/*
 * Loads, zero-extending to 64 bits:
 *   movzx r32, byte [m]        REX? 0f b6 /r
 *   movzx r32, word [m]        REX? 0f b7 /r
 *   mov r32, dword [m]         REX? 8b /r
 *   mov r64, qword [m]         REX.W 8b /r
 */
static inline void emit_ldx_x(struct hup_jit_buf *b, int size, int dst,
			      int base, int index, int32_t off)
{
	emit_rex(b, size == 8, dst, index < 0 ? 0 : index, base, false);
	if (size == 1)
		emit2(b, 0x0f, 0xb6);
	else if (size == 2)
		emit2(b, 0x0f, 0xb7);
	else
		emit1(b, 0x8b);
	emit_modrm_memx(b, dst, base, index, off);
}

static inline void emit_ldx(struct hup_jit_buf *b, int size, int dst, int base,
			    int32_t off)
{
	emit_ldx_x(b, size, dst, base, -1, off);
}

/*
 * Sign-extending loads to 64 bits:
 *   movsx r64, byte [m]        REX.W 0f be /r
 *   movsx r64, word [m]        REX.W 0f bf /r
 *   movsxd r64, dword [m]      REX.W 63 /r
 */
static inline void emit_ldsx(struct hup_jit_buf *b, int size, int dst,
			     int base, int index, int32_t off)
{
	emit_rex(b, true, dst, index < 0 ? 0 : index, base, false);
	if (size == 1)
		emit2(b, 0x0f, 0xbe);
	else if (size == 2)
		emit2(b, 0x0f, 0xbf);
	else
		emit1(b, 0x63);
	emit_modrm_memx(b, dst, base, index, off);
}

/*
 * Stores of a register:
 *   mov byte [m], r8           REX? 88 /r   (REX forced for sil/dil/bpl)
 *   mov word [m], r16          66 REX? 89 /r
 *   mov dword [m], r32         REX? 89 /r
 *   mov qword [m], r64         REX.W 89 /r
 */
static inline void emit_stx_x(struct hup_jit_buf *b, int size, int base,
			      int index, int32_t off, int src)
{
	if (size == 2)
		emit1(b, 0x66);
	emit_rex(b, size == 8, src, index < 0 ? 0 : index, base,
		 size == 1 && src >= 4);
	emit1(b, size == 1 ? 0x88 : 0x89);
	emit_modrm_memx(b, src, base, index, off);
}

static inline void emit_stx(struct hup_jit_buf *b, int size, int base,
			    int32_t off, int src)
{
	emit_stx_x(b, size, base, -1, off, src);
}

/*
 * Stores of an immediate:
 *   mov byte [m], imm8         REX? c6 /0 ib
 *   mov word [m], imm16        66 REX? c7 /0 iw
 *   mov dword [m], imm32       REX? c7 /0 id
 *   mov qword [m], simm32      REX.W c7 /0 id   (sign-extended, as BPF)
 */
static inline void emit_st_imm(struct hup_jit_buf *b, int size, int base,
			       int index, int32_t off, int32_t imm)
{
	if (size == 2)
		emit1(b, 0x66);
	emit_rex(b, size == 8, 0, index < 0 ? 0 : index, base, false);
	emit1(b, size == 1 ? 0xc6 : 0xc7);
	emit_modrm_memx(b, 0, base, index, off);
	if (size == 1)
		emit1(b, (uint8_t)imm);
	else if (size == 2)
		emit2(b, (uint8_t)imm, (uint8_t)((uint32_t)imm >> 8));
	else
		emit_u32(b, (uint32_t)imm);
}

/* lea dst, [base + off]        REX.W 8d /r */
static inline void emit_lea(struct hup_jit_buf *b, int dst, int base,
			    int32_t off)
{
	emit_rex(b, true, dst, 0, base, false);
	emit1(b, 0x8d);
	emit_modrm_mem(b, dst, base, off);
}

/* lea dst, [rip + disp32]      REX.W 8d /r, mod 00 rm 101 */
static inline void emit_lea_rip(struct hup_jit_buf *b, int dst, int32_t disp)
{
	emit_rex(b, true, dst, 0, 0, false);
	emit2(b, 0x8d, (uint8_t)(0x05 | (dst & 7) << 3));
	emit_u32(b, (uint32_t)disp);
}

/*
 * mov dst, [base + index * 8]  REX.W 8b /r, mod 00 rm 100, SIB(3, idx, base)
 * base must not be rbp/r13 (mod 00 would mean disp32, no base).
 */
static inline void emit_ld_index8(struct hup_jit_buf *b, int dst, int base,
				  int index)
{
	emit_rex(b, true, dst, index, base, false);
	emit2(b, 0x8b, (uint8_t)(0x04 | (dst & 7) << 3));
	emit1(b, (uint8_t)(0xc0 | (index & 7) << 3 | (base & 7)));
}

/* pxor xmmN, xmmN (N < 8)    66 0f ef /r */
static inline void emit_pxor_self(struct hup_jit_buf *b, int xmm)
{
	emit2(b, 0x66, 0x0f);
	emit1(b, 0xef);
	emit_modrm_rr(b, xmm, xmm);
}

/* movaps [base + off], xmmN (N < 8; 16-byte aligned)  REX? 0f 29 /r */
static inline void emit_movaps_store(struct hup_jit_buf *b, int base,
				     int32_t off, int xmm)
{
	emit_rex(b, false, xmm, 0, base, false);
	emit2(b, 0x0f, 0x29);
	emit_modrm_mem(b, xmm, base, off);
}

/* movups xmmN, [base + off] (N < 8)     REX? 0f 10 /r */
static inline void emit_movups_load(struct hup_jit_buf *b, int xmm, int base,
				    int32_t off)
{
	emit_rex(b, false, xmm, 0, base, false);
	emit2(b, 0x0f, 0x10);
	emit_modrm_mem(b, xmm, base, off);
}

/* movups [base + off], xmmN (N < 8)     REX? 0f 11 /r */
static inline void emit_movups_store(struct hup_jit_buf *b, int base,
				     int32_t off, int xmm)
{
	emit_rex(b, false, xmm, 0, base, false);
	emit2(b, 0x0f, 0x11);
	emit_modrm_mem(b, xmm, base, off);
}

/* ------------------------------------------------------------- atomics */

/* lock add|or|and|xor [m], src      f0 REX.W? op /r */
static inline void emit_lock_alu(struct hup_jit_buf *b, bool w,
				 enum x86_alu op, int base, int32_t off,
				 int src)
{
	emit1(b, 0xf0);
	emit_rex(b, w, src, 0, base, false);
	emit1(b, (uint8_t)op);
	emit_modrm_mem(b, src, base, off);
}

/* lock xadd [m], src                f0 REX.W? 0f c1 /r */
static inline void emit_lock_xadd(struct hup_jit_buf *b, bool w, int base,
				  int32_t off, int src)
{
	emit1(b, 0xf0);
	emit_rex(b, w, src, 0, base, false);
	emit2(b, 0x0f, 0xc1);
	emit_modrm_mem(b, src, base, off);
}

/* lock xchg [m], src                f0 REX.W? 87 /r
 * (xchg with memory is locked anyway; the prefix makes that explicit) */
static inline void emit_lock_xchg(struct hup_jit_buf *b, bool w, int base,
				  int32_t off, int src)
{
	emit1(b, 0xf0);
	emit_rex(b, w, src, 0, base, false);
	emit1(b, 0x87);
	emit_modrm_mem(b, src, base, off);
}

/* lock cmpxchg [m], src             f0 REX.W? 0f b1 /r  (compares rax) */
static inline void emit_lock_cmpxchg(struct hup_jit_buf *b, bool w, int base,
				     int32_t off, int src)
{
	emit1(b, 0xf0);
	emit_rex(b, w, src, 0, base, false);
	emit2(b, 0x0f, 0xb1);
	emit_modrm_mem(b, src, base, off);
}

/* -------------------------------------------------------- control flow */

/* push reg                     REX.B? 50+r */
static inline void emit_push(struct hup_jit_buf *b, int reg)
{
	emit_rex(b, false, 0, 0, reg, false);
	emit1(b, (uint8_t)(0x50 | (reg & 7)));
}

/* pop reg                      REX.B? 58+r */
static inline void emit_pop(struct hup_jit_buf *b, int reg)
{
	emit_rex(b, false, 0, 0, reg, false);
	emit1(b, (uint8_t)(0x58 | (reg & 7)));
}

/* call reg                     REX.B? ff /2 */
static inline void emit_call_r(struct hup_jit_buf *b, int reg)
{
	emit_rex(b, false, 0, 0, reg, false);
	emit1(b, 0xff);
	emit_modrm_rr(b, 2, reg);
}

/* call rel32                   e8 cd */
static inline void emit_call_rel32(struct hup_jit_buf *b, int32_t rel)
{
	emit1(b, 0xe8);
	emit_u32(b, (uint32_t)rel);
}

/* ret                          c3 */
static inline void emit_ret(struct hup_jit_buf *b)
{
	emit1(b, 0xc3);
}

/* jmp rel8  eb cb;  jcc rel8  70+cc cb */
static inline void emit_jmp8(struct hup_jit_buf *b, int cc, int8_t rel)
{
	emit2(b, cc < 0 ? 0xeb : (uint8_t)(0x70 | cc), (uint8_t)rel);
}

/* jmp rel32  e9 cd;  jcc rel32  0f 80+cc cd */
static inline void emit_jmp32(struct hup_jit_buf *b, int cc, int32_t rel)
{
	if (cc < 0)
		emit1(b, 0xe9);
	else
		emit2(b, 0x0f, (uint8_t)(0x80 | cc));
	emit_u32(b, (uint32_t)rel);
}

/* mov r64, fs:[disp32]         64 REX.W 8b /r, SIB without base or index:
 * a thread's initial-exec TLS, disp from the thread pointer */
static inline void emit_ld_fs(struct hup_jit_buf *b, int dst, int32_t disp)
{
	emit1(b, 0x64);
	emit_rex(b, true, dst, 0, 0, false);
	emit1(b, 0x8b);
	emit2(b, (uint8_t)(0x04 | (dst & 7) << 3), 0x25);
	emit_u32(b, (uint32_t)disp);
}

/* int3                         cc  (image padding) */
#define X86_INT3 0xcc

#endif /* HUP_JIT_X86_EMIT_H */
