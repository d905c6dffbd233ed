/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A generator of eBPF programs for differential testing of the JIT against
 * the interpreter (tests/isa/differential.c, tests/fuzz/fuzz_jit_diff.c).
 *
 * Programs are built from a byte string (a fuzzer input, or PRNG output) and
 * are memory-safe by construction, so they can run without the verifier:
 * r1 is a struct hup_reclaim_ctx (read anywhere, write only free[]), kept
 * in r6; the stack is used only in [r10 - 64, r10) after being initialised
 * (a leaf callee: the caller's, through r1 = r10 - 8k);
 * r6 and r10 never enter arithmetic; jumps go forward only, so every
 * program terminates.  They are also written to pass a sound verifier for
 * HUP_EVENT_RECLAIM (every register written before it is read, aligned
 * accesses), though the fuzz target still asks hup_verify() and keeps only
 * what it accepts.  Coverage: every ALU/ALU64 op incl. sdiv/smod, movsx and
 * byte swaps, every jump op in JMP and JMP32 with reg and imm, ja and gotol,
 * ldimm64, all load/store sizes incl. sign-extending loads, all atomics,
 * HUP_FN_guest_read of a constant size into the stack (memory-safe as the
 * harness's helper is: it gets a buffer and size the program's own stack
 * holds), loads through the view when the caller has one (progen_src.views;
 * a hole there aborts the run in both engines alike), and BPF-to-BPF
 * calls into a generated callee: one with a stack of its
 * own, a leaf that works on a caller's stack slot passed in r1, or (with
 * loops) a HUP_FN_loop callback on one.
 */
#ifndef HUP_PROGEN_H
#define HUP_PROGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "insn.h"

/* Room a caller must give progen_build(). */
#define PROGEN_MAX_INSNS 2048u

/* Bytes of randomness: consumed from data, then from a PRNG seeded by it. */
struct progen_src {
	const uint8_t *data;
	size_t len;
	size_t pos;
	uint64_t rng;
	/* The caller verifies and runs the program with a view: it may load
	 * through it (the translated access of docs/abi.md section 5).  Off
	 * after progen_src_init(). */
	bool views;
};

void progen_src_init(struct progen_src *src, const uint8_t *data, size_t len);
/* A value in [0, bound), bound > 0. */
uint32_t progen_next(struct progen_src *src, uint32_t bound);

/* Build a program into out (PROGEN_MAX_INSNS slots); returns its length.
 * loops: the callee may also be a HUP_FN_loop callback, called through
 * the helper with a BPF_PSEUDO_FUNC load: such a program means something
 * only after hup_fixup__engines() (hup_verify() first), and the JIT
 * refuses it raw. */
size_t progen_build(struct progen_src *src, struct bpf_insn *out, bool loops);

#endif /* HUP_PROGEN_H */
