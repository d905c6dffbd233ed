/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The samples other than free_discard on fakekernel.h's fake guest
 * kernel: the data they read laid out in its RAM (the guest module's
 * trace ring for tracing.c, a task list from init_task for ps.c), the
 * kernel's BTF for ps's CO-RE (list_head, task_struct), the symbols the
 * guest module would resolve, a printk ring for dmesg.c (as
 * hup_test_btf__add_printk lays it out: Debian's 6.1 and 6.12), a
 * vCPU's per-CPU data and call_single_queue for tlb_shootdown.c, and each
 * object registered as the guest does (msr_guard for IA32_TSC_AUX).  Used by
 * the replay_native_samples_fake test and by bench-native's synthetic snapshot
 * (bench/native/mksnap_samples.c).
 */
#ifndef HUPVM_TEST_FAKESAMPLES_H
#define HUPVM_TEST_FAKESAMPLES_H

#include <hyperupcall/trace_ring.h>

#include "fakekernel.h"
#include "hup_test_btf.h"

#define FS_TSC_AUX	  0xc0000103u
/* The samples' data, in the direct map past fakekernel.h's vmemmap
 * (FK_MIN_RAM of RAM is enough). */
#define FS_TASKS_GPA	  0x2800000ull
#define FS_RING_GPA	  0x3000000ull
#define FS_RING_MAX	  (1u << 17) /* entries: up to 8 MiB */
#define FS_INIT_TASK	  0x1000ull  /* in the kernel image */
#define FS_TASK_SIZE	  0x900u
#define FS_TASK_TASKS	  0x398u
#define FS_TASK_COMM	  0x5c0u
#define FS_MAX_TASKS	  256u
#define FS_PRINTK_GPA	  0x2c00000ull
#define FS_PRB		  0x2000ull /* the prb variable, in the kernel image */
/* tlb_shootdown: __per_cpu_offset[] in the kernel image, each CPU's
 * per-CPU area in the direct map, the per-CPU symbols' offsets in them,
 * the queued call_single_data */
#define FS_PER_CPU_OFFSET 0x4000ull
#define FS_PERCPU_GPA	  0x2d00000ull
#define FS_PERCPU_SIZE	  0x1000ull
#define FS_TLBSTATE	  0x100ull /* cpu_tlbstate_shared */
#define FS_CALL_QUEUE	  0x200ull /* call_single_queue */
#define FS_CSD_GPA	  0x2e00000ull
#define FS_CSD_SIZE	  32u		      /* flags at 8, func at 16 */
#define FS_FLUSH_FN	  (FK_KERN + 0x20000) /* flush_tlb_func */
#define FS_OTHER_FN	  (FK_KERN + 0x20100)

static inline uint64_t fs_kvar(const char *name)
{
	if (!strcmp(name, HUP_TRACE_RING_KSYM))
		return FK_DM + FS_RING_GPA;
	if (!strcmp(name, "init_task"))
		return FK_KERN + FS_INIT_TASK;
	if (!strcmp(name, "prb"))
		return FK_KERN + FS_PRB;
	if (!strcmp(name, "__per_cpu_offset"))
		return FK_KERN + FS_PER_CPU_OFFSET;
	if (!strcmp(name, "cpu_tlbstate_shared"))
		return FS_TLBSTATE;
	if (!strcmp(name, "call_single_queue"))
		return FS_CALL_QUEUE;
	if (!strcmp(name, "flush_tlb_func"))
		return FS_FLUSH_FN;
	return 0;
}

/* The kernel's BTF into path: for ps list_head and task_struct, with
 * comm at comm (another offset: a kernel the object was not relocated
 * against); for dmesg the printk ring's types, without printk_info.level
 * if without_level; for tlb_shootdown the lock-less list and
 * call_single_data (as Linux 6.1 and 6.12), tlb_state_shared.  0 or
 * -errno. */
static inline int fs_write_btf(const char *path, uint32_t comm,
			       int without_level)
{
	struct btf *b = btf__new_empty();
	int chr, u32, ptr, lh, arr, bool_, lnp, ln, csn, vp, err;

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
	hup_test_btf__add_printk(b, without_level);
	bool_ = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	btf__add_struct(b, "tlb_state_shared", 64);
	btf__add_field(b, "is_lazy", bool_, 0, 0);
	lnp = btf__add_ptr(b, (int)btf__type_cnt(b) + 1);
	ln = btf__add_struct(b, "llist_node", 8);
	btf__add_field(b, "next", lnp, 0, 0);
	btf__add_struct(b, "llist_head", 8);
	btf__add_field(b, "first", lnp, 0, 0);
	csn = btf__add_struct(b, "__call_single_node", 16);
	btf__add_field(b, "llist", ln, 0, 0);
	btf__add_field(b, "u_flags", u32, 64, 0);
	vp = btf__add_ptr(b, 0); /* void * */
	btf__add_struct(b, "__call_single_data", FS_CSD_SIZE);
	btf__add_field(b, "node", csn, 0, 0);
	btf__add_field(b, "func", vp, 128, 0);
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

/* The printk ring: 2^3 descriptors, 2^10 bytes of text, the records of
 * ids 8..15 (the last 8: the head is 15).  As hup_test_btf__add_printk
 * lays the types out. */
#define FS_PK_COUNT_BITS 3u
#define FS_PK_SIZE_BITS	 10u
#define FS_PK_LPOS	 0x10000ull /* a multiple of the text ring's size */
#define FS_PK_DESC	 24u
#define FS_PK_INFO	 88u
#define FS_PK_RB	 88u

struct fs_printk_rec {
	uint64_t id, seq, ts;
	unsigned int state; /* 1 committed, 2 finalized */
	uint8_t level, facility;
	uint16_t text_len;
	const char *text;
	uint64_t begin, next; /* past FS_PK_LPOS; 3/3: NO_LPOS */
	int shown;	      /* what a reader shows of it */
};

static const char fs_pk_long[] =
    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu"
    "vwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop"
    "qrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234567890123456789";

static const struct fs_printk_rec fs_printk[] = {
    {8, 808, 1000, 2, 6, 0, 10, "first line", 64, 88, 1},
    /* no text stored: shown with none */
    {9, 809, 2000, 2, 4, 0, 5, "", 3, 3, 1},
    /* committed, not finalized */
    {10, 810, 3000, 1, 6, 0, 9, "committed", 96, 120, 0},
    /* its block wrapped to the ring's start */
    {11, 811, 4000, 2, 5, 0, 7, "wrapped", 1008, 1040, 1},
    /* an info of another wrap of the descriptors */
    {12, 813, 5000, 2, 6, 0, 5, "other", 128, 152, 0},
    /* a text_len longer than its block */
    {13, 813, 6000, 2, 6, 0, 20, "short", 160, 176, 0},
    /* a text longer than the record's 127 bytes */
    {14, 814, 7000, 2, 7, 1, 200, fs_pk_long, 192, 400, 1},
    {15, 815, 8000, 2, 3, 2, 4, "last", 400, 416, 1},
};

static inline void fs_build_printk(struct fake_kernel *k)
{
	const uint64_t count = 1ull << FS_PK_COUNT_BITS,
		       size = 1ull << FS_PK_SIZE_BITS;
	const uint64_t rb = FS_PRINTK_GPA, descs = rb + 0x100,
		       infos = descs + count * FS_PK_DESC,
		       data = (infos + count * FS_PK_INFO + 63) & ~63ull;
	uint8_t *p = fg_hva(&k->g, rb, data + size - rb);

	memset(p, 0, data + size - rb);
	fk_put64(fg_hva(&k->g, FK_KERN_GPA + FS_PRB, 8), FK_DM + rb);
	fk_put32(p + 0, FS_PK_COUNT_BITS);   /* count_bits */
	fk_put64(p + 8, FK_DM + descs);	     /* descs */
	fk_put64(p + 16, FK_DM + infos);     /* infos */
	fk_put64(p + 24, 15);		     /* head_id */
	fk_put64(p + 32, 8);		     /* tail_id */
	fk_put32(p + 48, FS_PK_SIZE_BITS);   /* size_bits */
	fk_put64(p + 56, FK_DM + data);	     /* data */
	fk_put64(p + 64, FS_PK_LPOS + 1040); /* head_lpos */
	fk_put64(p + 72, FS_PK_LPOS + 64);   /* tail_lpos */
	for (size_t i = 0; i < ARRAY_LEN(fs_printk); i++) {
		const struct fs_printk_rec *r = &fs_printk[i];
		uint64_t idx = r->id & (count - 1);
		uint8_t *d = p + (descs - rb) + idx * FS_PK_DESC;
		uint8_t *in = p + (infos - rb) + idx * FS_PK_INFO;
		int nolpos = r->begin == 3;
		uint64_t blk;

		fk_put64(d, (uint64_t)r->state << 62 | r->id);
		fk_put64(d + 8, nolpos ? 3 : FS_PK_LPOS + r->begin);
		fk_put64(d + 16, nolpos ? 3 : FS_PK_LPOS + r->next);
		fk_put64(in, r->seq);
		fk_put64(in + 8, r->ts);
		memcpy(in + 16, &r->text_len, 2);
		in[18] = r->facility;
		in[19] = (uint8_t)(r->level << 5 | 0x13); /* flags:5 */
		if (nolpos)
			continue;
		/* a block crossing the ring's end is stored at its start */
		blk = (r->begin >> FS_PK_SIZE_BITS) ==
			      (r->next >> FS_PK_SIZE_BITS)
			  ? r->begin & (size - 1)
			  : 0;
		fk_put64(p + (data - rb) + blk, r->id);
		memcpy(p + (data - rb) + blk + 8, r->text, strlen(r->text));
	}
}

/* The queued calls of CPU 0's call_single_queue, head first: which a
 * tlb_shootdown run acknowledges (acked: unlinked, CSD_FLAG_LOCK
 * cleared) and which it leaves where they are. */
struct fs_csd {
	uint32_t flags;
	uint64_t func;
	int acked;
};

static const struct fs_csd fs_csds[] = {
    {0x11, FS_FLUSH_FN, 1}, /* first: unlinked by a cmpxchg of the head */
    {0x01, FS_FLUSH_FN, 0}, /* asynchronous */
    {0x11, FS_OTHER_FN, 0}, /* another function */
    {0x11, FS_FLUSH_FN, 1}, /* unlinked by a store to its predecessor */
    {0x10, FS_FLUSH_FN, 0}, /* not locked: nobody waits */
    {0x31, FS_FLUSH_FN, 0}, /* another type */
    {0x11, FS_FLUSH_FN, 1}, /* the last */
};

static inline uint64_t fs_csd_gva(size_t i)
{
	return FK_DM + FS_CSD_GPA + i * FS_CSD_SIZE;
}

/* CPU cpu's per-CPU area, in our mapping. */
static inline uint8_t *fs_percpu(struct fake_kernel *k, uint32_t cpu)
{
	return fg_hva(&k->g, FS_PERCPU_GPA + cpu * FS_PERCPU_SIZE,
		      FS_PERCPU_SIZE);
}

/* nr_cpus per-CPU areas (none lazy, empty queues), then fs_csds queued
 * on CPU 0. */
static inline void fs_build_tlb(struct fake_kernel *k, uint32_t nr_cpus)
{
	uint8_t *off = fg_hva(&k->g, FK_KERN_GPA + FS_PER_CPU_OFFSET, 8 * 8192);

	memset(off, 0, 8 * 8192);
	for (uint32_t c = 0; c < nr_cpus; c++) {
		memset(fs_percpu(k, c), 0, FS_PERCPU_SIZE);
		fk_put64(off + 8 * c,
			 FK_DM + FS_PERCPU_GPA + c * FS_PERCPU_SIZE);
	}
	fk_put64(fs_percpu(k, 0) + FS_CALL_QUEUE, fs_csd_gva(0));
	for (size_t i = 0; i < ARRAY_LEN(fs_csds); i++) {
		uint8_t *c =
		    fg_hva(&k->g, FS_CSD_GPA + i * FS_CSD_SIZE, FS_CSD_SIZE);

		memset(c, 0, FS_CSD_SIZE);
		fk_put64(c, i + 1 < ARRAY_LEN(fs_csds) ? fs_csd_gva(i + 1) : 0);
		fk_put32(c + 8, fs_csds[i].flags);
		fk_put64(c + 16, fs_csds[i].func);
	}
}

/* A query object (ps.o, dmesg.o) relocated against btf, registered with
 * the windows they read: the direct map and the kernel image.  The id, or
 * 0 with k->err set. */
static inline uint32_t fs_register_query(struct fake_kernel *k, const char *obj,
					 const char *btf)
{
	const struct hup_window w[] = {
	    {FK_DM, k->ram, HUP_WIN_READ, HUP_WIN_DIRECT_MAP},
	    {FK_KERN, FG_2M, HUP_WIN_READ, HUP_WIN_KERNEL},
	};

	return fk_register_obj(k, obj, btf, 0, w, 2, fs_kvar);
}

/* msr_guard.o, tracing.o, ps.o, dmesg.o and tlb_shootdown.o registered
 * with the windows their data needs (none; the direct map read-write;
 * fs_register_query twice; the kernel image and the direct map
 * read-write): 0 with ids[5], or -EINVAL with k->err set. */
static inline int fs_register(struct fake_kernel *k, const char *msr,
			      const char *trace, const char *ps,
			      const char *dmesg, const char *tlb,
			      const char *btf, uint32_t ids[5])
{
	const struct hup_window direct_rw = {
	    FK_DM, k->ram, HUP_WIN_READ | HUP_WIN_WRITE, HUP_WIN_DIRECT_MAP};
	const struct hup_window tlb_win[] = {
	    {FK_KERN, FG_2M, HUP_WIN_READ, HUP_WIN_KERNEL},
	    direct_rw,
	};

	ids[0] = fk_register_obj(k, msr, btf, FS_TSC_AUX, NULL, 0, fs_kvar);
	ids[1] = ids[0]
		     ? fk_register_obj(k, trace, btf, 0, &direct_rw, 1, fs_kvar)
		     : 0;
	ids[2] = ids[1] ? fs_register_query(k, ps, btf) : 0;
	ids[3] = ids[2] ? fs_register_query(k, dmesg, btf) : 0;
	ids[4] =
	    ids[3] ? fk_register_obj(k, tlb, btf, 0, tlb_win, 2, fs_kvar) : 0;
	return ids[4] ? 0 : -EINVAL;
}

#endif
