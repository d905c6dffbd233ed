/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Differential test: the interpreter is the oracle, the JIT must agree with
 * it.  Runs every program of the conformance suite, a few thousand
 * generated programs (tests/fuzz/progen.c: every opcode family, memory-safe
 * by construction) and the verifier's accept corpus (verified, loop calls
 * inlined, sealed, view pseudo loads patched over a real view with a
 * window of guest memory, run confined) under both engines, each on its own copy of the same input,
 * and compares r0, the outcome of the run (a view hole ends it with
 * -EFAULT), every byte of the input memory and of the guest window (the
 * stack is not observable; the input is).  The JIT must also compile every
 * one of these programs: -EOPNOTSUPP here is a failure, not a fallback.
 *
 * usage: differential [--gen N] [--seed S] [--accept DIR] [-v] CONFORMANCE_DIR
 */
#define _GNU_SOURCE /* memfd_create */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hyperupcall/abi.h>

#include "engine.h"
#include "jit.h"
#include "progen.h"
#include "suite.h"
#include "view.h"
#include "verifier.h"

#define MEM_BYTES 4096u
#define MEM_FILL 0xa5 /* bytes past the input, to catch stray writes */

/* For the accept corpus: every ABI helper answers 0 and touches nothing
 * (no guest, no clock), as the corpus runner's --run does. */
static uint64_t helper_zero(uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4, uint64_t r5)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return 0;
}

static const hup_helper_fn zero_fns[HUP_FN_MAX + 1] = {
	[1] = helper_zero, [2] = helper_zero, [3] = helper_zero,
	[4] = helper_zero, [5] = helper_zero, [6] = helper_zero,
	[7] = helper_zero, [8] = helper_zero, [9] = helper_zero,
	[10] = helper_zero,
};
static const struct hup_helper_table zero_helpers = {.fns = zero_fns,
						     .nr = HUP_FN_MAX + 1};

struct outcome {
	uint64_t r0;
	int err; /* interpreter's *err; the JIT has none (an abort is r0 0) */
	int rc;  /* guarded run: 0, or -EFAULT when a view hole was touched */
	unsigned char mem[MEM_BYTES];
};

static unsigned int verbose;

/* Guest memory behind a view, for accept-corpus cases that have one. */
#define GUEST_WIN_BYTES (1u << 20) /* fits the smallest view (2^20) */

struct guest {
	struct hup_view *view;
	int fd;             /* the window's memfd */
	unsigned char *win; /* our mapping of it */
	size_t win_len;
};

struct engine_arg {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct hup_helper_table *helpers;
	hup_jit_entry entry; /* NULL: interpreter */
	struct outcome *o;
	uint64_t r2;
	const struct hup_confine *conf; /* NULL: unconfined */
};

static uint64_t engine_run(void *opaque)
{
	struct engine_arg *a = opaque;
	uint64_t r1 = (uint64_t)(uintptr_t)a->o->mem;

	if (a->entry)
		return a->entry(r1, a->r2);
	return hup_interp__run_confined(a->insns, a->cnt, a->helpers, a->conf,
					r1, a->r2, &a->o->err);
}

static void engine_guarded(struct engine_arg *a, struct guest *g)
{
	a->o->err = 0;
	a->o->rc = 0;
	if (!g) {
		a->o->r0 = engine_run(a);
		return;
	}
	memset(g->win, 0, g->win_len);
	a->o->rc = hup_view__run_guarded(g->view, engine_run, a, &a->o->r0);
	if (a->o->rc)
		a->o->r0 = 0;
}

/*
 * Run insns under both engines on copies of mem[0..MEM_BYTES) with
 * r1 = the copy, r2 = r2, and (with g) inside a guarded run over the view.
 * Returns 0 if they agree, 1 if not, -errno if the JIT could not compile.
 */
