// Bounded string functions between guest memory and the stack, unrolled.
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/string.h>

// CHECK-LABEL: <names>:
// CHECK:         call 0x9
HUP_QUERY()
long names(struct hup_query_ctx *ctx)
{
	const char *gname = HUP_GPTR(const char, ctx->arg[0]);
	char buf[16];
	int len = hlib_strncpy(buf, gname, 16);
	char big[64];

	if (hlib_strncmp(gname, HUP_GPTR(const char, ctx->arg[1]), 8) == 0)
		len++;
	hlib_memcpy(big, HUP_GPTR(char, ctx->arg[2]), 32);
	if (hlib_guest_read(big + 32, HUP_GPTR(char, ctx->arg[3]), 32) < 0)
		return -1;
	hup_output(big, sizeof(big));
	hup_output(buf, sizeof(buf));
	return len;
}
