# inside host_ns but misaligned
-- asm
ldxh %r0, [%r1+1]
exit
-- error
EACCES
-- log
0: R1 misaligned ctx access: off=1 size=2
