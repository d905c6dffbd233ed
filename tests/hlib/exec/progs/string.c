/* SPDX-License-Identifier: BSD-2-Clause */
/* hlib/string.h: bounded strncpy/strncmp/memcpy/memset between guest
 * memory and the stack (and guest to guest), and the guest_read/write
 * helpers for big copies. */
#include "common.h"

/* strncpy of the guest string at arg0 into a 16-byte stack buffer (output);
 * returns the length. */
HUP_QUERY()
long cpy16(struct hup_query_ctx *c)
{
	char buf[16];
	long n = hlib_strncpy(buf, G(const char, c->arg[0]), 16);

	hup_output(buf, sizeof(buf));
	return n;
}

/* The same with n = 4 (truncation) and n = 1 (only the terminator). */
HUP_QUERY()
long cpy4(struct hup_query_ctx *c)
{
	char buf[8];
	long n = hlib_strncpy(buf, G(const char, c->arg[0]), 4);

	n = n * 10 + hlib_strncpy(buf + 4, G(const char, c->arg[0]), 1);
	hup_output(buf, 5);
	return n;
}

/* The largest n into a stack buffer, output sized by the length (the
 * verifier knows it is at most 255). */
HUP_QUERY()
long cpy256(struct hup_query_ctx *c)
{
	char buf[HLIB_MAX_STR];
	long n = hlib_strncpy(buf, G(const char, c->arg[0]), HLIB_MAX_STR);

	hup_output(buf, n);
	return n;
}

/* Guest to guest: strncpy(arg1, arg0, 16). */
HUP_QUERY()
long cpy_g2g(struct hup_query_ctx *c)
{
	return hlib_strncpy(G(char, c->arg[1]), G(const char, c->arg[0]), 16);
}

/* strncmp of two guest strings over 8 and over 16 characters, and of a
 * guest string with a stack string (n = 0 gives 0). */
HUP_QUERY()
long cmp(struct hup_query_ctx *c)
{
	char key[16];
	long out[4];

	hlib_memset(key, 0, sizeof(key));
	key[0] = 's', key[1] = 'y', key[2] = 's', key[3] = 't';
	key[4] = 'e', key[5] = 'm', key[6] = 'd';
	out[0] = hlib_strncmp(G(const char, c->arg[0]),
			      G(const char, c->arg[1]), 8);
	out[1] = hlib_strncmp(G(const char, c->arg[0]),
			      G(const char, c->arg[1]), 16);
	out[2] = hlib_strncmp(G(const char, c->arg[0]), key, 16);
	out[3] = hlib_strncmp(G(const char, c->arg[0]),
			      G(const char, c->arg[1]), 0);
	hup_output(out, sizeof(out));
	return 0;
}

/* memcpy guest (arg0) -> stack (64 bytes), and memset of the stack: both
 * output.  (A guest -> stack -> guest round trip of 64 bytes in one program
 * exceeds the BPF stack: see mem_out.) */
HUP_QUERY()
long mem_in(struct hup_query_ctx *c)
{
	char b[64], z[8];

	hlib_memcpy(b, G(char, c->arg[0]), 64);
	hlib_memset(z, 0x11, sizeof(z));
	hup_output(b, sizeof(b));
	hup_output(z, sizeof(z));
	return 0;
}

/* memcpy stack -> guest (arg0, 32 bytes of 0..31). */
HUP_QUERY()
long mem_out(struct hup_query_ctx *c)
{
	char b[32];

#pragma unroll
	for (int i = 0; i < 32; i++)
		b[i] = (char)i;
	hlib_memcpy(G(char, c->arg[0]), b, 32);
	return 0;
}

/* memcpy guest -> guest (arg0 -> arg1, 24 bytes); memset guest (arg2, 40
 * bytes of 0x5a). */
HUP_QUERY()
long mem_g2g(struct hup_query_ctx *c)
{
	hlib_memcpy(G(char, c->arg[1]), G(char, c->arg[0]), 24);
	hlib_memset(G(char, c->arg[2]), 0x5a, 40);
	return 0;
}

/* Helpers: 256 bytes guest (arg0) -> stack -> guest (arg1), output.
 * Returns the read's error, or the write's error - 1000. */
HUP_QUERY()
long grw(struct hup_query_ctx *c)
{
	char b[256];
	long r = hlib_guest_read(b, G(char, c->arg[0]), 256);

	if (r < 0)
		return r;
	r = hlib_guest_write(G(char, c->arg[1]), b, 256);
	if (r < 0)
		return r - 1000;
	hup_output(b, sizeof(b));
	return 0;
}
