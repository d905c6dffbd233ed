# 8 bytes over vcpu and actions
-- event
vcpu_resume
-- asm
stdw [%r1+16], 1
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 invalid vcpu_resume ctx access: off=16 size=8
