// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control commands (see control.h): list, stats, query, reclaim,
 * pause, resume, dump, help; upcall is control_upcall.c's, sched
 * control_sched.c's.  Each validates its arguments, acts through the
 * backend or the vCPUs, and writes human lines or one JSON object.
 */
#include "control.h"
#include "control_req.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hyperupcall/abi.h>

#include "hyperupcall/backend.h"
#include "snapshot.h"
#include "upcall.h"
#include "vcpu.h"
#include "vm.h"
#include "vmreclaim.h"
#include "vsched.h"

static const char *errno_name(int err)
{
	static const struct {
		int e;
		const char *n;
	} t[] = {
	    {EINVAL, "EINVAL"},	    {ENOENT, "ENOENT"},
	    {EPERM, "EPERM"},	    {EEXIST, "EEXIST"},
	    {EACCES, "EACCES"},	    {ENOSPC, "ENOSPC"},
	    {EALREADY, "EALREADY"}, {ETIMEDOUT, "ETIMEDOUT"},
	    {ESHUTDOWN, "ESHUTDOWN"}, {ENOMEM, "ENOMEM"},
	    {EFAULT, "EFAULT"},	    {E2BIG, "E2BIG"},
	    {EOPNOTSUPP, "EOPNOTSUPP"}, {ENODEV, "ENODEV"},
	    {EIO, "EIO"},	    {ENOTDIR, "ENOTDIR"},
	    {ELOOP, "ELOOP"},	    {EROFS, "EROFS"},
	    {EBUSY, "EBUSY"},	    {ERANGE, "ERANGE"},
	};

	err = err < 0 ? -err : err;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == err)
			return t[i].n;
	return "EIO";
}

int control__fail(struct req *r, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->out, "ERR %s ", errno_name(err));
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	return err;
}

int control__parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int control__split(char *line, char **argv)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == CONTROL_MAX_ARGS)
			return -E2BIG;
		argv[n++] = w;
	}
	return n;
}

