/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: JIT vs interpreter on programs the verifier accepts.
 *
 * The first input byte picks how the rest becomes a program: odd = raw
 * instructions (what a hostile guest would send), even = the structured
 * generator of progen.c (which reaches deep into the ISA far more often
 * than random bytes do); with bit 1 set too, progen's loads through a
 * view, loaded by hup_prog__load() against a real one and compared under
 * both engines (run_view(): where the JIT leaves out the masking of an
 * address the program translated itself, and the view's mirrored ends).  The program is kept only if hup_verify() accepts
 * it for HUP_EVENT_RECLAIM without a view; it then runs under both engines
 * on identical copies of a hup_reclaim_ctx, with fake helpers that return
 * 0 (a value inside every helper's declared result range, so the verifier's
 * reasoning about results stays true) and touch nothing.  Any difference in
 * r0 or in the context bytes, or a JIT that refuses a verified program,
 * aborts.  Then the same again on the form libhup loads (prog.c): loops
 * rewritten, sealed with the verifier's records and run confined, where
 * the JIT's sealed-only code lives (frames cleared only where reachable,
 * frameless callees, frame-up accesses and their ceiling); the engines
 * must also agree on whether the run aborted, and the interpreter on the
 * form whose loop callbacks stay calls (verifier/inline.c left out) must
 * agree with them.  A program with a loop callback runs only that way.
 *
 * Build: cmake -DHUP_FUZZ=ON -DCMAKE_C_COMPILER=clang-19; run
 *   fuzz_jit_diff -max_total_time=600 CORPUS_DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hup/libhup.h>

#include <hyperupcall/abi.h>

#include "engine.h"
#include "progen.h"
#include "verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fake_helper(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

/*
 * A view for guest_read: a 4 GiB reservation (plus the guard an inlined
 * copy may run into), read-write and never faulting, so a read anywhere
 * in it sees zeros or what an earlier input left; the mask is 4 KiB or
 * 4 GiB (the JIT's two forms of masking) by the input's length.
 */
#define FAKE_VIEW_BYTES ((1ull << 32) + HUP_GUEST_COPY_MAX + 4096)
static uint8_t *fake_view;
static uint64_t fake_mask;

/* guest_read(dst, size, gva) as libhup's helper copies: from
 * view + (gva & mask); 0. */
static uint64_t fake_guest_read(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	if (r2 > HUP_GUEST_COPY_MAX)
		return (uint64_t)-E2BIG;
	if (r2)
		memcpy((void *)(uintptr_t)r1, fake_view + (r3 & fake_mask),
		       (size_t)r2);
	return 0;
}

/* Never called: the fake view has no hole. */
static uint64_t fake_read_fault(uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	abort();
}

static const hup_helper_fn fake_fns[HUP_FN_MAX + 1] = {
	[1] = fake_guest_read, [2] = fake_helper, [3] = fake_helper,
	[4] = fake_helper, [5] = fake_helper, [6] = fake_helper,
	[7] = fake_helper, [8] = fake_helper, [9] = fake_helper,
	[10] = fake_helper,
};
static const struct hup_helper_table fake_helpers = {
	.fns = fake_fns, .nr = HUP_FN_MAX + 1,
	.read_fault = fake_read_fault, .read_id = HUP_FN_guest_read};

static struct bpf_insn prog[HUP_MAX_INSNS > PROGEN_MAX_INSNS ?
			    HUP_MAX_INSNS : PROGEN_MAX_INSNS];
static struct hup_mem_rec recs[HUP_MAX_INSNS > PROGEN_MAX_INSNS ?
				HUP_MAX_INSNS : PROGEN_MAX_INSNS];

static int jit_aborts;

static void note_abort(void)
{
	jit_aborts++;
}

/* The loaded form of prog (cnt insns, verified with recs) under both
 * engines, confined, on identical copies of *ctx. */
