/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory accesses: loads, stores and atomics through a typed pointer, and
 * the buffers handed to helpers.  Three regions exist:
 *
 *  - ctx: the event's context; constant offset only, inside one field,
 *    naturally aligned; stores only to writable fields and only scalars.
 *  - stack: r10 + constant offset of a live frame, inside the frame's
 *    HUP_STACK_SIZE bytes, naturally aligned (as Linux requires), read
 *    only where written.  Each byte is tracked: unwritten, scalar data, or
 *    part of a spilled register.  An aligned 8-byte store of a register
 *    spills it (a pointer filled back is still that pointer); a narrower
 *    store over a spilled pointer leaves the rest of the slot unreadable
 *    (its bytes are pointer bits), and a pointer is never read back
 *    partially.  A pointer to a frame is never stored in an outer frame,
 *    which could outlive it.
 *  - view: base + off + var with var in [0, view_mask]; every byte of the
 *    access must lie in [-HUP_VIEW_GUARD, view_mask + HUP_VIEW_GUARD), the
 *    host's reservation; only scalars are stored (no host address reaches
 *    guest memory); atomics must be provably aligned (a split-locked
 *    access can fault on the host).
 */
#include "env.h"

#include <stdio.h>

const char *hup_vtype__name(uint8_t type)
{
	static const char *const names[] = {
		[HUP_VT_NOT_INIT] = "uninit", [HUP_VT_SCALAR] = "scalar",
		[HUP_VT_CTX] = "ctx",         [HUP_VT_STACK] = "stack",
		[HUP_VT_VIEW] = "view",       [HUP_VT_FUNC] = "func",
	};

	return type <= HUP_VT_FUNC ? names[type] : "?";
}

struct hup_vframe *hup_mem__frame(struct hup_venv *env, uint32_t frameno)
{
	return env->cur->frames[frameno];
}

static bool is_ptr(const struct hup_vreg *r)
{
	return r->type != HUP_VT_SCALAR && r->type != HUP_VT_NOT_INIT;
}

/* Slot index and byte within it of stack offset off (in [-512, -1]). */
static void slot_of(int64_t off, uint32_t *slot, uint32_t *byte)
{
	*slot = (uint32_t)((-off - 1) / 8);
	*byte = (uint32_t)(off + 8 * (int64_t)(*slot + 1));
}

/* Bytes [b0, b1) of a slot get scalar data: what happens to the rest. */
static void slot_scribble(struct hup_vslot *s, uint32_t b0, uint32_t b1)
{
	uint32_t b;

	if (s->stype[0] == HUP_SB_SPILL) {
		uint8_t rest = s->spill.type == HUP_VT_SCALAR ? HUP_SB_MISC :
								HUP_SB_INVALID;

		for (b = 0; b < 8; b++)
			s->stype[b] = rest;
	}
	for (b = b0; b < b1; b++)
		s->stype[b] = HUP_SB_MISC;
}

/* Note the frame's stack use (for info and the loader). */
static int stack_use(struct hup_venv *env, struct hup_vframe *f, int64_t off)
{
	uint32_t depth = (uint32_t)-off;

	if (f->subprog < env->nr_subprogs &&
	    env->subprogs[f->subprog].stack_depth < depth)
		env->subprogs[f->subprog].stack_depth = depth;
	if (env->max_stack_depth < depth)
		env->max_stack_depth = depth;
	return hup_vframe__grow(f, (depth + 7) / 8);
}