void control__json_str(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static int arg_id(struct req *r, int i, uint32_t *id)
{
	uint64_t v;

	if (i >= r->argc)
		return control__fail(r, -EINVAL, "%s: missing program id", r->argv[0]);
	if (control__parse_u64(r->argv[i], &v) || !v || v > UINT32_MAX)
		return control__fail(r, -EINVAL, "%s: bad program id '%s'", r->argv[0],
			    r->argv[i]);
	*id = (uint32_t)v;
	return 0;
}

static int arg_vcpu(struct req *r, struct vcpu **v)
{
	uint64_t n;

	if (r->argc != 2)
		return control__fail(r, -EINVAL, "usage: %s VCPU", r->argv[0]);
	if (control__parse_u64(r->argv[1], &n) || n >= r->vm->nr_vcpus)
		return control__fail(r, -EINVAL, "%s: no vCPU '%s' (the VM has %u)",
			    r->argv[0], r->argv[1], r->vm->nr_vcpus);
	*v = &r->vm->vcpus[n];
	return 0;
}

static void prog_line(struct req *r, const struct backend_prog_info *p,
		      bool first)
{
	if (r->json) {
		fprintf(r->out,
			"%s{\"id\":%u,\"event\":\"%s\",\"name\":", first ? "" : ",",
			p->id, backend__event_name(p->event));
		control__json_str(r->out, p->name, strlen(p->name));
		fprintf(r->out,
			",\"vcpu\":%u,\"event_arg\":%llu,\"windows\":%u,"
			"\"mapped_bytes\":%llu,\"hole_bytes\":%llu,"
			"\"view_bits\":%u,\"view_shared\":%s,"
			"\"runs\":%llu,\"aborts\":%llu,\"run_ns\":%llu,"
			"\"jited_len\":%llu}",
			p->vcpu, (unsigned long long)p->event_arg,
			p->nr_windows, (unsigned long long)p->mapped_bytes,
			(unsigned long long)p->hole_bytes, p->view_bits,
			p->view_shared ? "true" : "false",
			(unsigned long long)p->st.runs,
			(unsigned long long)p->st.aborts,
			(unsigned long long)p->st.run_ns,
			(unsigned long long)p->jited_len);
		return;
	}
	fprintf(r->out,
		"prog %u event=%s name=\"%s\" vcpu=%u event_arg=%#llx "
		"windows=%u mapped=%llu holes=%llu view=2^%u%s runs=%llu "
		"aborts=%llu run_ns=%llu jited=%llu\n",
		p->id, backend__event_name(p->event), p->name, p->vcpu,
		(unsigned long long)p->event_arg, p->nr_windows,
		(unsigned long long)p->mapped_bytes,
		(unsigned long long)p->hole_bytes, p->view_bits,
		p->view_shared ? "(shared)" : "",
		(unsigned long long)p->st.runs,
		(unsigned long long)p->st.aborts,
		(unsigned long long)p->st.run_ns,
		(unsigned long long)p->jited_len);
}

static int list_progs(struct req *r, uint32_t id, const char *key)
{
	struct backend_prog_info *info;
	unsigned int n;

	info = calloc(HUP_MAX_PROGS, sizeof(*info));
	if (!info)
		return control__fail(r, -ENOMEM, "out of memory");
	n = backend__list(r->vm->hup, id, info, HUP_MAX_PROGS);
	if (id && !n) {
		free(info);
		return control__fail(r, -ENOENT, "no program %u", id);
	}
	if (r->json)
		fprintf(r->out, "%s\"programs\":[", key);
	for (unsigned int i = 0; i < n; i++)
		prog_line(r, &info[i], i == 0);
	if (r->json)
		fputc(']', r->out);
	free(info);
	return 0;
}

static int cmd_list(struct req *r)
{
	int err;

	if (r->argc != 1)
		return control__fail(r, -EINVAL, "usage: list");
	if (r->json)
		fputc('{', r->out);
	err = list_progs(r, 0, "");
	if (r->json)
		fputs("}\n", r->out);
	return err;
}

static const char *const reason_keys[VCPU_EXIT_REASONS] = HUP_EXIT_NAMES_INIT;

void control__kv(struct req *r, bool *first, const char *k, uint64_t v)
{
	if (r->json)
		fprintf(r->out, "%s\"%s\":%llu", *first ? "" : ",", k,
			(unsigned long long)v);
	else
		fprintf(r->out, "%s%s=%llu", *first ? "" : " ", k,
			(unsigned long long)v);
	*first = false;
}

static void group(struct req *r, const char *name, bool open)
{
	if (r->json)
		fprintf(r->out, open ? "\"%s\":{" : "},", name);
	else if (open)
		fprintf(r->out, "%s ", name);
	else
		fputc('\n', r->out);
}

static int cmd_stats(struct req *r)
{
	struct backend_stats *s = &r->vm->hup->st;
	uint64_t by[VCPU_EXIT_REASONS] = {0}, total = 0, pauses = 0, tlb = 0;
	uint64_t kvm_total = 0, n, tsc_back = 0, tsc_back_max = 0;
	bool kvm_ok = true;
	uint32_t id = 0;
	bool f;
	int err;

	if (r->argc > 2)
		return control__fail(r, -EINVAL, "usage: stats [ID]");
	if (r->argc == 2 && (err = arg_id(r, 1, &id)))
		return err;
	if (id) { /* one program */
		if (r->json)
			fputc('{', r->out);
		err = list_progs(r, id, "");
		if (r->json && !err)
			fputs("}\n", r->out);
		return err;
	}
	for (uint32_t i = 0; i < r->vm->nr_vcpus; i++) {
		struct vcpu *v = &r->vm->vcpus[i];

		total += atomic_load(&v->exits);
		pauses += atomic_load(&v->pauses);
		tlb += atomic_load(&v->tlb_flushes);
		tsc_back += __atomic_load_n(&v->tsc_fwd.back, __ATOMIC_RELAXED);
		n = __atomic_load_n(&v->tsc_fwd.back_max, __ATOMIC_RELAXED);
		tsc_back_max = n > tsc_back_max ? n : tsc_back_max;
		if (vcpu__kvm_exits(v, &n))
			kvm_ok = false;
		else
			kvm_total += n;
		for (unsigned int k = 1; k < VCPU_EXIT_REASONS; k++)
			by[k] += atomic_load(&v->by_reason[k]);
	}
	if (r->json)
		fputc('{', r->out);
	group(r, "exits", true);
	f = true;
	control__kv(r, &f, "total", total);
	for (unsigned int k = 1; k < VCPU_EXIT_REASONS; k++)
		control__kv(r, &f, reason_keys[k], by[k]);
	/* KVM's own count, in-kernel exits included (bench-costs.md); last,
	 * so the line reads as it did for parsers of total= io= */
	if (kvm_ok)
		control__kv(r, &f, "kvm", kvm_total);
	group(r, "exits", false);
	group(r, "requests", true);
	f = true;
	control__kv(r, &f, "register", atomic_load(&s->requests[HUP_OP_REGISTER]));
	control__kv(r, &f, "unregister", atomic_load(&s->requests[HUP_OP_UNREGISTER]));
	control__kv(r, &f, "query", atomic_load(&s->requests[HUP_OP_QUERY]));
	group(r, "requests", false);
	group(r, "rejected", true);
	f = true;
	for (int k = 1; k < HREQ_NR_REASONS; k++)
		control__kv(r, &f, hreq__reason_name((enum hreq_reason)k),
		   atomic_load(&s->rejected[k]));
	group(r, "rejected", false);
	group(r, "events", true);
	f = true;
	for (uint32_t e = 1; e <= HUP_EVENT_MAX; e++)
		control__kv(r, &f, backend__event_name(e),
		   atomic_load(&s->dispatches[e]));
	control__kv(r, &f, "run_errors", atomic_load(&s->run_errors));
	control__kv(r, &f, "msr_allowed", atomic_load(&s->msr_allowed));
	control__kv(r, &f, "msr_denied", atomic_load(&s->msr_denied));
	control__kv(r, &f, "vcpu_pauses", pauses);
	control__kv(r, &f, "tlb_flushes", tlb);
	control__kv(r, &f, "pages_discarded", atomic_load(&s->pages_discarded));
	control__kv(r, &f, "view_faults", atomic_load(&s->view_faults));
	control__kv(r, &f, "debug_lines", atomic_load(&s->debug_lines));
	/* guest TSC readings below the last one, held (x86/hup.h) */
	control__kv(r, &f, "tsc_back", tsc_back);
	control__kv(r, &f, "tsc_back_max_cycles", tsc_back_max);
	group(r, "events", false);
	group(r, "reclaim", true);
	f = true;
	control__kv(r, &f, "runs", atomic_load(&s->reclaims));
	control__kv(r, &f, "pages_discarded", atomic_load(&s->pages_discarded));
	control__kv(r, &f, "bytes_returned", atomic_load(&s->reclaim_bytes_returned));
	control__kv(r, &f, "max_stop_ns", atomic_load(&s->reclaim_max_stop_ns));
	control__kv(r, &f, "auto_rounds", atomic_load(&s->auto_reclaim_rounds));
	group(r, "reclaim", false);
	group(r, "views", true);
	f = true;
	control__kv(r, &f, "count", atomic_load(&r->vm->hup->views.nr_views));
	control__kv(r, &f, "maps", atomic_load(&r->vm->hup->views.maps));
	control__kv(r, &f, "reserved_bytes", atomic_load(&r->vm->hup->views.va));
	group(r, "views", false);
	if (r->vm->upcall) {
		struct upcall_stats *u = &r->vm->upcall->st;

		group(r, "upcalls", true);
		f = true;
		control__kv(r, &f, "attached", upcall__attached(r->vm->upcall));
		control__kv(r, &f, "attaches", atomic_load(&u->attaches));
		control__kv(r, &f, "calls", atomic_load(&u->calls));
		control__kv(r, &f, "answered", atomic_load(&u->answered));
		control__kv(r, &f, "timeouts", atomic_load(&u->timeouts));
		control__kv(r, &f, "late", atomic_load(&u->late));
		control__kv(r, &f, "refused", atomic_load(&u->refused));
		group(r, "upcalls", false);
	}
	if (r->vm->sched) {
		struct vsched *vs = r->vm->sched;

		group(r, "sched", true);
		f = true;
		control__kv(r, &f, "pcpus", atomic_load(&vs->pcpus));
		control__kv(r, &f, "timeslice_ns", vs->slice_ns);
		control__kv(r, &f, "slices", atomic_load(&vs->slices));
		control__kv(r, &f, "deschedules", atomic_load(&vs->deschedules));
		control__kv(r, &f, "pv_marks", atomic_load(&vs->pv_marks));
		control__kv(r, &f, "pv_none", atomic_load(&vs->pv_none));
		control__kv(r, &f, "desched_runs", atomic_load(&vs->desched_runs));
		control__kv(r, &f, "fifo", vs->fifo);
		control__kv(r, &f, "wakeups", atomic_load(&vs->wakeups));
		control__kv(r, &f, "late_ns", atomic_load(&vs->late_ns));
		control__kv(r, &f, "late_max_ns", atomic_load(&vs->late_max_ns));
		group(r, "sched", false);
	}
	err = list_progs(r, 0, "");
	if (r->json)
		fputs("}\n", r->out);
	return err;
}

/* A query's answer, also the part output before a run aborted: "data N",
 * the N bytes and a newline, then "r0 R" if the program ran to its end
 * (its return value, signed); JSON: one object, "r0" null and "aborted"
 * true when it did not. */
static void query_answer(struct req *r, uint32_t id, const char *buf,
			 size_t len, bool ran, uint64_t r0)
{
	if (r->json) {
		fprintf(r->out, "{\"id\":%u,\"len\":%zu,\"r0\":", id, len);
		if (ran)
			fprintf(r->out, "%lld", (long long)(int64_t)r0);
		else
			fputs("null", r->out);
		fprintf(r->out, ",\"aborted\":%s,\"answer\":",
			ran ? "false" : "true");
		control__json_str(r->out, buf, len);
		fputs("}\n", r->out);
		return;
	}
	fprintf(r->out, "data %zu\n", len);
	fwrite(buf, 1, len, r->out);
	fputc('\n', r->out);
	if (ran)
		fprintf(r->out, "r0 %lld\n", (long long)(int64_t)r0);
}

static int cmd_query(struct req *r)
{
	uint64_t args[CONTROL_QUERY_ARGS] = {0}, r0 = 0;
	size_t len = 0;
	uint32_t id;
	char *buf;
	int err;

	if ((err = arg_id(r, 1, &id)))
		return err;
	if (r->argc > 2 + (int)CONTROL_QUERY_ARGS)
		return control__fail(r, -E2BIG, "query: at most %u arguments",
			    CONTROL_QUERY_ARGS);
	for (int i = 2; i < r->argc; i++)
		if (control__parse_u64(r->argv[i], &args[i - 2]))
			return control__fail(r, -EINVAL,
				    "query: argument '%s' is not a number",
				    r->argv[i]);
	buf = malloc(HUP_QUERY_OUT_MAX);
	if (!buf)
		return control__fail(r, -ENOMEM, "out of memory");
	err = backend__query(r->vm->hup, id, args, buf, HUP_QUERY_OUT_MAX,
			     &len, &r0);
	if (err == -ENOENT) {
		err = control__fail(r, err, "no program %u", id);
	} else if (err == -EPERM) {
		err = control__fail(r, err, "program %u is not a query program", id);
	} else {
		query_answer(r, id, buf, len, !err, r0);
		/* libhup's abort and the program's own -errno are told
		 * apart: only the first means it did not finish. */
		if (err)
			err = control__fail(r, err, "program %u aborted after %zu bytes "
				   "of output: %s", id, len, hup_strerror(err));
		else if ((err = backend__ret_errno(r0)))
			err = control__fail(r, err, "program %u returned %lld (%s)", id,
				   (long long)(int64_t)r0, strerror(-err));
	}
	free(buf);
	return err;
}

int control__parse_bytes(const char *s, uint64_t *v)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end)
		return -EINVAL;
	if (shift && n > (UINT64_MAX >> shift))
		return -ERANGE;
	*v = (uint64_t)n << shift;
	return 0;
}