static int run_both_in(const char *name, const struct bpf_insn *insns,
		       size_t cnt, const struct hup_helper_table *helpers,
		       const unsigned char *mem, uint64_t r2, struct guest *g,
		       const struct hup_confine *conf)
{
	static struct outcome in, jt;
	static unsigned char win_in[GUEST_WIN_BYTES];
	struct engine_arg a = {insns, cnt, helpers, NULL, &in, r2, conf};
	struct hup_jit_image img;
	int ret;

	memcpy(in.mem, mem, MEM_BYTES);
	memcpy(jt.mem, mem, MEM_BYTES);
	engine_guarded(&a, g);
	if (g)
		memcpy(win_in, g->win, g->win_len);
	/* the JIT twice where the CPU has BMI2: its shifts, and the classic
	 * encoding the JIT takes elsewhere */
	for (int mode = 0; mode < (hup_jit_x86__bmi2() ? 2 : 1); mode++) {
		hup_jit_x86_bmi2_mode = mode ? HUP_JIT_BMI2_OFF :
					       HUP_JIT_BMI2_AUTO;
		memcpy(jt.mem, mem, MEM_BYTES);
		if (g)
			memcpy(g->win, win_in, g->win_len);
		ret = hup_jit__compile_confined(insns, cnt, helpers, conf,
						&img, NULL);
		hup_jit_x86_bmi2_mode = HUP_JIT_BMI2_AUTO;
		if (ret) {
			printf("FAIL %s: jit compile: %s\n", name,
			       strerror(-ret));
			return ret;
		}
		a.entry = img.entry;
		a.o = &jt;
		engine_guarded(&a, g);
		hup_jit__free(&img);
		if (in.rc != jt.rc || in.r0 != jt.r0) {
			printf("FAIL %s%s: interp r0 %#llx (err %d, run %d) "
			       "jit r0 %#llx (run %d)\n", name,
			       mode ? " (no BMI2)" : "",
			       (unsigned long long)in.r0, in.err, in.rc,
			       (unsigned long long)jt.r0, jt.rc);
			return 1;
		}
		for (size_t i = 0; i < MEM_BYTES; i++) {
			if (in.mem[i] != jt.mem[i]) {
				printf("FAIL %s%s: memory byte %zu: interp "
				       "%#x jit %#x\n", name,
				       mode ? " (no BMI2)" : "", i,
				       in.mem[i], jt.mem[i]);
				return 1;
			}
		}
		if (g && memcmp(win_in, g->win, g->win_len)) {
			printf("FAIL %s%s: guest memory differs\n", name,
			       mode ? " (no BMI2)" : "");
			return 1;
		}
	}
	if (verbose)
		printf("ok   %s r0=%#llx%s\n", name, (unsigned long long)in.r0,
		       in.rc ? " (view fault)" : "");
	return 0;
}

static int run_both(const char *name, const struct bpf_insn *insns,
		    size_t cnt, const struct hup_helper_table *helpers,
		    const unsigned char *mem, uint64_t r2)
{
	return run_both_in(name, insns, cnt, helpers, mem, r2, NULL, NULL);
}

/* The `-- mem` section of a conformance .data file, if any. */
static long conformance_mem(const char *data, unsigned char *mem)
{
	const char *sec = strstr(data, "-- mem"), *body, *end;

	if (!sec || !(body = strchr(sec, '\n')))
		return 0;
	end = strstr(body, "\n-- ");
	return suite_parse_hex(body, end ? end : body + strlen(body), mem, MEM_BYTES);
}

