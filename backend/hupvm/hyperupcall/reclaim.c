// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reclaim (HUP_EVENT_RECLAIM, docs/hupvm.md "reclaim"): walk guest RAM in
 * batches of HUP_RECLAIM_BATCH pfns, ask the guest's program which pages
 * are free, and punch those pages out of the guest memfd.
 *
 * The walk is cut into chunks so that the guest is never stopped for
 * longer than the stop budget: each chunk parks every vCPU, takes the
 * registry lock, re-finds the program, runs batches and discards each
 * batch's answer while the guest is still parked (an answer acted on
 * after the guest ran again could discard a page it has just allocated),
 * then drops the lock, resumes the vCPUs and lets the guest run for a
 * short gap.  The lock is per chunk so queries, listings and
 * (un)registrations get in between chunks.
 */
#include "hyperupcall/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#define PAGE 4096ull

struct walk {
	struct backend *b;
	const struct backend_reclaim_opts *o;
	struct backend_reclaim_report *rep;
	uint64_t stop_ns, max_pages;
	unsigned int region; /* position: region index and page in it */
	uint64_t page;
	uint64_t max_discard_ns, max_resume_ns; /* seen so far */
};

static uint64_t clock_ns(const struct walk *w)
{
	return w->o->clock ? w->o->clock(w->o->opaque) : backend__now_ns();
}

int backend__mem_allocated(const struct backend *b, uint64_t *bytes)
{
	struct stat st;

	if (fstat(b->mem->fd, &st) < 0)
		return -errno;
	*bytes = (uint64_t)st.st_blocks * 512;
	return 0;
}

unsigned int backend__reclaim_progs(struct backend *b, uint32_t *ids,
				    unsigned int cap)
{
	unsigned int n = 0;

	pthread_mutex_lock(&b->reg.lock);
	for (unsigned int i = 0; i < HUP_MAX_PROGS && n < cap; i++) {
		const struct registry_prog *p = b->reg.progs[i];

		if (p && p->event == HUP_EVENT_RECLAIM)
			ids[n++] = p->id;
	}
	pthread_mutex_unlock(&b->reg.lock);
	return n;
}

/* The worst case of one run: libhup aborts a run past its budget. */
static uint64_t run_worst_ns(const struct backend *b)
{
	uint32_t us =
	    b->run_budget_us ? b->run_budget_us : HUP_RUN_BUDGET_US_GLOBAL;

	return us == HUP_RUN_BUDGET_NONE ? UINT64_MAX : us * 1000ull;
}

static bool walk_done(const struct walk *w)
{
	return w->region >= w->b->mem->nr ||
	       (w->max_pages && w->rep->pages >= w->max_pages);
}

static uint64_t region_off(const struct walk *w)
{
	uint64_t off = 0;

	for (unsigned int k = 0; k < w->region; k++)
		off += w->b->mem->regions[k].size;
	return off;
}

/* Discard [off, off + len) of guest RAM: the memfd pages are freed and
 * read back as zeros (KVM's mappings follow through the MMU notifier). */
