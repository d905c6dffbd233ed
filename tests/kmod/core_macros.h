/* SPDX-License-Identifier: BSD-2-Clause */
/* The answers of tests/kmod/core_macros.c, in output order. */
#ifndef HUP_TEST_CORE_MACROS_H
#define HUP_TEST_CORE_MACROS_H

enum core_q {
	CORE_Q_PID_EXISTS,   /* hup_core_field_exists(t->pid) */
	CORE_Q_PID_SIZE,     /* hup_core_field_size(t->pid) */
	CORE_Q_COMM_SIZE,    /* hup_core_field_size(t->comm) */
	CORE_Q_NO_FIELD,     /* a field no kernel has: 0 */
	CORE_Q_TASK_EXISTS,  /* hup_core_type_exists(struct task_struct) */
	CORE_Q_TASK_SIZE,    /* hup_core_type_size(struct task_struct) */
	CORE_Q_LIST_SIZE,    /* hup_core_type_size(struct list_head) */
	CORE_Q_MAYBE_EXISTS, /* a type only the hand-made kernel has */
	CORE_Q_MAYBE_SIZE,   /* its size where it exists, else 0 */
	CORE_Q_SID_EXISTS,   /* hup_core_enum_value_exists(PIDTYPE_SID) */
	CORE_Q_SID,          /* hup_core_enum_value(PIDTYPE_SID) */
	CORE_Q_NO_VALUE,     /* an enumerator no kernel has: 0 */
	CORE_Q_NR
};

#endif
