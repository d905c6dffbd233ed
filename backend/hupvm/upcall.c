// SPDX-License-Identifier: BSD-2-Clause
/*
 * The upcall baseline (see upcall.h).  The block lives in guest RAM and
 * the guest may rewrite it at any moment: the host writes the question
 * with single stores, seq last; it reads each answer field once, after the
 * doorbell, and clamps what it read.  A guest can make its own answer
 * wrong, never make the host read or write outside its block.
 */
#include "upcall.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock.h"

static const char *const kind_names[HUP_UPCALL_MAX + 1] =
    HUP_UPCALL_NAMES_INIT;

const char *upcall__kind_name(uint32_t kind)
{
	return kind <= HUP_UPCALL_MAX ? kind_names[kind] : NULL;
}

uint32_t upcall__kind_of(const char *s)
{
	for (uint32_t k = 1; k <= HUP_UPCALL_MAX; k++)
		if (kind_names[k] && !strcmp(kind_names[k], s))
			return k;
	return 0;
}

int upcall__init(struct upcall *u, const struct mem *m,
		 void (*raise)(void *opaque), void *opaque)
{
	pthread_condattr_t ca;
	int err;

	memset(u, 0, sizeof(*u));
	u->mem = m;
	u->raise = raise;
	u->opaque = opaque;
	err = pthread_mutex_init(&u->lock, NULL);
	if (err)
		return -err;
	/* Timeouts on CLOCK_MONOTONIC: a host clock step must not turn a
	 * one-second wait into an hour, or into nothing. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	err = pthread_cond_init(&u->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (err) {
		pthread_mutex_destroy(&u->lock);
		return -err;
	}
	return 0;
}

void upcall__destroy(struct upcall *u)
{
	pthread_cond_destroy(&u->cond);
	pthread_mutex_destroy(&u->lock);
}

int upcall__attach(struct upcall *u, uint64_t gpa)
{
	struct hup_upcall_block *b = NULL;
	int err = 0;

	if (gpa) {
		/* Page aligned, so the block never straddles two regions'
		 * worth of checks, and wholly in RAM. */
		if (gpa & 4095)
			return -EFAULT;
		b = mem__gpa_to_hva(u->mem, gpa, sizeof(*b));
		if (!b)
			return -EFAULT;
		if (__atomic_load_n(&b->magic, __ATOMIC_RELAXED) !=
		    HUP_UPCALL_MAGIC)
			return -EPROTO;
	}
	pthread_mutex_lock(&u->lock);
	if (u->busy) {
		err = -EBUSY;
	} else {
		u->block = b;
		u->block_gpa = gpa;
		atomic_fetch_add(&u->st.attaches, 1);
	}
	pthread_mutex_unlock(&u->lock);
	return err;
}

bool upcall__attached(struct upcall *u)
{
	bool yes;

	pthread_mutex_lock(&u->lock);
	yes = u->block != NULL;
	pthread_mutex_unlock(&u->lock);
	return yes;
}

void upcall__done(struct upcall *u, uint32_t seq)
{
	pthread_mutex_lock(&u->lock);
	if (u->busy && !u->answered && seq == u->seq) {
		u->answered = true;
		pthread_cond_broadcast(&u->cond);
	} else {
		/* an answer after its timeout, or a guest ringing at will */
		atomic_fetch_add(&u->st.late, 1);
	}
	pthread_mutex_unlock(&u->lock);
}

/* Read the answer once; nothing the guest wrote is trusted. */
static void read_answer(const struct hup_upcall_block *b,
			struct upcall_answer *a)
{
	int32_t r = __atomic_load_n(&b->result, __ATOMIC_ACQUIRE);
	uint32_t len = __atomic_load_n(&b->answer_len, __ATOMIC_RELAXED);

	a->result = r > 0 || r < -4095 ? -EPROTO : r;
	a->len = len > HUP_UPCALL_ANSWER_MAX ? HUP_UPCALL_ANSWER_MAX : len;
	memcpy(a->data, (const void *)b->answer, a->len);
}

int upcall__call(struct upcall *u, uint32_t kind, const uint64_t *args,
		 unsigned int nargs, uint32_t timeout_ms,
		 struct upcall_answer *a)
{
	struct hup_upcall_block *b;
	struct timespec until;
	uint64_t t0, deadline;
	uint32_t seq;
	int err = 0;

	memset(a, 0, sizeof(*a));
	if (!upcall__kind_name(kind) || nargs > HUP_UPCALL_NR_ARGS ||
	    (nargs && !args) || timeout_ms > UPCALL_TIMEOUT_MS_MAX)
		return -EINVAL;
	if (!timeout_ms)
		timeout_ms = UPCALL_TIMEOUT_MS_DEFAULT;

	pthread_mutex_lock(&u->lock);
	if (!u->block || u->busy) {
		err = u->block ? -EBUSY : -ENODEV;
		atomic_fetch_add(&u->st.refused, 1);
		pthread_mutex_unlock(&u->lock);
		return err;
	}
	b = u->block;
	seq = ++u->seq ? u->seq : ++u->seq; /* 0 is "never asked" */
	u->busy = true;
	u->answered = false;
	atomic_fetch_add(&u->st.calls, 1);
	pthread_mutex_unlock(&u->lock);

	t0 = hupvm_now_ns();
	__atomic_store_n(&b->kind, kind, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < HUP_UPCALL_NR_ARGS; i++)
		__atomic_store_n(&b->args[i], i < nargs ? args[i] : 0,
				 __ATOMIC_RELAXED);
	__atomic_store_n(&b->seq, seq, __ATOMIC_RELEASE);
	u->raise(u->opaque);

	deadline = t0 + (uint64_t)timeout_ms * 1000000u;
	until.tv_sec = (time_t)(deadline / 1000000000u);
	until.tv_nsec = (long)(deadline % 1000000000u);
	pthread_mutex_lock(&u->lock);
	while (!u->answered && !err)
		if (pthread_cond_timedwait(&u->cond, &u->lock, &until) ==
		    ETIMEDOUT)
			err = u->answered ? 0 : -ETIMEDOUT;
	if (!err) {
		read_answer(b, a);
		a->ns = hupvm_now_ns() - t0;
		atomic_fetch_add(&u->st.answered, 1);
	} else {
		atomic_fetch_add(&u->st.timeouts, 1);
	}
	u->busy = false;
	pthread_mutex_unlock(&u->lock);
	return err;
}
