/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Execution tests of every hlib helper against a synthetic guest image laid
 * out like the Debian 6.1 cloud guest kernel's (its BTF gives the layouts:
 * guest_layout.c).  The programs (progs/) are compiled with hupcc -- with
 * the same BTF's vmlinux.h when one is given, so their CO-RE offsets are
 * already the image's (the runner cross-checks them) -- linked with their
 * __ksym references patched to the image's symbol addresses
 * (hupcc__link_program), verified and run on libhup under the interpreter
 * and the JIT.
 *
 * The image: a memfd of guest RAM; windows of the view at the direct map
 * (page_offset_base, KASLR-like, with a one-page hole), the vmemmap
 * (vmemmap_base, struct pages of the BTF's size) and the kernel image
 * (read-only; the ksyms: page_offset_base, vmemmap_base, phys_base,
 * __per_cpu_offset[], init_task, __cpu_online_mask, the per-CPU load
 * copy); per-CPU areas in the direct map; 4-level page tables in guest RAM
 * (a 1 GiB direct-map page, 2 MiB kernel-image pages, 4 KiB vmemmap and
 * user pages); task_structs linked through `tasks`, a struct pid with its
 * threads on pid_links, strings and bitmaps, some ending at the hole.
 *
 *   hlib_guest --hupcc HUPCC --src PROGDIR --out OBJDIR [--btf BTF]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hup/libhup.h>

#include "guest_layout.h"
#include "hupcc.h"
#include "hlib_guest.h"

/* ---------------------------------------------------------------- core.h */

static void test_core(void)
{
	uint64_t pa = halloc(64), pair = halloc(16);
	uint64_t v = 0xa1b2c3d4e5f60718ull;
	struct out o;
	int64_t r0;
	int err;

	*u64p(pa) = 0x1122334455667788ull;
	err = query("core", "rw_once", dva(pa), v, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 0x88 && out64(&o, 1) == 0x7788 &&
	      out64(&o, 2) == 0x55667788 && out64(&o, 3) == 0x1122334455667788,
	      "READ_ONCE widths: err %d %#" PRIx64 " %#" PRIx64, err,
	      out64(&o, 0), out64(&o, 3));
	CHECK_MSG(*u64p(pa + 8) == v && *(uint8_t *)hp(pa + 16) == 0x18 &&
	      *(uint16_t *)hp(pa + 18) == 0x0718 &&
	      *(uint32_t *)hp(pa + 20) == 0xe5f60718,
	      "WRITE_ONCE widths: %#" PRIx64, *u64p(pa + 8));
	/* The kernel image is a read-only window: the read works, the write
	 * aborts the run and leaves the image alone. */
	err = query("core", "rw_once", kva(K_POB), v, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT && *(uint64_t *)kp(K_POB + 8) == VMEMMAP,
	      "WRITE_ONCE to a read-only window: %d", err);
	/* A hole. */
	err = query("core", "rw_once", dva(HOLE_PA + 8), v, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "READ_ONCE of a hole: %d", err);

	*(int64_t *)hp(pair) = 77;
	err = query("core", "minmax", (uint64_t)-5, 3, dva(pair + 8), 0, &r0,
		    &o);
	CHECK_MSG(!err && (int64_t)out64(&o, 0) == -5 && out64(&o, 1) == 3 &&
	      out64(&o, 2) == 3 && out64(&o, 3) == (uint64_t)-5 &&
	      out64(&o, 4) == 77 && (uint64_t)r0 == dva(pair),
	      "min/max/container_of_local: err %d r0 %#" PRIx64, err,
	      (uint64_t)r0);
	if (!L.from_btf)
		return;
	/* CO-RE: the offsets the program was compiled with are the image's. */
	err = query("core", "offsets", 0, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == L.task_tasks &&
	      out64(&o, 1) == L.task_pid && out64(&o, 2) == L.task_comm &&
	      out64(&o, 3) == L.task_pid_links + L.pidtype_tgid * L.hlist_node_size &&
	      out64(&o, 4) == L.rq_nr_running &&
	      out64(&o, 5) == L.page_refcount && out64(&o, 6) == L.page_size &&
	      out64(&o, 7) == L.pid_tasks + L.pidtype_tgid * 8,
	      "CO-RE offsets differ from the BTF's: tasks %" PRIu64 "/%u "
	      "comm %" PRIu64 "/%u page %" PRIu64 "/%u",
	      out64(&o, 0), L.task_tasks, out64(&o, 2), L.task_comm,
	      out64(&o, 6), L.page_size);
}

/* ------------------------------------------------------------------ mm.h */

static void test_mm(void)
{
	const uint64_t pa = 0x2345678, vad = POB + 0x1234567,
		       vak = KIMG_VA + 0x12345, pfn = 0x1234;
	uint64_t pfn2 = 0x300;
	struct out o;
	int64_t r0;
	int err;

	err = query("mm", "conv", pa, vad, vak, pfn, &r0, &o);
	CHECK_MSG(!err && o.len == 72, "conv: %d", err);
	CHECK_MSG(out64(&o, 0) == POB + pa, "hlib_va: %#" PRIx64, out64(&o, 0));
	CHECK_MSG(out64(&o, 1) == 0x1234567, "hlib_pa(direct): %#" PRIx64,
	      out64(&o, 1));
	CHECK_MSG(out64(&o, 2) == KIMG_PA + 0x12345, "hlib_pa(kernel): %#" PRIx64,
	      out64(&o, 2));
	CHECK_MSG(out64(&o, 3) == pfn << 12 && out64(&o, 4) == pa >> 12 &&
	      out64(&o, 5) == 0x1234 && out64(&o, 6) == POB + (pfn << 12),
	      "pfn/phys/virt");
	CHECK_MSG(out64(&o, 7) == VMEMMAP + pfn * L.page_size &&
	      out64(&o, 8) == pfn, "pfn_to_page %#" PRIx64 " page_to_pfn %#"
	      PRIx64, out64(&o, 7), out64(&o, 8));
	/* The bases are read from the guest at every run: another KASLR
	 * layout, and a phys_base that wraps (kernel loaded physically below
	 * its virtual offset). */
	*(uint64_t *)kp(K_POB) = 0xffff888000000000ull;
	*(uint64_t *)kp(K_PHYS_BASE) = 0x1000000ull - 0x2200000ull;
	err = query("mm", "conv", pa, vad, vak, pfn, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 0xffff888000000000ull + pa &&
	      out64(&o, 2) == 0x1012345 &&
	      out64(&o, 1) == vad - 0xffff888000000000ull,
	      "other KASLR bases: %#" PRIx64 " %#" PRIx64, out64(&o, 0),
	      out64(&o, 2));
	*(uint64_t *)kp(K_POB) = POB;
	*(uint64_t *)kp(K_PHYS_BASE) = PHYS_BASE;

	/* Reads through the vmemmap and the direct map. */
	*(uint64_t *)hp(VMM_PA + pfn2 * L.page_size + L.page_flags) =
		0x17ffffc0010000ull;
	*u64p((pfn2 << 12) + 0x18) = 0xdeadbeef;
	err = query("mm", "page_word", pfn2, 0x18, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 0x17ffffc0010000ull &&
	      out64(&o, 1) == 0xdeadbeef, "page_word: %d %#" PRIx64, err,
	      out64(&o, 0));
	err = query("mm", "page_word", NR_PFNS, 0, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "struct page beyond the vmemmap window: %d",
	      err);
	err = query("mm", "page_word", HOLE_PA >> 12, 0, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "page in the direct-map hole: %d", err);
	if (!L.from_btf)
		return;
	*(int32_t *)hp(VMM_PA + pfn2 * L.page_size + L.page_refcount) = 3;
	err = query("mm", "kconv", pfn2, dva((pfn2 << 12) + 0x123), 0x5000, 0,
		    &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == VMEMMAP + pfn2 * L.page_size &&
	      out64(&o, 1) == pfn2 && out64(&o, 2) == 0x17ffffc0010000ull &&
	      out64(&o, 3) == 3 && out64(&o, 4) == out64(&o, 0) &&
	      out64(&o, 5) == dva(pfn2 << 12) &&
	      out64(&o, 6) == (pfn2 << 12) + 0x123 &&
	      out64(&o, 7) == dva(0x5000),
	      "kernel names: err %d page %#" PRIx64 " pfn %#" PRIx64
	      " ref %" PRIu64 " virt %#" PRIx64, err, out64(&o, 0),
	      out64(&o, 1), out64(&o, 3), out64(&o, 5));
}

/* -------------------------------------------------------------- percpu.h */

static uint64_t task_pa[32]; /* heap tasks; [0] unused (init_task) */
static uint64_t init_task_va(void) { return kva(K_INIT_TASK); }

static void test_percpu(void)
{
	struct hup_trace_ctx t = { 0 };
	struct out o;
	int64_t r0;
	int err;

	for (uint32_t v = 0; v < NR_POSSIBLE; v++) {
		t.vcpu = v;
		err = run_ctx("percpu", "this_cpu", &t, sizeof(t), v, &r0, NULL);
		CHECK_MSG(!err && r0 == (int64_t)(v * 1000000ull +
					      (pcpu_offset(v) & 0xfffff)),
		      "this_cpu_read on vCPU %u: %d %" PRId64, v, err, r0);
	}
	err = run_ctx("percpu", "this_cpu", &t, sizeof(t), 6, &r0, NULL);
	CHECK_MSG(err == -EFAULT, "this_cpu_read, area in a hole: %d", err);

	err = query("percpu", "of_cpu", 2, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 2 && out64(&o, 1) == pcpu_offset(2) &&
	      out64(&o, 2) == dva(pcpu_area_pa(2)),
	      "per_cpu of CPU 2: %d %" PRIu64, err, out64(&o, 0));
	/* A CPU that is not possible: the boot offset (the load copy). */
	err = query("percpu", "of_cpu", 5, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 0 &&
	      out64(&o, 1) == kva(K_PCPU_LOAD) &&
	      out64(&o, 2) == kva(K_PCPU_LOAD),
	      "per_cpu of an impossible CPU: %d %#" PRIx64, err, out64(&o, 2));
	/* The index is masked to NR_CPUS: 8193 is CPU 1. */
	err = query("percpu", "of_cpu", NR_CPUS + 1, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 1 && out64(&o, 2) == pcpu_offset(1),
	      "per_cpu of CPU 8193: %d %" PRIu64, err, out64(&o, 0));
	err = query("percpu", "of_cpu", 6, 0, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "per_cpu, area in a hole: %d", err);
	if (!L.from_btf)
		return;
	for (unsigned int cpu = 0; cpu < NR_POSSIBLE; cpu++) {
		uint64_t rq = pcpu_area_pa(cpu) + L.pcpu_runqueues;

		*(int32_t *)hp(rq + L.rq_cpu) = (int32_t)cpu;
		*(uint32_t *)hp(rq + L.rq_nr_running) = 10 + cpu;
		*u64p(pcpu_area_pa(cpu) + L.pcpu_current_task) =
			cpu == 0 ? init_task_va() :
			cpu == 3 ? 0 : dva(task_pa[cpu]);
	}
	err = query("percpu", "rq_of", 1, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 1 && out64(&o, 1) == 11 &&
	      out64(&o, 2) == 1, "rq of CPU 1: %d cpu %" PRIu64 " nr %" PRIu64
	      " current %" PRIu64, err, out64(&o, 0), out64(&o, 1),
	      out64(&o, 2));
	err = query("percpu", "rq_of", 0, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 0) == 0 && out64(&o, 2) == 0,
	      "rq of CPU 0 (current: init_task): %d", err);
	/* CPU 3's current_task is NULL: the dereference aborts. */
	err = query("percpu", "rq_of", 3, 0, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "NULL current_task: %d", err);
}

