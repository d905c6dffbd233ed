#!/bin/sh
# The L2 guest's init for the reclaim benchmark (bench/reclaim/
# bench_reclaim.py).  hup.bench=hupvm|balloon|fpr|none:
#   hupvm    load hyperupcall.ko, register samples/free_discard.c
#   balloon  load virtio_balloon (QEMU's virtio-balloon device)
#   fpr      the same, the device with free-page-reporting=on
#   none     nothing: the memory the guest frees stays with the host
# Then, in every mode: fill hup.hog_mib MiB with checked data and free it
# (hup-churn for one second), sync "freed" (L1 takes the memory back its
# way and measures), check memory is still sound (a second, smaller churn),
# print meminfo, power off.
. /lib/l2_lib.sh
arg() { sed -n "s/.*hup\.$1=\([a-z0-9]*\).*/\1/p" /proc/cmdline; }
mode=$(arg bench)
hog=$(arg hog_mib)
say "init ran, kernel $(uname -r), bench $mode, cpus $(nproc)"
dmesg_mark

case $mode in
hupvm)
	insmod /lib/hyperupcall.ko
	say "insmod rc=$?"
	hupload --window kernel --window direct --window vmemmap \
		/lib/free_discard.o > /tmp/out 2>&1
	say "hupload rc=$?"
	sed 's/^/HUP-G: hupload: /' /tmp/out
	;;
balloon|fpr)
	# In dependency order (the image has no modules.dep).
	for m in $(cat /lib/modules.order); do
		insmod /lib/$m || say "insmod $m failed"
	done
	say "balloon driver $(ls /sys/bus/virtio/drivers/virtio_balloon 2>/dev/null | grep -c virtio)"
	;;
esac

meminfo start
hup-churn $hog 2 /tmp/none 1 > /tmp/churn.out 2>&1
say "hog rc=$?"
cat /tmp/churn.out
meminfo freed
sync_l1 freed
meminfo after
hup-churn 128 2 /tmp/none 1 > /tmp/churn.out 2>&1
say "check rc=$?"
cat /tmp/churn.out
dmesg_report
say "done"
poweroff -f
