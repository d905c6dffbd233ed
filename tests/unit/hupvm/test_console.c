// SPDX-License-Identifier: BSD-2-Clause
/*
 * Panic detection on the console: the banner is found when it arrives in
 * pieces, after near misses, and not in look-alike text.
 */
#include <string.h>

#include "check.h"
#include "console.h"

static int count(const char *text)
{
	size_t m = 0;
	int hits = 0;

	for (const char *p = text; *p; p++)
		hits += console__scan(&m, (uint8_t)*p);
	return hits;
}

int main(void)
{
	CHECK_EQ(count("[    1.0] Kernel panic - not syncing: sysrq triggered "
		       "crash\n"),
		 1);
	CHECK_EQ(count("KKernel panic - not syncing"), 1);
	CHECK_EQ(count("Kernel pan Kernel panic - not syncing"), 1);
	CHECK_EQ(count("Kernel panic - not syncin"), 0);
	CHECK_EQ(count("kernel panic - not syncing"), 0);
	CHECK_EQ(count("Kernel panic - not syncing Kernel panic - not syncing"),
		 2);
	{
		/* Split across calls: state lives in the caller's counter. */
		size_t m = 0;
		int hits = 0;
		const char *a = "xx Kernel pa", *b = "nic - not syncing: x";

		for (const char *p = a; *p; p++)
			hits += console__scan(&m, (uint8_t)*p);
		for (const char *p = b; *p; p++)
			hits += console__scan(&m, (uint8_t)*p);
		CHECK_EQ(hits, 1);
	}
	return check_summary("console");
}
