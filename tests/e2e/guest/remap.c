// SPDX-License-Identifier: BSD-2-Clause
/*
 * hup-remap: the guest workload of the TLB-shootdown correctness test
 * (tests/e2e/guest/test_tlb_e2e.py), static so it drops into the L2
 * initramfs.  One thread (the writer, on CPU 0) remaps one page again and
 * again, each time to a new frame holding the next generation's number;
 * reader threads, one per other CPU, read the page in a loop.  Once
 * mremap() has returned, the old frame's translation must be gone from
 * every CPU: the kernel only returns after the TLB shootdown completed.  A
 * skipped flush (an acknowledgement without the flush) leaves a reader
 * reading the old frame, or whatever it was reused for, after the writer
 * published the new generation: a stale read.
 *
 *   hup-remap REMAPS MAX_SECONDS
 *
 * The writer publishes generation i (a release store) only after the
 * mremap that installed it returned; a reader loads the published
 * generation g (acquire) and then the page: any value below g, or not a
 * generation at all, is stale.  Prints two lines:
 *   HUP-R: remap cpus=C remaps=N reads=M stale=S seconds=T
 *   HUP-R: wait_us p50=A p90=B p99=C max=D
 * the second one the distribution of one mremap's duration as the writer
 * sees it: the time a sender of a TLB shootdown waits for its targets.
 * and exits 0, or 1 on any stale read (the first few are printed as
 * "HUP-R: stale ...").
 *
 * HUP_REMAP_TRACE=DIR (a tracefs mount) also times every call of
 * native_flush_tlb_multi() during the run with ftrace's function_graph
 * tracer: the shootdowns themselves, apart from the rest of mremap (page
 * allocation, page tables, the mmap lock, the writer's own vCPU being
 * descheduled mid-call), and prints
 *   HUP-R: flush_us n=N per_remap=R p50=A p90=B p99=C max=D lost=L
 *   HUP-R: served cpu0=N0 cpu1=N1 ...
 * (L: trace entries the ring buffer lost; the figures are then partial;
 * Nk: the flush_tlb_func() calls CPU k ran, i.e. the flush requests it
 * served itself rather than having them acknowledged for it).
 *
 * HUP_REMAP_INJECT_STALE=1 makes the writer publish each generation before
 * its remap (and wait a moment): the readers must catch it, which proves
 * the check can fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fgraph.h"

#define PAGE 4096u
#define MAX_READERS 63
#define MAX_REPORTS 8
/* Every word of generation i's frame holds GEN_TAG | i. */
#define GEN_TAG 0x5e4d000000000000ull
#define GEN_MASK 0x0000ffffffffffffull
/* What ftrace times (HUP_REMAP_TRACE): a sender's shootdown, and a CPU
 * serving a flush request itself. */
static const char *const traced[] = {"native_flush_tlb_multi", "flush_tlb_func"};
enum { T_SHOOTDOWN, T_SERVED, T_NR };
#define MAX_CPUS 64
#define TRACE_BUF_KB 4096

static volatile uint64_t *page; /* the remapped page */
static _Atomic uint64_t published;
static atomic_bool done;
static atomic_ulong stale, reads;
static atomic_int reports;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set); /* best effort */
}

static void *reader(void *arg)
{
	unsigned long n = 0;

	pin((int)(intptr_t)arg);
	while (!atomic_load_explicit(&done, memory_order_relaxed)) {
		uint64_t g = atomic_load_explicit(&published,
						  memory_order_acquire);
		/* a word that moves with n: not only the first line */
		uint64_t v = page[(n * 61) % (PAGE / 8)];

		n++;
		if ((v & ~GEN_MASK) == GEN_TAG && (v & GEN_MASK) >= g)
			continue;
		atomic_fetch_add(&stale, 1);
		if (atomic_fetch_add(&reports, 1) < MAX_REPORTS)
			printf("HUP-R: stale cpu=%d published=%llu read=%#llx\n",
			       sched_getcpu(), (unsigned long long)g,
			       (unsigned long long)v);
	}
	atomic_fetch_add(&reads, n);
	return NULL;
}

/* " p50=.. p90=.. p99=.. max=.." of v[0..n) (n > 0, sorted here) / unit */
static void print_pcts(uint64_t *v, size_t n, double unit)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf(" p50=%.1f p90=%.1f p99=%.1f max=%.1f", v[n / 2] / unit,
	       v[n * 9 / 10] / unit, v[n * 99 / 100] / unit, v[n - 1] / unit);
}

