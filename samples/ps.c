// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest's processes as the hypervisor sees them: a query program
 * (`hupctl query ID`) that walks the guest kernel's task list from
 * init_task and emits each task's comm (16 bytes, NUL padded), at most
 * PS_MAX tasks; it returns how many it emitted.
 *
 * It declares only the fields it reads, with __hup_core (CO-RE): hupload
 * relocates their offsets against the running kernel's
 * /sys/kernel/btf/vmlinux, so the same object works on kernels whose
 * struct task_struct differs (Debian 6.1 cloud, generic and PREEMPT_RT
 * flavours, 6.12), without recompiling.
 *
 *	hupcc samples/ps.c -o ps.o
 *	hupload ps.o                 # in the guest
 *	hupctl query ID              # on the host: raw bytes
 *	hupctl --obj ps.o query ID   # one "comm=..." line per task
 */
#include <hyperupcall.h>
#include <hlib/hlib.h>

#define PS_MAX 128
#define COMM_LEN 16

struct task_struct {
	struct list_head tasks;
	char comm[COMM_LEN];
} __hup_core;

extern struct task_struct init_task __ksym;

/* What each hup_output() appends: `hupctl query ID --obj ps.o` prints the
 * answer as these records ("comm=kthreadd"). */
struct ps_rec {
	char comm[COMM_LEN];
};
HUP_QUERY_RECORD(ps, struct ps_rec);

HUP_QUERY("ps")
long ps(struct hup_query_ctx *ctx)
{
	struct task_struct *p;
	char comm[COMM_LEN];
	long n = 0;

	(void)ctx;
	list_for_each_entry_bounded(p, &init_task.tasks, tasks, PS_MAX) {
		if (hup_guest_read(comm, sizeof(comm), HUP_GVA(p->comm)))
			break;
		hup_output(comm, sizeof(comm));
		n++;
	}
	return n;
}

HUP_LICENSE("GPL");
