/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Execution tests of hlib and the samples: programs compiled by hupcc (the
 * guest-pointer pass) are loaded from their objects, verified, and run on
 * libhup -- under the interpreter and the JIT -- against a guest-memory
 * image (a memfd mapped into a view at direct-map-like guest addresses),
 * and their results and guest-memory effects are checked.
 *
 *   hlib_exec OBJDIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "hup_check.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hup/libhup.h>
#include <hyperupcall/trace_ring.h>

#include "hupcc.h"
#include "hup_test_budget.h"
#include "hup_test_gmem.h"

#define GMEM_SIZE (4u << 20)
#define GMEM_GVA 0xffff888000000000ull /* the direct map without KASLR */
#define VIEW_BITS 32

static struct hup_test_gmem gmem;
static struct hup_view *view;
static const char *objdir;


/* size bytes of zeroed guest memory: its guest address and our pointer. */
static uint64_t galloc(size_t size, void **host)
{
	return hup_test_gmem__alloc(&gmem, size, host);
}

struct loaded {
	struct hup_prog *prog[2]; /* interpreter, JIT */
};

static int load(const char *obj, const char *name,
		const struct hupcc_ksym *ksyms, size_t nksyms,
		struct loaded *l)
{
	char path[4096], log[8192];
	struct bpf_insn *insns;
	enum hup_event ev;
	size_t cnt;
	int err;

	snprintf(path, sizeof(path), "%s/%s", objdir, obj);
	err = hupcc__link_program(path, name, ksyms, nksyms, &insns, &cnt, &ev);
	if (err) {
		CHECK_MSG(0, "%s: cannot link %s: %s", obj, name, strerror(-err));
		return err;
	}
	for (int jit = 0; jit < 2; jit++) {
		struct hup_load_opts o = {
			.sz = sizeof(o), .name = name, .view = view,
			.log_buf = log, .log_size = sizeof(log),
			.no_jit = !jit, .budget_us = HUP_TEST_RUN_BUDGET_US,
		};

		err = hup_prog__load(insns, cnt, ev, &o, &l->prog[jit]);
		if (err) {
			CHECK_MSG(0, "%s/%s: load (%s) failed: %s\n%s", obj, name,
			      jit ? "jit" : "interp", strerror(-err), log);
			free(insns);
			return err;
		}
	}
	free(insns);
	return 0;
}

static void unload(struct loaded *l)
{
	hup_prog__free(l->prog[0]);
	hup_prog__free(l->prog[1]);
}

static int run(struct hup_prog *p, void *ctx, size_t ctx_size, uint32_t vcpu,
	       uint64_t *r0)
{
	struct hup_run_env env = { .sz = sizeof(env), .vcpu = vcpu };
	struct hup_run_result res = { 0 };
	int err = hup_prog__run(p, ctx, ctx_size, &env, &res);

	*r0 = res.r0;
	return err;
}

/* ------------------------------------------------------------- list.c */

struct item { long key; uint64_t next, prev; }; /* struct item of list.c */
struct hitem { int v; int pad; uint64_t next, pprev; };

