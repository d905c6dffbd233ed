// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupreplay's session (replay.h): snapshot -> RAM -> backend -> the
 * program registered again, then its event run natively.  Everything
 * hupvm does with a program goes through hupvm's own code (snapshot.c,
 * backend.c, reclaim.c, events.c); what is here is only the glue a VM
 * would otherwise be: the windows' runs recorded at registration in place
 * of a page walk from a vCPU's CR3, and no vCPU to park.
 */
#include "replay.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void r_debug_line(void *opaque, uint32_t cpu, const char *line,
			 uint32_t len)
{
	struct replay *r = opaque;

	(void)cpu;
	if (r->o.line)
		r->o.line(r->o.opaque, line, len);
}

/* There is no VM whose MSR writes to filter: an msr_write program is
 * vetted by backend__msr_denied alone.  Accepting the filter is what lets
 * the backend register one (without it, it refuses the event). */
static int r_msr_filter(void *opaque, const uint32_t *msrs, unsigned int n)
{
	(void)opaque;
	(void)msrs;
	(void)n;
	return 0;
}

/* No paging (the windows' runs are the recorded ones: the tables they
 * were walked from may be gone), no guest_tsc (0: there is no running
 * guest), no vCPU registers. */
static const struct backend_ops replay_ops = {
    .debug_line = r_debug_line,
    .msr_filter = r_msr_filter,
};

static int no_such_prog(const struct snapshot *s, uint32_t id, char *err,
			size_t len)
{
	size_t n =
	    (size_t)snprintf(err, len, "no program %u in the snapshot", id);

	for (unsigned int i = 0; i < s->h.nr_progs && n < len; i++)
		n += (size_t)snprintf(err + n, len - n, "%s%u",
				      i ? ", " : " (it has: ", s->progs[i].id);
	if (n < len)
		snprintf(err + n, len - n, "%s",
			 s->h.nr_progs ? ")" : " (it has none)");
	return -ENOENT;
}

static int register_prog(struct replay *r, char *err, size_t len)
{
	struct backend_prog_spec s = {
	    .event = r->rec->event,
	    .event_arg =
		r->o.event_arg_set ? r->o.event_arg : r->rec->event_arg,
	    .nr_windows = r->rec->nr_windows,
	    .windows = r->rec->windows,
	    .insn_cnt = r->rec->insn_cnt,
	    .nr_runs = r->rec->nr_runs,
	};
	const struct snapshot_run *rr = snapshot__runs(&r->snap, r->rec);
	struct registry_run *runs;
	struct backend_prog_info info;
	enum hreq_reason why = HREQ_OK;
	void *insns = NULL;
	int e;

	memcpy(s.name, r->rec->name, sizeof(s.name));
	/* An overridden event_arg gets a guest's checks. */
	if (hreq__check_prog(s.event, s.event_arg, s.insn_cnt, s.nr_windows,
			     s.windows, s.name, &why))
		return log__errf(
		    err, len, -EINVAL,
		    "--event-arg %#llx is not valid for a %s program",
		    (unsigned long long)s.event_arg,
		    backend__event_name(s.event));
	runs = calloc(s.nr_runs ? s.nr_runs : 1, sizeof(*runs));
	if (!runs)
		return log__errf(err, len, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < s.nr_runs; i++)
		runs[i] = (struct registry_run){rr[i].gva, rr[i].gpa, rr[i].len,
					    rr[i].prot, 0};
	s.runs = runs;
	e = snapshot__insns(&r->snap, r->rec, &insns);
	if (e) {
		free(runs);
		return log__errf(err, len, e, "reading program %u: %s",
				 r->rec->id, strerror(-e));
	}
	s.insns = insns;
	e = backend__register(&r->b, r->rec->vcpu, &s, r->log, sizeof(r->log),
			      &r->id, &why);
	free(insns);
	free(runs);
	if (e)
		return log__errf(err, len, e,
				 "program %u \"%s\" refused (%s): %s",
				 r->rec->id, r->rec->name,
				 hreq__reason_name(why), hup_strerror(e));
	if (backend__list(&r->b, r->id, &info, 1) == 1) {
		r->mapped_bytes = info.mapped_bytes;
		r->hole_bytes = info.hole_bytes;
	}
	r->view_differs = r->mapped_bytes != r->rec->mapped_bytes ||
			  r->hole_bytes != r->rec->hole_bytes;
	return 0;
}

int replay__open(struct replay *r, const char *path, uint32_t id,
		 const struct replay_opts *o, char *err, size_t errlen)
{
	int e;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->mem.fd = -1;
	e = snapshot__open(path, &r->snap, err, errlen);
	if (e)
		return e;
	r->rec = snapshot__prog(&r->snap, id);
	if (!r->rec) {
		e = no_such_prog(&r->snap, id, err, errlen);
		goto fail;
	}
	e = snapshot__load_mem(&r->snap, &r->mem);
	if (e) {
		log__errf(err, errlen, e, "loading guest RAM: %s",
			  strerror(-e));
		goto fail;
	}
	r->have_mem = true;
	e = backend__create(&r->b, &r->mem, r->snap.h.nr_vcpus, &replay_ops, r,
			    0);
	if (e) {
		log__errf(err, errlen, e, "backend: %s", strerror(-e));
		goto fail;
	}
	r->have_backend = true;
	r->b.no_jit = o->no_jit;
	r->b.run_budget_us = o->run_budget_us;
	e = register_prog(r, err, errlen);
	if (!e)
		return 0;
fail:
	replay__close(r);
	return e;
}

void replay__close(struct replay *r)
{
	if (r->have_backend)
		backend__destroy(&r->b);
	if (r->have_mem)
		mem__destroy(&r->mem);
	snapshot__close(&r->snap);
	r->have_backend = r->have_mem = false;
}

int replay__query(struct replay *r, const uint64_t args[4], char *out,
		  size_t cap, size_t *len, uint64_t *r0)
{
	return backend__query(&r->b, r->id, args, out, cap, len, r0);
}

int replay__reclaim(struct replay *r, struct backend_reclaim_report *rep)
{
	struct backend_reclaim_opts o = {
	    /* one stop: nothing is parked, nobody waits for the lock */
	    .stop_budget_ns = UINT64_MAX / 2,
	    .gap_ns = 1,
	    .dry_run = true,
	    .every_batch = true,
	};

	return backend__reclaim(&r->b, r->id, &o, rep);
}
