# the context is 32 bytes: no field at 32
-- event
vcpu_desched
-- asm
ldxdw %r2, [%r1+32]
mov %r0, 0
exit
-- error
EACCES
-- log
0: R1 invalid vcpu_desched ctx access: off=32 size=8
