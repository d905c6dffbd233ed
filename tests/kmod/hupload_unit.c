/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload's native unit tests: the CO-RE relocator against synthetic BTF
 * (libbpf's btf__add_* API: the "local" layout a program was compiled
 * against and "target" kernels that moved, resized, nested or renamed
 * things), and the object reader against a real hupcc object (tracing.o)
 * and every truncation and many corruptions of it: each must give an
 * error or a program, never a crash (run under ASan with HUP_SANITIZE).
 *
 *	hupload_unit TRACING_O
 */
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hyperupcall/trace_ring.h>

#include "check.h"
#include "core.h"
#include "hupload.h"

struct ids {
	int task, list, u32t, charr, ptr, en;
};

/* struct list_head { struct list_head *next, *prev; };
 * enum state { RUNNING = 0, SLEEPING = 1 [, DEAD = 7] };
 * struct task_struct (variant):
 *   0 local:  { int pid; char comm[16]; struct list_head tasks;
 *               unsigned int flags:3, prio:5; enum state st; }
 *   1 moved:  { long pad[3]; struct list_head tasks; int pid;
 *               char comm[16]; unsigned int x:7, flags:3, prio:5; enum state st; }
 *   2 nested: { long pad; union { struct { long q; int pid; }; long r; };
 *               char comm[16]; struct list_head tasks; ... }, pid is long
 *   3 renamed: task_struct___v3 with no pid at all
 */
static struct btf *make_btf(int variant, struct ids *id)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int i64 = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	int chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	int arr = btf__add_array(b, u32, chr, 16);
	int lh = btf__add_struct(b, "list_head", 16);
	int en, pad, anon_s, anon_u, ts, lhp;

	/* Fields go to the last type added: the pointer comes after. */
	btf__add_field(b, "next", lh + 1, 0, 0);
	btf__add_field(b, "prev", lh + 1, 64, 0);
	lhp = btf__add_ptr(b, lh);
	en = btf__add_enum(b, "state", 4);
	btf__add_enum_value(b, "RUNNING", 0);
	btf__add_enum_value(b, "SLEEPING", 1);
	if (variant)
		btf__add_enum_value(b, "DEAD", 7);
	switch (variant) {
	case 0:
		ts = btf__add_struct(b, "task_struct", 48);
		btf__add_field(b, "pid", i32, 0, 0);
		btf__add_field(b, "comm", arr, 32, 0);
		btf__add_field(b, "tasks", lh, 160, 0);
		btf__add_field(b, "flags", u32, 288, 3);
		btf__add_field(b, "prio", u32, 291, 5);
		btf__add_field(b, "st", en, 320, 0);
		break;
	case 1:
		pad = btf__add_array(b, u32, i64, 3);
		ts = btf__add_struct(b, "task_struct", 72);
		btf__add_field(b, "pad", pad, 0, 0);
		btf__add_field(b, "tasks", lh, 192, 0);
		btf__add_field(b, "pid", i32, 320, 0);
		btf__add_field(b, "comm", arr, 352, 0);
		btf__add_field(b, "x", u32, 480, 7);
		btf__add_field(b, "flags", u32, 487, 3);
		btf__add_field(b, "prio", u32, 490, 5);
		btf__add_field(b, "st", en, 512, 0);
		break;
	case 2:
		anon_s = btf__add_struct(b, NULL, 16);
		btf__add_field(b, "q", i64, 0, 0);
		btf__add_field(b, "pid", i64, 64, 0);
		anon_u = btf__add_union(b, NULL, 16);
		btf__add_field(b, NULL, anon_s, 0, 0);
		btf__add_field(b, "r", i64, 0, 0);
		ts = btf__add_struct(b, "task_struct", 64);
		btf__add_field(b, "pad", i64, 0, 0);
		btf__add_field(b, NULL, anon_u, 64, 0);
		btf__add_field(b, "comm", arr, 192, 0);
		btf__add_field(b, "tasks", lh, 320, 0);
		btf__add_field(b, "flags", u32, 448, 3);
		btf__add_field(b, "prio", u32, 451, 5);
		btf__add_field(b, "st", en, 480, 0);
		break;
	default:
		ts = btf__add_struct(b, "task_struct___v3", 32);
		btf__add_field(b, "comm", arr, 0, 0);
		btf__add_field(b, "tasks", lh, 128, 0);
		break;
	}
	if (id)
		*id = (struct ids){ ts, lh, u32, arr, lhp, en };
	(void)i32;
	return b;
}

static long value(struct btf *local, int type, const char *acc, int kind,
		  struct btf *target)
{
	char err[256];
	uint64_t v = 0;
	int e = hup_core__value(local, (uint32_t)type, acc, (uint32_t)kind,
				target, &v, err, sizeof(err));

	return e ? e : (long)v;
}

