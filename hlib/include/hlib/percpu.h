/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hlib/percpu.h: the guest kernel's per-CPU variables.  A per-CPU variable
 * is declared as a __ksym (its symbol value is its offset in the per-CPU
 * area) and found for a CPU through the guest's __per_cpu_offset[] table,
 * also a __ksym, as the kernel's per_cpu_ptr() does.
 *
 *	extern struct rq runqueues __ksym;
 *	struct rq *rq = per_cpu_ptr(&runqueues, cpu);
 *
 * this_cpu_ptr() is the event vCPU's: Linux numbers CPUs in the order the
 * VMM creates its vCPUs, so the vCPU index is the guest CPU number.
 */
#ifndef HLIB_PERCPU_H
#define HLIB_PERCPU_H

#include <hlib/core.h>

/* CONFIG_NR_CPUS of Debian's amd64 kernels. */
#define HLIB_NR_CPUS 8192

extern unsigned long __per_cpu_offset[HLIB_NR_CPUS] __ksym;

#define per_cpu_offset(cpu)                                                  \
	READ_ONCE(__per_cpu_offset[(unsigned int)(cpu) & (HLIB_NR_CPUS - 1)])
#define per_cpu_ptr(ptr, cpu)                                                \
	((__typeof__(ptr))((unsigned long)(ptr) + per_cpu_offset(cpu)))
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), cpu))
#define this_cpu_ptr(ptr) per_cpu_ptr(ptr, hup_vcpu_id())
#define this_cpu_read(var) READ_ONCE(*this_cpu_ptr(&(var)))

#endif /* HLIB_PERCPU_H */