/* ------------------------------------------------------------- pgtable.h */

static void test_pgtable(void)
{
	const struct {
		uint64_t va, pa, leaf; /* leaf: 0 = don't check */
		int err;
	} cases[] = {
		/* 1 GiB page (its PAT bit is not address) */
		{ POB + 0x2344678, 0x2344678, P | RW | A | D | PSE | GL | NX |
		  PAT_LARGE, 0 },
		{ POB + 0x3fffffff, 0x3fffffff, 0, 0 },
		/* 2 MiB pages, one with the PAT bit */
		{ KIMG_VA + 0x12345, KIMG_PA + 0x12345, 0, 0 },
		{ KIMG_VA + 0x212345, KIMG_PA + 0x212345,
		  (KIMG_PA + 0x200000) | P | RW | A | D | PSE | GL | PAT_LARGE,
		  0 },
		/* 4 KiB pages (NX is not address) */
		{ VMEMMAP + 0x1234, VMM_PA + 0x1234, 0, 0 },
		{ USER_VA, USER_PA + 0x678, USER_PA | P | RW | US | A | D | NX,
		  0 },
		/* not present at each level */
		{ 0xffffc90000000000ull, 0, 0, -14 },  /* PGD (vmalloc) */
		{ POB + (1ull << 30), 0, 0, -14 },     /* PUD */
		{ KIMG_VA + KIMG_SIZE, 0, 0, -14 },    /* PMD */
		{ VMEMMAP + (256 << 12), 0, 0, -14 },  /* PTE */
		{ USER_VA + 0x1000, 0, 0, -14 },       /* PTE: swapped out */
	};
	struct hup_msr_ctx m = { 0 };
	struct out o;
	int64_t r0;
	int err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = query("pgtable", "walk", cr3, cases[i].va, 0, 0, &r0, &o);
		CHECK_MSG(!err && r0 == cases[i].err &&
		      (cases[i].err || (out64(&o, 0) == cases[i].pa &&
					(!cases[i].leaf ||
					 out64(&o, 1) == cases[i].leaf))),
		      "walk %#" PRIx64 ": err %d r0 %" PRId64 " pa %#" PRIx64
		      " leaf %#" PRIx64, cases[i].va, err, r0, out64(&o, 0),
		      out64(&o, 1));
		err = query("pgtable", "walk_pa", cr3, cases[i].va, 0, 0, &r0,
			    NULL);
		CHECK_MSG(!err && r0 == (cases[i].err ? cases[i].err :
				     (int64_t)cases[i].pa),
		      "hlib_walk %#" PRIx64 ": %d %" PRId64, cases[i].va, err,
		      r0);
	}
	/* CR3 with PCID bits and flags in its low 12 bits. */
	err = query("pgtable", "walk_pa", cr3 | 0x18 | 5, POB + 0x42, 0, 0,
		    &r0, NULL);
	CHECK_MSG(!err && r0 == 0x42, "CR3 with PCID: %d %" PRId64, err, r0);
	/* A table in the hole, and one beyond guest RAM: the run aborts. */
	err = query("pgtable", "walk", cr3, 0x0000008000001000ull, 0, 0, &r0,
		    &o);
	CHECK_MSG(err == -EFAULT, "PUD table in a hole: %d", err);
	err = query("pgtable", "walk", cr3, 0x0000010000001000ull, 0, 0, &r0,
		    &o);
	CHECK_MSG(err == -EFAULT, "PUD table beyond RAM: %d", err);
	/* CR3 itself outside guest RAM. */
	err = query("pgtable", "walk_pa", 0x7ff00000ull, POB, 0, 0, &r0, NULL);
	CHECK_MSG(err == -EFAULT, "CR3 beyond RAM: %d", err);

	/* An MSR-write policy reading CR3 from the vCPU: the walk agrees with
	 * hlib_pa on the direct map and the kernel image. */
	cr3_result = (int64_t)cr3;
	m.value = POB + 0x123456;
	err = run_ctx("pgtable", "walk_cr3", &m, sizeof(m), 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 0, "walk == __pa (direct map): %d %" PRId64, err,
	      r0);
	m.value = KIMG_VA + 0x654321;
	err = run_ctx("pgtable", "walk_cr3", &m, sizeof(m), 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 0, "walk == __pa (kernel image): %d %" PRId64, err,
	      r0);
	m.value = USER_VA + 0x1000;
	err = run_ctx("pgtable", "walk_cr3", &m, sizeof(m), 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 1, "walk_cr3 unmapped: %d %" PRId64, err, r0);
	m.value = USER_VA;
	err = run_ctx("pgtable", "walk_cr3", &m, sizeof(m), 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 2, "walk_cr3 user page (not direct map): %d %"
	      PRId64, err, r0);
	cr3_result = -EINVAL;
	err = run_ctx("pgtable", "walk_cr3", &m, sizeof(m), 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 3, "walk_cr3 without CR3: %d %" PRId64, err, r0);
}

