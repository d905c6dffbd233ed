// SPDX-License-Identifier: GPL-2.0
/*
 * The doorbell: port I/O, 32-bit accesses only (abi.h).  The high half of
 * the request block's guest-physical address is latched per vCPU, so the
 * two writes and the status read must happen on one CPU: preemption is off
 * from the first outl to the inl.  Processing is synchronous: when the
 * submitting outl retires the host has written the out fields.
 */
#include <linux/io.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "hup.h"

int hup_doorbell_submit(struct hup_request *req)
{
	phys_addr_t pa = virt_to_phys(req);
	u16 port = hup_backend.port;
	s32 status;

	if (!hup_backend.present)
		return -ENODEV;
	/* The block must sit in the direct map, 8-byte aligned (kmalloc). */
	if (WARN_ON_ONCE(!virt_addr_valid(req) || (pa & 7)))
		return -EINVAL;
	req->magic = HUP_REQ_MAGIC;
	req->abi_version = HUP_ABI_VERSION;

	preempt_disable();
	outl(upper_32_bits(pa), port + HUP_DB_REQ_HI);
	outl(lower_32_bits(pa), port + HUP_DB_REQ_LO);
	status = (s32)inl(port + HUP_DB_STATUS);
	preempt_enable();

	/* The block's result is authoritative; the port echoes it. */
	if (status != req->result)
		pr_warn_ratelimited("doorbell status %d, block result %d\n",
				    status, req->result);
	if (req->result > 0 || req->result < -MAX_ERRNO)
		return -EPROTO;
	return req->result;
}