static void ms_kv(struct req *r, bool *first, const char *k, uint64_t ns)
{
	if (r->json)
		control__kv(r, first, k, ns);
	else {
		fprintf(r->out, "%s%s=%.3fms", *first ? "" : " ", k, ns / 1e6);
		*first = false;
	}
}

/* --audit's verdict (JSON: the report's "audit" object). */
static void audit_report(struct req *r, uint8_t fill,
			 const struct backend_reclaim_report *p)
{
	bool f = true;

	if (r->json)
		fputs(",\"audit\":{", r->out);
	else if (p->audit_bad)
		fprintf(r->out, "audit: %llu of the pages answered free hold "
				"data, not the free-page fill (0x%02x): the "
				"program answered pages in use\n",
			(unsigned long long)p->audit_bad, fill);
	else
		fprintf(r->out, "audit: every page answered free holds the "
				"free-page fill (0x%02x) or is one the host does "
				"not hold\n",
			fill);
	control__kv(r, &f, "fill", fill);
	control__kv(r, &f, "pages_checked", p->pages - p->audit_holes);
	control__kv(r, &f, "pages_not_held", p->audit_holes);
	control__kv(r, &f, "pages_bad", p->audit_bad);
	if (p->audit_bad) {
		control__kv(r, &f, "first_bad_pfn", p->audit_first_pfn);
		control__kv(r, &f, "first_bad_offset", p->audit_first_off);
		control__kv(r, &f, "first_bad_word", p->audit_first_word);
	}
	fputs(r->json ? "}" : "\n", r->out);
}

