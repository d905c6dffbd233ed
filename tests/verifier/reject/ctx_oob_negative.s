# before the context
-- asm
ldxdw %r0, [%r1-8]
exit
-- error
EACCES
-- log
0: R1 invalid trace ctx access: off=-8 size=8
