# vcpu (the descheduled vCPU) is read-only
-- event
vcpu_desched
-- asm
stw [%r1+16], 1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 write to read-only ctx field vcpu
