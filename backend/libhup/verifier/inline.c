/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * After the seal: a loop whose callback the verifier proved gets a
 * trampoline of its own with the callback's body inside the loop.
 *
 * The shared trampoline (fixup.c) calls the callback once per iteration
 * and finds it with a compare per callback of the program; for a callback
 * of a dozen instructions run once per page (free_discard's scan_pfn) the
 * call, its register saves and the dispatch cost as much as the body.
 * Here, for each callback that some HUP_FN_loop call runs on every path
 * (recs[i].loop_cb) and whose body allows it, one trampoline is appended:
 *
 *        rD = r3                  data, kept where the body cannot touch
 *        wN = w1                  nr, as the u32 the prototype says
 *        if rN <= LOOP_MAX goto +1
 *        rN = LOOP_MAX
 *        rI = 0
 *  head: if rI >= rN goto done
 *        r1 = rI ; r2 = rD        (left out where rI is r1, rD is r2)
 *        <the callback's body, each exit a jump to after>
 * after: rI += 1
 *        if r0 == 0 goto head
 *  done: r0 = rI
 *        exit
 *
 * and those calls are pointed at it.  The body runs what the verifier
 * proved of it, whatever callback the registers name at run time.
 *
 * rI, rN and rD are registers the body never writes: the verifier enters
 * a callback with only r1 (the index), r2 (data) and r10 defined, so a
 * register the body never writes it never reads either, and one it leaves
 * alone keeps its value across the body.  rI may be r1 and rD r2 when the
 * body never writes them; the others come from r3-r9.  Where three such
 * registers do not exist, the call keeps the shared trampoline.
 *
 * The body must be its own: no call of any kind (a sealed trap, which
 * aborts the run wherever it is, excepted), no jump leaving it, and r10
 * named only as the base of a sealed access to a frame at least two up
 * (the caller of HUP_FN_loop and above: the callback ran below the
 * shared trampoline's frame).  Here it runs one frame nearer, in the new
 * trampoline's, so each such offset loses one frame (HUP_STACK_SIZE):
 * the same caller's stack, the access the seal made static.
 */
#include "env.h"

#include <stdlib.h>
#include <string.h>

#define INSN(c, d, s, o, i)                                                \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s),    \
			   .off = (int16_t)(o), .imm = (int32_t)(i)})

/* A body longer than this keeps its call: the copy grows the program and
 * the saving is per iteration, not per instruction. */
#define INLINE_MAX_BODY 256u
/* instructions of a trampoline besides the body */
#define INLINE_FRAME_INSNS 14u

#define TRAMP_NONE UINT32_MAX        /* keeps the shared trampoline */
#define TRAMP_TODO (UINT32_MAX - 1)  /* inlinable, not appended yet */

struct body {
	uint32_t start, end; /* [start, end) of the sealed program */
	uint8_t ri, rn, rd;  /* index, bound, data */
};

static bool is_trap(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && !in->src_reg &&
	       !in->dst_reg && !in->off && in->imm == HUP_SEAL_TRAP_ID;
}

/* A sealed stack access through r10 to a frame >= 2 up: fine to move one
 * frame nearer.  Anything else naming r10: not inlinable. */
static bool r10_ok(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code);
	bool base;

	if (hup_insn_is_ldimm64(in))
		return in->dst_reg != BPF_REG_10; /* src_reg is a kind */
	if (in->dst_reg != BPF_REG_10 && in->src_reg != BPF_REG_10)
		return true;
	if (cls == BPF_LDX)
		base = in->src_reg == BPF_REG_10 && in->dst_reg != BPF_REG_10;
	else if (cls == BPF_ST || cls == BPF_STX)
		base = in->dst_reg == BPF_REG_10 &&
		       (cls == BPF_ST || in->src_reg != BPF_REG_10);
	else
		base = false;
	return base && in->off >= 0 && hup_seal_frames(in->off) >= 2;
}

