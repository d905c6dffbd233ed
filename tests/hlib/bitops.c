// Bit operations on a guest bitmap (atomic set/clear become atomic ops on
// the translated pointer) and the bit-search builtins.
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/bitops.h>

// CHECK-LABEL: <bits>:
// CHECK:         lock *(u64 *)(r{{[0-9]}} + 0x8) |=
// CHECK:         lock *(u64 *)(r{{[0-9]}} + 0x0) &=
HUP_QUERY()
long bits(struct hup_query_ctx *ctx)
{
	unsigned long *map = HUP_GPTR(unsigned long, ctx->arg[0]);

	set_bit(65, map);
	clear_bit(3, map);
	return test_bit(ctx->arg[1] & 127, map) + hweight64(ctx->arg[2]) +
	       fls64(ctx->arg[3]);
}
