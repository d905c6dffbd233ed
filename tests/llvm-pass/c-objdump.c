// C through clang -fpass-plugin: the disassembly shows the ABI's form
// (ld_pseudo 13 and 12 once, then `&= mask; += base` before each guest
// access), field offsets and CO-RE relocations kept in the access, and the
// context and stack untouched.
// RUN: %clang_bpf -c %s -o %t.o
// RUN: llvm-objdump -dr --no-show-raw-insn %t.o | FileCheck %s
// RUN: llvm-objdump -d %t.o | FileCheck %s --check-prefix=NOCAST

#include <hyperupcall.h>

struct task_struct {
	int pid;
	struct task_struct *parent;
} __hup_core;

extern struct task_struct init_task __ksym;

// NOCAST-NOT: addr_space_cast

// CHECK-LABEL: <parent_pid>:
// CHECK-NEXT:    ld_pseudo [[M:r[0-9]]], 0xd, 0x0
// CHECK-NEXT:    [[P:r[0-9]]] = 0x0 ll
// CHECK-NEXT:    R_BPF_64_64 init_task
// CHECK-NEXT:    [[P]] &= [[M]]
// CHECK-NEXT:    ld_pseudo [[B:r[0-9]]], 0xc, 0x0
// CHECK-NEXT:    [[P]] += [[B]]
// CHECK-NEXT:    [[P]] = *(u64 *)([[P]] + 0x8)
// CHECK-NEXT:    CO-RE <byte_off> {{.*}} struct task_struct::parent
// CHECK-NEXT:    [[P]] &= [[M]]
// CHECK-NEXT:    [[P]] += [[B]]
// CHECK-NEXT:    r0 = *(u32 *)([[P]] + 0x0)
// CHECK-NEXT:    CO-RE <byte_off> {{.*}} struct task_struct::pid
// CHECK-NEXT:    exit
HUP_TRACE()
int parent_pid(struct hup_trace_ctx *ctx)
{
	return init_task.parent->pid;
}

struct node {
	struct node *next;
	long val;
};

// The context stays a plain load; the guest pointer built from it is
// masked once and its two fields read at offsets 0 and 8.
// CHECK-LABEL: <ctx_and_guest>:
// CHECK:         [[G:r[0-9]]] = *(u64 *)(r1 + 0x20)
// CHECK:         [[G]] &= r{{[0-9]}}
// CHECK-NEXT:    [[G]] += r{{[0-9]}}
// CHECK-DAG:     = *(u64 *)([[G]] + 0x8)
// CHECK-DAG:     = *(u64 *)([[G]] + 0x0)
HUP_TRACE("x")
long ctx_and_guest(struct hup_trace_ctx *ctx)
{
	struct node *n = HUP_GPTR(struct node, ctx->arg[0]);
	return n->val + (long)n->next;
}
