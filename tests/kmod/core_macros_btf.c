// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SDK's CO-RE macros end to end: tests/kmod/core_macros.c (compiled by
 * hupcc) prepared by hupload against two kernels' BTF, verified and run on
 * libhup, its answers compared with what each BTF says.  The kernels are
 * this host's (/sys/kernel/btf/vmlinux, read with libbpf for the expected
 * answers) and a hand-made one that differs in every answer it can: pid is
 * a long, comm 24 bytes, PIDTYPE_SID is 7, and it has the type the host
 * lacks.  Both must agree with their BTF, and with each other on nothing
 * that differs, or CO-RE was not consulted.
 *
 *   core_macros_btf CORE_MACROS_O [HOST_BTF]     run the check_count
 *   core_macros_btf --write-btf PATH             write the hand-made BTF
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>
#include <linux/bpf.h>

#include "check.h"
#include "core_macros.h"
#include "hupload.h"
#include "hup_test_btf.h"
#include "hup_test_budget.h"

static const char *const q_names[CORE_Q_NR] = {
	"pid exists", "pid size", "comm size", "no such field",
	"task_struct exists", "task_struct size", "list_head size",
	"hup_cm_maybe exists", "hup_cm_maybe size", "PIDTYPE_SID exists",
	"PIDTYPE_SID", "no such enumerator",
};

/* struct task_struct { long pad; long pid; char comm[24]; };
 * struct list_head { struct list_head *next, *prev; };
 * struct hup_cm_maybe { long a, b, c, d; };
 * enum pid_type { PIDTYPE_PID = 0, PIDTYPE_SID = 7 }; */
static const uint64_t made_answers[CORE_Q_NR] = {
	1, 8, 24, 0, 1, 40, 16, 1, 32, 1, 7, 0,
};

static struct btf *made_btf(void)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int i64 = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	int chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	int arr = btf__add_array(b, i32, chr, 24);
	int lh = btf__add_struct(b, "list_head", 16);
	int lhp = btf__add_ptr(b, lh);

	btf__add_field(b, "next", lhp, 0, 0);
	btf__add_field(b, "prev", lhp, 64, 0);
	btf__add_struct(b, "task_struct", 40);
	btf__add_field(b, "pad", i64, 0, 0);
	btf__add_field(b, "pid", i64, 64, 0);
	btf__add_field(b, "comm", arr, 128, 0);
	btf__add_struct(b, "hup_cm_maybe", 32);
	btf__add_field(b, "a", i64, 0, 0);
	btf__add_field(b, "b", i64, 64, 0);
	btf__add_field(b, "c", i64, 128, 0);
	btf__add_field(b, "d", i64, 192, 0);
	btf__add_enum(b, "pid_type", 4);
	btf__add_enum_value(b, "PIDTYPE_PID", 0);
	btf__add_enum_value(b, "PIDTYPE_SID", 7);
	return b;
}

/* What the host's BTF says, by name, without hupload's code. */
static void host_answers(const struct btf *b, uint64_t *a)
{
	int64_t sid;

	memset(a, 0, CORE_Q_NR * sizeof(*a));
	a[CORE_Q_PID_SIZE] = hup_test_btf__member_size(b, "task_struct", "pid");
	a[CORE_Q_PID_EXISTS] = a[CORE_Q_PID_SIZE] != 0;
	a[CORE_Q_COMM_SIZE] = hup_test_btf__member_size(b, "task_struct", "comm");
	a[CORE_Q_TASK_SIZE] = hup_test_btf__struct_size(b, "task_struct");
	a[CORE_Q_TASK_EXISTS] = a[CORE_Q_TASK_SIZE] != 0;
	a[CORE_Q_LIST_SIZE] = hup_test_btf__struct_size(b, "list_head");
	a[CORE_Q_MAYBE_SIZE] = hup_test_btf__struct_size(b, "hup_cm_maybe");
	a[CORE_Q_MAYBE_EXISTS] = a[CORE_Q_MAYBE_SIZE] != 0;
	if (!hup_test_btf__enum_value(b, "pid_type", "PIDTYPE_SID", &sid)) {
		a[CORE_Q_SID_EXISTS] = 1;
		a[CORE_Q_SID] = (uint64_t)sid;
	}
}

struct out {
	uint8_t buf[256];
	size_t len;
};

static int on_output(void *opaque, const void *buf, uint32_t size)
{
	struct out *o = opaque;

	if (size > sizeof(o->buf) - o->len)
		return -ENOSPC;
	memcpy(o->buf + o->len, buf, size);
	o->len += size;
	return 0;
}

