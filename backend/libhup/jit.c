/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The JIT's arch-neutral front end: checks the structure the back end
 * relies on (ldimm64 pairs, jump and call targets), finds BPF-to-BPF
 * callees, runs the back end (jit_x86.c) in passes until every offset stops
 * moving, and seals the result in a W^X image: the code is written into a
 * private read+write mapping which is then made read+execute, never both
 * writable and executable.  Anything it cannot handle is answered with
 * -EOPNOTSUPP and one log line, and the loader interprets instead.
 *
 * Pass 0 sizes every variable jump at its largest (rel32); from pass 1 on,
 * jumps are aimed at the previous pass's offsets and take the rel8 form
 * when it reaches.  Sizes can then only shrink, so the layout converges;
 * the pass in which no offset changed emitted exact displacements, and its
 * bytes are the image.  But one jump's shrinking may only then bring
 * another into rel8 range, one jump a pass: a 143-instruction program the
 * fuzzer found took 37 passes.  From HUP_JIT_PAD_PASS on, each block is
 * padded with NOPs to its previous size, so no block moves again and the
 * next pass converges (the kernel's x86 JIT pads for the same reason).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine.h"
#include "jit.h"
#include "log.h"

static void layout_free(struct hup_jit_layout *l)
{
	free(l->blk);
	free(l->entry);
	free(l->code);
}

static int layout_alloc(struct hup_jit_layout *l, size_t cnt)
{
	memset(l, 0, sizeof(*l));
	l->blk = calloc(cnt + 1, sizeof(*l->blk));
	l->entry = calloc(cnt + 1, sizeof(*l->entry));
	l->code = calloc(cnt + 1, sizeof(*l->code));
	if (!l->blk || !l->entry || !l->code) {
		layout_free(l);
		return -ENOMEM;
	}
	return 0;
}

static bool layout_equal(const struct hup_jit_layout *a,
			 const struct hup_jit_layout *b, size_t cnt)
{
	size_t n = (cnt + 1) * sizeof(uint32_t);

	return a->epilogue == b->epilogue && a->pops == b->pops &&
	       a->abort == b->abort && a->table == b->table &&
	       a->len == b->len && !memcmp(a->blk, b->blk, n) &&
	       !memcmp(a->entry, b->entry, n) && !memcmp(a->code, b->code, n);
}

static void layout_copy(struct hup_jit_layout *dst,
			const struct hup_jit_layout *src, size_t cnt)
{
	size_t n = (cnt + 1) * sizeof(uint32_t);

	memcpy(dst->blk, src->blk, n);
	memcpy(dst->entry, src->entry, n);
	memcpy(dst->code, src->code, n);
	dst->epilogue = src->epilogue;
	dst->pops = src->pops;
	dst->abort = src->abort;
	dst->table = src->table;
	dst->len = src->len;
}

/* Is t a valid place to jump to (t == cnt: just past the end)? */
static bool jit_target_ok(const struct hup_jit_ctx *ctx, int64_t t,
			  bool allow_end)
{
	if (t < 0 || t > (int64_t)ctx->cnt)
		return false;
	if (t == (int64_t)ctx->cnt)
		return allow_end;
	return !ctx->imm_hi[t];
}

/*
 * How a sealed insn reaches a stack: -1 its own frame (r10 named anywhere
 * but as the base of an access to a caller's frame, or a helper argument
 * rebuilt in its own frame), d >= 1 the frame d levels up (a sealed offset
 * >= 0, engine.h), 0 no stack at all.  Unsealed: -1 whenever r10 is named.
 */
static int stack_reach(const struct hup_jit_ctx *ctx,
		       const struct bpf_insn *insn)
{
	bool names = insn->dst_reg == BPF_REG_10 ||
		     insn->src_reg == BPF_REG_10;

	if (!ctx->conf->sealed)
		return names ? -1 : 0;
	if (insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg &&
	    insn->dst_reg) {
		if (insn->dst_reg & HUP_SEAL_ARG_CTX)
			return 0;
		return insn->off < 0 ? -1 : (int)hup_seal_frames(insn->off);
	}
	if (hup_insn_r10_base(insn))
		return insn->off < 0 ? -1 : (int)hup_seal_frames(insn->off);
	return names ? -1 : 0;
}

/*
 * The lowest in-frame offset (>= -HUP_STACK_SIZE) sealed insn may touch
 * in any frame, 0 for none: a stack access or helper buffer at its static
 * offset (a buffer runs from there up to the frame's top, where its size
 * is clamped).  Nothing else of a sealed program touches a stack: r10
 * copied into another register (a loop's data pointer) is a value, and
 * an access through that register goes to the view (engine.h).
 */
static int32_t stack_low(const struct hup_jit_ctx *ctx,
			 const struct bpf_insn *insn)
{
	int32_t o;

	if (!stack_reach(ctx, insn) ||
	    (!(insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg &&
	       insn->dst_reg) && !hup_insn_r10_base(insn)))
		return 0;
	o = insn->off < 0 ? insn->off : hup_seal_frame_off(insn->off);
	return o < -(int32_t)HUP_STACK_SIZE ? -(int32_t)HUP_STACK_SIZE : o;
}

/* Whether the back end emits a call for insn: any call but one of a
 * helper no table has (a sealed trap), which is a jump to the abort stub. */
static bool emits_call(const struct hup_jit_ctx *ctx,
		       const struct bpf_insn *insn)
{
	const struct hup_helper_table *h = ctx->helpers;
	uint32_t id = (uint32_t)insn->imm;

	if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg)
		return true;
	return h && id < h->nr && h->fns[id];
}

