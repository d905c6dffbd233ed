/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest kernel structure layouts the synthetic guest image of
 * hlib_guest is built with: read from the guest kernel's BTF with libbpf
 * (struct sizes, member offsets, per-CPU variable offsets of the
 * .data..percpu DATASEC), or the Debian 6.1 cloud kernel's values when no
 * BTF is given (the programs then use no kernel types).
 */
#ifndef HLIB_TEST_GUEST_LAYOUT_H
#define HLIB_TEST_GUEST_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

struct guest_layout {
	bool from_btf;
	uint32_t page_size, page_flags, page_refcount;
	uint32_t list_head_size, hlist_node_size, spinlock_size;
	uint32_t task_size, task_tasks, task_pid, task_tgid, task_comm,
		task_pid_links, task_alloc_lock, task_thread_pid;
	uint32_t pid_size, pid_tasks;
	uint32_t rq_size, rq_lock, rq_nr_running, rq_cpu;
	uint32_t cpumask_size;
	uint32_t pidtype_tgid; /* enum pid_type PIDTYPE_TGID */
	/* .data..percpu: the section size and the variables' offsets (their
	 * symbol values: the per-CPU section is zero-based on x86-64). */
	uint32_t pcpu_size, pcpu_cpu_number, pcpu_this_cpu_off,
		pcpu_current_task, pcpu_runqueues;
};

/* The Debian 6.1 cloud kernel's values (struct page, per-CPU offsets). */
void guest_layout_default(struct guest_layout *l);
/* From a BTF file (raw .btf or an ELF with .BTF); 0 or -errno, after
 * printing what is missing. */
int guest_layout_from_btf(struct guest_layout *l, const char *path);

#endif