static int run_conformance(const char *dir, unsigned int *agree,
			   unsigned int *total)
{
	char path[4096], tests[1024], **names = NULL;
	size_t nr, i;
	int bad = 0;
	long n;

	snprintf(tests, sizeof(tests), "%s/tests", dir);
	n = suite_list_dir(tests, ".data", &names);
	if (n <= 0) {
		printf("FAIL cannot list %s\n", tests);
		return 1;
	}
	nr = (size_t)n;
	for (i = 0; i < nr; i++) {
		unsigned char mem[MEM_BYTES], *code;
		char *data, *hex;
		long mlen = 0, clen = -1;

		snprintf(path, sizeof(path), "%s/%s.data", tests, names[i]);
		data = suite_slurp(path, NULL);
		snprintf(path, sizeof(path), "%s/hex/%s.hex", dir, names[i]);
		hex = suite_slurp(path, NULL);
		code = hex ? malloc(strlen(hex) / 2 + 1) : NULL;
		memset(mem, MEM_FILL, sizeof(mem));
		if (data && code) {
			mlen = conformance_mem(data, mem);
			clen = suite_parse_hex(hex, hex + strlen(hex), code,
					 strlen(hex) / 2 + 1);
		}
		(*total)++;
		if (mlen < 0 || clen <= 0 || clen % 8) {
			printf("FAIL %s: cannot load\n", names[i]);
			bad = 1;
		} else if (run_both(names[i], (const void *)code,
				    (size_t)clen / 8, &suite_helpers, mem,
				    (uint64_t)mlen)) {
			bad = 1;
		} else {
			(*agree)++;
		}
		free(code);
		free(hex);
		free(data);
		free(names[i]);
	}
	free(names);
	if (!nr) {
		printf("FAIL no conformance tests in %s\n", tests);
		bad = 1;
	}
	return bad;
}

static int run_generated(unsigned int count, uint64_t seed,
			 unsigned int *agree)
{
	static struct bpf_insn prog[PROGEN_MAX_INSNS];
	int bad = 0;

	for (unsigned int k = 0; k < count; k++) {
		uint8_t bytes[16];
		unsigned char mem[MEM_BYTES];
		struct progen_src src;
		char name[64];
		size_t cnt;

		/* The program and its input come from the seed alone. */
		for (int b = 0; b < 16; b++)
			bytes[b] = (uint8_t)((seed + k) >> (8 * (b % 8)) ^ b * 37);
		progen_src_init(&src, bytes, sizeof(bytes));
		cnt = progen_build(&src, prog, false);
		memset(mem, MEM_FILL, sizeof(mem));
		for (size_t i = 0; i < sizeof(struct hup_reclaim_ctx); i++)
			mem[i] = (unsigned char)progen_next(&src, 256);
		snprintf(name, sizeof(name), "gen#%u", k);
		if (run_both(name, prog, cnt, &suite_helpers, mem, 0))
			bad = 1;
		else
			(*agree)++;
	}
	return bad;
}

/* insns's form for the engines: the shared loop trampoline only, sealed
 * (inlined = false), or all of hup_fixup__engines (true). */
static struct bpf_insn *loaded_form(const struct bpf_insn *prog, size_t cnt,
				    const struct hup_mem_rec *recs,
				    bool inlined, size_t *out_cnt)
{
	struct bpf_insn *insns = malloc(cnt * sizeof(*insns));
	size_t n = cnt;
	int ret;

	if (!insns)
		return NULL;
	memcpy(insns, prog, cnt * sizeof(*insns));
	if (inlined)
		ret = hup_fixup__engines(&insns, &n, recs, cnt, MEM_BYTES,
					 false, NULL);
	else if (!(ret = hup_fixup__inline_loops(&insns, &n)))
		ret = hup_seal(insns, n, recs, cnt, MEM_BYTES, false, NULL);
	if (ret) {
		free(insns);
		return NULL;
	}
	*out_cnt = n;
	return insns;
}

/*
 * Generated programs whose callee may be a HUP_FN_loop callback, as
 * libhup loads them (verified, rewritten, sealed, run confined): the
 * interpreter on the form with the shared loop trampoline must agree with
 * both engines on the form with the callbacks inlined (verifier/inline.c),
 * which run_both_in() then compares as for every other program.
 */
