// SPDX-License-Identifier: GPL-2.0
/*
 * The trace path.  The module owns the trace ring (trace_ring.h) that a
 * HUP_EVENT_TRACE program (samples/tracing.c) fills on the host; programs
 * find it through the ksym HUP_TRACE_RING_KSYM.  While a program that may
 * write the ring is registered, a delayed work drains the ring every
 * trace_poll_ms and turns each entry into a hyperupcall:hv_event trace
 * event, so hypervisor events show up in /sys/kernel/tracing/trace beside
 * the guest's own.
 *
 * Timestamps.  The host records the vCPU's TSC at the event (guest_tsc:
 * the TSC this guest reads).  At each drain the reader samples the pair
 * (rdtsc, trace clock) with interrupts off, (tsc0, clock0).  An event
 * recorded since the previous drain's pair (tsc1, clock1) is placed
 * between the two pairs in proportion to its TSC:
 *
 *	ts = clock1 + (guest_tsc - tsc1) * (clock0 - clock1) / (tsc0 - tsc1)
 *
 * exact at both pairs and continuous from one drain to the next, so the
 * events of successive drains never go back in time whatever the trace
 * clock's rate against the TSC.  An event newer than tsc0 (recorded after
 * the pair was taken) ends the drain and waits for the next one, whose
 * pair places it the same way.  Placed at once, from tsc0 at the nominal
 * rate, it lands wherever that rate's error puts it, possibly after the
 * next drain's first events.  It happens where the drain worker can be
 * preempted mid-drain (PREEMPT_RT: in a nested run of the rt kernel, nine
 * port writes of the workload were recorded while one drain was
 * preempted, 2 ms past its pair).  Other events (the first drain, one
 * after a pause of the drains, one older than the previous pair: another
 * vCPU's, published after the previous drain passed its slot; one still
 * newer than the next drain's tsc0: another vCPU's TSC ahead of ours;
 * every entry of the last drain, at unload or once no program writes the
 * ring) are placed from the nearest pair at the TSC's nominal rate:
 *
 *	ts = clock0 - (tsc0 - guest_tsc) * 10^6 / tsc_khz
 *
 * (The arithmetic, alone in trace_conv.h, is unit-tested natively.)
 *
 * The trace clock must be the one ftrace stamps lines with, or events land
 * beside the wrong guest lines: the trace_clock parameter names it, and
 * its default follows ftrace's own default (below).  Once the guest's
 * sched clock is stable (kvm-clock on a host whose TSC is stable), ftrace
 * stamps with "local" (raw sched_clock), which sits a constant of seconds
 * away from "global" and local_clock() (sched_clock_cpu()); with an
 * unstable sched clock ftrace switches to "global" at boot.  No clock may
 * stand in for another.  In a KVM
 * guest these are kvm-clock, the TSC scaled by host-provided factors,
 * which KVM updates from its own clock: on a host whose TSC is stable the
 * rate agrees with tsc_khz to ppm, and the nominal rate alone would be
 * off by tens of ns over a 10 ms poll period.  On a host whose TSC is not
 * (a nested L1 under TCG) the two drifted apart by 1.7 ms within 18 ms,
 * and events of successive drains went back in time; the interpolation
 * leaves the skew of taking the pair (< 1 us) and the clock's own
 * unevenness between two pairs.
 *
 * Overflow is counted twice: by producers in ring->overflow (ring full or
 * head contended), and here as "lost" for a slot reserved but never
 * published (a program aborted between the cmpxchg and the seq store),
 * skipped after HUP_TRACE_STALL_POLLS polls so the reader never stalls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/jump_label.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>
#include <linux/trace_clock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "hup.h"
#include "trace_conv.h"

#define CREATE_TRACE_POINTS
#include "hup_trace.h"

#define HUP_TRACE_STALL_POLLS 10
#define HUP_TRACE_MIN_ENTRIES 16u
#define HUP_TRACE_MAX_ENTRIES 65536u

static unsigned int trace_entries = 1024;
module_param(trace_entries, uint, 0444);
MODULE_PARM_DESC(trace_entries,
		 "trace ring capacity in entries (power of two, 16..65536)");

static unsigned int trace_poll_ms = 10;
module_param(trace_poll_ms, uint, 0644);
MODULE_PARM_DESC(trace_poll_ms, "trace ring drain period in ms (>= 1)");

/*
 * The trace clocks hv_event timestamps can follow (trace_clock).  "auto"
 * is ftrace's own default, resolved once at load: tracing_set_default_clock()
 * keeps "local" unless the sched clock was unstable at boot, then picks
 * "global".  The guest's stability flag (the static key
 * __sched_clock_stable, not exported) is read through kallsyms; without
 * it, "global".
 */
