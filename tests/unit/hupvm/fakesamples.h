/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The samples other than free_discard on fakekernel.h's fake guest
 * kernel: the data they read laid out in its RAM (the guest module's
 * trace ring for tracing.c, a task list from init_task for ps.c), the
 * kernel's BTF for ps's CO-RE (list_head, task_struct), the symbols the
 * guest module would resolve, and each object registered as the guest
 * does (msr_guard for IA32_TSC_AUX).  Used by the
 * replay_native_samples_fake test and by bench-native's synthetic
 * snapshot (bench/native/mksnap_samples.c).
 */
#ifndef HUPVM_TEST_FAKESAMPLES_H
#define HUPVM_TEST_FAKESAMPLES_H

#include <hyperupcall/trace_ring.h>

#include "fakekernel.h"
#include "hup_test_btf.h"

#define FS_TSC_AUX    0xc0000103u
/* The samples' data, in the direct map past fakekernel.h's vmemmap
 * (FK_MIN_RAM of RAM is enough). */
#define FS_TASKS_GPA  0x2800000ull
#define FS_RING_GPA   0x3000000ull
#define FS_RING_MAX   (1u << 17) /* entries: up to 8 MiB */
#define FS_INIT_TASK  0x1000ull	 /* in the kernel image */
#define FS_TASK_SIZE  0x900u
#define FS_TASK_TASKS 0x398u
#define FS_TASK_COMM  0x5c0u
#define FS_MAX_TASKS  256u

static inline uint64_t fs_kvar(const char *name)
{
	if (!strcmp(name, HUP_TRACE_RING_KSYM))
		return FK_DM + FS_RING_GPA;
	if (!strcmp(name, "init_task"))
		return FK_KERN + FS_INIT_TASK;
	return 0;
}

/* The kernel's BTF for ps into path: list_head and task_struct, with
 * comm at comm (another offset: a kernel the object was not relocated
 * against).  0 or -errno. */
static inline int fs_write_btf(const char *path, uint32_t comm)
{
	struct btf *b = btf__new_empty();
	int chr, u32, ptr, lh, arr, err;

	if (!b)
		return -ENOMEM;
	chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	/* fields go to the last type added: the pointer first, to the
	 * struct that comes next */
	ptr = btf__add_ptr(b, (int)btf__type_cnt(b) + 1);
	lh = btf__add_struct(b, "list_head", 16);
	btf__add_field(b, "next", ptr, 0, 0);
	btf__add_field(b, "prev", ptr, 64, 0);
	arr = btf__add_array(b, u32, chr, 16);
	btf__add_struct(b, "task_struct", FS_TASK_SIZE);
	btf__add_field(b, "tasks", lh, FS_TASK_TASKS * 8, 0);
	btf__add_field(b, "comm", arr, comm * 8, 0);
	err = hup_test_write_btf(b, path);
	btf__free(b);
	return err;
}

/* The trace ring as the guest module leaves it: empty, cap entries (a
 * power of two, at most FS_RING_MAX), its index at head. */
static inline void fs_build_ring(struct fake_kernel *k, uint32_t cap,
				 uint64_t head)
{
	struct hup_trace_ring *r =
	    fg_hva(&k->g, FS_RING_GPA, sizeof(*r) + (uint64_t)cap * 64);

	memset(r, 0, sizeof(*r) + (uint64_t)cap * 64);
	r->magic = HUP_TRACE_RING_MAGIC;
	r->version = HUP_TRACE_RING_VERSION;
	r->capacity = cap;
	r->entry_size = sizeof(struct hup_trace_entry);
	r->head = r->tail = head;
}

static inline uint64_t fs_task_gva(unsigned int i)
{
	return i ? FK_DM + FS_TASKS_GPA + (i - 1) * (uint64_t)FS_TASK_SIZE
		 : FK_KERN + FS_INIT_TASK;
}

/* Task i (0: init_task) in our mapping. */
static inline uint8_t *fs_task(struct fake_kernel *k, unsigned int i)
{
	return i ? fg_hva(&k->g,
			  FS_TASKS_GPA + (i - 1) * (uint64_t)FS_TASK_SIZE,
			  FS_TASK_SIZE)
		 : fg_hva(&k->g, FK_KERN_GPA + FS_INIT_TASK, FS_TASK_SIZE);
}

/* init_task and n - 1 others (n <= FS_MAX_TASKS) on its circular list,
 * their comms of every length, some without a NUL. */
static inline void fs_build_tasks(struct fake_kernel *k, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *t = fs_task(k, i);

		memset(t, 0, FS_TASK_SIZE);
		fk_put64(t + FS_TASK_TASKS,
			 fs_task_gva((i + 1) % n) + FS_TASK_TASKS);
		fk_put64(t + FS_TASK_TASKS + 8,
			 fs_task_gva((i + n - 1) % n) + FS_TASK_TASKS);
		snprintf((char *)t + FS_TASK_COMM, 16, "%s%u",
			 i % 7 ? "task-" : "kworker/u16:", i);
		if (i % 11 == 5)
			memcpy(t + FS_TASK_COMM, "0123456789abcdef", 16);
	}
}

/* msr_guard.o, tracing.o and ps.o registered with the windows their
 * data needs (none; the direct map read-write; the direct map and the
 * kernel image): 0 with ids[3], or -EINVAL with k->err set. */
static inline int fs_register(struct fake_kernel *k, const char *msr,
			      const char *trace, const char *ps,
			      const char *btf, uint32_t ids[3])
{
	const struct hup_window direct_rw = {
	    FK_DM, k->ram, HUP_WIN_READ | HUP_WIN_WRITE, HUP_WIN_DIRECT_MAP};
	const struct hup_window ps_win[] = {
	    {FK_DM, k->ram, HUP_WIN_READ, HUP_WIN_DIRECT_MAP},
	    {FK_KERN, FG_2M, HUP_WIN_READ, HUP_WIN_KERNEL},
	};

	ids[0] = fk_register_obj(k, msr, btf, FS_TSC_AUX, NULL, 0, fs_kvar);
	ids[1] = ids[0] ? fk_register_obj(k, trace, btf, 0, &direct_rw, 1,
					  fs_kvar)
			: 0;
	ids[2] = ids[1] ? fk_register_obj(k, ps, btf, 0, ps_win, 2, fs_kvar)
			: 0;
	return ids[2] ? 0 : -EINVAL;
}

#endif
