// SPDX-License-Identifier: BSD-2-Clause
/*
 * The native baseline's glue (native.h): the layout of the guest kernel
 * free_discard was built for, taken from where the program's own came
 * from, and the decision run under libhup's fault recovery in the
 * program's view.
 *
 * Layout: hupload relocates OBJ.o against BTF exactly as it did in the
 * guest; that bytecode must be the snapshot's, instruction for
 * instruction, but for the __ksym loads the guest module filled in (so the
 * object and the BTF are the ones the guest used).  Then the CO-RE
 * answers the port needs are asked of hupload's relocator (hup_core__value,
 * the one definition of CO-RE matching) for the object's own hlib types,
 * and the symbol addresses are read out of the snapshot's bytecode.
 */
#include "native.h"

#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "hupload.h"
#include "native_fd.h"

struct native {
	struct fd_layout l;
	struct fd_view v;
	struct hup_view *view;
};

struct ctx {
	struct hupobj o;
	bool o_open;
	struct btf *local, *target;
	struct hupload_prog *progs;
	size_t nprogs;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return e;
}

/* One CO-RE answer for the object's local type `type` (struct or enum):
 * 0 with *val, -ENOENT (no match in the kernel), or -errno. */
static int core(struct ctx *c, const char *type, bool is_enum,
		const char *access, enum bpf_core_relo_kind kind, uint64_t *val)
{
	char msg[256] = "";
	int id = btf__find_by_name_kind(
	    c->local, type, is_enum ? BTF_KIND_ENUM : BTF_KIND_STRUCT);
	int e;

	if (id < 0)
		return fail(c, -EINVAL, "%s has no type %s (not free_discard?)",
			    "the object", type);
	e = hup_core__value(c->local, (uint32_t)id, access, kind, c->target,
			    val, msg, sizeof(msg));
	if (e && e != -ENOENT)
		return fail(c, e, "CO-RE %s %s: %s", type, access, msg);
	return e;
}

/* An answer that must exist (*_EXISTS kinds answer 0 when absent). */
static int core_u32(struct ctx *c, const char *type, const char *access,
		    enum bpf_core_relo_kind kind, uint32_t *out)
{
	uint64_t v = 0;
	int e = core(c, type, false, access, kind, &v);

	if (e == -ENOENT)
		return fail(c, e, "the kernel has no %s %s", type, access);
	*out = (uint32_t)v;
	return e;
}

static bool exists(struct ctx *c, const char *type, bool is_enum,
		   const char *access, enum bpf_core_relo_kind kind)
{
	uint64_t v = 0;

	return !core(c, type, is_enum, access, kind, &v) && v;
}