static int discard(struct backend *b, uint64_t off, uint64_t len)
{
	if (fallocate(b->mem->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return -errno;
	atomic_fetch_add(&b->st.pages_discarded, len / PAGE);
	return 0;
}

/* 1 if [off, off + len) of the memfd holds no allocated page (all holes:
 * never touched, or discarded before), so asking the program about it
 * could not give anything back. */
static bool all_holes(const struct backend *b, uint64_t off, uint64_t len)
{
	off_t data = lseek(b->mem->fd, (off_t)off, SEEK_DATA);

	if (data < 0)
		return errno == ENXIO; /* no data from off to the end */
	return (uint64_t)data >= off + len;
}

/* --audit, one page the host holds: counted bad if it holds anything but
 * the guest's free-page fill (the first such page is recorded). */
static void audit_page(struct walk *w, uint64_t off, uint64_t pfn)
{
	const uint64_t poison = 0x0101010101010101ull * w->o->audit_byte;
	/* via void *: a page of the memfd mapping, page-aligned */
	const uint64_t *q = (const void *)(w->b->mem->hva + off);

	for (unsigned int k = 0; k < PAGE / 8; k++) {
		if (q[k] == poison)
			continue;
		if (!w->rep->audit_bad++) {
			w->rep->audit_first_pfn = pfn;
			w->rep->audit_first_off = k * 8;
			w->rep->audit_first_word = q[k];
		}
		return;
	}
}

/* --audit, pages [pfn, pfn + n) at memfd offset off, all answered free:
 * the ones the host holds must hold the guest's free-page fill.  Holes
 * are counted, not read (a read would allocate them). */
static int audit(struct walk *w, uint64_t off, uint64_t pfn, uint64_t n)
{
	uint64_t end = off + n * PAGE;

	while (off < end) {
		off_t data = lseek(w->b->mem->fd, (off_t)off, SEEK_DATA);
		off_t hole;

		if (data < 0 && errno != ENXIO)
			return -errno;
		if (data < 0 || (uint64_t)data >= end) {
			w->rep->audit_holes += (end - off) / PAGE;
			break;
		}
		w->rep->audit_holes += ((uint64_t)data - off) / PAGE;
		pfn += ((uint64_t)data - off) / PAGE;
		off = (uint64_t)data;
		hole = lseek(w->b->mem->fd, (off_t)off, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		for (; off < end && off < (uint64_t)hole; off += PAGE, pfn++)
			audit_page(w, off, pfn);
	}
	return 0;
}

/* One batch at the walk's position: run, then discard every run of set
 * bits (capped by max_pages).  Nothing is discarded if the run failed.
 * A batch the host holds no memory of is skipped without running.
 * *t: the clock when it starts, and when it ends (one reading per phase,
 * so the phases add up to the stop). */
static int batch(struct walk *w, struct registry_prog *p, uint64_t *t)
{
	const struct mem_region *r = &w->b->mem->regions[w->region];
	uint64_t left = r->size / PAGE - w->page, base, s;
	uint32_t n =
	    left < HUP_RECLAIM_BATCH ? (uint32_t)left : HUP_RECLAIM_BATCH;
	struct hup_reclaim_ctx ctx;
	bool acted = false; /* a discard or an audit ran */
	uint32_t i = 0;
	int err = 0;

	base = region_off(w) + w->page * PAGE;
	if (!w->o->every_batch && all_holes(w->b, base, (uint64_t)n * PAGE)) {
		w->rep->skipped++;
		goto next;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.pfn_start = r->gpa / PAGE + w->page;
	ctx.nr_pfns = n;
	err = backend__run_reclaim(w->b, p, &ctx);
	w->rep->batches++;
	s = clock_ns(w);
	w->rep->scan_ns += s - *t;
	*t = s;
	if (err) {
		w->rep->refused = true;
		return err;
	}
	while (i < n && !err) {
		uint64_t room =
		    w->max_pages ? w->max_pages - w->rep->pages : UINT64_MAX;
		uint32_t j;

		if (!room)
			break;
		if (!(ctx.free[i / 64] & (1ull << (i % 64)))) {
			i++;
			continue;
		}
		/* Only bits below nr_pfns count: the rest of free[] is
		 * ignored, so a program cannot free beyond the batch. */
		for (j = i; j < n && ctx.free[j / 64] & (1ull << (j % 64)) &&
			    j - i < room;
		     j++)
			;
		if (w->o->audit) {
			err = audit(w, base + i * PAGE, ctx.pfn_start + i, j - i);
			acted = true;
		} else if (!w->o->dry_run) {
			err = discard(w->b, base + i * PAGE,
				      (uint64_t)(j - i) * PAGE);
			acted = true;
		}
		if (!err)
			w->rep->pages += j - i;
		i = j;
	}
	/* A batch that only counted bits costs no clock read of its own (a
	 * read is microseconds on a host whose clocksource fell back to the
	 * HPET): its few nanoseconds go to the next phase read. */
	if (!acted) {
		*t = s;
		goto next;
	}
	*t = clock_ns(w);
	w->rep->discard_ns += *t - s;
	if (*t - s > w->max_discard_ns)
		w->max_discard_ns = *t - s;
next:
	w->page += n;
	if (w->page >= r->size / PAGE) {
		w->region++;
		w->page = 0;
	}
	return err;
}

/* Would one more batch, then the resume, still end within the budget? */
static bool fits(const struct walk *w, uint64_t spent)
{
	uint64_t worst = run_worst_ns(w->b);

	if (worst == UINT64_MAX)
		return false;
	worst += w->max_discard_ns + w->max_resume_ns;
	return spent + worst <= w->stop_ns;
}

/* One stop of the guest: 0 or -errno.  The vCPUs are parked before the
 * registry lock is taken: a vCPU waiting for the lock in a registration
 * could not reach the point where it parks. */
static int chunk(struct walk *w, uint32_t id)
{
	const struct backend_reclaim_opts *o = w->o;
	struct backend_reclaim_report *rep = w->rep;
	uint64_t t0 = clock_ns(w), t, stop;
	struct registry_prog *p;
	unsigned int runs = 0;
	int err = o->park ? o->park(o->opaque) : 0;

	t = clock_ns(w);
	if (err) {
		rep->park_ns += t - t0;
		return err;
	}
	/* Before the first resume is measured, a park is our best guess. */
	if (!w->max_resume_ns)
		w->max_resume_ns = t - t0;
	/* A query holding the lock delays us: counted with the park. */
	pthread_mutex_lock(&w->b->reg.lock);
	t = clock_ns(w);
	rep->park_ns += t - t0;
	/* Re-found every chunk: the guest may unregister it in a gap. */
	p = backend__global_prog(w->b, id, HUP_EVENT_RECLAIM, &err);
	if (p && !rep->chunks)
		atomic_fetch_add(&w->b->st.dispatches[HUP_EVENT_RECLAIM], 1);
	while (p && !err && !walk_done(w) && (!runs || fits(w, t - t0))) {
		err = batch(w, p, &t);
		runs++;
	}
	pthread_mutex_unlock(&w->b->reg.lock);
	if (o->unpark)
		o->unpark(o->opaque);
	stop = clock_ns(w);
	rep->resume_ns += stop - t;
	if (stop - t > w->max_resume_ns)
		w->max_resume_ns = stop - t;
	stop -= t0;
	if (stop > rep->max_stop_ns)
		rep->max_stop_ns = stop;
	rep->chunks++;
	return err;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull),
			      (long)(ns % 1000000000ull)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void account(struct backend *b, const struct backend_reclaim_report *rep)
{
	uint64_t old = atomic_load(&b->st.reclaim_max_stop_ns);

	atomic_fetch_add(&b->st.reclaims, 1);
	if (rep->bytes_before > rep->bytes_after)
		atomic_fetch_add(&b->st.reclaim_bytes_returned,
				 rep->bytes_before - rep->bytes_after);
	while (rep->max_stop_ns > old &&
	       !atomic_compare_exchange_weak(&b->st.reclaim_max_stop_ns, &old,
					     rep->max_stop_ns))
		;
}

int backend__reclaim(struct backend *b, uint32_t id,
		     const struct backend_reclaim_opts *o,
		     struct backend_reclaim_report *rep)
{
	struct walk w;
	uint64_t t0;
	int err;

	memset(rep, 0, sizeof(*rep));
	memset(&w, 0, sizeof(w));
	w.b = b;
	w.o = o;
	w.rep = rep;
	w.stop_ns =
	    o->stop_budget_ns ? o->stop_budget_ns : BACKEND_RECLAIM_STOP_NS;
	w.max_pages = o->max_bytes / PAGE;
	if (o->max_bytes && !w.max_pages)
		return -EINVAL; /* less than a page can never be discarded */
	t0 = clock_ns(&w);
	err = backend__mem_allocated(b, &rep->bytes_before);
	if (err)
		return err;
	for (;;) {
		err = chunk(&w, id);
		if (err || walk_done(&w))
			break;
		sleep_ns(o->gap_ns ? o->gap_ns : BACKEND_RECLAIM_GAP_NS);
	}
	if (w.region < b->mem->nr)
		rep->next_pfn = b->mem->regions[w.region].gpa / PAGE + w.page;
	else if (b->mem->nr)
		rep->next_pfn = (b->mem->regions[b->mem->nr - 1].gpa +
				 b->mem->regions[b->mem->nr - 1].size) /
				PAGE;
	if (backend__mem_allocated(b, &rep->bytes_after))
		rep->bytes_after = rep->bytes_before;
	rep->total_ns = clock_ns(&w) - t0;
	/* it ran, if only partly; a dry run gave nothing back */
	if ((rep->batches || rep->skipped) && !o->dry_run && !o->audit)
		account(b, rep);
	return err;
}
