#!/bin/sh
# The L2 guest's init for the reclaim integrity test
# (tests/e2e/guest/test_reclaim_e2e.py), under hupvm with 2 vCPUs:
#   hup.mode=reclaim  load hyperupcall.ko, register samples/free_discard.c
#                     (windows: kernel image, direct map and vmemmap, all
#                     read-only); let L1 reclaim once while idle;
#                     run hup-churn (checksummed pages freed and reallocated
#                     on 2 threads) while L1 reclaims again and again; stop
#                     it, print its counts; free its memory and let L1
#                     reclaim once more; check dmesg; unload; power off.
#   hup.mode=auto     the same, but hupvm reclaims on its own (--auto-reclaim)
#                     while the churn runs; L1 only waits and reads stats.
#   hup.mode=poison   the same kernel booted with page_poison=1: the program
#                     must refuse (L1 checks hupctl's error); it also
#                     registers free_discard built for the audit (as
#                     fd_audit), whose answers L1 audits while idle, during
#                     a churn and after it; memory intact, dmesg clean.
# Everything the test checks is a "HUP-G: " or "HUP-C: " line.  "HUP-G:
# sync NAME" waits for one line on the console (L1 answers after its
# hupctl commands).
. /lib/l2_lib.sh
mode=reclaim
grep -q 'hup.mode=poison' /proc/cmdline && mode=poison
grep -q 'hup.mode=auto' /proc/cmdline && mode=auto
grep -q 'hup.mode=fill' /proc/cmdline && mode=fill
CHURN_MIB=$(sed -n 's/.*hup.churn_mib=\([0-9]*\).*/\1/p' /proc/cmdline)
say "init ran, kernel $(uname -r), mode $mode, cpus $(nproc), uptime $(cut -d' ' -f1 /proc/uptime)"
dmesg_mark

load_free_discard
if [ $mode = poison ]; then
	hupload -v --name fd_audit --window kernel --window direct \
		--window vmemmap /lib/free_discard_audit.o > /tmp/out 2>&1
	say "hupload audit rc=$?"
fi
meminfo idle
sync_l1 registered

hup-churn ${CHURN_MIB:-96} 2 /tmp/stop 900 > /tmp/churn.out 2>&1 &
churn=$!
n=0
until grep -q "HUP-C: filled" /tmp/churn.out; do
	n=$((n + 1)); [ $n -gt 1200 ] && break
	sleep 0.1
done
meminfo churning
sync_l1 churning
touch /tmp/stop
wait $churn
say "churn rc=$?"
cat /tmp/churn.out
meminfo freed
sync_l1 freed

rmmod hyperupcall
say "rmmod rc=$?"
dmesg_report
say "done"
poweroff -f
