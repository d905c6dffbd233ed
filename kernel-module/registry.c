// SPDX-License-Identifier: GPL-2.0
/*
 * The registry: every program this guest registered with the backend, with
 * its state, in /sys/kernel/debug/hyperupcall/programs.  One mutex
 * serialises registrations and the doorbell.  A registration is checked
 * here whatever its source (ioctl or boot-time blob), its __ksym loads are
 * filled with this boot's addresses, its windows placed, and it is handed
 * to the backend; the verdict and the verifier log go back to the caller.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "hup.h"

struct hup_prog {
	struct list_head node;
	u32 id;
	u32 event;
	u32 insn_cnt;
	u32 nr_windows;
	u64 event_arg;
	u64 registered_ns;	/* ktime_get_boottime_ns() */
	bool writes_ring;	/* holds a hup_trace_get() */
	char name[HUP_NAME_LEN];
	struct hup_window windows[HUP_MAX_WINDOWS];
};

static LIST_HEAD(hup_progs);
static DEFINE_MUTEX(hup_lock);
static unsigned int hup_nr_progs;

static const char *const hup_event_names[HUP_EVENT_MAX + 1] =
	HUP_EVENT_NAMES_INIT;

static bool hup_name_ok(const char *name)
{
	size_t n = strnlen(name, HUP_NAME_LEN), i;

	if (!n || n == HUP_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isprint(name[i]))
			return false;
	return true;
}

static int hup_ksym_check(const struct hup_kreg *r,
			  const struct hup_ioc_ksym *k)
{
	const struct bpf_insn *in = (const struct bpf_insn *)r->insns;
	size_t n = strnlen(k->name, HUP_KSYM_NAME_LEN);
	u32 i = k->insn_idx;

	if (k->flags & ~HUP_KSYM_WEAK || !n || n == HUP_KSYM_NAME_LEN)
		return -EINVAL;
	if (i >= r->insn_cnt - 1 || in[i].code != (BPF_LD | BPF_IMM | BPF_DW))
		return -EINVAL;
	if (in[i].src_reg || in[i].imm || in[i + 1].code || in[i + 1].imm)
		return -EINVAL;
	return 0;
}

/* Checks a registration's fields: -EINVAL, -E2BIG. */
int hup_kreg_check(const struct hup_kreg *r)
{
	u32 seen = 0, i;
	int err;

	if (!r->event || r->event > HUP_EVENT_MAX)
		return -EINVAL;
	if (!r->insn_cnt || !r->insns)
		return -EINVAL;
	if (r->insn_cnt > HUP_MAX_INSNS ||
	    r->nr_ksyms > HUP_MAX_KSYM_RELOCS ||
	    r->nr_windows > HUP_MAX_WINDOWS || r->log_size > HUP_LOG_MAX)
		return -E2BIG;
	if (!hup_name_ok(r->name) || (!r->log) != (!r->log_size))
		return -EINVAL;
	for (i = 0; i < r->nr_ksyms; i++) {
		err = hup_ksym_check(r, &r->ksyms[i]);
		if (err)
			return err;
	}
	for (i = 0; i < r->nr_windows; i++) {
		u32 kind = r->windows[i].kind;

		if (!kind || kind > HUP_IOC_WIN_MAX || (seen & BIT(kind)))
			return -EINVAL;
		seen |= BIT(kind);
	}
	return 0;
}

void hup_kreg_free(struct hup_kreg *r)
{
	if (!r)
		return;
	kfree(r->insns);
	kvfree(r->ksyms);
	kfree(r->log);
	kfree(r);
}

static __printf(2, 3) void hup_log(struct hup_kreg *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->log)
		return;
	va_start(ap, fmt);
	r->log_len = vscnprintf(r->log, r->log_size, fmt, ap) + 1;
	va_end(ap);
}

