// SPDX-License-Identifier: BSD-2-Clause
/*
 * upcall KIND [ARG...] [--repeat N] [--timeout-ms T]: ask the guest kernel
 * one of the upcall baseline's questions (abi.h HUP_UPCALL_LIST, upcall.h)
 * N times and report its last answer, the time per question and the world
 * switches it cost, the numbers docs/bench-costs.md compares with a
 * hyperupcall's.
 *
 *   trace KIND REASON [A0..A3]   a trace entry (host_ns, guest_tsc: now)
 *   free_pfns PFN [NR]           which of NR (512) frames are free
 *   tlb_ack VCPU                 acknowledge VCPU's TLB-flush requests;
 *                                VCPU must be paused (hupctl pause) and
 *                                stays so meanwhile; it flushes its TLB
 *                                before it runs again
 *   msr_write MSR VALUE          may the write pass (answer 0: yes)
 *
 * World switches: KVM's own count of the vCPUs' exits (kvm_stat "exits",
 * in-kernel ones included) where the kernel offers it, and the exits that
 * reached hupvm; both over the N questions, divided by N.  They include
 * whatever else the guest did meanwhile (its timer): the bench measures
 * an idle guest's rate beside them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hyperupcall/abi.h>

#include "clock.h"
#include "control.h"
#include "control_req.h"
#include "hyperupcall/backend.h"
#include "upcall.h"
#include "vcpu.h"
#include "vm.h"
#include "vmreclaim.h"

#define UPCALL_REPEAT_MAX 100000u

struct upcall_cmd {
	uint32_t kind;
	uint64_t args[HUP_UPCALL_NR_ARGS];
	unsigned int nargs;
	uint64_t repeat;
	uint64_t timeout_ms;
	struct vcpu *held; /* tlb_ack: the vCPU asked about */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int parse(struct req *r, struct upcall_cmd *c)
{
	static const struct {
		uint32_t kind;
		unsigned int min, max;
	} arity[] = {
	    {HUP_UPCALL_TRACE, 2, 6},
	    {HUP_UPCALL_FREE_PFNS, 1, 2},
	    {HUP_UPCALL_TLB_ACK, 1, 1},
	    {HUP_UPCALL_MSR_WRITE, 2, 2},
	};
	unsigned int a = 0;
	int i;

	memset(c, 0, sizeof(*c));
	c->repeat = 1;
	if (r->argc < 2)
		return control__fail(r, -EINVAL, "usage: " CONTROL_UPCALL_USAGE);
	c->kind = upcall__kind_of(r->argv[1]);
	if (!c->kind)
		return control__fail(r, -EINVAL,
				     "upcall: unknown question '%s' (trace, "
				     "free_pfns, tlb_ack, msr_write)",
				     r->argv[1]);
	for (i = 2; i < r->argc; i++) {
		const char *s = r->argv[i];
		uint64_t *opt = !strcmp(s, "--repeat")	     ? &c->repeat
				: !strcmp(s, "--timeout-ms") ? &c->timeout_ms
							     : NULL;

		if (opt) {
			if (i + 1 == r->argc ||
			    control__parse_u64(r->argv[i + 1], opt))
				return control__fail(r, -EINVAL,
						     "upcall: %s needs a number",
						     s);
			i++;
			continue;
		}
		if (c->nargs == HUP_UPCALL_NR_ARGS ||
		    control__parse_u64(s, &c->args[c->nargs]))
			return control__fail(r, -EINVAL,
					     "upcall: argument '%s' is not a "
					     "number",
					     s);
		c->nargs++;
	}
	if (!c->repeat || c->repeat > UPCALL_REPEAT_MAX)
		return control__fail(r, -EINVAL,
				     "upcall: --repeat must be 1..%u",
				     UPCALL_REPEAT_MAX);
	if (c->timeout_ms > UPCALL_TIMEOUT_MS_MAX)
		return control__fail(r, -EINVAL,
				     "upcall: --timeout-ms must be <= %u",
				     UPCALL_TIMEOUT_MS_MAX);
	while (arity[a].kind != c->kind)
		a++;
	if (c->nargs < arity[a].min || c->nargs > arity[a].max)
		return control__fail(r, -EINVAL,
				     "upcall %s: %u to %u arguments", r->argv[1],
				     arity[a].min, arity[a].max);
	switch (c->kind) {
	case HUP_UPCALL_TRACE:
		/* the entry's times, as the VMM stamps an event's */
		c->nargs = HUP_UPCALL_NR_ARGS;
		break;
	case HUP_UPCALL_FREE_PFNS:
		if (c->nargs == 1)
			c->args[c->nargs++] = HUP_RECLAIM_BATCH;
		if (!c->args[1] || c->args[1] > HUP_RECLAIM_BATCH)
			return control__fail(r, -EINVAL,
					     "upcall free_pfns: NR must be "
					     "1..%u",
					     HUP_RECLAIM_BATCH);
		break;
	case HUP_UPCALL_TLB_ACK:
		if (c->args[0] >= r->vm->nr_vcpus)
			return control__fail(r, -EINVAL,
					     "upcall tlb_ack: no vCPU %llu",
					     (unsigned long long)c->args[0]);
		c->held = &r->vm->vcpus[c->args[0]];
		break;
	default:
		break;
	}
	return 0;
}

