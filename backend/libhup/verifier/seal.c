/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * After verification and the loop rewrite: seal the engines' copy so that
 * every stack and ctx access happens where the verifier proved it does,
 * whatever value the base register holds at run time.
 *
 * The verifier types pointers structurally (which region, which frame,
 * which constant offset); only the *values* of scalars added to them come
 * from the value domain (scalar.c).  Should the domain be wrong (the audit
 * found `w3 <<= w2` believed 0, computed 1), a pointer register can hold
 * another address than the one proven.  So:
 *
 *  - a stack access through any register becomes an access through r10 at
 *    d * HUP_STACK_SIZE + o (insn.h): frame d levels up, in-frame offset
 *    o; the engines lay frames out so that this is the frame proven;
 *  - a ctx access becomes an access through HUP_REG_CTX at the proven
 *    offset;
 *  - a helper's stack or ctx buffer argument is rebuilt from the proven
 *    location right before the call, its size clamped to the region;
 *  - a view access keeps its register: the engines mask it into the view;
 *  - a memory access or helper call the walk never reached (a branch the
 *    domain believed dead) becomes a trap: it aborts the run;
 *  - a conditional jump that every path took the same way becomes
 *    unconditional: the run follows the proven path even were the domain
 *    wrong, and the engines skip a compare the verifier already decided
 *    (a CO-RE constant tested, a field that exists).
 *
 * Every rewritten offset is re-checked here with plain integer checks
 * that trust nothing but the records' structure.
 */
#include "env.h"

#include <hyperupcall/abi.h>

_Static_assert(HUP_STACK_SIZE == 512, "insn.h encodes 512-byte frames");

static bool is_mem(const struct bpf_insn *in)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return true;
	}
	return false;
}

static bool is_helper_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0;
}

/* A conditional jump that every path took the same way: jump that way
 * unconditionally (ja +0 falls through). */
static void hard_wire(struct bpf_insn *in, const struct hup_mem_rec *r)
{
	if (r->took == HUP_TOOK_FALL)
		*in = (struct bpf_insn){.code = BPF_JMP | BPF_JA};
	else if (r->took == HUP_TOOK_JUMP)
		*in = (struct bpf_insn){.code = BPF_JMP | BPF_JA,
					.off = in->off};
}

static void trap(struct bpf_insn *in)
{
	*in = (struct bpf_insn){.code = BPF_JMP | BPF_CALL,
				.imm = HUP_SEAL_TRAP_ID};
}

/* *so = d * 512 + o for a stack location; false if we cannot seal it. */
static bool stack_off(const struct hup_mem_rec *r, int64_t o, uint32_t size,
		      int32_t *so)
{
	if (r->frames >= HUP_MAX_CALL_DEPTH || o < -(int64_t)HUP_STACK_SIZE ||
	    o > -(int64_t)size)
		return false;
	*so = (int32_t)(r->frames * HUP_STACK_SIZE + o);
	return *so <= INT16_MAX;
}

static int seal_mem(struct bpf_insn *in, const struct hup_mem_rec *r,
		    uint32_t ctx_size, bool has_view, struct hup_log *log,
		    size_t i)
{
	bool ldx = BPF_CLASS(in->code) == BPF_LDX;
	uint8_t base = ldx ? in->src_reg : in->dst_reg;
	uint32_t size = bpf_size_to_bytes_(in->code);
	bool atomic = BPF_MODE(in->code) == BPF_ATOMIC;
	int64_t o = (int64_t)r->off + in->off;
	int32_t so;

	if (r->regno != base)
		goto bad;
	switch (r->region) {
	case HUP_REC_VIEW:
		if (!has_view)
			goto bad; /* the engines would have no view to mask into */
		return 0;
	case HUP_REC_STACK:
		if (!stack_off(r, o, size, &so))
			goto bad;
		if (ldx)
			in->src_reg = BPF_REG_10;
		else
			in->dst_reg = BPF_REG_10;
		in->off = (int16_t)so;
		return 0;
	case HUP_REC_CTX:
		if (atomic || o < 0 || o + size > ctx_size)
			goto bad;
		if (ldx)
			in->src_reg = HUP_REG_CTX;
		else
			in->dst_reg = HUP_REG_CTX;
		in->off = (int16_t)o;
		return 0;
	}
bad:
	hup_log__line(log, "%zu: seal: access record does not fit (region %u, off %d)",
		      i, r->region, r->off);
	return -EINVAL;
}

static int seal_call(struct bpf_insn *in, const struct hup_mem_rec *r,
		     uint32_t ctx_size, struct hup_log *log, size_t i)
{
	int32_t so;

	if (in->dst_reg || in->off)
		goto bad;
	switch (r->region) {
	case HUP_REC_NONE:
		return 0;
	case HUP_REC_STACK:
		/* o = 0 would encode as frame d + 1's bottom (the verifier
		 * refuses a buffer there); at most the frame's 512 bytes */
		if (!stack_off(r, r->off, 1, &so) || r->regno < BPF_REG_1 ||
		    r->regno > BPF_REG_4)
			goto bad;
		in->dst_reg = r->regno;
		in->off = (int16_t)so;
		return 0;
	case HUP_REC_CTX:
		if (r->off < 0 || (uint32_t)r->off >= ctx_size ||
		    r->regno < BPF_REG_1 || r->regno > BPF_REG_4)
			goto bad;
		in->dst_reg = r->regno | HUP_SEAL_ARG_CTX;
		in->off = (int16_t)r->off;
		return 0;
	}
bad:
	hup_log__line(log, "%zu: seal: helper buffer record does not fit (region %u, off %d)",
		      i, r->region, r->off);
	return -EINVAL;
}

int hup_seal(struct bpf_insn *insns, size_t cnt, const struct hup_mem_rec *recs,
	     size_t nrecs, uint32_t ctx_size, bool has_view, struct hup_log *log)
{
	size_t i;
	int err;

	if (!insns || !recs || nrecs > cnt)
		return -EINVAL;
	for (i = 0; i < cnt; i++) {
		struct bpf_insn *in = &insns[i];
		const struct hup_mem_rec *r = i < nrecs ? &recs[i] : NULL;

		if (hup_insn_is_ldimm64(in)) {
			i++;
			continue;
		}
		if (r && hup_insn_is_cond_jump(in)) {
			hard_wire(in, r);
			continue;
		}
		if (!is_mem(in) && !is_helper_call(in))
			continue;
		if (!r) {
			/* fixup.c appends no memory access and no helper call */
			hup_log__line(log, "%zu: seal: unrecorded access", i);
			return -EINVAL;
		}
		if (!r->seen) {
			trap(in);
			continue;
		}
		err = is_mem(in) ? seal_mem(in, r, ctx_size, has_view, log, i) :
				   seal_call(in, r, ctx_size, log, i);
		if (err)
			return err;
	}
	return 0;
}
