/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every CO-RE macro of hyperupcall.h, answered by hupload against a
 * kernel's BTF (tests/kmod/core_macros_btf.c runs it).  The types are
 * declared here with a ___flavour suffix, as a program that supports
 * several layouts does; the answers go out as an array of __u64 in the
 * order of enum core_q.  The size of a type only some kernels have is
 * guarded by its _exists() test: where it is missing the relocation leaves
 * an instruction the verifier refuses if reached, and it is not.
 */
#include <hyperupcall.h>

#include "core_macros.h"

struct task_struct___cm {
	int pid;
	char comm[16];
	int hup_cm_no_such_field;
} __hup_core;

struct list_head___cm {
	struct list_head___cm *next, *prev;
} __hup_core;

struct hup_cm_maybe {
	long a, b, c;
};

enum pid_type___cm {
	PIDTYPE_SID___cm = 3,
	PIDTYPE_HUP_CM_NONE___cm = 100,
};

HUP_QUERY()
long core_macros(struct hup_query_ctx *ctx)
{
	struct task_struct___cm *t = HUP_GPTR(struct task_struct___cm,
					       ctx->arg[0]);
	__u64 q[CORE_Q_NR];

	q[CORE_Q_PID_EXISTS] = hup_core_field_exists(t->pid);
	q[CORE_Q_PID_SIZE] = hup_core_field_size(t->pid);
	q[CORE_Q_COMM_SIZE] = hup_core_field_size(t->comm);
	q[CORE_Q_NO_FIELD] = hup_core_field_exists(t->hup_cm_no_such_field);
	q[CORE_Q_TASK_EXISTS] = hup_core_type_exists(struct task_struct___cm);
	q[CORE_Q_TASK_SIZE] = hup_core_type_size(struct task_struct___cm);
	q[CORE_Q_LIST_SIZE] = hup_core_type_size(struct list_head___cm);
	q[CORE_Q_MAYBE_EXISTS] = hup_core_type_exists(struct hup_cm_maybe);
	q[CORE_Q_MAYBE_SIZE] = q[CORE_Q_MAYBE_EXISTS] ?
		hup_core_type_size(struct hup_cm_maybe) : 0;
	q[CORE_Q_SID_EXISTS] = hup_core_enum_value_exists(enum pid_type___cm,
							  PIDTYPE_SID___cm);
	q[CORE_Q_SID] = hup_core_enum_value(enum pid_type___cm,
					    PIDTYPE_SID___cm);
	q[CORE_Q_NO_VALUE] = hup_core_enum_value_exists(
		enum pid_type___cm, PIDTYPE_HUP_CM_NONE___cm);
	hup_output(q, sizeof(q));
	return 0;
}
