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
 * (recs[i].loop_cb) and whose body allows it, one trampoline is appended
 * (emit() has its layout): the index, the bound and the data in registers
 * the body never writes, the body copied in with each exit turned into a
 * jump to where its r0 leads (go on, or stop and return the iterations
 * done), one compare and one jump back per iteration; those calls are
 * pointed at it.  The body runs what the verifier proved of it, whatever
 * callback the registers name at run time.
 *
 * rI, rN and rD are registers the body never writes: the verifier enters
 * a callback with only r1 (the index), r2 (data) and r10 defined, so a
 * register the body never writes it never reads either, and one it leaves
 * alone keeps its value across the body.  rI may be r1 and rD r2 when the
 * body never writes them (`w1 = w1`, what the u32 index compiles to,
 * leaves r1 as it is); the others come from r3-r9.  Where three such
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
/* instructions of a trampoline besides the body (emit()) */
#define INLINE_FRAME_INSNS (16u + 3u * INLINE_MAX_PROMOTED)

#define TRAMP_NONE UINT32_MAX        /* keeps the shared trampoline */
#define TRAMP_TODO (UINT32_MAX - 1)  /* inlinable, not appended yet */

/* Caller's stack slots a trampoline keeps in registers (promote()). */
#define INLINE_MAX_PROMOTED 4u

