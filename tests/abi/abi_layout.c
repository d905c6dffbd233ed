/*
 * ABI layout check, compiled in every userspace setting the ABI header must
 * build in (host C11, static guest-userspace, C++17).  The expected offsets
 * below restate docs/abi.md independently of the header's own static
 * asserts, so a change to either one alone fails here.
 */
#include <hyperupcall/abi.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#ifndef ABI_SETTING
#define ABI_SETTING "host-c11"
#endif

struct field {
	const char *name;
	size_t got, want;
};

#define F(type, member, off) {#type "." #member, offsetof(type, member), off}
#define S(type, size) {"sizeof(" #type ")", sizeof(type), size}

static const struct field fields[] = {
	S(struct hup_request, 328),
	F(struct hup_request, magic, 0),
	F(struct hup_request, abi_version, 4),
	F(struct hup_request, op, 8),
	F(struct hup_request, flags, 12),
	F(struct hup_request, result, 16),
	F(struct hup_request, prog_id, 20),
	F(struct hup_request, event, 24),
	F(struct hup_request, insn_cnt, 28),
	F(struct hup_request, insns_gpa, 32),
	F(struct hup_request, event_arg, 40),
	F(struct hup_request, log_gpa, 48),
	F(struct hup_request, log_size, 56),
	F(struct hup_request, log_len, 60),
	F(struct hup_request, nr_windows, 64),
	F(struct hup_request, windows, 72),
	F(struct hup_request, name, 264),
	F(struct hup_request, stat_runs, 296),
	F(struct hup_request, stat_aborts, 304),
	F(struct hup_request, stat_run_ns, 312),
	F(struct hup_request, jited_len, 320),
	S(struct hup_window, 24),
	F(struct hup_window, gva, 0),
	F(struct hup_window, size, 8),
	F(struct hup_window, prot, 16),
	F(struct hup_window, kind, 20),
	S(struct hup_trace_ctx, 64),
	F(struct hup_trace_ctx, host_ns, 0),
	F(struct hup_trace_ctx, guest_tsc, 8),
	F(struct hup_trace_ctx, vcpu, 16),
	F(struct hup_trace_ctx, kind, 20),
	F(struct hup_trace_ctx, reason, 24),
	F(struct hup_trace_ctx, arg, 32),
	S(struct hup_msr_ctx, 24),
	F(struct hup_msr_ctx, vcpu, 8),
	F(struct hup_msr_ctx, msr, 12),
	F(struct hup_msr_ctx, value, 16),
	S(struct hup_reclaim_ctx, 80),
	F(struct hup_reclaim_ctx, pfn_start, 0),
	F(struct hup_reclaim_ctx, nr_pfns, 8),
	F(struct hup_reclaim_ctx, free, 16),
	S(struct hup_resume_ctx, 24),
	F(struct hup_resume_ctx, paused_ns, 8),
	F(struct hup_resume_ctx, vcpu, 16),
	F(struct hup_resume_ctx, actions, 20),
	S(struct hup_query_ctx, 40),
	F(struct hup_query_ctx, arg, 8),
	S(struct hup_desched_ctx, 32),
	F(struct hup_desched_ctx, host_ns, 0),
	F(struct hup_desched_ctx, descheduled_ns, 8),
	F(struct hup_desched_ctx, vcpu, 16),
	F(struct hup_desched_ctx, run, 20),
	F(struct hup_desched_ctx, actions, 24),
	F(struct hup_desched_ctx, reserved, 28),
	/* Error codes are Linux errno values. */
	{"HUP_EPERM", HUP_EPERM, EPERM},
	{"HUP_ENOENT", HUP_ENOENT, ENOENT},
	{"HUP_ENOMEM", HUP_ENOMEM, ENOMEM},
	{"HUP_EACCES", HUP_EACCES, EACCES},
	{"HUP_EFAULT", HUP_EFAULT, EFAULT},
	{"HUP_EBUSY", HUP_EBUSY, EBUSY},
	{"HUP_EINVAL", HUP_EINVAL, EINVAL},
	{"HUP_ENOSPC", HUP_ENOSPC, ENOSPC},
	{"HUP_E2BIG", HUP_E2BIG, E2BIG},
	{"HUP_ENODEV", HUP_ENODEV, ENODEV},
	{"HUP_EOPNOTSUPP", HUP_EOPNOTSUPP, EOPNOTSUPP},
	{"HUP_EPROTO", HUP_EPROTO, EPROTO},
	{"HUP_EADDRNOTAVAIL", HUP_EADDRNOTAVAIL, EADDRNOTAVAIL},
};

int main(void)
{
	char sig[13];
	unsigned int words[3] = {HUP_CPUID_SIG_EBX, HUP_CPUID_SIG_ECX,
				 HUP_CPUID_SIG_EDX};
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].got != fields[i].want) {
			printf("%s: %s is %zu, expected %zu\n", ABI_SETTING,
			       fields[i].name, fields[i].got, fields[i].want);
			bad++;
		}
	}
	/* The discovery signature is read as ebx, ecx, edx in that order. */
	memcpy(sig, words, 12);
	sig[12] = '\0';
	if (strcmp(sig, "HyperUpcall!") != 0) {
		printf("%s: CPUID signature reads \"%s\"\n", ABI_SETTING, sig);
		bad++;
	}
	if (HUP_ABI_VERSION != ((HUP_ABI_MAJOR << 16) | HUP_ABI_MINOR)) {
		printf("%s: HUP_ABI_VERSION encoding\n", ABI_SETTING);
		bad++;
	}
	printf("%s: %zu checks, %d failed\n", ABI_SETTING,
	       sizeof(fields) / sizeof(fields[0]) + 2, bad);
	return bad ? 1 : 0;
}