static void reclaim_report(struct req *r, uint32_t id,
			   const struct backend_reclaim_opts *how,
			   const struct backend_reclaim_report *p)
{
	bool dry = how->dry_run;
	uint64_t ret = p->bytes_before > p->bytes_after
			   ? p->bytes_before - p->bytes_after
			   : 0;
	bool f = true;

	if (r->json)
		fprintf(r->out, "{\"id\":%u,\"dry_run\":%s,", id,
			dry ? "true" : "false");
	else if (dry)
		fprintf(r->out, "dry run: %llu free pages (%llu KiB) found, "
				"nothing discarded\n",
			(unsigned long long)p->pages,
			(unsigned long long)p->pages * 4);
	else
		fprintf(r->out, "discarded %llu pages (%llu KiB), %llu bytes "
				"returned to the host\n",
			(unsigned long long)p->pages,
			(unsigned long long)p->pages * 4,
			(unsigned long long)ret);
	control__kv(r, &f, dry ? "pages_free" : "pages_discarded", p->pages);
	control__kv(r, &f, "bytes_returned", ret);
	control__kv(r, &f, "allocated_before", p->bytes_before);
	control__kv(r, &f, "allocated_after", p->bytes_after);
	control__kv(r, &f, "chunks", p->chunks);
	control__kv(r, &f, "batches", p->batches);
	control__kv(r, &f, "batches_skipped", p->skipped);
	if (r->json) {
		ms_kv(r, &f, "park_ns", p->park_ns);
		ms_kv(r, &f, "scan_ns", p->scan_ns);
		ms_kv(r, &f, "discard_ns", p->discard_ns);
		ms_kv(r, &f, "resume_ns", p->resume_ns);
		ms_kv(r, &f, "total_ns", p->total_ns);
		ms_kv(r, &f, "max_stop_ns", p->max_stop_ns);
		control__kv(r, &f, "next_pfn", p->next_pfn);
		if (how->audit)
			audit_report(r, how->audit_byte, p);
		fputs("}\n", r->out);
		return;
	}
	fputc('\n', r->out);
	f = true;
	ms_kv(r, &f, "park", p->park_ns);
	ms_kv(r, &f, "scan", p->scan_ns);
	ms_kv(r, &f, "discard", p->discard_ns);
	ms_kv(r, &f, "resume", p->resume_ns);
	ms_kv(r, &f, "total", p->total_ns);
	ms_kv(r, &f, "longest_stop", p->max_stop_ns);
	fputc('\n', r->out);
	if (how->audit)
		audit_report(r, how->audit_byte, p);
}

