/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Abstract states: allocation and copying, the "covers" relation used for
 * pruning, and the join used to find a loop callback's invariant.
 *
 * Pruning is sound here without liveness analysis because the CFG is
 * acyclic: a state remembered at a join point was reached on a path whose
 * continuation the depth-first walk has finished (and found safe) before
 * any other path can come back to that point.  A new state there whose
 * every concrete instance is an instance of the old one is then safe too.
 * A register or stack byte the old state never initialised covers
 * anything: the old continuation never read it (reading it is an error),
 * so its content does not matter.
 */
#include "env.h"

#include <stdlib.h>
#include <string.h>

struct hup_vframe *hup_vframe__new(int32_t callsite, uint32_t subprog,
				   uint32_t frameno)
{
	struct hup_vframe *f = calloc(1, sizeof(*f));
	uint32_t i;

	if (!f)
		return NULL;
	for (i = 0; i < HUP_NR_REGS; i++)
		hup_reg__mark_not_init(&f->regs[i]);
	f->regs[BPF_REG_10].type = HUP_VT_STACK;
	f->regs[BPF_REG_10].frameno = (uint8_t)frameno;
	f->callsite = callsite;
	f->subprog = subprog;
	return f;
}

void hup_vframe__free(struct hup_vframe *f)
{
	if (!f)
		return;
	free(f->slots);
	free(f);
}

int hup_vframe__grow(struct hup_vframe *f, uint32_t nslots)
{
	struct hup_vslot *s;

	if (nslots <= f->nslots)
		return 0;
	s = realloc(f->slots, nslots * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, (nslots - f->nslots) * sizeof(*s));
	f->slots = s;
	f->nslots = nslots;
	return 0;
}

static struct hup_vframe *frame_dup(const struct hup_vframe *src)
{
	struct hup_vframe *f = malloc(sizeof(*f));

	if (!f)
		return NULL;
	*f = *src;
	f->slots = NULL;
	if (src->nslots) {
		f->slots = malloc(src->nslots * sizeof(*f->slots));
		if (!f->slots) {
			free(f);
			return NULL;
		}
		memcpy(f->slots, src->slots, src->nslots * sizeof(*f->slots));
	}
	return f;
}

struct hup_vstate *hup_vstate__new(void)
{
	return calloc(1, sizeof(struct hup_vstate));
}

void hup_vstate__release(struct hup_vstate *st)
{
	uint32_t i;

	for (i = 0; i < HUP_MAX_CALL_DEPTH; i++) {
		hup_vframe__free(st->frames[i]);
		st->frames[i] = NULL;
	}
}

void hup_vstate__free(struct hup_vstate *st)
{
	if (!st)
		return;
	hup_vstate__release(st);
	free(st);
}

