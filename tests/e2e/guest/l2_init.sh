#!/bin/sh
# The L2 guest's init for the guest-side e2e (tests/e2e/guest): loads
# hyperupcall.ko, registers samples/tracing.c with hupload, runs the ioctl
# validation cases, exercises the trace path, boot-time preload and unload,
# runs a small workload, and reports everything as "HUP-G: " lines that
# test_guest_e2e.py checks.  hup.mode=backend on the kernel command line
# (under hupvm with its doorbell) expects registrations to succeed and real
# hypervisor events in the trace; otherwise (plain QEMU) ENODEV.
. /lib/l2_lib.sh
mount -t debugfs none /sys/kernel/debug
mount -t tracefs none /sys/kernel/tracing
T=/sys/kernel/tracing
D=/sys/kernel/debug/hyperupcall
mode=nobackend
grep -q 'hup.mode=backend' /proc/cmdline && mode=backend
say "init ran, kernel $(uname -r), mode $mode"

# Kernel complaints count from here on (the nested CPU model makes the
# boot itself warn, e.g. about xstate sizes, before the module exists).
dmesg_mark
say "boot-warnings $(dmesg | grep -cE "$BAD")"
insmod /lib/hyperupcall.ko
say "insmod rc=$?"
say "nobackend-lines $(dmesg | grep -c 'no hyperupcall backend')"
sed 's/^/HUP-G: status: /' $D/status
echo 1 > $T/events/hyperupcall/hv_event/enable
say "event-enable rc=$?"

# Registration of the real sample.
hupload -v /lib/tracing.o > /tmp/out 2>&1
say "hupload rc=$?"
show_load hupload /tmp/out
hupload list | sed 's/^/HUP-G: list: /'
sed 's/^/HUP-G: programs: /' $D/programs

# Argument validation.
hup-ioctl-cases $mode | sed 's/^/HUP-G: /'

# Hypervisor events: real ones (backend) after a workload of VMM-handled
# exits (serial port I/O), or injected by the debug hook.
say "trace_clock $(cat $T/trace_clock)"
# The module's trace_clock parameter: ftrace's default, validated, settable.
P=/sys/module/hyperupcall/parameters/trace_clock
say "param-clock $(cat $P)"
echo bogus > $P 2>/dev/null
say "param-clock-bogus rc=$? now $(cat $P)"
echo mono > $P
say "param-clock-set rc=$? now $(cat $P)"
echo auto > $P
echo guest-before > $T/trace_marker
if [ $mode = backend ]; then
	i=0
	while [ $i -lt 20 ]; do echo "HUP-G: io $i" > /dev/ttyS0; i=$((i + 1)); done
	sleep 0.1
else
	echo 8 > $D/inject
	say "inject rc=$?"
fi
echo guest-after > $T/trace_marker
grep -E 'tracing_mark_write|hv_event' $T/trace | head -40 | sed 's/^/HUP-G: trace: /'
echo > $T/trace
# An entry recorded after the drain's pair was taken waits for the next
# drain (trace.c, Timestamps): stamped 2 ms ahead, the drain its injection
# triggers holds it; a drain 50 ms later places it before its own pair.
if [ $mode != backend ]; then
	# more than 1 s ahead, or not a number: refused, nothing produced
	echo 1000001 > $D/inject_ahead 2>/dev/null
	say "ahead-too-far rc=$?"
	echo 2ms > $D/inject_ahead 2>/dev/null
	say "ahead-not-a-number rc=$?"
	echo 2000 > $D/inject_ahead
	say "ahead-held $(grep -c hv_event $T/trace) $(awk '/^held:/ {print $2}' $D/trace)"
	sleep 0.05
	echo 0 > $D/inject
	grep hv_event $T/trace | sed 's/^/HUP-G: ahead: /'
	echo > $T/trace
fi
# Overflow: more events than the ring holds (1024 entries).
[ -e $D/inject ] && echo 1100 > $D/inject
sed 's/^/HUP-G: ring: /' $D/trace
say "trace-lines $(grep -c hv_event $T/trace)"
echo 0 > $T/events/hyperupcall/hv_event/enable

# Boot-time registration: a prepared blob through preload=.
mkdir -p /lib/firmware/hyperupcall
hupload prepare /lib/tracing.o -o /lib/firmware/hyperupcall/tracing.hup
say "prepare rc=$?"
rmmod hyperupcall
say "rmmod rc=$?"
insmod /lib/hyperupcall.ko preload=tracing.hup
say "insmod-preload rc=$?"
dmesg | grep 'preload tracing.hup' | sed 's/^/HUP-G: dmesg: /'
hupload list | sed 's/^/HUP-G: list2: /'

# The guest stays healthy: a workload, then unload.
dd if=/dev/zero of=/tmp/blob bs=64k count=200 2>/dev/null
say "workload dd rc=$? md5 $(md5sum < /tmp/blob | cut -c1-8)"
say "sysfs-files $(find /sys -name uevent 2>/dev/null | wc -l)"
rmmod hyperupcall
say "rmmod2 rc=$?"
dmesg_report
say "done"
poweroff -f