struct body {
	uint32_t start, end; /* [start, end) of the sealed program */
	uint8_t ri, rn, rd;  /* index, bound, data (0: the body never names
			      * r2, so it needs no data register) */
	uint8_t nprom;       /* slots kept in registers */
	uint8_t rp[INLINE_MAX_PROMOTED];  /* ...which registers */
	int16_t off[INLINE_MAX_PROMOTED]; /* ...which sealed offsets */
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
	if (hup_insn_is_ldimm64(in))
		return in->dst_reg != BPF_REG_10; /* src_reg is a kind */
	if (in->dst_reg != BPF_REG_10 && in->src_reg != BPF_REG_10)
		return true;
	return hup_insn_r10_base(in) && in->off >= 0 &&
	       hup_seal_frames(in->off) >= 2;
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

/* `w1 = w1` (the u32 index as the callback's source casts it). */
static bool is_index_cast(const struct bpf_insn *in)
{
	return in->code == (BPF_ALU | BPF_MOV | BPF_X) &&
	       in->dst_reg == BPF_REG_1 && in->src_reg == BPF_REG_1 && !in->off;
}

/* Whether any insn of [start, end) names register r (an ldimm64's
 * src_reg is a kind, not a register). */
static bool names(const struct bpf_insn *p, uint32_t start, uint32_t end,
		  uint8_t r)
{
	for (uint32_t i = start; i < end; i++) {
		if (hup_insn_is_ldimm64(&p[i])) {
			if (p[i].dst_reg == r)
				return true;
			i++;
			continue;
		}
		if (p[i].dst_reg == r || p[i].src_reg == r)
			return true;
	}
	return false;
}

/* A sealed access to a caller's stack: its offset and size, or false. */
static bool stack_access(const struct bpf_insn *in, int32_t *off,
			 uint32_t *size)
{
	if (!hup_insn_r10_base(in))
		return false;
	*off = in->off;
	*size = bpf_size_to_bytes_(in->code);
	return true;
}

/* A plain 8-byte load or store of the slot at off (what promote() turns
 * into a move). */
static bool plain_dw(const struct bpf_insn *in, int32_t off)
{
	uint8_t cls = BPF_CLASS(in->code);

	return in->off == off && BPF_SIZE(in->code) == BPF_DW &&
	       BPF_MODE(in->code) == BPF_MEM &&
	       (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX);
}

/*
 * Which of the caller's stack slots the trampoline keeps in b->rp[]
 * (registers the body never names), loaded before the loop and stored
 * back at its end: a slot the body reads and writes each iteration (a
 * word of bits being or-ed together) is otherwise a store and a load per
 * iteration, each waiting for the last.  A slot qualifies when every
 * access of the body that touches its 8 bytes is a plain 8-byte load or
 * store of exactly it; slots the body writes come first, then the most
 * used.  Nothing else can touch the slot while the loop runs: the caller
 * is suspended in the call, the body reaches the stack only at these
 * sealed offsets, and it calls nothing.  A run that aborts midway loses
 * the register, with the stack it would have been stored to.
 */
static void promote(const struct bpf_insn *p, struct body *b)
{
	int32_t cand[INLINE_MAX_BODY];
	unsigned int score[INLINE_MAX_BODY], ncand = 0, k, j, n = 0;
	uint32_t i, size, size2;
	int32_t off, off2;

	for (i = b->start; i < b->end; i++) {
		bool ok = true;
		unsigned int sc = 0;

		if (hup_insn_is_ldimm64(&p[i])) {
			i++;
			continue;
		}
		if (!stack_access(&p[i], &off, &size) || !plain_dw(&p[i], off))
			continue;
		for (k = 0; k < ncand && cand[k] != off; k++)
			;
		if (k < ncand)
			continue;
		for (j = b->start; j < b->end && ok; j++) {
			if (hup_insn_is_ldimm64(&p[j])) {
				j++;
				continue;
			}
			if (!stack_access(&p[j], &off2, &size2) ||
			    off2 >= off + 8 || off2 + (int32_t)size2 <= off)
				continue;
			ok = plain_dw(&p[j], off);
			sc += BPF_CLASS(p[j].code) == BPF_LDX ? 1 : 256;
		}
		if (!ok)
			continue;
		cand[ncand] = off;
		score[ncand++] = sc;
	}
	while (b->nprom > n) {
		unsigned int best = ncand;

		for (k = 0; k < ncand; k++)
			if (score[k] && (best == ncand || score[k] > score[best]))
				best = k;
		if (best == ncand)
			break;
		b->off[n++] = (int16_t)cand[best];
		score[best] = 0;
	}
	b->nprom = (uint8_t)n;
}

/* Whether the callback at start can be inlined; fills b. */
static bool inlinable(const struct bpf_insn *p, size_t cnt, uint32_t start,
		      struct body *b)
{
	uint16_t w = 0;
	uint32_t i, end;
	bool r2_named;
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
		/* `w1 = w1`, the index as the u32 it is, changes nothing:
		 * rI < HUP_LOOP_MAX, so r1 may still be rI */
		if (!is_index_cast(in))
			w |= hup_insn_writes(in);
		if ((cls != BPF_JMP && cls != BPF_JMP32) ||
		    BPF_OP(in->code) == BPF_EXIT)
			continue;
		if (BPF_OP(in->code) == BPF_CALL)
			return false;
		t = (int64_t)i + 1 + hup_insn_jump_off(in);
		if (t < start || t >= end)
			return false;
	}
	if (w & (1u << BPF_REG_10))
		return false;
	b->start = start;
	b->end = end;
	b->nprom = 0;
	/* data: none if the body never names r2 (its accesses through it
	 * were sealed to r10), else r2 if it keeps it, else a free one */
	r2_named = names(p, start, end, BPF_REG_2);
	b->rd = !r2_named ? 0 : !(w & (1u << BPF_REG_2)) ? BPF_REG_2 : 0xff;
	b->ri = !(w & (1u << BPF_REG_1)) ? BPF_REG_1 : 0;
	b->rn = 0;
	for (r = BPF_REG_2; r <= BPF_REG_9; r++) {
		if (w & (1u << r) || (r == BPF_REG_2 && r2_named))
			continue;
		if (!b->rn)
			b->rn = (uint8_t)r;
		else if (!b->ri)
			b->ri = (uint8_t)r;
		else if (b->rd == 0xff)
			b->rd = (uint8_t)r;
		else if (b->nprom < INLINE_MAX_PROMOTED)
			b->rp[b->nprom++] = (uint8_t)r;
	}
	if (!b->ri || !b->rn || b->rd == 0xff)
		return false;
	promote(p, b);
	return true;
}

