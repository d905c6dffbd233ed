/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JIT's x86-64 back end: turns one eBPF instruction (RFC 9669, v4
 * included) at a time into native code, plus the entry prologue, the
 * per-callee entry, the shared epilogue and the abort stub.  The front end
 * (jit.c) runs it over the whole program in repeated passes until the code
 * size converges; here every jump is aimed at an offset from the previous
 * pass (struct hup_jit_layout) and is short (rel8) when that reaches.
 *
 * The code must never hurt the host on its own account: division and modulo
 * are guarded so that `div`/`idiv` can never raise #DE (zero divisor,
 * INT_MIN / -1), BPF r10 (rbp, which the epilogue trusts) is never written,
 * the native stack per BPF frame is fixed (a light callee, which calls
 * nothing, adds at most 40 bytes below the deepest frame), call depth is
 * checked at run time, and an indirect helper call (callx) is bounds- and
 * NULL-checked against a copy of the helper table sealed read-only inside
 * the image.
 */
#include <cpuid.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "jit.h"
#include "jit_x86_emit.h"
#include "log.h"

/*
 * Register map, BPF -> x86-64.  r1..r5 are exactly the SysV argument
 * registers 1..5, so a helper call needs no moves; r0 is rax, the SysV
 * return register; r6..r9 and r10 live in SysV callee-saved registers, so
 * helpers preserve them for free.
 *
 *   r0 rax   r1 rdi   r2 rsi   r3 rdx   r4 rcx   r5 r8
 *   r6 rbx   r7 r13   r8 r14   r9 r15   r10 rbp (frame pointer)
 *
 * Not visible to BPF:
 *   r9, r10, r11  scratch (caller-saved: helpers may clobber them freely)
 *   r12           call-depth floor: the lowest rsp from which a BPF-to-BPF
 *                 call is still allowed; also locates the entry frame for
 *                 an abort and the run's ctx (CTX_SLOT, HUP_REG_CTX of a
 *                 sealed program).  Callee-saved, so helpers keep it.
 */
static const uint8_t reg_map[HUP_NR_REGS] = {
	[BPF_REG_0] = X86_RAX, [BPF_REG_1] = X86_RDI, [BPF_REG_2] = X86_RSI,
	[BPF_REG_3] = X86_RDX, [BPF_REG_4] = X86_RCX, [BPF_REG_5] = X86_R8,
	[BPF_REG_6] = X86_RBX, [BPF_REG_7] = X86_R13, [BPF_REG_8] = X86_R14,
	[BPF_REG_9] = X86_R15, [BPF_REG_10] = X86_RBP,
};

#define AUX_RAX X86_R10 /* keeps BPF r0 while rax is borrowed */
#define AUX_RDX X86_R9  /* keeps BPF r3 while rdx is borrowed; fetch operand */
#define AUX_TMP X86_R11 /* divisor, shift save, call target, new value */
#define DEPTH_FLOOR X86_R12

/*
 * Native frame of every BPF frame (the entry one and each callee), from
 * high to low addresses:
 *
 *   return address                     pushed by the call
 *   rbp rbx r12 r13 r14 r15            6 pushes (SAVED_BYTES)
 *   8 bytes of padding                 <- rbp = BPF r10 points just above
 *   BPF stack, HUP_STACK_SIZE bytes    [rbp - 512, rbp)
 *                                      <- rsp = rbp - 512
 *
 * Entered with rsp = 8 (mod 16), this leaves rbp and rsp 16-byte aligned,
 * as SysV wants at every helper call.  Every frame saves the same registers
 * so the one epilogue (`lea rsp, [rbp + 8]; pop x6; ret`) serves all.  A
 * frame is FRAME_BYTES of native stack exactly, which is what lets the
 * depth check and the abort find the entry frame from r12 alone.
 *
 * A light callee (jit.h: it calls nothing and never names its own frame,
 * as a rewritten loop's callback reading its caller's state) has no frame:
 * it pushes the r6-r9 it writes, runs on its caller's rbp, and pops them
 * and returns at each exit; rsp is unaligned there, which only the abort
 * stub's own call must mind.
 */
#define SAVED_BYTES (6 * 8)
#define FRAME_PAD 8
#define FRAME_LOCALS (FRAME_PAD + HUP_STACK_SIZE)
#define FRAME_BYTES (8 + SAVED_BYTES + FRAME_LOCALS)
/* r12 = entry rsp - FLOOR_OFFSET: a frame whose rsp is below r12 is the
 * HUP_MAX_CALL_DEPTH-th and may not call again. */
#define FLOOR_OFFSET ((HUP_MAX_CALL_DEPTH - 2) * FRAME_BYTES)
_Static_assert(HUP_MAX_CALL_DEPTH >= 2, "depth floor needs two frames");
/*
 * Frame k's rbp (its BPF r10) is frame k - 1's minus FRAME_BYTES, so sealed
 * programs reach the stack of the frame d levels up at rbp + d *
 * FRAME_BYTES (emit_frame_up), an address the program cannot forge.
 */
/* The entry frame's padding holds the run's ctx pointer (HUP_REG_CTX),
 * found from r12 at any depth, out of the program's reach. */
#define CTX_SLOT (FLOOR_OFFSET + HUP_STACK_SIZE)
_Static_assert(FRAME_BYTES % 16 == 0, "frames keep rsp 16-byte aligned");

enum hup_jit_bmi2 hup_jit_x86_bmi2_mode = HUP_JIT_BMI2_AUTO;

bool hup_jit_x86__bmi2(void)
{
	unsigned int a, b, c, d;

	if (hup_jit_x86_bmi2_mode == HUP_JIT_BMI2_OFF)
		return false;
	/* leaf 7 subleaf 0, EBX bit 8 */
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 8));
}

static int unsupported(struct hup_jit_ctx *ctx, size_t i, const char *why)
{
	hup_log__line(ctx->log, "%zu: jit: %s (code 0x%02x), interpreting",
		      i, why, ctx->insns[i].code);
	return hup_jit__fail(ctx, i, -EOPNOTSUPP);
}

/* ------------------------------------------------------------- jumps */

/*
 * Jump to `target`, an offset from the previous pass.  cc < 0 is an
 * unconditional jmp.  elide_end, when nonzero, is the previous-pass end of
 * the block this jmp closes: a forward jmp to no further than there has
 * nothing to skip and vanishes.  Pass 0 takes the rel32 form everywhere so
 * that sizes only shrink afterwards: sizes shrinking means distances
 * shrinking, so a jump once short stays short and the passes converge.
 */
static void emit_jump(struct hup_jit_ctx *ctx, int cc, uint32_t target,
		      uint32_t elide_end)
{
	struct hup_jit_buf *b = &ctx->out;
	int64_t here = (int64_t)ctx->region_old + (b->pos - ctx->region_new);
	int64_t rel;

	if (!ctx->force_near) {
		if (cc < 0 && elide_end && here <= (int64_t)target &&
		    target <= elide_end)
			return;
		rel = (int64_t)target - (here + 2);
		if (is_imm8(rel)) {
			emit_jmp8(b, cc, (int8_t)rel);
			return;
		}
	}
	rel = (int64_t)target - (here + (cc < 0 ? 5 : 6));
	emit_jmp32(b, cc, (int32_t)rel);
}

/* A forward jump inside one instruction's code: returns where to patch. */
static uint32_t emit_local_fwd(struct hup_jit_buf *b, int cc)
{
	emit_jmp8(b, cc, 0);
	return b->pos;
}

