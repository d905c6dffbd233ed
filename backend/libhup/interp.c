/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The eBPF interpreter: the reference engine of libhup (engine.h).  It runs
 * the whole of RFC 9669 (base64, atomic64, divmul64 including the v4 signed
 * forms, movsx, sign-extending loads, bswap, gotol, local calls, helper
 * calls and callx) and is the oracle the JIT is compared against, so its
 * semantics are spelled out here with no undefined behaviour anywhere: all
 * arithmetic is done on unsigned types, signed division handles INT_MIN / -1
 * and division by zero explicitly, loads and stores go through memcpy (no
 * alignment assumptions), and register fields index a 16-entry file so no
 * 4-bit field can reach outside it.  Memory accesses are confined, not
 * checked (engine.h): a sealed program's stack and ctx accesses are at
 * static offsets from r10 and HUP_REG_CTX, any other base is masked into
 * the view, and a touch of a view hole is caught by the fault handler
 * around the run (view.c).  Dispatch is direct threading through a table of label
 * addresses (GNU C), one indirect jump per instruction.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "alu_sem.h"
#include "engine.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What a BPF-to-BPF call saves: the callee-saved registers and the frame. */
struct interp_frame {
	size_t ret_pc;     /* the call instruction */
	uint64_t r6_r9[4];
	uint64_t r10;
};

/*
 * Zeroing of the register file and of a frame's stack, n 16-byte vectors.
 * Not memset: for a constant size gcc emits `rep stos`, whose start-up
 * cost on some CPUs (about 25 ns on the AMD EPYC this was measured on) is
 * more than a whole short run.  The empty asm keeps the loop from being
 * turned back into memset.
 */
typedef uint64_t interp_vec __attribute__((vector_size(16)));

static inline void interp_clear(interp_vec *p, size_t n)
{
	const interp_vec zero = {0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = zero;
		__asm__ volatile("" : : : "memory");
	}
}

#define INTERP_STACK_VECS (HUP_STACK_SIZE / sizeof(interp_vec))
#define STACK_TOP (HUP_MAX_CALL_DEPTH - 1) /* frame 0's stack */

/* ---------------------------------------------------------------- ALU */

/* udiv64 .. arsh32: alu_sem.h, shared with the verifier's folding. */

/* ------------------------------------------------------------ atomics */

/*
 * BPF_STX | BPF_ATOMIC.  These are real atomic read-modify-writes on the
 * target (sequentially consistent, as the kernel's are full barriers):
 * another vCPU's thread, or another host thread running a program on the
 * same guest memory, sees each one whole.  Returns false for an unknown
 * operation.
 */
/*
 * One body for both widths (T is uint64_t or uint32_t): fetched values and
 * r0 come back zero-extended, as the 32-bit forms require.
 */
#define DEFINE_ATOMIC(name, T)                                               \
	static bool name(uint64_t addr, int32_t op, uint64_t *src,           \
			 uint64_t *r0)                                        \
	{                                                                    \
		T *p = (T *)(uintptr_t)addr;                                 \
		T v = (T)*src, old;                                          \
									     \
		switch (op) {                                                \
		case BPF_ADD:                                                \
			__atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);          \
			return true;                                         \
		case BPF_OR:                                                 \
			__atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);           \
			return true;                                         \
		case BPF_AND:                                                \
			__atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);          \
			return true;                                         \
		case BPF_XOR:                                                \
			__atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);          \
			return true;                                         \
		case BPF_ADD | BPF_FETCH:                                    \
			*src = __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);   \
			return true;                                         \
		case BPF_OR | BPF_FETCH:                                     \
			*src = __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);    \
			return true;                                         \
		case BPF_AND | BPF_FETCH:                                    \
			*src = __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);   \
			return true;                                         \
		case BPF_XOR | BPF_FETCH:                                    \
			*src = __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);   \
			return true;                                         \
		case BPF_XCHG:                                               \
			*src = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);  \
			return true;                                         \
		case BPF_CMPXCHG:                                            \
			/* r0 = old value; stored only if old == r0 */       \
			old = (T)*r0;                                        \
			__atomic_compare_exchange_n(p, &old, v, false,       \
						    __ATOMIC_SEQ_CST,        \
						    __ATOMIC_SEQ_CST);       \
			*r0 = old;                                           \
			return true;                                         \
		}                                                            \
		return false;                                                \
	}