static void answer_out(struct req *r, const struct upcall_cmd *c,
		       const struct upcall_answer *a)
{
	uint32_t u = 0, bits = 0;

	if (a->len >= 4)
		memcpy(&u, a->data, 4);
	for (uint32_t i = 0; i < a->len; i++)
		bits += (uint32_t)__builtin_popcount(a->data[i]);
	if (r->json) {
		fprintf(r->out, ",\"result\":%d,\"answer_len\":%u", a->result,
			a->len);
		if (c->kind == HUP_UPCALL_FREE_PFNS)
			fprintf(r->out, ",\"free\":%u", bits);
		else if (a->len >= 4)
			fprintf(r->out, ",\"value\":%u", u);
		return;
	}
	fprintf(r->out, "answer result=%d len=%u", a->result, a->len);
	if (c->kind == HUP_UPCALL_FREE_PFNS)
		fprintf(r->out, " free=%u", bits);
	else if (a->len >= 4)
		fprintf(r->out, " value=%u", u);
	fputc('\n', r->out);
}

/* The VM's exits: KVM's count (0 if unavailable, *kvm false) and
 * hupvm's. */
static void exits(struct vm *vm, uint64_t *kvm, uint64_t *user, bool *have)
{
	*kvm = *user = 0;
	*have = true;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		uint64_t n;

		*user += atomic_load(&vm->vcpus[i].exits);
		if (vcpu__kvm_exits(&vm->vcpus[i], &n))
			*have = false;
		else
			*kvm += n;
	}
}

static int ask(struct req *r, struct upcall_cmd *c, uint64_t *ns,
	       struct upcall_answer *a)
{
	struct backend *b = r->vm->hup;

	if (c->kind == HUP_UPCALL_TRACE) {
		c->args[6] = hupvm_now_ns();
		c->args[7] = b->ops->guest_tsc ? b->ops->guest_tsc(b->opaque, 0)
					       : 0;
	}
	if (c->held) /* before the guest touches its queue */
		atomic_fetch_or(&c->held->entry_actions, HUP_ENTRY_FLUSH_TLB);
	int err = upcall__call(r->vm->upcall, c->kind, c->args, c->nargs,
			       (uint32_t)c->timeout_ms, a);
	*ns = a->ns;
	return err;
}

int control__cmd_upcall(struct req *r)
{
	struct upcall_cmd c;
	struct upcall_answer a;
	uint64_t *ns, k0, u0, k1, u1;
	bool have0, have1, parked = false;
	uint64_t done = 0, total_ns = 0;
	int err;

	if ((err = parse(r, &c)))
		return err;
	if (!r->vm->upcall)
		return control__fail(r, -EOPNOTSUPP, "upcall: no upcall device");
	ns = calloc(c.repeat, sizeof(*ns));
	if (!ns)
		return control__fail(r, -ENOMEM, "out of memory");
	if (c.held) {
		/* The guest edits the queue of a CPU that must not run
		 * meanwhile: hold the pause state until the answer. */
		vm__park_lock();
		parked = true;
		if (!vcpu__paused(c.held)) {
			err = control__fail(r, -EBUSY,
					    "upcall tlb_ack: vCPU %u is running "
					    "(pause it first: its own CPU "
					    "answers its queue)",
					    c.held->id);
			goto out;
		}
	}
	exits(r->vm, &k0, &u0, &have0);
	for (done = 0; done < c.repeat; done++) {
		err = ask(r, &c, &ns[done], &a);
		if (err)
			break;
	}
	exits(r->vm, &k1, &u1, &have1);
	if (err == -ENODEV) {
		err = control__fail(r, err,
				    "upcall: the guest attached no upcall "
				    "block (hyperupcall.ko not loaded, or "
				    "upcall=0)");
		goto out;
	}
	if (err == -ETIMEDOUT) {
		err = control__fail(r, err,
				    "upcall %s: no answer within %llu ms "
				    "(after %llu answered)",
				    r->argv[1],
				    (unsigned long long)(c.timeout_ms
							     ? c.timeout_ms
							     : UPCALL_TIMEOUT_MS_DEFAULT),
				    (unsigned long long)done);
		goto out;
	}
	if (err) {
		err = control__fail(r, err, "upcall %s: %s", r->argv[1],
				    strerror(-err));
		goto out;
	}
	for (uint64_t i = 0; i < c.repeat; i++)
		total_ns += ns[i];
	qsort(ns, c.repeat, sizeof(*ns), cmp_u64);
	if (r->json)
		fprintf(r->out, "{\"kind\":\"%s\"", r->argv[1]);
	answer_out(r, &c, &a);
	{
		bool f = !r->json; /* JSON: after "kind", a comma is due */

		control__kv(r, &f, "calls", c.repeat);
		control__kv(r, &f, "ns_min", ns[0]);
		control__kv(r, &f, "ns_median", ns[c.repeat / 2]);
		control__kv(r, &f, "ns_max", ns[c.repeat - 1]);
		control__kv(r, &f, "ns_total", total_ns);
		control__kv(r, &f, "user_exits", u1 - u0);
		if (have0 && have1)
			control__kv(r, &f, "kvm_exits", k1 - k0);
		fputs(r->json ? "}\n" : "\n", r->out);
	}
	err = 0;
out:
	if (parked)
		vm__park_unlock();
	free(ns);
	return err;
}
