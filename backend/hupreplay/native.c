// SPDX-License-Identifier: BSD-2-Clause
/*
 * The native baseline's glue (native.h, native_port.h): which port, the
 * layout of the guest kernel the object was built for, taken from where
 * the program's own came from, and the port run in the program's place
 * under libhup's fault recovery in the program's view.
 *
 * Layout: hupload relocates OBJ.o against BTF exactly as it did in the
 * guest; that bytecode must be the snapshot's, instruction for
 * instruction, but for the __ksym loads the guest module filled in (so the
 * object and the BTF are the ones the guest used).  Then the CO-RE
 * answers a port needs are asked of hupload's relocator (hup_core__value,
 * the one definition of CO-RE matching) for the object's own types, and
 * the symbol addresses are read out of the snapshot's bytecode.
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
#include "native_port.h"

static const struct native_port *const ports[] = {
    &native_free_discard, &native_msr_guard, &native_tracing,
    &native_ps,		  &native_dmesg,     &native_tlb_shootdown,
};

struct native {
	const struct native_port *port;
	struct native_view v;
	struct hup_view *view;
	struct backend *b;
	uint32_t id;
	void *state;
};

struct native_ksym {
	const char *name;
	uint64_t addr;
};

struct native_setup {
	struct hupobj o;
	bool o_open;
	struct btf *local, *target;
	struct hupload_prog *progs;
	size_t nprogs;
	struct native_ksym *ksyms;
	size_t nksyms;
	char *err;
	size_t errlen;
};

int native__fail(struct native_setup *c, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return e;
}

int native__core(struct native_setup *c, const char *type, bool is_enum,
		 const char *access, enum bpf_core_relo_kind kind,
		 uint64_t *val)
{
	char msg[256] = "";
	int id = btf__find_by_name_kind(
	    c->local, type, is_enum ? BTF_KIND_ENUM : BTF_KIND_STRUCT);
	int e;

	if (id < 0)
		return native__fail(c, -EINVAL,
				    "the object has no type %s (not the "
				    "sample its port restates?)",
				    type);
	e = hup_core__value(c->local, (uint32_t)id, access, kind, c->target,
			    val, msg, sizeof(msg));
	if (e && e != -ENOENT)
		return native__fail(c, e, "CO-RE %s %s: %s", type, access, msg);
	return e;
}

int native__core_u32(struct native_setup *c, const char *type,
		     const char *access, enum bpf_core_relo_kind kind,
		     uint32_t *out)
{
	uint64_t v = 0;
	int e = native__core(c, type, false, access, kind, &v);

	if (e == -ENOENT)
		return native__fail(c, e, "the kernel has no %s %s", type,
				    access);
	*out = (uint32_t)v;
	return e;
}

bool native__exists(struct native_setup *c, const char *type, bool is_enum,
		    const char *access, enum bpf_core_relo_kind kind)
{
	uint64_t v = 0;

	return !native__core(c, type, is_enum, access, kind, &v) && v;
}

uint64_t native__ksym(const struct native_setup *c, const char *name)
{
	for (size_t i = 0; i < c->nksyms; i++)
		if (!strcmp(c->ksyms[i].name, name))
			return c->ksyms[i].addr;
	return 0;
}

static uint64_t ksym_value(const struct bpf_insn *in, uint32_t idx)
{
	return (uint32_t)in[idx].imm | (uint64_t)(uint32_t)in[idx + 1].imm
					   << 32;
}

/* The object's program of the snapshot's event, relocated here, against
 * the snapshot's bytecode; then the symbol addresses out of the latter. */
