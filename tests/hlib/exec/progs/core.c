/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/core.h: READ_ONCE/WRITE_ONCE of every width on guest memory,
 * min/max, container_of_local, and (with vmlinux.h) the CO-RE
 * hlib_offsetof/container_of against the guest kernel's layout. */
#include "common.h"

struct pair {
	long a;
	long b;
};

/* arg0: a guest address; reads it at widths 1, 2, 4, 8; writes arg1 as a
 * u64 at arg0 + 8 and as u8/u16/u32 at arg0 + 16/18/20.  Output: the four
 * reads. */
HUP_QUERY()
long rw_once(struct hup_query_ctx *c)
{
	__u64 out[4];

	out[0] = READ_ONCE(*G(__u8, c->arg[0]));
	out[1] = READ_ONCE(*G(__u16, c->arg[0]));
	out[2] = READ_ONCE(*G(__u32, c->arg[0]));
	out[3] = READ_ONCE(*G(__u64, c->arg[0]));
	WRITE_ONCE(*G(__u64, c->arg[0] + 8), c->arg[1]);
	WRITE_ONCE(*G(__u8, c->arg[0] + 16), (__u8)c->arg[1]);
	WRITE_ONCE(*G(__u16, c->arg[0] + 18), (__u16)c->arg[1]);
	WRITE_ONCE(*G(__u32, c->arg[0] + 20), (__u32)c->arg[1]);
	hup_output(out, sizeof(out));
	return 0;
}

/* min/max (signed and unsigned) of arg0, arg1; container_of_local of a
 * struct pair in guest memory at arg2 from its member b. */
HUP_QUERY()
long minmax(struct hup_query_ctx *c)
{
	long out[5];
	struct pair *p = container_of_local(G(long, c->arg[2]), struct pair, b);

	BUILD_BUG_ON(sizeof(struct pair) != 16);
	out[0] = min((long)c->arg[0], (long)c->arg[1]);
	out[1] = max((long)c->arg[0], (long)c->arg[1]);
	out[2] = (long)min(c->arg[0], c->arg[1]);
	out[3] = (long)max(c->arg[0], c->arg[1]);
	out[4] = READ_ONCE(p->a);
	hup_output(out, sizeof(out));
	return (long)HUP_GVA(p);
}

#ifdef HLIB_TEST_BTF
/* The CO-RE offsets the program was built with: compared by the runner
 * with the layout it read from the BTF through libbpf. */
HUP_QUERY()
long offsets(struct hup_query_ctx *c)
{
	__u64 out[8];

	(void)c;
	out[0] = hlib_offsetof(struct task_struct, tasks);
	out[1] = hlib_offsetof(struct task_struct, pid);
	out[2] = hlib_offsetof(struct task_struct, comm);
	out[3] = hlib_offsetof(struct task_struct, pid_links[PIDTYPE_TGID]);
	out[4] = hlib_offsetof(struct rq, nr_running);
	out[5] = hlib_offsetof(struct page, _refcount);
	out[6] = HLIB_STRUCT_PAGE_SIZE;
	out[7] = hlib_offsetof(struct pid, tasks[PIDTYPE_TGID]);
	hup_output(out, sizeof(out));
	return 0;
}

/* container_of (CO-RE): the pid of the task whose tasks member is at
 * arg0. */
HUP_QUERY()
long task_of(struct hup_query_ctx *c)
{
	struct task_struct *t = container_of(G(struct list_head, c->arg[0]),
					     struct task_struct, tasks);

	return t->pid;
}
#endif
