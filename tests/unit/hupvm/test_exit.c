// SPDX-License-Identifier: BSD-2-Clause
/*
 * The exit decoder on synthetic kvm_run snapshots: every exit reason hupvm
 * handles, and malformed data a hostile or buggy source could present
 * (bad widths, zero counts, data offsets outside the run area, MMIO
 * lengths beyond the buffer, address wrap-around).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exit.h"

#define RUN_SIZE 4096u

static union {
	struct kvm_run run;
	unsigned char bytes[RUN_SIZE];
} page;

static struct kvm_run *fresh(uint32_t reason)
{
	memset(&page, 0, sizeof(page));
	page.run.exit_reason = reason;
	return &page.run;
}

static void test_io(void)
{
	struct exit_action a;
	struct kvm_run *r = fresh(KVM_EXIT_IO);

	r->io.direction = KVM_EXIT_IO_OUT;
	r->io.size = 1;
	r->io.port = 0x3f8;
	r->io.count = 1;
	r->io.data_offset = sizeof(*r);
	CHECK_EQ(exit__decode(r, RUN_SIZE, &a), 0);
	CHECK_EQ(a.kind, EXIT_IO_OUT);
	CHECK_EQ(a.io.port, 0x3f8);
	CHECK_EQ(a.io.size, 1);
	CHECK_EQ(a.io.count, 1);
	CHECK_EQ(a.io.data_off, sizeof(*r));

	r->io.direction = KVM_EXIT_IO_IN;
	r->io.size = 4;
	r->io.count = 16; /* rep insl */
	CHECK_EQ(exit__decode(r, RUN_SIZE, &a), 0);
	CHECK_EQ(a.kind, EXIT_IO_IN);
	CHECK_EQ(a.io.count, 16);

	r->io.size = 3;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	r->io.size = 8;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);

	r->io.size = 2;
	r->io.count = 0;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);

	/* Data must lie within the run area: exactly at the end is fine... */
	r->io.count = 1;
	r->io.data_offset = RUN_SIZE - 2;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_IO_IN);
	/* ...one byte past it is not. */
	r->io.data_offset = RUN_SIZE - 1;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	r->io.data_offset = ~0ull;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	/* Overlapping the kvm_run header itself is refused too. */
	r->io.data_offset = 8;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	/* A huge rep count overflowing the area. */
	r->io.data_offset = sizeof(*r);
	r->io.size = 4;
	r->io.count = 0xffffffffu;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);

	r->io.count = 1;
	r->io.direction = 7;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	CHECK(a.why != NULL);
}

static void test_mmio(void)
{
	struct exit_action a;
	struct kvm_run *r = fresh(KVM_EXIT_MMIO);

	r->mmio.phys_addr = 0xfed00000;
	r->mmio.len = 4;
	r->mmio.is_write = 1;
	memcpy(r->mmio.data, "\x11\x22\x33\x44", 4);
	CHECK_EQ(exit__decode(r, RUN_SIZE, &a), 0);
	CHECK_EQ(a.kind, EXIT_MMIO_WRITE);
	CHECK_EQ(a.mmio.gpa, 0xfed00000);
	CHECK_EQ(a.mmio.len, 4);
	CHECK(!memcmp(a.mmio.data, "\x11\x22\x33\x44", 4));

	r->mmio.is_write = 0;
	r->mmio.len = 8;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_MMIO_READ);

	r->mmio.len = 0;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	r->mmio.len = 9;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
	r->mmio.len = 8;
	r->mmio.phys_addr = ~0ull - 3;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_BAD);
}

static void test_failures(void)
{
	struct exit_action a;
	struct kvm_run *r;

	r = fresh(KVM_EXIT_FAIL_ENTRY);
	r->fail_entry.hardware_entry_failure_reason = 0x80000021;
	r->fail_entry.cpu = 1;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_FAIL_ENTRY);
	CHECK_EQ(a.fail.hw_reason, 0x80000021);
	CHECK_EQ(a.fail.cpu, 1);

	r = fresh(KVM_EXIT_INTERNAL_ERROR);
	r->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	r->internal.ndata = 1000; /* more than the decoder keeps */
	r->internal.data[0] = 0xdead;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_INTERNAL_ERROR);
	CHECK_EQ(a.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	CHECK_EQ(a.internal.ndata, EXIT_INTERNAL_MAX_DATA);
	CHECK_EQ(a.internal.data[0], 0xdead);

	exit__decode(fresh(KVM_EXIT_SHUTDOWN), RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_SHUTDOWN);
	exit__decode(fresh(KVM_EXIT_HLT), RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_HLT);
	exit__decode(fresh(KVM_EXIT_INTR), RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_RESUME);
	exit__decode(fresh(KVM_EXIT_IRQ_WINDOW_OPEN), RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_RESUME);

	r = fresh(KVM_EXIT_SYSTEM_EVENT);
	r->system_event.type = KVM_SYSTEM_EVENT_RESET;
	exit__decode(r, RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_SYSTEM_EVENT);
	CHECK_EQ(a.sys.type, KVM_SYSTEM_EVENT_RESET);

	exit__decode(fresh(KVM_EXIT_HYPERCALL), RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_UNKNOWN);
	CHECK(!strcmp(exit__reason_name(KVM_EXIT_HYPERCALL), "HYPERCALL"));
	exit__decode(fresh(0xffff), RUN_SIZE, &a);
	CHECK_EQ(a.kind, EXIT_UNKNOWN);
	CHECK(!strcmp(exit__reason_name(0xffff), "?"));
	CHECK(!strcmp(exit__kind_name(EXIT_BAD), "bad"));
}

static void test_pure(void)
{
	struct exit_action a;
	struct kvm_run *r = fresh(KVM_EXIT_IO);
	unsigned char before[RUN_SIZE];

	r->io.direction = KVM_EXIT_IO_OUT;
	r->io.size = 1;
	r->io.count = 1;
	r->io.data_offset = sizeof(*r);
	memcpy(before, &page, RUN_SIZE);
	exit__decode(r, RUN_SIZE, &a);
	CHECK(!memcmp(before, &page, RUN_SIZE)); /* no side effects */
	CHECK(exit__decode(r, sizeof(*r) - 1, &a) < 0);
	CHECK(exit__decode(NULL, RUN_SIZE, &a) < 0);
}

int main(void)
{
	test_io();
	test_mmio();
	test_failures();
	test_pure();
	return check_summary("exit");
}
