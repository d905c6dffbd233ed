/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal state of the verifier: the one `env` every pass works on, the
 * abstract register and stack types, and the prototypes the passes share.
 *
 * The verifier is a pipeline (verifier.c): cfg.c checks encodings, splits
 * subprograms and proves the control-flow graph acyclic and fully
 * reachable; walk.c then explores every path with an abstract state
 * (struct hup_vstate), dispatching each instruction to alu.c, mem.c or the
 * call checks, and prunes paths whose state is covered by one already
 * proven safe (state.c).  scalar.c is the value domain (known bits +
 * signed/unsigned 64- and 32-bit ranges), ctx.c the per-event context
 * layouts, helper_protos.c the helper prototypes.
 */
#ifndef HUP_VERIFIER_ENV_H
#define HUP_VERIFIER_ENV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"
#include "log.h"
#include "verifier.h"

/* ------------------------------------------------------------ limits */

/* Explored states kept for pruning, per instruction and in all. */
#define HUP_VERIFIER_MAX_STORED_PER_INSN 16u
#define HUP_VERIFIER_MAX_STORED 8192u
/* Bytes of abstract states (queued + remembered) one verification may hold:
 * a guest must not make the host allocate without bound (-E2BIG). */
#define HUP_VERIFIER_MAX_MEM (64u << 20)
/* Fixpoint rounds when proving a loop callback's effect on its caller. */
#define HUP_VERIFIER_MAX_LOOP_ROUNDS 8u
#define HUP_STACK_SLOTS (HUP_STACK_SIZE / 8u)
/* Bound on the constant offset of ctx/stack pointers (keeps sums in range). */
#define HUP_PTR_OFF_MAX (1 << 20)

