# r1..r5 are passed to a callee
-- asm
mov %r1, 2
mov %r2, 3
call local f
exit
f:
mov %r0, %r1
add %r0, %r2
exit
-- result
0x5