/* Whether the back end emits a call of any kind for insn, which a light
 * callee may not make. */
static bool calls(const struct hup_jit_ctx *ctx, const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) &&
	       BPF_OP(insn->code) == BPF_CALL && emits_call(ctx, insn);
}

/* The BPF r6-r9 a sealed insn that makes no call writes (bit k: r(6 + k)). */
static uint8_t callee_saved_written(const struct bpf_insn *insn)
{
	uint8_t cls = BPF_CLASS(insn->code);

	if ((cls == BPF_JMP || cls == BPF_JMP32) &&
	    BPF_OP(insn->code) == BPF_CALL)
		return 0;
	return (uint8_t)((hup_insn_writes(insn) >> BPF_REG_6) & 0xf);
}

/* Mark insns [start, end) a light callee saving `saves` (HUP_JIT_LIGHT). */
static void mark_light(struct hup_jit_ctx *ctx, size_t start, size_t end,
		       uint8_t saves)
{
	for (size_t k = start; k < end; k++)
		ctx->light[k] = (uint8_t)(HUP_JIT_LIGHT | saves);
}

/*
 * Which frames are cleared on entry (HUP_JIT_ZERO_FRAME): defence in
 * depth, as in the interpreter, so that a program never sees host bytes
 * left on the native stack even were the verifier wrong about what it
 * wrote first.  Clearing 512 bytes is most of a small callee's cost (a
 * rewritten loop's callback runs once per iteration), so it is done only
 * where the program can reach the frame.  Unsealed (trusted) programs:
 * every frame, if any instruction names r10 (pointers into a frame are raw
 * there).  Sealed ones reach a stack only through r10 at a static offset:
 * the function's own frame, or an ancestor's (offset >= 0), which is the
 * frame of a function that calls.  So a frame is cleared if its function
 * names its own frame or makes a BPF-to-BPF call; a leaf that reaches only
 * its callers' frames (a loop callback reading its caller's state) runs
 * without.  A function runs from its entry to the next one (what the
 * verifier accepts; only sealed programs are judged per function).  And
 * only the part any instruction can reach is cleared: from the lowest
 * static offset of any sealed access or buffer of the program, in any
 * frame (ctx->zero_from), up; below it no instruction reads or writes.
 */
