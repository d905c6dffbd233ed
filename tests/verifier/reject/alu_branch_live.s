# the same with an unknown: both sides walked
-- asm
ldxdw %r1, [%r1+32]
mov %r0, 0
jgt %r1, 3, +1
mov %r0, %r9
exit
-- error
EACCES
-- log
3: R9 read before write