/* Offset of a jump at out[from] to out[to]. */
static int32_t rel(size_t from, size_t to)
{
	return (int32_t)((int64_t)to - (int64_t)(from + 1));
}

/*
 * The jumps' targets in body[0, n) (bit j: some jump lands on j), so that
 * an exit only fallen into, right after `r0 = K`, is known to return K.
 */
static void body_targets(const struct bpf_insn *body, size_t n, bool *tgt)
{
	for (size_t j = 0; j < n; j++) {
		const struct bpf_insn *in = &body[j];
		uint8_t cls = BPF_CLASS(in->code);
		int64_t t;

		if (hup_insn_is_ldimm64(in)) {
			j++;
			continue;
		}
		if ((cls != BPF_JMP && cls != BPF_JMP32) ||
		    BPF_OP(in->code) == BPF_EXIT || BPF_OP(in->code) == BPF_CALL)
			continue;
		t = (int64_t)j + 1 + hup_insn_jump_off(in);
		if (t >= 0 && (size_t)t < n) /* inlinable(): always */
			tgt[t] = true;
	}
}

/* If in accesses a promoted slot, make it a move of its register. */
static bool promoted(const struct body *b, struct bpf_insn *in)
{
	int32_t off;
	uint32_t size;

	if (!stack_access(in, &off, &size))
		return false;
	for (unsigned int j = 0; j < b->nprom; j++) {
		if (off != b->off[j])
			continue;
		if (BPF_CLASS(in->code) == BPF_LDX)
			*in = INSN(BPF_ALU64 | BPF_MOV | BPF_X, in->dst_reg,
				   b->rp[j], 0, 0);
		else if (BPF_CLASS(in->code) == BPF_STX)
			*in = INSN(BPF_ALU64 | BPF_MOV | BPF_X, b->rp[j],
				   in->src_reg, 0, 0);
		else /* ST: the imm sign-extended, as the 8-byte store does */
			*in = INSN(BPF_ALU64 | BPF_MOV | BPF_K, b->rp[j], 0, 0,
				   in->imm);
		return true;
	}
	return false;
}

/* The promoted slots stored back from their registers at out[k]. */
static size_t store_back(struct bpf_insn *out, size_t k, const struct body *b)
{
	for (unsigned int j = 0; j < b->nprom; j++)
		out[k++] = INSN(BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10, b->rp[j],
				b->off[j] - HUP_STACK_SIZE, 0);
	return k;
}

/*
 * The body's `w1 = w1` on its straight way in, before anything writes r1
 * or jumps or is jumped to, finds r1 = rI < HUP_LOOP_MAX, zero-extended
 * already: it becomes `ja +0`, which the JIT emits as nothing.
 */
static void drop_index_cast(struct bpf_insn *body, size_t n, const bool *tgt)
{
	for (size_t j = 0; j < n && !tgt[j]; j++) {
		uint8_t cls = BPF_CLASS(body[j].code);

		if (is_index_cast(&body[j])) {
			body[j] = INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0);
			return;
		}
		if (cls == BPF_JMP || cls == BPF_JMP32 ||
		    (hup_insn_writes(&body[j]) & (1u << BPF_REG_1)))
			return;
		if (hup_insn_is_ldimm64(&body[j]))
			j++;
	}
}

/* `r0 = K` (64 or 32 bits): 1 if K is 0, 2 if not, 0 if not that insn. */
static int sets_r0(const struct bpf_insn *in)
{
	if ((in->code != (BPF_ALU64 | BPF_MOV | BPF_K) &&
	     in->code != (BPF_ALU | BPF_MOV | BPF_K)) ||
	    in->dst_reg != BPF_REG_0 || in->off)
		return 0;
	return in->imm ? 2 : 1;
}

