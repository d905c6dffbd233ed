/*
 * ABI header in the BPF setting: a program that touches every context type
 * must compile with clang -target bpf (the header's static asserts run).
 */
#include <hyperupcall/abi.h>

__attribute__((section("hyperupcall/trace"), used)) long
abi_trace(struct hup_trace_ctx *ctx)
{
	return (long)(ctx->arg[3] + ctx->vcpu + HUP_PSEUDO_VIEW_BASE);
}

__attribute__((section("hyperupcall/reclaim"), used)) long
abi_reclaim(struct hup_reclaim_ctx *ctx)
{
	ctx->free[0] = ctx->pfn_start;
	return 0;
}