static int run_generated_loops(unsigned int count, uint64_t seed,
			       unsigned int *agree, unsigned int *loops,
			       unsigned int *refused, unsigned int *inlined)
{
	static struct bpf_insn prog[PROGEN_MAX_INSNS];
	static struct hup_mem_rec recs[PROGEN_MAX_INSNS];
	struct hup_confine conf = hup_confine_none;
	int bad = 0;

	conf.sealed = true;
	conf.ctx_size = MEM_BYTES;
	for (unsigned int k = 0; k < count; k++) {
		struct hup_verifier_opts vo = {.event = HUP_EVENT_RECLAIM,
					       .recs = recs};
		unsigned char mem[MEM_BYTES], a[MEM_BYTES], b[MEM_BYTES];
		struct bpf_insn *shared, *mine;
		size_t cnt, ns = 0, nm = 0;
		struct progen_src src;
		uint8_t bytes[16];
		uint64_t ra, rb;
		char name[64];
		bool has_loop = false;
		int ea, eb;

		/* splitmix64 of seed and k: every byte varies with k (the
		 * first ones pick the callee's kind) */
		for (int j = 0; j < 16; j += 8) {
			uint64_t z = (seed << 32) + 2 * k + (unsigned int)j / 8 +
				     0x9e3779b97f4a7c15ull;

			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			z ^= z >> 31;
			memcpy(&bytes[j], &z, 8);
		}
		progen_src_init(&src, bytes, sizeof(bytes));
		cnt = progen_build(&src, prog, true);
		for (size_t i = 0; i < cnt; i++)
			has_loop |= prog[i].code == (BPF_JMP | BPF_CALL) &&
				    !prog[i].src_reg && prog[i].imm == HUP_FN_loop;
		memset(recs, 0, cnt * sizeof(*recs));
		if (!has_loop)
			continue;
		(*loops)++;
		if (hup_verify(prog, cnt, &vo, NULL)) {
			(*refused)++;
			continue;
		}
		memset(mem, MEM_FILL, sizeof(mem));
		for (size_t i = 0; i < sizeof(struct hup_reclaim_ctx); i++)
			mem[i] = (unsigned char)progen_next(&src, 256);
		snprintf(name, sizeof(name), "gen-loop#%u", k);
		shared = loaded_form(prog, cnt, recs, false, &ns);
		mine = loaded_form(prog, cnt, recs, true, &nm);
		if (!shared || !mine) {
			printf("FAIL %s: a verified program did not load\n", name);
			bad = 1;
			goto next;
		}
		*inlined += nm > ns;
		memcpy(a, mem, sizeof(a));
		memcpy(b, mem, sizeof(b));
		ra = hup_interp__run_confined(shared, ns, &suite_helpers, &conf,
					      (uint64_t)(uintptr_t)a, 0, &ea);
		rb = hup_interp__run_confined(mine, nm, &suite_helpers, &conf,
					      (uint64_t)(uintptr_t)b, 0, &eb);
		if (ra != rb || ea != eb || memcmp(a, b, sizeof(a))) {
			printf("FAIL %s: shared trampoline r0 %#llx (err %d), "
			       "inlined r0 %#llx (err %d)%s\n", name,
			       (unsigned long long)ra, ea, (unsigned long long)rb,
			       eb, memcmp(a, b, sizeof(a)) ? ", memory differs" : "");
			bad = 1;
		} else if (run_both_in(name, mine, nm, &suite_helpers, mem, 0,
				       NULL, &conf)) {
			bad = 1;
		} else {
			(*agree)++;
		}
next:
		free(shared);
		free(mine);
	}
	return bad;
}

/* The event named by a case's "-- event" section (default trace). */
static enum hup_event case_event(const char *src)
{
	static const char *const names[HUP_EVENT_MAX + 1] =
		HUP_EVENT_NAMES_INIT;
	const char *sec = src ? strstr(src, "-- event") : NULL;
	char word[32] = "";

	if (sec)
		sscanf(sec + strlen("-- event"), " %31s", word);
	for (int e = HUP_EVENT_TRACE; e <= HUP_EVENT_MAX; e++)
		if (!strcmp(word, names[e]))
			return (enum hup_event)e;
	return HUP_EVENT_TRACE;
}

