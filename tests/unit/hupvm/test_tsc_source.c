// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which guest-TSC method hupvm may use (x86/hup.h): rdtsc plus a cached
 * offset only where the host kernel keeps the TSC as its clocksource; on
 * any other answer, or none, the exact KVM_GET_MSRS.  Fake sysfs files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "x86/hup.h"

static bool stable_with(const char *text)
{
	char path[] = "/tmp/hupvm-clocksource-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	bool r;

	if (!f) {
		CHECK_MSG(0, "cannot make a temporary file");
		return false;
	}
	fputs(text, f);
	fclose(f);
	r = x86_hup__host_tsc_stable(path);
	unlink(path);
	return r;
}

int main(void)
{
	CHECK(stable_with("tsc\n"));
	CHECK(!stable_with("hpet\n"));     /* an L1 under TCG */
	CHECK(!stable_with("kvm-clock\n"));
	CHECK(!stable_with("tsc-early\n"));
	CHECK(!stable_with("tsc"));         /* not what sysfs writes */
	CHECK(!stable_with(""));
	CHECK(!x86_hup__host_tsc_stable("/nonexistent/current_clocksource"));
	return check_summary("tsc_source");
}