enum { HUP_CLOCK_AUTO, HUP_CLOCK_GLOBAL, HUP_CLOCK_LOCAL, HUP_CLOCK_MONO };
static const struct {
	const char *name;
	u64 (*now)(void);
} hup_trace_clocks[] = {
	[HUP_CLOCK_AUTO] = { "auto", NULL },
	[HUP_CLOCK_GLOBAL] = { "global", trace_clock_global },
	[HUP_CLOCK_LOCAL] = { "local", trace_clock_local },
	[HUP_CLOCK_MONO] = { "mono", ktime_get_mono_fast_ns },
};
static unsigned int hup_trace_clock;	/* the parameter: HUP_CLOCK_* */
static unsigned int hup_trace_clock_auto = HUP_CLOCK_GLOBAL;

/* The clock in effect: never HUP_CLOCK_AUTO. */
static unsigned int hup_trace_clock_now(void)
{
	unsigned int c = READ_ONCE(hup_trace_clock);

	return c == HUP_CLOCK_AUTO ? hup_trace_clock_auto : c;
}

static void hup_trace_clock_resolve(void)
{
	unsigned long key = hup_ksym_lookup("__sched_clock_stable");

	if (key)
		hup_trace_clock_auto =
			static_key_count((struct static_key *)key) > 0 ?
			HUP_CLOCK_LOCAL : HUP_CLOCK_GLOBAL;
	pr_info("hv_event timestamps on the trace clock \"%s\"%s\n",
		hup_trace_clocks[hup_trace_clock_now()].name,
		hup_trace_clock == HUP_CLOCK_AUTO ?
		(key ? " (auto: ftrace's default)" :
		 " (auto: sched clock state unknown)") : "");
}

static int hup_trace_clock_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hup_trace_clocks); i++) {
		if (sysfs_streq(val, hup_trace_clocks[i].name)) {
			WRITE_ONCE(hup_trace_clock, i);
			return 0;
		}
	}
	return -EINVAL;
}

static int hup_trace_clock_get(char *buf, const struct kernel_param *kp)
{
	unsigned int c = READ_ONCE(hup_trace_clock);

	if (c == HUP_CLOCK_AUTO)
		return sysfs_emit(buf, "auto:%s\n",
				  hup_trace_clocks[hup_trace_clock_auto].name);
	return sysfs_emit(buf, "%s\n", hup_trace_clocks[c].name);
}

static const struct kernel_param_ops hup_trace_clock_ops = {
	.set = hup_trace_clock_set,
	.get = hup_trace_clock_get,
};
module_param_cb(trace_clock, &hup_trace_clock_ops, NULL, 0644);
MODULE_PARM_DESC(trace_clock,
		 "clock of hv_event timestamps, as in /sys/kernel/tracing/trace_clock: auto (ftrace's default), global, local or mono");

static struct hup_trace_ring *hup_ring;
static size_t hup_ring_size;
static u32 hup_ring_cap;
static u64 hup_tail;		/* next index to read: the reader's own */
static u64 hup_held;		/* 1 + the index a drain left for the next */
static u64 hup_stall_idx;
static unsigned int hup_stall_polls;
static u64 hup_consumed, hup_lost, hup_held_n;
static atomic_t hup_trace_users = ATOMIC_INIT(0);
static DEFINE_MUTEX(hup_drain_lock);
static struct delayed_work hup_drain_work;

void *hup_trace_ring_addr(void)
{
	return hup_ring;
}

size_t hup_trace_ring_bytes(void)
{
	return hup_ring_size;
}

/* The previous drain's pair: interpolation's lower end. */
static struct hup_trace_pair hup_prev;