/*
 * A view of 2^bits bytes (at least the minimum a view can have) with one
 * read-write window of guest memory at gva 0 (a zeroed context makes the
 * corpus's guest addresses 0), the same memfd every time.
 */
static int guest_open(struct guest *g, unsigned int bits)
{
	if (!g->win) {
		g->fd = memfd_create("hup-differential", MFD_CLOEXEC);
		if (g->fd < 0 || ftruncate(g->fd, (off_t)GUEST_WIN_BYTES))
			return -1;
		g->win = mmap(NULL, GUEST_WIN_BYTES, PROT_READ | PROT_WRITE,
			      MAP_SHARED, g->fd, 0);
		if (g->win == MAP_FAILED) {
			g->win = NULL;
			return -1;
		}
		g->win_len = GUEST_WIN_BYTES;
	}
	if (hup_view__create(bits < HUP_VIEW_BITS_MIN ? HUP_VIEW_BITS_MIN : bits,
			     &g->view))
		return -1;
	if (hup_view__map(g->view, 0, g->fd, 0, GUEST_WIN_BYTES,
			  HUP_WIN_READ | HUP_WIN_WRITE)) {
		hup_view__free(g->view);
		g->view = NULL;
		return -1;
	}
	return 0;
}

/* What the loader does to the two pseudo loads of the view. */
static void patch_view(struct bpf_insn *insns, size_t cnt,
		       struct hup_view *view, uint64_t mask)
{
	for (size_t k = 0; k + 1 < cnt; k++) {
		uint64_t v;

		if (!hup_insn_is_ldimm64(&insns[k]))
			continue;
		if (insns[k].src_reg == HUP_PSEUDO_VIEW_BASE)
			v = (uint64_t)(uintptr_t)hup_view__base(view);
		else if (insns[k].src_reg == HUP_PSEUDO_VIEW_MASK)
			v = mask;
		else
			continue;
		insns[k].imm = (int32_t)(uint32_t)v;
		insns[k + 1].imm = (int32_t)(uint32_t)(v >> 32);
		k++;
	}
}

/*
 * The verifier's accept corpus (tests/verifier/accept: NAME.s, and NAME.hex
 * assembled from it): each program is verified for its event, rewritten
 * and sealed (hup_fixup__engines, as the loader does), and run under both
 * engines with a zeroed context and helpers that answer 0.  Cases with
 * a view ("-- view") get one: a window of guest memory at gva 0, the pseudo
 * loads patched as the loader would, both runs guarded by the view's fault
 * recovery; then the result of the run (a hole gives -EFAULT), r0, the
 * context and the window's bytes must all agree.
 */