#define RECLAIM_USAGE                                                          \
	"reclaim ID [--max-bytes N] [--dry-run | --audit FILL] [--every-batch]"

/* --audit FILL: the guest's boot option that fills every page it frees
 * (backend_reclaim_opts.audit_byte); 0 or -EINVAL. */
static int arg_audit(struct req *r, const char *a, uint8_t *byte)
{
	if (!strcmp(a, "page_poison"))
		*byte = BACKEND_PAGE_POISON;
	else if (!strcmp(a, "init_on_free"))
		*byte = 0;
	else
		return control__fail(r, -EINVAL,
				     "reclaim: --audit '%s': the guest's fill "
				     "is page_poison (page_poison=1) or "
				     "init_on_free (init_on_free=1)",
				     a);
	return 0;
}

/* --max-bytes N: 0 or -EINVAL with the reason answered. */
static int arg_max_bytes(struct req *r, const char *a, uint64_t *max)
{
	int err = control__parse_bytes(a, max);

	if (err == -ERANGE)
		return control__fail(r, -EINVAL, "reclaim: --max-bytes '%s' is too large",
			    a);
	if (err)
		return control__fail(r, -EINVAL,
			    "reclaim: --max-bytes '%s' is not a size "
			    "(N, NK, NM or NG)",
			    a);
	if (*max < 4096)
		return control__fail(r, -EINVAL,
			    "reclaim: --max-bytes '%s' is less than one page "
			    "(4096)",
			    a);
	return 0;
}

