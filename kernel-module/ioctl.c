// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hyperupcall: the ioctls of hyperupcall/ioctl.h.  Every argument is
 * copied in once with a size bounded by the ABI limits before it is looked
 * at (-EFAULT for a bad pointer, -E2BIG above a limit, -EINVAL for anything
 * malformed); the verdict, program id and verifier log are copied back even
 * when the backend rejected the program.  CAP_SYS_ADMIN only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hup.h"

static int hup_ioc_copy_in(struct hup_kreg *r,
			   const struct hup_ioc_register *u)
{
	r->event = u->event;
	r->insn_cnt = u->insn_cnt;
	r->event_arg = u->event_arg;
	r->nr_ksyms = u->nr_ksyms;
	r->nr_windows = u->nr_windows;
	memcpy(r->name, u->name, HUP_NAME_LEN);

	r->insns = kmalloc_array(u->insn_cnt, sizeof(u64),
				 GFP_KERNEL | __GFP_NOWARN);
	if (!r->insns)
		return -ENOMEM;
	if (copy_from_user(r->insns, u64_to_user_ptr(u->insns),
			   (size_t)u->insn_cnt * sizeof(u64)))
		return -EFAULT;
	if (u->nr_ksyms) {
		r->ksyms = kvmalloc_array(u->nr_ksyms, sizeof(*r->ksyms),
					  GFP_KERNEL);
		if (!r->ksyms)
			return -ENOMEM;
		if (copy_from_user(r->ksyms, u64_to_user_ptr(u->ksyms),
				   (size_t)u->nr_ksyms * sizeof(*r->ksyms)))
			return -EFAULT;
	}
	if (u->nr_windows &&
	    copy_from_user(r->windows, u64_to_user_ptr(u->windows),
			   (size_t)u->nr_windows * sizeof(r->windows[0])))
		return -EFAULT;
	if (u->log_size) {
		/* kmalloc: the host writes it by guest-physical address. */
		r->log = kzalloc(u->log_size, GFP_KERNEL | __GFP_NOWARN);
		if (!r->log)
			return -ENOMEM;
		r->log_size = u->log_size;
	}
	return 0;
}

static long hup_ioc_register(struct hup_ioc_register __user *arg)
{
	struct hup_ioc_register u;
	struct hup_kreg *r;
	int err;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (u.size != sizeof(u) || u.flags || u.log_len || u.prog_id ||
	    u.result)
		return -EINVAL;
	if (!u.insn_cnt || !u.insns || (!u.log_buf) != (!u.log_size) ||
	    (!u.ksyms && u.nr_ksyms) || (!u.windows && u.nr_windows))
		return -EINVAL;
	if (u.insn_cnt > HUP_MAX_INSNS || u.nr_ksyms > HUP_MAX_KSYM_RELOCS ||
	    u.nr_windows > HUP_MAX_WINDOWS || u.log_size > HUP_LOG_MAX)
		return -E2BIG;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = hup_ioc_copy_in(r, &u);
	if (!err)
		err = hup_register(r);

	/* The verdict and the log go back whatever it was. */
	if (r->log_len &&
	    copy_to_user(u64_to_user_ptr(u.log_buf), r->log, r->log_len))
		err = err ?: -EFAULT;
	if (put_user(r->log_len, &arg->log_len) ||
	    put_user(r->prog_id, &arg->prog_id) || put_user(err, &arg->result))
		err = err ?: -EFAULT;
	hup_kreg_free(r);
	return err;
}

static long hup_ioc_unregister(struct hup_ioc_unregister __user *arg)
{
	struct hup_ioc_unregister u;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (u.flags)
		return -EINVAL;
	return hup_unregister(u.prog_id);
}

static long hup_ioc_list(struct hup_ioc_list __user *arg)
{
	struct hup_ioc_prog_info *progs = NULL;
	struct hup_ioc_list u;
	u32 count = 0;
	int err = 0;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (u.size != sizeof(u) || u.flags || u.count ||
	    (!u.progs && u.capacity))
		return -EINVAL;
	if (u.capacity > HUP_MAX_PROGS)
		return -E2BIG;
	if (u.capacity) {
		progs = kcalloc(u.capacity, sizeof(*progs), GFP_KERNEL);
		if (!progs)
			return -ENOMEM;
	}
	hup_list(progs, u.capacity, &count);
	if (progs && copy_to_user(u64_to_user_ptr(u.progs), progs,
				  (size_t)min(count, u.capacity) *
				  sizeof(*progs)))
		err = -EFAULT;
	if (!err && put_user(count, &arg->count))
		err = -EFAULT;
	kfree(progs);
	return err;
}

static long hup_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case HUP_IOC_REGISTER:
		return hup_ioc_register(argp);
	case HUP_IOC_UNREGISTER:
		return hup_ioc_unregister(argp);
	case HUP_IOC_LIST:
		return hup_ioc_list(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hup_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hup_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

struct miscdevice hup_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = HUP_DEV_NAME,
	.fops = &hup_fops,
	.mode = 0600,
};

int hup_dev_init(void)
{
	return misc_register(&hup_miscdev);
}

void hup_dev_exit(void)
{
	misc_deregister(&hup_miscdev);
}