/* final: the last drain (unload, no reader left): it holds nothing back. */
static void hup_trace_drain(bool final)
{
	u32 mask = hup_ring_cap - 1;
	u64 t = hup_tail;
	struct hup_trace_pair cur = { .clock = hup_trace_clock_now() };
	unsigned long flags;
	u32 n;

	local_irq_save(flags);
	cur.tsc = rdtsc_ordered();
	cur.ns = hup_trace_clocks[cur.clock].now();
	local_irq_restore(flags);

	/* At most one ring's worth per drain: the loop is bounded. */
	for (n = 0; n < hup_ring_cap; n++) {
		struct hup_trace_entry *slot = &hup_ring->entries[t & mask];
		struct hup_trace_entry e;
		u64 ts;

		if (READ_ONCE(slot->seq) != t + 1) {
			if (READ_ONCE(hup_ring->head) <= t)
				break;		/* empty */
			if (hup_stall_idx != t) {
				hup_stall_idx = t;
				hup_stall_polls = 0;
				break;
			}
			if (++hup_stall_polls < HUP_TRACE_STALL_POLLS)
				break;
			hup_lost++;		/* reserved, never published */
			t++;
			continue;
		}
		smp_rmb();	/* the entry after its seq */
		memcpy(&e, slot, sizeof(e));
		/*
		 * Newer than our pair: the next drain's pair places it
		 * (once; see Timestamps above).
		 */
		if (e.guest_tsc > cur.tsc && hup_held != t + 1 && !final) {
			hup_held = t + 1;
			hup_held_n++;
			break;
		}
		ts = hup_trace_conv(e.guest_tsc, &hup_prev, &cur, tsc_khz);
		trace_hv_event(&e, ts, cur.ns > ts ? cur.ns - ts : 0);
		hup_consumed++;
		t++;
	}
	/* Our reads of the slots before producers may reuse them. */
	smp_mb();
	WRITE_ONCE(hup_ring->tail, t);
	hup_tail = t;
	hup_prev = cur;
}

static void hup_drain_fn(struct work_struct *work)
{
	/* No reader left: no next drain to hold an entry for. */
	bool last = atomic_read(&hup_trace_users) == 0;

	mutex_lock(&hup_drain_lock);
	hup_trace_drain(last);
	mutex_unlock(&hup_drain_lock);
	if (!last)
		schedule_delayed_work(&hup_drain_work,
				      msecs_to_jiffies(max(trace_poll_ms, 1u)));
}

/* A program that writes the ring was registered: drain periodically. */
void hup_trace_get(void)
{
	if (atomic_inc_return(&hup_trace_users) == 1)
		mod_delayed_work(system_wq, &hup_drain_work, 0);
}

void hup_trace_put(void)
{
	atomic_dec(&hup_trace_users);
}

