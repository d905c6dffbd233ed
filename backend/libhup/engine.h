/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seam between the loader and the two execution engines.
 *
 * Both engines execute an instruction array that the loader has already
 * validated (verifier), sealed (verifier/seal.c) and patched (pseudo
 * immediates replaced by values).  Run confined (below), they put every
 * stack and ctx access where the verifier proved it and keep every other
 * access inside the view, whatever the registers hold; a touch of a view
 * hole is caught by the fault handler around the run (view.c).  The
 * conformance runner drives them unconfined, without a verifier, on
 * trusted test programs only.
 *
 * Calling convention of a run: r1 and r2 as given, r10 = top of a fresh
 * HUP_STACK_SIZE-byte stack per frame, r0 returned.  Helpers are called
 * through a table indexed by the call's imm (or, for callx, the register's
 * value); an id outside the table or with a NULL entry ends the run with
 * r0 = 0 and *err = -EINVAL (interpreter) or the same via the JIT's
 * bounds check.
 */
#ifndef HUP_ENGINE_H
#define HUP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"

typedef uint64_t (*hup_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				  uint64_t r4, uint64_t r5);

struct hup_helper_table {
	const hup_helper_fn *fns; /* fns[id], NULL = no such helper */
	uint32_t nr;              /* ids 0..nr-1 */
	/*
	 * Optional (NULL: none): helper read_id copies guest memory as the
	 * view's helper copy does, `s64 (void *dst, u32 size, u64 gva)`:
	 * from view_base + (gva & view_mask), 0; or -EFAULT on a hole, with
	 * dst all zeros (below HUP_JIT_INLINE_READ bytes it never refuses a
	 * size).
	 * The JIT may inline such a call of a sealed program (constant size,
	 * a stack buffer); a fault in the inlined copy resumes at a landing
	 * pad (hup_code_fixup) that returns read_fault(), which counts it
	 * as the helper would and gives its -EFAULT.
	 */
	hup_helper_fn read_fault;
	uint32_t read_id;
	/*
	 * Optional (out_id 0: none): helper out_id appends a record to the
	 * run's output, `s64 (const void *buf, u32 size)`, through the
	 * output cursor of the run when it has one: the thread's
	 * initial-exec TLS pointer at out_tls() bytes from the thread
	 * pointer (the same for every thread) names a struct holding a
	 * struct hup_out_cursor at out_off.  The
	 * JIT may inline such a call of a sealed program (a constant size
	 * below HUP_JIT_INLINE_READ, a buffer that holds it): with the
	 * cursor's dst set, the copy and the count as the helper does them;
	 * without, the call.
	 */
	uint32_t out_id;
	uint32_t out_off;
	intptr_t (*out_tls)(void);
};

/*
 * Where a run's output goes when the caller gave a buffer
 * (hup_run_env.out_buf): used bytes are written at dst, room at most.
 * dst NULL: no buffer (the helper calls the caller's output callback).
 */
struct hup_out_cursor {
	uint8_t *dst;
	uint32_t room;
	uint32_t used;
};

/* The JIT inlines a read helper's copies of fewer bytes than this. */
#define HUP_JIT_INLINE_READ 64u

/*
 * A range of generated code whose faults inside the view resume at a
 * landing pad instead of ending the run (offsets from the image's code):
 * the kernel's exception table, for the JIT's inlined helper copies.
 */
struct hup_code_fixup {
	uint32_t begin, end; /* [begin, end): the faulting instruction */
	uint32_t pad;        /* where it resumes */
};

