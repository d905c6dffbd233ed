/* SPDX-License-Identifier: BSD-2-Clause */
/* Black-box questions to the verifier: see probe.h. */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "verifier.h"

const char *const or_q_names[OR_NR_Q] = {
	"umax", "umin", "smax", "smin", "u32max", "u32min", "s32max",
	"s32min", "known-zero bits", "known-one bits", "!=", "!= (low half)",
};

uint64_t or_verifications;

static bool accepted(const struct bpf_insn *insns, size_t n)
{
	struct hup_verifier_opts opts = {.event = HUP_EVENT_TRACE};
	struct hup_verifier_info info;

	or_verifications++;
	return hup_verify(insns, n, &opts, &info) == 0;
}

bool or_base_ok(const struct bpf_insn *body, size_t n, uint32_t which)
{
	struct bpf_insn prog[OR_MAX_INSNS];
	size_t i, k = n;

	memcpy(prog, body, n * sizeof(*body));
	for (i = 0; i < OR_NR_TARGETS; i++)
		if (which & (1u << i))
			prog[k++] = or_insn(BPF_ALU64 | BPF_MOV | BPF_X, 9,
				    or_targets[i], 0, 0);
	prog[k++] = or_insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	prog[k++] = or_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return accepted(prog, k);
}

/* `if t OP k goto bad` in the class cls, then the ending: 0 to exit, bad
 * to an out-of-bounds stack read every sound verifier refuses. */
static size_t branch(struct bpf_insn *out, size_t k, uint8_t cls, uint8_t op,
		     uint8_t t, uint64_t c)
{
	if (cls == BPF_JMP32 || (int64_t)c == (int32_t)c) {
		out[k++] = or_insn(cls | op | BPF_K, t, 0, 2, (int32_t)c);
	} else {
		out[k++] = or_insn(BPF_LD | BPF_IMM | BPF_DW, 9, 0, 0, (int32_t)c);
		out[k++] = or_insn(0, 0, 0, 0, (int32_t)(c >> 32));
		out[k++] = or_insn(cls | op | BPF_X, t, 9, 2, 0);
	}
	out[k++] = or_insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	out[k++] = or_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	out[k++] = or_insn(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, 8, 0);
	out[k++] = or_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

size_t or_probe_prog(const struct bpf_insn *body, size_t n, uint8_t t,
		     enum or_q q, uint64_t v, struct bpf_insn *out)
{
	uint32_t v32 = (uint32_t)v;

	memcpy(out, body, n * sizeof(*body));
	switch (q) {
	case OR_Q_UMAX:
		return v ? branch(out, n, BPF_JMP, BPF_JGT, t, v - 1) : 0;
	case OR_Q_UMIN:
		return ~v ? branch(out, n, BPF_JMP, BPF_JLT, t, v + 1) : 0;
	case OR_Q_SMAX:
		return (int64_t)v != INT64_MIN ?
			       branch(out, n, BPF_JMP, BPF_JSGT, t, v - 1) : 0;
	case OR_Q_SMIN:
		return (int64_t)v != INT64_MAX ?
			       branch(out, n, BPF_JMP, BPF_JSLT, t, v + 1) : 0;
	case OR_Q_U32MAX:
		return v32 ? branch(out, n, BPF_JMP32, BPF_JGT, t, v32 - 1) : 0;
	case OR_Q_U32MIN:
		return ~v32 ? branch(out, n, BPF_JMP32, BPF_JLT, t, v32 + 1) : 0;
	case OR_Q_S32MAX:
		return (int32_t)v32 != INT32_MIN ?
			       branch(out, n, BPF_JMP32, BPF_JSGT, t, v32 - 1) : 0;
	case OR_Q_S32MIN:
		return (int32_t)v32 != INT32_MAX ?
			       branch(out, n, BPF_JMP32, BPF_JSLT, t, v32 + 1) : 0;
	case OR_Q_ZEROS:
		return v ? branch(out, n, BPF_JMP, BPF_JSET, t, v) : 0;
	case OR_Q_ONES:
		if (!~v)
			return 0;
		/* r1 (the context pointer, unused past the body) = ~t */
		out[n] = or_insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, t, 0, 0);
		out[n + 1] = or_insn(BPF_ALU64 | BPF_XOR | BPF_K, 1, 0, 0, -1);
		return branch(out, n + 2, BPF_JMP, BPF_JSET, 1, ~v);
	case OR_Q_NE:
		return branch(out, n, BPF_JMP, BPF_JEQ, t, v);
	case OR_Q_NE32:
		return branch(out, n, BPF_JMP32, BPF_JEQ, t, v32);
	default:
		return 0;
	}
}

