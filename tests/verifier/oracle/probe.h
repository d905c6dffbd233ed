/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Asking the verifier what it believes, the way an attacker does: append
 * to the accepted body a branch to something it must refuse (an
 * out-of-bounds stack read) and see whether it accepts.  Accepted means
 * it believes the branch is never taken on any path, i.e. it believes the
 * negation of the branch condition about the register.
 */
#ifndef HUP_ORACLE_PROBE_H
#define HUP_ORACLE_PROBE_H

#include "prog.h"

/*
 * The questions.  Each is asked with one concrete value v the register
 * really had, and is phrased so that acceptance means the verifier's
 * belief excludes v (a finding):
 *   UMAX   if r > v-1 goto bad     believes r <= v-1
 *   UMIN   if r < v+1 goto bad     believes r >= v+1
 *   SMAX, SMIN                     the same, signed
 *   U32MAX .. S32MIN               the same on the low half (JMP32)
 *   ZEROS  if r & v goto bad       believes every bit set in v is 0
 *   ONES   if ~r & ~v goto bad     believes every bit clear in v is 1
 *   NE     if r == v goto bad      believes r != v
 *   NE32   if w == (u32)v goto bad believes the low half != v's
 */
enum or_q {
	OR_Q_UMAX, OR_Q_UMIN, OR_Q_SMAX, OR_Q_SMIN,
	OR_Q_U32MAX, OR_Q_U32MIN, OR_Q_S32MAX, OR_Q_S32MIN,
	OR_Q_ZEROS, OR_Q_ONES, OR_Q_NE, OR_Q_NE32,
	OR_NR_Q,
};

extern const char *const or_q_names[OR_NR_Q];

/* Verifications done so far (every probe and base check is one). */
extern uint64_t or_verifications;

/* Sets of targets: bit k stands for or_targets[k]. */
#define OR_ALL_TARGETS ((1u << OR_NR_TARGETS) - 1)

/*
 * body + a suffix that reads the targets in `which` (so each is
 * initialised on every path) and exits: accepted?  The programs the
 * oracle checks; a minimised one needs only the targets of its finding.
 */
bool or_base_ok(const struct bpf_insn *body, size_t n, uint32_t which);

/* Does the verifier's belief about register t exclude v for question q?
 * false too when the question cannot be asked (v at the type's edge). */
bool or_refutes(const struct bpf_insn *body, size_t n, uint8_t t,
		enum or_q q, uint64_t v);

/*
 * One question about all targets at once: does the verifier believe that
 * the run which ended with these values (vals[k] in or_targets[k]) is
 * impossible?  A chain `if rK != v goto ok` (64 and 32 bits) over every
 * target in `which`, then the bad read: bad is reachable exactly on the paths where
 * the verifier thinks every register can hold its value, and for a sound
 * verifier the input's own path is one.  Accepted = a finding; the
 * per-target questions then say which belief is wrong.
 */
bool or_screen(const struct bpf_insn *body, size_t n,
	       const uint64_t vals[OR_NR_TARGETS], uint32_t which);
size_t or_screen_prog(const struct bpf_insn *body, size_t n,
		      const uint64_t vals[OR_NR_TARGETS], uint32_t which,
		      struct bpf_insn *out);

/* Does the probe of (q, v) take the branch to bad when t holds x?  For
 * x == v it always does; the oracle also asks with the extremes of many
 * values, and a witness is then any value taking the branch. */
bool or_taken(enum or_q q, uint64_t v, uint64_t x);

/* The full probe program of (t, q, v) into out; returns its length, 0 if
 * the question cannot be asked. */
size_t or_probe_prog(const struct bpf_insn *body, size_t n, uint8_t t,
		     enum or_q q, uint64_t v, struct bpf_insn *out);

/* What the verifier believes about t, learned by binary search over the
 * same questions (about 300 verifications). */
struct or_belief {
	uint64_t umin, umax;
	int64_t smin, smax;
	uint32_t u32min, u32max;
	int32_t s32min, s32max;
	uint64_t known0, known1; /* bits believed 0, believed 1 */
};
void or_learn(const struct bpf_insn *body, size_t n, uint8_t t,
	      struct or_belief *b);
void or_print_belief(const struct or_belief *b);

#endif /* HUP_ORACLE_PROBE_H */
