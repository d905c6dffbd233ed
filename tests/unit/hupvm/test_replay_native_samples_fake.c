// SPDX-License-Identifier: BSD-2-Clause
/*
 * hupreplay's native ports of the samples other than free_discard
 * (test_replay_native_fake.c has that one) on a fake guest kernel, three
 * ways on one snapshot: the program replayed under the JIT, under the
 * interpreter, and the native port in its place (native.h), each through
 * the backend entry its event uses.  The answers must be equal byte for
 * byte, and equal to what the fake kernel holds:
 *
 *   - msr_guard (backend__msr_denied): the verdicts on values around the
 *     refused one;
 *   - tracing (backend__trace): the trace ring after more events than it
 *     holds (a wrap of its index, then overflows), entries and counters,
 *     host_ns aside (each engine's events happen at other times);
 *   - ps (backend__query): the comms of a task list longer than the
 *     sample's bound, output and return value;
 *   - dmesg (backend__query): the records of a printk ring a reader may
 *     show (fakesamples.h: finalized, committed, wrapped, truncated,
 *     without text, of another wrap...), the whole tail and its last 3;
 *     and on a kernel without printk_info.level, the refusal and its host
 *     log line;
 *   - tlb_shootdown (backend__desched): a vCPU in lazy TLB mode left
 *     alone, then its flush requests acknowledged and unlinked, the other
 *     queued calls left in order, a flush asked; then nothing left to do:
 *     the actions of each run and the queue and calls after them.
 *
 * A port is refused for an object that is not the snapshot's program, and
 * ps's for a BTF the guest's object was not relocated against; a program
 * no port restates (not_a_sample.c) has none.
 *
 *   test_hupvm_replay_native_samples_fake MSR_GUARD_O TRACING_O PS_O DMESG_O \
 *                                         TLB_SHOOTDOWN_O NOT_A_SAMPLE_O
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "hup_test_budget.h"
#include "fakesamples.h"
#include "native.h"
#include "replay.h"
#include "snapshot.h"

#define RAM	   (64ull << 20)
#define RING_CAP   16u
#define RING_HEAD0 13u	/* the first slot: the index wraps at 16 */
#define TRACE_RUNS 20u	/* RING_CAP written, the rest overflow */
#define NR_TASKS   130u /* init_task's list: past ps's 128 */
#define PS_MAX	   128u

#define ANSWER_MAX 8192u

static char dir[] = "/tmp/hup-native-samples-XXXXXX";
static struct fake_kernel k;

static uint8_t *gmem(uint64_t gpa, uint64_t len)
{
	return fg_hva(&k.g, gpa, len);
}

struct answer {
	int err; /* the replay's, or the native port's setup */
	uint64_t r0;
	size_t len;
	uint8_t out[ANSWER_MAX];
	uint64_t run_errors;
	char log[512]; /* debug_print lines, one per line */
};

/* struct dmesg_rec of the sample, as it lands in the answer. */
struct dmesg_rec {
	uint64_t seq, ts_nsec;
	uint16_t text_len;
	uint8_t facility, level;
	char text[128];
};

static void log_line(void *opaque, const char *line, uint32_t len)
{
	struct answer *a = opaque;
	size_t n = strlen(a->log);

	snprintf(a->log + n, sizeof(a->log) - n, "%.*s\n", (int)len, line);
}

enum engine { JIT, INTERP, NATIVE };
static const char *const engine_name[] = {"JIT", "interpreter", "native"};

static const uint64_t msr_values[] = {
    0, 1, 0xdeac, 0xdead, 0xdeae, 0xdead0000, 0x100000000000dead, 0xdead};

static void ev_msr(struct replay *r, struct answer *a)
{
	for (size_t i = 0; i < ARRAY_LEN(msr_values); i++)
		a->out[a->len++] = (uint8_t)backend__msr_denied(
		    &r->b, 0, FS_TSC_AUX, msr_values[i]);
}