static int stack_access(struct hup_venv *env, uint32_t idx, uint32_t regno,
			const struct hup_vreg *ptr, int64_t off, uint32_t size,
			enum hup_access kind, const struct hup_vreg *value,
			int value_regno, struct hup_vreg *out, bool sext)
{
	struct hup_vframe *f = hup_mem__frame(env, ptr->frameno);
	struct hup_vslot *s;
	uint32_t slot, byte, b;
	int err;

	if (off < -(int64_t)HUP_STACK_SIZE || off + size > 0)
		return hup_verr(env, EACCES, idx,
				"R%u stack access out of bounds: off=%lld size=%u",
				regno, (long long)off, size);
	if (off % size)
		return hup_verr(env, EACCES, idx,
				"R%u misaligned stack access: off=%lld size=%u",
				regno, (long long)off, size);
	err = stack_use(env, f, off);
	if (err)
		return err;
	slot_of(off, &slot, &byte);
	s = &f->slots[slot];

	if (kind == HUP_WRITE) {
		if (is_ptr(value)) {
			if (size != 8)
				return hup_verr(env, EACCES, idx,
						"R%d partial store of a pointer to stack",
						value_regno);
			if (value->type == HUP_VT_FUNC)
				return hup_verr(env, EACCES, idx,
						"R%d callback pointer cannot be stored",
						value_regno);
			if (value->type == HUP_VT_STACK &&
			    value->frameno > ptr->frameno)
				return hup_verr(env, EACCES, idx,
						"R%d pointer to an inner frame stored in an outer frame",
						value_regno);
		}
		if (size == 8) {
			for (b = 0; b < 8; b++)
				s->stype[b] = HUP_SB_SPILL;
			s->spill = *value;
			return 0;
		}
		slot_scribble(s, byte, byte + size);
		return 0;
	}

	if (s->stype[0] == HUP_SB_SPILL) {
		if (s->spill.type != HUP_VT_SCALAR && (size != 8 || kind == HUP_ATOMIC))
			return hup_verr(env, EACCES, idx,
					"R%u partial read of a spilled pointer at off=%lld",
					regno, (long long)off);
		if (kind == HUP_ATOMIC) {
			slot_scribble(s, byte, byte + size);
			hup_reg__mark_sized(out, size, false);
			return 0;
		}
		if (size == 8)
			*out = s->spill;
		else
			hup_reg__mark_sized(out, size, sext);
		return 0;
	}
	for (b = byte; b < byte + size; b++)
		if (s->stype[b] != HUP_SB_MISC)
			return hup_verr(env, EACCES, idx,
					"R%u invalid read from stack: off=%lld size=%u (uninitialized)",
					regno, (long long)off, size);
	hup_reg__mark_sized(out, size, sext);
	return 0;
}

static int ctx_access(struct hup_venv *env, uint32_t idx, uint32_t regno,
		      int64_t off, uint32_t size, enum hup_access kind,
		      const struct hup_vreg *value, int value_regno,
		      struct hup_vreg *out, bool sext)
{
	const struct hup_ctx_field *f;

	if (kind == HUP_ATOMIC)
		return hup_verr(env, EACCES, idx, "R%u atomic on ctx prohibited",
				regno);
	f = hup_ctx__field(env->ctx, off, size);
	if (!f)
		return hup_verr(env, EACCES, idx,
				"R%u invalid %s ctx access: off=%lld size=%u",
				regno, hup_event__name(env->opts->event),
				(long long)off, size);
	if (off % size)
		return hup_verr(env, EACCES, idx,
				"R%u misaligned ctx access: off=%lld size=%u",
				regno, (long long)off, size);
	if (kind == HUP_WRITE) {
		if (!f->writable)
			return hup_verr(env, EACCES, idx,
					"R%u write to read-only ctx field %s",
					regno, f->name);
		if (value->type != HUP_VT_SCALAR)
			return hup_verr(env, EACCES, idx,
					"R%d leaks a %s pointer into ctx",
					value_regno, hup_vtype__name(value->type));
		return 0;
	}
	hup_reg__mark_sized(out, size, sext);
	return 0;
}