/* The same with a 32-bit displacement: the code jumped over may be long. */
static uint32_t emit_local_fwd32(struct hup_jit_buf *b, int cc)
{
	emit_jmp32(b, cc, 0);
	return b->pos;
}

/* Point the 32-bit local jump that ends at `after` here. */
static void bind_local32(struct hup_jit_buf *b, uint32_t after)
{
	uint32_t rel = b->pos - after;

	if (b->mem && after >= 4 && after <= b->cap)
		memcpy(&b->mem[after - 4], &rel, sizeof(rel));
}

/* Point the local jump that ends at `after` here. */
static void bind_local(struct hup_jit_ctx *ctx, size_t i, uint32_t after)
{
	struct hup_jit_buf *b = &ctx->out;
	uint32_t rel = b->pos - after;

	if (rel > 127) {
		hup_jit__fail(ctx, i, -EOPNOTSUPP);
		return;
	}
	if (b->mem && after - 1 < b->cap)
		b->mem[after - 1] = (uint8_t)rel;
}

/* ------------------------------------------------------ frames, stubs */

/*
 * A function whose sealed stack accesses reach up to d >= 1 frames up
 * (jit.c, frames_up) checks once, on entry, that its caller chain is that
 * deep: frame d up is at rbp + d * FRAME_BYTES, and above the run's entry
 * frame (a frame count the verifier got wrong) lies the host's own stack.
 * The run aborts instead.  The entry frame's r10 is r12 + FRAME_UP_BIAS, so
 * this is one compare with r12, and rbp being fixed for the call, each
 * access is then a plain [rbp + d * FRAME_BYTES + o].
 */
#define FRAME_UP_BIAS (FLOOR_OFFSET + HUP_STACK_SIZE)
static void emit_frames_up_check(struct hup_jit_ctx *ctx, size_t fn)
{
	struct hup_jit_buf *b = &ctx->out;
	unsigned int d = ctx->frames_up[fn];

	if (ctx->light[fn] && d)
		d--; /* a light callee runs on its caller's rbp */
	if (!d)
		return;
	/* lea r11, [rbp + d * FRAME_BYTES - FRAME_UP_BIAS] */
	emit_lea(b, AUX_TMP, X86_RBP,
		 (int32_t)(d * FRAME_BYTES) - FRAME_UP_BIAS);
	emit_alu_rr(b, true, X86_CMP, AUX_TMP, DEPTH_FLOOR); /* cmp r11, r12 */
	emit_jump(ctx, X86_CC_A, ctx->old.abort, 0);         /* ja abort */
}

/* The displacement from rbp of sealed stack offset off >= 0 in the insn
 * being emitted (a light callee's rbp is its caller's: one frame less). */
static int32_t frame_up_disp(const struct hup_jit_ctx *ctx, int32_t off)
{
	unsigned int d = hup_seal_frames(off) - (ctx->at_light ? 1 : 0);

	return (int32_t)(d * FRAME_BYTES) + hup_seal_frame_off(off);
}

/* The native registers of BPF r6-r9, in push order (jit.h, light[]). */
static const uint8_t light_regs[4] = {X86_RBX, X86_R13, X86_R14, X86_R15};

/* A light callee's entry: push the r6-r9 it writes. */
static void emit_light_entry(struct hup_jit_buf *b, uint8_t light)
{
	for (int k = 0; k < 4; k++)
		if (light & (1u << k))
			emit_push(b, light_regs[k]);
}

/* A light callee's exit: pop them back, return r0 in rax. */
static void emit_light_exit(struct hup_jit_buf *b, uint8_t light)
{
	for (int k = 3; k >= 0; k--)
		if (light & (1u << k))
			emit_pop(b, light_regs[k]);
	emit_ret(b);
}

/* The part of a frame's setup shared by the entry and every callee; fn is
 * the function's first insn (jit.c decides whose frame is cleared). */
static void emit_frame_setup(struct hup_jit_ctx *ctx, size_t fn)
{
	struct hup_jit_buf *b = &ctx->out;
	uint32_t loop;

	emit_push(b, X86_RBP);                       /* push rbp */
	emit_push(b, X86_RBX);                       /* push rbx */
	emit_push(b, X86_R12);                       /* push r12 */
	emit_push(b, X86_R13);                       /* push r13 */
	emit_push(b, X86_R14);                       /* push r14 */
	emit_push(b, X86_R15);                       /* push r15 */
	emit_lea(b, X86_RBP, X86_RSP, -FRAME_PAD);   /* lea rbp, [rsp - 8] */
	emit_alu_ri(b, true, X86_SUB, X86_RSP, FRAME_LOCALS); /* sub rsp, 520 */
	if (!(ctx->call_target[fn] & HUP_JIT_ZERO_FRAME))
		return;
	/*
	 * Defence in depth, as the interpreter: the verifier proves stack
	 * bytes are written before they are read, but were it ever wrong, a
	 * program still must not see host bytes left on the native stack.
	 * The part the program can reach (jit.c, zero_from): up to 64 bytes
	 * in aligned 16-byte stores, more in rounds of 4 of them.
	 */
	if (!ctx->zero_from)
		return;
	emit_pxor_self(b, 0);                             /* pxor xmm0, xmm0 */
	if (ctx->zero_from >= -64) {
		for (int32_t o = ctx->zero_from; o < 0; o += 16)
			emit_movaps_store(b, X86_RBP, o, 0); /* movaps [rbp + o], xmm0 */
		return;
	}
	emit_lea(b, AUX_TMP, X86_RBP, ctx->zero_from);    /* lea r11, [rbp + from] */
	loop = b->pos;
	for (int k = 0; k < 4; k++)
		emit_movaps_store(b, AUX_TMP, 16 * k, 0); /* movaps [r11 + 16k], xmm0 */
	emit_alu_ri(b, true, X86_ADD, AUX_TMP, 64);       /* add r11, 64 */
	emit_alu_rr(b, true, X86_CMP, AUX_TMP, X86_RBP);  /* cmp r11, rbp */
	emit_jmp8(b, X86_CC_B, (int8_t)((int64_t)loop - (b->pos + 2))); /* jb loop */
}

void hup_jit_x86__prologue(struct hup_jit_ctx *ctx)
{
	struct hup_jit_buf *b = &ctx->out;

	emit_frame_setup(ctx, 0);
	/* lea r12, [rsp - FLOOR_OFFSET]: the depth floor of this run */
	emit_lea(b, DEPTH_FLOOR, X86_RSP, -FLOOR_OFFSET);
	emit_stx(b, 8, X86_RBP, 0, X86_RDI);       /* mov [rbp], rdi: ctx */
	emit_frames_up_check(ctx, 0);
	/*
	 * BPF registers other than r1, r2 and r10 start at zero rather than
	 * holding whatever the host left in them: a verified program never
	 * reads them, but host values must not be observable even by mistake.
	 */
	emit_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX); /* xor eax, eax */
	emit_alu_rr(b, false, X86_XOR, X86_RDX, X86_RDX); /* xor edx, edx */
	emit_alu_rr(b, false, X86_XOR, X86_RCX, X86_RCX); /* xor ecx, ecx */
	emit_alu_rr(b, false, X86_XOR, X86_R8, X86_R8);   /* xor r8d, r8d */
	emit_alu_rr(b, false, X86_XOR, X86_RBX, X86_RBX); /* xor ebx, ebx */
	emit_alu_rr(b, false, X86_XOR, X86_R13, X86_R13); /* xor r13d, r13d */
	emit_alu_rr(b, false, X86_XOR, X86_R14, X86_R14); /* xor r14d, r14d */
	emit_alu_rr(b, false, X86_XOR, X86_R15, X86_R15); /* xor r15d, r15d */
}