DEFINE_ATOMIC(atomic64, uint64_t)
DEFINE_ATOMIC(atomic32, uint32_t)

/* ------------------------------------------------------- the main loop */

/* Operands of the current instruction. */
#define DST reg[insn->dst_reg]
#define SRC reg[insn->src_reg]
#define IMM64 ((uint64_t)(int64_t)insn->imm) /* sign-extended */
#define IMM32 ((uint32_t)insn->imm)
#define OFF64 ((uint64_t)(int64_t)insn->off)
/*
 * The address of a load, store or atomic with base register r.  r10 (the
 * stack, at sealed static offsets) and HUP_REG_CTX are taken as they are;
 * any other base is a view pointer in a sealed program and is confined to
 * the view (engine.h); unsealed runs have vb 0 and vmask ~0, the identity.
 * A sealed stack access at or above the top of frame 0's stack is a frame
 * further up than the run has (a frame count the verifier got wrong): the
 * run ends there, as in the JIT, rather than touch the interpreter's own
 * C stack.
 */
#define MADDR(r)                                                             \
	({                                                                   \
		uintptr_t a_ = (uintptr_t)((r) < BPF_REG_10 ?                \
			vb + ((reg[(r)] + OFF64 - vb) & vmask) :             \
			reg[(r)] + OFF64);                                   \
		if (unlikely((r) == BPF_REG_10 && sealed && a_ >= stack_end)) \
			goto fault;                                          \
		a_;                                                          \
	})
#define SRC_ADDR MADDR(insn->src_reg)
#define DST_ADDR MADDR(insn->dst_reg)

/*
 * Fetch and dispatch.  pc is an index (size_t): a jump computes it with
 * unsigned wrap-around, so a target before insn 0 becomes huge and fails
 * the same bounds check as one past the end.  A verified program never
 * leaves [0, cnt); the check keeps unverified ones (the conformance suite,
 * fuzzers) from reading outside the array.
 */
#define DISPATCH()                                                           \
	do {                                                                 \
		if (unlikely(pc >= cnt))                                     \
			goto fault;                                          \
		insn = &insns[pc];                                           \
		goto *labels[insn->code];                                    \
	} while (0)
#define NEXT()                                                               \
	do {                                                                 \
		pc++;                                                        \
		DISPATCH();                                                  \
	} while (0)

/* Two-operand ALU ops, 64-bit and 32-bit, register and immediate source. */
#define ALU_OP(name, E64, E32)                                               \
	alu64_##name##_x : {                                                 \
		uint64_t d = DST, s = SRC;                                   \
		DST = (E64);                                                 \
		NEXT();                                                      \
	}                                                                    \
	alu64_##name##_k : {                                                 \
		uint64_t d = DST, s = IMM64;                                 \
		DST = (E64);                                                 \
		NEXT();                                                      \
	}                                                                    \
	alu32_##name##_x : {                                                 \
		uint32_t d = (uint32_t)DST, s = (uint32_t)SRC;               \
		DST = (uint32_t)(E32);                                       \
		NEXT();                                                      \
	}                                                                    \
	alu32_##name##_k : {                                                 \
		uint32_t d = (uint32_t)DST, s = IMM32;                       \
		DST = (uint32_t)(E32);                                       \
		NEXT();                                                      \
	}

