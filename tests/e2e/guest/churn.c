// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-churn: the guest workload of the reclaim integrity test
 * (tests/e2e/guest/test_reclaim_e2e.py), static so it drops into the L2
 * initramfs.  It keeps memory full of pages whose every word it can
 * predict, frees and reallocates them in a loop, and checks every word of
 * every page before it frees it and at the end, while the host discards
 * what it believes is free.  A page of live data the host discarded reads
 * as zeros (or as another page's data, if the guest reused it): either way
 * a mismatch.
 *
 *   hup-churn MIB THREADS STOP_FILE MAX_SECONDS
 *
 * Each thread owns MIB/THREADS MiB in chunks of CHUNK_PAGES pages; a round
 * picks a chunk, verifies it, unmaps it (its pages go back to the guest
 * kernel's allocator) and maps and fills a new one with the next
 * generation's pattern.  It stops when STOP_FILE exists or after
 * MAX_SECONDS, verifies everything, unmaps it all (so the memory is free
 * for a last reclaim) and prints one line:
 *   HUP-C: churn threads=T rounds=R pages_written=W pages_verified=V
 *          mismatches=M seconds=S
 * Once every thread has filled its memory it prints "HUP-C: filled" (the
 * test starts reclaiming then).  Exit status 0, or 1 on any mismatch (the
 * first few are printed).
 *
 * HUP_CHURN_INJECT_DISCARD=1 makes thread 0 drop one page of live data
 * itself (MADV_DONTNEED: it reads back as zeros, as a page the host wrongly
 * discarded would), for the test that proves a loss is caught.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 8u)
#define CHUNK_PAGES 64u
#define MAX_THREADS 8u
#define MAX_REPORTS 8

struct chunk {
	uint64_t *mem; /* NULL: not mapped */
	uint32_t gen;
};

struct worker {
	pthread_t thread;
	unsigned int id;
	struct chunk *chunks;
	size_t nchunks;
	uint64_t rng;
	uint64_t rounds, written, verified, mismatches;
};

static const char *stop_file;
static double deadline;
static atomic_int reports;
static atomic_uint filling; /* threads still filling their memory */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every word of a page is a function of who owns it and when: a page of
 * another chunk, generation or thread never matches. */
static uint64_t pattern(unsigned int thread, size_t chunk, uint32_t gen,
			unsigned int page)
{
	uint64_t v = ((uint64_t)thread << 56) ^ ((uint64_t)chunk << 32) ^
		     ((uint64_t)gen << 8) ^ page;

	return v * 0x9e3779b97f4a7c15ull | 1; /* never 0, a discarded word */
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int fill(struct worker *w, size_t c)
{
	struct chunk *ch = &w->chunks[c];

	ch->mem = mmap(NULL, CHUNK_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (ch->mem == MAP_FAILED) {
		ch->mem = NULL;
		return -errno;
	}
	ch->gen++;
	for (unsigned int p = 0; p < CHUNK_PAGES; p++) {
		uint64_t v = pattern(w->id, c, ch->gen, p);
		uint64_t *q = ch->mem + (size_t)p * WORDS;

		for (unsigned int i = 0; i < WORDS; i++)
			q[i] = v + i;
	}
	w->written += CHUNK_PAGES;
	return 0;
}

static void verify(struct worker *w, size_t c)
{
	struct chunk *ch = &w->chunks[c];

	if (!ch->mem)
		return;
	for (unsigned int p = 0; p < CHUNK_PAGES; p++) {
		uint64_t v = pattern(w->id, c, ch->gen, p);
		const volatile uint64_t *q = ch->mem + (size_t)p * WORDS;

		for (unsigned int i = 0; i < WORDS; i++) {
			uint64_t got = q[i];

			if (got == v + i)
				continue;
			w->mismatches++;
			if (atomic_fetch_add(&reports, 1) < MAX_REPORTS)
				printf("HUP-C: mismatch thread=%u chunk=%zu "
				       "gen=%u page=%u word=%u want=%#llx "
				       "got=%#llx\n", w->id, c, ch->gen, p, i,
				       (unsigned long long)(v + i),
				       (unsigned long long)got);
			break; /* one per page */
		}
		w->verified++;
	}
}

static void release(struct worker *w, size_t c)
{
	struct chunk *ch = &w->chunks[c];

	if (ch->mem)
		munmap(ch->mem, CHUNK_PAGES * PAGE);
	ch->mem = NULL;
}

static int stop_now(void)
{
	return now_s() >= deadline || access(stop_file, F_OK) == 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	size_t c;

	for (c = 0; c < w->nchunks; c++)
		if (fill(w, c))
			break;
	if (atomic_fetch_sub(&filling, 1) == 1)
		printf("HUP-C: filled\n");
	if (w->id == 0 && w->chunks[0].mem && getenv("HUP_CHURN_INJECT_DISCARD"))
		madvise(w->chunks[0].mem + 3 * WORDS, PAGE, MADV_DONTNEED);
	while (!stop_now()) {
		c = next_rand(&w->rng) % w->nchunks;
		verify(w, c);
		release(w, c);
		if (fill(w, c))
			break;
		w->rounds++;
	}
	/* All checked first, then all freed at once: the memory goes back to
	 * the guest kernel in one burst when the churn ends (the reclaim
	 * benchmark times from there). */
	for (c = 0; c < w->nchunks; c++)
		verify(w, c);
	for (c = 0; c < w->nchunks; c++)
		release(w, c);
	return NULL;
}

static int number(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct worker ws[MAX_THREADS];
	unsigned long mib, threads, secs;
	uint64_t rounds = 0, written = 0, verified = 0, bad = 0;
	double t0 = now_s();

	if (argc != 5 || number(argv[1], &mib) || number(argv[2], &threads) ||
	    number(argv[4], &secs) || !mib || mib > 65536 || !threads ||
	    threads > MAX_THREADS || !secs) {
		fprintf(stderr, "usage: hup-churn MIB THREADS(1-%u) STOP_FILE "
			"MAX_SECONDS\n", MAX_THREADS);
		return 2;
	}
	stop_file = argv[3];
	deadline = t0 + (double)secs;
	setvbuf(stdout, NULL, _IOLBF, 0);
	filling = (unsigned int)threads;
	for (unsigned int t = 0; t < threads; t++) {
		struct worker *w = &ws[t];

		memset(w, 0, sizeof(*w));
		w->id = t;
		w->rng = 0x2545f4914f6cdd1dull * (t + 1);
		w->nchunks = (mib << 20) / threads / (CHUNK_PAGES * PAGE);
		if (!w->nchunks)
			w->nchunks = 1;
		w->chunks = calloc(w->nchunks, sizeof(*w->chunks));
		if (!w->chunks || pthread_create(&w->thread, NULL, run, w)) {
			fprintf(stderr, "hup-churn: cannot start thread %u\n",
				t);
			return 2;
		}
	}
	for (unsigned int t = 0; t < threads; t++) {
		pthread_join(ws[t].thread, NULL);
		rounds += ws[t].rounds;
		written += ws[t].written;
		verified += ws[t].verified;
		bad += ws[t].mismatches;
		free(ws[t].chunks);
	}
	printf("HUP-C: churn threads=%lu rounds=%llu pages_written=%llu "
	       "pages_verified=%llu mismatches=%llu seconds=%.1f\n", threads,
	       (unsigned long long)rounds, (unsigned long long)written,
	       (unsigned long long)verified, (unsigned long long)bad,
	       now_s() - t0);
	return bad ? 1 : 0;
}
