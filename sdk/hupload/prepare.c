/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload: from a hupcc object to registrations (see hupload.h).  The
 * target BTF is only opened if a program has CO-RE relocations, so objects
 * without any (samples/tracing.c) load on kernels without BTF too.
 */
#include "hupload.h"

#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyperupcall/trace_ring.h>

#include "core.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

static const char *const win_names[] = {
	[HUP_IOC_WIN_DIRECT_MAP] = "direct",
	[HUP_IOC_WIN_VMEMMAP] = "vmemmap",
	[HUP_IOC_WIN_KERNEL] = "kernel",
	[HUP_IOC_WIN_TRACE_RING] = "ring",
};

const char *hupload__window_name(uint32_t kind)
{
	return kind && kind <= HUP_IOC_WIN_MAX ? win_names[kind] : "?";
}

int hupload__parse_window(const char *s, struct hup_ioc_window *w)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	memset(w, 0, sizeof(*w));
	for (uint32_t k = 1; k <= HUP_IOC_WIN_MAX; k++)
		if (strlen(win_names[k]) == n && !strncmp(s, win_names[k], n))
			w->kind = k;
	if (!w->kind)
		return -EINVAL;
	if (!colon || !strcmp(colon, ":r"))
		w->prot = HUP_WIN_READ;
	else if (!strcmp(colon, ":rw"))
		w->prot = HUP_WIN_READ | HUP_WIN_WRITE;
	else
		return -EINVAL;
	/* The ring is there to be written. */
	if (w->kind == HUP_IOC_WIN_TRACE_RING)
		w->prot = HUP_WIN_READ | HUP_WIN_WRITE;
	return 0;
}

static void add_window(struct hupload_prog *p, uint32_t kind, uint32_t prot)
{
	for (size_t i = 0; i < p->nwindows; i++)
		if (p->windows[i].kind == kind)
			return;
	if (p->nwindows < HUP_MAX_WINDOWS)
		p->windows[p->nwindows++] =
			(struct hup_ioc_window){ .kind = kind, .prot = prot };
}

/* Default windows from what the program references: the trace ring if it
 * names it; the kernel image, direct map and vmemmap (read-only) if it
 * names any other kernel symbol. */
static void default_windows(struct hupload_prog *p)
{
	for (size_t i = 0; i < p->nksyms; i++) {
		if (!strcmp(p->ksyms[i].name, HUP_TRACE_RING_KSYM)) {
			add_window(p, HUP_IOC_WIN_TRACE_RING,
				   HUP_WIN_READ | HUP_WIN_WRITE);
		} else {
			add_window(p, HUP_IOC_WIN_KERNEL, HUP_WIN_READ);
			add_window(p, HUP_IOC_WIN_DIRECT_MAP, HUP_WIN_READ);
			add_window(p, HUP_IOC_WIN_VMEMMAP, HUP_WIN_READ);
		}
	}
}

struct walk {
	struct hupobj *o;
	const struct hupload_opts *opts;
	struct btf *local, *target;
	bool target_tried;
	struct hupload_prog *progs;
	size_t n;
	char *err;
	size_t errlen;
};

static void link_report(void *ctx, struct hupobj_prog *p, size_t idx,
			const char *msg)
{
	struct walk *w = ctx;

	if (!w->err[0])
		snprintf(w->err, w->errlen, "%s: insn %zu: %s", p->name, idx,
			 msg);
}

/* Malformed counts as having some: the relocation pass then says why. */
static bool has_core_relos(const struct hupobj *o)
{
	struct hupobj_ext cr;
	int r = hupobj__btf_ext(o, HUPOBJ_EXT_CORE_RELO, 0, &cr);

	return r == -EINVAL || (!r && cr.end > cr.data);
}

static int open_btfs(struct walk *w)
{
	const char *path = w->opts->btf_path ? w->opts->btf_path : DEFAULT_BTF;
	int bi = hupobj__find_section(w->o, ".BTF");
	const uint8_t *data;
	size_t size = 0;

	if (w->target_tried)
		return w->target ? 0 : -ENOENT;
	w->target_tried = true;
	if (bi < 0 || !(data = hupobj__section(w->o, (size_t)bi, &size)) ||
	    size > UINT32_MAX) {
		snprintf(w->err, w->errlen, "the object has CO-RE relocations "
			 "but no usable .BTF");
		return -EINVAL;
	}
	w->local = btf__new(data, (uint32_t)size);
	if (!w->local) {
		snprintf(w->err, w->errlen, "the object's .BTF is malformed "
			 "(%s)", strerror(errno));
		return -EINVAL;
	}
	w->target = btf__parse(path, NULL);
	if (!w->target) {
		int e = errno;

		snprintf(w->err, w->errlen, "cannot read the target BTF %s "
			 "(%s)", path, strerror(e));
		return -ENOENT;
	}
	return 0;
}