static int match_prog(struct native_setup *c, const struct replay *r,
		      const struct bpf_insn *snap,
		      const struct hupload_prog **out)
{
	const struct hupload_prog *p = NULL;
	struct bpf_insn *mine;
	int e = 0;

	for (size_t i = 0; i < c->nprogs; i++)
		if (c->progs[i].lp.event == r->rec->event)
			p = &c->progs[i];
	if (!p)
		return native__fail(c, -EINVAL, "the object has no %s program",
				    backend__event_name(r->rec->event));
	if (p->lp.cnt != r->rec->insn_cnt)
		return native__fail(c, -EINVAL,
				    "the object's program has %zu "
				    "instructions, program %u of the "
				    "snapshot %u: not the same program",
				    p->lp.cnt, r->rec->id, r->rec->insn_cnt);
	mine = malloc(p->lp.cnt * sizeof(*mine));
	c->ksyms = calloc(p->nksyms ? p->nksyms : 1, sizeof(*c->ksyms));
	if (!mine || !c->ksyms) {
		e = native__fail(c, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(mine, p->lp.insns, p->lp.cnt * sizeof(*mine));
	for (size_t k = 0; k < p->nksyms; k++) {
		uint32_t i = p->ksyms[k].insn_idx;

		if (i + 1 >= p->lp.cnt) {
			e = native__fail(c, -EINVAL,
					 "ksym load past the program");
			goto out;
		}
		/* the one difference allowed: the guest module's address */
		mine[i].imm = snap[i].imm;
		mine[i + 1].imm = snap[i + 1].imm;
		c->ksyms[c->nksyms++] =
		    (struct native_ksym){p->ksyms[k].name, ksym_value(snap, i)};
	}
	for (size_t i = 0; i < p->lp.cnt; i++)
		if (memcmp(&mine[i], &snap[i], sizeof(mine[i]))) {
			e = native__fail(c, -EINVAL,
					 "instruction %zu differs from the "
					 "snapshot's program %u: the object "
					 "or the BTF is not the one the guest "
					 "registered",
					 i, r->rec->id);
			goto out;
		}
	*out = p;
out:
	free(mine);
	return e;
}

static const struct native_port *find_port(struct native_setup *c,
					   const struct hupload_prog *p)
{
	char names[256];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (!strcmp(ports[i]->prog, p->lp.name) &&
		    ports[i]->event == p->lp.event)
			return ports[i];
	names[0] = 0;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
				      i ? ", " : "", ports[i]->prog);
	native__fail(c, -EOPNOTSUPP,
		     "no native port of the %s program %s (ports: %s)",
		     backend__event_name(p->lp.event), p->lp.name, names);
	return NULL;
}

static void setup_free(struct native_setup *c)
{
	free(c->ksyms);
	hupload__free(c->progs, c->nprogs);
	btf__free(c->local);
	btf__free(c->target);
	if (c->o_open)
		hupobj__close(&c->o);
}

struct call {
	const struct native *n;
	void *ctx;
	const struct hup_run_env *env;
};

static uint64_t call_port(void *arg)
{
	const struct call *a = arg;

	return a->n->port->run(a->n->state, &a->n->v, a->ctx, a->env);
}

/* backend_native_fn: the port in the program's place; a hole of the view
 * is -EFAULT, as for the program. */
static int native_run(void *opaque, void *ctx, size_t ctx_size,
		      const struct hup_run_env *env, uint64_t *r0)
{
	const struct native *n = opaque;
	struct call a = {n, ctx, env};

	if (ctx_size != n->port->ctx_size)
		return -EINVAL;
	return hup_view__run_guarded(n->view, call_port, &a, r0);
}

int native__open(struct native **out, struct replay *r, const char *obj,
		 const char *btf, char *err, size_t errlen)
{
	struct hupload_opts opts = {.btf_path = btf};
	struct native_setup c = {.err = err, .errlen = errlen};
	struct native *n = calloc(1, sizeof(*n));
	const struct hupload_prog *p = NULL;
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
		native__fail(&c, e, "%s: %s", obj, strerror(-e));
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
		e = native__fail(&c, -EINVAL, "cannot read the BTF of %s",
				 c.local ? btf : obj);
		goto out;
	}
	e = snapshot__insns(&r->snap, r->rec, &snap);
	if (e) {
		native__fail(&c, e, "reading the snapshot's program: %s",
			     strerror(-e));
		goto out;
	}
	e = match_prog(&c, r, snap, &p);
	if (e)
		goto out;
	n->port = find_port(&c, p);
	if (!n->port) {
		e = -EOPNOTSUPP;
		goto out;
	}
	n->state = calloc(1, n->port->state_size ? n->port->state_size : 1);
	if (!n->state) {
		e = native__fail(&c, -ENOMEM, "out of memory");
		goto out;
	}
	e = n->port->setup(&c, n->state);
	if (e)
		goto out;
	n->b = &r->b;
	n->id = r->id;
	n->view = backend__prog_view(&r->b, r->id);
	n->v.base = hup_view__base(n->view);
	n->v.mask = hup_view__mask(n->view);
	e = backend__set_native(n->b, n->id, native_run, n);
	if (e) {
		native__fail(&c, e, "program %u is gone", r->id);
		goto out;
	}
	*out = n;
	n = NULL;
out:
	free(snap);
	if (n)
		free(n->state);
	free(n);
	setup_free(&c);
	return e;
}

void native__close(struct native *n)
{
	if (!n)
		return;
	backend__set_native(n->b, n->id, NULL, NULL);
	free(n->state);
	free(n);
}

const char *native__prog(const struct native *n)
{
	return n->port->prog;
}
