// SPDX-License-Identifier: BSD-2-Clause
/*
 * sched [N]: the overcommit scheduler (vsched.h) seen and steered from the
 * control plane.  Without N: how many vCPUs run at a time, of how many,
 * and the slices so far.  With N (1..the VM's vCPUs): run N at a time from
 * the next slice on; N equal to the vCPU count ends the overcommit without
 * stopping the scheduler, so it can be raised again.  A hupvm started
 * without --pcpus has no scheduler: -ENODEV.
 */
#include <errno.h>
#include <stdint.h>

#include "control.h"
#include "control_req.h"
#include "vm.h"
#include "vsched.h"

int control__cmd_sched(struct req *r)
{
	struct vsched *s = r->vm->sched;
	uint32_t was;
	uint64_t n;
	bool f = true;

	if (r->argc > 2)
		return control__fail(r, -EINVAL, "usage: " CONTROL_SCHED_USAGE);
	if (!s)
		return control__fail(r, -ENODEV,
			    "no scheduler: hupvm runs without --pcpus");
	was = atomic_load(&s->pcpus);
	if (r->argc == 2 && (control__parse_u64(r->argv[1], &n) ||
			     n > UINT32_MAX ||
			     vsched__set_pcpus(s, (uint32_t)n)))
		return control__fail(r, -EINVAL,
			    "sched: '%s': N must be 1..%u (the vCPUs)",
			    r->argv[1], r->vm->nr_vcpus);
	fputs(r->json ? "{" : "sched ", r->out);
	control__kv(r, &f, "pcpus", atomic_load(&s->pcpus));
	control__kv(r, &f, "was", was);
	control__kv(r, &f, "vcpus", r->vm->nr_vcpus);
	control__kv(r, &f, "slices", atomic_load(&s->slices));
	fputs(r->json ? "}\n" : "\n", r->out);
	return 0;
}