/*
 * Confined runs (docs/libhup.md, "What the engines enforce").  A program
 * sealed by hup_seal() (verifier.h) is run with the view it was verified
 * against: every access whose base register is r0..r9 (after sealing,
 * only view accesses) goes to
 *
 *     view_base + ((reg + off - view_base) & view_mask)
 *
 * the guest address modulo the view, which cannot leave the view's
 * PROT_NONE-guarded reservation; stack accesses go through r10 at the
 * sealed static offset, ctx accesses through HUP_REG_CTX (= r1 at entry),
 * and a helper's buffer argument is rebuilt from its sealed location, its
 * size clamped to the region (ctx_size bytes of ctx).  Frame k's r10 is
 * always frame k - 1's r10 - HUP_STACK_SIZE as seen through the sealed
 * offsets, so `r10 + d * HUP_STACK_SIZE + o` is frame d levels up.
 *
 * Unsealed runs (the conformance suite, fuzzers, the corpus runner: trusted
 * programs only) use hup_confine_none: view_base 0 and view_mask ~0 make
 * the masking the identity, and call instructions are taken as they are.
 */
struct hup_confine {
	uint64_t view_base;
	uint64_t view_mask;
	uint32_t ctx_size;
	bool sealed;        /* helper calls carry sealed buffer arguments */
	/*
	 * The view is a hup_view, whose guards mirror its ends (view.h):
	 * base + v for v in [-HUP_VIEW_GUARD, mask + 1 + HUP_VIEW_GUARD) is
	 * base + (v & mask).  The JIT may then access through a register it
	 * proved to hold base + [0, mask] + d (jit.h, hup_jit__view_reg)
	 * without masking: the same bytes, with no arithmetic.  A view made
	 * by hand (tests, fuzzers) leaves it false.
	 */
	bool view_mirrored;
	/* JIT: called by the abort stub (a bad helper id, a sealed trap,
	 * the depth guard), which then returns r0 = 0; NULL: not called.
	 * The interpreter reports the same through *err. */
	void (*on_abort)(void);
};

extern const struct hup_confine hup_confine_none;

/* ----------------------------------------------------------- interpreter */

/*
 * Run insns[0..cnt) from insn 0.  Returns r0.  *err is set to 0, or to
 * -EINVAL if the run hit something a verified program cannot (bad helper
 * id, call depth beyond HUP_MAX_CALL_DEPTH, falling off the end).
 */
uint64_t hup_interp__run(const struct bpf_insn *insns, size_t cnt,
			 const struct hup_helper_table *helpers, uint64_t r1,
			 uint64_t r2, int *err);
/* The same, confined by c (NULL: hup_confine_none). */
uint64_t hup_interp__run_confined(const struct bpf_insn *insns, size_t cnt,
				  const struct hup_helper_table *helpers,
				  const struct hup_confine *c, uint64_t r1,
				  uint64_t r2, int *err);

/* ------------------------------------------------------------------- JIT */

struct hup_log;

typedef uint64_t (*hup_jit_entry)(uint64_t r1, uint64_t r2);

struct hup_jit_image {
	hup_jit_entry entry; /* NULL until compiled */
	void *mem;           /* the mapping, read+exec once sealed */
	size_t mem_len;      /* mapping size */
	size_t code_len;     /* bytes of emitted code */
	/* sorted by begin, offsets from entry: hand them to
	 * hup_view__code_fixups() for each run */
	struct hup_code_fixup *fixups;
	uint32_t nr_fixups;
};

/*
 * Compile insns to native code in img, mapped read+execute (never
 * writable and executable at once).  Returns 0, or -EOPNOTSUPP for an
 * instruction the JIT does not handle (the caller then interprets), or
 * -ENOMEM.  The helper table is bound at compile time.
 */
int hup_jit__compile(const struct bpf_insn *insns, size_t cnt,
		     const struct hup_helper_table *helpers,
		     struct hup_jit_image *img, struct hup_log *log);
/* The same, confined by c (NULL: hup_confine_none), bound at compile time. */
int hup_jit__compile_confined(const struct bpf_insn *insns, size_t cnt,
			      const struct hup_helper_table *helpers,
			      const struct hup_confine *c,
			      struct hup_jit_image *img, struct hup_log *log);
void hup_jit__free(struct hup_jit_image *img);

#endif /* HUP_ENGINE_H */
