/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seam between the loader and the verifier.
 *
 * The verifier sees the program exactly as the guest sent it (pseudo
 * immediates unpatched: it types HUP_PSEUDO_VIEW_BASE as a pointer to the
 * view and HUP_PSEUDO_VIEW_MASK as the known scalar view_mask) and answers
 * 0 (safe), -EINVAL (malformed), -EACCES (unsafe) or -E2BIG (too large or
 * too complex), logging one line per rejection that starts with the
 * instruction index ("12: ...").  It never modifies the program.
 */
#ifndef HUP_VERIFIER_H
#define HUP_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

#include "insn.h"

struct hup_log;

/* Named limits of the verifier walk. */
#define HUP_VERIFIER_MAX_STATES 100000u /* explored (insn, state) pairs */

/*
 * Where one memory instruction (or a helper call's buffer argument) points,
 * as the verifier typed it: the same on every path reaching it, or the
 * program is rejected.  The seal pass (verifier/seal.c) turns these into
 * static addresses for the engines, so a wrong *value* in the pointer
 * register (a bug in the value domain) cannot move the access.
 */
enum hup_mem_region {
	HUP_REC_NONE = 0,  /* no memory access here */
	HUP_REC_STACK,     /* stack of the frame `frames` levels up, + off */
	HUP_REC_CTX,       /* the event context + off */
	HUP_REC_VIEW,      /* the view: confined by the engines' mask */
};

struct hup_mem_rec {
	uint8_t region;    /* enum hup_mem_region */
	uint8_t frames;    /* stack: current frame - the pointer's frame */
	uint8_t regno;     /* the base (or helper buffer argument) register */
	uint8_t seen;      /* the walk reached the instruction */
	int32_t off;       /* stack, ctx: the pointer's constant offset */
	/* A HUP_FN_loop call: 1 + the first insn of the callback every path
	 * passes it, HUP_LOOP_CB_MIXED if paths pass different ones, 0 if
	 * none reached it (verifier/inline.c inlines the proven one). */
	uint32_t loop_cb;
	/* A conditional jump: the sides some path took (seal.c hard-wires a
	 * jump that always goes one way). */
	uint8_t took;
};
#define HUP_LOOP_CB_MIXED UINT32_MAX
#define HUP_TOOK_FALL 1u /* fell through */
#define HUP_TOOK_JUMP 2u /* jumped */

struct hup_verifier_opts {
	enum hup_event event;
	bool has_view;          /* a view is attached: pseudo loads allowed */
	uint64_t view_mask;     /* its mask, 2^k - 1 */
	unsigned int max_insns; /* 0 = HUP_MAX_INSNS */
	struct hup_log *log;
	/* out, optional: cnt entries, one per instruction, filled on success */
	struct hup_mem_rec *recs;
};

/* What the verifier learned, for the loader and JIT. */
struct hup_verifier_info {
	uint32_t stack_depth;      /* deepest stack use of any frame, bytes */
	uint32_t nr_subprogs;      /* BPF-to-BPF callees + 1 */
	uint64_t states_explored;  /* complexity actually spent */
};

int hup_verify(const struct bpf_insn *insns, size_t cnt,
	       const struct hup_verifier_opts *opts,
	       struct hup_verifier_info *info);

/*
 * After a successful hup_verify(): rewrite every HUP_FN_loop call into
 * plain bytecode (a trampoline subprogram appended to the program that
 * calls the callback through BPF_PSEUDO_CALL at most min(nr, HUP_LOOP_MAX)
 * times, stops when it returns non-zero and returns the iterations done),
 * and every BPF_PSEUDO_FUNC load into a plain ldimm64.  The engines then
 * need no loop helper.  *insns must come from malloc: it may be
 * reallocated, and *cnt grows.  0, -ENOMEM, or -EINVAL on a program the
 * verifier would not have accepted.  (verifier/fixup.c)
 */
int hup_fixup__inline_loops(struct bpf_insn **insns, size_t *cnt);

/*
 * After hup_fixup__inline_loops(): rewrite the engines' copy so stack and
 * ctx accesses and helper buffers use the static locations the verifier
 * recorded (recs, nrecs = the verified instruction count), never a
 * register's value; unreached memory accesses and helper calls become
 * traps, a conditional jump every path took the same way jumps that way
 * unconditionally.  The engines must then run it confined (engine.h).  0, or
 * -EINVAL when a record does not pass the seal's own integer checks.
 * (verifier/seal.c)
 */
int hup_seal(struct bpf_insn *insns, size_t cnt, const struct hup_mem_rec *recs,
	     size_t nrecs, uint32_t ctx_size, bool has_view,
	     struct hup_log *log);

/*
 * After hup_seal(): each HUP_FN_loop call whose callback the verifier
 * proved (recs[i].loop_cb) and that is small and self-contained (no call,
 * no frame of its own, jumps that stay inside) calls a trampoline of its
 * own with the callback's body in the loop, instead of the shared one
 * that calls the callback once per iteration.  Appends only; *insns must
 * come from malloc.  0, -ENOMEM, or -EINVAL (bad arguments).
 * (verifier/inline.c)
 */
int hup_fixup__inline_callbacks(struct bpf_insn **insns, size_t *cnt,
				const struct hup_mem_rec *recs, size_t nrecs);

/*
 * What every engine runs of a verified program: hup_fixup__inline_loops,
 * hup_seal, hup_fixup__inline_callbacks in that order (their errors).
 */
int hup_fixup__engines(struct bpf_insn **insns, size_t *cnt,
		       const struct hup_mem_rec *recs, size_t nrecs,
		       uint32_t ctx_size, bool has_view, struct hup_log *log);

#endif /* HUP_VERIFIER_H */
