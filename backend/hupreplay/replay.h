/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupreplay's session: a snapshot (hupvm's snapshot.h) opened and checked,
 * its guest RAM in a memfd laid out as hupvm had it, a hyperupcall backend
 * (hupvm's, with no KVM behind it) on that RAM, and one program of the
 * snapshot registered again through backend__register: its recorded
 * bytecode verified by libhup, its windows resolved through its recorded
 * paging root and mapped into the view by the same code as in hupvm.
 * Then its event runs natively, as often as asked.
 */
#ifndef HUPREPLAY_REPLAY_H
#define HUPREPLAY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hyperupcall/backend.h"
#include "snapshot.h"

#define REPLAY_LOG_SIZE (64u * 1024u)

struct replay_opts {
	bool no_jit;
	/* hup_load_opts.budget_us: 0 = libhup's per event, as in hupvm */
	uint32_t run_budget_us;
	bool event_arg_set; /* replace the recorded event_arg */
	uint64_t event_arg;
	/* debug_print lines (may be NULL: dropped) */
	void (*line)(void *opaque, const char *line, uint32_t len);
	void *opaque;
};

struct replay {
	struct snapshot snap;
	struct mem mem;
	struct backend b;
	bool have_mem, have_backend;
	const struct snapshot_prog *rec;
	struct replay_opts o;
	uint32_t id;	   /* the program's id in this backend */
	bool view_differs; /* mapped/hole bytes not as recorded */
	uint64_t mapped_bytes, hole_bytes;
	char log[REPLAY_LOG_SIZE]; /* the verifier's, at registration */
};

/*
 * Open snapshot path and register its program id.  0, or -errno with one
 * line in err (a bad snapshot, -ENOENT for an unknown id, the verifier's
 * refusal: r->log has its log).
 */
int replay__open(struct replay *r, const char *path, uint32_t id,
		 const struct replay_opts *o, char *err, size_t errlen);
void replay__close(struct replay *r);

/* Run a query program once: its output into out, its return value into
 * *r0; 0 or -errno. */
int replay__query(struct replay *r, const uint64_t args[4], char *out,
		  size_t cap, size_t *len, uint64_t *r0);
/*
 * Walk all of the snapshot's RAM as a reclaim does (backend__reclaim, in
 * one stop, discarding nothing).  rep->pages: pages found free.
 */
int replay__reclaim(struct replay *r, struct backend_reclaim_report *rep);

#endif
