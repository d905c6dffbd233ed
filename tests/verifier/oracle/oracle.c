/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The verifier soundness oracle (docs/verifier-oracle.md).
 *
 * Loop: generate a subject body biased towards partially known values
 * (gen.c); keep it if the verifier accepts it; run it on adversarial
 * contexts under the interpreter and the JIT (run.c); then ask the
 * verifier, black-box (probe.c), whether it believes impossible what an
 * input produced (every target at once, one question per input), and for
 * one target per program whether its belief excludes the extremes of
 * the values seen.  Any accepted question, engine disagreement or JIT
 * refusal is a finding: it is minimised (registers and units dropped,
 * context words zeroed while it still reproduces) and printed with the
 * learned belief and a reproducer in tests/verifier's corpus syntax.
 *
 * usage: hup_oracle [--seed N] [--time SECONDS] [--programs N]
 *                   [--inputs N] [--units N] [--max-findings N]
 *                   [--min-programs N] [--progress SECONDS]
 *                   [--expect-finding] | --selftest
 * Prints "oracle: P programs checked (G generated), V verifications,
 * R runs, F findings in S s"; exits 1 on a finding (or, with
 * --expect-finding, on none; it then stops at the first), 2 when fewer
 * than --min-programs were checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "probe.h"
#include "run.h"

#define MAX_INPUTS 64u

enum kind { F_BELIEF, F_SCREEN, F_ENGINES, F_JIT };

struct finding {
	enum kind kind;
	uint8_t t;       /* target register */
	enum or_q q;
	uint64_t v;      /* the question's constant (probe.h) */
	uint8_t ctx[OR_CTX_BYTES];
	uint64_t vi, vj; /* interpreter's and JIT's value of t */
	uint32_t which;  /* targets involved (bit k: or_targets[k]) */
	uint64_t vals[OR_NR_TARGETS]; /* every target's value on ctx */
};

struct stats {
	uint64_t generated, checked, runs, findings;
};

static struct stats st;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The extreme a question is asked with, over the values in vals. */
static uint64_t aggregate(enum or_q q, const uint64_t *vals, size_t n)
{
	uint64_t a = vals[0];
	size_t i;

	for (i = 1; i < n; i++) {
		uint64_t v = vals[i];

		switch (q) {
		case OR_Q_UMAX: a = v > a ? v : a; break;
		case OR_Q_UMIN: a = v < a ? v : a; break;
		case OR_Q_SMAX: a = (int64_t)v > (int64_t)a ? v : a; break;
		case OR_Q_SMIN: a = (int64_t)v < (int64_t)a ? v : a; break;
		case OR_Q_U32MAX: a = (uint32_t)v > (uint32_t)a ? v : a; break;
		case OR_Q_U32MIN: a = (uint32_t)v < (uint32_t)a ? v : a; break;
		case OR_Q_S32MAX: a = (int32_t)v > (int32_t)a ? v : a; break;
		case OR_Q_S32MIN: a = (int32_t)v < (int32_t)a ? v : a; break;
		case OR_Q_ZEROS: a |= v; break;
		case OR_Q_ONES: a &= v; break;
		default: break; /* NE, NE32: the first value */
		}
	}
	return a;
}

/*
 * A screen finding (f->vals of the targets in f->which believed impossible
 * together) as one register's belief, if a single question shows it.
 */
static void classify(const struct bpf_insn *body, size_t n, struct finding *f)
{
	size_t k;
	int q;

	for (k = 0; k < OR_NR_TARGETS; k++)
		for (q = 0; (f->which & (1u << k)) && q < OR_NR_Q; q++)
			if (or_refutes(body, n, or_targets[k], (enum or_q)q,
				       f->vals[k])) {
				f->kind = F_BELIEF;
				f->which = 1u << k;
				f->t = or_targets[k];
				f->q = (enum or_q)q;
				f->v = f->vi = f->vj = f->vals[k];
				return;
			}
}

/*
 * Check one body on the inputs.  Returns -1 if the verifier rejects it
 * (not a subject), 0 if sound on these inputs, 1 with *f filled.
 */
