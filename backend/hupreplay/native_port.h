/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a native port of a sample (native_<sample>.c) is made of, and what
 * native.c offers it.  A port restates its sample's program step by step
 * in plain C; native.c has checked that the object it was given,
 * relocated against the BTF it was given, is the snapshot's program, and
 * answers the port's questions about the guest kernel from there: CO-RE
 * answers of hupload's relocator for the object's own types
 * (native__core*) and the __ksym addresses the guest filled in
 * (native__ksym).  The port's run reads guest memory as the program
 * does, at view base + (gva & mask) in the program's own view, under
 * libhup's fault recovery (a hole is -EFAULT, as for the program), and
 * talks to the host through the env the event built (native_output() is
 * hup_output, env->debug_print hup_print).
 */
#ifndef HUPREPLAY_NATIVE_PORT_H
#define HUPREPLAY_NATIVE_PORT_H

#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hup/libhup.h>
#include <hyperupcall/abi.h>

/* The view a port reads guest memory through, as a program does. */
struct native_view {
	uint8_t *base;
	uint64_t mask;
};

/* A guest address as a host pointer in the view (HUP_GPTR). */
static inline void *native_gp(const struct native_view *v, uint64_t gva)
{
	return v->base + (gva & v->mask);
}

#define NATIVE_READ(v, type, gva) (*(const volatile type *)native_gp(v, gva))
#define NATIVE_WRITE(v, type, gva, x)                                          \
	(*(volatile type *)native_gp(v, gva) = (x))

/* hup_output, as a port makes it: into the caller's buffer when the env
 * gives one (what libhup does for a program, hup_run_env.out_buf), else
 * through its callback.  0 or -errno. */
static inline int native_output(const struct hup_run_env *env,
				const void *buf, uint32_t size)
{
	if (env->out_buf) {
		if (size > env->out_cap - *env->out_len)
			return -ENOSPC;
		memcpy(env->out_buf + *env->out_len, buf, size);
		*env->out_len += size;
		return 0;
	}
	return env->output ? env->output(env->opaque, buf, size) : -EOPNOTSUPP;
}

/* native.c's setup context (the object, its BTF, the target BTF). */
struct native_setup;

/* One CO-RE answer for the object's local type (a struct, or an enum if
 * is_enum), the relocator's: 0 with *val, -ENOENT (no match in the
 * kernel), or -errno with the reason set. */
int native__core(struct native_setup *c, const char *type, bool is_enum,
		 const char *access, enum bpf_core_relo_kind kind,
		 uint64_t *val);
/* An answer that must exist (-ENOENT with the reason set otherwise). */
int native__core_u32(struct native_setup *c, const char *type,
		     const char *access, enum bpf_core_relo_kind kind,
		     uint32_t *out);
/* A *_EXISTS answer: false also when the relocator cannot answer. */
bool native__exists(struct native_setup *c, const char *type, bool is_enum,
		    const char *access, enum bpf_core_relo_kind kind);
/* The address the guest gave __ksym name in the snapshot's program; 0
 * when the program loads no such symbol (or a weak one the guest lacks). */
uint64_t native__ksym(const struct native_setup *c, const char *name);
/* The reason setup failed, one line; returns e. */
int native__fail(struct native_setup *c, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct native_port {
	const char *prog;  /* the sample's program (function) name */
	uint32_t event;	   /* HUP_EVENT_* */
	size_t ctx_size;   /* the event's context */
	size_t state_size; /* what setup fills, zeroed first */
	/* The layout and symbols the run needs: 0 or -errno (reason set). */
	int (*setup)(struct native_setup *c, void *state);
	/* One run: the program's return value. */
	uint64_t (*run)(const void *state, const struct native_view *v,
			void *ctx, const struct hup_run_env *env);
};

/* One per sample (native_<sample>.c), listed in native.c. */
extern const struct native_port native_free_discard, native_msr_guard,
    native_tracing, native_ps, native_dmesg, native_tlb_shootdown;

#endif