/* hlib_buddy_mark, hlib_spinlock_known and the offsets the port reads. */
static int core_layout(struct ctx *c, struct fd_layout *l)
{
	uint64_t v = 0;
	int e;

	if (!exists(c, "page___hlib", false, "0:1", BPF_CORE_FIELD_EXISTS))
		l->mark = FD_MARK_UNKNOWN;
	else if (exists(c, "pagetype___hlib", true, "0",
			BPF_CORE_ENUMVAL_EXISTS))
		l->mark = FD_MARK_PGTY;
	else if (!exists(c, "pagetype___hlib", true, "0", BPF_CORE_TYPE_EXISTS))
		l->mark = FD_MARK_V61;
	else
		l->mark = FD_MARK_UNKNOWN;
	if (l->mark == FD_MARK_PGTY) {
		e = core(c, "pagetype___hlib", true, "0",
			 BPF_CORE_ENUMVAL_VALUE, &v);
		if (e)
			return e;
		l->pgty_buddy = (uint32_t)v;
	}
	if (l->mark != FD_MARK_UNKNOWN &&
	    ((e = core_u32(c, "page___hlib", "0:0", BPF_CORE_FIELD_BYTE_OFFSET,
			   &l->page_private)) ||
	     (e = core_u32(c, "page___hlib", "0:1", BPF_CORE_FIELD_BYTE_OFFSET,
			   &l->page_type))))
		return e;
	l->spin_q =
	    exists(c, "spinlock___hlib", false, "0:0", BPF_CORE_FIELD_EXISTS);
	l->spin_rt = !l->spin_q && exists(c, "spinlock___hlib_rt", false, "0:0",
					  BPF_CORE_FIELD_EXISTS);
	if (l->spin_q && (e = core_u32(c, "spinlock___hlib", "0:0:0",
				       BPF_CORE_FIELD_BYTE_OFFSET, &l->q_val)))
		return e;
	if (l->spin_rt &&
	    ((e = core_u32(c, "spinlock___hlib_rt", "0:0:0:0",
			   BPF_CORE_FIELD_BYTE_OFFSET, &l->rt_wait)) ||
	     (e = core_u32(c, "spinlock___hlib_rt", "0:0:1",
			   BPF_CORE_FIELD_BYTE_OFFSET, &l->rt_owner))))
		return e;
	if ((e = core_u32(c, "zone___hlib", "0:0", BPF_CORE_FIELD_BYTE_OFFSET,
			  &l->zone_lock)) ||
	    (e = core_u32(c, "zone___hlib", "0:1", BPF_CORE_FIELD_BYTE_OFFSET,
			  &l->zone_start_pfn)) ||
	    (e = core_u32(c, "zone___hlib", "0:2", BPF_CORE_FIELD_BYTE_OFFSET,
			  &l->zone_spanned)) ||
	    (e = core_u32(c, "zone___hlib", "0", BPF_CORE_TYPE_SIZE,
			  &l->zone_size)) ||
	    (e = core_u32(c, "pglist_data___hlib", "0:0",
			  BPF_CORE_FIELD_BYTE_OFFSET, &l->node_zones)))
		return e;
	e = core(c, "zone_type___hlib", true, "0", BPF_CORE_ENUMVAL_VALUE, &v);
	if (e)
		return e == -ENOENT ? fail(c, e,
					   "the kernel has no "
					   "__MAX_NR_ZONES")
				    : e;
	l->nr_zones = (uint32_t)v;
	return 0;
}

static uint64_t ksym_value(const struct bpf_insn *in, uint32_t idx)
{
	return (uint32_t)in[idx].imm | (uint64_t)(uint32_t)in[idx + 1].imm
					   << 32;
}

/* The object's reclaim program, relocated here, against the snapshot's
 * bytecode; then the symbol addresses out of the latter. */
