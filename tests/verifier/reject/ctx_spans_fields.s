# 8 bytes over vcpu and kind: no single field
-- asm
ldxdw %r0, [%r1+16]
exit
-- error
EACCES
-- log
0: R1 invalid trace ctx access: off=16 size=8