static int run_accept(const char *dir, unsigned int *agree,
		      unsigned int *total, unsigned int *skipped)
{
	char path[4096], **names = NULL;
	long n = suite_list_dir(dir, ".hex", &names);
	size_t nr = n > 0 ? (size_t)n : 0, i;
	struct guest g = {0};
	int bad = 0;

	if (n <= 0) {
		printf("FAIL cannot list the accept corpus %s\n", dir);
		return 1;
	}

	for (i = 0; i < nr; i++) {
		struct hup_verifier_opts vo = {0};
		struct hup_verifier_info info;
		struct hup_mem_rec *recs = NULL;
		struct hup_confine conf;
		unsigned char mem[MEM_BYTES];
		struct bpf_insn *insns = NULL;
		size_t hlen = 0, cnt;
		char *hex, *src, *sec;
		long clen = -1;
		int ret;

		snprintf(path, sizeof(path), "%s/%s.hex", dir, names[i]);
		hex = suite_slurp(path, &hlen);
		snprintf(path, sizeof(path), "%s/%s.s", dir, names[i]);
		src = suite_slurp(path, NULL);
		insns = hex ? malloc(hlen / 2 + 8) : NULL;
		if (insns)
			clen = suite_parse_hex(hex, hex + hlen, (void *)insns,
					 hlen / 2 + 8);
		(*total)++;
		if (clen <= 0 || clen % 8 || !src) {
			printf("FAIL %s: cannot load\n", names[i]);
			bad = 1;
			goto next;
		}
		cnt = (size_t)clen / 8;
		vo.event = case_event(src);
		if ((sec = strstr(src, "-- view"))) {
			unsigned int bits = 0;

			sscanf(sec + strlen("-- view"), " %u", &bits);
			if (bits < 12 || bits > 46 || guest_open(&g, bits)) {
				(*skipped)++;
				goto next;
			}
			vo.has_view = true;
			vo.view_mask = (1ull << bits) - 1;
		}
		/* sealed and run confined, as the loader runs it; the
		 * input (r1) stands for the ctx */
		recs = calloc(cnt, sizeof(*recs));
		vo.recs = recs;
		ret = recs ? hup_verify(insns, cnt, &vo, &info) : -ENOMEM;
		if (!ret)
			ret = hup_fixup__engines(&insns, &cnt, recs,
						 (size_t)clen / 8, MEM_BYTES,
						 vo.has_view, NULL);
		if (ret) {
			printf("FAIL %s: verify/fixup/seal: %d\n", names[i], ret);
			bad = 1;
			goto next;
		}
		conf = hup_confine_none;
		conf.sealed = true;
		conf.ctx_size = MEM_BYTES;
		if (vo.has_view) {
			patch_view(insns, cnt, g.view, vo.view_mask);
			conf.view_base = (uint64_t)(uintptr_t)hup_view__base(g.view);
			conf.view_mask = vo.view_mask;
		}
		memset(mem, 0, sizeof(mem));
		if (run_both_in(names[i], insns, cnt, &zero_helpers, mem, 0,
				vo.has_view ? &g : NULL, &conf))
			bad = 1;
		else
			(*agree)++;
next:
		free(recs);
		recs = NULL;
		if (g.view)
			hup_view__free(g.view);
		g.view = NULL;
		free(insns);
		free(hex);
		free(src);
		free(names[i]);
	}
	free(names);
	if (g.win) {
		munmap(g.win, g.win_len);
		close(g.fd);
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned int gen = 3000, c_ok = 0, c_total = 0, g_ok = 0;
	unsigned int a_ok = 0, a_total = 0, a_skip = 0;
	unsigned int l_ok = 0, l_total = 0, l_ref = 0, l_inl = 0;
	const char *accept = NULL, *dir = NULL;
	uint64_t seed = 1;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--gen") && i + 1 < argc)
			gen = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--accept") && i + 1 < argc)
			accept = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			fprintf(stderr, "usage: %s [--gen N] [--seed S] "
				"[--accept DIR] [-v] CONFORMANCE_DIR\n", argv[0]);
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "differential: no conformance directory\n");
		return 2;
	}
	bad |= run_conformance(dir, &c_ok, &c_total);
	bad |= run_generated(gen, seed, &g_ok);
	/* a loop in about one program in 30: four times as many draws */
	bad |= run_generated_loops(4 * gen, seed, &l_ok, &l_total, &l_ref,
				   &l_inl);
	if (accept)
		bad |= run_accept(accept, &a_ok, &a_total, &a_skip);
	printf("conformance: %u/%u agree\n", c_ok, c_total);
	printf("generated: %u/%u agree (seed %llu)\n", g_ok, gen,
	       (unsigned long long)seed);
	printf("generated with loops: %u/%u agree (%u refused by the "
	       "verifier), %u inlined\n", l_ok, l_total - l_ref, l_ref, l_inl);
	if (!l_inl) {
		printf("FAIL no generated loop was inlined\n");
		bad = 1;
	}
	if (accept)
		printf("verifier accept corpus: %u/%u agree, %u skipped\n",
		       a_ok, a_total, a_skip);
	return bad;
}