/* -------------------------------------------------------------- string.h */

/* A copy of s (n bytes, not terminated unless s includes it) ending
 * exactly at the direct-map hole. */
static uint64_t before_hole(const char *s, size_t n)
{
	memset(hp(HOLE_PA - 64), 0x7a, 64);
	memcpy(hp(HOLE_PA - n), s, n);
	return dva(HOLE_PA - n);
}

static uint64_t gstr(const char *s)
{
	uint64_t pa = halloc(strlen(s) + 1);

	strcpy(hp(pa), s);
	return dva(pa);
}

static void test_string(void)
{
	uint64_t a, b, dst;
	struct out o;
	int64_t r0;
	int err;

	err = query("string", "cpy16", gstr("kworker/0:1H"), 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == 12 && o.len == 16 &&
	      !memcmp(o.buf, "kworker/0:1H\0\0\0\0", 16),
	      "strncpy: %d %" PRId64 " '%.16s'", err, r0, o.buf);
	err = query("string", "cpy16", gstr("abcdefghijklmnopqrst"), 0, 0, 0,
		    &r0, &o);
	CHECK_MSG(!err && r0 == 15 && !memcmp(o.buf, "abcdefghijklmno", 16),
	      "strncpy truncates and terminates: %d %" PRId64, err, r0);
	err = query("string", "cpy16", kva(K_BANNER), 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == 15 && !memcmp(o.buf, "Linux version 6", 16),
	      "strncpy from the kernel image: %d %" PRId64, err, r0);
	err = query("string", "cpy16", before_hole("abc", 4), 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == 3 && !memcmp(o.buf, "abc\0\0\0\0\0\0\0\0\0\0\0\0",
					 16),
	      "strncpy stops at the NUL before a hole: %d %" PRId64, err, r0);
	err = query("string", "cpy16", before_hole("abcd", 4), 0, 0, 0, &r0,
		    &o);
	CHECK_MSG(err == -EFAULT, "strncpy into a hole: %d", err);
	{
		char s[301];

		for (int i = 0; i < 300; i++)
			s[i] = (char)('a' + i % 26);
		s[300] = '\0';
		err = query("string", "cpy256", gstr(s), 0, 0, 0, &r0, &o);
		CHECK_MSG(!err && r0 == 255 && o.len == 255 &&
		      !memcmp(o.buf, s, 255),
		      "strncpy n=256 truncates at 255: %d %" PRId64 " %zu",
		      err, r0, o.len);
		s[200] = '\0';
		err = query("string", "cpy256", gstr(s), 0, 0, 0, &r0, &o);
		CHECK_MSG(!err && r0 == 200 && o.len == 200 &&
		      !memcmp(o.buf, s, 200),
		      "strncpy n=256 outputs its length: %d %" PRId64 " %zu",
		      err, r0, o.len);
		err = query("string", "cpy256", gstr(""), 0, 0, 0, &r0, &o);
		CHECK_MSG(!err && r0 == 0 && o.len == 0,
		      "strncpy n=256 of an empty string: %d %" PRId64 " %zu",
		      err, r0, o.len);
		err = query("string", "cpy256", before_hole("xyz", 4), 0, 0, 0,
			    &r0, &o);
		CHECK_MSG(!err && r0 == 3 && o.len == 3 && !memcmp(o.buf, "xyz", 3),
		      "strncpy n=256 stops at the NUL before a hole: %d %"
		      PRId64, err, r0);
	}
	err = query("string", "cpy4", gstr("systemd"), 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == 30 && o.len == 5 && !memcmp(o.buf, "sys\0", 5),
	      "strncpy n=4, n=1: %d %" PRId64, err, r0);

	dst = halloc(32);
	memset(hp(dst), 0xff, 32);
	err = query("string", "cpy_g2g", gstr("rcu_sched"), dva(dst), 0, 0,
		    &r0, NULL);
	CHECK_MSG(!err && r0 == 9 &&
	      !memcmp(hp(dst), "rcu_sched\0\0\0\0\0\0\0", 16) &&
	      *(uint8_t *)hp(dst + 16) == 0xff,
	      "strncpy guest to guest pads: %d %" PRId64, err, r0);
	err = query("string", "cpy_g2g", gstr("rcu_sched"), kva(K_BANNER), 0,
		    0, &r0, NULL);
	CHECK_MSG(err == -EFAULT && !memcmp(kp(K_BANNER), "Linux", 5),
	      "strncpy to a read-only window: %d", err);

	/* strncmp */
	{
		const struct {
			const char *a, *b;
			int64_t r[4];
		} c[] = {
			{ "systemd", "systemd-journal", { -1, -1, 0, 0 } },
			{ "systemd-journal", "systemd", { 1, 1, 1, 0 } },
			{ "systemd-logind", "systemd-journal", { 0, 1, 1, 0 } },
			{ "sshd", "sshd", { 0, 0, -1, 0 } },
			{ "\xe9t\xe9", "et", { 1, 1, 1, 0 } },
			{ "", "", { 0, 0, -1, 0 } },
		};

		for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			err = query("string", "cmp", gstr(c[i].a), gstr(c[i].b),
				    0, 0, &r0, &o);
			CHECK_MSG(!err && (int64_t)out64(&o, 0) == c[i].r[0] &&
			      (int64_t)out64(&o, 1) == c[i].r[1] &&
			      (int64_t)out64(&o, 2) == c[i].r[2] &&
			      (int64_t)out64(&o, 3) == c[i].r[3],
			      "strncmp('%s', '%s'): %d %" PRId64 " %" PRId64
			      " %" PRId64 " %" PRId64, c[i].a, c[i].b, err,
			      out64(&o, 0), out64(&o, 1), out64(&o, 2),
			      out64(&o, 3));
		}
	}
	b = gstr("ab");
	a = before_hole("ab", 3);
	err = query("string", "cmp", a, b, 0, 0, &r0, &o);
	CHECK_MSG(!err && out64(&o, 1) == 0,
	      "strncmp stops at the NUL before a hole: %d", err);
	a = before_hole("abX", 3);
	err = query("string", "cmp", a, gstr("abY"), 0, 0, &r0, &o);
	CHECK_MSG(!err && (int64_t)out64(&o, 1) == -1,
	      "strncmp stops at a difference before a hole: %d", err);
	a = before_hole("ab", 2);
	err = query("string", "cmp", a, b, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "strncmp into a hole: %d", err);

	/* memcpy / memset */
	a = halloc(64);
	for (int i = 0; i < 64; i++)
		((uint8_t *)hp(a))[i] = (uint8_t)(i * 7 + 1);
	err = query("string", "mem_in", dva(a), 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && o.len == 72 && !memcmp(o.buf, hp(a), 64) &&
	      !memcmp(o.buf + 64, "\x11\x11\x11\x11\x11\x11\x11\x11", 8),
	      "memcpy guest to stack, memset stack: %d", err);
	err = query("string", "mem_in", dva(HOLE_PA - 32), 0, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "memcpy across a hole: %d", err);
	dst = halloc(40);
	memset(hp(dst), 0xee, 40);
	err = query("string", "mem_out", dva(dst + 3), 0, 0, 0, &r0, NULL);
	{
		bool ok = *(uint8_t *)hp(dst + 2) == 0xee &&
			  *(uint8_t *)hp(dst + 35) == 0xee;

		for (int i = 0; i < 32; i++)
			ok &= *(uint8_t *)hp(dst + 3 + (uint64_t)i) == i;
		CHECK_MSG(!err && ok, "memcpy stack to guest (unaligned): %d", err);
	}
	err = query("string", "mem_out", kva(K_BANNER), 0, 0, 0, &r0, NULL);
	CHECK_MSG(err == -EFAULT, "memcpy to a read-only window: %d", err);
	dst = halloc(64);
	b = halloc(48);
	memset(hp(dst), 0xee, 64);
	memset(hp(b), 0xee, 48);
	err = query("string", "mem_g2g", dva(a), dva(dst), dva(b + 4), 0, &r0,
		    NULL);
	{
		bool ok = !memcmp(hp(dst), hp(a), 24) &&
			  *(uint8_t *)hp(dst + 24) == 0xee &&
			  *(uint8_t *)hp(b + 3) == 0xee &&
			  *(uint8_t *)hp(b + 44) == 0xee;

		for (int i = 0; i < 40; i++)
			ok &= *(uint8_t *)hp(b + 4 + (uint64_t)i) == 0x5a;
		CHECK_MSG(!err && ok, "memcpy guest to guest, memset guest: %d",
		      err);
	}

	/* guest_read / guest_write helpers: a hole or a read-only window is
	 * the helper's error, not an abort. */
	a = halloc(256);
	dst = halloc(256);
	for (int i = 0; i < 256; i++)
		((uint8_t *)hp(a))[i] = (uint8_t)(255 - i);
	err = query("string", "grw", dva(a), dva(dst), 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == 0 && o.len == 256 && !memcmp(o.buf, hp(a), 256) &&
	      !memcmp(hp(dst), hp(a), 256), "guest_read/write: %d %" PRId64,
	      err, r0);
	err = query("string", "grw", dva(HOLE_PA - 128), dva(dst), 0, 0, &r0,
		    &o);
	CHECK_MSG(!err && r0 == -EFAULT, "guest_read across a hole: %d %" PRId64,
	      err, r0);
	err = query("string", "grw", dva(a), kva(K_BANNER), 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == -EFAULT - 1000 && !memcmp(kp(K_BANNER), "Linux", 5),
	      "guest_write to a read-only window: %d %" PRId64, err, r0);
}

