# inside arg[0] but not 4-byte aligned
-- asm
ldxw %r0, [%r1+34]
exit
-- error
EACCES
-- log
0: R1 misaligned ctx access: off=34 size=4