static void ev_trace(struct replay *r, struct answer *a)
{
	const size_t size = sizeof(struct hup_trace_ring) + RING_CAP * 64;
	const void *ring;

	for (uint32_t i = 0; i < TRACE_RUNS; i++) {
		uint64_t arg[4] = {i, ~(uint64_t)i, 0x1234567890ull * i,
				   1ull << (i % 64)};

		backend__trace(&r->b, 0, i % 3, 100 + i, arg);
	}
	ring = mem__gpa_to_hva(&r->mem, FS_RING_GPA, size);
	memcpy(a->out, ring, size);
	a->len = size;
	/* each engine's events happen at their own times */
	for (uint32_t i = 0; i < RING_CAP; i++)
		memset(a->out + sizeof(struct hup_trace_ring) +
			   i * sizeof(struct hup_trace_entry) +
			   offsetof(struct hup_trace_entry, host_ns),
		       0, 8);
}

static void ev_ps(struct replay *r, struct answer *a)
{
	const uint64_t args[4] = {0, 0, 0, 0};

	a->err = replay__query(r, args, (char *)a->out, sizeof(a->out), &a->len,
			       &a->r0);
}

/* The queue head and the calls, as they are in r's RAM, appended. */
static void tlb_state(struct replay *r, struct answer *a)
{
	size_t n = ARRAY_LEN(fs_csds) * FS_CSD_SIZE;

	memcpy(a->out + a->len,
	       mem__gpa_to_hva(&r->mem, FS_PERCPU_GPA + FS_CALL_QUEUE, 8), 8);
	memcpy(a->out + a->len + 8, mem__gpa_to_hva(&r->mem, FS_CSD_GPA, n), n);
	a->len += 8 + n;
}

/* vCPU 0 descheduled three times: in lazy TLB mode, out of it, again;
 * each run's actions (a byte) and the queue after it; r0 unused. */
static void ev_tlb(struct replay *r, struct answer *a)
{
	uint8_t *lazy =
	    mem__gpa_to_hva(&r->mem, FS_PERCPU_GPA + FS_TLBSTATE, 1);

	for (int run = 0; run < 3; run++) {
		*lazy = run == 0;
		a->out[a->len++] =
		    (uint8_t)backend__desched(&r->b, 0, 1000, (uint32_t)run);
		tlb_state(r, a);
	}
}

/* The whole tail, then the last 3 records: both answers, one after the
 * other; r0 the first's count, plus the second's << 32. */
static void ev_dmesg(struct replay *r, struct answer *a)
{
	const uint64_t all[4] = {0, 0, 0, 0}, last3[4] = {3, 0, 0, 0};
	uint64_t r0 = 0;
	size_t len = 0;

	a->err = replay__query(r, all, (char *)a->out, sizeof(a->out), &a->len,
			       &a->r0);
	if (!a->err)
		a->err = replay__query(r, last3, (char *)a->out + a->len,
				       sizeof(a->out) - a->len, &len, &r0);
	a->len += len;
	a->r0 += r0 << 32;
}

/* Replay program id of snap under engine (native: obj's port with btf)
 * and record its answer; 0, or the native port's refusal (err has it). */
static int replay(const char *snap, uint32_t id, enum engine e, const char *obj,
		  const char *btf, void (*ev)(struct replay *, struct answer *),
		  struct answer *a, char *err, size_t errlen)
{
	struct replay_opts o = {.no_jit = e == INTERP,
				.run_budget_us = HUP_TEST_RUN_BUDGET_US,
				.line = log_line,
				.opaque = a};
	struct replay *r = malloc(sizeof(*r));
	struct native *n = NULL;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	err[0] = 0;
	CHECK_EQ(replay__open(r, snap, id, &o, err, errlen), 0);
	if (e == NATIVE) {
		ret = native__open(&n, r, obj, btf, err, errlen);
		if (ret)
			goto out;
	}
	ev(r, a);
	a->run_errors = atomic_load(&r->b.st.run_errors);
out:
	native__close(n);
	replay__close(r);
	free(r);
	return ret;
}

