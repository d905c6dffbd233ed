// SPDX-License-Identifier: BSD-2-Clause
/*
 * samples/free_discard.c as each Debian guest kernel's hupload prepares it,
 * checked natively: relocated against the kernel's BTF (hupload's own CO-RE
 * code), its __ksym loads filled with non-zero addresses as the guest
 * module would (weak ones also with 0, as on a kernel that lacks them), and
 * verified by libhup's verifier as hupvm does at registration.  The CO-RE
 * answers must differ the way the kernels do (6.1 has no enum pagetype,
 * 6.12 has PGTY_buddy; only RT has spinlock_t.lock), the unresolved
 * accesses must stay unreached (the verifier would refuse otherwise), and
 * the weak symbols must carry HUP_KSYM_WEAK.  A program that does reach an
 * unresolved access is refused with the CO-RE message.
 *
 *   free_discard_btf FREE_DISCARD_O NAME=BTF...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>
#include <linux/bpf.h>

#include "check.h"
#include "hupload.h"

static const char *const weak_syms[] = {
	"_page_poisoning_enabled_early", "_page_poisoning_enabled",
	"node_data", "contig_page_data",
};

static char vlog[65536];

static int is_weak_name(const char *name)
{
	for (size_t i = 0; i < sizeof(weak_syms) / sizeof(weak_syms[0]); i++)
		if (!strcmp(name, weak_syms[i]))
			return 1;
	return 0;
}

/* Fill the ksym loads (absent_weak: weak ones get 0) and verify. */
static int verify(const struct hupload_prog *p, struct hup_view *view,
		  int absent_weak)
{
	size_t bytes = p->lp.cnt * sizeof(struct bpf_insn);
	struct bpf_insn *in = malloc(bytes);
	struct hup_load_opts o = {
		.sz = sizeof(o), .view = view, .log_buf = vlog,
		.log_size = sizeof(vlog), .name = p->name,
	};
	struct hup_prog *prog = NULL;
	int err;

	if (!in)
		return -ENOMEM;
	memcpy(in, p->lp.insns, bytes);
	for (size_t k = 0; k < p->nksyms; k++) {
		uint64_t a = 0xffffffff82000000ull + k * 0x1000;

		if (absent_weak && p->ksyms[k].flags & HUP_KSYM_WEAK)
			a = 0;
		in[p->ksyms[k].insn_idx].imm = (int32_t)(uint32_t)a;
		in[p->ksyms[k].insn_idx + 1].imm = (int32_t)(a >> 32);
	}
	vlog[0] = 0;
	err = hup_prog__load(in, p->lp.cnt, p->lp.event, &o, &prog);
	hup_prog__free(prog);
	free(in);
	return err;
}

struct answer {
	unsigned int applied, missing, poisoned;
};

static int one_kernel(const char *obj, const char *name, const char *btf,
		      struct hup_view *view, struct answer *a)
{
	struct hupload_opts opts = { .btf_path = btf };
	struct hupload_prog *p = NULL;
	struct hupobj o;
	size_t n = 0, weak = 0;
	char err[640];
	int e = hupobj__open(&o, obj);

	CHECK_MSG(!e, "%s: open %s: %d", name, obj, e);
	if (e)
		return -1;
	e = hupload__prepare(&o, &opts, &p, &n, err, sizeof(err));
	CHECK_MSG(!e && n == 1, "%s: prepare: %s", name, err);
	if (e || n != 1) {
		hupobj__close(&o);
		return -1;
	}
	CHECK_MSG(p->lp.event == HUP_EVENT_RECLAIM, "%s: event", name);
	a->applied = p->core_applied;
	a->missing = p->core_missing;
	a->poisoned = p->core_poisoned;
	CHECK_MSG(a->applied > 0, "%s: no CO-RE relocation applied", name);
	CHECK_MSG(a->poisoned > 0, "%s: no access left unresolved (each kernel "
	      "lacks one spinlock_t layout)", name);
	for (size_t k = 0; k < p->nksyms; k++) {
		int want = is_weak_name(p->ksyms[k].name);

		weak += want;
		CHECK_MSG(!!(p->ksyms[k].flags & HUP_KSYM_WEAK) == want,
		      "%s: ksym %s flags %#x", name, p->ksyms[k].name,
		      p->ksyms[k].flags);
	}
	CHECK_MSG(weak >= 3, "%s: %zu weak ksyms", name, weak);
	e = verify(p, view, 0);
	CHECK_MSG(!e, "%s: verifier refused it (%d): %s", name, e, vlog);
	e = verify(p, view, 1);
	CHECK_MSG(!e, "%s: verifier refused it without the weak symbols (%d): %s",
	      name, e, vlog);
	printf("%s: %zu insns, %zu ksyms (%zu weak), CO-RE %u applied, %u "
	       "missing, %u unresolved: verified\n", name, p->lp.cnt,
	       p->nksyms, weak, a->applied, a->missing, a->poisoned);
	hupload__free(p, n);
	hupobj__close(&o);
	return 0;
}

/* r0 = 0; the poison call hupload leaves; exit: refused, with the reason. */
static void reached_poison(struct hup_view *view)
{
	struct bpf_insn in[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = HUP_CORE_POISON_CALL },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct hup_load_opts o = {
		.sz = sizeof(o), .view = view, .log_buf = vlog,
		.log_size = sizeof(vlog),
	};
	struct hup_prog *prog = NULL;
	int e = hup_prog__load(in, 3, HUP_EVENT_RECLAIM, &o, &prog);

	CHECK_MSG(e == -EINVAL && strstr(vlog, "CO-RE relocation could not "
				     "resolve"),
	      "reached poison: %d %s", e, vlog);
	hup_prog__free(prog);
}

int main(int argc, char **argv)
{
	struct answer a[8];
	struct hup_view *view = NULL;
	int n = argc - 2;

	if (argc < 3 || n > 8) {
		fprintf(stderr, "usage: free_discard_btf OBJ NAME=BTF...\n");
		return 2;
	}
	if (hup_view__create(44, &view)) {
		fprintf(stderr, "free_discard_btf: no view\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		char *eq = strchr(argv[i + 2], '=');

		CHECK_MSG(eq, "argument %s is not NAME=BTF", argv[i + 2]);
		if (!eq)
			continue;
		*eq = 0;
		memset(&a[i], 0, sizeof(a[i]));
		one_kernel(argv[1], argv[i + 2], eq + 1, view, &a[i]);
	}
	/* The kernels answer differently: a relocation set that came out the
	 * same for all would mean CO-RE was not consulted. */
	for (int i = 1; i < n; i++)
		if (a[i].missing != a[0].missing ||
		    a[i].poisoned != a[0].poisoned)
			goto differ;
	CHECK_MSG(n < 2, "all %d kernels gave the same CO-RE answers", n);
differ:
	reached_poison(view);
	hup_view__free(view);
	printf("%d check_count, %d failed\n", check_count, check_failures);
	return check_failures || !check_count ? 1 : 0;
}