bool or_taken(enum or_q q, uint64_t v, uint64_t x)
{
	uint32_t v32 = (uint32_t)v, x32 = (uint32_t)x;

	switch (q) {
	case OR_Q_UMAX: return x > v - 1;
	case OR_Q_UMIN: return x < v + 1;
	case OR_Q_SMAX: return (int64_t)x > (int64_t)(v - 1);
	case OR_Q_SMIN: return (int64_t)x < (int64_t)(v + 1);
	case OR_Q_U32MAX: return x32 > v32 - 1;
	case OR_Q_U32MIN: return x32 < v32 + 1;
	case OR_Q_S32MAX: return (int32_t)x32 > (int32_t)(v32 - 1);
	case OR_Q_S32MIN: return (int32_t)x32 < (int32_t)(v32 + 1);
	case OR_Q_ZEROS: return (x & v) != 0;
	case OR_Q_ONES: return (~x & ~v) != 0;
	case OR_Q_NE: return x == v;
	case OR_Q_NE32: return x32 == v32;
	default: return false;
	}
}

bool or_refutes(const struct bpf_insn *body, size_t n, uint8_t t,
		enum or_q q, uint64_t v)
{
	struct bpf_insn prog[OR_MAX_INSNS];
	size_t k = or_probe_prog(body, n, t, q, v, prog);

	return k && accepted(prog, k);
}

size_t or_screen_prog(const struct bpf_insn *body, size_t n,
		      const uint64_t vals[OR_NR_TARGETS], uint32_t which,
		      struct bpf_insn *out)
{
	size_t jumps[OR_NR_TARGETS * 2], nj = 0, k = n, i;