/* -------------------------------------------------------------- bitops.h */

static void test_bitops(void)
{
	uint64_t *online = kp(K_ONLINE), map;
	struct out o;
	int64_t r0;
	int err;

	memset(online, 0, 1024);
	online[0] = 0xf;
	online[127] = 1ull << 63; /* CPU 8191 */
	{
		const uint64_t cpu[] = { 0, 2, 3, 4, 5, 64, 8190, 8191 };
		const int64_t want[] = { 1, 1, 1, 0, 0, 0, 0, 1 };

		for (size_t i = 0; i < sizeof(cpu) / sizeof(cpu[0]); i++) {
			err = query("bitops", "online", cpu[i], 0, 0, 0, &r0,
				    NULL);
			CHECK_MSG(!err && r0 == want[i], "test_bit(%" PRIu64
			      ", online): %d %" PRId64, cpu[i], err, r0);
		}
	}
	err = query("bitops", "set_online", 5, 0, 0, 0, &r0, NULL);
	CHECK_MSG(err == -EFAULT && online[0] == 0xf,
	      "set_bit on a read-only window: %d", err);

	map = halloc(16);
	u64p(map)[0] = 0xff;
	u64p(map)[1] = 1ull << 37; /* bit 101 */
	err = query("bitops", "modify", dva(map), 65, 3, 100, &r0, NULL);
	CHECK_MSG(!err && r0 == 5 && u64p(map)[0] == 0xf7 &&
	      u64p(map)[1] == (2ull | 1ull << 36),
	      "set/clear/__set/__clear_bit: %d %" PRId64 " %#" PRIx64
	      " %#" PRIx64, err, r0, u64p(map)[0], u64p(map)[1]);
	/* A bitmap whose second word is in the hole. */
	u64p(HOLE_PA - 8)[0] = 0;
	err = query("bitops", "modify", dva(HOLE_PA - 8), 1, 2, 64, &r0, NULL);
	CHECK_MSG(err == -EFAULT, "bitmap word in a hole: %d", err);

	{
		const uint64_t x[] = { 1ull << 40, 0x8000000000000001ull, 0,
				       0x80000000ull, 0xfff0, 1, ~0ull,
				       0x0123456789abcdefull, 1ull << 63 };

		for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
			uint64_t v = x[i];
			uint32_t lo = (uint32_t)v;
			uint64_t want[8] = {
				v ? (uint64_t)__builtin_ctzll(v) : 99,
				v ? (uint64_t)(63 - __builtin_clzll(v)) : 99,
				lo ? (uint64_t)__builtin_ctz(lo) + 1 : 0,
				v ? (uint64_t)(64 - __builtin_clzll(v)) : 0,
				(uint64_t)__builtin_popcountll(v),
				(uint64_t)__builtin_popcount(lo),
				0x42, 1,
			};

			err = query("bitops", "search", v, 0, 0, 0, &r0, &o);
			CHECK_MSG(!err && o.len == 64 && !memcmp(o.buf, want, 64),
			      "bit searches of %#" PRIx64 ": %d __ffs %" PRIu64
			      " __fls %" PRIu64 " ffs %" PRIu64 " fls64 %"
			      PRIu64 " hw %" PRIu64 "/%" PRIu64 " stack %#"
			      PRIx64 "/%" PRIu64, v, err, out64(&o, 0),
			      out64(&o, 1), out64(&o, 2), out64(&o, 3),
			      out64(&o, 4), out64(&o, 5), out64(&o, 6),
			      out64(&o, 7));
		}
	}
}

