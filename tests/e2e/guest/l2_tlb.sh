#!/bin/sh
# The L2 guest's init for the TLB-shootdown test (tests/e2e/guest/
# test_tlb_e2e.py), under hupvm with 4 vCPUs of which hupvm runs 2 at a
# time once L1 has lowered it (sync overcommit: hupctl sched 2):
#   hup.mode=hyp: load hyperupcall.ko, register samples/tlb_shootdown.c;
#   report the CPUs online and whether the kernel chose KVM's paravirtual
#   TLB flush (its dmesg line), run hup-remap (one page remapped again and
#   again while readers on the other CPUs check they never see an old
#   frame; ftrace times each shootdown, native_flush_tlb_multi()), let L1
#   read hupvm's stats, check dmesg, power off.
# hup.remaps=N and hup.remap_s=S on the kernel command line size the run.
. /lib/l2_lib.sh
REMAPS=$(sed -n 's/.*hup.remaps=\([0-9]*\).*/\1/p' /proc/cmdline)
REMAP_S=$(sed -n 's/.*hup.remap_s=\([0-9]*\).*/\1/p' /proc/cmdline)
say "init ran, kernel $(uname -r), cpus $(nproc), uptime $(cut -d' ' -f1 /proc/uptime)"
dmesg_mark
if grep -q 'hup.mode=hyp' /proc/cmdline; then
	insmod /lib/hyperupcall.ko
	say "insmod rc=$?"
	hupload -v --window kernel --window direct:rw /lib/tlb_shootdown.o \
		> /tmp/out 2>&1
	say "hupload rc=$?"
	show_load hupload /tmp/out
fi
if dmesg | grep -q "KVM setup pv remote TLB flush"; then
	say "pv-tlb-flush on"
else
	say "pv-tlb-flush off"
fi
# ftrace's ring (4 MiB a CPU) holds about 10,000 remaps' shootdowns: a
# longer run (the correctness run) goes untimed
mount -t tracefs nodev /sys/kernel/tracing
[ "${REMAPS:-1000}" -le 10000 ] && export HUP_REMAP_TRACE=/sys/kernel/tracing
# booted with every vCPU running; the workload runs overcommitted
sync_l1 overcommit
hup-remap ${REMAPS:-1000} ${REMAP_S:-60} > /tmp/remap.out 2>&1
say "remap rc=$?"
cat /tmp/remap.out
sync_l1 remapped
if grep -q 'hup.mode=hyp' /proc/cmdline; then
	rmmod hyperupcall
	say "rmmod rc=$?"
fi
dmesg_report
say "done"
poweroff -f