/* DIV and MOD: off selects unsigned (0) or signed (1). */
#define ALU_DIVMOD(name)                                                     \
	alu64_##name##_x : {                                                 \
		uint64_t d = DST, s = SRC;                                   \
		if (insn->off == 0)                                          \
			DST = u##name##64(d, s);                             \
		else if (insn->off == HUP_OFF_SDIV)                          \
			DST = s##name##64(d, s);                             \
		else                                                         \
			goto fault;                                          \
		NEXT();                                                      \
	}                                                                    \
	alu64_##name##_k : {                                                 \
		uint64_t d = DST, s = IMM64;                                 \
		if (insn->off == 0)                                          \
			DST = u##name##64(d, s);                             \
		else if (insn->off == HUP_OFF_SDIV)                          \
			DST = s##name##64(d, s);                             \
		else                                                         \
			goto fault;                                          \
		NEXT();                                                      \
	}                                                                    \
	alu32_##name##_x : {                                                 \
		uint32_t d = (uint32_t)DST, s = (uint32_t)SRC;               \
		if (insn->off == 0)                                          \
			DST = u##name##32(d, s);                             \
		else if (insn->off == HUP_OFF_SDIV)                          \
			DST = s##name##32(d, s);                             \
		else                                                         \
			goto fault;                                          \
		NEXT();                                                      \
	}                                                                    \
	alu32_##name##_k : {                                                 \
		uint32_t d = (uint32_t)DST, s = IMM32;                       \
		if (insn->off == 0)                                          \
			DST = u##name##32(d, s);                             \
		else if (insn->off == HUP_OFF_SDIV)                          \
			DST = s##name##32(d, s);                             \
		else                                                         \
			goto fault;                                          \
		NEXT();                                                      \
	}

/* Conditional jumps; C64 compares u64 d, s and C32 compares u32 d, s. */
#define JMP_OP(name, C64, C32)                                               \
	jmp64_##name##_x : {                                                 \
		uint64_t d = DST, s = SRC;                                   \
		if (C64)                                                     \
			pc += OFF64;                                         \
		NEXT();                                                      \
	}                                                                    \
	jmp64_##name##_k : {                                                 \
		uint64_t d = DST, s = IMM64;                                 \
		if (C64)                                                     \
			pc += OFF64;                                         \
		NEXT();                                                      \
	}                                                                    \
	jmp32_##name##_x : {                                                 \
		uint32_t d = (uint32_t)DST, s = (uint32_t)SRC;               \
		if (C32)                                                     \
			pc += OFF64;                                         \
		NEXT();                                                      \
	}                                                                    \
	jmp32_##name##_k : {                                                 \
		uint32_t d = (uint32_t)DST, s = IMM32;                       \
		if (C32)                                                     \
			pc += OFF64;                                         \
		NEXT();                                                      \
	}

/* Loads (zero- and sign-extending), stores of a register and of imm. */
#define MEM_OP(sz, type, stype)                                              \
	ldx_##sz : {                                                         \
		type v;                                                      \
		memcpy(&v, (const void *)SRC_ADDR, sizeof(v));               \
		DST = v;                                                     \
		NEXT();                                                      \
	}                                                                    \
	ldxs_##sz : {                                                        \
		stype v;                                                     \
		memcpy(&v, (const void *)SRC_ADDR, sizeof(v));              \
		DST = (uint64_t)(int64_t)v;                                  \
		NEXT();                                                      \
	}                                                                    \
	stx_##sz : {                                                         \
		type v = (type)SRC;                                          \
		memcpy((void *)DST_ADDR, &v, sizeof(v));                     \
		NEXT();                                                      \
	}                                                                    \
	st_##sz : {                                                          \
		type v = (type)IMM64;                                        \
		memcpy((void *)DST_ADDR, &v, sizeof(v));                     \
		NEXT();                                                      \
	}

