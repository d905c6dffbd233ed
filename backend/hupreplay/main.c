// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupreplay: run a hyperupcall registered in a hupvm snapshot (`hupctl
 * dump`) natively, without the VM or KVM: a developer's debugger and the
 * native side of the benchmarks (docs/hupreplay.md).
 *
 *   hupreplay SNAPSHOT ID [--jit|--interp|--native OBJ.o --btf BTF]
 *             [--event-arg N] [--args A,B,C,D] [--ctx N,...]
 *             [--repeat N] [--json]
 *
 * Exit status: 0 done; 1 the program failed or refused (or the native
 * port could not be set up); 2 usage; 3 the snapshot cannot be used
 * (unreadable, malformed, unknown ID, refused by the verifier).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "log.h"
#include "native.h"
#include "replay.h"

enum { EX_OK = 0, EX_FAILED = 1, EX_USAGE = 2, EX_SNAPSHOT = 3 };
#define MAX_CTX	   6
#define MAX_REPEAT 1000000u

struct cli {
	const char *path, *obj, *btf;
	uint32_t id;
	bool interp, native, json;
	bool event_arg_set;
	uint64_t event_arg;
	uint64_t args[4], ctx[MAX_CTX];
	unsigned int nctx;
	uint64_t repeat;
	uint64_t budget_us;
	bool untimed; /* --no-run-timing */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hupreplay SNAPSHOT ID [options]\n"
		"  run program ID of a hupvm snapshot (hupctl dump) natively\n"
		"  --jit              the x86-64 JIT (default)\n"
		"  --interp           libhup's interpreter\n"
		"  --native OBJ.o --btf BTF\n"
		"                     the native gcc -O2 port of the "
		"program's sample in its\n"
		"                     place (free_discard, msr_guard, "
		"tracing, ps, dmesg,\n"
		"                     tlb_shootdown);"
		"\n"
		"                     OBJ.o (the program's object) and BTF "
		"(the guest\n"
		"                     kernel's) tell it the layout and "
		"symbols\n"
		"                     (docs/hupreplay.md)\n"
		"  --event-arg N      replace the recorded event_arg (a "
		"query's tag)\n"
		"  --args A[,B,C,D]   query arguments\n"
		"  --ctx N[,...]      trace: KIND,REASON[,ARG0..ARG3]; "
		"msr_write: VALUE;\n"
		"                     vcpu_resume: PAUSED_NS; vcpu_desched:\n"
		"                     VCPU,DESCHEDULED_NS[,RUN]\n"
		"  --run-budget-us N  wall-clock budget of one run, "
		"1..10000000 (default:\n"
		"                     libhup's per event, as hupvm's)\n"
		"  --no-run-timing    libhup does not time the runs (as hupvm "
		"--no-run-timing):\n"
		"                     two clock reads less per run\n"
		"  --repeat N         run N times (reclaim: N walks of RAM); "
		"best and mean\n"
		"                     time\n"
		"  --json             one JSON object\n");
}

static int parse_list(const char *s, uint64_t *v, unsigned int max,
		      unsigned int *n)
{
	char buf[512], *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*n = 0;
	for (char *w = strtok_r(buf, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		if (*n == max || control__parse_u64(w, &v[*n]))
			return -EINVAL;
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

static int parse(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
	    {"jit", no_argument, NULL, 'j'},
	    {"interp", no_argument, NULL, 'i'},
	    {"native", required_argument, NULL, 'n'},
	    {"btf", required_argument, NULL, 'b'},
	    {"event-arg", required_argument, NULL, 'e'},
	    {"args", required_argument, NULL, 'a'},
	    {"ctx", required_argument, NULL, 'c'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"run-budget-us", required_argument, NULL, 'B'},
	    {"no-run-timing", no_argument, NULL, 'T'},
	    {"json", no_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned int n;
	uint64_t v;
	int o;

	memset(c, 0, sizeof(*c));
	c->repeat = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			c->interp = false;
			break;
		case 'i':
			c->interp = true;
			break;
		case 'n':
			c->native = true;
			c->obj = optarg;
			break;
		case 'b':
			c->btf = optarg;
			break;
		case 'e':
			if (control__parse_u64(optarg, &c->event_arg)) {
				fprintf(stderr,
					"hupreplay: --event-arg '%s' "
					"is not a number\n",
					optarg);
				return -EINVAL;
			}
			c->event_arg_set = true;
			break;
		case 'a':
			if (parse_list(optarg, c->args, 4, &n)) {
				fprintf(stderr,
					"hupreplay: --args '%s': up to "
					"4 numbers, comma-separated\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'c':
			if (parse_list(optarg, c->ctx, MAX_CTX, &c->nctx)) {
				fprintf(stderr,
					"hupreplay: --ctx '%s': up to "
					"%u numbers, comma-separated\n",
					optarg, MAX_CTX);
				return -EINVAL;
			}
			break;
		case 'r':
			if (control__parse_u64(optarg, &c->repeat) ||
			    !c->repeat || c->repeat > MAX_REPEAT) {
				fprintf(stderr,
					"hupreplay: --repeat '%s': "
					"1..%u\n",
					optarg, MAX_REPEAT);
				return -EINVAL;
			}
			break;
		case 'B':
			if (control__parse_u64(optarg, &c->budget_us) ||
			    !c->budget_us || c->budget_us > 10000000) {
				fprintf(stderr,
					"hupreplay: --run-budget-us "
					"'%s': 1..10000000\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'J':
			c->json = true;
			break;
		case 'T':
			c->untimed = true;
			break;
		case 'h':
			usage(stdout);
			exit(EX_OK);
		default:
			return -EINVAL;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "hupreplay: expected SNAPSHOT and ID\n");
		return -EINVAL;
	}
	c->path = argv[optind];
	if (control__parse_u64(argv[optind + 1], &v) || !v || v > UINT32_MAX) {
		fprintf(stderr, "hupreplay: bad program id '%s'\n",
			argv[optind + 1]);
		return -EINVAL;
	}
	c->id = (uint32_t)v;
	if (c->native != (c->btf != NULL)) {
		fprintf(stderr, "hupreplay: --native and --btf go together\n");
		return -EINVAL;
	}
	return 0;
}

static void print_line(void *opaque, const char *line, uint32_t len)
{
	(void)opaque;
	/* stderr: stdout carries the answer alone (a query's bytes) */
	fprintf(stderr, "debug: %.*s\n", (int)len, line);
}

static const char *engine(const struct cli *c)
{
	return c->native ? "native" : c->interp ? "interp" : "jit";
}

static int run_query(struct replay *r, const struct cli *c)
{
	char *buf = malloc(HUP_QUERY_OUT_MAX);
	uint64_t best = UINT64_MAX, sum = 0, r0 = 0;
	size_t len = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (uint64_t i = 0; i < c->repeat && !err; i++) {
		uint64_t t = backend__now_ns();

		err = replay__query(r, c->args, buf, HUP_QUERY_OUT_MAX, &len,
				    &r0);
		t = backend__now_ns() - t;
		best = t < best ? t : best;
		sum += t;
	}
	if (err)
		fprintf(stderr, "hupreplay: program %u failed: %s\n", c->id,
			hup_strerror(err));
	else if (c->json) {
		printf("{\"id\":%u,\"engine\":\"%s\",\"r0\":%lld,\"len\":%zu,"
		       "\"repeat\":%llu,\"best_ns\":%llu,\"mean_ns\":%llu,"
		       "\"answer\":",
		       c->id, engine(c), (long long)r0, len,
		       (unsigned long long)c->repeat, (unsigned long long)best,
		       (unsigned long long)(sum / c->repeat));
		control__json_str(stdout, buf, len);
		printf("}\n");
	} else {
		fwrite(buf, 1, len, stdout);
		fprintf(stderr,
			"hupreplay: returned %lld, %zu bytes, best of %llu: "
			"%.3f us, mean %.3f us\n",
			(long long)r0, len, (unsigned long long)c->repeat,
			best / 1e3, sum / 1e3 / c->repeat);
	}
	free(buf);
	/* A program that ran to its end but answered -errno failed too (its
	 * output and return value are printed above). */
	return err ? err : backend__ret_errno(r0);
}

static int run_reclaim(struct replay *r, const struct cli *c)
{
	struct backend_reclaim_report rep, best = {0};
	double gbs;
	int err = 0;

	best.scan_ns = UINT64_MAX;
	for (uint64_t i = 0; i < c->repeat && !err; i++) {
		err = replay__reclaim(r, &rep);
		if (!err && rep.scan_ns < best.scan_ns)
			best = rep;
	}
	if (err) {
		fprintf(stderr,
			"hupreplay: program %u %s: %s (after %llu "
			"batches)\n",
			c->id, rep.refused ? "refused" : "failed",
			hup_strerror(err), (unsigned long long)rep.batches);
		return err;
	}
	gbs = best.scan_ns ? (double)r->mem.size / best.scan_ns : 0;
	if (c->json)
		printf("{\"id\":%u,\"engine\":\"%s\",\"ram_bytes\":%llu,"
		       "\"pages_free\":%llu,\"batches\":%llu,\"repeat\":%llu,"
		       "\"scan_ns\":%llu,\"gb_per_s\":%.3f}\n",
		       c->id, engine(c), (unsigned long long)r->mem.size,
		       (unsigned long long)best.pages,
		       (unsigned long long)best.batches,
		       (unsigned long long)c->repeat,
		       (unsigned long long)best.scan_ns, gbs);
	else
		printf("%s: %llu pages free (%llu KiB) of %llu bytes of RAM, "
		       "%llu batches; best of %llu: %.3f ms, %.2f GB/s\n",
		       engine(c), (unsigned long long)best.pages,
		       (unsigned long long)best.pages * 4,
		       (unsigned long long)r->mem.size,
		       (unsigned long long)best.batches,
		       (unsigned long long)c->repeat, best.scan_ns / 1e6, gbs);
	return 0;
}

/* trace, msr_write, vcpu_resume: the event once per repeat on the vCPU
 * that registered the program, vcpu_desched for the vCPU --ctx names
 * (the caller, hupvm's scheduler, would hold it parked: here nothing
 * runs), with the context from --ctx, each call of the backend's entry
 * timed; the answer is the last run's. */
static int run_local(struct replay *r, const struct cli *c)
{
	uint32_t cpu = r->rec->vcpu, actions = 0;
	uint64_t best = UINT64_MAX, sum = 0, errors;
	const uint64_t *x = c->ctx;
	const char *answer = "done";
	char buf[32];
	bool denied = false;

	switch (r->rec->event) {
	case HUP_EVENT_TRACE:
		if (c->nctx < 2)
			goto ctx;
		break;
	case HUP_EVENT_MSR_WRITE:
	case HUP_EVENT_VCPU_RESUME:
		if (c->nctx != 1)
			goto ctx;
		break;
	case HUP_EVENT_VCPU_DESCHED:
		if (c->nctx < 2 || c->nctx > 3 || x[2] > UINT32_MAX)
			goto ctx;
		if (x[0] >= r->snap.h.nr_vcpus) {
			fprintf(stderr,
				"hupreplay: --ctx: vCPU %llu, the snapshot "
				"has %u\n",
				(unsigned long long)x[0], r->snap.h.nr_vcpus);
			return -EINVAL;
		}
		break;
	default: /* an event this tool does not know how to raise */
		fprintf(stderr,
			"hupreplay: cannot run a %s program (event %u)\n",
			backend__event_name(r->rec->event), r->rec->event);
		return -EOPNOTSUPP;
	}
	for (uint64_t i = 0; i < c->repeat; i++) {
		uint64_t t = backend__now_ns();

		if (r->rec->event == HUP_EVENT_TRACE)
			backend__trace(&r->b, cpu, (uint32_t)x[0],
				       (uint32_t)x[1], x + 2);
		else if (r->rec->event == HUP_EVENT_MSR_WRITE)
			denied = backend__msr_denied(
			    &r->b, cpu, (uint32_t)r->rec->event_arg, x[0]);
		else if (r->rec->event == HUP_EVENT_VCPU_RESUME)
			actions = backend__resume(&r->b, cpu, x[0]);
		else
			actions = backend__desched(&r->b, (uint32_t)x[0], x[1],
						   (uint32_t)x[2]);
		t = backend__now_ns() - t;
		best = t < best ? t : best;
		sum += t;
	}
	if (r->rec->event == HUP_EVENT_MSR_WRITE)
		answer = denied ? "denied" : "allowed";
	else if (r->rec->event == HUP_EVENT_VCPU_RESUME ||
		 r->rec->event == HUP_EVENT_VCPU_DESCHED) {
		snprintf(buf, sizeof(buf), "actions %#x", actions);
		answer = buf;
	}
	errors = atomic_load(&r->b.st.run_errors);
	if (c->json)
		printf("{\"id\":%u,\"engine\":\"%s\",\"answer\":\"%s\","
		       "\"runs_with_errors\":%llu,\"repeat\":%llu,"
		       "\"best_ns\":%llu,\"mean_ns\":%llu}\n",
		       c->id, engine(c), answer, (unsigned long long)errors,
		       (unsigned long long)c->repeat, (unsigned long long)best,
		       (unsigned long long)(sum / c->repeat));
	else {
		printf("%s\nruns_with_errors %llu\n", answer,
		       (unsigned long long)errors);
		fprintf(stderr,
			"hupreplay: best of %llu: %.3f us, mean %.3f us\n",
			(unsigned long long)c->repeat, best / 1e3,
			sum / 1e3 / c->repeat);
	}
	return errors ? -EFAULT : 0;
ctx:
	fprintf(stderr, "hupreplay: a %s program needs --ctx (see --help)\n",
		backend__event_name(r->rec->event));
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct replay_opts o = {0};
	struct native *nat = NULL;
	struct replay *r;
	struct cli c;
	char err[512];
	int e;

	if (parse(argc, argv, &c)) {
		usage(stderr);
		return EX_USAGE;
	}
	log__set_level(LOG_WARN);
	hup_set_run_timing(!c.untimed);
	o.no_jit = c.interp;
	o.run_budget_us = (uint32_t)c.budget_us;
	o.event_arg_set = c.event_arg_set;
	o.event_arg = c.event_arg;
	o.line = print_line;
	r = malloc(sizeof(*r));
	if (!r)
		return EX_FAILED;
	e = replay__open(r, c.path, c.id, &o, err, sizeof(err));
	if (e) {
		fprintf(stderr, "hupreplay: %s\n", err);
		if (r->log[0])
			fprintf(stderr, "%s\n", r->log);
		free(r);
		return EX_SNAPSHOT;
	}
	fprintf(
	    stderr,
	    "hupreplay: program %u \"%s\" (%s), %s, view %llu bytes mapped, "
	    "%llu holes\n",
	    c.id, r->rec->name, backend__event_name(r->rec->event), engine(&c),
	    (unsigned long long)r->mapped_bytes,
	    (unsigned long long)r->hole_bytes);
	if (r->view_differs)
		fprintf(stderr,
			"hupreplay: warning: hupvm's view of it had %llu bytes "
			"mapped, %llu holes: the guest changed those page "
			"tables after registering it\n",
			(unsigned long long)r->rec->mapped_bytes,
			(unsigned long long)r->rec->hole_bytes);
	if (c.native) {
		e = native__open(&nat, r, c.obj, c.btf, err, sizeof(err));
		if (e)
			fprintf(stderr, "hupreplay: --native: %s\n", err);
		else
			fprintf(stderr,
				"hupreplay: the native port of %s in its "
				"place\n",
				native__prog(nat));
	}
	if (!e)
		e = r->rec->event == HUP_EVENT_QUERY	 ? run_query(r, &c)
		    : r->rec->event == HUP_EVENT_RECLAIM ? run_reclaim(r, &c)
							 : run_local(r, &c);
	native__close(nat);
	replay__close(r);
	free(r);
	return e ? EX_FAILED : EX_OK;
}