/* The end of the function starting at start: the next function's entry
 * (0 or a BPF-to-BPF call target, as the JIT splits them) or cnt. */
static uint32_t function_end(const struct bpf_insn *p, size_t cnt,
			     uint32_t start)
{
	uint32_t end = (uint32_t)cnt;

	for (size_t i = 0; i < cnt; i++) {
		int64_t t;

		if (hup_insn_is_ldimm64(&p[i])) {
			i++;
			continue;
		}
		if (!hup_insn_is_pseudo_call(&p[i]))
			continue;
		t = (int64_t)i + 1 + p[i].imm;
		if (t > (int64_t)start && t < (int64_t)end)
			end = (uint32_t)t;
	}
	return end;
}

/* Whether the callback at start can be inlined; fills b. */
static bool inlinable(const struct bpf_insn *p, size_t cnt, uint32_t start,
		      struct body *b)
{
	uint16_t w = 0;
	uint32_t i, end;
	int r;

	if (start >= cnt)
		return false;
	end = function_end(p, cnt, start);
	if (end - start > INLINE_MAX_BODY)
		return false;
	for (i = start; i < end; i++) {
		const struct bpf_insn *in = &p[i];
		uint8_t cls = BPF_CLASS(in->code);
		int64_t t;

		if (!r10_ok(in))
			return false;
		if (hup_insn_is_ldimm64(in)) {
			if (i + 1 >= end)
				return false;
			w |= hup_insn_writes(in);
			i++;
			continue;
		}
		if (is_trap(in))
			continue;
		w |= hup_insn_writes(in);
		if ((cls != BPF_JMP && cls != BPF_JMP32) ||
		    BPF_OP(in->code) == BPF_EXIT)
			continue;
		if (BPF_OP(in->code) == BPF_CALL)
			return false;
		t = (int64_t)i + 1 +
		    (in->code == (BPF_JMP32 | BPF_JA) ? in->imm : in->off);
		if (t < start || t >= end)
			return false;
	}
	if (w & (1u << BPF_REG_10))
		return false;
	b->start = start;
	b->end = end;
	b->ri = !(w & (1u << BPF_REG_1)) ? BPF_REG_1 : 0;
	b->rd = !(w & (1u << BPF_REG_2)) ? BPF_REG_2 : 0;
	b->rn = 0;
	for (r = BPF_REG_3; r <= BPF_REG_9; r++) {
		if (w & (1u << r))
			continue;
		if (!b->rn)
			b->rn = (uint8_t)r;
		else if (!b->ri)
			b->ri = (uint8_t)r;
		else if (!b->rd)
			b->rd = (uint8_t)r;
	}
	return b->ri && b->rn && b->rd;
}

/* Append b's trampoline at out[w]; returns its length. */
static size_t emit(struct bpf_insn *out, size_t w, const struct bpf_insn *p,
		   const struct body *b)
{
	size_t k = w, head, after, n = b->end - b->start, j;

	if (b->rd != BPF_REG_3)
		out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, b->rd, 3, 0, 0);
	out[k++] = INSN(BPF_ALU | BPF_MOV | BPF_X, b->rn, 1, 0, 0);
	out[k++] = INSN(BPF_JMP | BPF_JLE | BPF_K, b->rn, 0, 1, HUP_LOOP_MAX);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, b->rn, 0, 0, HUP_LOOP_MAX);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, b->ri, 0, 0, 0);
	head = k++; /* if rI >= rN goto done: patched below */
	if (b->ri != BPF_REG_1)
		out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, b->ri, 0, 0);
	if (b->rd != BPF_REG_2)
		out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, b->rd, 0, 0);
	after = k + n;
	memcpy(&out[k], &p[b->start], n * sizeof(*out));
	for (j = 0; j < n; j++) {
		struct bpf_insn *in = &out[k + j];

		if (hup_insn_is_ldimm64(in)) {
			j++;
			continue;
		}
		if (in->code == (BPF_JMP | BPF_EXIT))
			*in = INSN(BPF_JMP | BPF_JA, 0, 0,
				   (int64_t)after - (int64_t)(k + j + 1), 0);
		else if ((in->dst_reg == BPF_REG_10 ||
			  in->src_reg == BPF_REG_10) && !is_trap(in))
			in->off = (int16_t)(in->off - HUP_STACK_SIZE);
	}
	k = after;
	out[k++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, b->ri, 0, 0, 1);
	out[k] = INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
		      (int64_t)head - (int64_t)(k + 1), 0);
	k++;
	out[head] = INSN(BPF_JMP | BPF_JGE | BPF_X, b->ri, b->rn,
			 (int64_t)k - (int64_t)(head + 1), 0);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, b->ri, 0, 0);
	out[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k - w;
}

