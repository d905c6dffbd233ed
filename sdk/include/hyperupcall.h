/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * hyperupcall.h: what a hyperupcall program includes.  Section macros per
 * event (libbpf's SEC() style), the context types and helper ids of the ABI
 * (hyperupcall/abi.h), helper declarations, the __host and __ksym
 * annotations, and the small macros that turn addresses into guest pointers.
 * Build with hupcc, which adds the guest-pointer pass that makes plain C
 * dereferences of guest pointers work (docs/toolchain.md).
 *
 *	#include "vmlinux.h"          // optional: guest kernel types (CO-RE)
 *	#include <hyperupcall.h>
 *
 *	HUP_TRACE("exits")
 *	int on_exit(struct hup_trace_ctx *ctx)
 *	{
 *		struct task_struct *t = &init_task;    // a guest pointer
 *		return t->pid;                         // a translated load
 *	}
 *	HUP_LICENSE("GPL");
 */
#ifndef HYPERUPCALL_H
#define HYPERUPCALL_H

#ifndef __bpf__
#error "hyperupcall.h is for hyperupcall programs: build them with hupcc"
#endif

#include <hyperupcall/abi.h>

/*
 * Kernel-style fixed-width types, spelled exactly as the kernel's uapi and
 * bpftool's vmlinux.h spell them, so including both is harmless.
 */
typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

/* ------------------------------------------------------------------------
 * Program sections.  A program is a function placed in a section named
 * "hyperupcall/<event>", optionally followed by "/<anything>" (a label for
 * humans and logs).  The guest loader and hupcc derive the event from it:
 *
 *	hyperupcall/trace        HUP_EVENT_TRACE        struct hup_trace_ctx
 *	hyperupcall/msr_write    HUP_EVENT_MSR_WRITE    struct hup_msr_ctx
 *	hyperupcall/reclaim      HUP_EVENT_RECLAIM      struct hup_reclaim_ctx
 *	hyperupcall/vcpu_resume  HUP_EVENT_VCPU_RESUME  struct hup_resume_ctx
 *	hyperupcall/query        HUP_EVENT_QUERY        struct hup_query_ctx
 *	hyperupcall/vcpu_desched HUP_EVENT_VCPU_DESCHED struct hup_desched_ctx
 *
 * The program's only argument is its event context (r1), a host pointer.
 */
#define HUP_SEC_PREFIX "hyperupcall/"
#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif
#define __hup_sec(ev, label) SEC(HUP_SEC_PREFIX ev label)

/* HUP_TRACE() or HUP_TRACE("label"). */
#define HUP_TRACE(...) __hup_sec("trace", __hup_label(__VA_ARGS__))
#define HUP_MSR_WRITE(...) __hup_sec("msr_write", __hup_label(__VA_ARGS__))
#define HUP_RECLAIM(...) __hup_sec("reclaim", __hup_label(__VA_ARGS__))
#define HUP_VCPU_RESUME(...) __hup_sec("vcpu_resume", __hup_label(__VA_ARGS__))
#define HUP_QUERY(...) __hup_sec("query", __hup_label(__VA_ARGS__))
#define HUP_VCPU_DESCHED(...) __hup_sec("vcpu_desched", __hup_label(__VA_ARGS__))
/* () -> "", ("x") -> "/x" */
#define __hup_label(...) __hup_pick3(_, ##__VA_ARGS__, "/" __VA_ARGS__, "")
#define __hup_pick3(a, b, c, ...) c

/*
 * The record a query program emits, for typed output on the host:
 *
 *	struct ps_rec { char comm[16]; __u32 pid; };
 *	HUP_QUERY_RECORD(ps, struct ps_rec);
 *
 * declares that every hup_output() of program (function) ps appends one
 * struct ps_rec.  Nothing reaches the guest or the verifier: the type is
 * kept in the object's BTF, where `hupctl query ID --obj FILE.o` finds it
 * and prints the answer record by record, field by field (text or JSON).
 * Char arrays print as strings, other arrays and nested structures in
 * full, enums by name.
 */
#define HUP_QUERY_RECORD(prog, type)                                          \
	type __hup_record_##prog SEC(".hup.record")

/* The license of the program text, kept in the object as libbpf does. */
#define HUP_LICENSE(text) char _license[] SEC("license") = text

/* ------------------------------------------------------------------------
 * Pointers.
 *
 * Every pointer in a program is a guest pointer (a guest virtual address,
 * translated by the pass on each access) unless it is provably host memory:
 * the stack, the event context and what is derived from it, globals, and
 * values of __host-qualified pointer types.  __host is an address space the
 * pass erases again before code generation; converting between __host and
 * plain pointers needs an explicit cast.
 */
#define HUP_HOST_ADDR_SPACE 104 /* == hup::HostAddrSpace in llvm-pass */
#define __host __attribute__((address_space(HUP_HOST_ADDR_SPACE)))

/* A guest kernel symbol, resolved by the guest module (KASLR) before
 * registration:  extern struct task_struct init_task __ksym;           */
#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif

/* The guest pointer at guest virtual address gva (a context field, a value
 * computed from a ksym), and back: helpers take guest addresses as __u64. */
#define HUP_GPTR(type, gva) ((type *)(unsigned long)(gva))
#define HUP_GVA(ptr) ((__u64)(unsigned long)(ptr))

/* CO-RE: field offsets relocated against the running guest kernel's BTF
 * (vmlinux.h already applies this to every kernel struct). */
#define __hup_core __attribute__((preserve_access_index))

/*
 * CO-RE questions about the running guest kernel, answered by hupload
 * against its BTF when it relocates the object (libbpf's semantics and
 * relocation kinds, so objects built for libbpf's macros work alike):
 *
 *	hup_core_field_exists(p->field)       1 if the field exists, else 0
 *	hup_core_field_size(p->field)         its size in bytes
 *	hup_core_type_exists(struct page)     1 if the type exists, else 0
 *	hup_core_type_size(struct zone)       its size in bytes
 *	hup_core_enum_value_exists(enum pagetype, PGTY_buddy)
 *	hup_core_enum_value(enum pagetype, PGTY_buddy)
 *
 * A type may carry a "___flavour" suffix (struct page___v612): it is
 * matched without it, so one program can declare a kernel type twice, once
 * per layout, and pick with hup_core_field_exists().  An access whose
 * field, type or enum value the kernel lacks is replaced by an instruction
 * the host verifier rejects if it is reachable: guard it with the
 * matching _exists() test, the branch not taken is never run.
 */
#define __HUP_FIELD_BYTE_SIZE 1 /* enum bpf_field_info_kind */
#define __HUP_FIELD_EXISTS 2
#define __HUP_TYPE_EXISTS 0     /* enum bpf_type_info_kind */
#define __HUP_TYPE_SIZE 1
#define __HUP_ENUMVAL_EXISTS 0  /* enum bpf_enum_value_kind */
#define __HUP_ENUMVAL_VALUE 1

#define hup_core_field_exists(field)                                         \
	__builtin_preserve_field_info(field, __HUP_FIELD_EXISTS)
#define hup_core_field_size(field)                                           \
	__builtin_preserve_field_info(field, __HUP_FIELD_BYTE_SIZE)
#define hup_core_type_exists(type)                                           \
	__builtin_preserve_type_info(*(type *)0, __HUP_TYPE_EXISTS)
#define hup_core_type_size(type)                                             \
	__builtin_preserve_type_info(*(type *)0, __HUP_TYPE_SIZE)
#define hup_core_enum_value_exists(enum_type, value)                         \
	__builtin_preserve_enum_value(*(enum_type *)value,                   \
				      __HUP_ENUMVAL_EXISTS)
#define hup_core_enum_value(enum_type, value)                                \
	__builtin_preserve_enum_value(*(enum_type *)value,                   \
				      __HUP_ENUMVAL_VALUE)

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* ------------------------------------------------------------------------
 * Helpers (abi.h, enum hup_helper).  Buffers (dst, src, buf, data) are host
 * memory: the stack or a writable context field.
 */
/* Copy size <= HUP_GUEST_COPY_MAX bytes from guest address gva: 0, or
 * -EFAULT on a page the host does not map (dst then holds size zeros). */
static long (*hup_guest_read)(void *dst, __u32 size, __u64 gva) =
	(void *)HUP_FN_guest_read;
/* Copy size bytes to guest address gva (a writable window). */
static long (*hup_guest_write)(__u64 gva, const void *src, __u32 size) =
	(void *)HUP_FN_guest_write;
static long (*hup_guest_memset)(__u64 gva, __u32 byte, __u32 size) =
	(void *)HUP_FN_guest_memset;
/* Host CLOCK_MONOTONIC, ns. */
static __u64 (*hup_host_ns)(void) = (void *)HUP_FN_host_ns;
/* The event vCPU's TSC (vCPU 0's for global events). */
static __u64 (*hup_guest_tsc)(void) = (void *)HUP_FN_guest_tsc;
/* A register of the event vCPU (enum hup_reg); local events only. */
static long (*hup_vcpu_reg)(__u32 reg) = (void *)HUP_FN_vcpu_reg;
/* One line into the host log, rate limited. */
static long (*hup_debug_print)(const char *buf, __u32 size) =
	(void *)HUP_FN_debug_print;
/* Calls fn(i, data) for i = 0 .. nr-1 while it returns 0; nr <=
 * HUP_LOOP_MAX, flags 0.  Returns the number of iterations done.  data is
 * host memory (usually a struct on the caller's stack); the pass gives the
 * callback's data parameter the class of what is passed here. */
static long (*hup_loop)(__u32 nr, long (*fn)(__u32 i, void *data), void *data,
			__u64 flags) = (void *)HUP_FN_loop;
/* Append to a query's answer (HUP_EVENT_QUERY). */
static long (*hup_output)(const void *buf, __u32 size) =
	(void *)HUP_FN_output;
/* Index of the event vCPU (local events). */
static __u32 (*hup_vcpu_id)(void) = (void *)HUP_FN_vcpu_id;

/* Print a constant string to the host log (built on the stack: programs
 * have no .rodata the host would relocate). */
#define hup_print(str)                                                       \
	({                                                                   \
		char ____b[] = str;                                          \
		hup_debug_print(____b, sizeof(____b) - 1);                   \
	})

#endif /* HYPERUPCALL_H */