/* JIT, interpreter and native: the same answer, which is want (len
 * bytes), r0 and the host log lines log. */
static void agree_log(const char *what, const char *snap, uint32_t id,
		      const char *obj, const char *btf,
		      void (*ev)(struct replay *, struct answer *),
		      const uint8_t *want, size_t len, uint64_t r0,
		      const char *log)
{
	static struct answer a;
	char err[512];

	for (enum engine e = JIT; e <= NATIVE; e++) {
		if (replay(snap, id, e, obj, btf, ev, &a, err, sizeof(err))) {
			fprintf(stderr, "%s native: %s\n", what, err);
			CHECK(0);
			continue;
		}
		CHECK_EQ(a.err, 0);
		CHECK_EQ(a.run_errors, 0);
		CHECK_EQ(a.r0, r0);
		CHECK_EQ(a.len, len);
		if (strcmp(a.log, log)) {
			fprintf(stderr, "%s: %s logged '%s', not '%s'\n", what,
				engine_name[e], a.log, log);
			CHECK(0);
		}
		if (a.len != len || memcmp(a.out, want, len)) {
			fprintf(stderr, "%s: the %s answer differs\n", what,
				engine_name[e]);
			CHECK(0);
		}
	}
	if (!check_failures)
		printf("%s: %zu bytes alike under the JIT, the interpreter "
		       "and natively\n",
		       what, len);
}

static void agree(const char *what, const char *snap, uint32_t id,
		  const char *obj, const char *btf,
		  void (*ev)(struct replay *, struct answer *),
		  const uint8_t *want, size_t len, uint64_t r0)
{
	agree_log(what, snap, id, obj, btf, ev, want, len, r0, "");
}

/* The native port refuses obj (with btf) for program id with errno e,
 * saying why. */
static void refused_e(const char *snap, uint32_t id, const char *obj,
		      const char *btf, int e, const char *why)
{
	static struct answer a;
	char err[512];

	CHECK_EQ(
	    replay(snap, id, NATIVE, obj, btf, ev_msr, &a, err, sizeof(err)),
	    e);
	if (!strstr(err, why)) {
		fprintf(stderr, "refusal '%s' does not say '%s'\n", err, why);
		CHECK(0);
	}
}

static void refused(const char *snap, uint32_t id, const char *obj,
		    const char *btf, const char *why)
{
	refused_e(snap, id, obj, btf, -EINVAL, why);
}

static void want_msr(uint8_t *w)
{
	for (size_t i = 0; i < ARRAY_LEN(msr_values); i++)
		w[i] = msr_values[i] == 0xdead;
}

/* The ring as the sample leaves it: RING_CAP entries from RING_HEAD0
 * on, the rest counted as overflow. */
static size_t want_trace(uint8_t *w)
{
	static union {
		struct hup_trace_ring r;
		uint8_t bytes[sizeof(struct hup_trace_ring) + RING_CAP * 64];
	} u;
	struct hup_trace_ring *ring = &u.r;

	memcpy(u.bytes, gmem(FS_RING_GPA, sizeof(u)), sizeof(u));
	for (uint32_t i = 0; i < TRACE_RUNS; i++) {
		uint64_t slot = RING_HEAD0 + i;
		struct hup_trace_entry *e = &ring->entries[slot % RING_CAP];

		if (i >= RING_CAP) {
			ring->overflow++;
			continue;
		}
		*e = (struct hup_trace_entry){
		    .seq = slot + 1,
		    .vcpu = 0,
		    .kind = (uint16_t)(i % 3),
		    .reason = (uint16_t)(100 + i),
		    .arg = {i, ~(uint64_t)i, 0x1234567890ull * i,
			    1ull << (i % 64)},
		};
		ring->head = slot + 1;
	}
	memcpy(w, u.bytes, sizeof(u));
	return sizeof(u);
}