static int view_access(struct hup_venv *env, uint32_t idx, uint32_t regno,
		       const struct hup_vreg *ptr, int64_t off, uint32_t size,
		       enum hup_access kind, const struct hup_vreg *value,
		       int value_regno, struct hup_vreg *out, bool sext)
{
	uint64_t mask = env->opts->view_mask;
	/* |off| <= 2 * 64 KiB and var <= mask < 2^48: no overflow */
	int64_t lo = off + (int64_t)ptr->umin, hi = off + (int64_t)ptr->umax;

	if (lo < -(int64_t)HUP_VIEW_GUARD ||
	    hi > (int64_t)(mask + HUP_VIEW_GUARD - size))
		return hup_verr(env, EACCES, idx,
				"R%u view access out of range: off=[%lld, %lld] size=%u",
				regno, (long long)lo, (long long)hi, size);
	if (kind == HUP_ATOMIC &&
	    ((off & (size - 1)) || ((ptr->var.value | ptr->var.mask) & (size - 1))))
		return hup_verr(env, EACCES, idx,
				"R%u misaligned atomic view access (align the guest address)",
				regno);
	if (kind != HUP_READ && value->type != HUP_VT_SCALAR)
		return hup_verr(env, EACCES, idx,
				"R%d leaks a %s pointer into guest memory",
				value_regno, hup_vtype__name(value->type));
	if (kind != HUP_WRITE)
		hup_reg__mark_sized(out, size, sext);
	return 0;
}

static int rec_str(char *buf, size_t len, const struct hup_mem_rec *r)
{
	switch (r->region) {
	case HUP_REC_STACK:
		return snprintf(buf, len, "the stack %u frame(s) up, off %d",
				r->frames, r->off);
	case HUP_REC_CTX:
		return snprintf(buf, len, "ctx, off %d", r->off);
	}
	return snprintf(buf, len, "the view");
}

/*
 * Note what instruction idx accesses through regs[regno]: the region, and
 * for stack and ctx the frame and constant offset.  The engines run the
 * access at that static place (seal.c), not at the register's value, so
 * every path must agree on it (Linux asks the same of ctx accesses).
 */
static int record(struct hup_venv *env, uint32_t idx, uint32_t regno,
		  const struct hup_vreg *ptr)
{
	struct hup_mem_rec r = {.regno = (uint8_t)regno, .seen = 1}, *old = &env->aux[idx].rec;
	char a[64], b[64];

	switch (ptr->type) {
	case HUP_VT_STACK:
		r.region = HUP_REC_STACK;
		r.frames = (uint8_t)(env->cur->curframe - ptr->frameno);
		r.off = ptr->off;
		break;
	case HUP_VT_CTX:
		r.region = HUP_REC_CTX;
		r.off = ptr->off;
		break;
	default:
		r.region = HUP_REC_VIEW;
		break;
	}
	if (old->region == HUP_REC_NONE) {
		*old = r;
		return 0;
	}
	if (old->region == r.region && old->frames == r.frames &&
	    old->off == r.off && old->regno == r.regno)
		return 0;
	rec_str(a, sizeof(a), &r);
	rec_str(b, sizeof(b), old);
	return hup_verr(env, EACCES, idx,
			"R%u points to %s here but to %s on another path (one static location per access)",
			regno, a, b);
}

int hup_mem__access(struct hup_venv *env, uint32_t idx, uint32_t regno,
		    int32_t off, uint32_t size, enum hup_access kind,
		    const struct hup_vreg *value, int value_regno,
		    struct hup_vreg *out, bool sext)
{
	const struct hup_vreg *ptr = &hup_cur_regs(env)[regno];
	int64_t total = (int64_t)ptr->off + off;

	int err;

	if (kind != HUP_READ && value->type == HUP_VT_NOT_INIT)
		return hup_verr(env, EACCES, idx, "R%d read before write",
				value_regno);
	if (ptr->type == HUP_VT_STACK || ptr->type == HUP_VT_CTX ||
	    ptr->type == HUP_VT_VIEW) {
		err = record(env, idx, regno, ptr);
		if (err)
			return err;
	}
	switch (ptr->type) {
	case HUP_VT_STACK:
		return stack_access(env, idx, regno, ptr, total, size, kind,
				    value, value_regno, out, sext);
	case HUP_VT_CTX:
		return ctx_access(env, idx, regno, total, size, kind, value,
				  value_regno, out, sext);
	case HUP_VT_VIEW:
		return view_access(env, idx, regno, ptr, total, size, kind,
				   value, value_regno, out, sext);
	}
	return hup_verr(env, EACCES, idx, "R%u invalid mem access '%s'", regno,
			hup_vtype__name(ptr->type));
}