static void test_list(void)
{
	struct loaded l;
	uint64_t head_gva, gva[10], r0;
	uint64_t *head;
	struct item *it[10];

	if (load("list.o", "sum_items", NULL, 0, &l))
		return;
	for (int engine = 0; engine < 2; engine++) {
		for (int n = 0; n <= 10; n += 3) { /* 0, 3, 6, 9 items */
			long want = 0;
			struct hup_query_ctx q = { 0 };

			hup_test_gmem__reset(&gmem);
			head_gva = galloc(16, (void **)&head);
			for (int i = 0; i < n; i++)
				gva[i] = galloc(sizeof(struct item),
						(void **)&it[i]);
			/* head <-> items, the kernel's circular list */
			for (int i = 0; i < n; i++) {
				it[i]->key = 100 + i;
				it[i]->next = i + 1 < n ? gva[i + 1] + 8 : head_gva;
				it[i]->prev = i ? gva[i - 1] + 8 : head_gva;
				if (i < 8) /* the walk's bound */
					want += it[i]->key;
			}
			head[0] = n ? gva[0] + 8 : head_gva;
			head[1] = n ? gva[n - 1] + 8 : head_gva;
			q.arg[0] = head_gva;
			CHECK_MSG(!run(l.prog[engine], &q, sizeof(q), 0, &r0) &&
			      (long)r0 == want,
			      "list walk of %d (engine %d): r0=%ld want %ld", n,
			      engine, (long)r0, want);
		}
		/* A head in a hole of the view: the run aborts, no crash. */
		{
			struct hup_query_ctx q = { .arg = { GMEM_GVA + GMEM_SIZE +
							    4096 } };
			int err = run(l.prog[engine], &q, sizeof(q), 0, &r0);

			CHECK_MSG(err == -EFAULT, "walk from a hole: %d", err);
		}
	}
	unload(&l);

	if (load("list.o", "count_hlist", NULL, 0, &l))
		return;
	for (int engine = 0; engine < 2; engine++) {
		struct hup_query_ctx q = { 0 };
		struct hitem *a, *b;
		uint64_t *bucket, ga, gb;

		hup_test_gmem__reset(&gmem);
		q.arg[1] = galloc(8, (void **)&bucket);
		ga = galloc(sizeof(*a), (void **)&a);
		gb = galloc(sizeof(*b), (void **)&b);
		a->v = 5;
		b->v = 7;
		*bucket = ga + 8;
		a->next = gb + 8;
		b->next = 0;
		CHECK_MSG(!run(l.prog[engine], &q, sizeof(q), 0, &r0) && r0 == 12,
		      "hlist sum (engine %d): %ld", engine, (long)r0);
		*bucket = 0;
		CHECK_MSG(!run(l.prog[engine], &q, sizeof(q), 0, &r0) && r0 == 0,
		      "empty hlist (engine %d): %ld", engine, (long)r0);
	}
	unload(&l);
}

/* --------------------------------------------------------- spinlock.c */

struct counter { uint32_t lock, pad; uint64_t value; };

static void test_spinlock(void)
{
	struct counter *c;
	struct hupcc_ksym ks;
	struct loaded l;
	uint64_t r0;

	hup_test_gmem__reset(&gmem);
	ks.name = "hup_test_counter";
	ks.addr = galloc(sizeof(*c), (void **)&c);
	if (load("spinlock.o", "bump", &ks, 1, &l))
		return;
	for (int engine = 0; engine < 2; engine++) {
		struct hup_trace_ctx t = { .vcpu = 3 };

		c->lock = 0;
		c->value = 10;
		CHECK_MSG(!run(l.prog[engine], &t, sizeof(t), 3, &r0) && r0 == 0 &&
		      c->value == 13 && c->lock == 0,
		      "trylock free (engine %d): r0=%lu value=%lu lock=%u",
		      engine, (unsigned long)r0, (unsigned long)c->value,
		      c->lock);
		c->lock = 1; /* the guest holds it */
		CHECK_MSG(!run(l.prog[engine], &t, sizeof(t), 3, &r0) && r0 == 1 &&
		      c->value == 13 && c->lock == 1,
		      "trylock held (engine %d): r0=%lu value=%lu", engine,
		      (unsigned long)r0, (unsigned long)c->value);
	}
	unload(&l);
}

/* ------------------------------------------------------------ bitops.c */

static void test_bitops(void)
{
	struct loaded l;
	uint64_t *map, r0;

	if (load("bitops.o", "bits", NULL, 0, &l))
		return;
	for (int engine = 0; engine < 2; engine++) {
		struct hup_query_ctx q = { 0 };

		hup_test_gmem__reset(&gmem);
		q.arg[0] = galloc(16, (void **)&map);
		map[0] = 0xff;
		q.arg[1] = 65;   /* test_bit(65) after set_bit(65): 1 */
		q.arg[2] = 0x7;  /* hweight64: 3 */
		q.arg[3] = 0x10; /* fls64: 5 */
		CHECK_MSG(!run(l.prog[engine], &q, sizeof(q), 0, &r0) && r0 == 9 &&
		      map[0] == 0xf7 && map[1] == 2,
		      "bitops (engine %d): r0=%lu map=%#lx,%#lx", engine,
		      (unsigned long)r0, (unsigned long)map[0],
		      (unsigned long)map[1]);
	}
	unload(&l);
}