/* The records of fs_printk a reader shows, of the last n ids (all: 0),
 * appended at w; *count of them. */
static size_t want_dmesg(uint8_t *w, unsigned int n, uint64_t *count)
{
	size_t len = 0, first = n ? ARRAY_LEN(fs_printk) - n : 0;

	*count = 0;
	for (size_t i = first; i < ARRAY_LEN(fs_printk); i++) {
		const struct fs_printk_rec *p = &fs_printk[i];
		struct dmesg_rec r;
		size_t t = p->begin == 3 ? 0 : p->text_len;

		if (!p->shown)
			continue;
		memset(&r, 0, sizeof(r));
		r.seq = p->seq;
		r.ts_nsec = p->ts;
		r.text_len = (uint16_t)t;
		r.facility = p->facility;
		r.level = p->level;
		memcpy(r.text, p->text, t < 127 ? t : 127);
		memcpy(w + len, &r, sizeof(r));
		len += sizeof(r);
		(*count)++;
	}
	return len;
}

/* ev_tlb's answer: the sample's, by the table of fs_csds. */
static size_t want_tlb(uint8_t *w)
{
	const size_t n = ARRAY_LEN(fs_csds);
	uint8_t csd[ARRAY_LEN(fs_csds)][FS_CSD_SIZE];
	uint64_t head = fs_csd_gva(0), after[ARRAY_LEN(fs_csds)];
	size_t len = 0;

	/* before: as fs_build_tlb queued them */
	for (size_t i = 0; i < n; i++) {
		memset(csd[i], 0, FS_CSD_SIZE);
		fk_put64(csd[i], i + 1 < n ? fs_csd_gva(i + 1) : 0);
		fk_put32(csd[i] + 8, fs_csds[i].flags);
		fk_put64(csd[i] + 16, fs_csds[i].func);
	}
	for (int run = 0; run < 3; run++) {
		if (run == 1) {
			/* the acked ones out of the list, their lock clear;
			 * each kept one points at the next kept */
			uint64_t next = 0;

			for (size_t i = n; i-- > 0;) {
				after[i] = next;
				if (!fs_csds[i].acked)
					next = fs_csd_gva(i);
			}
			head = next;
			for (size_t i = 0; i < n; i++) {
				if (fs_csds[i].acked) {
					fk_put32(csd[i] + 8,
						 fs_csds[i].flags & ~1u);
					continue;
				}
				fk_put64(csd[i], after[i]);
			}
		}
		w[len++] = run == 1 ? HUP_ENTRY_FLUSH_TLB : 0;
		memcpy(w + len, &head, 8);
		memcpy(w + len + 8, csd, sizeof(csd));
		len += 8 + sizeof(csd);
	}
	return len;
}

static size_t want_ps(uint8_t *w)
{
	for (unsigned int i = 1; i <= PS_MAX; i++)
		memcpy(w + (i - 1) * 16, fs_task(&k, i) + FS_TASK_COMM, 16);
	return PS_MAX * 16;
}