void hup_jit_x86__callee_entry(struct hup_jit_ctx *ctx, size_t i)
{
	struct hup_jit_buf *b = &ctx->out;
	bool prev_falls = i == 0 || ctx->imm_hi[i - 1] ||
			  hup_jit__falls_through(&ctx->insns[i - 1]);
	uint32_t skip = 0;

	/* Code falling into a callee from above (only unverified programs
	 * do) must not run its frame setup. */
	if (prev_falls)
		skip = emit_local_fwd(b, -1);          /* jmp code[i] */
	ctx->cur.entry[i] = b->pos;
	if (ctx->light[i])
		emit_light_entry(b, ctx->light[i]);
	else
		emit_frame_setup(ctx, i);
	emit_frames_up_check(ctx, i);
	if (prev_falls)
		bind_local(ctx, i, skip);
}

void hup_jit_x86__tail(struct hup_jit_ctx *ctx, bool fall_off)
{
	struct hup_jit_buf *b = &ctx->out;

	/* Falling off the end of the program ends the run like a bad call. */
	if (fall_off)
		emit_jump(ctx, -1, ctx->old.abort, 0); /* jmp abort */

	/* epilogue: return from the current frame, r0 in rax */
	ctx->cur.epilogue = b->pos;
	hup_jit__region(ctx, ctx->old.epilogue);
	emit_lea(b, X86_RSP, X86_RBP, FRAME_PAD);      /* lea rsp, [rbp + 8] */
	ctx->cur.pops = b->pos;
	emit_pop(b, X86_R15);                          /* pop r15 */
	emit_pop(b, X86_R14);                          /* pop r14 */
	emit_pop(b, X86_R13);                          /* pop r13 */
	emit_pop(b, X86_R12);                          /* pop r12 */
	emit_pop(b, X86_RBX);                          /* pop rbx */
	emit_pop(b, X86_RBP);                          /* pop rbp */
	emit_ret(b);                                   /* ret */

	/*
	 * abort: end the whole run with r0 = 0, from any depth.  The entry
	 * frame's saved registers sit at r12 + FLOOR_OFFSET + FRAME_LOCALS;
	 * popping them there returns straight to the host caller.
	 */
	ctx->cur.abort = b->pos;
	hup_jit__region(ctx, ctx->old.abort);
	if (ctx->conf->on_abort) {
		/* and rsp, -16: a light callee runs with rsp unaligned; rsp
		 * is reloaded from r12 below */
		emit_alu_ri(b, true, X86_AND, X86_RSP, -16);
		emit_movabs(b, AUX_TMP, (uint64_t)(uintptr_t)ctx->conf->on_abort);
		emit_call_r(b, AUX_TMP);               /* call on_abort */
	}
	emit_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX); /* xor eax, eax */
	/* lea rsp, [r12 + FLOOR_OFFSET + 520] */
	emit_lea(b, X86_RSP, DEPTH_FLOOR, FLOOR_OFFSET + FRAME_LOCALS);
	emit_jump(ctx, -1, ctx->old.pops, 0);      /* jmp pops */

	/* The helper table for callx, read-only once the image is sealed. */
	if (ctx->has_callx) {
		while (b->pos % 8)
			emit1(b, X86_INT3);
		ctx->cur.table = b->pos;
		for (uint32_t id = 0; id < ctx->helpers->nr; id++)
			emit_u64(b, (uint64_t)(uintptr_t)ctx->helpers->fns[id]);
	}
}

/* --------------------------------------------------------------- ALU */

static enum x86_alu alu_op(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return X86_ADD;
	case BPF_SUB: return X86_SUB;
	case BPF_AND: return X86_AND;
	case BPF_OR: return X86_OR;
	default: return X86_XOR;
	}
}

/* Divisor zero: div gives 0; mod leaves dst (64) or its low half (32). */
static void emit_div_by_zero(struct hup_jit_buf *b, bool w, bool mod, int dst)
{
	if (!mod)
		emit_alu_rr(b, false, X86_XOR, dst, dst); /* xor dst32, dst32 */
	else if (!w)
		emit_mov_rr(b, false, dst, dst);          /* mov dst32, dst32 */
}

/* Signed divisor -1: quotient is -dst (wrapping: INT_MIN stays INT_MIN,
 * where idiv would trap), remainder 0. */
static void emit_div_by_negone(struct hup_jit_buf *b, bool w, bool mod,
			       int dst)
{
	if (!mod)
		emit_unary(b, w, X86_NEG, dst);           /* neg dst */
	else
		emit_alu_rr(b, false, X86_XOR, dst, dst); /* xor dst32, dst32 */
}

/*
 * dst = dst / r11 or dst % r11, the divisor known to be neither 0 nor (for
 * signed) -1, so div/idiv cannot fault.  div takes rdx:rax, which hold BPF
 * r3 and r0: borrow them, parking their values in r9/r10.
 */
static void emit_div_core(struct hup_jit_buf *b, bool w, bool mod, bool sgn,
			  int dst)
{
	int res = mod ? X86_RDX : X86_RAX;

	if (dst != X86_RAX)
		emit_mov_rr(b, true, AUX_RAX, X86_RAX);  /* mov r10, rax */
	if (dst != X86_RDX)
		emit_mov_rr(b, true, AUX_RDX, X86_RDX);  /* mov r9, rdx */
	if (dst != X86_RAX)
		emit_mov_rr(b, true, X86_RAX, dst);      /* mov rax, dst */
	if (sgn)
		emit_cqo(b, w);                          /* cqo | cdq */
	else
		emit_alu_rr(b, false, X86_XOR, X86_RDX, X86_RDX); /* xor edx, edx */
	emit_unary(b, w, sgn ? X86_IDIV : X86_DIV, AUX_TMP); /* (i)div r11 */
	/* 32-bit div leaves eax/edx zero-extended, as BPF wants */
	if (dst == X86_RAX) {
		if (res != X86_RAX)
			emit_mov_rr(b, true, X86_RAX, res); /* mov rax, rdx */
		emit_mov_rr(b, true, X86_RDX, AUX_RDX);  /* mov rdx, r9 */
	} else if (dst == X86_RDX) {
		if (res != X86_RDX)
			emit_mov_rr(b, true, X86_RDX, res); /* mov rdx, rax */
		emit_mov_rr(b, true, X86_RAX, AUX_RAX);  /* mov rax, r10 */
	} else {
		emit_mov_rr(b, true, dst, res);          /* mov dst, rax|rdx */
		emit_mov_rr(b, true, X86_RAX, AUX_RAX);  /* mov rax, r10 */
		emit_mov_rr(b, true, X86_RDX, AUX_RDX);  /* mov rdx, r9 */
	}
}

