/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * After verification: rewrite HUP_FN_loop into plain bytecode so the
 * engines need no loop helper and no notion of callback pointers.
 *
 * Every `ldimm64 rX, BPF_PSEUDO_FUNC` becomes a plain load of the
 * callback's absolute instruction index (a small number), every
 * `call HUP_FN_loop` becomes a local call to one trampoline subprogram
 * appended at the end of the program:
 *
 *        w6 = w1                  nr, as the u32 the prototype says
 *        if r6 <= LOOP_MAX goto +1
 *        r6 = LOOP_MAX            clamp: nr is not proven, it is bounded
 *        r7 = r3                  data
 *        r8 = 0                   i
 *        r9 = r2                  which callback
 *  head: if r8 >= r6 goto done
 *        r1 = r8 ; r2 = r7
 *        if r9 != cb_k goto +2    one test per callback of the program
 *        call local cb_k
 *        goto after
 *        ...
 *        goto done                (no callback matched: cannot happen)
 * after: r8 += 1
 *        if r0 == 0 goto head     the one back-edge: at most LOOP_MAX runs
 *  done: r0 = r8                  iterations done (the stopping one counts)
 *        exit
 *
 * The trampoline uses only r6-r9, which a local call preserves for the
 * caller, and no stack.  The verifier entered each callback two frames
 * below its caller (trampoline + callback), so the call depth it proved
 * holds for this code.  Only instructions are appended, so no existing
 * jump or call offset changes.
 */
#include "env.h"

#include <stdlib.h>
#include <string.h>

#define INSN(c, d, s, o, i)                                                \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s),    \
			   .off = (int16_t)(o), .imm = (int32_t)(i)})

static bool is_loop_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 &&
	       in->imm == HUP_FN_loop;
}

int hup_fixup__inline_loops(struct bpf_insn **insns, size_t *cnt)
{
	struct bpf_insn *p = *insns, *out;
	size_t n = *cnt, i, ncb = 0, nloops = 0, w, k, len, head, after, done;
	uint32_t *cbs;

	if (!p || !n)
		return -EINVAL;
	cbs = calloc(n, sizeof(*cbs));
	if (!cbs)
		return -ENOMEM;
	/* collect callbacks, turn their loads into plain numbers */
	for (i = 0; i < n; i++) {
		if (is_loop_call(&p[i]))
			nloops++;
		if (!hup_insn_is_ldimm64(&p[i]))
			continue;
		if (i + 1 >= n) {
			free(cbs);
			return -EINVAL;
		}
		if (p[i].src_reg == BPF_PSEUDO_FUNC) {
			int64_t t = (int64_t)i + 1 + p[i].imm;

			if (t < 0 || (size_t)t >= n) {
				free(cbs);
				return -EINVAL;
			}
			for (k = 0; k < ncb && cbs[k] != (uint32_t)t; k++)
				;
			if (k == ncb)
				cbs[ncb++] = (uint32_t)t;
			p[i].src_reg = 0;
			p[i].imm = (int32_t)t;
			p[i + 1].imm = 0;
		}
		i++;
	}
	if (!nloops) {
		free(cbs);
		return 0;
	}
	len = 14 + 3 * ncb;
	out = realloc(p, (n + len) * sizeof(*out));
	if (!out) {
		free(cbs);
		return -ENOMEM;
	}
	*insns = out;
	w = n;
	head = 6, after = 10 + 3 * ncb, done = 12 + 3 * ncb;
	out[w + 0] = INSN(BPF_ALU | BPF_MOV | BPF_X, 6, 1, 0, 0);
	out[w + 1] = INSN(BPF_JMP | BPF_JLE | BPF_K, 6, 0, 1, HUP_LOOP_MAX);
	out[w + 2] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 6, 0, 0, HUP_LOOP_MAX);
	out[w + 3] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 7, 3, 0, 0);
	out[w + 4] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 8, 0, 0, 0);
	out[w + 5] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 9, 2, 0, 0);
	out[w + 6] = INSN(BPF_JMP | BPF_JGE | BPF_X, 8, 6, done - 7, 0);
	out[w + 7] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 8, 0, 0);
	out[w + 8] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 7, 0, 0);
	for (k = 0; k < ncb; k++) {
		size_t at = 9 + 3 * k;

		out[w + at] = INSN(BPF_JMP | BPF_JNE | BPF_K, 9, 0, 2, cbs[k]);
		out[w + at + 1] = INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0,
				       (int64_t)cbs[k] - (int64_t)(w + at + 2));
		out[w + at + 2] = INSN(BPF_JMP | BPF_JA, 0, 0,
				       (int64_t)after - (int64_t)(at + 3), 0);
	}
	out[w + 9 + 3 * ncb] = INSN(BPF_JMP | BPF_JA, 0, 0, 2, 0);
	out[w + after] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 8, 0, 0, 1);
	out[w + after + 1] = INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
				  (int64_t)head - (int64_t)(after + 2), 0);
	out[w + done] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 8, 0, 0);
	out[w + done + 1] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

	for (i = 0; i < n; i++)
		if (is_loop_call(&out[i]))
			out[i] = INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0,
				      (int64_t)w - (int64_t)(i + 1));
	*cnt = n + len;
	free(cbs);
	return 0;
}
