// SPDX-License-Identifier: BSD-2-Clause
/*
 * fgraph__parse_line() on the line shapes function_graph prints (overhead
 * marks + ! # * @ $, a leaf call, a closing brace with funcgraph-tail) and
 * on lines it must not take: another function, a context switch, a header.
 */
#include "fgraph.h"

#include <stdio.h>

static int fails;

static void check(const char *line, long long want)
{
	uint32_t cpu = 99;
	long long got = fgraph__parse_line(line, "native_flush_tlb_multi", &cpu);
	unsigned int want_cpu = 99;

	if (want >= 0)
		sscanf(line, " %u", &want_cpu);
	if (got != want || cpu != want_cpu) {
		printf("FAIL: %s -> %lld, want %lld\n", line, got, want);
		fails++;
	}
}

int main(void)
{
	check(" 0)   5.869 us    |  native_flush_tlb_multi();", 5869);
	check(" 1) + 14.213 us   |  native_flush_tlb_multi();", 14213);
	check(" 0) ! 152.312 us  |  native_flush_tlb_multi();", 152312);
	check(" 3) # 1083.012 us |  native_flush_tlb_multi();", 1083012);
	check(" 0) * 18022.34 us |  native_flush_tlb_multi();", 18022340);
	check(" 0) @ 123456.7 us |  native_flush_tlb_multi();", 123456700);
	check(" 0) $ 1234567 us  |  native_flush_tlb_multi();", 1234567000);
	check(" 2) ! 201.554 us  |  } /* native_flush_tlb_multi */", 201554);
	check(" 0)               |  native_flush_tlb_multi() {", -1);
	check(" 0)   0.846 us    |  flush_tlb_func();", -1);
	check(" 0)   0.846 us    |  xnative_flush_tlb_multi();", -1);
	check(" ------------------------------------------", -1);
	check(" 0)  hup-rem-80   =>  kworker-12  ", -1);
	check("# CPU  DURATION                  FUNCTION CALLS", -1);
	check(" 0)   us |  native_flush_tlb_multi();", -1);
	check("   5.869 us    |  native_flush_tlb_multi();", -1); /* no CPU */
	check(" 12)   5.869 us    |  native_flush_tlb_multi();", 5869);
	if (fails)
		return 1;
	printf("fgraph lines: 17 cases, 0 failures\n");
	return 0;
}