/* Whether insn i is a loop call the verifier proved one callback for. */
static uint32_t proven_cb(const struct bpf_insn *p, size_t cnt,
			  const struct hup_mem_rec *recs, size_t nrecs, size_t i)
{
	uint32_t cb;

	if (i >= nrecs || !hup_insn_is_pseudo_call(&p[i]))
		return UINT32_MAX;
	cb = recs[i].loop_cb;
	if (!cb || cb == HUP_LOOP_CB_MIXED || cb - 1 >= cnt)
		return UINT32_MAX;
	return cb - 1;
}

int hup_fixup__inline_callbacks(struct bpf_insn **insns, size_t *cnt,
				const struct hup_mem_rec *recs, size_t nrecs)
{
	struct bpf_insn *p = *insns, *out;
	size_t n = *cnt, i, grow = 0, w;
	uint32_t *tramp, cb;
	struct body *bodies;
	int err = 0;

	if (!p || !recs || nrecs > n)
		return -EINVAL;
	/* per callback insn: 0 not looked at, or one of the below, or
	 * (once appended) where its trampoline starts, which is >= n */
	tramp = calloc(n, sizeof(*tramp));
	bodies = calloc(n, sizeof(*bodies));
	if (!tramp || !bodies) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nrecs; i++) {
		cb = proven_cb(p, n, recs, nrecs, i);
		if (cb == UINT32_MAX || tramp[cb])
			continue;
		tramp[cb] = inlinable(p, n, cb, &bodies[cb]) ? TRAMP_TODO
							      : TRAMP_NONE;
		if (tramp[cb] == TRAMP_TODO)
			grow += bodies[cb].end - bodies[cb].start +
				INLINE_FRAME_INSNS;
	}
	if (!grow)
		goto out;
	out = realloc(p, (n + grow) * sizeof(*out));
	if (!out) {
		err = -ENOMEM;
		goto out;
	}
	*insns = p = out;
	w = n;
	for (i = 0; i < nrecs; i++) {
		cb = proven_cb(p, n, recs, nrecs, i);
		if (cb == UINT32_MAX || tramp[cb] == TRAMP_NONE)
			continue;
		if (tramp[cb] == TRAMP_TODO) { /* its first call: append */
			tramp[cb] = (uint32_t)w;
			w += emit(p, w, p, &bodies[cb]);
		}
		p[i].imm = (int32_t)((int64_t)tramp[cb] - (int64_t)(i + 1));
	}
	*cnt = w;
out:
	free(tramp);
	free(bodies);
	return err;
}

int hup_fixup__engines(struct bpf_insn **insns, size_t *cnt,
		       const struct hup_mem_rec *recs, size_t nrecs,
		       uint32_t ctx_size, bool has_view, struct hup_log *log)
{
	int err = hup_fixup__inline_loops(insns, cnt);

	if (!err)
		err = hup_seal(*insns, *cnt, recs, nrecs, ctx_size, has_view,
			       log);
	if (!err)
		err = hup_fixup__inline_callbacks(insns, cnt, recs, nrecs);
	return err;
}
