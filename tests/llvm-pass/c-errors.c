// What the pass cannot translate is a clang error at the source line.
// RUN: not %clang_bpf -c %s -o %t.o 2>&1 | FileCheck %s

#include <hyperupcall.h>

struct node {
	struct node *next;
	void (*fn)(void);
};

extern void consume(struct node *n);

HUP_TRACE()
int prog(struct hup_trace_ctx *ctx)
{
	struct node *n = HUP_GPTR(struct node, ctx->arg[0]);
	long x = 0;

	// CHECK: c-errors.c:[[@LINE+1]]:2: error: hyperupcall: a guest pointer is passed to external function 'consume'
	consume(n);
	// CHECK: c-errors.c:[[@LINE+1]]:2: error: hyperupcall: call through a guest function pointer
	n->fn();
	// CHECK: c-errors.c:[[@LINE+1]]:2: error: hyperupcall: a guest pointer is passed to helper 1
	hup_guest_read(n, 8, 0);
	// CHECK: c-errors.c:[[@LINE+1]]:10: error: hyperupcall: storing a host pointer
	n->next = (struct node *)&x;
	return 0;
}
// CHECK: 4 errors generated.