/* Bytes moved by a load/store opcode. */
static inline uint32_t bpf_size_to_bytes_(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

/* ------------------------------------------------------------ values */

/* Known bits: bit i is unknown if mask bit i is set, else equals value's. */
struct hup_tnum {
	uint64_t value;
	uint64_t mask;
};

enum hup_vtype {
	HUP_VT_NOT_INIT = 0, /* never written on this path: unreadable */
	HUP_VT_SCALAR,       /* a number; all fields below are its value */
	HUP_VT_CTX,          /* the event context + off (constant) */
	HUP_VT_STACK,        /* frame `frameno`'s r10 + off (constant) */
	HUP_VT_VIEW,         /* view base + off + var (var in [0, mask]) */
	HUP_VT_FUNC,         /* a loop callback: subprogram `subprog` */
};

/*
 * An abstract register.  For scalars var/ranges describe the value; for
 * view pointers they describe the variable part of the offset (off is the
 * constant part).  The 32-bit ranges describe the low half of the value.
 */
struct hup_vreg {
	uint8_t type;      /* enum hup_vtype */
	uint8_t frameno;   /* HUP_VT_STACK */
	uint16_t subprog;  /* HUP_VT_FUNC: index into env->subprogs */
	int32_t off;
	struct hup_tnum var;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32min, s32max;
	uint32_t u32min, u32max;
};

/* What one stack byte holds. */
enum hup_sbyte {
	HUP_SB_INVALID = 0, /* never written (or no longer trustworthy) */
	HUP_SB_MISC,        /* scalar data of unknown value */
	HUP_SB_SPILL,       /* part of a spilled register (whole slot) */
};

/* 8 bytes of stack: bytes [-8(i+1), -8i) of the frame for slot i. */
struct hup_vslot {
	uint8_t stype[8]; /* enum hup_sbyte, stype[0] = lowest address */
	struct hup_vreg spill; /* valid when all stype are HUP_SB_SPILL */
};

struct hup_vframe {
	struct hup_vreg regs[HUP_NR_REGS];
	int32_t callsite;   /* insn index of the call that made it, -1 main */
	uint32_t subprog;   /* index into env->subprogs; UINT32_MAX: the
			     * loop trampoline fixup.c inserts (no code) */
	uint32_t nslots;    /* slots allocated (stack depth / 8) */
	struct hup_vslot *slots;
};

struct hup_vstate {
	struct hup_vframe *frames[HUP_MAX_CALL_DEPTH];
	uint32_t curframe;
	uint32_t pc;
};

/* ------------------------------------------------------------ env */

struct hup_vstate_list {
	struct hup_vstate_list *next;
	struct hup_vstate st;
};

struct hup_vaux {
	uint8_t imm_hi;     /* second slot of an ldimm64 */
	uint8_t prune;      /* a join point: explored states are kept here */
	uint8_t reached;    /* visited by the CFG walk */
	uint32_t subprog;   /* which subprogram it belongs to */
	struct hup_mem_rec rec; /* what its memory access points to */
	uint32_t nstored;
	struct hup_vstate_list *stored;
};

struct hup_subprog {
	uint32_t start, end; /* [start, end) */
	uint32_t stack_depth;
	bool is_callback;    /* reached through BPF_PSEUDO_FUNC */
};

struct hup_ctx_layout;

struct hup_venv {
	const struct bpf_insn *insns;
	uint32_t cnt;
	const struct hup_verifier_opts *opts;
	struct hup_log *log;
	const struct hup_ctx_layout *ctx;
	struct hup_vaux *aux;
	struct hup_subprog *subprogs;
	uint32_t nr_subprogs;

	/* the walk */
	struct hup_vstate *cur;
	struct hup_vstate **stack;  /* pending branches */
	uint32_t stack_len, stack_cap;
	uint32_t loop_depth;        /* > 0 inside a loop callback's walk */
	uint64_t insns_processed;
	size_t mem_bytes;           /* see HUP_VERIFIER_MAX_MEM */
	uint32_t nstored;
	uint32_t max_stack_depth;

	/* the loop callback being verified (call.c) */
	struct hup_vstate *cb_acc;  /* caller frames joined over its exits */
	uint32_t cb_caller;         /* the caller's frame index */
	bool cb_changed;

	bool failed;                /* one rejection line only */
	int err;
};

/* ------------------------------------------------------------ errors */

/*
 * Reject: log "IDX: message" once and return -err.  Every rejection goes
 * through here so there is exactly one line and one errno.
 */
int hup_verr(struct hup_venv *env, int err, uint32_t idx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------ scalar.c */

struct hup_tnum hup_tnum_const(uint64_t v);
struct hup_tnum hup_tnum_unknown(void);
struct hup_tnum hup_tnum_range(uint64_t min, uint64_t max);
bool hup_tnum_is_const(struct hup_tnum t);
/* Every value of b is a value of a. */
bool hup_tnum_in(struct hup_tnum a, struct hup_tnum b);

void hup_reg__mark_unknown(struct hup_vreg *r);
void hup_reg__mark_const(struct hup_vreg *r, uint64_t v);
void hup_reg__mark_not_init(struct hup_vreg *r);
/* Unknown value of `size` bytes, zero- or sign-extended to 64 bits. */
void hup_reg__mark_sized(struct hup_vreg *r, unsigned int size, bool sext);
/* Scalar in [min, max] (unsigned). */
void hup_reg__mark_urange(struct hup_vreg *r, uint64_t min, uint64_t max);
bool hup_reg__is_const(const struct hup_vreg *r);
/* Tighten all ranges and known bits against each other. */
void hup_reg__sync(struct hup_vreg *r);
/* False if the register's description is empty (no value satisfies it). */
bool hup_reg__consistent(const struct hup_vreg *r);
/* Keep the low 32 bits, zero-extended (the effect of every ALU32 op). */
void hup_reg__zext32(struct hup_vreg *r);

/*
 * dst = dst OP src on scalars (opcode's BPF_OP, 64- or 32-bit, `off` picks
 * the signed div/mod and movsx variants).  Returns false if the op is not
 * one scalar.c knows (the caller has validated encodings, so never).
 */
bool hup_scalar__alu(struct hup_vreg *dst, const struct hup_vreg *src,
		     uint8_t op, bool is64, int16_t off);
/* Byte swaps: BPF_END with to_be/bswap, width 16/32/64. */
void hup_scalar__end(struct hup_vreg *dst, bool swap, int32_t width);
/* 1: always taken, 0: never, -1: unknown. */
int hup_scalar__branch(const struct hup_vreg *a, const struct hup_vreg *b,
		       uint8_t op, bool is32);
/*
 * Narrow a and b assuming `a OP b` holds (taken) or not.  Returns false if
 * that is impossible (the branch is dead).
 */
bool hup_scalar__refine(struct hup_vreg *a, struct hup_vreg *b, uint8_t op,
			bool is32, bool taken);

/* ------------------------------------------------------------ ctx.c */

#define HUP_CTX_MAX_FIELDS 16

struct hup_ctx_field {
	uint16_t off, size;
	bool writable;
	const char *name;
};

struct hup_ctx_layout {
	uint32_t size;
	uint32_t nr_fields;
	struct hup_ctx_field fields[HUP_CTX_MAX_FIELDS];
};

/* NULL for an event outside 1..HUP_EVENT_MAX. */
const struct hup_ctx_layout *hup_ctx__layout(unsigned int event);
/* The field holding [off, off + size), or NULL if none holds it all. */
const struct hup_ctx_field *hup_ctx__field(const struct hup_ctx_layout *l,
					   int64_t off, uint32_t size);
const char *hup_event__name(unsigned int event);

/* ------------------------------------------------------------ helper_protos.c */

enum hup_arg_type {
	HUP_ARG_NONE = 0,
	HUP_ARG_SCALAR,  /* any number */
	HUP_ARG_MEM_RO,  /* stack or ctx memory the helper reads; size next */
	HUP_ARG_MEM_WO,  /* stack or writable ctx the helper writes; size next */
	HUP_ARG_SIZE,    /* size of the previous buffer, <= max_size */
	HUP_ARG_FUNC,    /* a loop callback (ldimm64 BPF_PSEUDO_FUNC) */
	HUP_ARG_DATA,    /* anything but a callback: passed through */
	HUP_ARG_ZERO,    /* must be the known constant 0 */
};

struct hup_helper_proto {
	const char *name;
	uint8_t args[5];        /* enum hup_arg_type for r1..r5 */
	uint32_t max_size;      /* for HUP_ARG_SIZE */
	uint32_t events;        /* bit (1 << HUP_EVENT_*) */
	uint64_t ret_umax;      /* r0 in [0, ret_umax], or ~0 for any */
};

/* NULL if id is not 1..HUP_FN_MAX. */
const struct hup_helper_proto *hup_helper__proto(int32_t id);

/* ------------------------------------------------------------ state.c */

struct hup_vstate *hup_vstate__new(void);
void hup_vstate__free(struct hup_vstate *st);
int hup_vstate__copy(struct hup_vstate *dst, const struct hup_vstate *src);
struct hup_vstate *hup_vstate__dup(const struct hup_vstate *src);
size_t hup_vstate__bytes(const struct hup_vstate *st);
void hup_vstate__release(struct hup_vstate *st); /* frees frames only */
struct hup_vframe *hup_vframe__new(int32_t callsite, uint32_t subprog,
				   uint32_t frameno);
void hup_vframe__free(struct hup_vframe *f);
/* Make slot `slot` exist; -ENOMEM on failure. */
int hup_vframe__grow(struct hup_vframe *f, uint32_t nslots);
/* Every concrete state of cur is one of old's. */
bool hup_vstate__covers(const struct hup_vstate *old,
			const struct hup_vstate *cur);
bool hup_vframe__covers(const struct hup_vframe *old,
			const struct hup_vframe *cur);
/* old := old joined with cur (loop callback fixpoint); true if changed. */
int hup_vframe__join(struct hup_vframe *old, const struct hup_vframe *cur,
		     bool *changed);
/* Prune cur at a join point, or remember it; 1 pruned, 0 go on, <0 err. */
int hup_state__prune_or_store(struct hup_venv *env);
void hup_state__free_stored(struct hup_venv *env);

/* ------------------------------------------------------------ cfg.c */

int hup_cfg__check(struct hup_venv *env);

/* ------------------------------------------------------------ mem.c */

enum hup_access { HUP_READ, HUP_WRITE, HUP_ATOMIC };

/*
 * Check insn idx's access of `size` bytes at regs[regno] + off.  For
 * writes, value is what is stored (register value_regno, or a constant for
 * BPF_ST with value_regno -1); for reads, *out receives the loaded value.
 * sext: sign-extending load.
 */
int hup_mem__access(struct hup_venv *env, uint32_t idx, uint32_t regno,
		    int32_t off, uint32_t size, enum hup_access kind,
		    const struct hup_vreg *value, int value_regno,
		    struct hup_vreg *out, bool sext);
/*
 * A helper's buffer argument: regs[regno] points to at least size bytes
 * (size described by the scalar sz) the helper reads (write = false) or
 * writes.
 */
int hup_mem__helper_buf(struct hup_venv *env, uint32_t idx, uint32_t regno,
			const struct hup_vreg *sz, bool write);
/* Frame `frameno` of the current state. */
struct hup_vframe *hup_mem__frame(struct hup_venv *env, uint32_t frameno);
const char *hup_vtype__name(uint8_t type);

/* ------------------------------------------------------------ alu.c */

int hup_alu__check(struct hup_venv *env, uint32_t idx);
int hup_alu__ldimm64(struct hup_venv *env, uint32_t idx);
int hup_jmp__check(struct hup_venv *env, uint32_t idx, bool *stop);

/* ------------------------------------------------------------ walk.c */

int hup_walk__run(struct hup_venv *env);
int hup_walk__push(struct hup_venv *env, const struct hup_vstate *st);
/* Walk from start (consumed) until every path leaves frame base_frame. */
int hup_walk__nested(struct hup_venv *env, struct hup_vstate *start,
		     uint32_t base_frame);
/* regs[regno] of the current frame must have been written. */
int hup_walk__check_read(struct hup_venv *env, uint32_t idx, uint32_t regno);
static inline struct hup_vreg *hup_cur_regs(struct hup_venv *env)
{
	return env->cur->frames[env->cur->curframe]->regs;
}

/* ------------------------------------------------------------ call.c */

int hup_call__helper(struct hup_venv *env, uint32_t idx);
int hup_call__local(struct hup_venv *env, uint32_t idx);
/* EXIT: returns 1 when the path ends, 0 when it returns to a caller. */
int hup_call__exit(struct hup_venv *env, uint32_t idx, uint32_t base_frame);

#endif /* HUP_VERIFIER_ENV_H */