/* ------------------------------------------------------- tracing.c */

static void test_tracing(void)
{
	struct hup_trace_ring *ring;
	struct hupcc_ksym ks;
	struct loaded l;
	uint64_t r0;

	hup_test_gmem__reset(&gmem);
	ks.name = HUP_TRACE_RING_KSYM;
	ks.addr = galloc(sizeof(*ring) + 4 * sizeof(struct hup_trace_entry),
			 (void **)&ring);
	if (load("tracing.o", "trace_to_ring", &ks, 1, &l))
		return;
	for (int engine = 0; engine < 2; engine++) {
		memset(ring, 0, sizeof(*ring) + 4 * sizeof(ring->entries[0]));
		ring->magic = HUP_TRACE_RING_MAGIC;
		ring->version = HUP_TRACE_RING_VERSION;
		ring->capacity = 4;
		ring->entry_size = sizeof(struct hup_trace_entry);
		for (unsigned int i = 0; i < 5; i++) {
			struct hup_trace_ctx t = {
				.host_ns = 1000 + i, .guest_tsc = 2000 + i,
				.vcpu = i, .kind = HUP_TRACE_EXIT,
				.reason = HUP_EXIT_IO,
				.arg = { 0x3f8, 1, 'a' + i, 1 },
			};

			CHECK_MSG(!run(l.prog[engine], &t, sizeof(t), i, &r0),
			      "trace event %u (engine %d)", i, engine);
		}
		CHECK_MSG(ring->head == 4 && ring->overflow == 1,
		      "ring (engine %d): head=%lu overflow=%lu", engine,
		      (unsigned long)ring->head, (unsigned long)ring->overflow);
		for (unsigned int i = 0; i < 4; i++) {
			const struct hup_trace_entry *e = &ring->entries[i];

			CHECK_MSG(e->seq == i + 1 && e->host_ns == 1000 + i &&
			      e->guest_tsc == 2000 + i && e->vcpu == i &&
			      e->kind == HUP_TRACE_EXIT &&
			      e->reason == HUP_EXIT_IO && e->arg[2] == 'a' + i,
			      "entry %u (engine %d): seq=%lu ns=%lu arg2=%lu", i,
			      engine, (unsigned long)e->seq,
			      (unsigned long)e->host_ns, (unsigned long)e->arg[2]);
		}
		/* The guest consumes two; two more events fit. */
		ring->tail = 2;
		for (unsigned int i = 0; i < 2; i++) {
			struct hup_trace_ctx t = { .host_ns = 5000 + i };

			run(l.prog[engine], &t, sizeof(t), 0, &r0);
		}
		CHECK_MSG(ring->head == 6 && ring->entries[0].seq == 5 &&
		      ring->entries[1].host_ns == 5001 && ring->overflow == 1,
		      "wrap (engine %d): head=%lu seq0=%lu", engine,
		      (unsigned long)ring->head,
		      (unsigned long)ring->entries[0].seq);
	}
	unload(&l);
}

int main(int argc, char **argv)
{
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: hlib_exec OBJDIR\n");
		return 2;
	}
	objdir = argv[1];
	err = hup_view__create(VIEW_BITS, &view);
	if (!err)
		err = hup_test_gmem__create(&gmem, view, GMEM_GVA, GMEM_SIZE,
					    HUP_WIN_READ | HUP_WIN_WRITE);
	if (err) {
		fprintf(stderr, "view: %s\n", strerror(-err));
		return 2;
	}

	test_list();
	test_spinlock();
	test_bitops();
	test_tracing();

	hup_view__free(view);
	printf("%s\n", check_failures ? "FAILED" : "all passed");
	return check_failures ? 1 : 0;
}