static int check(const struct or_prog *p, const uint8_t (*ctx)[OR_CTX_BYTES],
		 size_t nin, size_t focus, struct finding *f)
{
	struct bpf_insn body[OR_MAX_INSNS];
	static uint64_t vi[MAX_INPUTS][OR_NR_TARGETS], vj[MAX_INPUTS][OR_NR_TARGETS];
	uint64_t vals[MAX_INPUTS];
	struct or_runner *rn;
	size_t n = or_emit(p, body), i, k;
	int jit_err, q;

	if (!or_base_ok(body, n, OR_ALL_TARGETS))
		return -1;
	memset(f, 0, sizeof(*f));
	rn = or_runner_new(body, n, &jit_err);
	if (!rn) {
		f->kind = F_JIT;
		f->v = (uint64_t)(int64_t)jit_err;
		memcpy(f->ctx, ctx[0], OR_CTX_BYTES);
		return 1;
	}
	for (i = 0; i < nin; i++) {
		or_run(rn, ctx[i], vi[i], vj[i]);
		st.runs += 2;
	}
	or_runner_free(rn);
	for (i = 0; i < nin; i++)
		for (k = 0; k < OR_NR_TARGETS; k++)
			if (vi[i][k] != vj[i][k]) {
				f->kind = F_ENGINES;
				f->which = 1u << k;
				f->t = or_targets[k];
				memcpy(f->ctx, ctx[i], OR_CTX_BYTES);
				f->vi = vi[i][k], f->vj = vj[i][k];
				return 1;
			}
	/* every input's whole outcome at once (cheap: one verification) */
	for (i = 0; i < nin; i++) {
		if (!or_screen(body, n, vi[i], OR_ALL_TARGETS))
			continue;
		memcpy(f->ctx, ctx[i], OR_CTX_BYTES);
		memcpy(f->vals, vi[i], sizeof(f->vals));
		f->kind = F_SCREEN;
		f->which = OR_ALL_TARGETS;
		classify(body, n, f);
		return 1;
	}
	/*
	 * Every question on the extremes over all inputs, for one target per
	 * program (focus): these exercise each comparison's own decision
	 * and refinement (ranges, JSET on known bits), not just equality.
	 */
	k = focus % OR_NR_TARGETS;
	for (i = 0; i < nin; i++)
		vals[i] = vi[i][k];
	for (q = 0; q < OR_NR_Q; q++) {
		uint8_t t = or_targets[k];

		uint64_t c = aggregate((enum or_q)q, vals, nin);

		if (!or_refutes(body, n, t, (enum or_q)q, c))
			continue;
		/* an input taking the branch believed dead (the extremes'
		 * own inputs always do) */
		for (i = 0; i + 1 < nin; i++)
			if (or_taken((enum or_q)q, c, vals[i]))
				break;
		f->kind = F_BELIEF;
		f->which = 1u << k;
		memcpy(f->vals, vi[i], sizeof(f->vals));
		f->t = t;
		f->q = (enum or_q)q;
		f->v = c;
		memcpy(f->ctx, ctx[i], OR_CTX_BYTES);
		f->vi = vi[i][k], f->vj = vj[i][k];
		return 1;
	}
	return 0;
}

/* Does p still show f's kind of finding on the single input ctx? */
static bool reproduces(const struct or_prog *p, const uint8_t *ctx,
		       const struct finding *f, struct finding *out)
{
	const uint8_t (*c)[OR_CTX_BYTES] = (const uint8_t (*)[OR_CTX_BYTES])ctx;
	struct bpf_insn body[OR_MAX_INSNS];
	uint64_t vi[OR_NR_TARGETS], vj[OR_NR_TARGETS];
	struct or_runner *rn;
	size_t n, k;
	int jit_err;

	if (f->kind == F_ENGINES || f->kind == F_JIT)
		return check(p, c, 1, 0, out) == 1 && out->kind == f->kind;
	n = or_emit(p, body);
	if (!or_base_ok(body, n, f->which))
		return false;
	rn = or_runner_new(body, n, &jit_err);
	if (!rn)
		return false;
	or_run(rn, ctx, vi, vj);
	or_runner_free(rn);
	for (k = 0; k < OR_NR_TARGETS; k++)
		if ((f->which & (1u << k)) && vi[k] != vj[k])
			return false;
	for (k = 0; or_targets[k] != f->t; k++)
		;
	if (f->kind == F_BELIEF ? !or_taken(f->q, f->v, vi[k]) ||
					  !or_refutes(body, n, f->t, f->q, f->v) :
				  !or_screen(body, n, vi, f->which))
		return false;
	*out = *f;
	memcpy(out->ctx, ctx, OR_CTX_BYTES);
	memcpy(out->vals, vi, sizeof(vi));
	out->vi = out->vj = vi[k];
	return true;
}