/* ---------------------------------------------------------------- list.h */

static uint64_t task_va(int i) /* 0: init_task */
{
	return i ? dva(task_pa[i]) : init_task_va();
}

static uint8_t *task_host(int i)
{
	return i ? hp(task_pa[i]) : kp(K_INIT_TASK);
}

static void set_u64(uint8_t *base, uint32_t off, uint64_t v)
{
	memcpy(base + off, &v, 8);
}

static void set_i32(uint8_t *base, uint32_t off, int32_t v)
{
	memcpy(base + off, &v, 4);
}

static const char *const comms[] = {
	"swapper/0", "systemd", "kthreadd", "rcu_gp", "rcu_par_gp",
	"kworker/0:1H-ev", "sshd", "postgres", "cron", "dbus-daemon",
	"agetty", "rsyslogd", "udevd", "journald", "polkitd", "chronyd",
	"exim4", "nginx", "bash", "ps",
};
#define NTASKS ((int)(sizeof(comms) / sizeof(comms[0])))

static int task_pid_of(int i)
{
	return i == 7 ? 200 : i == 6 ? 100 : i;
}

/* init_task + tasks 1..n-1 on the tasks list. */
static void link_tasks(int n)
{
	for (int i = 0; i < n; i++) {
		int next = (i + 1) % n, prev = (i + n - 1) % n;

		set_u64(task_host(i), L.task_tasks, task_va(next) + L.task_tasks);
		set_u64(task_host(i), L.task_tasks + 8,
			task_va(prev) + L.task_tasks);
	}
}

