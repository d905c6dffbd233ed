#!/bin/sh
# The L2 guest's init for the tracing scenario (tests/e2e/guest/trace_case.py,
# shared by guest-trace-e2e and `make demo`), under hupvm:
#   hup.mode=trace     load hyperupcall.ko, register samples/tracing.c,
#                      samples/msr_guard.c, samples/ps.c and samples/dmesg.c
#                      (CO-RE query programs L1 runs with hupctl; the log's
#                      tail is printed from /dev/kmsg first), time port-I/O exits
#                      without and with tracing, then a traced window of VMM-handled exits
#                      (port I/O to an unclaimed port, serial output, MSR
#                      writes) between guest trace_marker lines; print the
#                      trace, the module's and hupload's view, let L1 run
#                      hupctl, unload, let L1 check again, power off.
#   hup.mode=nomodule  the same kernel without the module: the workload runs
#                      and the guest powers off normally.
# Everything the test checks is a "HUP-G: " line.  "HUP-G: sync NAME" waits
# for one line on the console (the L1 script answers after using hupctl).
. /lib/l2_lib.sh
mount -t debugfs none /sys/kernel/debug
mount -t tracefs none /sys/kernel/tracing
T=/sys/kernel/tracing
D=/sys/kernel/debug/hyperupcall
# A marker line, and the guest TSC around it (for the exact window check),
# kept with the workload's output until the trace has been read.
mark() { hup-workload mark "$1" >> /tmp/w; }
PORT=0x2f0        # unclaimed: every outb is one exit answered by hupvm's bus
BENCH_PORT=0x2f1
TSC_AUX=0xc0000103
mode=trace
grep -q 'hup.mode=nomodule' /proc/cmdline && mode=nomodule
say "init ran, kernel $(uname -r), mode $mode, uptime $(cut -d' ' -f1 /proc/uptime)"
dmesg | grep -m1 'Hypervisor detected' | sed 's/^/HUP-G: dmesg: /'
dmesg_mark
insmod /lib/msr.ko
say "insmod-msr rc=$?"

if [ $mode = nomodule ]; then
	hup-workload io $PORT 64 | sed 's/^/HUP-G: /'
	hup-workload msr $TSC_AUX 0x1234 | sed 's/^/HUP-G: /'
	dd if=/dev/zero of=/tmp/blob bs=64k count=200 2>/dev/null
	say "workload dd rc=$? md5 $(md5sum < /tmp/blob | cut -c1-8)"
else
	insmod /lib/hyperupcall.ko trace_entries=4096
	say "insmod rc=$?"
	sed 's/^/HUP-G: status: /' $D/status
	hup-workload bench $BENCH_PORT 4000 | sed 's/^/HUP-G: off: /'
	hupload -v /lib/tracing.o > /tmp/out 2>&1
	say "hupload rc=$?"
	show_load hupload /tmp/out
	hupload --event-arg $TSC_AUX /lib/msr_guard.o > /tmp/out 2>&1
	say "hupload-msr rc=$?"
	show_load hupload-msr /tmp/out
	hupload -v /lib/ps.o > /tmp/out 2>&1
	say "hupload-ps rc=$?"
	show_load hupload-ps /tmp/out
	# the printk ring lies in kernel data or in memblock memory: the
	# kernel image and the direct map, read-only, and nothing else.  Its
	# relocations are not printed one by one: the console is slow nested.
	hupload -v --window kernel --window direct /lib/dmesg.o > /tmp/out 2>&1
	say "hupload-dmesg rc=$?"
	show_load hupload-dmesg /tmp/out
	hup-workload bench $BENCH_PORT 4000 | sed 's/^/HUP-G: on: /'

	# The traced window: nothing goes to the console until the trace is
	# read, so the serial events in it are the workload's own line.
	sleep 0.1
	say "trace_clock $(cat $T/trace_clock)"
	echo > $T/trace
	echo 1 > $T/events/hyperupcall/hv_event/enable
	: > /tmp/w
	# the first marker after the reset takes 1-2 ms to write (nested),
	# which blurs its TSC bracket: this one takes that cost
	mark "guest: tracing on"
	mark "guest: before the workload"
	hup-workload io $PORT 64 >> /tmp/w
	mark "guest: port I/O done, serial output next"
	echo "hup-serial-workload" > /dev/ttyS0
	mark "guest: serial done, MSR writes next"
	hup-workload msr $TSC_AUX 0x1234 >> /tmp/w
	hup-workload msr $TSC_AUX 0xdead >> /tmp/w
	mark "guest: after the workload"
	sleep 0.2
	echo 0 > $T/tracing_on
	cat $T/trace > /tmp/trace
	echo 0 > $T/events/hyperupcall/hv_event/enable
	echo 1 > $T/tracing_on
	sed 's/^/HUP-G: /' /tmp/w
	grep -E 'tracing_mark_write|hv_event' /tmp/trace | sed 's/^/HUP-G: trace: /'
	sed 's/^/HUP-G: ring: /' $D/trace
	hupload list | sed 's/^/HUP-G: list: /'
	sed 's/^/HUP-G: programs: /' $D/programs
	# the log's tail as the guest reads it, just before L1 queries dmesg.o
	hup-workload kmsg 16 | sed 's/^/HUP-G: /'
	sync_l1 registered
	rmmod hyperupcall
	say "rmmod rc=$?"
	hupload list > /tmp/out 2>&1
	say "list-after-rmmod rc=$?"
	sync_l1 unregistered
fi

dmesg_report
say "done"
poweroff -f
