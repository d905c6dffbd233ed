#!/bin/sh
# The L2 guest's init for guest-attack-e2e (test_attack_e2e.py), under
# hupvm with 2 vCPUs: load hyperupcall.ko, register samples/tracing.c (the
# legitimate program), then run hup-attack (tests/e2e/guest/attack.c) for
# @SECONDS@ s while L1 samples hupvm; afterwards the tracing program must
# still be registered, the module must unload, the kernel must not have
# complained.  Everything the test checks is a "HUP-G: " line here or a
# "HUP-S: " line of L1.
. /lib/l2_lib.sh
say "init ran, kernel $(uname -r), cpus $(nproc)"
dmesg_mark
echo 2 > /proc/sys/vm/nr_hugepages
say "hugepages $(cat /proc/sys/vm/nr_hugepages)"
insmod /lib/hyperupcall.ko
say "insmod rc=$?"
hupload -v /lib/tracing.o > /tmp/out 2>&1
say "hupload rc=$?"
show_load hupload /tmp/out
keep=$(hupload list | awk '$2 == "trace" { print $1; exit }')
say "keep ${keep:-none}"
sync_l1 start
# @THREADS@: empty (the whole campaign) or one comma list (HUP_ATTACK_THREADS)
hup-attack @SECONDS@ "${keep:-0}" @THREADS@ > /tmp/attack 2>&1
say "attack rc=$?"
sed 's/^/HUP-G: /' /tmp/attack
hupload list | sed 's/^/HUP-G: after: /'
sync_l1 end
dmesg_report
rmmod hyperupcall
say "rmmod rc=$?"
say "done"
poweroff -f