/* Prepare obj against btf, verify and run it: its answers into a. */
static int run_on(const char *obj, const char *name, const char *btf,
		  struct hup_view *view, uint64_t *a)
{
	static char vlog[65536];
	struct hupload_opts opts = { .btf_path = btf };
	struct hup_load_opts lo = {
		.sz = sizeof(lo), .view = view, .log_buf = vlog,
		.log_size = sizeof(vlog), .name = name,
		.budget_us = HUP_TEST_RUN_BUDGET_US,
	};
	struct hup_query_ctx ctx = { .arg = { 0xffff888000001000ull } };
	struct out o = { .len = 0 };
	struct hup_run_env env = {
		.sz = sizeof(env), .output = on_output, .opaque = &o,
	};
	struct hup_run_result res = { 0, 0 };
	struct hupload_prog *p = NULL;
	struct hup_prog *prog = NULL;
	struct hupobj ob;
	size_t n = 0;
	char err[640];
	int e = hupobj__open(&ob, obj);

	if (!e)
		e = hupload__prepare(&ob, &opts, &p, &n, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "cannot open %s", obj);
	CHECK_MSG(!e && n == 1, "%s: prepare: %s", name, err);
	if (!e && n == 1) {
		/* One each; the size of a type the kernel lacks is left
		 * unresolved (and not reached). */
		CHECK_MSG(p->core_applied + p->core_poisoned == CORE_Q_NR &&
		      p->core_poisoned <= 1, "%s: %u relocations applied, %u "
		      "unresolved, want %d", name, p->core_applied,
		      p->core_poisoned, CORE_Q_NR);
		e = hup_prog__load(p->lp.insns, p->lp.cnt, p->lp.event, &lo,
				   &prog);
		CHECK_MSG(!e, "%s: verifier refused it (%d): %s", name, e, vlog);
		if (!e)
			e = hup_prog__run(prog, &ctx, sizeof(ctx), &env, &res);
		CHECK_MSG(!e && res.r0 == 0 && o.len == CORE_Q_NR * 8,
		      "%s: run %d, r0 %llu, %zu bytes", name, e,
		      (unsigned long long)res.r0, o.len);
		if (o.len == CORE_Q_NR * 8)
			memcpy(a, o.buf, o.len);
		else
			e = e ? e : -EIO;
	}
	hup_prog__free(prog);
	if (p)
		hupload__free(p, n);
	hupobj__close(&ob);
	return e;
}

static void compare(const char *name, const uint64_t *got,
		    const uint64_t *want)
{
	for (int i = 0; i < CORE_Q_NR; i++)
		CHECK_MSG(got[i] == want[i], "%s: %s = %llu, its BTF says %llu",
		      name, q_names[i], (unsigned long long)got[i],
		      (unsigned long long)want[i]);
	printf("%s:", name);
	for (int i = 0; i < CORE_Q_NR; i++)
		printf(" %s=%llu%s", q_names[i], (unsigned long long)got[i],
		       i + 1 < CORE_Q_NR ? "," : "\n");
}

int main(int argc, char **argv)
{
	const char *host = argc > 2 ? argv[2] : "/sys/kernel/btf/vmlinux";
	uint64_t got_made[CORE_Q_NR], got_host[CORE_Q_NR], want[CORE_Q_NR];
	char made_path[] = "/tmp/hup-core-macros-XXXXXX";
	struct hup_view *view = NULL;
	struct btf *made = made_btf(), *hb;
	int fd, e;

	if (argc == 3 && !strcmp(argv[1], "--write-btf")) {
		e = hup_test_write_btf(made, argv[2]);
		btf__free(made);
		if (e)
			fprintf(stderr, "core_macros_btf: %s: %s\n", argv[2],
				strerror(-e));
		return e ? 1 : 0;
	}
	if (argc < 2 || argc > 3 || hup_view__create(44, &view)) {
		fprintf(stderr, "usage: core_macros_btf CORE_MACROS_O "
			"[HOST_BTF] | --write-btf PATH\n");
		return 2;
	}
	fd = mkstemp(made_path);
	e = fd < 0 ? -errno : hup_test_write_btf(made, made_path);
	if (fd >= 0)
		close(fd);
	CHECK_MSG(!e, "cannot write the hand-made BTF: %d", e);
	if (!e && !run_on(argv[1], "hand-made", made_path, view, got_made))
		compare("hand-made", got_made, made_answers);
	unlink(made_path);

	hb = btf__parse(host, NULL);
	if (!hb) {
		/* A host without BTF: the hand-made kernel alone. */
		printf("%s: no BTF here (%s): host kernel skipped\n", host,
		       strerror(errno));
	} else if (!run_on(argv[1], "host", host, view, got_host)) {
		host_answers(hb, want);
		compare("host", got_host, want);
		CHECK_MSG(memcmp(got_host, got_made, sizeof(got_host)),
		      "the two kernels gave the same answers");
	}
	btf__free(hb);
	btf__free(made);
	hup_view__free(view);
	printf("%d check_count, %d failed\n", check_count, check_failures);
	return check_failures || !check_count ? 1 : 0;
}
