// SPDX-License-Identifier: BSD-2-Clause
/*
 * Automatic reclaim when the host is short of memory (see autoreclaim.h).
 */
#include "autoreclaim.h"

#include <hyperupcall/abi.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "vm.h"
#include "vmreclaim.h"

int autoreclaim__mem_available(const char *path, uint64_t *kib)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int err = -ENOENT;

	if (!f) /* never 0: 0 would tell the caller *kib was set */
		return errno ? -errno : -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "MemAvailable: %llu kB", &v) == 1) {
			*kib = v;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

/* A round over every reclaim program; returns how many there were. */
static unsigned int round_all(struct autoreclaim *a)
{
	uint32_t ids[HUP_MAX_PROGS];
	unsigned int n = backend__reclaim_progs(a->vm->hup, ids, HUP_MAX_PROGS);
	uint64_t pages = 0, bytes = 0, stop = 0;
	int err = 0;

	if (!n)
		return 0; /* nothing to ask: no round, no log line */
	for (unsigned int i = 0; i < n; i++) {
		struct backend_reclaim_opts how = {.max_bytes = a->max_bytes};
		struct backend_reclaim_report rep;
		int e = vm__reclaim(a->vm, ids[i], &how, &rep);

		pages += rep.pages;
		if (rep.bytes_before > rep.bytes_after)
			bytes += rep.bytes_before - rep.bytes_after;
		if (rep.max_stop_ns > stop)
			stop = rep.max_stop_ns;
		if (e && !err)
			err = e;
	}
	atomic_fetch_add(&a->vm->hup->st.auto_reclaim_rounds, 1);
	pr_warn("auto-reclaim: %u program(s), %llu pages discarded, %llu bytes "
		"returned, longest stop %.3f ms%s%s",
		n, (unsigned long long)pages, (unsigned long long)bytes,
		stop / 1e6, err ? ", error: " : "", err ? strerror(-err) : "");
	return n;
}

int autoreclaim__check(struct autoreclaim *a, uint64_t now_ns)
{
	const char *path = getenv(AUTORECLAIM_MEMINFO_ENV);
	uint64_t kib;
	int err;

	if (a->last_round_ns && now_ns - a->last_round_ns < a->interval_ns)
		return 0;
	err =
	    autoreclaim__mem_available(path ? path : AUTORECLAIM_MEMINFO, &kib);
	if (err)
		return err;
	if (kib >= a->threshold_kib)
		return 0;
	if (!round_all(a))
		return 0;
	a->last_round_ns = now_ns;
	return 1;
}

static void *loop(void *arg)
{
	struct autoreclaim *a = arg;
	struct timespec ts = {AUTORECLAIM_POLL_MS / 1000,
			      (AUTORECLAIM_POLL_MS % 1000) * 1000000l};
	sigset_t set;
	bool warned = false;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1); /* the vCPU kick signal is not for us */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!atomic_load(&a->stop)) {
		int err = autoreclaim__check(a, backend__now_ns());

		if (err < 0 && !warned) {
			pr_warn("auto-reclaim: cannot read MemAvailable: %s",
				strerror(-err));
			warned = true;
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int autoreclaim__start(struct autoreclaim *a, struct vm *vm,
		       uint64_t threshold_mib, uint64_t max_bytes,
		       unsigned int interval_s)
{
	memset(a, 0, sizeof(*a));
	a->vm = vm;
	a->threshold_kib = threshold_mib << 10;
	a->max_bytes = max_bytes;
	a->interval_ns = interval_s * 1000000000ull;
	if (!vm->hup)
		return -ENODEV;
	if (pthread_create(&a->thread, NULL, loop, a))
		return -EAGAIN;
	a->started = true;
	return 0;
}

void autoreclaim__stop(struct autoreclaim *a)
{
	if (!a->started)
		return;
	atomic_store(&a->stop, true);
	pthread_join(a->thread, NULL);
	a->started = false;
}