static void jit_frames(struct hup_jit_ctx *ctx)
{
	const struct bpf_insn *insns = ctx->insns;
	bool sealed = ctx->conf->sealed, any = false, zero = false;
	size_t i, start = 0;
	int reach, up = 0;
	uint8_t saves = 0;
	bool calling = false;
	int32_t low = 0, o;

	for (i = 0; i <= ctx->cnt; i++) {
		if (i == ctx->cnt ||
		    (i && (ctx->call_target[i] & HUP_JIT_CALLEE))) {
			if (sealed && zero)
				ctx->call_target[start] |= HUP_JIT_ZERO_FRAME;
			else if (sealed && start && !calling)
				mark_light(ctx, start, i, saves);
			ctx->frames_up[start] = (uint8_t)up;
			if (i == ctx->cnt)
				break;
			start = i;
			zero = false;
			up = 0;
			saves = 0;
			calling = false;
		}
		if (ctx->imm_hi[i])
			continue;
		saves |= callee_saved_written(&insns[i]);
		calling |= calls(ctx, &insns[i]);
		reach = stack_reach(ctx, &insns[i]);
		if (reach < 0 || hup_insn_is_pseudo_call(&insns[i]))
			zero = true;
		o = stack_low(ctx, &insns[i]);
		if (o < low)
			low = o;
		if (reach > up)
			up = reach;
		if (insns[i].dst_reg == BPF_REG_10 ||
		    insns[i].src_reg == BPF_REG_10)
			any = true;
	}
	/* whole 16-byte stores; whole 64-byte rounds past 64 bytes */
	low = -((-low + 15) & ~15);
	if (low < -64)
		low = -((-low + 63) & ~63);
	ctx->zero_from = sealed ? low : -(int32_t)HUP_STACK_SIZE;
	if (sealed || !any)
		return;
	for (i = 0; i < ctx->cnt; i++)
		if (!i || (ctx->call_target[i] & HUP_JIT_CALLEE))
			ctx->call_target[i] |= HUP_JIT_ZERO_FRAME;
}

/*
 * The structural facts the back end relies on: ldimm64 has its second
 * slot, no jump or call lands outside the program or inside an ldimm64.
 * Also marks callees and notes whether callx needs the helper table.
 */
static int jit_scan(struct hup_jit_ctx *ctx)
{
	const struct bpf_insn *insns = ctx->insns;
	size_t i;

	for (i = 0; i < ctx->cnt; i++) {
		if (!hup_insn_is_ldimm64(&insns[i]))
			continue;
		/* the interpreter faults on these at run time; let it */
		if (i + 1 >= ctx->cnt || insns[i + 1].code) {
			hup_log__line(ctx->log, "%zu: jit: malformed ldimm64", i);
			return -EOPNOTSUPP;
		}
		ctx->imm_hi[++i] = 1;
	}
	for (i = 0; i < ctx->cnt; i++) {
		const struct bpf_insn *insn = &insns[i];
		uint8_t cls = BPF_CLASS(insn->code);
		int64_t t;

		if (ctx->imm_hi[i])
			continue;
		if (cls != BPF_JMP && cls != BPF_JMP32)
			continue;
		switch (BPF_OP(insn->code)) {
		case BPF_EXIT:
			continue;
		case BPF_CALL:
			if (insn->code == (BPF_JMP | BPF_CALL | BPF_X))
				ctx->has_callx = true;
			if (!hup_insn_is_pseudo_call(insn))
				continue;
			t = (int64_t)i + 1 + insn->imm;
			if (!jit_target_ok(ctx, t, false)) {
				hup_log__line(ctx->log,
					      "%zu: jit: call target %lld out of "
					      "range", i, (long long)t);
				return -EOPNOTSUPP;
			}
			ctx->call_target[t] |= HUP_JIT_CALLEE;
			continue;
		}
		t = (int64_t)i + 1 + hup_insn_jump_off(insn);
		if (!jit_target_ok(ctx, t, true)) {
			hup_log__line(ctx->log, "%zu: jit: jump target %lld out "
				      "of range", i, (long long)t);
			return -EOPNOTSUPP;
		}
		if (t == (int64_t)ctx->cnt)
			ctx->target_end = true;
		else
			ctx->call_target[t] |= HUP_JIT_JUMPED_TO;
	}
	if (ctx->has_callx && ctx->helpers &&
	    (ctx->helpers->nr > HUP_JIT_MAX_HELPERS ||
	     (ctx->helpers->nr && !ctx->helpers->fns))) {
		hup_log__line(ctx->log, "jit: helper table too large for callx");
		return -EOPNOTSUPP;
	}
	if (ctx->has_callx && !ctx->helpers)
		ctx->has_callx = false; /* every callx aborts; no table */
	jit_frames(ctx);
	return 0;
}