/* Fills the __ksym loads; -ENOENT names the first unknown symbol. */
static int hup_resolve_ksyms(struct hup_kreg *r)
{
	struct bpf_insn *in = (struct bpf_insn *)r->insns;
	unsigned long addr;
	u32 i;

	for (i = 0; i < r->nr_ksyms; i++) {
		const struct hup_ioc_ksym *k = &r->ksyms[i];

		addr = hup_ksym_lookup(k->name);
		if (!addr && !(k->flags & HUP_KSYM_WEAK)) {
			hup_log(r, "0: guest kernel symbol '%s' not found\n",
				k->name);
			return -ENOENT;
		}
		in[k->insn_idx].imm = lower_32_bits(addr);
		in[k->insn_idx + 1].imm = upper_32_bits(addr);
	}
	return 0;
}

static bool hup_wants_ring(const struct hup_kreg *r)
{
	u32 i;

	for (i = 0; i < r->nr_windows; i++)
		if (r->windows[i].kind == HUP_IOC_WIN_TRACE_RING)
			return true;
	return false;
}

int hup_register(struct hup_kreg *r)
{
	struct hup_request *req;
	struct hup_prog *p;
	u32 i;
	int err;

	r->log_len = 0;
	err = hup_kreg_check(r);
	if (err)
		return err;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!req || !p) {
		err = -ENOMEM;
		goto out;
	}
	err = hup_resolve_ksyms(r);
	if (err)
		goto out;
	for (i = 0; i < r->nr_windows; i++) {
		err = hup_window_resolve(&r->windows[i], &req->windows[i]);
		if (err) {
			hup_log(r, "0: cannot place window kind %u (%d)\n",
				r->windows[i].kind, err);
			goto out;
		}
	}
	req->op = HUP_OP_REGISTER;
	req->event = r->event;
	req->insn_cnt = r->insn_cnt;
	req->insns_gpa = virt_to_phys(r->insns);
	req->event_arg = r->event_arg;
	req->log_gpa = r->log ? virt_to_phys(r->log) : 0;
	req->log_size = r->log_size;
	req->nr_windows = r->nr_windows;
	memcpy(req->name, r->name, HUP_NAME_LEN);

	mutex_lock(&hup_lock);
	if (!hup_backend.present)
		err = -ENODEV;
	else if (hup_nr_progs >= HUP_MAX_PROGS)
		err = -ENOSPC;
	else
		err = hup_doorbell_submit(req);
	if (r->log && req->log_len) {
		r->log_len = min(req->log_len, r->log_size);
		r->log[r->log_len - 1] = '\0';
	}
	if (err) {
		mutex_unlock(&hup_lock);
		goto out;
	}
	p->id = req->prog_id;
	p->event = r->event;
	p->insn_cnt = r->insn_cnt;
	p->nr_windows = r->nr_windows;
	p->event_arg = r->event_arg;
	p->registered_ns = ktime_get_boottime_ns();
	p->writes_ring = hup_wants_ring(r);
	memcpy(p->name, r->name, HUP_NAME_LEN);
	memcpy(p->windows, req->windows, sizeof(p->windows));
	list_add_tail(&p->node, &hup_progs);
	hup_nr_progs++;
	r->prog_id = p->id;
	if (p->writes_ring)
		hup_trace_get();
	p = NULL;
	mutex_unlock(&hup_lock);
out:
	kfree(p);
	kfree(req);
	return err;
}

static struct hup_prog *hup_find(u32 id)
{
	struct hup_prog *p;

	list_for_each_entry(p, &hup_progs, node)
		if (p->id == id)
			return p;
	return NULL;
}

/*
 * Tells the backend; hup_lock held.  A program the host no longer knows
 * (-ENOENT) is gone either way.
 */
static int hup_unregister_locked(struct hup_prog *p)
{
	struct hup_request *req;
	int err = 0;

	if (hup_backend.present) {
		req = kzalloc(sizeof(*req), GFP_KERNEL);
		if (!req)
			return -ENOMEM;
		req->op = HUP_OP_UNREGISTER;
		req->prog_id = p->id;
		err = hup_doorbell_submit(req);
		kfree(req);
		if (err == -ENOENT)
			err = 0;
		if (err)
			return err;
	}
	list_del(&p->node);
	hup_nr_progs--;
	if (p->writes_ring)
		hup_trace_put();
	kfree(p);
	return 0;
}

