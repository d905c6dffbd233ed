/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/list.h on the guest kernel's task list and pid hash (Debian 6.1
 * layouts, CO-RE): bounded walks, list_empty, list_first/next_entry. */
#include "common.h"

extern struct task_struct init_task __ksym;

struct ps_rec {
	int pid;
	int tgid;
	char comm[16];
};

/* ps: walks init_task.tasks (at most 16 tasks), outputs pid, tgid, comm of
 * each.  Returns the count, negated if the bound was reached before the
 * walk came back to the head. */
HUP_QUERY("ps")
long ps(struct hup_query_ctx *c)
{
	struct task_struct *p;
	long n = 0;

	(void)c;
	list_for_each_entry_bounded(p, &init_task.tasks, tasks, 16) {
		struct ps_rec r;

		r.pid = p->pid;
		r.tgid = p->tgid;
		hlib_memcpy(r.comm, p->comm, 16);
		hup_output(&r, sizeof(r));
		n++;
	}
	return &p->tasks == &init_task.tasks ? n : -n;
}

/* The pid of the first task (after init_task) whose comm matches the 15
 * characters at arg0 (guest), -1 if none within 8 tasks. */
HUP_QUERY("pidof")
long pidof(struct hup_query_ctx *c)
{
	struct task_struct *p;

	list_for_each_entry_bounded(p, &init_task.tasks, tasks, 8) {
		if (!hlib_strncmp(p->comm, G(const char, c->arg[0]), 16))
			return p->pid;
	}
	return -1;
}

/* The raw walk from the list_head at arg0, at most 4 steps: the number of
 * entries (negated if the bound was hit). */
HUP_QUERY()
long count_raw(struct hup_query_ctx *c)
{
	struct list_head *head = G(struct list_head, c->arg[0]), *pos;
	long n = 0;

	list_for_each_bounded(pos, head, 4)
		n++;
	return pos == head ? n : -n;
}

/* list_empty(arg0) * 1000000 + pid of list_first_entry(init_task.tasks) *
 * 1000 + pid of the one after it (list_next_entry). */
HUP_QUERY()
long first_next(struct hup_query_ctx *c)
{
	struct task_struct *f = list_first_entry(&init_task.tasks,
						 struct task_struct, tasks);
	struct task_struct *n = list_next_entry(f, tasks);

	return list_empty(G(struct list_head, c->arg[0])) * 1000000l +
	       f->pid * 1000l + n->pid;
}

/* The threads of the thread group of the struct pid at arg0: an hlist walk
 * of pid->tasks[PIDTYPE_TGID] through task_struct.pid_links[PIDTYPE_TGID],
 * at most 4.  Output: their pids; returns the count. */
HUP_QUERY()
long threads(struct hup_query_ctx *c)
{
	struct pid *pid = G(struct pid, c->arg[0]);
	struct task_struct *t;
	long n = 0;

	hlist_for_each_entry_bounded(t, &pid->tasks[PIDTYPE_TGID],
				     pid_links[PIDTYPE_TGID], 4) {
		int p = t->pid;

		hup_output(&p, sizeof(p));
		n++;
	}
	return n;
}
