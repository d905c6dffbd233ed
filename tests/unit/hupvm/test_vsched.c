// SPDX-License-Identifier: BSD-2-Clause
/*
 * The overcommit scheduler's choice of vCPUs per slice (vsched__pick):
 * exactly pcpus run in every slice, every vCPU gets the same number of
 * slices over a full cycle, and no overcommit means all of them.
 */
#include <stdint.h>

#include "check.h"
#include "vsched.h"

static unsigned int popcount(uint64_t v)
{
	return (unsigned int)__builtin_popcountll(v);
}

int main(void)
{
	CHECK_EQ(vsched__pick(4, 2, 0), 0x3);
	CHECK_EQ(vsched__pick(4, 2, 1), 0xc);
	CHECK_EQ(vsched__pick(4, 2, 2), 0x3);
	CHECK_EQ(vsched__pick(3, 2, 0), 0x3); /* {0,1} */
	CHECK_EQ(vsched__pick(3, 2, 1), 0x5); /* {2,0} */
	CHECK_EQ(vsched__pick(3, 2, 2), 0x6); /* {1,2} */
	CHECK_EQ(vsched__pick(4, 4, 7), 0xf);
	CHECK_EQ(vsched__pick(4, 9, 7), 0xf);
	CHECK_EQ(vsched__pick(64, 64, 1), ~0ull);
	CHECK_EQ(vsched__pick(0, 1, 0), 0);
	for (uint32_t v = 1; v <= 64; v++)
		for (uint32_t p = 1; p <= v; p++) {
			unsigned int share[64] = {0};
			uint64_t k, cycle = v; /* v slices: v * p runs */

			for (k = 0; k < cycle; k++) {
				uint64_t set = vsched__pick(v, p, k + 1000 * v);

				CHECK_EQ(popcount(set), p);
				CHECK_EQ(set >> (v - 1) >> 1, 0); /* in range */
				for (uint32_t i = 0; i < v; i++)
					share[i] += (set >> i) & 1;
			}
			for (uint32_t i = 0; i < v; i++)
				CHECK_EQ(share[i], p);
		}
	return check_summary("vsched");
}