static int match_prog(struct ctx *c, const struct replay *r,
		      const struct bpf_insn *snap, struct fd_layout *l)
{
	const struct hupload_prog *p = NULL;
	struct bpf_insn *mine;
	bool *filled;
	int e = 0;

	for (size_t i = 0; i < c->nprogs; i++)
		if (c->progs[i].lp.event == HUP_EVENT_RECLAIM)
			p = &c->progs[i];
	if (!p)
		return fail(c, -EINVAL, "the object has no reclaim program");
	if (p->lp.cnt != r->rec->insn_cnt)
		return fail(c, -EINVAL,
			    "the object's program has %zu instructions, "
			    "program %u of the snapshot %u: not the same "
			    "program",
			    p->lp.cnt, r->rec->id, r->rec->insn_cnt);
	mine = malloc(p->lp.cnt * sizeof(*mine));
	filled = calloc(p->lp.cnt, sizeof(*filled));
	if (!mine || !filled) {
		e = fail(c, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(mine, p->lp.insns, p->lp.cnt * sizeof(*mine));
	for (size_t k = 0; k < p->nksyms; k++) {
		uint32_t i = p->ksyms[k].insn_idx;
		uint64_t a;

		if (i + 1 >= p->lp.cnt) {
			e = fail(c, -EINVAL, "ksym load past the program");
			goto out;
		}
		/* the one difference allowed: the guest module's address */
		mine[i].imm = snap[i].imm;
		mine[i + 1].imm = snap[i + 1].imm;
		a = ksym_value(snap, i);
		if (!strcmp(p->ksyms[k].name, "vmemmap_base"))
			l->vmemmap_base = a;
		else if (!strcmp(p->ksyms[k].name, "node_data"))
			l->node_data = a;
		else if (!strcmp(p->ksyms[k].name, "contig_page_data"))
			l->contig_page_data = a;
		else if (!strcmp(p->ksyms[k].name,
				 "_page_poisoning_enabled_early"))
			l->poison_early = a;
		else if (!strcmp(p->ksyms[k].name, "_page_poisoning_enabled"))
			l->poison_key = a;
	}
	for (size_t i = 0; i < p->lp.cnt; i++)
		if (memcmp(&mine[i], &snap[i], sizeof(mine[i]))) {
			e = fail(c, -EINVAL,
				 "instruction %zu differs from the snapshot's "
				 "program %u: the object or the BTF is not "
				 "the one the guest registered",
				 i, r->rec->id);
			goto out;
		}
	if (!l->vmemmap_base)
		e = fail(c, -EINVAL, "the program has no vmemmap_base");
out:
	free(mine);
	free(filled);
	return e;
}

static void ctx_free(struct ctx *c)
{
	hupload__free(c->progs, c->nprogs);
	btf__free(c->local);
	btf__free(c->target);
	if (c->o_open)
		hupobj__close(&c->o);
}

int native__open(struct native **out, struct replay *r, const char *obj,
		 const char *btf, char *err, size_t errlen)
{
	struct hupload_opts opts = {.btf_path = btf};
	struct ctx c = {.err = err, .errlen = errlen};
	struct native *n = calloc(1, sizeof(*n));
	const uint8_t *data;
	void *snap = NULL;
	size_t size = 0;
	int e, bi;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	e = hupobj__open(&c.o, obj);
	c.o_open = true;
	if (e) {
		fail(&c, e, "%s: %s", obj, strerror(-e));
		goto out;
	}
	e = hupload__prepare(&c.o, &opts, &c.progs, &c.nprogs, err, errlen);
	if (e)
		goto out;
	bi = hupobj__find_section(&c.o, ".BTF");
	data = bi < 0 ? NULL : hupobj__section(&c.o, (size_t)bi, &size);
	c.local = data ? btf__new(data, (uint32_t)size) : NULL;
	c.target = btf__parse(btf, NULL);
	if (!c.local || !c.target) {
		e = fail(&c, -EINVAL, "cannot read the BTF of %s",
			 c.local ? btf : obj);
		goto out;
	}
	e = snapshot__insns(&r->snap, r->rec, &snap);
	if (e) {
		fail(&c, e, "reading the snapshot's program: %s", strerror(-e));
		goto out;
	}
	e = match_prog(&c, r, snap, &n->l);
	if (!e)
		e = core_layout(&c, &n->l);
	if (e)
		goto out;
	n->view = backend__prog_view(&r->b, r->id);
	n->v.base = hup_view__base(n->view);
	n->v.mask = hup_view__mask(n->view);
	*out = n;
	n = NULL;
out:
	free(snap);
	free(n);
	ctx_free(&c);
	return e;
}

void native__close(struct native *n)
{
	free(n);
}

struct run {
	struct native *n;
	struct hup_reclaim_ctx *ctx;
};

static uint64_t run_decide(void *arg)
{
	struct run *a = arg;

	return (uint64_t)fd_decide(&a->n->l, &a->n->v, a->ctx);
}

int native__decide(void *opaque, struct hup_reclaim_ctx *ctx)
{
	struct run a = {opaque, ctx};
	uint64_t ret = 0;
	int e;

	/* a hole of the view is -EFAULT, as for the program */
	e = hup_view__run_guarded(a.n->view, run_decide, &a, &ret);
	if (e)
		return e;
	return (int64_t)ret < 0 ? (int)(int64_t)ret : 0;
}
