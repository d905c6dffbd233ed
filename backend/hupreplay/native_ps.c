// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/ps.c ported by hand to native C (native.h): the guest's task
 * list walked from init_task (the __ksym the guest filled in), at most
 * PS_MAX tasks, each task's comm (16 bytes) output as the program's
 * hup_output does (native_output); it returns how many.  The offsets of
 * task_struct.tasks, .comm and list_head.next are the relocator's CO-RE
 * answers for the object's own types.  One liberty: the program copies a
 * comm with hup_guest_read, which fails on a hole of its view and ends
 * the walk; here a hole aborts the run (-EFAULT), as any other read.
 * Compiled -O2.
 */
#include "native_port.h"

#include <errno.h>
#include <string.h>

#define PS_MAX	 128 /* the sample's */
#define COMM_LEN 16

struct ps_state {
	uint64_t init_task;
	uint32_t tasks, comm, next; /* offsets */
};

static int ps_setup(struct native_setup *c, void *state)
{
	struct ps_state *s = state;
	int e;

	s->init_task = native__ksym(c, "init_task");
	if (!s->init_task)
		return native__fail(c, -EINVAL, "the program has no init_task");
	if ((e = native__core_u32(c, "task_struct", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->tasks)) ||
	    (e = native__core_u32(c, "task_struct", "0:1",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->comm)) ||
	    (e = native__core_u32(c, "list_head", "0:0",
				  BPF_CORE_FIELD_BYTE_OFFSET, &s->next)))
		return e;
	return 0;
}

static uint64_t ps_run(const void *state, const struct native_view *v,
		       void *ctx, const struct hup_run_env *env)
{
	const struct ps_state *s = state;
	uint64_t head = s->init_task + s->tasks, pos;
	char comm[COMM_LEN];
	long n = 0;

	(void)ctx;
	/* list_for_each_entry_bounded(p, &init_task.tasks, tasks, PS_MAX):
	 * pos is &p->tasks */
	pos = NATIVE_READ(v, uint64_t, head + s->next);
	for (unsigned int i = 0; i < PS_MAX && pos != head; i++) {
		memcpy(comm, native_gp(v, pos - s->tasks + s->comm),
		       sizeof(comm));
		native_output(env, comm, sizeof(comm));
		n++;
		pos = NATIVE_READ(v, uint64_t, pos + s->next);
	}
	return (uint64_t)n;
}

const struct native_port native_ps = {
    .prog = "ps",
    .event = HUP_EVENT_QUERY,
    .ctx_size = sizeof(struct hup_query_ctx),
    .state_size = sizeof(struct ps_state),
    .setup = ps_setup,
    .run = ps_run,
};
