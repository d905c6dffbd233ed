// SPDX-License-Identifier: BSD-2-Clause
/*
 * vcpu__join's timeout (vcpu.h), with a fake vCPU thread (a plain thread,
 * no KVM) that stays away longer than the timeout, the way a thread KVM
 * never lets out of KVM_RUN does: the join gives up with -ETIMEDOUT in
 * about the timeout, leaves the vCPU started, and a later join that waits
 * long enough collects the thread.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vcpu.h"

static void *away(void *arg)
{
	(void)arg;
	sleep(3);
	return NULL;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	struct vcpu v = {.fd = -1};
	double t0;

	/* never started: nothing to wait for */
	CHECK_EQ(vcpu__join(&v, 1), 0);

	CHECK_EQ(pthread_create(&v.thread, NULL, away, NULL), 0);
	v.started = true;
	t0 = now_s();
	CHECK_EQ(vcpu__join(&v, 1), -ETIMEDOUT);
	CHECK(now_s() - t0 >= 0.9 && now_s() - t0 < 2.5);
	CHECK(v.started);
	CHECK_EQ(vcpu__join(&v, 10), 0);
	CHECK(!v.started);
	CHECK_EQ(vcpu__join(&v, 1), 0);
	return check_summary("vcpu_join_fake");
}
