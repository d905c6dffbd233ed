/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hyperupcall:hv_event trace event: one hypervisor event read out of
 * the trace ring.  ts is the event's time on the guest's "local" trace
 * clock (the ftrace default), converted from the vCPU TSC the host
 * recorded (trace.c says how); the event itself is emitted when the ring is
 * drained, delay_ns after ts.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hyperupcall

#if !defined(_HUP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HUP_TRACE_H

#include <linux/tracepoint.h>
#include <hyperupcall/trace_ring.h>

#define hup_show_kind(k)						\
	__print_symbolic(k, { HUP_TRACE_EXIT, "exit" },			\
			 { HUP_TRACE_PAUSE, "pause" },			\
			 { HUP_TRACE_RESUME, "resume" })

/* The ABI's exit names (HUP_EXIT_LIST), as hupvm's stats spell them. */
#define HUP_X_SYMBOL(e, v, name) { e, name },
#define hup_show_reason(r)						\
	__print_symbolic(r, HUP_EXIT_LIST(HUP_X_SYMBOL) { 0, "-" })

TRACE_EVENT(hv_event,
	TP_PROTO(const struct hup_trace_entry *e, u64 ts, u64 delay),
	TP_ARGS(e, ts, delay),

	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u64, ts)
		__field(u64, delay_ns)
		__field(u64, host_ns)
		__field(u64, guest_tsc)
		__field(u32, vcpu)
		__field(u16, kind)
		__field(u16, reason)
		__array(u64, args, 4)
	),

	TP_fast_assign(
		__entry->seq = e->seq;
		__entry->ts = ts;
		__entry->delay_ns = delay;
		__entry->host_ns = e->host_ns;
		__entry->guest_tsc = e->guest_tsc;
		__entry->vcpu = e->vcpu;
		__entry->kind = e->kind;
		__entry->reason = e->reason;
		memcpy(__entry->args, e->arg, sizeof(__entry->args));
	),

	TP_printk("vcpu=%u %s %s ts=%llu.%09llu delay_us=%llu args=%llx,%llx,%llx,%llx seq=%llu tsc=%llu",
		  __entry->vcpu, hup_show_kind(__entry->kind),
		  hup_show_reason(__entry->reason),
		  __entry->ts / NSEC_PER_SEC, __entry->ts % NSEC_PER_SEC,
		  __entry->delay_ns / NSEC_PER_USEC,
		  __entry->args[0], __entry->args[1], __entry->args[2],
		  __entry->args[3], __entry->seq, __entry->guest_tsc)
);

#endif /* _HUP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hup_trace
#include <trace/define_trace.h>
