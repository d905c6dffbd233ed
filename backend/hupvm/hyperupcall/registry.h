/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The program registry of one VM: up to HUP_MAX_PROGS registered programs,
 * at most HUP_MAX_PROGS_PER_EVENT attached to each event, and the scheme
 * that lets a vCPU unregister a program while other vCPU threads may be
 * running it.
 *
 * Safe reclamation (an RCU-like scheme, "quiescent-state" flavour):
 *  - Each event's attached programs are an immutable array (struct
 *    registry_list) published through an atomic pointer.  Writers (register,
 *    unregister; serialized by the backend's write lock, and holding
 *    `lock` while they change progs[] and the lists) build a new array,
 *    publish it, then wait for a grace period before freeing anything the
 *    old one named.
 *  - Every thread that runs programs owns one reader slot: a counter it
 *    makes odd on entering a read section and even on leaving (vCPU i uses
 *    slot i, the control thread REGISTRY_READER_CONTROL).  A seq_cst fence
 *    after entering orders the slot update before the list load; the
 *    writer's seq_cst fence after publishing orders the publish before it
 *    samples the slots.  So a reader either entered after the publish (and
 *    sees the new array) or the writer sees its odd counter and waits
 *    until that counter moves.
 *  - Read sections are short and never block: they run bounded programs.
 *    Nothing that waits (pausing, KVM ioctls other than the program's own
 *    helpers) happens inside one, and a writer never holds a read section,
 *    so the wait always ends.
 * The cost on the hot path is two stores and one fence per event with
 * programs attached, and one relaxed load when none are.
 */
#ifndef HUPVM_HYPERUPCALL_REGISTRY_H
#define HUPVM_HYPERUPCALL_REGISTRY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <hup/libhup.h>

#include "hyperupcall/ptwalk.h"
#include "hyperupcall/pview.h"

#define REGISTRY_MAX_VCPUS 64u
#define REGISTRY_READER_CONTROL REGISTRY_MAX_VCPUS
/* The vCPU scheduler's thread (HUP_EVENT_VCPU_DESCHED runs). */
#define REGISTRY_READER_SCHED (REGISTRY_MAX_VCPUS + 1u)
#define REGISTRY_READERS (REGISTRY_MAX_VCPUS + 2u)

/* One run of a program's windows as resolved at registration: guest
 * virtual [gva, gva + len) is guest RAM [gpa, gpa + len), with the
 * window's rights.  What its view maps, whatever the guest's page tables
 * say later (snapshot semantics, backend.h). */
struct registry_run {
	uint64_t gva, gpa, len;
	uint32_t prot, reserved;
};

/* A native stand-in for a program (backend.h, backend__set_native). */
typedef int backend_native_fn(void *opaque, void *ctx, size_t ctx_size,
			      const struct hup_run_env *env, uint64_t *r0);

struct registry_prog {
	uint32_t id;
	uint32_t event;
	uint64_t event_arg;
	uint32_t vcpu; /* the vCPU that registered it */
	char name[HUP_NAME_LEN];
	struct hup_prog *prog;
	struct pview *view; /* its own (pview.h), never NULL once loaded */
	uint32_t nr_windows;
	struct hup_window windows[HUP_MAX_WINDOWS];
	uint64_t window_holes; /* bytes of windows left as holes */
	/* What a snapshot needs to register it again (snapshot.h): the
	 * bytecode as it was verified (the guest's copy, after its
	 * relocations; libhup patches its own copy), the paging root its
	 * windows were resolved through and the runs they resolved to (the
	 * root's tables may be gone by then: a process that exited). */
	void *insns;
	uint32_t insn_cnt;
	struct ptw_root root;
	struct registry_run *runs;
	uint32_t nr_runs, cap_runs;
	/* Run in place of prog when set (backend__set_native). */
	backend_native_fn *native;
	void *native_opaque;
};

struct registry_list {
	uint32_t n;
	struct registry_prog *p[HUP_MAX_PROGS_PER_EVENT];
};

struct registry_reader {
	_Atomic uint64_t seq;
	char pad[64 - sizeof(uint64_t)]; /* one cache line per reader */
};

struct registry {
	pthread_mutex_t lock; /* changes to progs[], and readers of it */
	struct registry_prog *progs[HUP_MAX_PROGS];
	uint32_t nr_progs;
	uint32_t next_id;
	struct registry_list *_Atomic lists[HUP_EVENT_MAX + 1];
	struct registry_reader readers[REGISTRY_READERS];
};

void registry__init(struct registry *r);
/* Frees the lists; the programs are the owner's (see registry__take_all). */
void registry__exit(struct registry *r);

/* ---- read side (any thread with its own reader slot) */
void registry__read_lock(struct registry *r, unsigned int reader);
void registry__read_unlock(struct registry *r, unsigned int reader);
/* Inside a read section: the programs attached to event (may be NULL). */
const struct registry_list *registry__list(struct registry *r, uint32_t event);
/* Outside one: whether anything is attached (a hint, no dereference). */
int registry__any(struct registry *r, uint32_t event);

/* ---- write side: with r->lock held (registry__room and registry__find only read:
 * the one writer may call them without it, since only writers change
 * what they read) */
/* Room for one more program on event: 0, -ENOSPC or -EBUSY. */
int registry__room(const struct registry *r, uint32_t event);
/* Give p an id, attach and publish it.  0, -ENOSPC, -EBUSY, -ENOMEM. */
int registry__add(struct registry *r, struct registry_prog *p);
struct registry_prog *registry__find(const struct registry *r, uint32_t id);
/*
 * Detach p from its event, wait until no reader can still run it, and
 * hand it back (the caller frees it).  0 or -ENOMEM (nothing changed).
 */
int registry__remove(struct registry *r, struct registry_prog *p);
/* Wait for every read section that started before the call. */
void registry__synchronize(struct registry *r);

#endif