int hup_jit__fixup(struct hup_jit_ctx *ctx, size_t insn, uint32_t begin,
		   uint32_t end, uint32_t pad)
{
	if (ctx->nr_fx == ctx->cap_fx) {
		uint32_t cap = ctx->cap_fx ? 2 * ctx->cap_fx : 16;
		struct hup_code_fixup *fx = realloc(ctx->fx, cap * sizeof(*fx));

		if (!fx)
			return hup_jit__fail(ctx, insn, -ENOMEM);
		ctx->fx = fx;
		ctx->cap_fx = cap;
	}
	ctx->fx[ctx->nr_fx++] = (struct hup_code_fixup){begin, end, pad};
	return 0;
}

/* In a padding pass: fill insn i's block up to its size in the previous
 * pass.  It can only have shrunk (see the top of this file). */
static void jit_pad(struct hup_jit_ctx *ctx, size_t i)
{
	uint32_t want = ctx->old.blk[i + 1] - ctx->old.blk[i];
	uint32_t have = ctx->out.pos - ctx->cur.blk[i];

	if (have < want)
		hup_jit_x86__nops(ctx, want - have);
}

/* One pass over the program into ctx->out, filling ctx->cur. */
static int jit_pass(struct hup_jit_ctx *ctx)
{
	struct hup_jit_buf *b = &ctx->out;
	size_t i, cnt = ctx->cnt;
	const struct bpf_insn *last;

	b->pos = 0;
	b->overflow = false;
	ctx->err = 0;
	ctx->nr_fx = 0;
	hup_jit__region(ctx, 0);
	hup_jit_x86__prologue(ctx);
	for (i = 0; i < cnt; i++) {
		ctx->cur.blk[i] = ctx->cur.entry[i] = b->pos;
		if (ctx->imm_hi[i]) { /* emitted with its first slot */
			ctx->cur.code[i] = b->pos;
			continue;
		}
		hup_jit__region(ctx, ctx->old.blk[i]);
		if (ctx->call_target[i] & HUP_JIT_CALLEE)
			hup_jit_x86__callee_entry(ctx, i);
		ctx->cur.code[i] = b->pos;
		ctx->at_light = ctx->light[i];
		if (hup_jit_x86__insn(ctx, i) || ctx->err)
			return ctx->err;
		if (ctx->pad)
			jit_pad(ctx, i);
	}
	ctx->cur.blk[cnt] = ctx->cur.entry[cnt] = ctx->cur.code[cnt] = b->pos;
	hup_jit__region(ctx, ctx->old.blk[cnt]);
	last = &ctx->insns[cnt - 1];
	hup_jit_x86__tail(ctx, ctx->target_end || ctx->imm_hi[cnt - 1] ||
				       hup_jit__falls_through(last));
	ctx->cur.len = b->pos;
	return ctx->err;
}

/*
 * Bytes of int3 in front of the entry.  Clang's -fsanitize=function reads
 * the 8 bytes before any function called through a pointer, looking for
 * its signature marker; they must be mapped (and are not the marker).
 */
#define JIT_ENTRY_PAD 16u