static void emit_divmod(struct hup_jit_ctx *ctx, size_t i, bool w, bool mod,
			bool sgn, int dst, int src, int32_t imm)
{
	struct hup_jit_buf *b = &ctx->out;
	uint32_t to_done[2] = {0, 0}, to_nonzero, to_normal;

	if (src < 0) {
		/* Immediate divisor: the special cases are decided now. */
		if (imm == 0) {
			emit_div_by_zero(b, w, mod, dst);
			return;
		}
		if (sgn && imm == -1) {
			emit_div_by_negone(b, w, mod, dst);
			return;
		}
		if (w) /* ALU64: imm sign-extended, also for unsigned div */
			emit_mov_r64_simm(b, AUX_TMP, imm); /* mov r11, simm32 */
		else
			emit_mov_r32_imm(b, AUX_TMP, (uint32_t)imm); /* mov r11d, imm */
		emit_div_core(b, w, mod, sgn, dst);
		return;
	}

	emit_mov_rr(b, w, AUX_TMP, src);                 /* mov r11, src */
	emit_test_rr(b, w, AUX_TMP, AUX_TMP);            /* test r11, r11 */
	if (mod && w) {
		to_done[0] = emit_local_fwd(b, X86_CC_E); /* je done */
	} else {
		to_nonzero = emit_local_fwd(b, X86_CC_NE); /* jne nonzero */
		emit_div_by_zero(b, w, mod, dst);
		to_done[0] = emit_local_fwd(b, -1);       /* jmp done */
		bind_local(ctx, i, to_nonzero);
	}
	if (sgn) {
		emit_alu_ri(b, w, X86_CMP, AUX_TMP, -1);  /* cmp r11, -1 */
		to_normal = emit_local_fwd(b, X86_CC_NE); /* jne normal */
		emit_div_by_negone(b, w, mod, dst);
		to_done[1] = emit_local_fwd(b, -1);       /* jmp done */
		bind_local(ctx, i, to_normal);
	}
	emit_div_core(b, w, mod, sgn, dst);
	for (int k = 0; k < 2; k++)
		if (to_done[k])
			bind_local(ctx, i, to_done[k]);
}

/* Shift by a register: with BMI2 one shlx/shrx/sarx from any register;
 * else x86 wants the count in cl, which is BPF r4. */
static void emit_shift_reg(struct hup_jit_ctx *ctx, bool w,
			   enum x86_shift op, int dst, int src)
{
	struct hup_jit_buf *b = &ctx->out;

	if (ctx->bmi2) {
		emit_shiftx(b, w, op, dst, dst, src);      /* shXx dst, dst, src */
		return;
	}
	if (src == X86_RCX) {
		emit_shift_cl(b, w, op, dst);              /* shX dst, cl */
		return;
	}
	emit_mov_rr(b, true, AUX_TMP, X86_RCX);            /* mov r11, rcx */
	emit_mov_rr(b, true, X86_RCX, src);                /* mov rcx, src */
	if (dst == X86_RCX) {
		emit_shift_cl(b, w, op, AUX_TMP);          /* shX r11, cl */
		emit_mov_rr(b, true, X86_RCX, AUX_TMP);    /* mov rcx, r11 */
	} else {
		emit_shift_cl(b, w, op, dst);              /* shX dst, cl */
		emit_mov_rr(b, true, X86_RCX, AUX_TMP);    /* mov rcx, r11 */
	}
}

static int emit_alu(struct hup_jit_ctx *ctx, size_t i)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	struct hup_jit_buf *b = &ctx->out;
	bool w = BPF_CLASS(insn->code) == BPF_ALU64;
	bool x = BPF_SRC(insn->code) == BPF_X;
	uint8_t op = BPF_OP(insn->code);
	int32_t imm = insn->imm;
	int dst, src = -1;
	enum x86_shift sop;

	if (insn->dst_reg >= BPF_REG_10)
		return unsupported(ctx, i, "write to r10 or bad register");
	if (x && insn->src_reg > BPF_REG_10)
		return unsupported(ctx, i, "bad source register");
	dst = reg_map[insn->dst_reg];
	if (x)
		src = reg_map[insn->src_reg];
	if (insn->off && op != BPF_DIV && op != BPF_MOD && op != BPF_MOV)
		return unsupported(ctx, i, "nonzero offset");

	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		if (x)
			emit_alu_rr(b, w, alu_op(op), dst, src); /* op dst, src */
		else
			emit_alu_ri(b, w, alu_op(op), dst, imm); /* op dst, imm */
		return 0;
	case BPF_MUL:
		if (x)
			emit_imul_rr(b, w, dst, src);       /* imul dst, src */
		else
			emit_imul_rri(b, w, dst, dst, imm); /* imul dst, dst, imm */
		return 0;
	case BPF_DIV:
	case BPF_MOD:
		if (insn->off != 0 && insn->off != HUP_OFF_SDIV)
			return unsupported(ctx, i, "bad division variant");
		emit_divmod(ctx, i, w, op == BPF_MOD, insn->off == HUP_OFF_SDIV,
			    dst, src, imm);
		return 0;
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		sop = op == BPF_LSH ? X86_SHL : op == BPF_RSH ? X86_SHR : X86_SAR;
		if (x) {
			emit_shift_reg(ctx, w, sop, dst, src);
		} else if (!w || (imm & 63)) {
			/* counts are masked as x86 masks them; a 32-bit shift
			 * by 0 still zero-extends */
			emit_shift_ri(b, w, sop, dst,
				      (uint8_t)(imm & (w ? 63 : 31)));
		}
		return 0;
	case BPF_NEG:
		if (x)
			return unsupported(ctx, i, "neg with register source");
		emit_unary(b, w, X86_NEG, dst);                 /* neg dst */
		return 0;
	case BPF_MOV:
		if (!x) {
			if (insn->off)
				return unsupported(ctx, i, "nonzero offset");
			/* ALU64 sign-extends imm; ALU32 zero-extends */
			emit_load_imm64(b, dst, w ? (uint64_t)(int64_t)imm
						  : (uint64_t)(uint32_t)imm);
			return 0;
		}
		switch (insn->off) {
		case 0:
			if (!w || dst != src)
				emit_mov_rr(b, w, dst, src); /* mov dst, src */
			return 0;
		case 8:
		case 16:
			emit_movsx_rr(b, w, dst, src, insn->off); /* movsx */
			return 0;
		case 32:
			if (!w)
				break;
			emit_movsx_rr(b, true, dst, src, 32); /* movsxd */
			return 0;
		}
		return unsupported(ctx, i, "bad movsx width");
	case BPF_END:
		/* BPF_TO_BE shares the BPF_X bit; ALU64 is bswap, TO_LE only */
		if (w && x)
			return unsupported(ctx, i, "bad byte swap");
		switch (imm) {
		case 16:
			if (w || x)
				emit_ror16_8(b, dst);       /* ror dst16, 8 */
			emit_movzx16_rr(b, dst, dst);       /* movzx dst32, dst16 */
			return 0;
		case 32:
			if (w || x)
				emit_bswap(b, false, dst);  /* bswap dst32 */
			else
				emit_mov_rr(b, false, dst, dst); /* mov dst32, dst32 */
			return 0;
		case 64:
			if (w || x)
				emit_bswap(b, true, dst);   /* bswap dst */
			return 0;
		}
		return unsupported(ctx, i, "bad byte swap width");
	}
	return unsupported(ctx, i, "unknown ALU operation");
}

/* ------------------------------------------------------------ memory */

