// SPDX-License-Identifier: BSD-2-Clause
/*
 * The backend's request path (see backend.h): copy the block once, check
 * every field (request.c), then register, unregister or query.  A
 * registration resolves the windows through the registering vCPU's page
 * tables (ptwalk.c), maps them into a view of its own (pview.c), has libhup
 * verify and compile the copied bytecode, and only then attaches the
 * program (registry.c); any failure unwinds everything before it and the
 * guest gets the errno and the verifier log.
 */
#include "hyperupcall/backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void count_reject(struct backend *b, enum hreq_reason why)
{
	if ((unsigned int)why < HREQ_NR_REASONS)
		atomic_fetch_add_explicit(&b->st.rejected[why], 1,
					  memory_order_relaxed);
}

const char *backend__event_name(uint32_t event)
{
	static const char *const names[HUP_EVENT_MAX + 1] = HUP_EVENT_NAMES_INIT;

	if (event <= HUP_EVENT_MAX && names[event])
		return names[event];
	return "?";
}

int backend__create(struct backend *b, const struct mem *m, uint32_t nr_vcpus,
		    const struct backend_ops *ops, void *opaque,
		    unsigned int view_bits)
{
	memset(b, 0, sizeof(*b));
	if (!view_bits)
		view_bits = HUP_VIEW_BITS_DEFAULT;
	if (nr_vcpus > REGISTRY_MAX_VCPUS || view_bits < HUP_VIEW_BITS_MIN ||
	    view_bits > HUP_VIEW_BITS_MAX)
		return -EINVAL;
	b->mem = m;
	b->ops = ops;
	b->opaque = opaque;
	b->nr_vcpus = nr_vcpus;
	b->walk_budget = BACKEND_WALK_BUDGET;
	b->events = 1u << HUP_EVENT_TRACE | 1u << HUP_EVENT_RECLAIM |
		    1u << HUP_EVENT_VCPU_RESUME | 1u << HUP_EVENT_QUERY |
		    1u << HUP_EVENT_VCPU_DESCHED;
	if (ops && ops->msr_filter)
		b->events |= 1u << HUP_EVENT_MSR_WRITE;
	pthread_mutex_init(&b->write_lock, NULL);
	pviews__init(&b->views, m->fd, view_bits);
	registry__init(&b->reg);
	b->created = true;
	return 0;
}

static void prog_free(struct backend *b, struct registry_prog *p)
{
	if (!p)
		return;
	if (p->prog) {
		hup_prog__detach(p->prog);
		hup_prog__free(p->prog);
	}
	pviews__put(&b->views, p->view);
	free(p->insns);
	free(p->runs);
	free(p);
}

void backend__destroy(struct backend *b)
{
	if (!b->created)
		return;
	/* vCPU threads are joined: no reader is left. */
	for (unsigned int i = 0; i < HUP_MAX_PROGS; i++) {
		prog_free(b, b->reg.progs[i]);
		b->reg.progs[i] = NULL;
	}
	registry__exit(&b->reg);
	pviews__exit(&b->views);
	pthread_mutex_destroy(&b->write_lock);
	b->created = false;
}

/* ------------------------------------------------------------ windows */

struct claim {
	struct registry_prog *p;
	uint32_t prot;
};

/* Remember one run of a window (its view maps them all, snapshots record
 * them). */
