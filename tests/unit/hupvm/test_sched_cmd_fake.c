// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control command `sched [N]` (control_sched.c) on a FAKE VM: no KVM
 * and no scheduler thread, only the scheduler's state, which the command
 * reads and sets (vsched__set_pcpus); the thread picks the new N up at
 * its next slice (vsched__pick, test_vsched.c).  Refusals: no scheduler,
 * N out of 1..vCPUs, not a number, too many words.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "ctlexec.h"
#include "hyperupcall/backend.h"
#include "vm.h"
#include "vsched.h"

int main(void)
{
	static const char *const bad[] = {"sched 0", "sched 5", "sched x",
					  "sched -1", "sched 1 2",
					  "sched 4294967297"};
	static struct backend no_backend; /* control wants one; unused */
	struct vsched s;
	struct vm vm;
	char *r;

	memset(&vm, 0, sizeof(vm));
	memset(&s, 0, sizeof(s));
	vm.hup = &no_backend;
	vm.nr_vcpus = 4;
	r = ctl_exec(&vm, "sched");
	CHECK_MSG(!strncmp(r, "ERR ENODEV ", 11) && strstr(r, "--pcpus"),
		  "no scheduler -> %s", r);

	s.vm = &vm;
	atomic_init(&s.pcpus, 2);
	atomic_init(&s.slices, 7);
	vm.sched = &s;
	r = ctl_exec(&vm, "sched");
	CHECK_STR(r, "sched pcpus=2 was=2 vcpus=4 slices=7\nOK\n");
	r = ctl_exec(&vm, "sched 4");
	CHECK_STR(r, "sched pcpus=4 was=2 vcpus=4 slices=7\nOK\n");
	CHECK_EQ(atomic_load(&s.pcpus), 4);
	r = ctl_exec(&vm, "json sched 1");
	CHECK_STR(r, "{\"pcpus\":1,\"was\":4,\"vcpus\":4,\"slices\":7}\nOK\n");
	CHECK_EQ(atomic_load(&s.pcpus), 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ctl_exec(&vm, bad[i]);
		CHECK_MSG(!strncmp(r, "ERR EINVAL ", 11), "'%s' -> %s", bad[i], r);
	}
	CHECK_EQ(atomic_load(&s.pcpus), 1); /* refusals change nothing */
	CHECK_EQ(vsched__set_pcpus(&s, 0), -EINVAL);
	CHECK_EQ(vsched__set_pcpus(&s, 5), -EINVAL);
	CHECK_EQ(vsched__set_pcpus(&s, 3), 0);
	CHECK_EQ(atomic_load(&s.pcpus), 3);
	return check_summary("sched_cmd_fake");
}
