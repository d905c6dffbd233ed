// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-time registration, as the paper's guests do: the module parameter
 * preload=a.hup,b.hup names prepared-program blobs (hyperupcall/ioctl.h,
 * written by "hupload prepare") that the firmware loader reads from
 * /lib/firmware/hyperupcall/ (initramfs or root file system) when the
 * module loads.  Each blob is checked like an ioctl registration; its
 * verdict and log go to the kernel log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/firmware.h>
#include <linux/miscdevice.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "hup.h"

extern struct miscdevice hup_miscdev;

#define HUP_PRELOAD_NAME_MAX 64

/* A registration from a blob: -EINVAL if any size disagrees. */
static int hup_blob_parse(const u8 *data, size_t size, struct hup_kreg *r)
{
	struct hup_blob_hdr h;
	size_t insn_b, ksym_b, win_b, total;

	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (h.magic != HUP_BLOB_MAGIC || h.version != HUP_BLOB_VERSION ||
	    h.reserved || h.total_size != size)
		return -EINVAL;
	if (!h.insn_cnt || h.insn_cnt > HUP_MAX_INSNS ||
	    h.nr_ksyms > HUP_MAX_KSYM_RELOCS || h.nr_windows > HUP_MAX_WINDOWS)
		return -E2BIG;
	insn_b = (size_t)h.insn_cnt * sizeof(u64);
	ksym_b = (size_t)h.nr_ksyms * sizeof(struct hup_ioc_ksym);
	win_b = (size_t)h.nr_windows * sizeof(struct hup_ioc_window);
	total = sizeof(h) + insn_b + ksym_b + win_b;
	if (total != size)
		return -EINVAL;

	r->event = h.event;
	r->insn_cnt = h.insn_cnt;
	r->event_arg = h.event_arg;
	r->nr_ksyms = h.nr_ksyms;
	r->nr_windows = h.nr_windows;
	memcpy(r->name, h.name, HUP_NAME_LEN);
	data += sizeof(h);
	r->insns = kmemdup(data, insn_b, GFP_KERNEL);
	if (!r->insns)
		return -ENOMEM;
	data += insn_b;
	if (ksym_b) {
		r->ksyms = kvmalloc(ksym_b, GFP_KERNEL);
		if (!r->ksyms)
			return -ENOMEM;
		memcpy(r->ksyms, data, ksym_b);
	}
	data += ksym_b;
	memcpy(r->windows, data, win_b);
	r->log_size = 4096;
	r->log = kzalloc(r->log_size, GFP_KERNEL);
	return r->log ? 0 : -ENOMEM;
}

static void hup_preload_one(const char *name)
{
	char path[HUP_PRELOAD_NAME_MAX + 16];
	const struct firmware *fw;
	struct hup_kreg *r;
	int err;

	if (strlen(name) > HUP_PRELOAD_NAME_MAX || strchr(name, '/')) {
		pr_err("preload %s: bad name\n", name);
		return;
	}
	snprintf(path, sizeof(path), "hyperupcall/%s", name);
	err = request_firmware_direct(&fw, path, hup_miscdev.this_device);
	if (err) {
		pr_err("preload %s: cannot read /lib/firmware/%s (%d)\n",
		       name, path, err);
		return;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	err = r ? hup_blob_parse(fw->data, fw->size, r) : -ENOMEM;
	if (!err)
		err = hup_register(r);
	if (!err)
		pr_info("preload %s: registered as program %u\n", name,
			r->prog_id);
	else
		pr_err("preload %s: %d%s%s\n", name, err,
		       r && r->log_len ? ": " : "",
		       r && r->log_len ? r->log : "");
	hup_kreg_free(r);
	release_firmware(fw);
}

void hup_preload(const char *list)
{
	char *dup, *cur, *tok;

	dup = kstrdup(list, GFP_KERNEL);
	if (!dup)
		return;
	cur = dup;
	while ((tok = strsep(&cur, ",")) != NULL)
		if (*tok)
			hup_preload_one(tok);
	kfree(dup);
}
