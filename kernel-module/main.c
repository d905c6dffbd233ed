// SPDX-License-Identifier: GPL-2.0
/*
 * hyperupcall.ko: the guest half of hyperupcalls.  Finds the host backend
 * (CPUID), owns the trace ring, and registers verified eBPF programs with
 * the host over the port-I/O doorbell on behalf of /dev/hyperupcall's
 * users (hupload) and of the preload= parameter at boot.  Without a backend
 * the module loads, says so once, and every registration is -ENODEV.
 *
 * With HUP_FEAT_UPCALL it also answers the host's upcalls (upcall.c), the
 * baseline hyperupcalls are measured against.
 *
 * Unload order: no new ioctls, detach the upcall block (no more upcalls,
 * which may write the trace ring), unregister every program (the host
 * stops writing guest memory), remove debugfs, then free the trace ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/module.h>

#include "hup.h"

struct hup_backend hup_backend;
static struct dentry *hup_debugfs;

static char *preload;
module_param(preload, charp, 0444);
MODULE_PARM_DESC(preload,
		 "comma-separated blobs in /lib/firmware/hyperupcall/ to register at load");

static int __init hup_init(void)
{
	int err;

	hup_discover(&hup_backend);
	if (hup_backend.present)
		pr_info("backend ABI %u.%u, doorbell port 0x%x, events 0x%x\n",
			hup_backend.abi_version >> 16,
			hup_backend.abi_version & 0xffff, hup_backend.port,
			hup_backend.events);
	else
		pr_info("no hyperupcall backend: registrations will fail with ENODEV\n");

	err = hup_ksym_init();
	if (err)
		pr_warn("kallsyms unavailable (%d): only module symbols resolve\n",
			err);

	hup_debugfs = debugfs_create_dir("hyperupcall", NULL);
	err = hup_trace_init(hup_debugfs);
	if (err)
		goto err_debugfs;
	hup_registry_init(hup_debugfs);
	err = hup_dev_init();
	if (err)
		goto err_trace;
	/* After the trace ring, which it writes; last, so never unwound. */
	if (hup_backend.present && (hup_backend.features & HUP_FEAT_UPCALL))
		hup_upcall_init(hup_backend.upcall_gsi);
	if (preload)
		hup_preload(preload);
	return 0;

err_trace:
	debugfs_remove_recursive(hup_debugfs);
	hup_trace_exit(false);
	return err;
err_debugfs:
	debugfs_remove_recursive(hup_debugfs);
	return err;
}

static void __exit hup_exit(void)
{
	bool ring_busy;

	hup_dev_exit();
	hup_upcall_exit();
	hup_unregister_all(&ring_busy);
	debugfs_remove_recursive(hup_debugfs);
	hup_trace_exit(ring_busy);
}

module_init(hup_init);
module_exit(hup_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The hyperupcalls project");
MODULE_DESCRIPTION("Hyperupcalls: register verified eBPF programs with the hypervisor");
MODULE_VERSION("0.1.0");
