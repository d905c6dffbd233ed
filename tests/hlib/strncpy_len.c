// hlib_strncpy's length sizes a hup_output(): the verifier knows it is at
// most n - 1 (it saw an unbounded 32-bit sum of per-byte flags before),
// and the largest n compiles within the 512-byte stack (clang spilled the
// flags past it from n = 62).
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// V-DAG: name16: verified:
// V-DAG: name256: verified:

#include <hlib/string.h>

// The output is sized by the length, not by the buffer.
// CHECK-LABEL: <name16>:
// CHECK:         call 0x9
HUP_QUERY()
long name16(struct hup_query_ctx *ctx)
{
	char buf[16];
	long len = hlib_strncpy(buf, HUP_GPTR(const char, ctx->arg[0]), 16);

	hup_output(buf, len);
	return len;
}

// CHECK-LABEL: <name256>:
// CHECK:         call 0x9
HUP_QUERY()
long name256(struct hup_query_ctx *ctx)
{
	char buf[HLIB_MAX_STR];
	long len = hlib_strncpy(buf, HUP_GPTR(const char, ctx->arg[0]),
				HLIB_MAX_STR);

	hup_output(buf, len);
	return len;
}