static int cmd_reclaim(struct req *r)
{
	struct backend_reclaim_opts how = {0};
	struct backend_reclaim_report rep;
	bool dry = false, have_max = false, every = false, audit = false;
	uint64_t max = 0;
	uint32_t id;
	int err;

	if (r->argc < 2)
		return control__fail(r, -EINVAL, "usage: " RECLAIM_USAGE);
	if ((err = arg_id(r, 1, &id)))
		return err;
	for (int k = 2; k < r->argc; k++) {
		const char *a = r->argv[k];

		if (!strcmp(a, "--dry-run") && !dry) {
			dry = true;
		} else if (!strcmp(a, "--audit") && !audit) {
			if (k + 1 == r->argc)
				return control__fail(r, -EINVAL, "usage: " RECLAIM_USAGE);
			if ((err = arg_audit(r, r->argv[++k], &how.audit_byte)))
				return err;
			audit = true;
		} else if (!strcmp(a, "--every-batch") && !every) {
			every = true;
		} else if (!strcmp(a, "--max-bytes") && !have_max) {
			if (k + 1 == r->argc)
				return control__fail(r, -EINVAL, "usage: " RECLAIM_USAGE);
			if ((err = arg_max_bytes(r, r->argv[++k], &max)))
				return err;
			have_max = true;
		} else if (!strcmp(a, "--dry-run") || !strcmp(a, "--max-bytes") ||
			   !strcmp(a, "--every-batch") || !strcmp(a, "--audit")) {
			return control__fail(r, -EINVAL, "reclaim: %s given twice", a);
		} else if (a[0] == '-') {
			return control__fail(r, -EINVAL,
				    "reclaim: unknown option '%s' (usage: "
				    RECLAIM_USAGE ")",
				    a);
		} else {
			return control__fail(r, -EINVAL, "usage: " RECLAIM_USAGE);
		}
	}
	/* Deciding batches the host holds no memory for only counts: a
	 * real reclaim would have nothing to return there. */
	if (dry && audit)
		return control__fail(r, -EINVAL,
				     "reclaim: --audit is a dry run already");
	if (every && !dry && !audit)
		return control__fail(r, -EINVAL,
				     "reclaim: --every-batch is for --dry-run "
				     "or --audit");
	how.max_bytes = max;
	how.dry_run = dry || audit;
	how.every_batch = every;
	how.audit = audit;
	err = vm__reclaim(r->vm, id, &how, &rep);
	if (err == -EBUSY)
		return control__fail(r, err, "a reclaim is already running; try again "
				    "when it ends");
	if (err == -EPERM)
		return control__fail(r, err, "program %u is not a reclaim program", id);
	if (err == -ENOENT && !rep.batches)
		return control__fail(r, err, "no program %u", id);
	if (err == -ENOENT)
		return control__fail(r, err, "program %u was unregistered during the "
				    "reclaim, after %llu pages (%llu chunks, "
				    "longest stop %.3f ms)",
			    id, (unsigned long long)rep.pages,
			    (unsigned long long)rep.chunks,
			    rep.max_stop_ns / 1e6);
	if (err)
		return control__fail(r, err, "%s %u%s: %s (after %llu pages, %llu chunks, "
				    "longest stop %.3f ms)",
			    rep.refused ? "program" : "reclaim with program", id,
			    rep.refused ? " refused" : " failed",
			    strerror(-err), (unsigned long long)rep.pages,
			    (unsigned long long)rep.chunks,
			    rep.max_stop_ns / 1e6);
	reclaim_report(r, id, &how, &rep);
	return 0;
}