static void test_core(void)
{
	struct ids l;
	struct btf *local = make_btf(0, &l);
	struct btf *t1 = make_btf(1, NULL), *t2 = make_btf(2, NULL);
	struct btf *t3 = make_btf(3, NULL);

	/* Same layout: identity. */
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, local) == 0, "pid");
	CHECK_MSG(value(local, l.task, "0:2:1", BPF_CORE_FIELD_BYTE_OFFSET, local) == 28, "tasks.prev");
	/* Moved. */
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, t1) == 40, "pid moved");
	CHECK_MSG(value(local, l.task, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, t1) == 44, "comm moved");
	CHECK_MSG(value(local, l.task, "0:1:3", BPF_CORE_FIELD_BYTE_OFFSET, t1) == 47, "comm[3]");
	CHECK_MSG(value(local, l.task, "0:2:1", BPF_CORE_FIELD_BYTE_OFFSET, t1) == 32, "tasks.prev");
	CHECK_MSG(value(local, l.task, "1:0", BPF_CORE_FIELD_BYTE_OFFSET, t1) == 72 + 40, "task[1].pid");
	CHECK_MSG(value(local, l.task, "0", BPF_CORE_FIELD_BYTE_SIZE, t1) == 72, "sizeof");
	/* Through anonymous union/struct, and resized. */
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, t2) == 16, "pid nested");
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_BYTE_SIZE, t2) == 8, "pid size");
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_SIGNED, t2) == 1, "pid signed");
	CHECK_MSG(value(local, l.task, "0:3", BPF_CORE_FIELD_SIGNED, t2) == 0, "flags unsigned");
	/* Bitfields: prio is bits 291..295 locally, 490..494 in t1. */
	CHECK_MSG(value(local, l.task, "0:4", BPF_CORE_FIELD_BYTE_OFFSET, local) == 36, "prio load");
	CHECK_MSG(value(local, l.task, "0:4", BPF_CORE_FIELD_LSHIFT_U64, local) == 64 - (291 - 288 + 5), "lshift");
	CHECK_MSG(value(local, l.task, "0:4", BPF_CORE_FIELD_RSHIFT_U64, local) == 59, "rshift");
	CHECK_MSG(value(local, l.task, "0:4", BPF_CORE_FIELD_BYTE_OFFSET, t1) == 60, "prio load t1");
	CHECK_MSG(value(local, l.task, "0:4", BPF_CORE_FIELD_LSHIFT_U64, t1) == 64 - (490 - 480 + 5), "lshift t1");
	/* Existence; flavours. */
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_EXISTS, t1) == 1, "exists");
	CHECK_MSG(value(local, l.task, "0:0", BPF_CORE_FIELD_EXISTS, t3) == -ENOENT, "pid gone");
	CHECK_MSG(value(local, l.task, "0:1", BPF_CORE_FIELD_BYTE_OFFSET, t3) == 0, "flavour comm");
	CHECK_MSG(value(local, l.task, "0", BPF_CORE_TYPE_EXISTS, t3) == 1, "flavour type");
	CHECK_MSG(value(local, l.task, "0", BPF_CORE_TYPE_SIZE, t3) == 32, "flavour size");
	CHECK_MSG(value(local, l.list, "0", BPF_CORE_TYPE_SIZE, t1) == 16, "list size");
	CHECK_MSG(value(local, l.task, "0", BPF_CORE_TYPE_ID_LOCAL, t1) == l.task, "local id");
	CHECK_MSG(value(local, l.task, "0", BPF_CORE_TYPE_ID_TARGET, t1) > 0, "target id");
	/* Enums. */
	CHECK_MSG(value(local, l.en, "1", BPF_CORE_ENUMVAL_VALUE, t1) == 1, "enum value");
	CHECK_MSG(value(local, l.en, "1", BPF_CORE_ENUMVAL_EXISTS, t2) == 1, "enum exists");
	/* Malformed access strings and kinds. */
	CHECK_MSG(value(local, l.task, "0:9", BPF_CORE_FIELD_BYTE_OFFSET, t1) == -EINVAL, "bad member");
	CHECK_MSG(value(local, l.task, "0:1:16", BPF_CORE_FIELD_BYTE_OFFSET, t1) == -EINVAL, "bad index");
	CHECK_MSG(value(local, l.task, "x", BPF_CORE_FIELD_BYTE_OFFSET, t1) == -EINVAL, "garbage");
	CHECK_MSG(value(local, l.task, "", BPF_CORE_FIELD_BYTE_OFFSET, t1) == -EINVAL, "empty");
	CHECK_MSG(value(local, l.task, "0:0", 99, t1) == -EINVAL, "kind");
	CHECK_MSG(value(local, 9999, "0:0", BPF_CORE_FIELD_BYTE_OFFSET, t1) == -EINVAL, "type id");
	btf__free(local);
	btf__free(t1);
	btf__free(t2);
	btf__free(t3);
}

