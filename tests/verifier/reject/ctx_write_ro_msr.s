# the MSR value is read-only
-- event
msr_write
-- asm
mov %r2, 0
stxdw [%r1+16], %r2
mov %r0, 0
exit
-- error
EACCES
-- log
1: R1 write to read-only ctx field value