static void build_tasks(void)
{
	for (int i = 0; i < NTASKS; i++) {
		uint8_t *t;

		if (i)
			task_pa[i] = halloc(L.task_size);
		t = task_host(i);
		memset(t, 0, L.task_size);
		set_i32(t, L.task_pid, task_pid_of(i));
		set_i32(t, L.task_tgid, task_pid_of(i));
		strncpy((char *)t + L.task_comm, comms[i], 16);
	}
}

/* The thread group of postgres (pid 200): struct pid with threads 200,
 * 201, ... linked on tasks[PIDTYPE_TGID] through pid_links[PIDTYPE_TGID]. */
static uint64_t build_thread_group(int nthreads)
{
	uint64_t pid = halloc(L.pid_size), th[8];
	uint32_t link = L.task_pid_links + L.pidtype_tgid * L.hlist_node_size;
	uint64_t head = pid + L.pid_tasks + L.pidtype_tgid * 8;

	th[0] = task_pa[7];
	for (int i = 1; i < nthreads; i++) {
		th[i] = halloc(L.task_size);
		set_i32(hp(th[i]), L.task_pid, 200 + i);
		set_i32(hp(th[i]), L.task_tgid, 200);
		strncpy((char *)hp(th[i]) + L.task_comm, "postgres", 16);
	}
	*u64p(head) = nthreads ? dva(th[0] + link) : 0;
	for (int i = 0; i < nthreads; i++) {
		set_u64(hp(th[i]), link,
			i + 1 < nthreads ? dva(th[i + 1] + link) : 0);
		set_u64(hp(th[i]), link + 8,
			i ? dva(th[i - 1] + link) : dva(head));
	}
	return pid;
}

struct ps_rec {
	int32_t pid, tgid;
	char comm[16];
};

