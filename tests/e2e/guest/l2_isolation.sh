#!/bin/sh
# The L2 guest's init for guest-isolation-e2e (test_isolation_e2e.py), under
# hupvm: load hyperupcall.ko and register tests/e2e/guest/isolation_probe.c
# three times beside each other: "broad" (peek, kernel image and direct map
# read-write), "poke-none" (poke, no window at all) and "poke-ro" (poke,
# kernel image read-only).  L1 asks each; then the hostname must be as it
# was.  Last, the control: "poke-rw" (poke, kernel image read-write) must
# rename the guest, so a write that got through would have been seen.
# Everything the test checks is a "HUP-G: " line here or a "HUP-S: " line
# of L1.
. /lib/l2_lib.sh
say "init ran, kernel $(uname -r), cpus $(nproc)"
dmesg_mark
insmod /lib/hyperupcall.ko
say "insmod rc=$?"
hostname hup-isolated
say "hostname-before $(hostname)"
reg() {
	name=$1; prog=$2; shift 2
	hupload -v --prog "$prog" --name "$name" "$@" /lib/probe.o > /tmp/out 2>&1
	say "hupload-$name rc=$?"
	show_load hupload /tmp/out
}
reg broad peek --window kernel:rw --window direct:rw
reg poke-none poke --window none
reg poke-ro poke --window kernel:r
sync_l1 registered
say "hostname-after $(hostname)"
reg poke-rw poke --window kernel:rw
sync_l1 control
say "hostname-control $(hostname)"
dmesg_report
rmmod hyperupcall
say "rmmod rc=$?"
say "done"
poweroff -f
