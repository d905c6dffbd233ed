// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/free_discard.c on a fake guest kernel, three ways on one
 * snapshot: the hyperupcall live in the backend, replayed from the
 * snapshot (JIT and interpreter), and hupreplay's native port
 * (backend/hupreplay/native_free_discard.c).  All must find the same free
 * pages, which must be the ones the fake buddy allocator holds.
 *
 * The fake kernel is fakekernel.h's, with free_discard.o (hupcc)
 * relocated by hupload against its BTF.  Both buddy encodings (6.1,
 * 6.12) are run; a BTF the object was not relocated against is refused
 * by the native port.
 *
 *   test_hupvm_replay_native_fake FREE_DISCARD_O
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "hup_test_budget.h"
#include "fakekernel.h"
#include "native.h"
#include "replay.h"
#include "snapshot.h"

#define RAM	  (64ull << 20)

static const char *obj;
static char dir[] = "/tmp/hup-native-fake-XXXXXX";
static struct fake_kernel k;

static uint64_t replay_pages(const char *snap, uint32_t id, bool no_jit,
			     const char *native_btf, int *native_err)
{
	struct replay_opts o = {.no_jit = no_jit,
				.run_budget_us = HUP_TEST_RUN_BUDGET_US};
	struct backend_reclaim_report rep;
	struct replay *r = malloc(sizeof(*r));
	struct native *n = NULL;
	char err[512] = "";
	uint64_t pages = UINT64_MAX;
	int e;

	CHECK_EQ(replay__open(r, snap, id, &o, err, sizeof(err)), 0);
	CHECK(!r->view_differs);
	if (native_btf) {
		e = native__open(&n, r, obj, native_btf, err, sizeof(err));
		if (native_err) {
			*native_err = e;
			if (e)
				CHECK(strstr(err,
					     "differs from the "
					     "snapshot's program") != NULL);
			goto out;
		}
		if (e) {
			fprintf(stderr, "native: %s\n", err);
			CHECK(0);
			goto out;
		}
	}
	e = replay__reclaim(r, &rep);
	CHECK_EQ(e, 0);
	if (!e)
		pages = rep.pages;
out:
	native__close(n);
	replay__close(r);
	free(r);
	return pages;
}

static void run_kernel(bool pgty)
{
	struct backend_reclaim_opts o = {.gap_ns = 1, .dry_run = true};
	struct backend_reclaim_report rep;
	char btf[300], other[300], snap[300];
	uint64_t expect;
	uint32_t id;
	int e = 0;

	snprintf(btf, sizeof(btf), "%s/vmlinux-%d.btf", dir, pgty);
	snprintf(other, sizeof(other), "%s/other-%d.btf", dir, pgty);
	snprintf(snap, sizeof(snap), "%s/guest-%d.snap", dir, pgty);
	CHECK_EQ(fk_write_btf(btf, pgty, FK_ZONE_START), 0);
	/* not the guest's kernel */
	CHECK_EQ(fk_write_btf(other, pgty, FK_ZONE_START - 8), 0);
	expect = fk_init(&k, RAM, pgty);
	CHECK(expect > k.pages / 4);
	if (!expect)
		return;
	k.be.run_budget_us = HUP_TEST_RUN_BUDGET_US;
	id = fk_register(&k, obj, btf);
	if (!id)
		fprintf(stderr, "%s\n", k.err);
	CHECK(id != 0);
	/* live, in the backend that registered it */
	CHECK_EQ(backend__reclaim(&k.be, id, &o, &rep), 0);
	CHECK_EQ(rep.pages, expect);
	CHECK_EQ(fk_dump(&k, snap), 0);
	CHECK_EQ(replay_pages(snap, id, false, NULL, NULL), expect);
	CHECK_EQ(replay_pages(snap, id, true, NULL, NULL), expect);
	CHECK_EQ(replay_pages(snap, id, false, btf, NULL), expect);
	replay_pages(snap, id, false, other, &e);
	CHECK_EQ(e, -EINVAL);
	if (check_failures)
		return;
	printf("%s: %llu free pages found alike live, replayed (JIT, "
	       "interpreter) and native\n",
	       pgty ? "6.12 encoding" : "6.1 encoding",
	       (unsigned long long)expect);
	unlink(btf);
	unlink(other);
	unlink(snap);
	fk_exit(&k);
}

int main(int argc, char **argv)
{
	if (argc != 2 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: %s FREE_DISCARD_O\n", argv[0]);
		return 2;
	}
	obj = argv[1];
	run_kernel(false);
	run_kernel(true);
	rmdir(dir);
	return check_summary("replay_native_fake");
}
