// SPDX-License-Identifier: BSD-2-Clause
/*
 * vcpu__parse_stat: the state and CPU of a thread from its /proc stat line,
 * whatever its name holds (hupvm names vCPU threads "vcpu N").
 */
#include <errno.h>

#include "check.h"
#include "vcpu.h"

int main(void)
{
	/* a real line of a running vCPU thread, processor 1 */
	static const char line[] =
	    "1234 (vcpu 0) R 1200 1200 1100 0 -1 4194624 100 0 0 0 50 60 0 0 "
	    "20 0 5 0 300 1000000 500 18446744073709551615 1 1 0 0 0 0 0 "
	    "4096 0 0 0 0 -1 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
	/* fields 4-38 are 0, the processor (39) is 3 */
	static const char odd[] =
	    "1 (a) b) (c) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0\n";
	char st;
	int cpu;

	CHECK_EQ(vcpu__parse_stat(line, &st, &cpu), 0);
	CHECK_EQ(st, 'R');
	CHECK_EQ(cpu, 1);
	CHECK_EQ(vcpu__parse_stat(odd, &st, &cpu), 0);
	CHECK_EQ(st, 'S');
	CHECK_EQ(cpu, 3);
	CHECK_EQ(vcpu__parse_stat("1 (x) D 1 1", &st, &cpu), 0);
	CHECK_EQ(st, 'D');
	CHECK_EQ(cpu, -1); /* too short */
	CHECK_EQ(vcpu__parse_stat("garbage", &st, &cpu), -EINVAL);
	CHECK_EQ(st, '?');
	CHECK_EQ(vcpu__parse_stat("1 (x)", &st, &cpu), -EINVAL);
	return check_summary("vcpu_stat");
}
