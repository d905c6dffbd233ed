#!/bin/sh
# The L2 guest's init for the upcall e2e (tests/e2e/guest/test_upcall_e2e.py),
# under hupvm with 2 vCPUs.  L1 asks upcalls at each sync:
#   nomodule  no hyperupcall.ko: nobody attached, the host says so at once
#   muted     hyperupcall.ko upcall=0: loaded, not answering upcalls
#   ready     hyperupcall.ko answering, samples/free_discard.c registered
#             (L1 compares the two answers to "which pfns are free"), the
#             trace ring's counters and the module's upcall count printed
#             before and after
#   unloaded  the module gone: detached, the host says so at once
# then the kernel's complaints, power off.
. /lib/l2_lib.sh
say "init ran, kernel $(uname -r), cpus $(nproc), uptime $(cut -d' ' -f1 /proc/uptime)"
mount -t debugfs none /sys/kernel/debug
D=/sys/kernel/debug/hyperupcall
dmesg_mark
sync_l1 nomodule
insmod /lib/hyperupcall.ko upcall=0
say "insmod-muted rc=$?"
module_text
sed 's/^/HUP-G: muted-status: /' $D/status
sync_l1 muted
rmmod hyperupcall
say "rmmod-muted rc=$?"
load_free_discard
sed 's/^/HUP-G: status-before: /' $D/status
sed 's/^/HUP-G: trace-before: /' $D/trace
sync_l1 ready
sed 's/^/HUP-G: status-after: /' $D/status
sed 's/^/HUP-G: trace-after: /' $D/trace
rmmod hyperupcall
say "rmmod rc=$?"
sync_l1 unloaded
dmesg_report
say "done"
poweroff -f
