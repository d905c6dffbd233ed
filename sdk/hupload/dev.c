/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hupload: the module's interface: the register ioctl, and the boot-time
 * blob (hyperupcall/ioctl.h) that preload= reads.
 */
#include "hupload.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int hupload__register(int fd, const struct hupload_prog *p, char *log,
		      uint32_t log_size, uint32_t *log_len, uint32_t *id)
{
	struct hup_ioc_register r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.event = p->lp.event;
	r.insn_cnt = (uint32_t)p->lp.cnt;
	r.insns = (uint64_t)(uintptr_t)p->lp.insns;
	r.event_arg = p->event_arg;
	r.ksyms = (uint64_t)(uintptr_t)p->ksyms;
	r.nr_ksyms = (uint32_t)p->nksyms;
	r.windows = (uint64_t)(uintptr_t)p->windows;
	r.nr_windows = (uint32_t)p->nwindows;
	r.log_buf = (uint64_t)(uintptr_t)log;
	r.log_size = log ? log_size : 0;
	memcpy(r.name, p->name, sizeof(r.name));
	if (ioctl(fd, HUP_IOC_REGISTER, &r) < 0) {
		*log_len = r.log_len <= log_size ? r.log_len : 0;
		return -errno;
	}
	*log_len = r.log_len <= log_size ? r.log_len : 0;
	*id = r.prog_id;
	return 0;
}

int hupload__write_blob(const struct hupload_prog *p, const char *path)
{
	struct hup_blob_hdr h;
	size_t ib = p->lp.cnt * 8, kb = p->nksyms * sizeof(*p->ksyms);
	size_t wb = p->nwindows * sizeof(p->windows[0]);
	FILE *f;
	int err = 0;

	memset(&h, 0, sizeof(h));
	h.magic = HUP_BLOB_MAGIC;
	h.version = HUP_BLOB_VERSION;
	h.total_size = (uint32_t)(sizeof(h) + ib + kb + wb);
	h.event = p->lp.event;
	h.insn_cnt = (uint32_t)p->lp.cnt;
	h.nr_ksyms = (uint32_t)p->nksyms;
	h.nr_windows = (uint32_t)p->nwindows;
	h.event_arg = p->event_arg;
	memcpy(h.name, p->name, sizeof(h.name));
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    fwrite(p->lp.insns, 1, ib, f) != ib ||
	    (kb && fwrite(p->ksyms, 1, kb, f) != kb) ||
	    (wb && fwrite(p->windows, 1, wb, f) != wb))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