static int bpf_size(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static bool confined_view(const struct hup_confine *c)
{
	return c->view_mask != UINT64_MAX || c->view_base;
}

/* A view whose mask (2^k - 1, not 0) the JIT can apply. */
static bool view_maskable(const struct hup_confine *c)
{
	return c->view_mask && !(c->view_mask & (c->view_mask + 1));
}

/* A 4 GiB view (hupvm's first size, pview.h): the zero extension of a
 * 32-bit operation's result is its mask. */
static bool view_mask32(const struct hup_confine *c)
{
	return c->view_mask == UINT32_MAX;
}

/* and r11, MASK (r9 scratch) */
static void emit_and_mask(struct hup_jit_buf *b, const struct hup_confine *c)
{
	if (c->view_mask > INT32_MAX) {
		emit_movabs(b, AUX_RDX, c->view_mask);           /* movabs r9, MASK */
		emit_alu_rr(b, true, X86_AND, AUX_TMP, AUX_RDX); /* and r11, r9 */
	} else {
		emit_alu_ri(b, true, X86_AND, AUX_TMP,
			    (int32_t)c->view_mask);              /* and r11, MASK */
	}
}

/*
 * The x86 base register (and, in *off, displacement; in *index, an index
 * register or -1) of an access through BPF register regno, emitting what
 * confinement needs (engine.h): a sealed stack offset >= 0 walks up to its
 * frame, HUP_REG_CTX loads the run's ctx, and r0..r9 are masked into the
 * view:
 *
 *     movabs r10, VB                    (off the critical path)
 *     lea r11, [reg + off]              (mov when off = 0)
 *     sub r11, r10
 *     and r11, MASK                     (imm32, or movabs r9, MASK first)
 *     op [r10 + r11]
 *
 * (a 4 GiB view: `sub r11d, r10d` and no `and`)
 * three ALU operations between the register and the access.  index NULL
 * (atomics, whose cmpxchg loop needs r9 and r10): `add r11, r10` and
 * [r11].  r9-r11 are scratch between BPF instructions.  -1: not encodable.
 *
 * None of it when the JIT's own facts (hup_jit__view_reg) show the
 * register holds view_base + [0, MASK] + d, the access (size bytes at
 * off) stays within the guards around that, and the guards mirror the
 * view's ends (view_mirrored): then [reg + off] is inside the reservation
 * and is the very byte the masked form reaches (view.h).  The program
 * translated the address itself one instruction or a few before: this
 * spares doing it twice.
 */
static int mem_base(struct hup_jit_ctx *ctx, size_t i, uint8_t regno,
		    int32_t *off, int size, int *index)
{
	const struct hup_confine *c = ctx->conf;
	struct hup_jit_buf *b = &ctx->out;
	int64_t d;

	if (regno == BPF_REG_10) {
		if (!c->sealed || *off < 0)
			return X86_RBP;
		*off = frame_up_disp(ctx, *off);
		return X86_RBP;
	}
	if (regno == HUP_REG_CTX && c->sealed) {
		emit_ldx(b, 8, AUX_TMP, DEPTH_FLOOR, CTX_SLOT); /* mov r11, [r12 + slot] */
		return AUX_TMP;
	}
	if (regno > BPF_REG_10)
		return -1;
	if (!confined_view(c))
		return reg_map[regno];
	if (!view_maskable(c))
		return -1; /* no view (nothing sealed uses one), or no mask */
	if (c->view_mirrored && hup_jit__view_reg(ctx, i, regno, &d) &&
	    d + *off >= -(int64_t)HUP_VIEW_GUARD &&
	    d + *off + size <= (int64_t)HUP_VIEW_GUARD)
		return reg_map[regno];                  /* op [reg + off] */
	emit_movabs(b, AUX_RAX, c->view_base);          /* movabs r10, VB */
	if (*off)
		emit_lea(b, AUX_TMP, reg_map[regno], *off); /* lea r11, [reg + off] */
	else
		emit_mov_rr(b, true, AUX_TMP, reg_map[regno]); /* mov r11, reg */
	emit_alu_rr(b, !view_mask32(c), X86_SUB, AUX_TMP,
		    AUX_RAX);                            /* sub r11(d), r10(d) */
	if (!view_mask32(c))
		emit_and_mask(b, c);                     /* and r11, MASK */
	*off = 0;
	if (index) {
		*index = AUX_TMP;
		return AUX_RAX;
	}
	emit_alu_rr(b, true, X86_ADD, AUX_TMP, AUX_RAX); /* add r11, r10 */
	return AUX_TMP;
}

static int emit_atomic(struct hup_jit_ctx *ctx, size_t i, int size)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	struct hup_jit_buf *b = &ctx->out;
	int src = reg_map[insn->src_reg];
	bool w = size == 8;
	int32_t off = insn->off;
	enum x86_alu op;
	uint32_t loop;
	int base, mbase, opnd;

	if (size != 4 && size != 8)
		return unsupported(ctx, i, "bad atomic width");
	base = mem_base(ctx, i, insn->dst_reg, &off, size, NULL);
	if (base < 0)
		return unsupported(ctx, i, "bad register");
	switch (insn->imm) {
	case BPF_ADD:
	case BPF_OR:
	case BPF_AND:
	case BPF_XOR:
		/* lock add|or|and|xor [base + off], src */
		emit_lock_alu(b, w, alu_op((uint8_t)insn->imm), base, off, src);
		return 0;
	case BPF_CMPXCHG:
		/* lock cmpxchg [base + off], src: compares with and loads rax */
		emit_lock_cmpxchg(b, w, base, off, src);
		/* a 32-bit cmpxchg that succeeds leaves rax's high half alone;
		 * BPF wants r0 zero-extended either way */
		if (!w)
			emit_mov_rr(b, false, X86_RAX, X86_RAX); /* mov eax, eax */
		return 0;
	}
	/* The rest write the old value into src. */
	if (insn->src_reg == BPF_REG_10)
		return unsupported(ctx, i, "atomic fetch into r10");
	switch (insn->imm) {
	case BPF_ADD | BPF_FETCH:
		emit_lock_xadd(b, w, base, off, src);  /* lock xadd [m], src */
		return 0;
	case BPF_XCHG:
		emit_lock_xchg(b, w, base, off, src);  /* lock xchg [m], src */
		return 0;
	case BPF_OR | BPF_FETCH:
	case BPF_AND | BPF_FETCH:
	case BPF_XOR | BPF_FETCH:
		break;
	default:
		return unsupported(ctx, i, "unknown atomic operation");
	}
	/*
	 * No x86 instruction fetches and ands/ors/xors: loop on cmpxchg,
	 * which needs rax.  BPF r0 waits in r10, where the operand and the
	 * address base are read from if they were r0; the new value is built
	 * in r9 (r11 may hold a confined address).
	 */
	op = alu_op((uint8_t)(insn->imm & ~BPF_FETCH));
	mbase = base == X86_RAX ? AUX_RAX : base;
	opnd = src == X86_RAX ? AUX_RAX : src;
	emit_mov_rr(b, true, AUX_RAX, X86_RAX);          /* mov r10, rax */
	loop = b->pos;
	emit_ldx(b, size, X86_RAX, mbase, off);          /* loop: mov rax, [m] */
	emit_mov_rr(b, true, AUX_RDX, X86_RAX);          /* mov r9, rax */
	emit_alu_rr(b, w, op, AUX_RDX, opnd);            /* op r9, src */
	emit_lock_cmpxchg(b, w, mbase, off, AUX_RDX);    /* lock cmpxchg [m], r9 */
	emit_jmp8(b, X86_CC_NE, (int8_t)((int64_t)loop - (b->pos + 2))); /* jne loop */
	if (src != X86_RAX) {
		emit_mov_rr(b, true, src, X86_RAX);      /* mov src, rax */
		emit_mov_rr(b, true, X86_RAX, AUX_RAX);  /* mov rax, r10 */
	}
	return 0;
}