static void test_list(void)
{
	struct out o;
	int64_t r0;
	int err;

	link_tasks(6);
	err = query("list", "ps", 0, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == 5 && o.len == 5 * sizeof(struct ps_rec),
	      "ps of 6 tasks: %d %" PRId64, err, r0);
	for (int i = 1; i < 6 && (size_t)i * sizeof(struct ps_rec) <= o.len;
	     i++) {
		struct ps_rec r;

		memcpy(&r, o.buf + (size_t)(i - 1) * sizeof(r), sizeof(r));
		CHECK_MSG(r.pid == task_pid_of(i) && r.tgid == task_pid_of(i) &&
		      !strncmp(r.comm, comms[i], 16),
		      "ps entry %d: %d '%.16s'", i, r.pid, r.comm);
	}
	/* More tasks than the walk's bound: it stops at 16 and says so. */
	link_tasks(NTASKS);
	err = query("list", "ps", 0, 0, 0, 0, &r0, &o);
	CHECK_MSG(!err && r0 == -16 && o.len == 16 * sizeof(struct ps_rec),
	      "ps bound reached: %d %" PRId64, err, r0);
	/* A next pointer into the hole. */
	set_u64(task_host(3), L.task_tasks, dva(HOLE_PA + 64));
	err = query("list", "ps", 0, 0, 0, 0, &r0, &o);
	CHECK_MSG(err == -EFAULT, "ps, next in a hole: %d", err);
	link_tasks(NTASKS);

	err = query("list", "pidof", gstr("sshd"), 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 100, "pidof sshd: %d %" PRId64, err, r0);
	err = query("list", "pidof", gstr("kworker/0:1H-ev"), 0, 0, 0, &r0,
		    NULL);
	CHECK_MSG(!err && r0 == 5, "pidof of a 15-character comm: %d %" PRId64,
	      err, r0);
	err = query("list", "pidof", gstr("rsyslogd"), 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == -1, "pidof past the bound (8): %d %" PRId64, err,
	      r0);
	err = query("list", "pidof", gstr("sshd2"), 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == -1, "pidof of a missing comm: %d %" PRId64, err,
	      r0);

	/* Raw walks of a list_head. */
	{
		uint64_t head = halloc(16), e[6];

		for (int i = 0; i < 6; i++)
			e[i] = halloc(16);
		u64p(head)[0] = dva(head);
		err = query("list", "count_raw", dva(head), 0, 0, 0, &r0, NULL);
		CHECK_MSG(!err && r0 == 0, "empty list: %d %" PRId64, err, r0);
		err = query("list", "first_next", dva(head), 0, 0, 0, &r0,
			    NULL);
		CHECK_MSG(!err && r0 == 1000000 + 1000 + 2,
		      "list_empty/first/next: %d %" PRId64, err, r0);
		u64p(head)[0] = dva(e[0]);
		u64p(e[0])[0] = dva(e[1]);
		u64p(e[1])[0] = dva(e[2]);
		u64p(e[2])[0] = dva(head);
		err = query("list", "count_raw", dva(head), 0, 0, 0, &r0, NULL);
		CHECK_MSG(!err && r0 == 3, "list of 3: %d %" PRId64, err, r0);
		err = query("list", "first_next", dva(head), 0, 0, 0, &r0,
			    NULL);
		CHECK_MSG(!err && r0 == 1002, "list_empty (not): %d %" PRId64, err,
		      r0);
		/* A cycle that never returns to the head. */
		u64p(e[2])[0] = dva(e[3]);
		u64p(e[3])[0] = dva(e[4]);
		u64p(e[4])[0] = dva(e[5]);
		u64p(e[5])[0] = dva(e[3]);
		err = query("list", "count_raw", dva(head), 0, 0, 0, &r0, NULL);
		CHECK_MSG(!err && r0 == -4, "cycle, bound reached: %d %" PRId64,
		      err, r0);
	}
	/* container_of (CO-RE). */
	err = query("core", "task_of", task_va(6) + L.task_tasks, 0, 0, 0, &r0,
		    NULL);
	CHECK_MSG(!err && r0 == 100, "container_of(task.tasks): %d %" PRId64, err,
	      r0);

	/* hlist: a thread group. */
	{
		const int n[] = { 3, 0, 1, 6 };
		const int64_t want[] = { 3, 0, 1, 4 };

		for (size_t i = 0; i < 4; i++) {
			uint64_t pid = build_thread_group(n[i]);
			bool ok = true;

			err = query("list", "threads", dva(pid), 0, 0, 0, &r0,
				    &o);
			for (int k = 0; k < want[i]; k++) {
				int32_t p;

				memcpy(&p, o.buf + 4 * k, 4);
				ok &= p == 200 + k;
			}
			CHECK_MSG(!err && r0 == want[i] &&
			      o.len == (size_t)want[i] * 4 && ok,
			      "threads of %d: %d %" PRId64, n[i], err, r0);
		}
		/* The second thread's next in the hole. */
		{
			uint64_t pid = build_thread_group(3);
			uint64_t first = *u64p(pid + L.pid_tasks +
					       L.pidtype_tgid * 8) - POB;

			*u64p(first) = dva(HOLE_PA);
			err = query("list", "threads", dva(pid), 0, 0, 0, &r0,
				    &o);
			CHECK_MSG(err == -EFAULT, "hlist next in a hole: %d", err);
		}
	}
}

/* ------------------------------------------------------------ spinlock.h */

