// per_cpu_ptr / this_cpu_ptr through the __per_cpu_offset ksym: the table
// read and the per-CPU variable read are both translated.
// RUN: %hupcc -v %s -o %t.o 2>&1 | %verified %s
// RUN: %objdump %t.o | FileCheck %s
// hupcc ran the host verifier on it (which rejects any loop):
// V: verified:

#include <hlib/percpu.h>

extern unsigned long hup_test_pcpu_counter __ksym;

// CHECK-LABEL: <pcpu>:
// CHECK:         call 0xa
// CHECK:         R_BPF_64_64 __per_cpu_offset
// CHECK:         &=
// CHECK-NEXT:    +=
// CHECK:         R_BPF_64_64 hup_test_pcpu_counter
// CHECK:         &=
// CHECK-NEXT:    +=
// CHECK:         exit
HUP_TRACE()
long pcpu(struct hup_trace_ctx *ctx)
{
	return this_cpu_read(hup_test_pcpu_counter) +
	       *per_cpu_ptr(&hup_test_pcpu_counter, ctx->vcpu + 1);
}