static int emit_mem(struct hup_jit_ctx *ctx, size_t i)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	struct hup_jit_buf *b = &ctx->out;
	uint8_t cls = BPF_CLASS(insn->code), mode = BPF_MODE(insn->code);
	int size = bpf_size(insn->code);
	int32_t off = insn->off;
	int base, index = -1;

	/* the value register: a BPF register proper */
	if (cls == BPF_LDX && insn->dst_reg == BPF_REG_10)
		return unsupported(ctx, i, "load into r10");
	if ((cls == BPF_LDX && insn->dst_reg > BPF_REG_10) ||
	    (cls == BPF_STX && insn->src_reg > BPF_REG_10))
		return unsupported(ctx, i, "bad register");
	if ((cls == BPF_LDX && mode != BPF_MEM && mode != BPF_MEMSX) ||
	    (cls == BPF_ST && mode != BPF_MEM) ||
	    (cls == BPF_STX && mode != BPF_MEM && mode != BPF_ATOMIC) ||
	    (mode == BPF_MEMSX && size == 8))
		return unsupported(ctx, i, "unknown load/store mode");
	if (cls == BPF_STX && mode == BPF_ATOMIC)
		return emit_atomic(ctx, i, size);
	base = mem_base(ctx, i, cls == BPF_LDX ? insn->src_reg : insn->dst_reg,
			&off, size, &index);
	if (base < 0)
		return unsupported(ctx, i, "bad register");

	switch (cls) {
	case BPF_LDX:
		if (mode == BPF_MEM) {
			/* mov|movzx dst, [base + off] */
			emit_ldx_x(b, size, reg_map[insn->dst_reg], base, index,
				   off);
			return 0;
		}
		/* movsx|movsxd dst, [base + off] */
		emit_ldsx(b, size, reg_map[insn->dst_reg], base, index, off);
		return 0;
	case BPF_ST:
		/* mov [base + off], imm */
		emit_st_imm(b, size, base, index, off, insn->imm);
		return 0;
	case BPF_STX:
		/* mov [base + off], src */
		emit_stx_x(b, size, base, index, off, reg_map[insn->src_reg]);
		return 0;
	}
	return unsupported(ctx, i, "unknown load/store mode");
}

/* ------------------------------------------------------------- jumps */

static int jump_cc(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return X86_CC_E;
	case BPF_JNE: return X86_CC_NE;
	case BPF_JSET: return X86_CC_NE;
	case BPF_JGT: return X86_CC_A;
	case BPF_JGE: return X86_CC_AE;
	case BPF_JLT: return X86_CC_B;
	case BPF_JLE: return X86_CC_BE;
	case BPF_JSGT: return X86_CC_G;
	case BPF_JSGE: return X86_CC_GE;
	case BPF_JSLT: return X86_CC_L;
	case BPF_JSLE: return X86_CC_LE;
	default: return -1;
	}
}

/* The bytes from a sealed helper call's buffer argument (engine.h) to the
 * end of its frame or of the ctx. */
static uint32_t remat_lim(const struct hup_jit_ctx *ctx,
			  const struct bpf_insn *insn)
{
	int32_t off = insn->off;
	uint32_t n = ctx->conf->ctx_size;

	if (insn->dst_reg & HUP_SEAL_ARG_CTX)
		return off >= 0 && (uint32_t)off < n ? n - (uint32_t)off : 0;
	if (off < 0)
		return (uint32_t)-off;
	return (uint32_t)-hup_seal_frame_off(off);
}

/* That argument, rebuilt from its static location into its register. */
static void emit_remat_buf(struct hup_jit_ctx *ctx, size_t i)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	struct hup_jit_buf *b = &ctx->out;
	int dst = reg_map[insn->dst_reg & 7];
	int32_t off = insn->off;

	if (insn->dst_reg & HUP_SEAL_ARG_CTX) {
		emit_ldx(b, 8, dst, DEPTH_FLOOR, CTX_SLOT); /* mov dst, [r12 + slot] */
		emit_lea(b, dst, dst, off);                  /* lea dst, [dst + off] */
	} else if (off < 0) {
		emit_lea(b, dst, X86_RBP, off);              /* lea dst, [rbp + off] */
	} else {
		emit_lea(b, dst, X86_RBP, frame_up_disp(ctx, off)); /* lea dst, [rbp + d*576 + o] */
	}
}

/* The same, with its size (the next argument) clamped to lim. */
static int emit_remat_arg(struct hup_jit_ctx *ctx, size_t i)
{
	struct hup_jit_buf *b = &ctx->out;
	unsigned int r = ctx->insns[i].dst_reg & 7;
	uint32_t lim, skip;
	uint64_t k;
	int sz;

	if (r < BPF_REG_1 || r > BPF_REG_4)
		return unsupported(ctx, i, "bad sealed helper argument");
	sz = reg_map[r + 1];
	lim = remat_lim(ctx, &ctx->insns[i]);
	emit_remat_buf(ctx, i);
	if (hup_jit__const_reg(ctx, i, (uint8_t)(r + 1), &k) && k <= lim)
		return 0; /* a constant size that fits: nothing to clamp */
	emit_alu_ri(b, true, X86_CMP, sz, (int32_t)lim); /* cmp size, lim */
	skip = emit_local_fwd(b, X86_CC_BE);             /* jbe skip */
	emit_mov_r32_imm(b, sz, lim);                    /* mov size32, lim */
	bind_local(ctx, i, skip);
	return 0;
}

/* Copy (src >= 0: from [src], through xmm0 and rax) or clear (src < 0)
 * n bytes at [dst], widest pieces first. */
static void emit_copy(struct hup_jit_buf *b, int dst, int src, uint32_t n)
{
	static const uint8_t widths[] = {8, 4, 2, 1};
	uint32_t k = 0;

	if (src < 0 && n >= 16)
		emit_pxor_self(b, 0);                         /* pxor xmm0, xmm0 */
	for (; k + 16 <= n; k += 16) {
		if (src >= 0)
			emit_movups_load(b, 0, src, (int32_t)k); /* movups xmm0, [src + k] */
		emit_movups_store(b, dst, (int32_t)k, 0);        /* movups [dst + k], xmm0 */
	}
	if (src < 0 && k < n)
		emit_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX); /* xor eax, eax */
	for (size_t w = 0; w < sizeof(widths); w++)
		for (; k + widths[w] <= n; k += widths[w]) {
			if (src >= 0)
				emit_ldx(b, widths[w], X86_RAX, src,
					 (int32_t)k);          /* mov(zx) rax, [src + k] */
			emit_stx(b, widths[w], dst, (int32_t)k,
				 X86_RAX);                     /* mov [dst + k], rax */
		}
}

/*
 * guest_read(dst, K, gva) of a sealed program, K a constant below
 * HUP_JIT_INLINE_READ that fits the stack buffer dst: the helper's copy
 * (engine.h, read_id) inline, with no call:
 *
 *     lea rdi, [rbp + d]                 the sealed buffer
 *     mov r11, rdx ; and r11, MASK ; movabs r10, VB ; add r11, r10
 *   begin:
 *     movups xmm0, [r11 + k] ; movups [rdi + k], xmm0    16 bytes at a
 *     mov rax, [r11 + k] ; mov [rdi + k], rax            time, then 8,
 *     ...                                                4, 2, 1
 *   end:
 *     xor eax, eax ; jmp done
 *   pad:                                 a load's fault resumes here
 *     (dst cleared, K bytes)
 *     movabs r11, read_fault ; call r11  r0 = -EFAULT, counted
 *   done:
 *
 * A fault on a load (a hole of the view; the loads stay inside the
 * reservation: gva & MASK plus under 64 bytes of its guard) resumes at
 * pad through the image's fixup table; the helper too leaves dst all
 * zeros on -EFAULT (docs/abi.md), whatever it had copied.  The stores go
 * to the run's stack.  false: not inlinable, emit the call.
 */