static void test_spinlock(void)
{
	uint64_t rq = pcpu_area_pa(1) + L.pcpu_runqueues;
	uint32_t *lock = hp(rq + L.rq_lock), *nr = hp(rq + L.rq_nr_running);
	uint32_t *tlock = hp(task_pa[8] + L.task_alloc_lock);
	uint64_t w;
	int64_t r0;
	int err;

	*lock = 0;
	*nr = 11;
	err = query("spinlock", "rq_bump", 1, 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 11 && *nr == 12 && *lock == 0,
	      "raw_spin_trylock of rq->__lock: %d %" PRId64 " nr %u lock %#x",
	      err, r0, *nr, *lock);
	{
		const uint32_t held[] = { 1, 0x100, 0x40000, 0x40101 };

		for (size_t i = 0; i < 4; i++) {
			*lock = held[i];
			err = query("spinlock", "rq_bump", 1, 0, 0, 0, &r0,
				    NULL);
			CHECK_MSG(!err && r0 == -16 && *nr == 12 && *lock == held[i],
			      "trylock of a busy qspinlock %#x: %d %" PRId64,
			      held[i], err, r0);
		}
	}
	*lock = 0;
	*tlock = 0;
	err = query("spinlock", "task_lock", task_va(8), 1, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 1 && *tlock == 1, "spin_trylock, kept: %d %"
	      PRId64 " %#x", err, r0, *tlock);
	err = query("spinlock", "task_lock", task_va(8), 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 0 && *tlock == 1, "spin_trylock, held: %d %"
	      PRId64, err, r0);
	*tlock = 0;
	err = query("spinlock", "task_lock", task_va(8), 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && r0 == 1 && *tlock == 0, "spin_trylock + unlock: %d %"
	      PRId64 " %#x", err, r0, *tlock);
	/* init_task lives in the read-only kernel image: the cmpxchg aborts. */
	err = query("spinlock", "task_lock", task_va(0), 0, 0, 0, &r0, NULL);
	CHECK_MSG(err == -EFAULT, "spin_trylock on a read-only window: %d", err);
	/* spin_unlock clears the locked byte only (a pending waiter and the
	 * queue tail stay). */
	w = halloc(8);
	*(uint32_t *)hp(w) = 0x40101;
	err = query("spinlock", "unlock", dva(w), 0, 0, 0, &r0, NULL);
	CHECK_MSG(!err && *(uint32_t *)hp(w) == 0x40100, "spin_unlock: %d %#x",
	      err, *(uint32_t *)hp(w));
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr, "usage: hlib_guest --hupcc HUPCC --src DIR --out DIR "
			"[--btf BTF]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const all[] = { "core", "mm", "percpu", "pgtable",
					   "string", "bitops", "list",
					   "spinlock" };
	size_t nsrc;
	int err;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--hupcc"))
			hupcc_path = argv[++i];
		else if (!strcmp(argv[i], "--src"))
			srcdir = argv[++i];
		else if (!strcmp(argv[i], "--out"))
			outdir = argv[++i];
		else if (!strcmp(argv[i], "--btf"))
			btf_path = argv[++i];
		else
			usage();
	}
	if (!hupcc_path || !srcdir || !outdir)
		usage();
	if (btf_path) {
		err = guest_layout_from_btf(&L, btf_path);
		if (err)
			return 2;
	} else {
		guest_layout_default(&L);
	}
	printf("layout (%s): struct page %u, task_struct %u (tasks %u, pid %u, "
	       "comm %u, pid_links %u), rq %u (__lock %u, nr_running %u), "
	       "per-CPU section %u (runqueues %u, cpu_number %u)\n",
	       btf_path ? btf_path : "Debian 6.1 defaults", L.page_size,
	       L.task_size, L.task_tasks, L.task_pid, L.task_comm,
	       L.task_pid_links, L.rq_size, L.rq_lock, L.rq_nr_running,
	       L.pcpu_size, L.pcpu_runqueues, L.pcpu_cpu_number);
	if (btf_path && (K_INIT_TASK + L.task_size > K_PCPU_LOAD)) {
		fprintf(stderr, "task_struct too big for the image\n");
		return 2;
	}
	mkdir(outdir, 0755);
	/* Without the BTF only the programs that need no kernel types. */
	nsrc = btf_path ? sizeof(all) / sizeof(all[0]) : 6;
	for (size_t i = 0; i < nsrc; i++)
		if (compile(all[i]))
			return 1;
	err = map_view();
	if (err) {
		fprintf(stderr, "guest image: %s\n", strerror(-err));
		return 2;
	}
	ksym("page_offset_base", kva(K_POB));
	ksym("vmemmap_base", kva(K_VMEMMAP));
	ksym("phys_base", kva(K_PHYS_BASE));
	ksym("__per_cpu_offset", kva(K_PCPU_OFFSET));
	ksym("__cpu_online_mask", kva(K_ONLINE));
	ksym("init_task", kva(K_INIT_TASK));
	ksym("cpu_number", L.pcpu_cpu_number);
	ksym("this_cpu_off", L.pcpu_this_cpu_off);
	ksym("current_task", L.pcpu_current_task);
	ksym("runqueues", L.pcpu_runqueues);

	for (engine = 0; engine < 2; engine++) {
		build_image();
		if (L.from_btf)
			build_tasks();
		test_core();
		test_mm();
		test_percpu();
		test_pgtable();
		test_string();
		test_bitops();
		if (L.from_btf) {
			test_list();
			test_spinlock();
		}
	}
	for (size_t i = 0; i < nprogs; i++) {
		hup_prog__free(progs[i].p[0]);
		hup_prog__free(progs[i].p[1]);
	}
	hup_view__free(view);
	printf("%d checks (%zu programs, interpreter and JIT): %s\n", check_count,
	       nprogs, check_failures ? "FAILED" : "all passed");
	if (check_failures)
		printf("%d failed\n", check_failures);
	return check_failures || !check_count ? 1 : 0;
}