static void run_sealed(size_t cnt, const struct hup_reclaim_ctx *ctx)
{
	/* a view for guest_read only: sealed without one (has_view
	 * false), a program names no other view access */
	const struct hup_confine conf = {
		.view_base = (uint64_t)(uintptr_t)fake_view,
		.view_mask = fake_mask, .ctx_size = sizeof(*ctx),
		.sealed = true, .on_abort = note_abort,
	};
	struct hup_reclaim_ctx ctx_in = *ctx, ctx_jit = *ctx;
	struct bpf_insn *insns = malloc(cnt * sizeof(*insns));
	struct hup_jit_image img;
	size_t n = cnt;
	uint64_t r0_in, r0_jit;
	int err, ret;

	struct bpf_insn *shared = malloc(cnt * sizeof(*shared));
	struct hup_reclaim_ctx ctx_sh = *ctx;
	size_t ns = cnt;
	uint64_t r0_sh;
	int err_sh;

	if (!insns || !shared)
		abort();
	memcpy(insns, prog, cnt * sizeof(*insns));
	memcpy(shared, prog, cnt * sizeof(*shared));
	if (hup_fixup__engines(&insns, &n, recs, cnt, sizeof(*ctx), false,
			       NULL) ||
	    hup_fixup__inline_loops(&shared, &ns) ||
	    hup_seal(shared, ns, recs, cnt, sizeof(*ctx), false, NULL)) {
		fprintf(stderr, "fuzz_jit_diff: a verified program did not "
			"rewrite or seal\n");
		abort();
	}
	/* the shared loop trampoline only (no callback inlined), under the
	 * interpreter: what verifier/inline.c must not change */
	r0_sh = hup_interp__run_confined(shared, ns, &fake_helpers, &conf,
					 (uint64_t)(uintptr_t)&ctx_sh, 0,
					 &err_sh);
	free(shared);
	r0_in = hup_interp__run_confined(insns, n, &fake_helpers, &conf,
					 (uint64_t)(uintptr_t)&ctx_in, 0, &err);
	if (r0_sh != r0_in || err_sh != err ||
	    memcmp(&ctx_sh, &ctx_in, sizeof(ctx_in))) {
		fprintf(stderr, "fuzz_jit_diff: inlined callbacks: r0 %#llx "
			"(err %d), shared trampoline r0 %#llx (err %d)%s\n",
			(unsigned long long)r0_in, err,
			(unsigned long long)r0_sh, err_sh,
			memcmp(&ctx_sh, &ctx_in, sizeof(ctx_in)) ?
				", context differs" : "");
		abort();
	}
	ret = hup_jit__compile_confined(insns, n, &fake_helpers, &conf, &img,
					NULL);
	if (ret) {
		fprintf(stderr, "fuzz_jit_diff: JIT refused a sealed program "
			"(%d)\n", ret);
		abort();
	}
	jit_aborts = 0;
	r0_jit = img.entry((uint64_t)(uintptr_t)&ctx_jit, 0);
	hup_jit__free(&img);
	free(insns);
	if (r0_in != r0_jit || !err != !jit_aborts) {
		fprintf(stderr, "fuzz_jit_diff: sealed: r0 interp %#llx (err "
			"%d) jit %#llx (aborts %d)\n",
			(unsigned long long)r0_in, err,
			(unsigned long long)r0_jit, jit_aborts);
		abort();
	}
	if (memcmp(&ctx_in, &ctx_jit, sizeof(ctx_in))) {
		fprintf(stderr, "fuzz_jit_diff: sealed: context memory "
			"differs\n");
		abort();
	}
}

/*
 * Programs that load through a view (progen_src.views), loaded as hupvm
 * loads them (hup_prog__load: verify, rewrite, seal, patch, JIT) against
 * a real view, once JIT compiled and once interpreted, and run on
 * identical copies of the context: the same result, the same abort
 * (-EFAULT in a hole), the same context.  The view: 4 GiB, windows of a
 * memfd at both ends (the guards mirror them) and in the middle, holes
 * elsewhere; its pages hold a pattern no run changes (loads only).
 */
#define VD_BITS 32u
#define VD_PAGES 48u

static struct hup_view *vd_view;

static void vd_setup(void)
{
	const uint64_t s = 1ull << VD_BITS, pg = 4096;
	uint8_t page[4096];
	int fd = memfd_create("fuzz-view", 0);

	if (fd < 0 || ftruncate(fd, (off_t)(VD_PAGES * pg)) ||
	    hup_view__create(VD_BITS, &vd_view))
		abort();
	for (unsigned int i = 0; i < VD_PAGES; i++) {
		for (unsigned int b = 0; b < pg; b++)
			page[b] = (uint8_t)(i * 31 + b * 7 + (b >> 8));
		if (pwrite(fd, page, pg, (off_t)(i * pg)) != (ssize_t)pg)
			abort();
	}
	/* 16 pages at offset 0, 16 at the top, 16 in the middle */
	if (hup_view__map(vd_view, 0xffff888000000000ull, fd, 0, 16 * pg,
			  HUP_WIN_READ) ||
	    hup_view__map(vd_view, s - 16 * pg, fd, 16 * pg, 16 * pg,
			  HUP_WIN_READ) ||
	    hup_view__map(vd_view, s / 2, fd, 32 * pg, 16 * pg, HUP_WIN_READ))
		abort();
	close(fd); /* the mappings keep it */
}

