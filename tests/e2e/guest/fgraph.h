/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest's own measurement of kernel functions' calls with ftrace's
 * function_graph tracer.  hup-remap uses it on native_flush_tlb_multi(),
 * the call a TLB-shootdown sender spends its wait in, whichever way the
 * kernel flushes (plain IPIs, or after KVM's PV flush took the preempted
 * CPUs out of the mask), and on flush_tlb_func(), which a CPU runs for
 * each request it serves itself.
 */
#ifndef HUP_FGRAPH_H
#define HUP_FGRAPH_H

#include <stddef.h>
#include <stdint.h>

#define FGRAPH_MAX_FUNCS 4

struct fgraph_call {
	uint64_t ns;	/* duration */
	uint32_t cpu;
	uint32_t fn;	/* index into the start's function list */
};

/*
 * Trace only FUNCS[0..nr) (as roots, depth 1, in interrupts too) into a
 * buffer of BUF_KB per CPU, under the tracefs mount DIR.  0 or -errno
 * (tracefs not there, a function not traceable).
 */
int fgraph__start(const char *dir, const char *const *funcs, unsigned int nr,
		  unsigned int buf_kb);

/*
 * Stop tracing and read every call of FUNCS[0..nr) into a malloc'd array
 * (*out, *nr_out).  *lost is what the ring buffer dropped (overruns and
 * dropped events in each CPU's stats file).  0 or -errno.
 */
int fgraph__collect(const char *dir, const char *const *funcs, unsigned int nr,
		    struct fgraph_call **out, size_t *nr_out, uint64_t *lost);

/*
 * One line of the trace: its duration of FUNC in ns and its CPU, if it is
 * FUNC's leaf line (" 1)   5.869 us    |  func();") or its closing line
 * with the funcgraph-tail option (" 1) ! 123.4 us |  }" and FUNC's name
 * in a comment); else -1.
 */
int64_t fgraph__parse_line(const char *line, const char *func, uint32_t *cpu);

#endif