int hup_unregister(u32 prog_id)
{
	struct hup_prog *p;
	int err = -ENOENT;

	mutex_lock(&hup_lock);
	p = hup_find(prog_id);
	if (p)
		err = hup_unregister_locked(p);
	mutex_unlock(&hup_lock);
	return err;
}

/* Returns the number of programs that could not be unregistered. */
int hup_unregister_all(bool *ring_busy)
{
	struct hup_prog *p, *tmp;
	int failed = 0, err;

	*ring_busy = false;
	mutex_lock(&hup_lock);
	list_for_each_entry_safe(p, tmp, &hup_progs, node) {
		err = hup_unregister_locked(p);
		if (!err)
			continue;
		pr_err("program %u (%s): unregister failed (%d)\n", p->id,
		       p->name, err);
		if (p->writes_ring)
			*ring_busy = true;
		list_del(&p->node);
		kfree(p);
		failed++;
	}
	hup_nr_progs = 0;
	mutex_unlock(&hup_lock);
	return failed;
}

/* The backend's counters of a program (QUERY); hup_lock held. */
static int hup_query_locked(const struct hup_prog *p,
			    struct hup_ioc_prog_info *info)
{
	struct hup_request *req;
	int err;

	if (!hup_backend.present)
		return -ENODEV;
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->op = HUP_OP_QUERY;
	req->prog_id = p->id;
	err = hup_doorbell_submit(req);
	if (!err) {
		info->stat_runs = req->stat_runs;
		info->stat_aborts = req->stat_aborts;
		info->stat_run_ns = req->stat_run_ns;
		info->jited_len = req->jited_len;
	}
	kfree(req);
	return err;
}

static void hup_fill_info(const struct hup_prog *p,
			  struct hup_ioc_prog_info *info)
{
	memset(info, 0, sizeof(*info));
	info->prog_id = p->id;
	info->event = p->event;
	info->insn_cnt = p->insn_cnt;
	info->nr_windows = p->nr_windows;
	info->event_arg = p->event_arg;
	memcpy(info->name, p->name, HUP_NAME_LEN);
	hup_query_locked(p, info);
}

int hup_list(struct hup_ioc_prog_info *out, u32 capacity, u32 *count)
{
	struct hup_prog *p;
	u32 n = 0;

	mutex_lock(&hup_lock);
	list_for_each_entry(p, &hup_progs, node) {
		if (n < capacity)
			hup_fill_info(p, &out[n]);
		n++;
	}
	mutex_unlock(&hup_lock);
	*count = n;
	return 0;
}

static int hup_programs_show(struct seq_file *m, void *v)
{
	struct hup_ioc_prog_info info;
	struct hup_prog *p;
	u32 i;

	mutex_lock(&hup_lock);
	seq_printf(m, "%-4s %-12s %-5s %-10s %-10s %-12s %s\n", "id", "event",
		   "insns", "runs", "aborts", "run_ns", "name");
	list_for_each_entry(p, &hup_progs, node) {
		hup_fill_info(p, &info);
		seq_printf(m, "%-4u %-12s %-5u %-10llu %-10llu %-12llu %s\n",
			   p->id, hup_event_names[p->event], p->insn_cnt,
			   info.stat_runs, info.stat_aborts, info.stat_run_ns,
			   p->name);
		for (i = 0; i < p->nr_windows; i++)
			seq_printf(m, "     window kind=%u gva=0x%llx size=0x%llx prot=%s%s\n",
				   p->windows[i].kind, p->windows[i].gva,
				   p->windows[i].size,
				   p->windows[i].prot & HUP_WIN_READ ? "r" : "",
				   p->windows[i].prot & HUP_WIN_WRITE ? "w" : "");
	}
	mutex_unlock(&hup_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hup_programs);

static int hup_status_show(struct seq_file *m, void *v)
{
	hup_backend_show(m, &hup_backend);
	mutex_lock(&hup_lock);
	seq_printf(m, "programs: %u\n", hup_nr_progs);
	mutex_unlock(&hup_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hup_status);

int hup_registry_init(struct dentry *dir)
{
	debugfs_create_file("programs", 0444, dir, NULL, &hup_programs_fops);
	debugfs_create_file("status", 0444, dir, NULL, &hup_status_fops);
	return 0;
}