int main(int argc, char **argv)
{
	static uint8_t want[ANSWER_MAX];
	const char *obj_msr, *obj_trace, *obj_ps, *obj_dmesg, *obj_tlb,
	    *obj_none;
	char btf[300], other[300], nolevel[300], snap[300];
	uint64_t all, last3;
	uint32_t ids[5], dm_nolevel, none;
	size_t len;

	if (argc != 7 || !mkdtemp(dir)) {
		fprintf(stderr,
			"usage: %s MSR_GUARD_O TRACING_O PS_O DMESG_O "
			"TLB_SHOOTDOWN_O NOT_A_SAMPLE_O\n",
			argv[0]);
		return 2;
	}
	obj_msr = argv[1];
	obj_trace = argv[2];
	obj_ps = argv[3];
	obj_dmesg = argv[4];
	obj_tlb = argv[5];
	obj_none = argv[6];
	snprintf(btf, sizeof(btf), "%s/vmlinux.btf", dir);
	snprintf(other, sizeof(other), "%s/other.btf", dir);
	snprintf(nolevel, sizeof(nolevel), "%s/nolevel.btf", dir);
	snprintf(snap, sizeof(snap), "%s/guest.snap", dir);
	CHECK_EQ(fs_write_btf(btf, FS_TASK_COMM, 0), 0);
	/* not the guest's */
	CHECK_EQ(fs_write_btf(other, FS_TASK_COMM + 8, 0), 0);
	CHECK_EQ(fs_write_btf(nolevel, FS_TASK_COMM, 1), 0);
	if (!fk_init(&k, RAM, false)) {
		fprintf(stderr, "no fake kernel\n");
		return 1;
	}
	k.be.run_budget_us = HUP_TEST_RUN_BUDGET_US;
	fs_build_ring(&k, RING_CAP, RING_HEAD0);
	fs_build_tasks(&k, NR_TASKS);
	fs_build_printk(&k);
	fs_build_tlb(&k, 1);
	if (fs_register(&k, obj_msr, obj_trace, obj_ps, obj_dmesg, obj_tlb, btf,
			ids) ||
	    !(dm_nolevel = fs_register_query(&k, obj_dmesg, nolevel)) ||
	    !(none = fs_register_query(&k, obj_none, btf))) {
		fprintf(stderr, "registration: %s\n", k.err);
		return 1;
	}
	CHECK_EQ(fk_dump(&k, snap), 0);

	want_msr(want);
	agree("msr_guard", snap, ids[0], obj_msr, btf, ev_msr, want,
	      ARRAY_LEN(msr_values), 0);
	len = want_trace(want);
	agree("tracing", snap, ids[1], obj_trace, btf, ev_trace, want, len, 0);
	len = want_ps(want);
	agree("ps", snap, ids[2], obj_ps, btf, ev_ps, want, len, PS_MAX);
	len = want_dmesg(want, 0, &all);
	len += want_dmesg(want + len, 3, &last3);
	CHECK_EQ(all, 5);
	CHECK_EQ(last3, 2);
	agree("dmesg", snap, ids[3], obj_dmesg, btf, ev_dmesg, want, len,
	      all + (last3 << 32));
	agree_log("dmesg without printk_info.level", snap, dm_nolevel,
		  obj_dmesg, nolevel, ev_ps, want, 0, (uint64_t)-EOPNOTSUPP,
		  "dmesg: unknown printk_ringbuffer layout\n");
	len = want_tlb(want);
	agree("tlb_shootdown", snap, ids[4], obj_tlb, btf, ev_tlb, want, len,
	      0);

	/* not the snapshot's program: another sample's object, another
	 * kernel's layout */
	refused(snap, ids[0], obj_ps, btf, "has no msr_write program");
	refused(snap, ids[1], obj_msr, btf, "has no trace program");
	refused(snap, ids[2], obj_ps, other, "differs from the snapshot's");
	refused(snap, ids[3], obj_ps, btf, "not the same program");
	refused(snap, dm_nolevel, obj_dmesg, btf, "differs from the");
	refused(snap, ids[4], obj_dmesg, btf, "has no vcpu_desched program");
	refused_e(snap, none, obj_none, btf, -EOPNOTSUPP,
		  "no native port of the query program not_a_sample (ports: "
		  "free_discard, msr_guard, trace_to_ring, ps, dmesg, "
		  "tlb_shootdown)");

	fk_exit(&k);
	unlink(btf);
	unlink(other);
	unlink(nolevel);
	unlink(snap);
	rmdir(dir);
	return check_summary("replay_native_samples_fake");
}
