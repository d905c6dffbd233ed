/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One test-only x86-64 trampoline shared by the JIT safety test and the
 * exploit test: call fn(args[0..4]) with the SysV callee-saved registers
 * rbx, rbp, r12-r15 holding known values (CALLEE_SAVED_SENTINEL(k) for
 * k = 0..5, in that order) and store what they hold afterwards in
 * saved[0..5].  A JIT frame (or a program writing one) that hands any of
 * them back changed shows up there.  Returns fn's rax.  Include it from
 * exactly one file of a test binary.
 */
#ifndef HUP_TESTS_CALLEE_SAVED_CALL_H
#define HUP_TESTS_CALLEE_SAVED_CALL_H

#include <stdint.h>

#define CALLEE_SAVED_SENTINEL(k) (0x1111111111111111ull * (uint64_t)((k) + 1))

uint64_t callee_saved_call(const void *fn, const uint64_t args[5],
			   uint64_t saved[6]);
__asm__(".text\n"
	".type callee_saved_call, @function\n"
	"callee_saved_call:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n"
	"	push %r13\n	push %r14\n	push %r15\n"
	"	push %rdx\n" /* 7 pushes: rsp 16-aligned at the call */
	"	mov %rdi, %rax\n	mov %rsi, %r11\n"
	"	mov 0(%r11), %rdi\n	mov 8(%r11), %rsi\n"
	"	mov 16(%r11), %rdx\n	mov 24(%r11), %rcx\n"
	"	mov 32(%r11), %r8\n"
	"	movabs $0x1111111111111111, %rbx\n"
	"	movabs $0x2222222222222222, %rbp\n"
	"	movabs $0x3333333333333333, %r12\n"
	"	movabs $0x4444444444444444, %r13\n"
	"	movabs $0x5555555555555555, %r14\n"
	"	movabs $0x6666666666666666, %r15\n"
	"	call *%rax\n"
	"	pop %rcx\n"
	"	mov %rbx, 0(%rcx)\n	mov %rbp, 8(%rcx)\n	mov %r12, 16(%rcx)\n"
	"	mov %r13, 24(%rcx)\n	mov %r14, 32(%rcx)\n	mov %r15, 40(%rcx)\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n"
	"	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n"
	".size callee_saved_call, .-callee_saved_call\n");

#endif /* HUP_TESTS_CALLEE_SAVED_CALL_H */