/* Table entries for the four forms of an ALU or JMP op. */
#define ALU_ENTRIES(OP, name)                                                \
	[BPF_ALU64 | BPF_##OP | BPF_X] = &&alu64_##name##_x,                 \
	[BPF_ALU64 | BPF_##OP | BPF_K] = &&alu64_##name##_k,                 \
	[BPF_ALU | BPF_##OP | BPF_X] = &&alu32_##name##_x,                   \
	[BPF_ALU | BPF_##OP | BPF_K] = &&alu32_##name##_k
#define JMP_ENTRIES(OP, name)                                                \
	[BPF_JMP | BPF_##OP | BPF_X] = &&jmp64_##name##_x,                   \
	[BPF_JMP | BPF_##OP | BPF_K] = &&jmp64_##name##_k,                   \
	[BPF_JMP32 | BPF_##OP | BPF_X] = &&jmp32_##name##_x,                 \
	[BPF_JMP32 | BPF_##OP | BPF_K] = &&jmp32_##name##_k
#define MEM_ENTRIES(SZ, sz)                                                  \
	[BPF_LDX | BPF_MEM | BPF_##SZ] = &&ldx_##sz,                         \
	[BPF_STX | BPF_MEM | BPF_##SZ] = &&stx_##sz,                         \
	[BPF_ST | BPF_MEM | BPF_##SZ] = &&st_##sz

const struct hup_confine hup_confine_none = {
	.view_base = 0, .view_mask = UINT64_MAX, .ctx_size = 0, .sealed = false,
};

/* A sealed helper call's buffer argument, rebuilt from its static place.
 * False: a stack argument above frame 0's stack (stack_end), see MADDR. */
static inline bool remat_arg(uint64_t *reg, const struct bpf_insn *insn,
			     uint32_t ctx_size, uintptr_t stack_end)
{
	unsigned int r = insn->dst_reg & 7;
	int32_t off = insn->off;
	uint64_t lim;

	if (insn->dst_reg & HUP_SEAL_ARG_CTX) {
		reg[r] = reg[HUP_REG_CTX] + (uint64_t)(int64_t)off;
		lim = off >= 0 && (uint32_t)off < ctx_size ? ctx_size - (uint32_t)off : 0;
	} else {
		reg[r] = reg[BPF_REG_10] + (uint64_t)(int64_t)off;
		lim = (uint64_t)-(int64_t)hup_seal_frame_off(off);
		if (reg[r] >= stack_end)
			return false;
	}
	if (reg[r + 1] > lim)
		reg[r + 1] = lim;
	return true;
}

uint64_t hup_interp__run(const struct bpf_insn *insns, size_t cnt,
			 const struct hup_helper_table *helpers, uint64_t r1,
			 uint64_t r2, int *err)
{
	return hup_interp__run_confined(insns, cnt, helpers, NULL, r1, r2, err);
}

uint64_t hup_interp__run_confined(const struct bpf_insn *insns, size_t cnt,
				  const struct hup_helper_table *helpers,
				  const struct hup_confine *c, uint64_t r1,
				  uint64_t r2, int *err)
{
/*
 * Every opcode byte not named below is invalid; the range initialiser sets
 * the default and the named entries override it (hence the pragma).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const labels[256] = {
		[0 ... 255] = &&invalid,
		ALU_ENTRIES(ADD, add),
		ALU_ENTRIES(SUB, sub),
		ALU_ENTRIES(MUL, mul),
		ALU_ENTRIES(DIV, div),
		ALU_ENTRIES(OR, or),
		ALU_ENTRIES(AND, and),
		ALU_ENTRIES(LSH, lsh),
		ALU_ENTRIES(RSH, rsh),
		ALU_ENTRIES(MOD, mod),
		ALU_ENTRIES(XOR, xor),
		ALU_ENTRIES(MOV, mov),
		ALU_ENTRIES(ARSH, arsh),
		[BPF_ALU64 | BPF_NEG | BPF_K] = &&alu64_neg,
		[BPF_ALU | BPF_NEG | BPF_K] = &&alu32_neg,
		[BPF_ALU | BPF_END | BPF_TO_LE] = &&alu32_le,
		[BPF_ALU | BPF_END | BPF_TO_BE] = &&alu32_be,
		[BPF_ALU64 | BPF_END | BPF_TO_LE] = &&alu64_bswap,

		[BPF_JMP | BPF_JA] = &&jmp64_ja,
		[BPF_JMP32 | BPF_JA] = &&jmp32_ja,
		JMP_ENTRIES(JEQ, jeq),
		JMP_ENTRIES(JGT, jgt),
		JMP_ENTRIES(JGE, jge),
		JMP_ENTRIES(JSET, jset),
		JMP_ENTRIES(JNE, jne),
		JMP_ENTRIES(JSGT, jsgt),
		JMP_ENTRIES(JSGE, jsge),
		JMP_ENTRIES(JLT, jlt),
		JMP_ENTRIES(JLE, jle),
		JMP_ENTRIES(JSLT, jslt),
		JMP_ENTRIES(JSLE, jsle),
		[BPF_JMP | BPF_CALL | BPF_K] = &&call,
		[BPF_JMP | BPF_CALL | BPF_X] = &&callx,
		[BPF_JMP | BPF_EXIT] = &&exit,

		[BPF_LD | BPF_IMM | BPF_DW] = &&ldimm64,
		MEM_ENTRIES(B, b),
		MEM_ENTRIES(H, h),
		MEM_ENTRIES(W, w),
		MEM_ENTRIES(DW, dw),
		[BPF_LDX | BPF_MEMSX | BPF_B] = &&ldxs_b,
		[BPF_LDX | BPF_MEMSX | BPF_H] = &&ldxs_h,
		[BPF_LDX | BPF_MEMSX | BPF_W] = &&ldxs_w,
		[BPF_STX | BPF_ATOMIC | BPF_W] = &&atomic_w,
		[BPF_STX | BPF_ATOMIC | BPF_DW] = &&atomic_dw,
	};
#pragma GCC diagnostic pop
	/* 16 entries: any 4-bit register field indexes inside the file. */
	union {
		uint64_t r[16];
		interp_vec v[8];
	} file;
	uint64_t *const reg = file.r;
	struct interp_frame frames[HUP_MAX_CALL_DEPTH];
	/*
	 * A HUP_STACK_SIZE stack per frame, as the verifier assumes each
	 * frame has, from the top down: frame k is stack[TOP - k], so its
	 * caller's r10 is its own r10 + HUP_STACK_SIZE and a sealed access
	 * `r10 + d * HUP_STACK_SIZE + o` is frame d levels up (engine.h).
	 */
	interp_vec stack[HUP_MAX_CALL_DEPTH][INTERP_STACK_VECS];
	const uint64_t vb = c ? c->view_base : 0;
	const uint64_t vmask = c ? c->view_mask : UINT64_MAX;
	const bool sealed = c && c->sealed;
	/* just past frame 0's stack: no frame lies above it */
	const uintptr_t stack_end =
		(uintptr_t)(stack[STACK_TOP] + INTERP_STACK_VECS);
	const struct bpf_insn *insn;
	unsigned int depth = 0, cleared = 0; /* stack[0..cleared] zeroed */
	size_t pc = 0;
	int dummy;

	if (!err)
		err = &dummy;
	*err = 0;
	/*
	 * Defence in depth: the verifier proves every stack slot is written
	 * before it is read, but should it ever be wrong, a program still
	 * cannot read host stack bytes left over from earlier calls.  A
	 * frame's stack is cleared when its depth is first reached in this
	 * run, not on every call: after that it holds only this program's
	 * own data, and a loop calling a callback 2^20 times (the verifier's
	 * rewrite of HUP_FN_loop) does not pay 2^20 clears.
	 */
	interp_clear(stack[STACK_TOP], INTERP_STACK_VECS);
	interp_clear(file.v, ARRAY_SIZE(file.v));
	reg[1] = r1;
	reg[2] = r2;
	reg[HUP_REG_CTX] = r1;
	reg[10] = stack_end;
	DISPATCH();

	ALU_OP(add, d + s, d + s)
	ALU_OP(sub, d - s, d - s)
	ALU_OP(mul, d * s, d * s)
	ALU_OP(or, d | s, d | s)
	ALU_OP(and, d & s, d & s)
	ALU_OP(xor, d ^ s, d ^ s)
	ALU_OP(lsh, d << (s & 63), d << (s & 31))
	ALU_OP(rsh, d >> (s & 63), d >> (s & 31))
	ALU_OP(arsh, arsh64(d, s), arsh32(d, s))
	ALU_DIVMOD(div)
	ALU_DIVMOD(mod)

alu64_neg:
	DST = 0 - DST;
	NEXT();
alu32_neg:
	DST = (uint32_t)(0 - (uint32_t)DST);
	NEXT();

	/* mov; with a register source, off = 8/16/32 is movsx. */
alu64_mov_x:
	switch (insn->off) {
	case 0:
		DST = SRC;
		break;
	case 8:
		DST = (uint64_t)(int64_t)(int8_t)SRC;
		break;
	case 16:
		DST = (uint64_t)(int64_t)(int16_t)SRC;
		break;
	case 32:
		DST = (uint64_t)(int64_t)(int32_t)SRC;
		break;
	default:
		goto fault;
	}
	NEXT();
alu32_mov_x:
	switch (insn->off) {
	case 0:
		DST = (uint32_t)SRC;
		break;
	case 8:
		DST = (uint32_t)(int32_t)(int8_t)SRC;
		break;
	case 16:
		DST = (uint32_t)(int32_t)(int16_t)SRC;
		break;
	default:
		goto fault;
	}
	NEXT();
	/* There is no movsx from an immediate. */
alu64_mov_k:
	if (unlikely(insn->off))
		goto fault;
	DST = IMM64;
	NEXT();
alu32_mov_k:
	if (unlikely(insn->off))
		goto fault;
	DST = IMM32;
	NEXT();

	/* Byte order.  The host is little-endian, so "to LE" truncates. */
alu32_le:
	switch (insn->imm) {
	case 16:
		DST = (uint16_t)DST;
		break;
	case 32:
		DST = (uint32_t)DST;
		break;
	case 64:
		break;
	default:
		goto fault;
	}
	NEXT();
alu32_be:
alu64_bswap:
	switch (insn->imm) {
	case 16:
		DST = __builtin_bswap16((uint16_t)DST);
		break;
	case 32:
		DST = __builtin_bswap32((uint32_t)DST);
		break;
	case 64:
		DST = __builtin_bswap64(DST);
		break;
	default:
		goto fault;
	}
	NEXT();

jmp64_ja:
	pc += OFF64;
	NEXT();
jmp32_ja: /* gotol: the offset is the 32-bit imm */
	pc += IMM64;
	NEXT();

	JMP_OP(jeq, d == s, d == s)
	JMP_OP(jne, d != s, d != s)
	JMP_OP(jgt, d > s, d > s)
	JMP_OP(jge, d >= s, d >= s)
	JMP_OP(jlt, d < s, d < s)
	JMP_OP(jle, d <= s, d <= s)
	JMP_OP(jset, (d & s) != 0, (d & s) != 0)
	JMP_OP(jsgt, (int64_t)d > (int64_t)s, (int32_t)d > (int32_t)s)
	JMP_OP(jsge, (int64_t)d >= (int64_t)s, (int32_t)d >= (int32_t)s)
	JMP_OP(jslt, (int64_t)d < (int64_t)s, (int32_t)d < (int32_t)s)
	JMP_OP(jsle, (int64_t)d <= (int64_t)s, (int32_t)d <= (int32_t)s)

call:
	if (insn->src_reg == BPF_PSEUDO_CALL) {
		/* BPF-to-BPF: a fresh frame; r6-r9 and r10 come back on
		 * exit, r1-r5 pass the arguments as they are. */
		if (unlikely(depth + 1 >= HUP_MAX_CALL_DEPTH))
			goto fault;
		frames[depth].ret_pc = pc;
		memcpy(frames[depth].r6_r9, &reg[6], sizeof(frames[0].r6_r9));
		frames[depth].r10 = reg[10];
		depth++;
		if (depth > cleared) {
			interp_clear(stack[STACK_TOP - depth], INTERP_STACK_VECS);
			cleared = depth;
		}
		reg[10] = (uint64_t)(uintptr_t)(stack[STACK_TOP - depth] +
						INTERP_STACK_VECS);
		pc += IMM64;
		NEXT();
	}
	if (unlikely(insn->src_reg != 0))
		goto fault;
	{
		uint32_t id = IMM32;

		if (unlikely(!helpers || id >= helpers->nr ||
			     !helpers->fns[id]))
			goto fault;
		if (sealed && insn->dst_reg &&
		    !remat_arg(reg, insn, c->ctx_size, stack_end))
			goto fault;
		reg[0] = helpers->fns[id](reg[1], reg[2], reg[3], reg[4],
					  reg[5]);
	}
	NEXT();
callx: /* the helper id is the value of dst_reg */
	{
		uint64_t id = DST;

		if (unlikely(!helpers || id >= helpers->nr ||
			     !helpers->fns[id]))
			goto fault;
		reg[0] = helpers->fns[id](reg[1], reg[2], reg[3], reg[4],
					  reg[5]);
	}
	NEXT();

exit:
	if (depth == 0)
		return reg[0];
	depth--;
	memcpy(&reg[6], frames[depth].r6_r9, sizeof(frames[0].r6_r9));
	reg[10] = frames[depth].r10;
	pc = frames[depth].ret_pc;
	NEXT();

ldimm64:
	/* The value spans two slots; the second must exist and be blank
	 * (code 0).  The loader has already replaced pseudo kinds. */
	if (unlikely(pc + 1 >= cnt || insns[pc + 1].code != 0))
		goto fault;
	DST = hup_insn_imm64(insn);
	pc += 2;
	DISPATCH();

	MEM_OP(b, uint8_t, int8_t)
	MEM_OP(h, uint16_t, int16_t)
	MEM_OP(w, uint32_t, int32_t)

	/* 64-bit: no sign-extending form; st stores the sign-extended imm. */
ldx_dw: {
	uint64_t v;

	memcpy(&v, (const void *)SRC_ADDR, sizeof(v));
	DST = v;
	NEXT();
}
stx_dw: {
	uint64_t v = SRC;

	memcpy((void *)DST_ADDR, &v, sizeof(v));
	NEXT();
}
st_dw: {
	uint64_t v = IMM64;

	memcpy((void *)DST_ADDR, &v, sizeof(v));
	NEXT();
}

	/*
	 * A misaligned locked access is a split lock on x86: it stalls the
	 * whole machine's memory bus (or raises #AC where split-lock
	 * detection is on), so it is refused like an invalid instruction;
	 * the verifier rejects it first.
	 */
atomic_w:
	if (unlikely(DST_ADDR & 3 ||
		     !atomic32(DST_ADDR, insn->imm, &SRC, &reg[0])))
		goto fault;
	NEXT();
atomic_dw:
	if (unlikely(DST_ADDR & 7 ||
		     !atomic64(DST_ADDR, insn->imm, &SRC, &reg[0])))
		goto fault;
	NEXT();

invalid:
fault:
	/* Nothing a verified program can reach: stop with r0 = 0. */
	*err = -EINVAL;
	return 0;
}
