/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * The trace ring: hypervisor events written by a HUP_EVENT_TRACE program
 * (samples/tracing.c) into guest memory, read by the guest (the
 * hyperupcall module's trace reader), so that guest tracing shows hypervisor
 * and guest events on one time line.
 *
 * The guest module owns the ring: it allocates it (page aligned, a window
 * of kind HUP_WIN_BUFFER with HUP_WIN_READ | HUP_WIN_WRITE), initialises the
 * header, and resolves the program's ksym HUP_TRACE_RING_KSYM to the ring's
 * guest virtual address.  Programs on several vCPUs may produce at once:
 *
 *   producer: h = head; if (h - tail >= capacity) overflow++, drop;
 *             cmpxchg(head, h, h + 1) (bounded retries, else drop);
 *             fill entries[h & (capacity - 1)]; then entry.seq = h + 1.
 *   consumer: while entries[t & (capacity - 1)].seq == t + 1: read it,
 *             t++; then tail = t.
 *
 * seq is written last (x86 is TSO: stores become visible in order), so a
 * reader never sees a half-written entry.  Layout is fixed-width,
 * little-endian and shared by the guest module (C, kernel), programs (BPF)
 * and host tools.
 */
#ifndef HYPERUPCALL_TRACE_RING_H
#define HYPERUPCALL_TRACE_RING_H

#include <hyperupcall/abi.h>

#define HUP_TRACE_RING_MAGIC 0x52545548u /* "HUTR" */
#define HUP_TRACE_RING_VERSION 1u
#define HUP_TRACE_RING_KSYM "hup_trace_ring"
/* Producer attempts at the head before an event is dropped. */
#define HUP_TRACE_RING_RETRIES 4

struct hup_trace_entry {
	hup_u64 seq;       /* reservation index + 1, written last; 0 = empty */
	hup_u64 host_ns;   /* host CLOCK_MONOTONIC at the event */
	hup_u64 guest_tsc; /* the vCPU's TSC at the event */
	hup_u32 vcpu;
	hup_u16 kind;      /* enum hup_trace_kind */
	hup_u16 reason;    /* enum hup_exit_reason (HUP_TRACE_EXIT) */
	hup_u64 arg[4];    /* per reason, as in struct hup_trace_ctx */
};

struct hup_trace_ring {
	hup_u32 magic;       /* HUP_TRACE_RING_MAGIC */
	hup_u32 version;     /* HUP_TRACE_RING_VERSION */
	hup_u32 capacity;    /* entries, a power of two */
	hup_u32 entry_size;  /* sizeof(struct hup_trace_entry) */
	hup_u64 head;        /* producers: next reservation index */
	hup_u64 tail;        /* consumer: next index to read */
	hup_u64 overflow;    /* events dropped: ring full or head contended */
	hup_u64 reserved[3]; /* 0 */
	struct hup_trace_entry entries[];
};

HUP_STATIC_ASSERT(sizeof(struct hup_trace_entry) == 64, "hup_trace_entry");
HUP_STATIC_ASSERT(sizeof(struct hup_trace_ring) == 64, "hup_trace_ring");

#endif /* HYPERUPCALL_TRACE_RING_H */
