// At -O0 pointers live in stack slots and provenance is lost: refused.
// RUN: not %clang_bpf -O0 -c %s -o %t.o 2>&1 | FileCheck %s
// CHECK: error: hyperupcall: programs must be compiled with -O1 or higher

#include <hyperupcall.h>

HUP_TRACE()
int prog(struct hup_trace_ctx *ctx)
{
	return ctx->vcpu;
}
