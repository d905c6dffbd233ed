/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hup_verify(): the verifier's entry point and pipeline.  Checks the
 * arguments and named limits, builds the env, runs the CFG pass (cfg.c)
 * and the path walk (walk.c), and reports what it learned.  The error
 * classes are fixed: -EINVAL malformed, -EACCES unsafe, -E2BIG too large
 * or too complex (and -ENOMEM); each rejection is one log line that starts
 * with the index of the instruction at fault.
 */
#include "env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int hup_verr(struct hup_venv *env, int err, uint32_t idx, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (!env->failed) {
		env->failed = true;
		env->err = -err;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		hup_log__line(env->log, "%u: %s", idx, msg);
	}
	return -err;
}

static bool mask_ok(uint64_t mask)
{
	/* 2^k - 1 with 12 <= k <= 47: a page at least, and small enough
	 * that offset arithmetic in mem.c/alu.c cannot overflow */
	return mask >= 0xfff && mask < (1ull << 47) && !(mask & (mask + 1));
}

int hup_verify(const struct bpf_insn *insns, size_t cnt,
	       const struct hup_verifier_opts *opts,
	       struct hup_verifier_info *info)
{
	struct hup_venv env = {0};
	struct hup_log *log = opts ? opts->log : NULL;
	unsigned int max = opts && opts->max_insns ? opts->max_insns :
						     HUP_MAX_INSNS;
	uint32_t s;
	int err;

	env.log = log;
	if (!opts || !insns) {
		return -EINVAL;
	}
	env.opts = opts;
	if (!cnt)
		return hup_verr(&env, EINVAL, 0, "empty program");
	if (cnt > max)
		return hup_verr(&env, E2BIG, max,
				"program too large: %zu insns (max %u)", cnt, max);
	env.ctx = hup_ctx__layout(opts->event);
	if (!env.ctx)
		return hup_verr(&env, EINVAL, 0, "unknown event %u", opts->event);
	if (opts->has_view && !mask_ok(opts->view_mask))
		return hup_verr(&env, EINVAL, 0, "bad view mask 0x%llx",
				(unsigned long long)opts->view_mask);
	env.insns = insns;
	env.cnt = (uint32_t)cnt;
	env.aux = calloc(cnt + 2, sizeof(*env.aux));
	if (!env.aux)
		return -ENOMEM;

	err = hup_cfg__check(&env);
	if (!err)
		err = hup_walk__run(&env);
	if (err == -ENOMEM && !env.failed)
		hup_verr(&env, ENOMEM, 0, "out of memory");

	if (!err && info) {
		info->stack_depth = 0;
		for (s = 0; s < env.nr_subprogs; s++)
			if (info->stack_depth < env.subprogs[s].stack_depth)
				info->stack_depth = env.subprogs[s].stack_depth;
		info->nr_subprogs = env.nr_subprogs;
		info->states_explored = env.insns_processed;
	}
	if (!err && opts->recs)
		for (s = 0; s < env.cnt; s++)
			opts->recs[s] = env.aux[s].rec;
	if (!err && log && log->level >= 1)
		hup_log__line(log,
			      "verified %u insns: %llu explored, %u stored states, %u subprogs, stack %u",
			      env.cnt, (unsigned long long)env.insns_processed,
			      env.nstored, env.nr_subprogs, env.max_stack_depth);
	hup_state__free_stored(&env);
	free(env.aux);
	free(env.subprogs);
	free(env.stack);
	return err;
}