static void minimise(struct or_prog *p, struct finding *f)
{
	struct or_prog trial;
	struct finding g;
	uint8_t ctx[OR_CTX_BYTES];
	bool changed = true;
	size_t i, w;

	while (changed) {
		changed = false;
		/* a screen finding: the fewest registers whose values
		 * together the verifier believes impossible */
		for (i = 0; f->kind == F_SCREEN && i < OR_NR_TARGETS; i++) {
			struct finding h = *f;

			h.which &= ~(1u << i);
			if (h.which != f->which && h.which &&
			    reproduces(p, f->ctx, &h, &g)) {
				*f = g;
				changed = true;
			}
		}
		for (i = p->n; i-- > 0;) {
			trial = *p;
			or_drop(&trial, i);
			if (reproduces(&trial, f->ctx, f, &g)) {
				*p = trial, *f = g;
				changed = true;
			}
		}
	}
	/* minimised, a screen finding may be one register's belief */
	if (f->kind == F_SCREEN) {
		struct bpf_insn body[OR_MAX_INSNS];

		classify(body, or_emit(p, body), f);
	}
	for (w = 0; w < OR_CTX_BYTES / 8; w++) {
		memcpy(ctx, f->ctx, sizeof(ctx));
		if (!memcmp(ctx + 8 * w, "\0\0\0\0\0\0\0\0", 8))
			continue;
		memset(ctx + 8 * w, 0, 8);
		if (reproduces(p, ctx, f, &g))
			*f = g;
	}
}

static void report(const struct or_prog *p, const struct finding *f,
		   uint64_t seed, uint64_t index)
{
	struct bpf_insn body[OR_MAX_INSNS], prog[OR_MAX_INSNS];
	size_t n = or_emit(p, body), k, w;
	struct or_belief b;

	printf("oracle: FINDING (seed %" PRIu64 ", program %" PRIu64 "): ",
	       seed, index);
	switch (f->kind) {
	case F_JIT:
		printf("the JIT refused a verified program (%d)\n", (int)f->v);
		break;
	case F_ENGINES:
		printf("engines disagree on r%u: interpreter %#" PRIx64
		       ", JIT %#" PRIx64 "\n", f->t, f->vi, f->vj);
		break;
	case F_SCREEN:
		printf("the verifier believes impossible this run's outcome");
		for (k = 0; k < OR_NR_TARGETS; k++)
			if (f->which & (1u << k))
				printf(" r%u = %#" PRIx64, or_targets[k], f->vals[k]);
		printf(" (interpreter and JIT), though no single-register "
		       "question on its own says so (the belief is wrong on "
		       "the path this input took)\n");
		break;
	case F_BELIEF:
		printf("r%u = %#" PRIx64 " (interpreter and JIT) takes the "
		       "reproducer's branch, which the verifier believes dead "
		       "(the %s question, asked with %#" PRIx64 ")\n", f->t,
		       f->vi, or_q_names[f->q], f->v);
		break;
	}
	printf("  context words (struct hup_trace_ctx, 8 bytes each):");
	for (w = 0; w < OR_CTX_BYTES / 8; w++) {
		uint64_t v;

		memcpy(&v, f->ctx + 8 * w, 8);
		printf(" %#" PRIx64, v);
	}
	printf("\n  program (%zu insns, minimised):\n", n);
	or_print(body, n, "    ");
	if (f->kind == F_SCREEN) {
		k = or_screen_prog(body, n, f->vals, f->which, prog);
		printf("  reproducer (accepted, yet this context reaches the "
		       "bad read):\n-- asm\n");
		or_print(prog, k, "");
		printf("-- error\nEACCES\n");
		return;
	}
	if (f->kind != F_BELIEF)
		return;
	or_learn(body, n, f->t, &b);
	printf("  the verifier believes of r%u at the end (learned from the "
	       "dead branches it accepts):\n", f->t);
	or_print_belief(&b);
	k = or_probe_prog(body, n, f->t, f->q, f->v, prog);
	printf("  reproducer: accepted by the verifier, yet with this context "
	       "it reaches the out-of-bounds stack read (a reject case once "
	       "fixed):\n-- asm\n");
	or_print(prog, k, "");
	printf("-- error\nEACCES\n");
}

static void print_stats(const char *what, double el)
{
	printf("oracle: %s%" PRIu64 " programs checked (%" PRIu64
	       " generated), %" PRIu64 " verifications, %" PRIu64
	       " runs, %" PRIu64 " findings in %.1f s (%.0f programs/s)\n",
	       what, st.checked, st.generated, or_verifications, st.runs,
	       st.findings, el, st.checked / (el > 0 ? el : 1));
}

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * The belief learner checked on bodies whose belief is known, so that a
 * broken learner (it runs only on findings) cannot go unnoticed.
 */