static int helper_stack_buf(struct hup_venv *env, uint32_t idx, uint32_t regno,
			    const struct hup_vreg *ptr, uint64_t min,
			    uint64_t max, bool write)
{
	struct hup_vframe *f = hup_mem__frame(env, ptr->frameno);
	int64_t off = ptr->off, o;
	int err;

	if (off < -(int64_t)HUP_STACK_SIZE || off > 0 ||
	    max > (uint64_t)-off)
		return hup_verr(env, EACCES, idx,
				"R%u stack buffer out of bounds: off=%lld size<=%llu",
				regno, (long long)off, (unsigned long long)max);
	if (!max)
		return 0;
	err = stack_use(env, f, off);
	if (err)
		return err;
	for (o = off; o < off + (int64_t)max; o++) {
		uint32_t slot, b;
		struct hup_vslot *s;

		slot_of(o, &slot, &b);
		s = &f->slots[slot];
		if (!write) {
			if (s->stype[b] == HUP_SB_INVALID)
				return hup_verr(env, EACCES, idx,
						"R%u helper reads uninitialized stack at off=%lld",
						regno, (long long)o);
			if (s->stype[b] == HUP_SB_SPILL &&
			    s->spill.type != HUP_VT_SCALAR)
				return hup_verr(env, EACCES, idx,
						"R%u helper would read a spilled pointer at off=%lld",
						regno, (long long)o);
		} else if (o < off + (int64_t)min) {
			slot_scribble(s, b, b + 1);
		} else if (s->stype[b] == HUP_SB_SPILL) {
			/* maybe written, maybe not: a pointer's bytes can no
			 * longer be trusted, a number's are still numbers */
			slot_scribble(s, 0, 0);
		}
	}
	return 0;
}

int hup_mem__helper_buf(struct hup_venv *env, uint32_t idx, uint32_t regno,
			const struct hup_vreg *sz, bool write)
{
	const struct hup_vreg *ptr = &hup_cur_regs(env)[regno];
	uint64_t max = sz->umax, o;
	int err;

	if (ptr->type == HUP_VT_STACK && ptr->off >= 0)
		return hup_verr(env, EACCES, idx,
				"R%u stack buffer at off=%d: no room in the frame",
				regno, ptr->off);
	if (ptr->type == HUP_VT_STACK || ptr->type == HUP_VT_CTX) {
		/* at most one buffer per helper (helper_protos.c) */
		err = record(env, idx, regno, ptr);
		if (err)
			return err;
	}
	switch (ptr->type) {
	case HUP_VT_STACK:
		return helper_stack_buf(env, idx, regno, ptr, sz->umin, max, write);
	case HUP_VT_CTX:
		if (ptr->off < 0 || max > env->ctx->size ||
		    (uint64_t)ptr->off + max > env->ctx->size)
			return hup_verr(env, EACCES, idx,
					"R%u ctx buffer out of bounds: off=%d size<=%llu",
					regno, ptr->off, (unsigned long long)max);
		for (o = 0; write && o < max; o++) {
			const struct hup_ctx_field *f =
				hup_ctx__field(env->ctx, ptr->off + (int64_t)o, 1);

			if (!f || !f->writable)
				return hup_verr(env, EACCES, idx,
						"R%u helper would write read-only ctx field %s",
						regno, f ? f->name : "?");
		}
		return 0;
	case HUP_VT_VIEW:
		return hup_verr(env, EACCES, idx,
				"R%u view pointer cannot be a helper buffer (pass the guest address)",
				regno);
	}
	return hup_verr(env, EACCES, idx,
			"R%u type %s: expected a stack or ctx buffer", regno,
			hup_vtype__name(ptr->type));
}
