#!/bin/sh
# The L2 guest's init for the replay e2e (tests/e2e/guest/test_replay_e2e.py),
# under hupvm with 2 vCPUs: load hyperupcall.ko, register
# samples/free_discard.c (windows: kernel image, direct map, vmemmap, all
# read-only), samples/ps.c and samples/dmesg.c (queries, same windows),
# then wait while L1 pauses both vCPUs, queries ps and dmesg live, dumps
# the VM and replays the programs from the snapshot; unload; power off.  Everything the test checks is a
# "HUP-G: " line here or a "HUP-S: " line of L1.
. /lib/l2_lib.sh
say "init ran, kernel $(uname -r), cpus $(nproc), uptime $(cut -d' ' -f1 /proc/uptime)"
load_free_discard
# the same windows with the same rights as free_discard's: the two share
# one view (docs/abi.md section 5)
hupload -v --window kernel --window direct --window vmemmap \
	/lib/ps.o > /tmp/out 2>&1
say "hupload-ps rc=$?"
show_load hupload /tmp/out
hupload -v --window kernel --window direct --window vmemmap \
	/lib/dmesg.o > /tmp/out 2>&1
say "hupload-dmesg rc=$?"
show_load hupload /tmp/out
sync_l1 registered
rmmod hyperupcall
say "rmmod rc=$?"
say "done"
poweroff -f
