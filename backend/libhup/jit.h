/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals shared by the JIT's arch-neutral front end (jit.c: structure
 * checks, the size-convergence passes, the W^X image) and its x86-64 back
 * end (jit_x86.c).  The front end owns the offset tables; the back end emits
 * one instruction (or stub) at a time and aims its jumps at offsets taken
 * from the *previous* pass, so that in the pass where no offset changes
 * every displacement it wrote is exact.
 */
#ifndef HUP_JIT_H
#define HUP_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "insn.h"

/* Longest program the JIT takes on (the verifier's cap is far below). */
#define HUP_JIT_MAX_INSNS 65536u
/* Sizes only shrink from pass to pass, and from HUP_JIT_PAD_PASS on no
 * block moves; a program that still has not converged is refused. */
#define HUP_JIT_MAX_PASSES 32u
/* From this pass on, every instruction is padded with NOPs to its size in
 * the previous pass (jit.c, jit_pad). */
#define HUP_JIT_PAD_PASS 16u
/* Largest helper table copied into an image for callx. */
#define HUP_JIT_MAX_HELPERS 4096u

/* Registers the JIT keeps facts about (jit_facts.c): r0..r9. */
#define HUP_JIT_FACT_REGS 10u
struct hup_jit_facts;

/* Where emitted bytes go; with mem == NULL only pos advances (sizing). */
struct hup_jit_buf {
	uint8_t *mem;
	uint32_t cap;
	uint32_t pos;
	bool overflow;
};

/* Offsets of everything a jump or call can aim at, for one pass. */
struct hup_jit_layout {
	uint32_t *blk;   /* [cnt + 1] start of insn i's block (entry stub incl.) */
	uint32_t *entry; /* [cnt + 1] BPF-to-BPF call entry of insn i's function */
	uint32_t *code;  /* [cnt + 1] first byte of insn i's own code; [cnt]: the
			  * fall-off stub */
	uint32_t epilogue; /* shared "return from this frame" sequence */
	uint32_t pops;     /* its register restores, after the rsp reload */
	uint32_t abort;    /* end the whole run with r0 = 0 */
	uint32_t table;    /* callx helper table (8-aligned), if any */
	uint32_t len;      /* total bytes */
};

/* call_target[i]: insn i starts a BPF-to-BPF callee; the frame of the
 * function starting at insn i (0: the entry's) is cleared on entry. */
#define HUP_JIT_CALLEE 1u
#define HUP_JIT_ZERO_FRAME 2u
/* some jump lands on insn i (call_target[] keeps it too) */
#define HUP_JIT_JUMPED_TO 4u
/*
 * light[i]: a sealed callee that makes no call of any kind and never names
 * its own frame (only its callers', d >= 1) needs no frame: it runs on its
 * caller's rbp and saves only the BPF r6-r9 it writes (bit k: r(6 + k)),
 * pushed on entry and popped at each exit.
 */
#define HUP_JIT_LIGHT 0x80u

struct hup_jit_ctx {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct hup_helper_table *helpers;
	const struct hup_confine *conf; /* never NULL (engine.h) */
	struct hup_log *log;

	uint8_t *call_target; /* [cnt] HUP_JIT_CALLEE | HUP_JIT_ZERO_FRAME |
			       * HUP_JIT_JUMPED_TO */
	uint8_t *frames_up;   /* [cnt] at a function's first insn: the most
			       * frames up its sealed stack accesses reach */
	uint8_t *light;       /* [cnt] insn i is in a light callee (no frame of
			       * its own): HUP_JIT_LIGHT | the r6-r9 it writes */
	uint8_t at_light;     /* light[] of the insn being emitted */
	uint8_t *imm_hi;      /* [cnt] insn i is the second slot of an ldimm64 */
	struct hup_jit_facts *facts; /* [cnt] hup_jit__facts, or NULL */
	bool has_callx;       /* the image carries a copy of the helper table */
	int32_t zero_from;    /* a cleared frame: [rbp + zero_from, rbp), a
			       * multiple of 16 (of 64 past 64 bytes) */
	bool bmi2;            /* hup_jit_x86__bmi2(), asked once per compile */
	bool target_end;      /* some jump aims just past the last insn */

