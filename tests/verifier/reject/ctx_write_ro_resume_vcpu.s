# vcpu is read-only; actions next to it is not
-- event
vcpu_resume
-- asm
stw [%r1+16], 0
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 write to read-only ctx field vcpu