static int hup_trace_stats_show(struct seq_file *m, void *v)
{
	mutex_lock(&hup_drain_lock);
	seq_printf(m, "ring: %p (%zu bytes)\ncapacity: %u\n", hup_ring,
		   hup_ring_size, hup_ring_cap);
	seq_printf(m, "head: %llu\ntail: %llu\n", READ_ONCE(hup_ring->head),
		   READ_ONCE(hup_ring->tail));
	seq_printf(m, "overflow: %llu\nlost: %llu\nconsumed: %llu\nheld: %llu\n",
		   READ_ONCE(hup_ring->overflow), hup_lost, hup_consumed,
		   hup_held_n);
	seq_printf(m, "readers: %d\npoll_ms: %u\ntsc_khz: %u\n",
		   atomic_read(&hup_trace_users), trace_poll_ms, tsc_khz);
	seq_printf(m, "trace_clock: %s\n",
		   hup_trace_clocks[hup_trace_clock_now()].name);
	seq_printf(m, "clock_trace_global: %llu\nclock_trace_local: %llu\nclock_local: %llu\nclock_mono: %llu\nclock_tsc: %llu\n",
		   trace_clock_global(), trace_clock_local(), local_clock(),
		   ktime_get_mono_fast_ns(), rdtsc_ordered());
	mutex_unlock(&hup_drain_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hup_trace_stats);

#ifdef HUP_DEBUG
/*
 * Test hooks (HUP_DEBUG builds only): "echo N > inject" produces N entries
 * as a tracing program would (same reservation protocol), stamped with this
 * CPU's TSC, then drains the ring once.  Lets the trace path be tested on a
 * hypervisor without the backend.  "echo US > inject_ahead" produces one
 * entry stamped US microseconds ahead (arg 0 is US), as if recorded after
 * the drain's pair was taken, then drains once: that drain holds it.
 */
static void hup_trace_produce(u64 i, u64 ahead)
{
	struct hup_trace_ring *r = hup_ring;
	struct hup_trace_entry *e;
	u64 h;
	int k;

	for (k = 0; k < HUP_TRACE_RING_RETRIES; k++) {
		h = READ_ONCE(r->head);
		if (h - READ_ONCE(r->tail) >= hup_ring_cap)
			break;
		if (cmpxchg64(&r->head, h, h + 1) != h)
			continue;
		e = &r->entries[h & (hup_ring_cap - 1)];
		e->host_ns = ktime_get_ns();
		e->guest_tsc = rdtsc_ordered() + ahead;
		e->vcpu = raw_smp_processor_id();
		e->kind = HUP_TRACE_EXIT;
		e->reason = HUP_EXIT_OTHER;
		e->arg[0] = i;
		e->arg[1] = 0;
		e->arg[2] = 0;
		e->arg[3] = 0;
		smp_wmb();	/* the entry before its seq */
		WRITE_ONCE(e->seq, h + 1);
		return;
	}
	atomic64_inc((atomic64_t *)&r->overflow);
}

static ssize_t hup_inject_write(struct file *f, const char __user *buf,
				size_t len, loff_t *ppos)
{
	unsigned int n, i;
	int err;

	err = kstrtouint_from_user(buf, len, 0, &n);
	if (err)
		return err;
	if (n > HUP_TRACE_MAX_ENTRIES)
		return -E2BIG;
	for (i = 0; i < n; i++)
		hup_trace_produce(i, 0);
	mutex_lock(&hup_drain_lock);
	hup_trace_drain(false);
	mutex_unlock(&hup_drain_lock);
	return len;
}

#define HUP_INJECT_AHEAD_MAX_US USEC_PER_SEC

static ssize_t hup_inject_ahead_write(struct file *f, const char __user *buf,
				      size_t len, loff_t *ppos)
{
	unsigned int us;
	int err;

	err = kstrtouint_from_user(buf, len, 0, &us);
	if (err)
		return err;
	if (us > HUP_INJECT_AHEAD_MAX_US || !tsc_khz)
		return -EINVAL;
	hup_trace_produce(us, div_u64((u64)us * tsc_khz, USEC_PER_MSEC));
	mutex_lock(&hup_drain_lock);
	hup_trace_drain(false);
	mutex_unlock(&hup_drain_lock);
	return len;
}

static const struct file_operations hup_inject_fops = {
	.owner = THIS_MODULE,
	.write = hup_inject_write,
	.llseek = noop_llseek,
};

static const struct file_operations hup_inject_ahead_fops = {
	.owner = THIS_MODULE,
	.write = hup_inject_ahead_write,
	.llseek = noop_llseek,
};
#endif

int hup_trace_init(struct dentry *dir)
{
	if (!is_power_of_2(trace_entries) ||
	    trace_entries < HUP_TRACE_MIN_ENTRIES ||
	    trace_entries > HUP_TRACE_MAX_ENTRIES) {
		pr_err("trace_entries=%u: want a power of two in %u..%u\n",
		       trace_entries, HUP_TRACE_MIN_ENTRIES,
		       HUP_TRACE_MAX_ENTRIES);
		return -EINVAL;
	}
	hup_trace_clock_resolve();
	hup_ring_cap = trace_entries;
	hup_ring_size = PAGE_ALIGN(sizeof(*hup_ring) +
				   (size_t)hup_ring_cap *
				   sizeof(struct hup_trace_entry));
	/* vmalloc: page aligned, and outside the direct map window. */
	hup_ring = vzalloc(hup_ring_size);
	if (!hup_ring)
		return -ENOMEM;
	hup_ring->magic = HUP_TRACE_RING_MAGIC;
	hup_ring->version = HUP_TRACE_RING_VERSION;
	hup_ring->capacity = hup_ring_cap;
	hup_ring->entry_size = sizeof(struct hup_trace_entry);
	INIT_DELAYED_WORK(&hup_drain_work, hup_drain_fn);
	debugfs_create_file("trace", 0444, dir, NULL, &hup_trace_stats_fops);
#ifdef HUP_DEBUG
	debugfs_create_file("inject", 0200, dir, NULL, &hup_inject_fops);
	debugfs_create_file("inject_ahead", 0200, dir, NULL,
			    &hup_inject_ahead_fops);
#endif
	return 0;
}

/*
 * Called at unload.  If a program that writes the ring could not be
 * unregistered (busy is true), the host may still write it: the ring is
 * leaked rather than handed back to the page allocator.
 */
void hup_trace_exit(bool busy)
{
	atomic_set(&hup_trace_users, 0);
	cancel_delayed_work_sync(&hup_drain_work);
	mutex_lock(&hup_drain_lock);
	hup_trace_drain(true);
	mutex_unlock(&hup_drain_lock);
	if (busy) {
		pr_err("trace ring still registered on the host: leaked\n");
		return;
	}
	vfree(hup_ring);
	hup_ring = NULL;
}
