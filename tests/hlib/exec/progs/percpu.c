/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/percpu.h: per_cpu_ptr / per_cpu / this_cpu_ptr / this_cpu_read
 * through __per_cpu_offset[] and per-CPU variables (their ksym values are
 * offsets in the per-CPU section, as in the guest's kallsyms). */
#include "common.h"

extern int cpu_number __ksym;
extern unsigned long this_cpu_off __ksym;

/* The event vCPU's cpu_number (this_cpu_read) and this_cpu_off
 * (this_cpu_ptr). */
HUP_TRACE()
long this_cpu(struct hup_trace_ctx *c)
{
	(void)c;
	return this_cpu_read(cpu_number) * 1000000l +
	       (long)(*this_cpu_ptr(&this_cpu_off) & 0xfffff);
}

/* cpu_number and this_cpu_off of CPU arg0 (per_cpu, per_cpu_ptr), and the
 * per-CPU offset itself. */
HUP_QUERY()
long of_cpu(struct hup_query_ctx *c)
{
	__u64 out[3];

	out[0] = (__u64)per_cpu(cpu_number, c->arg[0]);
	out[1] = *per_cpu_ptr(&this_cpu_off, c->arg[0]);
	out[2] = per_cpu_offset(c->arg[0]);
	hup_output(out, sizeof(out));
	return 0;
}

#ifdef HLIB_TEST_BTF
extern struct rq runqueues __ksym;
extern struct task_struct *current_task __ksym;

/* The runqueue of CPU arg0 (CO-RE fields of a per-CPU struct) and the pid
 * of the task current on it. */
HUP_QUERY()
long rq_of(struct hup_query_ctx *c)
{
	struct rq *rq = per_cpu_ptr(&runqueues, c->arg[0]);
	struct task_struct *cur = per_cpu(current_task, c->arg[0]);
	__u64 out[3];

	out[0] = (__u64)rq->cpu;
	out[1] = rq->nr_running;
	out[2] = (__u64)cur->pid;
	hup_output(out, sizeof(out));
	return 0;
}
#endif