static bool emit_inline_read(struct hup_jit_ctx *ctx, size_t i, uint32_t id)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	const struct hup_helper_table *h = ctx->helpers;
	const struct hup_confine *c = ctx->conf;
	struct hup_jit_buf *b = &ctx->out;
	uint32_t begin, end, pad, done;
	uint64_t size;

	if (!h->read_fault || id != h->read_id || !c->sealed ||
	    !confined_view(c) || !view_maskable(c) ||
	    insn->dst_reg != BPF_REG_1 ||
	    !hup_jit__const_reg(ctx, i, BPF_REG_2, &size) || !size ||
	    size >= HUP_JIT_INLINE_READ)
		return false;
	if (size > remat_lim(ctx, insn))
		return false; /* the call clamps it; keep that */
	emit_remat_buf(ctx, i);                            /* lea rdi, [rbp + d] */
	emit_mov_rr(b, !view_mask32(c), AUX_TMP,
		    reg_map[BPF_REG_3]);                   /* mov r11(d), rdx(d) */
	if (!view_mask32(c))
		emit_and_mask(b, c);                       /* and r11, MASK */
	emit_movabs(b, AUX_RAX, c->view_base);             /* movabs r10, VB */
	emit_alu_rr(b, true, X86_ADD, AUX_TMP, AUX_RAX);  /* add r11, r10 */
	begin = b->pos;
	emit_copy(b, X86_RDI, AUX_TMP, (uint32_t)size);
	end = b->pos;
	emit_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX);  /* xor eax, eax */
	done = emit_local_fwd(b, -1);                      /* jmp done */
	pad = b->pos;
	emit_copy(b, X86_RDI, -1, (uint32_t)size);
	emit_movabs(b, AUX_TMP, (uint64_t)(uintptr_t)h->read_fault); /* movabs r11, fn */
	emit_call_r(b, AUX_TMP);                           /* call r11 */
	bind_local(ctx, i, done);
	hup_jit__fixup(ctx, i, begin, end, pad);
	return true;
}

/*
 * output(buf, K) of a sealed program, K a constant below
 * HUP_JIT_INLINE_READ that fits the buffer: the helper's buffered path
 * (engine.h, out_id) inline, the call kept for a run without a buffer:
 *
 *     lea rdi, [rbp + d]                 the sealed buffer
 *     mov r11, fs:[TLS]                  the run state
 *     mov r10, [r11 + cur.dst]
 *     test r10, r10 ; jz call            no buffer: the helper
 *     mov eax, [r11 + cur.used] ; mov ecx, [r11 + cur.room]
 *     lea rdx, [rax + K] ; cmp rdx, rcx ; ja full
 *     add r10, rax
 *     movups xmm0, [rdi] ; movups [r10], xmm0 ...   K bytes
 *     mov [r11 + cur.used], edx
 *     xor eax, eax ; jmp done
 *   full:
 *     mov rax, -ENOSPC ; jmp done
 *   call:
 *     movabs r11, fn ; call r11          rdi, rsi (= K) as they are
 *   done:
 *
 * Nothing faults: the buffer is the run's stack or ctx, the output the
 * caller's memory; used and room are libhup's own (used <= room).  false:
 * not inlinable, emit the call.
 */
static bool emit_inline_output(struct hup_jit_ctx *ctx, size_t i, uint32_t id)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	const struct hup_helper_table *h = ctx->helpers;
	struct hup_jit_buf *b = &ctx->out;
	uint32_t to_call, full, done_ok, done_full;
	int32_t cur, dst, used, room;
	intptr_t tls;
	uint64_t size;

	if (!h->out_id || id != h->out_id || !h->out_tls ||
	    !ctx->conf->sealed || (insn->dst_reg & 7) != BPF_REG_1 ||
	    !hup_jit__const_reg(ctx, i, BPF_REG_2, &size) || !size ||
	    size >= HUP_JIT_INLINE_READ || size > remat_lim(ctx, insn))
		return false;
	tls = h->out_tls();
	if (tls < INT32_MIN || tls > INT32_MAX ||
	    h->out_off > INT32_MAX - sizeof(struct hup_out_cursor))
		return false;
	cur = (int32_t)h->out_off;
	dst = cur + (int32_t)offsetof(struct hup_out_cursor, dst);
	used = cur + (int32_t)offsetof(struct hup_out_cursor, used);
	room = cur + (int32_t)offsetof(struct hup_out_cursor, room);
	emit_remat_buf(ctx, i);                            /* lea rdi, [rbp + d] */
	emit_ld_fs(b, AUX_TMP, (int32_t)tls);              /* mov r11, fs:[TLS] */
	emit_ldx(b, 8, AUX_RAX, AUX_TMP, dst);             /* mov r10, [r11 + dst] */
	emit_test_rr(b, true, AUX_RAX, AUX_RAX);           /* test r10, r10 */
	to_call = emit_local_fwd32(b, X86_CC_E);           /* jz call */
	emit_ldx(b, 4, X86_RAX, AUX_TMP, used);            /* mov eax, [r11 + used] */
	emit_ldx(b, 4, X86_RCX, AUX_TMP, room);            /* mov ecx, [r11 + room] */
	emit_lea(b, X86_RDX, X86_RAX, (int32_t)size);      /* lea rdx, [rax + K] */
	emit_alu_rr(b, true, X86_CMP, X86_RDX, X86_RCX);   /* cmp rdx, rcx */
	full = emit_local_fwd32(b, X86_CC_A);              /* ja full */
	emit_alu_rr(b, true, X86_ADD, AUX_RAX, X86_RAX);   /* add r10, rax */
	emit_copy(b, AUX_RAX, X86_RDI, (uint32_t)size);
	emit_stx(b, 4, AUX_TMP, used, X86_RDX);            /* mov [r11 + used], edx */
	emit_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX);  /* xor eax, eax */
	done_ok = emit_local_fwd32(b, -1);                 /* jmp done */
	bind_local32(b, full);
	emit_mov_r64_simm(b, X86_RAX, -ENOSPC);            /* mov rax, -ENOSPC */
	done_full = emit_local_fwd32(b, -1);               /* jmp done */
	bind_local32(b, to_call);
	emit_movabs(b, AUX_TMP, (uint64_t)(uintptr_t)h->fns[id]); /* movabs r11, fn */
	emit_call_r(b, AUX_TMP);                           /* call r11 */
	bind_local32(b, done_ok);
	bind_local32(b, done_full);
	return true;
}

static void emit_helper_call(struct hup_jit_ctx *ctx, size_t i, uint32_t id)
{
	struct hup_jit_buf *b = &ctx->out;
	const struct hup_helper_table *h = ctx->helpers;

	if (!h || id >= h->nr || !h->fns[id]) {
		/* No such helper: the run ends here, as in the interpreter. */
		emit_jump(ctx, -1, ctx->old.abort, 0);       /* jmp abort */
		return;
	}
	if (emit_inline_read(ctx, i, id) || emit_inline_output(ctx, i, id))
		return;
	if (ctx->conf->sealed && ctx->insns[i].dst_reg &&
	    emit_remat_arg(ctx, i))
		return;
	/* BPF r1..r5 already sit in rdi, rsi, rdx, rcx, r8 */
	emit_movabs(b, AUX_TMP, (uint64_t)(uintptr_t)h->fns[id]); /* movabs r11, fn */
	emit_call_r(b, AUX_TMP);                                /* call r11 */
}

