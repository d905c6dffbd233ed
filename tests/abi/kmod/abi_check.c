// SPDX-License-Identifier: GPL-2.0
/*
 * ABI header in the kernel setting: built by Kbuild against a Debian guest
 * kernel's headers.  The header's static asserts run at compile time; the
 * BUILD_BUG_ONs restate the doorbell request offsets the module relies on.
 */
#include <linux/module.h>
#include <linux/stddef.h>
#include <hyperupcall/abi.h>

static int __init abi_check_init(void)
{
	BUILD_BUG_ON(sizeof(struct hup_request) != 328);
	BUILD_BUG_ON(offsetof(struct hup_request, result) != 16);
	BUILD_BUG_ON(offsetof(struct hup_request, insns_gpa) != 32);
	BUILD_BUG_ON(offsetof(struct hup_request, windows) != 72);
	BUILD_BUG_ON(sizeof(struct hup_trace_ctx) != 64);
	BUILD_BUG_ON(HUP_EINVAL != EINVAL || HUP_EPROTO != EPROTO);
	return 0;
}

static void __exit abi_check_exit(void)
{
}

module_init(abi_check_init);
module_exit(abi_check_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hyperupcall ABI layout check");