static int prepare_mem(const void *data, size_t size, size_t *nprogs)
{
	struct hupload_opts opts = { .btf_path = "/nonexistent" };
	struct hupload_prog *progs = NULL;
	struct hupobj o;
	char err[640];
	int e = hupobj__open_mem(&o, "mem", data, size);

	*nprogs = 0;
	if (!e)
		e = hupload__prepare(&o, &opts, &progs, nprogs, err,
				     sizeof(err));
	if (!e)
		hupload__free(progs, *nprogs);
	hupobj__close(&o);
	return e;
}

static void test_object(const char *path)
{
	struct hupload_opts opts = { 0 };
	struct hupload_prog *progs;
	struct hup_ioc_window w;
	struct hupobj o;
	size_t n = 0, size, ok = 0;
	char err[640];
	uint8_t *data;
	FILE *f;
	int e;

	e = hupobj__open(&o, path);
	CHECK_MSG(!e, "open %s: %d", path, e);
	if (e)
		return;
	e = hupload__prepare(&o, &opts, &progs, &n, err, sizeof(err));
	CHECK_MSG(!e && n == 1, "prepare: %s", err);
	if (!e && n == 1) {
		CHECK_MSG(progs[0].lp.event == HUP_EVENT_TRACE, "event");
		CHECK_MSG(progs[0].nksyms >= 1 &&
		      !strcmp(progs[0].ksyms[0].name, HUP_TRACE_RING_KSYM),
		      "ksym hup_trace_ring");
		CHECK_MSG(progs[0].nwindows == 1 &&
		      progs[0].windows[0].kind == HUP_IOC_WIN_TRACE_RING &&
		      progs[0].windows[0].prot == (HUP_WIN_READ | HUP_WIN_WRITE),
		      "default window: the ring, rw");
		for (size_t i = 0; i < progs[0].nksyms; i++) {
			struct bpf_insn *in =
				&progs[0].lp.insns[progs[0].ksyms[i].insn_idx];

			CHECK_MSG(in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
			      !in->src_reg && !in->imm && !in[1].imm,
			      "ksym load %zu clean", i);
		}
		hupload__free(progs, n);
	}
	/* --window none: no window, not the defaults */
	opts.no_windows = true;
	e = hupload__prepare(&o, &opts, &progs, &n, err, sizeof(err));
	CHECK_MSG(!e && n == 1 && progs[0].nwindows == 0, "--window none: %s",
	      err);
	if (!e)
		hupload__free(progs, n);
	opts.no_windows = false;
	opts.only = "nope";
	e = hupload__prepare(&o, &opts, &progs, &n, err, sizeof(err));
	CHECK_MSG(e == -ENOENT && strstr(err, "nope"), "--prog nope: %s", err);
	data = malloc(o.size);
	size = o.size;
	memcpy(data, o.data, size);
	hupobj__close(&o);

	/* Every truncation. */
	for (size_t len = 0; len < size; len++) {
		if (!prepare_mem(data, len, &n))
			ok++;
	}
	CHECK_MSG(ok == 0 || ok < size, "truncations");
	/* Byte corruptions: deterministic pseudo-random positions/values. */
	{
		uint32_t x = 12345;

		for (int i = 0; i < 20000; i++) {
			uint8_t *copy = malloc(size);
			size_t pos;

			memcpy(copy, data, size);
			for (int k = 0; k < 1 + i % 4; k++) {
				x = x * 1103515245u + 12345u;
				pos = (x >> 8) % size;
				copy[pos] = (uint8_t)(x >> 3);
			}
			prepare_mem(copy, size, &n);
			free(copy);
		}
		check_count++;
	}
	/* Garbage and non-BPF ELF. */
	CHECK_MSG(prepare_mem("hello", 5, &n) == -EINVAL, "garbage");
	memset(data, 0, 64);
	CHECK_MSG(prepare_mem(data, size, &n) == -EINVAL, "zeroed header");
	free(data);
	f = fopen("/proc/self/exe", "rb");
	if (f) {
		static uint8_t buf[4096];
		size_t got = fread(buf, 1, sizeof(buf), f);

		fclose(f);
		CHECK_MSG(prepare_mem(buf, got, &n) == -EINVAL, "x86 ELF");
	}
	/* Windows. */
	CHECK_MSG(!hupload__parse_window("direct:rw", &w) && w.kind ==
	      HUP_IOC_WIN_DIRECT_MAP && w.prot == 3, "window direct:rw");
	CHECK_MSG(!hupload__parse_window("kernel", &w) && w.prot == 1, "kernel");
	CHECK_MSG(hupload__parse_window("heap", &w) == -EINVAL, "bad kind");
	CHECK_MSG(hupload__parse_window("direct:x", &w) == -EINVAL, "bad prot");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hupload_unit TRACING_O\n");
		return 2;
	}
	test_core();
	test_object(argv[1]);
	printf("hupload_unit: %d check_count, %d check_failures\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}
