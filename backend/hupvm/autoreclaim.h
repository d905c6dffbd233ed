/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Automatic reclaim (--auto-reclaim MIB): a thread that reads the host's
 * MemAvailable from /proc/meminfo every AUTORECLAIM_POLL_MS and, when it
 * is below the threshold, runs every registered reclaim program (at most
 * once per interval, at most max_bytes per program and round).  Each
 * round logs one line and is counted in the backend's stats.
 *
 * MemAvailable is the kernel's own estimate of what can be allocated
 * without swapping; it is what the host is short of.  The file read can
 * be replaced, for tests only, through the environment variable
 * AUTORECLAIM_MEMINFO_ENV.
 */
#ifndef HUPVM_AUTORECLAIM_H
#define HUPVM_AUTORECLAIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define AUTORECLAIM_MEMINFO	"/proc/meminfo"
#define AUTORECLAIM_MEMINFO_ENV "HUPVM_TEST_MEMINFO"
/* How often MemAvailable is read: cheap, and fast enough to follow a
 * host that is filling up. */
#define AUTORECLAIM_POLL_MS	500u

struct vm;

struct autoreclaim {
	struct vm *vm;
	uint64_t threshold_kib; /* MemAvailable below this: reclaim */
	uint64_t max_bytes;	/* per program and round */
	uint64_t interval_ns;	/* between two rounds, at least */
	uint64_t last_round_ns; /* 0: none yet */
	pthread_t thread;
	bool started;
	atomic_bool stop;
};

/* MemAvailable of a meminfo file, in KiB: 0, -ENOENT if absent, -errno. */
int autoreclaim__mem_available(const char *path, uint64_t *kib);
/*
 * One check at time now_ns: if MemAvailable is below the threshold and
 * the interval has passed, a round over every reclaim program.  Returns
 * 1 if a round ran, 0 if not (also when no reclaim program is
 * registered), -errno if meminfo could not be read.
 */
int autoreclaim__check(struct autoreclaim *a, uint64_t now_ns);
int autoreclaim__start(struct autoreclaim *a, struct vm *vm,
		       uint64_t threshold_mib, uint64_t max_bytes,
		       unsigned int interval_s);
void autoreclaim__stop(struct autoreclaim *a);

#endif
