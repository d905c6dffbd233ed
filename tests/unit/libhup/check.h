/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libhup unit tests' checks (tests/include/hup_check.h), instruction
 * builders (tests/include/hup_insn.h) and a program of their own.
 */
#ifndef HUP_TEST_CHECK_H
#define HUP_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>

#include "hup_check.h"
#include "hup_insn.h"
#include "insn.h"

/* debug_print of 8 bytes from the stack: a run that calls into the VMM's
 * env callback (five instructions, for initialisers). */
#define DEBUG_PRINT_STACK8()                                                 \
	ST(BPF_DW, 10, -8, 0x41), MOV64_REG(1, 10),                          \
	ALU64_IMM(BPF_ADD, 1, -8), MOV64_IMM(2, 8),                          \
	CALL_HELPER(HUP_FN_debug_print)

#endif /* HUP_TEST_CHECK_H */