/* The run's shootdowns, as ftrace timed them (HUP_REMAP_TRACE). */
static int report_flushes(const char *dir, unsigned long remaps, long cpus)
{
	unsigned long served[MAX_CPUS] = {0};
	struct fgraph_call *c;
	uint64_t *ns, lost;
	size_t nr, n = 0;
	int rc = fgraph__collect(dir, traced, T_NR, &c, &nr, &lost);

	if (rc) {
		fprintf(stderr, "hup-remap: reading the trace: %s\n", strerror(-rc));
		return rc;
	}
	ns = malloc((nr ? nr : 1) * sizeof(*ns));
	if (!ns) {
		free(c);
		return -ENOMEM;
	}
	for (size_t k = 0; k < nr; k++)
		if (c[k].fn == T_SHOOTDOWN)
			ns[n++] = c[k].ns;
		else if (c[k].cpu < MAX_CPUS)
			served[c[k].cpu]++;
	printf("HUP-R: flush_us n=%zu per_remap=%.2f", n,
	       remaps ? (double)n / remaps : 0.0);
	if (n)
		print_pcts(ns, n, 1000.0);
	printf(" lost=%llu\nHUP-R: served", (unsigned long long)lost);
	for (long k = 0; k < cpus && k < MAX_CPUS; k++)
		printf(" cpu%ld=%lu", k, served[k]);
	printf("\n");
	free(ns);
	free(c);
	return 0;
}

/* A new frame holding generation gen, moved over the page. */
static int remap(uint64_t gen)
{
	uint64_t *src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (src == MAP_FAILED)
		return -1;
	for (unsigned int k = 0; k < PAGE / 8; k++)
		src[k] = GEN_TAG | gen;
	if (mremap(src, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)page) == MAP_FAILED)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_READERS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bool inject = getenv("HUP_REMAP_INJECT_STALE") != NULL;
	const char *trace = getenv("HUP_REMAP_TRACE");
	unsigned long remaps, i;
	uint64_t *waits;
	double t0, limit;
	int nr = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: hup-remap REMAPS MAX_SECONDS\n");
		return 2;
	}
	remaps = strtoul(argv[1], NULL, 10);
	limit = strtod(argv[2], NULL);
	if (!remaps || remaps > GEN_MASK || limit <= 0) {
		fprintf(stderr, "hup-remap: bad REMAPS or MAX_SECONDS\n");
		return 2;
	}
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (page == MAP_FAILED || remap(0) < 0) {
		perror("hup-remap: mmap");
		return 2;
	}
	pin(0);
	if (cpus < 2)
		cpus = 2; /* one reader even on one CPU: it still checks */
	for (long c = 1; c < cpus && nr < MAX_READERS; c++, nr++)
		if (pthread_create(&th[nr], NULL, reader, (void *)(intptr_t)c)) {
			perror("hup-remap: pthread_create");
			return 2;
		}
	if (trace) {
		int rc = fgraph__start(trace, traced, T_NR, TRACE_BUF_KB);

		if (rc) {
			fprintf(stderr, "hup-remap: ftrace under %s: %s\n", trace,
				strerror(-rc));
			return 2;
		}
	}
	t0 = now_s();
	waits = calloc(remaps, sizeof(*waits));
	if (!waits) {
		perror("hup-remap: calloc");
		return 2;
	}
	for (i = 1; i <= remaps && now_s() - t0 < limit; i++) {
		double w0 = now_s();

		if (inject) {
			atomic_store_explicit(&published, i,
					      memory_order_release);
			usleep(1000);
		}
		if (remap(i) < 0) {
			perror("hup-remap: mremap");
			return 2;
		}
		waits[i - 1] = (uint64_t)((now_s() - w0) * 1e6);
		atomic_store_explicit(&published, i, memory_order_release);
	}
	atomic_store(&done, true);
	for (int k = 0; k < nr; k++)
		pthread_join(th[k], NULL);
	if (trace && report_flushes(trace, i - 1, cpus) < 0)
		return 2;
	printf("HUP-R: remap cpus=%ld remaps=%lu reads=%lu stale=%lu "
	       "seconds=%.1f\n",
	       cpus, i - 1, atomic_load(&reads), atomic_load(&stale),
	       now_s() - t0);
	if (i > 1) {
		unsigned long n = i - 1;

		qsort(waits, n, sizeof(*waits), cmp_u64);
		printf("HUP-R: wait_us p50=%llu p90=%llu p99=%llu max=%llu\n",
		       (unsigned long long)waits[n / 2],
		       (unsigned long long)waits[n * 9 / 10],
		       (unsigned long long)waits[n * 99 / 100],
		       (unsigned long long)waits[n - 1]);
	}
	free(waits);
	return atomic_load(&stale) ? 1 : 0;
}
