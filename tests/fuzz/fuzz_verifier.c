/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the verifier: arbitrary bytes as a program, verified
 * for every event, with and without a view; accepted programs also go
 * through hup_fixup__inline_loops().  Besides "never crash, never hang,
 * never leak" (ASan/UBSan), it checks the verifier's contract on every
 * input and aborts if it is broken: the result is 0, -EINVAL, -EACCES or
 * -E2BIG; a rejection logs exactly one line that starts with "N: " where N
 * is an instruction index of the program (or the limit for -E2BIG on size).
 *
 * The first byte picks a mode: raw bytes, or "shaped" instructions whose
 * opcode is drawn from the valid ones and whose registers are in r0..r10,
 * so the fuzzer gets past the encoding checks into the walk.  The second
 * byte picks the view size.
 *
 * Run: build with -DHUP_FUZZ=ON -DCMAKE_C_COMPILER=clang-19, then
 *   ./tests/fuzz/fuzz_verifier -max_total_time=600 CORPUS_DIR
 * (ctest runs it for 20 s).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t valid_codes[] = {
	/* ALU64 / ALU, K and X */
	0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57,
	0x5f, 0x67, 0x6f, 0x77, 0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7,
	0xbf, 0xc7, 0xcf, 0xd7, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34,
	0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94,
	0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
	/* loads, stores, atomics, ldimm64 */
	0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a,
	0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0x18,
	/* jumps */
	0x05, 0x06, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55,
	0x5d, 0x65, 0x6d, 0x75, 0x7d, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd,
	0xd5, 0xdd, 0x16, 0x1e, 0x26, 0x2e, 0x56, 0x5e, 0xa6, 0xae, 0x85,
	0x95,
};

struct lines {
	unsigned int n;
	char first[512];
};

static void on_line(void *opaque, const char *line)
{
	struct lines *l = opaque;

	if (!l->n++)
		snprintf(l->first, sizeof(l->first), "%s", line);
}

static void shape(struct bpf_insn *in, size_t cnt, const uint8_t *seed)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		uint8_t code = valid_codes[in[i].code % sizeof(valid_codes)];

		if (i && in[i - 1].code == 0x18) {
			/* second slot of an ldimm64 */
			in[i].code = 0;
			in[i].dst_reg = in[i].src_reg = 0;
			in[i].off = 0;
			continue;
		}
		in[i].code = code;
		in[i].dst_reg %= 11;
		if (code == 0x18) {
			static const uint8_t kinds[] = {0, 0, 4, 12, 13};

			in[i].src_reg = kinds[in[i].src_reg % 5];
			if (in[i].src_reg == 12 || in[i].src_reg == 13)
				in[i].imm = 0;
		} else if (code == 0x85) {
			in[i].src_reg &= 1;
			in[i].dst_reg = 0;
			in[i].off = 0;
			if (!in[i].src_reg)
				in[i].imm = (int32_t)((uint32_t)in[i].imm % 12);
		} else {
			in[i].src_reg %= 11;
		}
		/* jumps mostly short and forward, memory offsets small */
		if ((code & 7) == 5 || (code & 7) == 6)
			in[i].off = (int16_t)(in[i].off % 8);
		else if ((code & 7) >= 1 && (code & 7) <= 3)
			in[i].off = (int16_t)(-(int)((uint16_t)in[i].off % 520));
		(void)seed;
	}
	/* give most programs a proper end */
	if (cnt && in[cnt - 1].code != 0x95 && (seed[0] & 2)) {
		memset(&in[cnt - 1], 0, sizeof(in[cnt - 1]));
		in[cnt - 1].code = 0x95;
	}
}

static void check_one(const struct bpf_insn *insns, size_t cnt,
		      unsigned int event, bool view, unsigned int bits)
{
	struct hup_load_opts lo = {.sz = sizeof(lo)};
	struct hup_verifier_opts vo = {0};
	struct hup_verifier_info info;
	struct lines lines = {0};
	struct hup_log log;
	unsigned long idx;
	char *end;
	int rc;

	lo.log_fn = on_line;
	lo.log_opaque = &lines;
	hup_log__init(&log, &lo);
	vo.event = (enum hup_event)event;
	vo.has_view = view;
	vo.view_mask = (1ull << bits) - 1;
	vo.log = &log;
	rc = hup_verify(insns, cnt, &vo, &info);
	if (rc == 0) {
		struct bpf_insn *copy = malloc(cnt * sizeof(*copy));
		size_t n = cnt;

		if (lines.n)
			abort(); /* accepted programs log nothing at level 0 */
		if (!copy)
			return;
		memcpy(copy, insns, cnt * sizeof(*copy));
		if (hup_fixup__inline_loops(&copy, &n) || n < cnt)
			abort();
		free(copy);
		return;
	}
	if (rc != -EINVAL && rc != -EACCES && rc != -E2BIG && rc != -ENOMEM)
		abort();
	if (lines.n != 1)
		abort();
	idx = strtoul(lines.first, &end, 10);
	if (end == lines.first || strncmp(end, ": ", 2))
		abort();
	if (idx >= cnt && !(rc == -E2BIG && idx == HUP_MAX_INSNS) &&
	    !(cnt == 0 && idx == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_insn *insns;
	unsigned int bits, event;
	size_t cnt;

	if (size < 2)
		return 0;
	cnt = (size - 2) / sizeof(struct bpf_insn);
	if (cnt > HUP_MAX_INSNS + 1)
		cnt = HUP_MAX_INSNS + 1;
	insns = malloc(cnt ? cnt * sizeof(*insns) : 1);
	if (!insns)
		return 0;
	memcpy(insns, data + 2, cnt * sizeof(*insns));
	if (data[0] & 1)
		shape(insns, cnt, data);
	bits = 12 + data[1] % 36;
	for (event = 1; event <= HUP_EVENT_MAX; event++) {
		check_one(insns, cnt, event, false, bits);
		check_one(insns, cnt, event, true, bits);
	}
	free(insns);
	return 0;
}