static int cmd_pause_resume(struct req *r, bool pause)
{
	struct vcpu *v = NULL;
	int err;

	if ((err = arg_vcpu(r, &v)))
		return err;
	if (r->vm->sched)
		return control__fail(r, -EBUSY,
			    "the vCPUs' run state belongs to the scheduler "
			    "(--pcpus)");
	vm__park_lock(); /* never inside a reclaim chunk */
	err = pause ? vcpu__pause(v) : vcpu__resume(v);
	vm__park_unlock();
	if (err == -EALREADY)
		return control__fail(r, err, "vCPU %u is %s", v->id,
			    pause ? "already paused" : "not paused");
	if (err)
		return control__fail(r, err, "vCPU %u: %s", v->id, strerror(-err));
	if (r->json)
		fprintf(r->out, "{\"vcpu\":%u,\"paused\":%s}\n", v->id,
			pause ? "true" : "false");
	else
		fprintf(r->out, "vCPU %u %s\n", v->id,
			pause ? "paused" : "resumed");
	return 0;
}

static int cmd_dump(struct req *r)
{
	const struct mem *m = &r->vm->mem;
	uint64_t mask = 0;
	const char *path;
	struct stat st;
	int fd, err;

	if (r->argc != 2)
		return control__fail(r, -EINVAL, "usage: dump FILE");
	path = r->argv[1];
	if (path[0] != '/')
		return control__fail(r, -EINVAL,
			    "dump: '%s' is not an absolute path (hupctl "
			    "makes it absolute)",
			    path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return control__fail(r, -errno, "dump: %s: %s", path, strerror(errno));
	/* a consistent snapshot: no vCPU writes or registers while we copy
	 * (snapshot__write holds the registry lock too) */
	vm__park_lock();
	err = vm__pause_all(r->vm, &mask);
	if (!err)
		err = snapshot__write(fd, m, r->vm->hup, r->vm->nr_vcpus);
	vm__resume_mask(r->vm, mask);
	vm__park_unlock();
	if (!err && fstat(fd, &st) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		unlink(path);
		return control__fail(r, err, "dump: %s: %s", path, strerror(-err));
	}
	if (r->json) {
		fputs("{\"file\":", r->out);
		control__json_str(r->out, path, strlen(path));
		fprintf(r->out, ",\"ram_bytes\":%llu,\"file_bytes\":%llu}\n",
			(unsigned long long)m->size,
			(unsigned long long)st.st_size);
	} else {
		fprintf(r->out,
			"wrote %s: %llu bytes of RAM, %llu bytes in all "
			"(snapshot version %u)\n",
			path, (unsigned long long)m->size,
			(unsigned long long)st.st_size, SNAPSHOT_VERSION);
	}
	return 0;
}

static int cmd_help(struct req *r)
{
	static const char *const lines[] = {
	    "list                  registered programs",
	    "stats [ID]            exits, requests, rejections, events, programs",
	    "query ID [ARG...]     run a query program (up to 4 numbers)",
	    RECLAIM_USAGE,
	    "                      run a reclaim program, discard free pages "
	    "(N bytes,",
	    "                      or NK/NM/NG; in chunks that stop the guest "
	    "<= 50 ms;",
	    "                      --dry-run: count them, discard nothing;",
	    "                      --audit page_poison|init_on_free: a dry run",
	    "                      that checks each page answered free holds",
	    "                      what that guest boot option fills it with;",
	    "                      --every-batch: also where the host holds "
	    "no memory)",
	    "pause VCPU            deschedule a vCPU",
	    "resume VCPU           resume it (runs vcpu_resume programs)",
	    "dump FILE             guest RAM snapshot (absolute path, new file)",
	    CONTROL_SCHED_USAGE,
	    "                      the overcommit scheduler (--pcpus): show it,",
	    "                      or run N vCPUs at a time from the next slice",
	    CONTROL_UPCALL_USAGE,
	    "                      ask the guest kernel by an interrupt (the",
	    "                      baseline hyperupcalls are measured against)",
	    "prefix a command with \"json\" for one JSON object",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(r->out, "%s\n", lines[i]);
	return 0;
}

void control__execute(struct vm *vm, const char *line, FILE *out)
{
	char buf[CONTROL_LINE_MAX + 1], *argv[CONTROL_MAX_ARGS];
	struct req r = {vm, out, false, 0, argv};
	int n, err;

	snprintf(buf, sizeof(buf), "%s", line);
	n = control__split(buf, argv);
	if (n < 0) {
		control__fail(&r, -E2BIG, "too many words (at most %u)",
		     CONTROL_MAX_ARGS);
		return;
	}
	if (n && !strcmp(argv[0], "json")) {
		r.json = true;
		r.argv++;
		n--;
	}
	r.argc = n;
	if (!n) {
		control__fail(&r, -EINVAL, "empty request (try \"help\")");
		return;
	}
	if (!vm->hup) {
		control__fail(&r, -ENODEV, "no hyperupcall backend");
		return;
	}
	if (!strcmp(r.argv[0], "list"))
		err = cmd_list(&r);
	else if (!strcmp(r.argv[0], "stats"))
		err = cmd_stats(&r);
	else if (!strcmp(r.argv[0], "query"))
		err = cmd_query(&r);
	else if (!strcmp(r.argv[0], "reclaim"))
		err = cmd_reclaim(&r);
	else if (!strcmp(r.argv[0], "pause"))
		err = cmd_pause_resume(&r, true);
	else if (!strcmp(r.argv[0], "resume"))
		err = cmd_pause_resume(&r, false);
	else if (!strcmp(r.argv[0], "dump"))
		err = cmd_dump(&r);
	else if (!strcmp(r.argv[0], "upcall"))
		err = control__cmd_upcall(&r);
	else if (!strcmp(r.argv[0], "sched"))
		err = control__cmd_sched(&r);
	else if (!strcmp(r.argv[0], "help"))
		err = cmd_help(&r);
	else
		err = control__fail(&r, -EINVAL, "unknown command '%s' (try \"help\")",
			   r.argv[0]);
	if (!err)
		fputs("OK\n", out);
}