static int selftest(void)
{
	const struct {
		const char *what;
		struct bpf_insn body[4];
		size_t n;
		struct or_belief want;
	} cases[] = {
		{"w2 = ctx u32 & 0xff",
		 {or_insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 16, 0),
		  or_insn(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xff)}, 2,
		 {0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, ~0xffull, 0}},
		{"r2 = -5",
		 {or_insn(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, -5)}, 1,
		 {(uint64_t)-5, (uint64_t)-5, -5, -5, (uint32_t)-5, (uint32_t)-5,
		  -5, -5, 4, ~4ull}},
		{"r2 = ctx u64 << 32 | 32 (the audit's shift amount)",
		 {or_insn(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 0, 0),
		  or_insn(BPF_ALU64 | BPF_LSH | BPF_K, 2, 0, 0, 32),
		  or_insn(BPF_ALU64 | BPF_OR | BPF_K, 2, 0, 0, 32)}, 3,
		 {32, 0xffffffff00000020ull, INT64_MIN + 32, 0x7fffffff00000020ll,
		  32, 32, 32, 32, 0xffffffdfull, 0x20}},
	};
	size_t i, ok = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct or_belief b;

		or_learn(cases[i].body, cases[i].n, 2, &b);
		if (!memcmp(&b, &cases[i].want, sizeof(b))) {
			ok++;
			continue;
		}
		printf("oracle selftest: %s: learned\n", cases[i].what);
		or_print_belief(&b);
		printf("  expected\n");
		or_print_belief(&cases[i].want);
	}
	printf("oracle selftest: %zu of %zu beliefs as expected\n", ok, i);
	return ok == i ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: hup_oracle [--seed N] [--time SECONDS] "
		"[--programs N] [--inputs N] [--units N] [--max-findings N] "
		"[--min-programs N] [--progress SECONDS] [--expect-finding] | --selftest\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, max_programs = UINT64_MAX, min_programs = 0;
	uint64_t max_findings = 10, index;
	double limit = 10, start, first = -1, progress = 0, last;
	size_t nin = 16, units = 40;
	bool expect = false;
	static uint8_t ctx[MAX_INPUTS][OR_CTX_BYTES];
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--expect-finding")) {
			expect = true;
			continue;
		}
		if (!strcmp(a, "--selftest"))
			return selftest();
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--time"))
			limit = strtod(v, NULL);
		else if (!strcmp(a, "--programs"))
			max_programs = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--min-programs"))
			min_programs = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--max-findings"))
			max_findings = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--inputs"))
			nin = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--progress"))
			progress = strtod(v, NULL);
		else if (!strcmp(a, "--units"))
			units = strtoul(v, NULL, 0);
		else
			usage();
	}
	if (!nin || nin > MAX_INPUTS || units < 2 * OR_NR_TARGETS + 6 ||
	    units > OR_MAX_UNITS)
		usage();
	if (expect)
		max_findings = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	start = last = now();
	for (index = 0; index < max_programs && now() - start < limit; index++) {
		struct or_rng r = {splitmix(seed ^ splitmix(index)) | 1};
		struct or_prog p;
		struct finding f;
		size_t k;
		int ret;

		if (progress > 0 && now() - last >= progress) {
			last = now();
			print_stats("progress: ", last - start);
		}
		or_gen_prog(&r, &p, units);
		for (k = 0; k < nin; k++)
			or_gen_ctx(&r, &p, ctx[k]);
		st.generated++;
		ret = check(&p, (const uint8_t (*)[OR_CTX_BYTES])ctx, nin, index, &f);
		if (ret < 0)
			continue;
		st.checked++;
		if (!ret)
			continue;
		if (first < 0)
			first = now() - start;
		st.findings++;
		minimise(&p, &f);
		report(&p, &f, seed, index);
		if (st.findings >= max_findings)
			break;
	}
	print_stats("", now() - start);
	if (first >= 0)
		printf("oracle: first finding after %.2f s\n", first);
	if (expect)
		return st.findings ? 0 : 1;
	if (st.findings)
		return 1;
	if (st.checked < min_programs) {
		printf("oracle: fewer than %" PRIu64 " programs checked\n",
		       min_programs);
		return 2;
	}
	return 0;
}