int hup_vstate__copy(struct hup_vstate *dst, const struct hup_vstate *src)
{
	uint32_t i;

	hup_vstate__release(dst);
	dst->curframe = src->curframe;
	dst->pc = src->pc;
	for (i = 0; i <= src->curframe; i++) {
		dst->frames[i] = frame_dup(src->frames[i]);
		if (!dst->frames[i]) {
			hup_vstate__release(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

size_t hup_vstate__bytes(const struct hup_vstate *st)
{
	size_t n = sizeof(*st);
	uint32_t i;

	for (i = 0; i <= st->curframe; i++)
		n += sizeof(struct hup_vframe) +
		     st->frames[i]->nslots * sizeof(struct hup_vslot);
	return n;
}

struct hup_vstate *hup_vstate__dup(const struct hup_vstate *src)
{
	struct hup_vstate *st = hup_vstate__new();

	if (st && hup_vstate__copy(st, src)) {
		free(st);
		st = NULL;
	}
	return st;
}

/* ---------------------------------------------------------------- covers */

static bool range_covers(const struct hup_vreg *o, const struct hup_vreg *c)
{
	return o->umin <= c->umin && c->umax <= o->umax &&
	       o->smin <= c->smin && c->smax <= o->smax &&
	       o->u32min <= c->u32min && c->u32max <= o->u32max &&
	       o->s32min <= c->s32min && c->s32max <= o->s32max &&
	       hup_tnum_in(o->var, c->var);
}

static bool reg_covers(const struct hup_vreg *o, const struct hup_vreg *c)
{
	if (o->type == HUP_VT_NOT_INIT)
		return true;
	if (o->type != c->type)
		return false;
	switch (o->type) {
	case HUP_VT_SCALAR:
		return range_covers(o, c);
	case HUP_VT_CTX:
		return o->off == c->off;
	case HUP_VT_STACK:
		return o->off == c->off && o->frameno == c->frameno;
	case HUP_VT_VIEW:
		return o->off == c->off && range_covers(o, c);
	case HUP_VT_FUNC:
		return o->subprog == c->subprog;
	}
	return false;
}

static bool slot_covers(const struct hup_vslot *o, const struct hup_vslot *c)
{
	int i;

	if (o->stype[0] == HUP_SB_SPILL) {
		if (c->stype[0] != HUP_SB_SPILL)
			return false;
		return reg_covers(&o->spill, &c->spill);
	}
	for (i = 0; i < 8; i++) {
		if (o->stype[i] == HUP_SB_INVALID)
			continue;
		/* MISC: any scalar bytes, never pointer bytes */
		if (c->stype[i] == HUP_SB_INVALID)
			return false;
		if (c->stype[i] == HUP_SB_SPILL && c->spill.type != HUP_VT_SCALAR)
			return false;
	}
	return true;
}

static const struct hup_vslot empty_slot;

static bool regs_cover(const struct hup_vframe *o, const struct hup_vframe *c)
{
	uint32_t i;

	if (o->callsite != c->callsite || o->subprog != c->subprog)
		return false;
	for (i = 0; i < HUP_NR_REGS; i++)
		if (!reg_covers(&o->regs[i], &c->regs[i]))
			return false;
	return true;
}

bool hup_vframe__covers(const struct hup_vframe *o, const struct hup_vframe *c)
{
	uint32_t i, n = o->nslots > c->nslots ? o->nslots : c->nslots;

	if (!regs_cover(o, c))
		return false;
	for (i = 0; i < n; i++) {
		const struct hup_vslot *os = i < o->nslots ? &o->slots[i] : &empty_slot;
		const struct hup_vslot *cs = i < c->nslots ? &c->slots[i] : &empty_slot;

		if (!slot_covers(os, cs))
			return false;
	}
	return true;
}

bool hup_vstate__covers(const struct hup_vstate *o, const struct hup_vstate *c)
{
	uint32_t i;

	if (o->curframe != c->curframe || o->pc != c->pc)
		return false;
	/* registers first, innermost frame first: that is where states
	 * usually differ, and a full stack comparison is the costly part */
	for (i = o->curframe + 1; i-- > 0;)
		if (!regs_cover(o->frames[i], c->frames[i]))
			return false;
	for (i = o->curframe + 1; i-- > 0;)
		if (!hup_vframe__covers(o->frames[i], c->frames[i]))
			return false;
	return true;
}

/* ---------------------------------------------------------------- join */

/*
 * Widen old so it also describes cur.  Only stacks change (a callee never
 * writes its callers' registers).  The lattice per slot is short:
 * a spilled value -> unknown scalar bytes -> unreadable, so the fixpoint
 * in call.c ends after a few rounds.
 */
int hup_vframe__join(struct hup_vframe *o, const struct hup_vframe *c,
		     bool *changed)
{
	uint32_t i, n = o->nslots > c->nslots ? o->nslots : c->nslots;
	int b, err;

	err = hup_vframe__grow(o, n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct hup_vslot *os = &o->slots[i];
		const struct hup_vslot *cs = i < c->nslots ? &c->slots[i] : &empty_slot;

		if (slot_covers(os, cs))
			continue;
		*changed = true;
		if (os->stype[0] == HUP_SB_SPILL && cs->stype[0] == HUP_SB_SPILL &&
		    os->spill.type == HUP_VT_SCALAR &&
		    cs->spill.type == HUP_VT_SCALAR) {
			/* two different numbers: any number */
			memset(os->stype, HUP_SB_MISC, 8);
			continue;
		}
		for (b = 0; b < 8; b++) {
			bool o_scalar = os->stype[b] == HUP_SB_MISC ||
					(os->stype[b] == HUP_SB_SPILL &&
					 os->spill.type == HUP_VT_SCALAR);
			bool c_scalar = cs->stype[b] == HUP_SB_MISC ||
					(cs->stype[b] == HUP_SB_SPILL &&
					 cs->spill.type == HUP_VT_SCALAR);

			os->stype[b] = o_scalar && c_scalar ? HUP_SB_MISC :
							      HUP_SB_INVALID;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- prune */

int hup_state__prune_or_store(struct hup_venv *env)
{
	struct hup_vaux *aux = &env->aux[env->cur->pc];
	struct hup_vstate_list *l;

	/* Inside a loop callback every exit must reach the fixpoint join,
	 * so nothing there is pruned or remembered (see call.c). */
	if (env->loop_depth || !aux->prune)
		return 0;
	for (l = aux->stored; l; l = l->next)
		if (hup_vstate__covers(&l->st, env->cur))
			return 1;
	if (aux->nstored >= HUP_VERIFIER_MAX_STORED_PER_INSN ||
	    env->nstored >= HUP_VERIFIER_MAX_STORED)
		return 0;
	env->mem_bytes += hup_vstate__bytes(env->cur);
	if (env->mem_bytes > HUP_VERIFIER_MAX_MEM)
		return hup_verr(env, E2BIG, env->cur->pc,
				"program too complex: verifier state memory over %u MiB",
				HUP_VERIFIER_MAX_MEM >> 20);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	if (hup_vstate__copy(&l->st, env->cur)) {
		free(l);
		return -ENOMEM;
	}
	l->next = aux->stored;
	aux->stored = l;
	aux->nstored++;
	env->nstored++;
	return 0;
}

void hup_state__free_stored(struct hup_venv *env)
{
	uint32_t i;

	if (!env->aux)
		return;
	for (i = 0; i < env->cnt; i++) {
		struct hup_vstate_list *l = env->aux[i].stored, *n;

		for (; l; l = n) {
			n = l->next;
			hup_vstate__release(&l->st);
			free(l);
		}
		env->aux[i].stored = NULL;
	}
}
