// spin_trylock/spin_unlock on a guest qspinlock: the cmpxchg and the
// unlocking byte store go through the translated pointer.
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/spinlock.h>

struct counter {
	__u32 lock; /* a qspinlock */
	__u32 pad;
	__u64 value;
};

extern struct counter hup_test_counter __ksym;

// The atomic's address also has its low bits cleared (the verifier wants
// the alignment of atomics proven).
// CHECK-LABEL: <bump>:
// CHECK:         ld_pseudo [[M:r[0-9]]], 0xd, 0x0
// CHECK:         R_BPF_64_64 hup_test_counter
// CHECK:         [[P:r[0-9]]] &= [[M]]
// CHECK:         [[P]] &= -0x4
// CHECK-NEXT:    [[P]] += [[B:r[0-9]]]
// CHECK:         = cmpxchg32_32([[P]] + 0x0,
// CHECK:         R_BPF_64_64 hup_test_counter
// CHECK:         [[Q:r[0-9]]] &= [[M]]
// CHECK-NEXT:    [[Q]] += [[B]]
// CHECK:         *(u64 *)([[Q]] + 0x8) =
// CHECK:         *(u8 *)([[Q]] + 0x0) =
HUP_TRACE()
int bump(struct hup_trace_ctx *ctx)
{
	struct counter *c = &hup_test_counter;

	if (!spin_trylock(&c->lock))
		return 1;
	c->value += ctx->vcpu;
	spin_unlock(&c->lock);
	return 0;
}
