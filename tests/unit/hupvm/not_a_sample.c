// SPDX-License-Identifier: BSD-2-Clause
/*
 * A query program no native port restates (replay_native_samples_fake:
 * hupreplay --native refuses it).  Compiled, never run natively.
 */
#include <hyperupcall.h>

HUP_QUERY("not_a_sample")
long not_a_sample(struct hup_query_ctx *ctx)
{
	return (long)ctx->arg[0] + 1;
}

HUP_LICENSE("GPL");
