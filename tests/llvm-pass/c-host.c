// __host pointers: a host struct handed to a HUP_FN_loop callback through
// a __host field stays untranslated and compiles without arena casts.
// RUN: %clang_bpf -c %s -o %t.o
// RUN: llvm-objdump -d %t.o | FileCheck %s

#include <hyperupcall.h>

struct state {
	struct hup_trace_ctx __host *ctx; // a host pointer stored in memory
	__u64 sum;
};

static long step(__u32 i, void *data)
{
	struct state *st = data; // the loop's data: the caller's stack
	st->sum += st->ctx->arg[i & 3];
	return 0;
}

// CHECK-NOT: addr_space_cast
// CHECK-NOT: ld_pseudo
HUP_TRACE()
long prog(struct hup_trace_ctx *ctx)
{
	struct state st = { .ctx = (struct hup_trace_ctx __host *)ctx };

	hup_loop(4, step, &st, 0);
	return st.sum;
}
