// SPDX-License-Identifier: BSD-2-Clause
/*
 * regs__apic_highest: the highest vector set in a LAPIC 256-bit register
 * (IRR, ISR) as KVM_GET_LAPIC lays it out, eight 32-bit words 16 bytes
 * apart.  The hang report (hang.h) prints it for every stopped vCPU.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "x86/regs.h"

#define IRR 0x200

static void set_vec(char *regs, unsigned int off, unsigned int vec)
{
	uint32_t w;

	memcpy(&w, regs + off + (vec / 32) * 16, sizeof(w));
	w |= 1u << (vec % 32);
	memcpy(regs + off + (vec / 32) * 16, &w, sizeof(w));
}

int main(void)
{
	char regs[1024];

	memset(regs, 0, sizeof(regs));
	CHECK_EQ(regs__apic_highest(regs, IRR), -1);
	set_vec(regs, IRR, 0);
	CHECK_EQ(regs__apic_highest(regs, IRR), 0);
	set_vec(regs, IRR, 0xec); /* local timer */
	CHECK_EQ(regs__apic_highest(regs, IRR), 0xec);
	set_vec(regs, IRR, 0xfb); /* call-function IPI */
	CHECK_EQ(regs__apic_highest(regs, IRR), 0xfb);
	set_vec(regs, IRR, 255);
	CHECK_EQ(regs__apic_highest(regs, IRR), 255);
	/* the 12 bytes between the words are not the register's */
	memset(regs, 0, sizeof(regs));
	memset(regs + IRR + 4, 0xff, 12);
	CHECK_EQ(regs__apic_highest(regs, IRR), -1);
	set_vec(regs, IRR, 33);
	CHECK_EQ(regs__apic_highest(regs, IRR), 33);
	return check_summary("apic_highest");
}