	memcpy(out, body, n * sizeof(*body));
	for (i = 0; i < OR_NR_TARGETS; i++) {
		uint8_t t = or_targets[i];
		uint64_t v = vals[i];

		if (!(which & (1u << i)))
			continue;
		if ((int64_t)v == (int32_t)v) {
			out[k] = or_insn(BPF_JMP | BPF_JNE | BPF_K, t, 0, 0, (int32_t)v);
		} else {
			out[k++] = or_insn(BPF_LD | BPF_IMM | BPF_DW, 9, 0, 0, (int32_t)v);
			out[k++] = or_insn(0, 0, 0, 0, (int32_t)(v >> 32));
			out[k] = or_insn(BPF_JMP | BPF_JNE | BPF_X, t, 9, 0, 0);
		}
		jumps[nj++] = k++;
		out[k] = or_insn(BPF_JMP32 | BPF_JNE | BPF_K, t, 0, 0, (int32_t)v);
		jumps[nj++] = k++;
	}
	out[k++] = or_insn(BPF_LDX | BPF_MEM | BPF_DW, 0, 10, 8, 0);
	out[k++] = or_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (i = 0; i < nj; i++)
		out[jumps[i]].off = (int16_t)(k - jumps[i] - 1);
	out[k++] = or_insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	out[k++] = or_insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

bool or_screen(const struct bpf_insn *body, size_t n,
	       const uint64_t vals[OR_NR_TARGETS], uint32_t which)
{
	struct bpf_insn prog[OR_MAX_INSNS];

	return accepted(prog, or_screen_prog(body, n, vals, which, prog));
}

/* ------------------------------------------------------------- learning */

/* Is `if t OP c goto bad` dead? */
static bool dead(const struct bpf_insn *body, size_t n, uint8_t t,
		 uint8_t cls, uint8_t op, uint64_t c)
{
	struct bpf_insn prog[OR_MAX_INSNS];

	memcpy(prog, body, n * sizeof(*body));
	return accepted(prog, branch(prog, n, cls, op, t, c));
}

/*
 * The least c in [lo, hi] (in the order where `flip` is xored in first:
 * the sign bit for signed orders) with dead(c) for an op whose deadness
 * grows with c (JGT, JSGT), or the greatest with a shrinking one (JLT,
 * JSLT).
 */
static uint64_t search(const struct bpf_insn *body, size_t n, uint8_t t,
		       uint8_t cls, uint8_t op, bool up, uint64_t top,
		       uint64_t flip)
{
	uint64_t lo = 0, hi = top;

	while (lo < hi) {
		/* rounded up when searching down, without overflowing */
		uint64_t mid = lo + (hi - lo) / 2 + (up ? 0 : (hi - lo) & 1);
		bool d = dead(body, n, t, cls, op, mid ^ flip);

		if (up)
			d ? (hi = mid) : (lo = mid + 1);
		else
			d ? (lo = mid) : (hi = mid - 1);
	}
	return lo ^ flip;
}

void or_learn(const struct bpf_insn *body, size_t n, uint8_t t,
	      struct or_belief *b)
{
	struct bpf_insn prog[OR_MAX_INSNS];
	const uint64_t s64 = 1ull << 63, s32 = 1ull << 31, m32 = 0xffffffffull;
	int i;

	b->umax = search(body, n, t, BPF_JMP, BPF_JGT, true, ~0ull, 0);
	b->umin = search(body, n, t, BPF_JMP, BPF_JLT, false, ~0ull, 0);
	b->smax = (int64_t)search(body, n, t, BPF_JMP, BPF_JSGT, true, ~0ull, s64);
	b->smin = (int64_t)search(body, n, t, BPF_JMP, BPF_JSLT, false, ~0ull, s64);
	b->u32max = (uint32_t)search(body, n, t, BPF_JMP32, BPF_JGT, true, m32, 0);
	b->u32min = (uint32_t)search(body, n, t, BPF_JMP32, BPF_JLT, false, m32, 0);
	b->s32max = (int32_t)search(body, n, t, BPF_JMP32, BPF_JSGT, true, m32, s32);
	b->s32min = (int32_t)search(body, n, t, BPF_JMP32, BPF_JSLT, false, m32, s32);
	b->known0 = b->known1 = 0;
	for (i = 0; i < 64; i++) {
		if (dead(body, n, t, BPF_JMP, BPF_JSET, 1ull << i))
			b->known0 |= 1ull << i;
		memcpy(prog, body, n * sizeof(*body));
		prog[n] = or_insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, t, 0, 0);
		prog[n + 1] = or_insn(BPF_ALU64 | BPF_XOR | BPF_K, 1, 0, 0, -1);
		if (accepted(prog, branch(prog, n + 2, BPF_JMP, BPF_JSET, 1,
					  1ull << i)))
			b->known1 |= 1ull << i;
	}
}

void or_print_belief(const struct or_belief *b)
{
	uint64_t mask = ~(b->known0 | b->known1);

	printf("  u64 [%#" PRIx64 ", %#" PRIx64 "]  s64 [%" PRId64 ", %" PRId64 "]\n",
	       b->umin, b->umax, b->smin, b->smax);
	printf("  u32 [%#x, %#x]  s32 [%d, %d]\n", b->u32min, b->u32max,
	       b->s32min, b->s32max);
	printf("  bits value %#" PRIx64 " mask %#" PRIx64 "%s\n", b->known1,
	       mask, b->known0 & b->known1 ? " (some bit believed both 0 and 1: "
					     "no path reaches here)" : "");
}
