#!/bin/sh
# The L2 guest's init for the cost benchmark (bench/costs/bench_costs.py),
# under hupvm with 2 vCPUs: load msr.ko and hyperupcall.ko (which answers
# the host's upcalls), time VMM-handled port-I/O exits with no program,
# register samples/tracing.c, samples/msr_guard.c, samples/free_discard.c and
# the ps and dmesg queries,
# time the same exits again (each now runs the tracing program), write
# IA32_TSC_AUX N times (each write runs msr_guard), then wait while L1
# asks the same questions by upcall and runs free_discard's dry runs;
# unload, power off.
. /lib/l2_lib.sh
BENCH_PORT=0x2f1
TSC_AUX=0xc0000103
MSR_WRITES=$(sed -n 's/.*hup.msr_writes=\([0-9]*\).*/\1/p' /proc/cmdline)
say "init ran, kernel $(uname -r), cpus $(nproc), uptime $(cut -d' ' -f1 /proc/uptime)"
mount -t debugfs none /sys/kernel/debug
dmesg_mark
insmod /lib/msr.ko
say "insmod-msr rc=$?"
load_free_discard
hup-workload bench $BENCH_PORT 4000 | sed 's/^/HUP-G: off: /'
hupload /lib/tracing.o > /tmp/out 2>&1
say "hupload-tracing rc=$?"
hupload --event-arg $TSC_AUX /lib/msr_guard.o > /tmp/out 2>&1
say "hupload-msr rc=$?"
hupload /lib/ps.o > /tmp/out 2>&1
say "hupload-ps rc=$?"
hupload --window kernel --window direct /lib/dmesg.o > /tmp/out 2>&1
say "hupload-dmesg rc=$?"
hup-workload bench $BENCH_PORT 4000 | sed 's/^/HUP-G: on: /'
i=0
while [ $i -lt ${MSR_WRITES:-200} ]; do
	hup-workload msr $TSC_AUX 0x1234 > /dev/null
	i=$((i + 1))
done
say "msr writes $i"
sync_l1 ready
rmmod hyperupcall
say "rmmod rc=$?"
dmesg_report
say "done"
poweroff -f
