// SPDX-License-Identifier: BSD-2-Clause
/*
 * Static scans of what the engines run (insn.h).
 */
#include "insn.h"

#include <stdlib.h>

/* Where insn i (an ldimm64 being one node, at its first slot) goes next:
 * up to two targets, -1 for none; cnt is the end of the program. */
static void next_of(const struct bpf_insn *in, size_t i, int64_t t[2])
{
	uint8_t cls = in->code & 0x07, op = in->code & 0xf0;

	t[0] = (int64_t)i + 1;
	t[1] = -1;
	if (hup_insn_is_ldimm64(in)) {
		t[0] = (int64_t)i + 2;
		return;
	}
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return;
	if (op == BPF_EXIT) {
		t[0] = -1;
		return;
	}
	if (op == BPF_CALL)
		return;
	t[1] = (int64_t)i + 1 + hup_insn_jump_off(in);
	if (op == BPF_JA)
		t[0] = -1;
}

/* No call of a BPF function; *back: some jump goes backwards. */
static bool no_calls(const struct bpf_insn *insns, size_t cnt, bool *back)
{
	*back = false;
	for (size_t i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];
		uint8_t cls = in->code & 0x07, op = in->code & 0xf0;

		if (hup_insn_is_ldimm64(in)) {
			i++; /* its second slot is data */
			continue;
		}
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			/* a subprogram, or callx: a target in a register */
			if (in->src_reg == BPF_PSEUDO_CALL ||
			    (in->code & BPF_X))
				return false;
			continue;
		}
		if (hup_insn_jump_off(in) < 0) /* -1: a jump to itself */
			*back = true;
	}
	return true;
}

bool hup_insns__straight(const struct bpf_insn *insns, size_t cnt)
{
	uint32_t *indeg, *queue;
	uint8_t *data; /* second slots of ldimm64s: not instructions */
	size_t nodes = 0, done = 0, head = 0, tail = 0;
	bool back, ok = false;

	if (!no_calls(insns, cnt, &back))
		return false;
	if (!back)
		return true; /* every jump forwards: acyclic at a glance */
	/* Kahn's topological sort: it takes every node iff no cycle. */
	indeg = calloc(cnt, sizeof(*indeg));
	queue = calloc(cnt, sizeof(*queue));
	data = calloc(cnt, 1);
	if (!indeg || !queue || !data)
		goto out;
	for (size_t i = 0; i + 1 < cnt; i++)
		if (hup_insn_is_ldimm64(&insns[i]))
			data[++i] = 1;
	for (size_t i = 0; i < cnt; i++) {
		int64_t t[2];

		if (data[i])
			continue;
		nodes++;
		next_of(&insns[i], i, t);
		for (int k = 0; k < 2; k++) {
			if (t[k] == -1 || t[k] == (int64_t)cnt)
				continue;
			if (t[k] < 0 || t[k] > (int64_t)cnt || data[t[k]])
				goto out; /* out of the program, into data */
			indeg[t[k]]++;
		}
	}
	for (size_t i = 0; i < cnt; i++)
		if (!data[i] && !indeg[i])
			queue[tail++] = (uint32_t)i;
	while (head < tail) {
		size_t i = queue[head++];
		int64_t t[2];

		done++;
		next_of(&insns[i], i, t);
		for (int k = 0; k < 2; k++)
			if (t[k] >= 0 && t[k] < (int64_t)cnt &&
			    !--indeg[t[k]])
				queue[tail++] = (uint32_t)t[k];
	}
	ok = done == nodes;
out:
	free(indeg);
	free(queue);
	free(data);
	return ok;
}
