/* SPDX-License-Identifier: BSD-2-Clause */
/* The oracle's program model: emission, unit removal, printing. */
#include "prog.h"

#include <stdio.h>

const uint8_t or_targets[OR_NR_TARGETS] = {0, 2, 3, 4, 5, 6, 7, 8};

size_t or_emit(const struct or_prog *p, struct bpf_insn *out)
{
	size_t start[OR_MAX_UNITS + 1], n = 0, i;

	for (i = 0; i < p->n; i++) {
		start[i] = n;
		n += p->u[i].n;
	}
	start[p->n] = n;
	for (i = 0; i < p->n; i++) {
		const struct or_unit *u = &p->u[i];
		size_t at = start[i];

		out[at] = u->insn[0];
		if (u->n > 1)
			out[at + 1] = u->insn[1];
		if (u->target != OR_NO_JUMP) {
			size_t to = u->target == OR_END ? n : start[u->target];

			/* the jump is the unit's last instruction */
			out[at + u->n - 1].off = (int16_t)(to - (at + u->n));
		}
	}
	return n;
}

void or_drop(struct or_prog *p, size_t i)
{
	size_t j;

	for (j = i; j + 1 < p->n; j++)
		p->u[j] = p->u[j + 1];
	p->n--;
	for (j = 0; j < p->n; j++) {
		uint16_t *t = &p->u[j].target;

		if (*t == OR_END || *t == OR_NO_JUMP)
			continue;
		if (*t > i)
			(*t)--;
		if (*t >= p->n)
			*t = OR_END;
	}
}

/* ------------------------------------------------------------- printing */

static const char *const alu_names[16] = {
	"add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
	"neg", "mod", "xor", "mov", "arsh", "?", "?", "?",
};
static const char *const jmp_names[16] = {
	"ja", "jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge",
	"call", "exit", "jlt", "jle", "jslt", "jsle", "?", "?",
};

static void print_one(const struct bpf_insn *in, const char *indent)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	const char *w = cls == BPF_ALU || cls == BPF_JMP32 ? "32" : "";
	char src[32];

	if (x)
		snprintf(src, sizeof(src), "%%r%u", in->src_reg);
	else
		snprintf(src, sizeof(src), "%d", in->imm);
	printf("%s", indent);
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_END) {
			const char *kind = cls == BPF_ALU64 ? "bswap" :
					   x ? "be" : "le";

			printf("%s%d %%r%u\n", kind, in->imm, in->dst_reg);
		} else if (op == BPF_NEG) {
			printf("neg%s %%r%u\n", w, in->dst_reg);
		} else if (op == BPF_MOV && in->off) {
			printf("movsx%d%s %%r%u, %s\n", in->off,
			       cls == BPF_ALU ? "32" : "64", in->dst_reg, src);
		} else if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1) {
			printf("s%s%s %%r%u, %s\n", alu_names[op >> 4], w,
			       in->dst_reg, src);
		} else {
			printf("%s%s %%r%u, %s\n", alu_names[op >> 4], w,
			       in->dst_reg, src);
		}
		return;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_EXIT)
			printf("exit\n");
		else if (op == BPF_JA)
			printf("ja %+d\n", in->off);
		else
			printf("%s%s %%r%u, %s, %+d\n", jmp_names[op >> 4], w,
			       in->dst_reg, src, in->off);
		return;
	case BPF_LDX: {
		static const char *const sz[4] = {"w", "h", "b", "dw"};

		printf("ldx%s%s %%r%u, [%%r%u%+d]\n",
		       BPF_MODE(in->code) == BPF_MEMSX ? "s" : "",
		       sz[BPF_SIZE(in->code) >> 3],
		       in->dst_reg, in->src_reg, in->off);
		return;
	}
	case BPF_STX: {
		static const char *const sz[4] = {"w", "h", "b", "dw"};

		printf("stx%s [%%r%u%+d], %%r%u\n", sz[BPF_SIZE(in->code) >> 3],
		       in->dst_reg, in->off, in->src_reg);
		return;
	}
	}
	printf(".insn 0x%02x, %u, %u, %d, %d\n", in->code, in->dst_reg,
	       in->src_reg, in->off, in->imm);
}

void or_print(const struct bpf_insn *insns, size_t cnt, const char *indent)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		if (hup_insn_is_ldimm64(&insns[i]) && i + 1 < cnt) {
			printf("%slddw %%r%u, 0x%llx\n", indent, insns[i].dst_reg,
			       (unsigned long long)hup_insn_imm64(&insns[i]));
			i++;
			continue;
		}
		print_one(&insns[i], indent);
	}
}