static int claim_run(void *opaque, uint64_t gva, uint64_t gpa, uint64_t off,
		     uint64_t len)
{
	struct claim *c = opaque;
	struct registry_prog *p = c->p;

	(void)off;
	if (p->nr_runs == PVIEW_MAX_RUNS)
		return -E2BIG;
	if (p->nr_runs == p->cap_runs) {
		uint32_t cap = p->cap_runs ? 2 * p->cap_runs : 16;
		struct registry_run *r = realloc(p->runs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		p->runs = r;
		p->cap_runs = cap;
	}
	p->runs[p->nr_runs++] = (struct registry_run){gva, gpa, len, c->prot, 0};
	return 0;
}

static int claim_err(int err, enum hreq_reason *why)
{
	*why = err == -EADDRNOTAVAIL ? HREQ_VIEW_COLLISION
	       : err == -E2BIG	     ? HREQ_WINDOW_WALK
	       : err == -ENOSPC	     ? HREQ_VIEW_LIMIT
				     : HREQ_HOST;
	return err;
}

/* Runs resolved before (a snapshot's): claimed as a walk would have. */
static int claim_recorded(struct backend *b, struct registry_prog *p,
			  const struct backend_prog_spec *s,
			  enum hreq_reason *why)
{
	uint64_t sum = 0, off;
	int err;

	for (uint32_t i = 0; i < s->nr_runs; i++) {
		const struct registry_run *r = &s->runs[i];
		struct claim c = {p, r->prot};

		err = mem__gpa_to_offset(b->mem, r->gpa, r->len, &off);
		if (!err)
			err = claim_run(&c, r->gva, r->gpa, off, r->len);
		if (err)
			return claim_err(err, why);
		sum += r->len;
	}
	for (uint32_t i = 0; i < p->nr_windows; i++)
		p->window_holes += p->windows[i].size;
	p->window_holes -= sum < p->window_holes ? sum : p->window_holes;
	return 0;
}

static int resolve_windows(struct backend *b, uint32_t cpu,
			   struct registry_prog *p,
			   const struct backend_prog_spec *s,
			   enum hreq_reason *why)
{
	struct ptw_root root;
	uint64_t budget = b->walk_budget;
	int err;

	if (!p->nr_windows)
		return 0;
	if (s->runs)
		return claim_recorded(b, p, s, why);
	if (!b->ops || !b->ops->paging)
		goto host;
	err = b->ops->paging(b->opaque, cpu, &root);
	if (err)
		goto host;
	p->root = root;
	for (uint32_t i = 0; i < p->nr_windows; i++) {
		const struct hup_window *w = &p->windows[i];
		struct claim c = {p, w->prot};
		struct ptw_stats st;

		err = ptw__walk(b->mem, &root, w->gva, w->size, budget,
				claim_run, &c, &st);
		budget -= st.entries < budget ? st.entries : budget;
		p->window_holes += st.hole_bytes;
		if (err)
			return claim_err(err, why);
	}
	return 0;
host:
	*why = HREQ_HOST;
	return -EIO;
}

/* The program's view: its runs and nothing else (pview.h). */
static int map_view(struct backend *b, struct registry_prog *p,
		    enum hreq_reason *why)
{
	struct pview_claim *c = malloc((p->nr_runs + 1u) * sizeof(*c));
	int err = 0;

	if (!c)
		return claim_err(-ENOMEM, why);
	for (uint32_t i = 0; !err && i < p->nr_runs; i++) {
		const struct registry_run *r = &p->runs[i];

		c[i] = (struct pview_claim){r->gva, 0, r->len, r->prot};
		err = mem__gpa_to_offset(b->mem, r->gpa, r->len, &c[i].off);
	}
	if (!err)
		err = pviews__get(&b->views, c, p->nr_runs, &p->view);
	free(c);
	return err ? claim_err(err, why) : 0;
}

static int map_windows(struct backend *b, uint32_t cpu, struct registry_prog *p,
		       const struct backend_prog_spec *s, enum hreq_reason *why)
{
	int err = resolve_windows(b, cpu, p, s, why);

	return err ? err : map_view(b, p, why);
}

/* ---------------------------------------------------------- MSR filter */

static int msr_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The MSRs the registered programs (plus extra, unless NULL) vet. */
static int update_msr_filter(struct backend *b, const struct registry_prog *extra)
{
	uint32_t msrs[HUP_MAX_PROGS + 1];
	unsigned int n = 0, k = 0;

	if (!b->ops || !b->ops->msr_filter)
		return -EOPNOTSUPP;
	for (unsigned int i = 0; i < HUP_MAX_PROGS; i++) {
		const struct registry_prog *p = b->reg.progs[i];

		if (p && p->event == HUP_EVENT_MSR_WRITE)
			msrs[n++] = (uint32_t)p->event_arg;
	}
	if (extra)
		msrs[n++] = (uint32_t)extra->event_arg;
	qsort(msrs, n, sizeof(msrs[0]), msr_cmp);
	for (unsigned int i = 0; i < n; i++)
		if (!k || msrs[k - 1] != msrs[i])
			msrs[k++] = msrs[i];
	return b->ops->msr_filter(b->opaque, msrs, k);
}

/* ------------------------------------------------------------- the ops */

static void write_log(struct backend *b, const struct hup_request *r,
		      const char *log, struct hup_request *g)
{
	uint8_t *dst;
	size_t len;

	if (!r->log_size || !log)
		return;
	dst = mem__gpa_to_hva(b->mem, r->log_gpa, r->log_size);
	if (!dst)
		return; /* validated; cannot happen */
	len = strnlen(log, r->log_size - 1);
	memcpy(dst, log, len);
	dst[len] = 0;
	g->log_len = (uint32_t)(len + 1);
}

int backend__register(struct backend *b, uint32_t cpu,
		      const struct backend_prog_spec *s, char *log,
		      uint32_t log_size, uint32_t *id, enum hreq_reason *why)
{
	struct hup_load_opts o = {.sz = sizeof(o)};
	struct registry_prog *p;
	int err;

	*id = 0;
	if (!(b->events & (1u << s->event))) {
		*why = HREQ_EVENT;
		return -EOPNOTSUPP;
	}
	/* The bytecode is kept as it was verified (for snapshots); libhup
	 * copies it again and verifies its own copy. */
	p = calloc(1, sizeof(*p));
	if (p)
		p->insns = malloc((size_t)s->insn_cnt * 8);
	if (!p || !p->insns) {
		if (p)
			free(p);
		*why = HREQ_HOST;
		return -ENOMEM;
	}
	memcpy(p->insns, s->insns, (size_t)s->insn_cnt * 8);
	p->insn_cnt = s->insn_cnt;
	p->event = s->event;
	p->event_arg = s->event_arg;
	p->vcpu = cpu;
	memcpy(p->name, s->name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = 0;
	p->nr_windows = s->nr_windows;
	memcpy(p->windows, s->windows, s->nr_windows * sizeof(s->windows[0]));

	/*
	 * Everything up to the attach runs under the write lock alone: only
	 * writers change the registry, the view map and the MSR filter, so
	 * the room checked here and the registered programs the MSR filter
	 * is built from stay as they are, while the control plane, which
	 * only takes reg.lock, carries on.  The window walk (up to
	 * BACKEND_WALK_BUDGET entries), the view map (O(runs log runs)) and
	 * verification are each bounded per request; the registry lock is
	 * held only for registry__add (an array copy and a grace period).
	 */
	pthread_mutex_lock(&b->write_lock);
	err = registry__room(&b->reg, s->event);
	if (err) {
		*why = err == -ENOSPC ? HREQ_TOO_MANY_PROGS : HREQ_EVENT_FULL;
		goto unlock;
	}
	err = map_windows(b, cpu, p, s, why);
	if (err)
		goto unlock;
	o.name = p->name;
	o.view = p->view->view;
	o.log_buf = log;
	o.log_size = log_size;
	o.log_level = 1;
	o.no_jit = b->no_jit;
	/* A vcpu_desched program acts on guest memory other vCPUs use
	 * while they run (it unlinks, then acknowledges, a request a
	 * sender spins on): a run cut short between two such stores by
	 * the wall-clock budget would leave the guest waiting forever.
	 * Its run is bounded by the verifier all the same, and it runs on
	 * the VM's own scheduler thread, so it gets no budget; a view
	 * fault still stops it, but only at an access that then did not
	 * happen. */
	o.budget_us = s->event == HUP_EVENT_VCPU_DESCHED ? HUP_RUN_BUDGET_NONE
							 : b->run_budget_us;
	err = hup_prog__load(p->insns, s->insn_cnt, (enum hup_event)s->event,
			     &o, &p->prog);
	if (err) {
		*why = err == -ENOMEM ? HREQ_HOST : HREQ_VERIFIER;
		goto unlock;
	}
	if (s->event == HUP_EVENT_MSR_WRITE) {
		err = update_msr_filter(b, p);
		if (err) {
			*why = HREQ_MSR_FILTER;
			goto unlock;
		}
	}
	pthread_mutex_lock(&b->reg.lock);
	err = registry__add(&b->reg, p);
	pthread_mutex_unlock(&b->reg.lock);
	if (err) {
		*why = err == -ENOSPC  ? HREQ_TOO_MANY_PROGS
		       : err == -EBUSY ? HREQ_EVENT_FULL
				       : HREQ_HOST;
		if (s->event == HUP_EVENT_MSR_WRITE)
			update_msr_filter(b, NULL);
		goto unlock;
	}
	*id = p->id;
	pr_info("hyperupcall: vCPU %u registered program %u \"%s\" on %s "
		"(%u insns, %u window(s), %llu bytes mapped in a view of 2^%u%s, "
		"%s)",
		cpu, p->id, p->name, backend__event_name(p->event), s->insn_cnt,
		p->nr_windows, (unsigned long long)p->view->bytes,
		p->view->bits, p->view->refs > 1 ? ", shared" : "",
		hup_prog__jited_len(p->prog) ? "jited" : "interpreted");
	p = NULL;
unlock:
	if (p)
		prog_free(b, p); /* never attached: nobody else can see it */
	pthread_mutex_unlock(&b->write_lock);
	return err;
}

static int op_register(struct backend *b, uint32_t cpu,
		       const struct hup_request *r, struct hup_request *g,
		       enum hreq_reason *why)
{
	struct backend_prog_spec s = {
	    .event = r->event,
	    .event_arg = r->event_arg,
	    .nr_windows = r->nr_windows,
	    .windows = r->windows,
	    .insn_cnt = r->insn_cnt,
	};
	const void *src;
	void *insns = NULL;
	char *log = NULL;
	int err;

	g->log_len = 0;
	g->prog_id = 0;
	memcpy(s.name, r->name, sizeof(s.name));
	if (!(b->events & (1u << r->event))) {
		*why = HREQ_EVENT;
		return -EOPNOTSUPP;
	}
	if (r->log_size) {
		log = calloc(1, r->log_size);
		if (!log)
			goto nomem;
	}
	/* Copied out of guest RAM once: everything after reads the copy. */
	insns = malloc((size_t)r->insn_cnt * 8);
	if (!insns)
		goto nomem;
	src = mem__gpa_to_hva(b->mem, r->insns_gpa, (uint64_t)r->insn_cnt * 8);
	if (!src) {
		*why = HREQ_INSNS_RANGE; /* validated; cannot happen */
		err = -EFAULT;
		goto out;
	}
	memcpy(insns, src, (size_t)r->insn_cnt * 8);
	s.insns = insns;
	err = backend__register(b, cpu, &s, log, r->log_size, &g->prog_id, why);
	goto out;
nomem:
	*why = HREQ_HOST;
	err = -ENOMEM;
out:
	write_log(b, r, log, g);
	free(insns);
	free(log);
	return err;
}

struct hup_view *backend__prog_view(struct backend *b, uint32_t id)
{
	struct hup_view *v = NULL;
	struct registry_prog *p;

	pthread_mutex_lock(&b->reg.lock);
	p = registry__find(&b->reg, id);
	if (p)
		v = p->view->view;
	pthread_mutex_unlock(&b->reg.lock);
	return v;
}

int backend__set_native(struct backend *b, uint32_t id, backend_native_fn *fn,
			void *opaque)
{
	struct registry_prog *p;

	pthread_mutex_lock(&b->reg.lock);
	p = registry__find(&b->reg, id);
	if (p) {
		p->native = fn;
		p->native_opaque = opaque;
	}
	pthread_mutex_unlock(&b->reg.lock);
	return p ? 0 : -ENOENT;
}

static int op_unregister(struct backend *b, const struct hup_request *r,
			 enum hreq_reason *why)
{
	struct registry_prog *p;
	int err;

	/* As in backend__register: the registry lock only to detach. */
	pthread_mutex_lock(&b->write_lock);
	pthread_mutex_lock(&b->reg.lock);
	p = registry__find(&b->reg, r->prog_id);
	/* Unpublish and wait out every vCPU that may be running it... */
	err = p ? registry__remove(&b->reg, p) : -ENOENT;
	pthread_mutex_unlock(&b->reg.lock);
	if (err) {
		*why = p ? HREQ_HOST : HREQ_NO_PROG;
		goto out;
	}
	/* ...then nobody can reach it (a control thread finds programs by
	 * id under reg.lock): free it and its view pages. */
	if (p->event == HUP_EVENT_MSR_WRITE)
		update_msr_filter(b, NULL); /* an extra MSR is harmless */
	pr_info("hyperupcall: program %u \"%s\" unregistered", p->id, p->name);
	prog_free(b, p);
out:
	pthread_mutex_unlock(&b->write_lock);
	return err;
}

static int op_query(struct backend *b, const struct hup_request *r,
		    struct hup_request *g, enum hreq_reason *why)
{
	struct hup_prog_stats st;
	struct registry_prog *p;
	int err = 0;

	pthread_mutex_lock(&b->reg.lock);
	p = registry__find(&b->reg, r->prog_id);
	if (!p) {
		*why = HREQ_NO_PROG;
		err = -ENOENT;
	} else {
		hup_prog__stats(p->prog, &st);
		g->stat_runs = st.runs;
		g->stat_aborts = st.aborts;
		g->stat_run_ns = st.run_ns;
		g->jited_len = (uint32_t)hup_prog__jited_len(p->prog);
	}
	pthread_mutex_unlock(&b->reg.lock);
	return err;
}

int backend__submit(struct backend *b, uint32_t cpu, uint64_t gpa)
{
	enum hreq_reason why = HREQ_OK;
	struct hup_request r, *g;
	int err;

	err = hreq__copy(b->mem, gpa, &r, &why);
	if (err) {
		count_reject(b, why);
		return err; /* nowhere to write back */
	}
	g = mem__gpa_to_hva(b->mem, gpa, sizeof(*g));
	err = hreq__validate(b->mem, &r, &why);
	if (!err) {
		switch (r.op) {
		case HUP_OP_REGISTER:
			err = op_register(b, cpu, &r, g, &why);
			break;
		case HUP_OP_UNREGISTER:
			err = op_unregister(b, &r, &why);
			break;
		default:
			err = op_query(b, &r, g, &why);
			break;
		}
	}
	if (err) {
		count_reject(b, why);
		pr_debug("hyperupcall: vCPU %u request at %#llx refused: %s "
			 "(%d)",
			 cpu, (unsigned long long)gpa, hreq__reason_name(why),
			 err);
	} else {
		atomic_fetch_add_explicit(&b->st.requests[r.op], 1,
					  memory_order_relaxed);
	}
	/* The out-fields are the only guest writes; result last. */
	__atomic_store_n(&g->result, err, __ATOMIC_RELEASE);
	return err;
}