static int ksym_list(struct walk *w, struct hupload_prog *p)
{
	struct hupobj_ksym_ref *refs;
	size_t n;
	int err = hupobj__ksym_refs(w->o, &p->lp, &refs, &n);

	if (err) {
		snprintf(w->err, w->errlen, "%s: malformed __ksym relocation",
			 p->lp.name);
		return err;
	}
	if (n > HUP_MAX_KSYM_RELOCS) {
		free(refs);
		snprintf(w->err, w->errlen, "%s: %zu __ksym loads, more than "
			 "%u", p->lp.name, n, HUP_MAX_KSYM_RELOCS);
		return -E2BIG;
	}
	p->ksyms = n ? calloc(n, sizeof(*p->ksyms)) : NULL;
	if (n && !p->ksyms) {
		free(refs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct bpf_insn *in = &p->lp.insns[refs[i].idx];

		if (strlen(refs[i].name) >= HUP_KSYM_NAME_LEN) {
			snprintf(w->err, w->errlen, "%s: symbol name too long: "
				 "%.40s...", p->lp.name, refs[i].name);
			free(refs);
			return -E2BIG;
		}
		p->ksyms[i].insn_idx = (uint32_t)refs[i].idx;
		p->ksyms[i].flags = refs[i].weak ? HUP_KSYM_WEAK : 0;
		strcpy(p->ksyms[i].name, refs[i].name);
		/* The module wants a clean ld_imm64 to fill. */
		in->src_reg = 0;
		in->imm = 0;
		in[1].imm = 0;
	}
	p->nksyms = n;
	free(refs);
	return 0;
}

static int one_prog(void *ctx, size_t secidx, const char *name,
		    uint64_t start, uint64_t len)
{
	struct walk *w = ctx;
	const struct hupload_opts *opts = w->opts;
	struct hupload_prog *p, *grown;
	struct hup_core_stats st;
	int err;

	if (opts->only && strcmp(opts->only, name))
		return 0;
	grown = realloc(w->progs, (w->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	w->progs = grown;
	p = &grown[w->n++];
	memset(p, 0, sizeof(*p));
	p->lp.sec = hupobj__sec_name(w->o, secidx);
	p->lp.name = name;
	if (!hupobj__event_of(p->lp.sec, &p->lp.event)) {
		snprintf(w->err, w->errlen, "%s: section '%s' is not a "
			 "hyperupcall program section", name, p->lp.sec);
		return -EINVAL;
	}
	err = hupobj__link(w->o, &p->lp, secidx, start, len);
	if (err || p->lp.errors) {
		if (!w->err[0])
			snprintf(w->err, w->errlen, "%s: malformed program",
				 name);
		return err ? err : -EINVAL;
	}
	if (p->lp.cnt > HUP_MAX_INSNS) {
		snprintf(w->err, w->errlen, "%s: %zu instructions, more than "
			 "%u", name, p->lp.cnt, HUP_MAX_INSNS);
		return -E2BIG;
	}
	if (has_core_relos(w->o)) {
		err = open_btfs(w);
		if (err)
			return err;
		err = hup_core__relocate(w->o, &p->lp, w->local, w->target,
					 &st, w->err, w->errlen);
		p->core_relocs = st.relocs;
		p->ncore_relocs = st.nrelocs;
		if (err) {
			char msg[512];

			snprintf(msg, sizeof(msg), "%s", w->err);
			snprintf(w->err, w->errlen, "%s: CO-RE: %s", name, msg);
			return err;
		}
		p->core_applied = st.applied;
		p->core_missing = st.missing;
		p->core_poisoned = st.poisoned;
	}
	err = ksym_list(w, p);
	if (err)
		return err;
	snprintf(p->name, sizeof(p->name), "%s", opts->name ? opts->name :
		 name);
	p->event_arg = opts->event_arg;
	if (opts->nwindows) {
		memcpy(p->windows, opts->windows,
		       opts->nwindows * sizeof(opts->windows[0]));
		p->nwindows = opts->nwindows;
	} else if (!opts->no_windows) {
		default_windows(p);
	}
	return 0;
}

int hupload__prepare(struct hupobj *o, const struct hupload_opts *opts,
		     struct hupload_prog **progs, size_t *nprogs, char *err,
		     size_t errlen)
{
	struct walk w = { .o = o, .opts = opts, .err = err, .errlen = errlen };
	int rc;

	err[0] = '\0';
	o->report = link_report;
	o->report_ctx = &w;
	rc = hupobj__for_each_prog(o, one_prog, &w);
	o->report = NULL;
	btf__free(w.local);
	btf__free(w.target);
	if (!rc && !w.n) {
		snprintf(err, errlen, opts->only ? "no program named '%s'" :
			 "no hyperupcall program in the object%s",
			 opts->only ? opts->only : "");
		rc = -ENOENT;
	}
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-rc));
		hupload__free(w.progs, w.n);
		return rc;
	}
	*progs = w.progs;
	*nprogs = w.n;
	return 0;
}

void hupload__free(struct hupload_prog *progs, size_t nprogs)
{
	for (size_t i = 0; i < nprogs; i++) {
		free(progs[i].lp.insns);
		free(progs[i].ksyms);
		free(progs[i].core_relocs);
	}
	free(progs);
}