/*
 * Append b's trampoline at out[w]; returns its length.  The loop is
 * rotated so that an iteration that goes on costs one compare and one
 * jump back, and an exit right after `r0 = K` goes straight to where K
 * leads:
 *
 *        rD = r3 ; wN = w1 ; if rN <= LOOP_MAX goto +1 ; rN = LOOP_MAX
 *        rI = 0 ; rP = slot ...   (promote(): slots kept in registers)
 *        ja check
 *  loop: r1 = rI ; r2 = rD ; <body, promoted accesses as moves>
 * after: if r0 != 0 goto stop     exits that return a computed r0
 *  cont: rI += 1                  exits after `r0 = 0`
 * check: if rI < rN goto loop
 *        slot = rP ...            all nr iterations done
 *        r0 = rI ; exit
 *  stop: slot = rP ...            exits after `r0 = K`, K != 0: the
 *        r0 = rI ; r0 += 1        stopping iteration counts
 *        exit
 * (each move left out where it has nothing to do: rI is r1, rD is r2 or
 * not needed).
 */
static size_t emit(struct bpf_insn *out, size_t w, const struct bpf_insn *p,
		   const struct body *b)
{
	size_t k = w, to_check, loop, after, cont, check, stop;
	size_t n = b->end - b->start, j;
	bool tgt[INLINE_MAX_BODY] = {false}, hi = false;

	if (b->rd && b->rd != BPF_REG_3)
		out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, b->rd, 3, 0, 0);
	out[k++] = INSN(BPF_ALU | BPF_MOV | BPF_X, b->rn, 1, 0, 0);
	out[k++] = INSN(BPF_JMP | BPF_JLE | BPF_K, b->rn, 0, 1, HUP_LOOP_MAX);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, b->rn, 0, 0, HUP_LOOP_MAX);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, b->ri, 0, 0, 0);
	for (j = 0; j < b->nprom; j++)
		out[k++] = INSN(BPF_LDX | BPF_MEM | BPF_DW, b->rp[j], BPF_REG_10,
				b->off[j] - HUP_STACK_SIZE, 0);
	to_check = k++;
	loop = k;
	if (b->ri != BPF_REG_1)
		out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, b->ri, 0, 0);
	if (b->rd && b->rd != BPF_REG_2)
		out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, b->rd, 0, 0);
	after = k + n, cont = after + 1, check = cont + 1;
	stop = check + 3 + b->nprom;
	memcpy(&out[k], &p[b->start], n * sizeof(*out));
	body_targets(&out[k], n, tgt);
	drop_index_cast(&out[k], n, tgt);
	for (j = 0; j < n; j++) {
		struct bpf_insn *in = &out[k + j];
		int kind;

		if (hup_insn_is_ldimm64(in)) {
			j++;
			hi = true;
			continue;
		}
		if (promoted(b, in))
			continue;
		if (in->code == (BPF_JMP | BPF_EXIT)) {
			/* after `r0 = K` and not jumped to: K is what it
			 * returns (the ldimm64 second slot is data) */
			kind = j && !hi && !tgt[j] ? sets_r0(in - 1) : 0;
			*in = INSN(BPF_JMP | BPF_JA, 0, 0,
				   rel(k + j, kind == 1 ? cont :
					      kind == 2 ? stop : after), 0);
		} else if ((in->dst_reg == BPF_REG_10 ||
			    in->src_reg == BPF_REG_10) && !is_trap(in)) {
			in->off = (int16_t)(in->off - HUP_STACK_SIZE);
		}
		hi = false;
	}
	k = after;
	out[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, rel(after, stop), 0);
	out[k++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, b->ri, 0, 0, 1);
	out[k++] = INSN(BPF_JMP | BPF_JLT | BPF_X, b->ri, b->rn, rel(check, loop),
			0);
	k = store_back(out, k, b);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, b->ri, 0, 0);
	out[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	k = store_back(out, k, b);
	out[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, b->ri, 0, 0);
	out[k++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1);
	out[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	out[to_check] = INSN(BPF_JMP | BPF_JA, 0, 0, rel(to_check, check), 0);
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
