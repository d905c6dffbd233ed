// SPDX-License-Identifier: GPL-2.0
/*
 * Guest kernel symbols under KASLR.  kallsyms_lookup_name() is not exported
 * to modules; its address is learnt once by registering a kprobe on it and
 * reading back the address the kprobe resolved.  On kernels built with IBT
 * the kprobe sits after the function's ENDBR64, so an ENDBR64 just before
 * it is stepped back over: an indirect call must land on the ENDBR64.
 */
#include <linux/kprobes.h>
#include <linux/string.h>

#include "hup.h"

typedef unsigned long (*hup_lookup_fn)(const char *name);

static hup_lookup_fn hup_lookup;

static const u8 hup_endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

int hup_ksym_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;
	int err;

	err = register_kprobe(&kp);
	if (err)
		return err;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	if (!addr)
		return -ENOENT;
	if (memcmp((void *)addr, hup_endbr64, 4) &&
	    !memcmp((void *)(addr - 4), hup_endbr64, 4))
		addr -= 4;
	hup_lookup = (hup_lookup_fn)addr;
	return 0;
}

/* The address of a guest kernel symbol, the module's own first; 0 if none. */
unsigned long hup_ksym_lookup(const char *name)
{
	if (!strcmp(name, HUP_TRACE_RING_KSYM))
		return (unsigned long)hup_trace_ring_addr();
	if (!hup_lookup)
		return 0;
	return hup_lookup(name);
}