/* Copy the converged code into a fresh mapping and make it read+exec. */
static int jit_seal(struct hup_jit_ctx *ctx, struct hup_jit_image *img)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = JIT_ENTRY_PAD + ctx->cur.len, mem_len;
	void *mem;

	if (page <= 0)
		page = 4096;
	mem_len = (len + (size_t)page - 1) & ~((size_t)page - 1);
	mem = mmap(NULL, mem_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -ENOMEM;
	memset(mem, 0xcc, mem_len); /* int3 wherever there is no code */
	memcpy((uint8_t *)mem + JIT_ENTRY_PAD, ctx->out.mem, ctx->cur.len);
	if (mprotect(mem, mem_len, PROT_READ | PROT_EXEC)) {
		int err = -errno;

		munmap(mem, mem_len);
		return err;
	}
	__builtin___clear_cache((char *)mem, (char *)mem + len);
	img->mem = mem;
	img->mem_len = mem_len;
	img->code_len = ctx->cur.len;
	/* the pads' table: the converged pass's, handed over */
	img->fixups = ctx->nr_fx ? ctx->fx : NULL;
	img->nr_fixups = ctx->nr_fx;
	if (ctx->nr_fx)
		ctx->fx = NULL;
	/* via void *: code has no alignment for -Wcast-align to weigh */
	img->entry = (hup_jit_entry)(void *)((uint8_t *)mem + JIT_ENTRY_PAD);
	return 0;
}

int hup_jit__compile(const struct bpf_insn *insns, size_t cnt,
		     const struct hup_helper_table *helpers,
		     struct hup_jit_image *img, struct hup_log *log)
{
	return hup_jit__compile_confined(insns, cnt, helpers, NULL, img, log);
}

int hup_jit__compile_confined(const struct bpf_insn *insns, size_t cnt,
			      const struct hup_helper_table *helpers,
			      const struct hup_confine *c,
			      struct hup_jit_image *img, struct hup_log *log)
{
	struct hup_jit_ctx ctx = {
		.insns = insns, .cnt = cnt, .helpers = helpers, .log = log,
		.conf = c ? c : &hup_confine_none,
	};
	unsigned int pass;
	int ret;

	if (!img)
		return -EINVAL;
	memset(img, 0, sizeof(*img));
	if (!insns || !cnt || cnt > HUP_JIT_MAX_INSNS) {
		hup_log__line(log, "jit: %zu instructions, not compiling", cnt);
		return -EOPNOTSUPP;
	}
	ctx.call_target = calloc(cnt, 1);
	ctx.frames_up = calloc(cnt, 1);
	ctx.light = calloc(cnt, 1);
	ctx.imm_hi = calloc(cnt, 1);
	ret = -ENOMEM;
	if (!ctx.call_target || !ctx.frames_up || !ctx.light || !ctx.imm_hi ||
	    layout_alloc(&ctx.old, cnt) || layout_alloc(&ctx.cur, cnt))
		goto out;
	ret = jit_scan(&ctx);
	if (!ret)
		ret = hup_jit__facts(&ctx);
	if (ret)
		goto out;
	ctx.bmi2 = hup_jit_x86__bmi2();

	for (pass = 0;; pass++) {
		if (pass >= HUP_JIT_MAX_PASSES) {
			hup_log__line(log, "jit: code size did not converge "
				      "in %u passes", pass);
			ret = -EOPNOTSUPP;
			goto out;
		}
		ctx.force_near = pass == 0;
		ctx.pad = pass >= HUP_JIT_PAD_PASS;
		ret = jit_pass(&ctx);
		if (ret)
			goto out;
		if (pass > 0 && !ctx.out.overflow &&
		    layout_equal(&ctx.old, &ctx.cur, cnt))
			break;
		/* Pass 0's size bounds every later pass; grow if not. */
		if (ctx.cur.len > ctx.out.cap) {
			uint8_t *mem = realloc(ctx.out.mem, ctx.cur.len);

			ret = -ENOMEM;
			if (!mem)
				goto out;
			ctx.out.mem = mem;
			ctx.out.cap = ctx.cur.len;
		}
		layout_copy(&ctx.old, &ctx.cur, cnt);
	}
	ret = jit_seal(&ctx, img);

out:
	free(ctx.out.mem);
	layout_free(&ctx.old);
	layout_free(&ctx.cur);
	free(ctx.call_target);
	free(ctx.frames_up);
	free(ctx.light);
	free(ctx.imm_hi);
	free(ctx.facts);
	free(ctx.fx);
	return ret;
}

void hup_jit__free(struct hup_jit_image *img)
{
	if (!img)
		return;
	if (img->mem)
		munmap(img->mem, img->mem_len);
	free(img->fixups);
	memset(img, 0, sizeof(*img));
}
