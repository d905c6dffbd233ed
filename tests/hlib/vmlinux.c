// With the Debian 6.1 guest kernel's types (hupcc --btf): walk the task
// list from init_task, copy each comm, read a per-CPU runqueue.  CO-RE
// relocations stay on the accesses after translation.
// REQUIRES: guest-btf
// RUN: %hupcc -v --btf %btf %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include "vmlinux.h"
#include <hlib/hlib.h>

extern struct task_struct init_task __ksym;
extern struct rq runqueues __ksym;

// CHECK-LABEL: <ps>:
// CHECK-DAG:     CO-RE <byte_off> {{.*}} struct task_struct::tasks
// CHECK-DAG:     CO-RE <byte_off> {{.*}} struct task_struct::comm
// CHECK-DAG:     CO-RE <byte_off> {{.*}} struct rq::nr_running
HUP_QUERY("ps")
long ps(struct hup_query_ctx *ctx)
{
	struct task_struct *p;
	long n = 0;
	char comm[16];

	list_for_each_entry_bounded(p, &init_task.tasks, tasks, 16) {
		hlib_strncpy(comm, p->comm, 16);
		hup_output(comm, sizeof(comm));
		n++;
	}
	return n + per_cpu_ptr(&runqueues, ctx->arg[0])->nr_running;
}