	struct hup_jit_layout old; /* previous pass: what jumps aim at */
	struct hup_jit_layout cur; /* this pass, being filled in */
	struct hup_jit_buf out;
	bool force_near; /* pass 0: every variable jump at its largest */
	bool pad;        /* from HUP_JIT_PAD_PASS: blocks keep their sizes */

	/* Region being emitted: its start in the previous pass and now, so a
	 * jump's own address can be expressed in previous-pass terms. */
	uint32_t region_old;
	uint32_t region_new;

	/* this pass's landing pads, in code order (engine.h; offsets from
	 * the start of out) */
	struct hup_code_fixup *fx;
	uint32_t nr_fx, cap_fx;

	int err;         /* first error of the pass, -errno */
	size_t err_insn; /* ...at this insn */
};

/* Start a region (block, stub) whose previous-pass offset was old_start. */
static inline void hup_jit__region(struct hup_jit_ctx *ctx, uint32_t old_start)
{
	ctx->region_old = old_start;
	ctx->region_new = ctx->out.pos;
}

/* Record the first error of a pass. */
static inline int hup_jit__fail(struct hup_jit_ctx *ctx, size_t insn, int err)
{
	if (!ctx->err) {
		ctx->err = err;
		ctx->err_insn = insn;
	}
	return err;
}

/* Can control pass from this insn to the next one in the array? */
static inline bool hup_jit__falls_through(const struct bpf_insn *insn)
{
	switch (insn->code) {
	case BPF_JMP | BPF_EXIT:
	case BPF_JMP | BPF_JA:
	case BPF_JMP32 | BPF_JA: /* gotol */
		return false;
	default:
		return true;
	}
}

/* Record a landing pad of this pass: a fault in [begin, end) resumes at
 * pad (offsets into out).  0 or -ENOMEM (the pass fails). */
int hup_jit__fixup(struct hup_jit_ctx *ctx, size_t insn, uint32_t begin,
		   uint32_t end, uint32_t pad);

/*
 * The JIT's own register facts (jit_facts.c): a forward dataflow over the
 * program, after jit_scan.  0, or -ENOMEM (the compile fails with it).
 * Without facts (ctx->facts NULL) every question below answers false.
 */
int hup_jit__facts(struct hup_jit_ctx *ctx);
/* The value register regno holds before insn i on every path to it;
 * false when it is not one known constant. */
bool hup_jit__const_reg(const struct hup_jit_ctx *ctx, size_t i,
			uint8_t regno, uint64_t *val);
/*
 * Whether register regno holds, before insn i on every path to it,
 * view_base + x + *d for some x in [0, view_mask]: a guest address the
 * program translated into the view itself (`&= MASK; += BASE`), moved by
 * *d, |*d| <= HUP_VIEW_GUARD.
 */
bool hup_jit__view_reg(const struct hup_jit_ctx *ctx, size_t i,
		       uint8_t regno, int64_t *d);

/* ------------------------------------------------------ x86-64 back end */

/* Whether shifts by a register may take BMI2's shlx/shrx/sarx (any count
 * register, no rcx juggling): the CPU's answer (cpuid), unless a test set
 * the mode OFF to cover the classic encoding too. */
enum hup_jit_bmi2 { HUP_JIT_BMI2_AUTO, HUP_JIT_BMI2_OFF };
extern enum hup_jit_bmi2 hup_jit_x86_bmi2_mode;
bool hup_jit_x86__bmi2(void);

/* The native entry, up to the first instruction's code. */
void hup_jit_x86__prologue(struct hup_jit_ctx *ctx);
/* The callee entry of a BPF-to-BPF call target, in front of insn i. */
void hup_jit_x86__callee_entry(struct hup_jit_ctx *ctx, size_t i);
/* Insn i (both slots of an ldimm64); 0 or -errno. */
int hup_jit_x86__insn(struct hup_jit_ctx *ctx, size_t i);
/* After the last insn: the fall-off stub, epilogue, abort stub, table. */
void hup_jit_x86__tail(struct hup_jit_ctx *ctx, bool fall_off);
/* n bytes of padding that may be run: NOP instructions. */
void hup_jit_x86__nops(struct hup_jit_ctx *ctx, uint32_t n);

#endif /* HUP_JIT_H */
