# Sourced by L2 inits (/lib/l2_lib.sh in the image): the usual mounts and
# the helpers of the console protocol the L1 scripts speak.
#   say TEXT        a "HUP-G: TEXT" line, what the tests read
#   sync_l1 NAME    "HUP-G: sync NAME", then wait for one line from L1
#   meminfo TAG     "HUP-G: meminfo TAG MemTotal:.. MemFree:.. MemAvailable:.."
#   show_load TAG FILE  hupload -v's output in FILE as "HUP-G: TAG: " lines,
#                   without a line per CO-RE relocation that matched: ps.o
#                   alone has 385 of them, and L2's serial console carries
#                   about 100 lines a second under nesting (9 s a scenario).
#                   Relocations that matched nothing in this kernel stay.
#   dmesg_mark      kernel complaints count from here on
#   dmesg_report    "HUP-G: bad-dmesg N" and up to 20 "HUP-G: bad: LINE":
#                   what the kernel said since dmesg_mark when code went
#                   wrong or a CPU stopped making progress (BAD: an RCU
#                   stall, a soft lockup) or memory was damaged (BAD_MEM,
#                   any case)
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
say() { echo "HUP-G: $*"; }
sync_l1() { say "sync $1"; read -r answer; say "sync $1 answered $answer"; }
show_load() { grep -v -E '^hupload:   CO-RE insn [0-9]+: .* = [0-9]+$' "$2" | sed "s/^/HUP-G: $1: /"; }
meminfo() { say "meminfo $1 $(awk '/^(MemTotal|MemFree|MemAvailable):/ {printf "%s%s ", $1, $2}' /proc/meminfo)"; }
BAD='BUG|Oops|WARNING|Call Trace|general protection|Bad page|detected stalls|self-detected stall|soft lockup'
BAD_MEM='corrupt|poison'
# Where hyperupcall.ko's code lies in this boot (KASLR): a hang report's
# rip (hupvm) in module space becomes a function with it and the .ko.
module_text() { say "module-text hyperupcall $(cat /sys/module/hyperupcall/sections/.text 2>&1)"; }
# hyperupcall.ko loaded and samples/free_discard.c registered with the
# windows it documents (kernel image, direct map read-write for the zone
# locks, vmemmap)
load_free_discard() {
	insmod /lib/hyperupcall.ko
	say "insmod rc=$?"
	module_text
	hupload -v --window kernel --window direct --window vmemmap \
		/lib/free_discard.o > /tmp/out 2>&1
	say "hupload rc=$?"
	show_load hupload /tmp/out
}
dmesg_mark() { base=$(dmesg | wc -l); }
dmesg_report() {
	dmesg | tail -n +$((base + 1)) > /tmp/dmesg.after
	{ grep -E "$BAD" /tmp/dmesg.after; grep -iE "$BAD_MEM" /tmp/dmesg.after; } > /tmp/dmesg.bad
	say "bad-dmesg $(wc -l < /tmp/dmesg.bad)"
	head -20 /tmp/dmesg.bad | sed 's/^/HUP-G: bad: /'
}
