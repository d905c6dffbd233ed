/* SPDX-License-Identifier: BSD-2-Clause */
/* The guest kernel layouts of hlib_guest, from BTF through libbpf. */
#include "guest_layout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "hup_test_btf.h"

void guest_layout_default(struct guest_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->page_size = 64;
	l->page_flags = 0;
	l->page_refcount = 52;
	l->list_head_size = 16;
	l->hlist_node_size = 16;
	l->spinlock_size = 4;
	l->cpumask_size = 1024;
	l->pidtype_tgid = 1;
	/* 6.1.0-56-cloud-amd64 */
	l->pcpu_size = 209156;
	l->pcpu_cpu_number = 102752;
	l->pcpu_this_cpu_off = 102760;
	l->pcpu_current_task = 129920;
	l->pcpu_runqueues = 203136;
}

struct want {
	const char *type, *member; /* member NULL: the type's size */
	uint32_t *out;
};

static int percpu_vars(const struct btf *btf, struct guest_layout *l)
{
	const struct { const char *name; uint32_t *out; } vars[] = {
		{ "cpu_number", &l->pcpu_cpu_number },
		{ "this_cpu_off", &l->pcpu_this_cpu_off },
		{ "current_task", &l->pcpu_current_task },
		{ "runqueues", &l->pcpu_runqueues },
	};
	int id = btf__find_by_name_kind(btf, ".data..percpu", BTF_KIND_DATASEC);
	const struct btf_type *sec;
	const struct btf_var_secinfo *vi;
	int found = 0;

	if (id < 0) {
		fprintf(stderr, "BTF: no .data..percpu DATASEC\n");
		return -ENOENT;
	}
	sec = btf__type_by_id(btf, (unsigned int)id);
	l->pcpu_size = sec->size;
	vi = btf_var_secinfos(sec);
	for (unsigned int i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *v = btf__type_by_id(btf, vi->type);
		const char *name = btf__name_by_offset(btf, v->name_off);

		for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++) {
			if (!strcmp(name, vars[k].name)) {
				*vars[k].out = vi->offset;
				found++;
			}
		}
	}
	if (found != (int)(sizeof(vars) / sizeof(vars[0]))) {
		fprintf(stderr, "BTF: missing per-CPU variables\n");
		return -ENOENT;
	}
	return 0;
}

int guest_layout_from_btf(struct guest_layout *l, const char *path)
{
	const struct want want[] = {
		{ "page", NULL, &l->page_size },
		{ "page", "flags", &l->page_flags },
		{ "page", "_refcount", &l->page_refcount },
		{ "list_head", NULL, &l->list_head_size },
		{ "hlist_node", NULL, &l->hlist_node_size },
		{ "spinlock", NULL, &l->spinlock_size },
		{ "task_struct", NULL, &l->task_size },
		{ "task_struct", "tasks", &l->task_tasks },
		{ "task_struct", "pid", &l->task_pid },
		{ "task_struct", "tgid", &l->task_tgid },
		{ "task_struct", "comm", &l->task_comm },
		{ "task_struct", "pid_links", &l->task_pid_links },
		{ "task_struct", "alloc_lock", &l->task_alloc_lock },
		{ "task_struct", "thread_pid", &l->task_thread_pid },
		{ "pid", NULL, &l->pid_size },
		{ "pid", "tasks", &l->pid_tasks },
		{ "rq", NULL, &l->rq_size },
		{ "rq", "__lock", &l->rq_lock },
		{ "rq", "nr_running", &l->rq_nr_running },
		{ "rq", "cpu", &l->rq_cpu },
		{ "cpumask", NULL, &l->cpumask_size },
	};
	struct btf *btf = btf__parse(path, NULL);
	int err = 0;

	if (!btf) {
		err = -errno;
		fprintf(stderr, "%s: cannot read BTF: %s\n", path,
			strerror(-err));
		return err;
	}
	memset(l, 0, sizeof(*l));
	l->from_btf = true;
	for (size_t i = 0; !err && i < sizeof(want) / sizeof(want[0]); i++) {
		uint32_t v;

		if (!want[i].member) {
			v = hup_test_btf__struct_size(btf, want[i].type);
			if (!v) {
				fprintf(stderr, "BTF: no struct %s\n", want[i].type);
				err = -ENOENT;
			}
		} else if (hup_test_btf__member(btf, want[i].type, want[i].member,
						&v, NULL, NULL)) {
			fprintf(stderr, "BTF: no %s.%s\n", want[i].type,
				want[i].member);
			err = -ENOENT;
		} else {
			v /= 8;
		}
		if (!err)
			*want[i].out = v;
	}
	if (!err) {
		int64_t tgid;

		err = hup_test_btf__enum_value(btf, "pid_type", "PIDTYPE_TGID", &tgid);
		if (err)
			fprintf(stderr, "BTF: no PIDTYPE_TGID in enum pid_type\n");
		else
			l->pidtype_tgid = (uint32_t)tgid;
	}
	if (!err)
		err = percpu_vars(btf, l);
	btf__free(btf);
	return err;
}