/* callx: the helper id is a run-time value; check it against the sealed
 * copy of the table before calling through it. */
static void emit_helper_callx(struct hup_jit_ctx *ctx, int reg)
{
	struct hup_jit_buf *b = &ctx->out;
	uint32_t nr = ctx->helpers ? ctx->helpers->nr : 0;
	int64_t here;

	emit_alu_ri(b, true, X86_CMP, reg, (int32_t)nr);   /* cmp reg, nr */
	emit_jump(ctx, X86_CC_AE, ctx->old.abort, 0);  /* jae abort */
	here = (int64_t)ctx->region_old + (b->pos - ctx->region_new);
	/* lea r11, [rip + table] (7 bytes) */
	emit_lea_rip(b, AUX_TMP, (int32_t)((int64_t)ctx->old.table - (here + 7)));
	emit_ld_index8(b, AUX_TMP, AUX_TMP, reg);          /* mov r11, [r11 + reg * 8] */
	emit_test_rr(b, true, AUX_TMP, AUX_TMP);           /* test r11, r11 */
	emit_jump(ctx, X86_CC_E, ctx->old.abort, 0);   /* je abort */
	emit_call_r(b, AUX_TMP);                           /* call r11 */
}

/* BPF-to-BPF call: a native call into the callee's entry stub, after the
 * depth check (the verifier bounds depth; this makes it a host fact). */
static void emit_local_call(struct hup_jit_ctx *ctx, size_t target)
{
	struct hup_jit_buf *b = &ctx->out;
	int64_t here;

	emit_alu_rr(b, true, X86_CMP, X86_RSP, DEPTH_FLOOR); /* cmp rsp, r12 */
	emit_jump(ctx, X86_CC_B, ctx->old.abort, 0);     /* jb abort */
	here = (int64_t)ctx->region_old + (b->pos - ctx->region_new);
	/* call entry (e8 rel32) */
	emit_call_rel32(b, (int32_t)((int64_t)ctx->old.entry[target] - (here + 5)));
}

static int emit_jmp(struct hup_jit_ctx *ctx, size_t i)
{
	const struct bpf_insn *insn = &ctx->insns[i];
	struct hup_jit_buf *b = &ctx->out;
	bool w = BPF_CLASS(insn->code) == BPF_JMP;
	uint8_t op = BPF_OP(insn->code);
	bool x = BPF_SRC(insn->code) == BPF_X;
	int64_t t;
	int cc, dst, src;

	switch (insn->code) {
	case BPF_JMP | BPF_JA:
		t = (int64_t)i + 1 + insn->off;
		emit_jump(ctx, -1, ctx->old.code[t], ctx->old.blk[i + 1]); /* jmp */
		return 0;
	case BPF_JMP32 | BPF_JA: /* gotol: the offset is in imm */
		t = (int64_t)i + 1 + insn->imm;
		emit_jump(ctx, -1, ctx->old.code[t], ctx->old.blk[i + 1]); /* jmp */
		return 0;
	case BPF_JMP | BPF_EXIT:
		if (ctx->at_light) {
			emit_light_exit(b, ctx->at_light);
			return 0;
		}
		/* jmp epilogue */
		emit_jump(ctx, -1, ctx->old.epilogue, ctx->old.blk[i + 1]);
		return 0;
	case BPF_JMP | BPF_CALL:
		if (insn->src_reg == 0) {
			emit_helper_call(ctx, i, (uint32_t)insn->imm);
			return 0;
		}
		if (insn->src_reg == BPF_PSEUDO_CALL) {
			emit_local_call(ctx, (size_t)((int64_t)i + 1 + insn->imm));
			return 0;
		}
		return unsupported(ctx, i, "unknown call kind");
	case BPF_JMP | BPF_CALL | BPF_X: /* callx: helper id in dst_reg */
		if (insn->dst_reg > BPF_REG_10)
			return unsupported(ctx, i, "bad register");
		emit_helper_callx(ctx, reg_map[insn->dst_reg]);
		return 0;
	}

	cc = jump_cc(op);
	if (cc < 0)
		return unsupported(ctx, i, "unknown jump");
	if (insn->dst_reg > BPF_REG_10 || (x && insn->src_reg > BPF_REG_10))
		return unsupported(ctx, i, "bad register");
	dst = reg_map[insn->dst_reg];
	if (x) {
		src = reg_map[insn->src_reg];
		if (op == BPF_JSET)
			emit_test_rr(b, w, dst, src);       /* test dst, src */
		else
			emit_alu_rr(b, w, X86_CMP, dst, src); /* cmp dst, src */
	} else if (op == BPF_JSET) {
		emit_test_ri(b, w, dst, insn->imm);         /* test dst, imm */
	} else if (insn->imm == 0) {
		emit_test_rr(b, w, dst, dst);  /* test dst, dst (= cmp dst, 0) */
	} else {
		/* cmp dst, imm (sign-extended for JMP, as BPF) */
		emit_alu_ri(b, w, X86_CMP, dst, insn->imm);
	}
	t = (int64_t)i + 1 + insn->off;
	emit_jump(ctx, cc, ctx->old.code[t], 0);            /* jcc */
	return 0;
}

/* ------------------------------------------------------------ dispatch */

int hup_jit_x86__insn(struct hup_jit_ctx *ctx, size_t i)
{
	const struct bpf_insn *insn = &ctx->insns[i];

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return emit_alu(ctx, i);
	case BPF_JMP:
	case BPF_JMP32:
		return emit_jmp(ctx, i);
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return emit_mem(ctx, i);
	case BPF_LD:
		if (!hup_insn_is_ldimm64(insn))
			break; /* legacy packet loads (ABS/IND) are not ours */
		if (insn->dst_reg >= BPF_REG_10)
			return unsupported(ctx, i, "ldimm64 into r10");
		/* The loader has patched our pseudo kinds into plain values. */
		if (insn->src_reg != 0 && insn->src_reg != HUP_PSEUDO_VIEW_BASE &&
		    insn->src_reg != HUP_PSEUDO_VIEW_MASK)
			return unsupported(ctx, i, "unknown ldimm64 kind");
		/* mov|movabs dst, imm64 */
		emit_load_imm64(&ctx->out, reg_map[insn->dst_reg],
				hup_insn_imm64(insn));
		return 0;
	}
	return unsupported(ctx, i, "unknown instruction class");
}

void hup_jit_x86__nops(struct hup_jit_ctx *ctx, uint32_t n)
{
	/* The recommended multi-byte NOPs (Intel SDM, "NOP"), by length */
	static const uint8_t nop[8][8] = {
		{0x90},
		{0x66, 0x90},
		{0x0f, 0x1f, 0x00},
		{0x0f, 0x1f, 0x40, 0x00},
		{0x0f, 0x1f, 0x44, 0x00, 0x00},
		{0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
		{0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
		{0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
	};

	while (n) {
		uint32_t k = n < 8 ? n : 8;

		for (uint32_t j = 0; j < k; j++)
			emit1(&ctx->out, nop[k - 1][j]);
		n -= k;
	}
}