static void run_view(size_t cnt, const struct hup_reclaim_ctx *ctx)
{
	struct hup_load_opts o = {.sz = sizeof(o), .view = vd_view};
	struct hup_reclaim_ctx c[2] = {*ctx, *ctx};
	struct hup_run_result res[2] = {{0, 0}, {0, 0}};
	struct hup_prog *p[2] = {NULL, NULL};
	int e[2];

	e[0] = hup_prog__load(prog, cnt, HUP_EVENT_RECLAIM, &o, &p[0]);
	o.no_jit = true;
	e[1] = hup_prog__load(prog, cnt, HUP_EVENT_RECLAIM, &o, &p[1]);
	if (e[0] != e[1]) {
		fprintf(stderr, "fuzz_jit_diff: view: loads differ (%d, %d)\n",
			e[0], e[1]);
		abort();
	}
	if (e[0])
		return; /* refused alike */
	if (!hup_prog__jited_len(p[0])) {
		fprintf(stderr, "fuzz_jit_diff: view: JIT refused a verified "
			"program\n");
		abort();
	}
	for (int k = 0; k < 2; k++)
		e[k] = hup_prog__run(p[k], &c[k], sizeof(c[k]), NULL, &res[k]);
	if (e[0] != e[1] || (!e[0] && res[0].r0 != res[1].r0) ||
	    memcmp(&c[0], &c[1], sizeof(c[0]))) {
		fprintf(stderr, "fuzz_jit_diff: view: jit %d r0 %#llx, interp "
			"%d r0 %#llx%s\n", e[0],
			(unsigned long long)res[0].r0, e[1],
			(unsigned long long)res[1].r0,
			memcmp(&c[0], &c[1], sizeof(c[0])) ?
				", context differs" : "");
		abort();
	}
	hup_prog__free(p[0]);
	hup_prog__free(p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hup_verifier_opts opts = {.event = HUP_EVENT_RECLAIM,
					 .recs = recs};
	struct hup_verifier_info info;
	struct hup_reclaim_ctx ctx_in, ctx_jit, ctx0;
	struct progen_src src;
	struct hup_jit_image img;
	uint64_t r0_in, r0_jit;
	bool raw_ok = true;
	size_t cnt;
	int err, ret;

	if (!size)
		return 0;
	if (!fake_view) {
		fake_view = mmap(NULL, FAKE_VIEW_BYTES, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
		if (fake_view == MAP_FAILED)
			abort();
	}
	fake_mask = size & 1 ? 0xfff : UINT32_MAX;
	if (data[0] & 1) {
		cnt = (size - 1) / sizeof(struct bpf_insn);
		if (!cnt || cnt > HUP_MAX_INSNS)
			return 0;
		memcpy(prog, data + 1, cnt * sizeof(struct bpf_insn));
		progen_src_init(&src, data, size); /* for the context bytes */
	} else if (data[0] & 2) {
		/* loads through a real view, by the loader: run_view() */
		struct hup_reclaim_ctx c;

		if (!vd_view)
			vd_setup();
		progen_src_init(&src, data + 1, size - 1);
		src.views = true;
		cnt = progen_build(&src, prog, true);
		for (size_t i = 0; i < sizeof(c); i++)
			((uint8_t *)&c)[i] = (uint8_t)progen_next(&src, 256);
		c.nr_pfns = HUP_RECLAIM_BATCH;
		run_view(cnt, &c);
		return 0;
	} else {
		progen_src_init(&src, data + 1, size - 1);
		cnt = progen_build(&src, prog, true);
	}
	memset(recs, 0, cnt * sizeof(*recs));
	if (hup_verify(prog, cnt, &opts, &info))
		return 0;
	for (size_t i = 0; i < cnt; i++)
		raw_ok &= !hup_insn_is_ldimm64(&prog[i]) ||
			  prog[i].src_reg != BPF_PSEUDO_FUNC;

	for (size_t i = 0; i < sizeof(ctx_in); i++)
		((uint8_t *)&ctx_in)[i] = (uint8_t)progen_next(&src, 256);
	ctx_in.nr_pfns = HUP_RECLAIM_BATCH;
	ctx_jit = ctx0 = ctx_in;

	/* a loop callback's load means something only once rewritten */
	if (!raw_ok) {
		run_sealed(cnt, &ctx0);
		return 0;
	}
	r0_in = hup_interp__run(prog, cnt, &fake_helpers,
				(uint64_t)(uintptr_t)&ctx_in, 0, &err);
	ret = hup_jit__compile(prog, cnt, &fake_helpers, &img, NULL);
	if (ret) {
		fprintf(stderr, "fuzz_jit_diff: JIT refused a verified "
			"program (%d)\n", ret);
		abort();
	}
	r0_jit = img.entry((uint64_t)(uintptr_t)&ctx_jit, 0);
	hup_jit__free(&img);
	if (r0_in != r0_jit) {
		fprintf(stderr, "fuzz_jit_diff: r0 interp %#llx (err %d) jit "
			"%#llx\n", (unsigned long long)r0_in, err,
			(unsigned long long)r0_jit);
		abort();
	}
	if (memcmp(&ctx_in, &ctx_jit, sizeof(ctx_in))) {
		fprintf(stderr, "fuzz_jit_diff: context memory differs\n");
		abort();
	}
	run_sealed(cnt, &ctx0);
	return 0;
}
