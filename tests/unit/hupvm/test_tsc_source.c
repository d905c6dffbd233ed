// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which guest-TSC method hupvm may use (x86/hup.h): rdtsc plus a cached
 * offset only where the host kernel keeps the TSC as its clocksource; on
 * any other answer, or none, the exact KVM_GET_MSRS.  Fake sysfs files.
 * And what hupvm reports of one vCPU's readings never goes back, short of
 * a guest rewinding its TSC (x86_hup__tsc_forward).
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

static void test_forward(void)
{
	struct x86_hup_tsc_fwd f = {0};

	CHECK_EQ(x86_hup__tsc_forward(&f, 1000000), 1000000);
	CHECK_EQ(x86_hup__tsc_forward(&f, 1000500), 1000500);
	/* 74 us below the last, as KVM once answered: held */
	CHECK_EQ(x86_hup__tsc_forward(&f, 1000300), 1000500);
	CHECK_EQ(f.back, 1);
	CHECK_EQ(f.back_max, 200);
	CHECK_EQ(x86_hup__tsc_forward(&f, 1000100), 1000500);
	CHECK_EQ(f.back, 2);
	CHECK_EQ(f.back_max, 400);
	CHECK_EQ(x86_hup__tsc_forward(&f, 1000501), 1000501);
	/* 0: the reading failed, passed on, nothing counted */
	CHECK_EQ(x86_hup__tsc_forward(&f, 0), 0);
	CHECK_EQ(f.back, 2);
	/* the guest rewrote its TSC: taken as it is, from then on */
	f.last = X86_HUP_TSC_REWIND + 5;
	CHECK_EQ(x86_hup__tsc_forward(&f, 5), 5);
	CHECK_EQ(x86_hup__tsc_forward(&f, 6), 6);
	CHECK_EQ(f.back, 2);
}

int main(void)
{
	test_forward();
	CHECK(stable_with("tsc\n"));
	CHECK(!stable_with("hpet\n"));     /* an L1 under TCG */
	CHECK(!stable_with("kvm-clock\n"));
	CHECK(!stable_with("tsc-early\n"));
	CHECK(!stable_with("tsc"));         /* not what sysfs writes */
	CHECK(!stable_with(""));
	CHECK(!x86_hup__host_tsc_stable("/nonexistent/current_clocksource"));
	return check_summary("tsc_source");
}
