/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The upcall baseline (abi.h, "The upcall baseline"): the host asks the
 * guest kernel a question by interrupting it and waits for its answer, the
 * way SymCall does.  It exists to be measured against hyperupcalls
 * (docs/bench-costs.md), so it is built as a real one would be: the
 * question in a guest-owned block, an interrupt, the answer rung back on
 * the doorbell, and a timeout so a guest that never answers (no module, a
 * hung or hostile kernel) costs the caller its timeout and nothing more.
 *
 * It knows guest RAM and nothing of KVM: raising the interrupt is a
 * callback (x86/hup.c pulses the GSI; the unit tests answer from a thread).
 *
 * Threads: attach and done come from vCPU threads (the doorbell), call
 * from the control thread; one question at a time, under the lock, which
 * is never held while waiting.
 */
#ifndef HUPVM_UPCALL_H
#define HUPVM_UPCALL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hyperupcall/abi.h>

#include "mem.h"

/* What one question may cost the caller at most, unless it asks less. */
#define UPCALL_TIMEOUT_MS_DEFAULT 1000u
#define UPCALL_TIMEOUT_MS_MAX 60000u

struct upcall_stats {
	atomic_ulong attaches, calls, answered, timeouts, late, refused;
};

struct upcall {
	const struct mem *mem;
	void (*raise)(void *opaque); /* interrupt the guest */
	void *opaque;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct hup_upcall_block *block; /* host address; NULL: not attached */
	uint64_t block_gpa;
	uint32_t seq;  /* the last question's number */
	bool busy;     /* a question is out */
	bool answered; /* ... and its doorbell rang */
	struct upcall_stats st;
};

struct upcall_answer {
	int32_t result; /* the guest's: 0 or -errno (clamped) */
	uint32_t len;   /* bytes in data (<= HUP_UPCALL_ANSWER_MAX) */
	uint8_t data[HUP_UPCALL_ANSWER_MAX];
	uint64_t ns;    /* from the question written to the answer read */
};

int upcall__init(struct upcall *u, const struct mem *m,
		 void (*raise)(void *opaque), void *opaque);
void upcall__destroy(struct upcall *u);

/* Doorbell HUP_DB_UPCALL_ATTACH: the guest's block at gpa (0 detaches).
 * 0, -EFAULT (not page aligned or not wholly in RAM), -EPROTO (bad
 * magic), -EBUSY (a question is out). */
int upcall__attach(struct upcall *u, uint64_t gpa);
/* Doorbell HUP_DB_UPCALL_DONE: the guest answered question seq. */
void upcall__done(struct upcall *u, uint32_t seq);

/*
 * Ask question kind with args (nargs <= HUP_UPCALL_NR_ARGS, the rest 0)
 * and wait up to timeout_ms (0: the default).  0 with *a filled (the
 * guest's own verdict is a->result), or -ENODEV (no block attached),
 * -EBUSY (another question is out), -EINVAL (bad kind or nargs),
 * -ETIMEDOUT (no answer in time; a late one is ignored).
 */
int upcall__call(struct upcall *u, uint32_t kind, const uint64_t *args,
		 unsigned int nargs, uint32_t timeout_ms,
		 struct upcall_answer *a);

bool upcall__attached(struct upcall *u);

/* The question's name (abi.h HUP_UPCALL_LIST), NULL if unknown. */
const char *upcall__kind_name(uint32_t kind);
/* The kind named s, or 0. */
uint32_t upcall__kind_of(const char *s);

#endif
