# a branch decided by constants: the dead side reads r9 but is never walked
-- asm
mov %r0, 0
mov %r1, 5
jgt %r1, 3, +1
mov %r0, %r9
exit
-- result
0x0
