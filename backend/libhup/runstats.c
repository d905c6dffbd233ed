// SPDX-License-Identifier: BSD-2-Clause
/*
 * Per-thread run counters (runstats.h): the slot indices threads hold.
 */
#include "runstats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

__thread uint32_t hup_run_slot_tls __attribute__((tls_model("initial-exec")));

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t slots_used; /* bit k: slot k held by a live thread */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static int key_err;

_Static_assert(HUP_RUN_STATS_SLOTS == 64, "one bit per slot in a u64");

/* At a thread's exit: its slot back.  A later thread that takes it goes
 * on counting where this one stopped: every count stays in the sums. */
static void give_back(void *v)
{
	uint32_t k = (uint32_t)(uintptr_t)v - 1;

	pthread_mutex_lock(&slots_lock);
	slots_used &= ~(1ull << k);
	pthread_mutex_unlock(&slots_lock);
}

static void key_init(void)
{
	key_err = pthread_key_create(&key, give_back);
}

uint32_t hup_run_stats__take_slot(void)
{
	uint32_t k = HUP_RUN_STATS_SLOTS;

	pthread_once(&key_once, key_init);
	pthread_mutex_lock(&slots_lock);
	if (!key_err && ~slots_used) {
		k = (uint32_t)__builtin_ctzll(~slots_used);
		/* the destructor runs only for a non-NULL value: k + 1 */
		if (pthread_setspecific(key, (void *)(uintptr_t)(k + 1)))
			k = HUP_RUN_STATS_SLOTS;
		else
			slots_used |= 1ull << k;
	}
	pthread_mutex_unlock(&slots_lock);
	hup_run_slot_tls = k + 1;
	return k;
}

struct hup_run_stats *hup_run_stats__new(void)
{
	struct hup_run_stats *s = aligned_alloc(64, sizeof(*s));

	if (s)
		memset(s, 0, sizeof(*s));
	return s;
}

void hup_run_stats__free(struct hup_run_stats *s)
{
	free(s);
}

void hup_run_stats__sum(const struct hup_run_stats *s, uint64_t *runs,
			uint64_t *run_ns)
{
	uint64_t r = 0, n = 0;

	for (uint32_t k = 0; k <= HUP_RUN_STATS_SLOTS; k++) {
		r += __atomic_load_n(&s->slot[k].runs, __ATOMIC_RELAXED);
		n += __atomic_load_n(&s->slot[k].run_ns, __ATOMIC_RELAXED);
	}
	*runs = r;
	*run_ns = n;
}
