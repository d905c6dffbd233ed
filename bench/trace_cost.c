/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cost of one traced hypervisor event, natively: samples/tracing.c (as
 * compiled by hupcc) run by libhup the way hupvm runs it on every exit,
 * writing into a trace ring in guest memory, against the cost of one
 * guest-only trace event (a write to this kernel's ftrace trace_marker,
 * the cheapest way userspace puts an event into the kernel's trace).
 *
 * Both are measured here, side by side, on the host kernel: under nested
 * emulation only ratios would mean anything, and the guest's own
 * trace_marker write costs what it costs on any kernel.
 *
 * usage: trace_cost TRACING_O [N]
 * Method: batches of N events (default 4096, the ring is drained between
 * batches outside the timing), median of 15 batches, ns per event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <hup/libhup.h>
#include <hyperupcall/trace_ring.h>

#include "hupcc.h"

#define RING_GVA 0xffffc90000200000ull /* a vmalloc address, as the module's */
#define RING_ENTRIES 8192u
#define RING_BYTES (sizeof(struct hup_trace_ring) + \
		    RING_ENTRIES * sizeof(struct hup_trace_entry))
#define MAP_BYTES ((RING_BYTES + 4095) & ~(size_t)4095)
#define BATCHES 15

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void ring_reset(struct hup_trace_ring *ring)
{
	memset(ring, 0, RING_BYTES);
	ring->magic = HUP_TRACE_RING_MAGIC;
	ring->version = HUP_TRACE_RING_VERSION;
	ring->capacity = RING_ENTRIES;
	ring->entry_size = sizeof(struct hup_trace_entry);
}

/* Median ns per event of hup_prog__run over batches of n events. */
static double time_prog(struct hup_prog *p, struct hup_trace_ring *ring,
			unsigned int n)
{
	struct hup_trace_ctx ctx = {.kind = HUP_TRACE_EXIT,
				    .reason = HUP_EXIT_IO,
				    .arg = {0x3f8, 1, 'x', 1}};
	struct hup_run_env env = {.sz = sizeof(env)};
	struct hup_run_result res;
	double t[BATCHES];
	unsigned int b, i;

	for (b = 0; b < BATCHES; b++) {
		double t0;

		ring_reset(ring);
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			ctx.host_ns = i;
			ctx.guest_tsc = i;
			int err = hup_prog__run(p, &ctx, sizeof(ctx), &env, &res);

			if (err) {
				fprintf(stderr, "trace_cost: run failed: %s (%d)\n",
					hup_strerror(err), err);
				exit(1);
			}
		}
		t[b] = (now_ns() - t0) / n;
		if (ring->head != n || ring->overflow) {
			fprintf(stderr, "trace_cost: ring head %llu overflow "
				"%llu after %u events\n",
				(unsigned long long)ring->head,
				(unsigned long long)ring->overflow, n);
			exit(1);
		}
	}
	qsort(t, BATCHES, sizeof(t[0]), cmp_double);
	return t[BATCHES / 2];
}

/* Median ns per write(trace_marker), or a negative errno. */
static double time_marker(unsigned int n)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/trace_marker",
		"/sys/kernel/debug/tracing/trace_marker",
	};
	double t[BATCHES];
	unsigned int b, i;
	int fd = -1;

	for (i = 0; i < 2 && fd < 0; i++)
		fd = open(paths[i], O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (b = 0; b < BATCHES; b++) {
		double t0 = now_ns();

		for (i = 0; i < n; i++)
			if (write(fd, "hv_event io 0x3f8", 17) != 17) {
				close(fd);
				return -EIO;
			}
		t[b] = (now_ns() - t0) / n;
	}
	close(fd);
	qsort(t, BATCHES, sizeof(t[0]), cmp_double);
	return t[BATCHES / 2];
}

int main(int argc, char **argv)
{
	struct hupcc_ksym ks = {HUP_TRACE_RING_KSYM, RING_GVA};
	struct hup_trace_ring *ring;
	struct hup_prog *prog[2] = {0};
	struct hup_view *view;
	struct bpf_insn *insns;
	unsigned int n = 4096;
	enum hup_event ev;
	double ns[2], marker;
	size_t cnt;
	int fd, err, jit;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s TRACING_O [N]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		n = (unsigned int)strtoul(argv[2], NULL, 0);
	if (!n || n > RING_ENTRIES) {
		fprintf(stderr, "trace_cost: N must be 1..%u\n", RING_ENTRIES);
		return 2;
	}
	fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, MAP_BYTES) ||
	    (ring = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0)) == MAP_FAILED) {
		perror("trace_cost: guest memory");
		return 1;
	}
	err = hup_view__create(0, &view);
	if (!err)
		err = hup_view__map(view, RING_GVA, fd, 0, MAP_BYTES,
				    HUP_WIN_READ | HUP_WIN_WRITE);
	if (!err)
		err = hupcc__link_program(argv[1], "trace_to_ring", &ks, 1,
					  &insns, &cnt, &ev);
	if (err) {
		fprintf(stderr, "trace_cost: setup: %s\n", strerror(-err));
		return 1;
	}
	for (jit = 0; jit < 2; jit++) {
		char log[4096];
		struct hup_load_opts o = {.sz = sizeof(o), .view = view,
					  .no_jit = !jit, .log_buf = log,
					  .log_size = sizeof(log)};

		err = hup_prog__load(insns, cnt, ev, &o, &prog[jit]);
		if (err) {
			fprintf(stderr, "trace_cost: load: %s\n%s",
				strerror(-err), log);
			return 1;
		}
		ns[jit] = time_prog(prog[jit], ring, n);
	}
	printf("tracing.o: %zu insns, %zu bytes of native code\n", cnt,
	       hup_prog__jited_len(prog[1]));
	printf("hyperupcall per event (hup_prog__run): JIT %.1f ns, "
	       "interpreter %.1f ns\n", ns[1], ns[0]);
	marker = time_marker(n);
	if (marker < 0)
		printf("guest-only trace event: skipped, no writable "
		       "trace_marker (%s; mount tracefs as root)\n",
		       strerror((int)-marker));
	else
		printf("guest-only trace event (write to trace_marker): "
		       "%.1f ns\nratio hyperupcall (JIT) / guest event: "
		       "%.2f\n", marker, ns[1] / marker);
	hup_prog__free(prog[0]);
	hup_prog__free(prog[1]);
	free(insns);
	hup_view__free(view);
	return 0;
}
