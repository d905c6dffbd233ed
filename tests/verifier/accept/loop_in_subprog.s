# a loop inside a subprogram
-- asm
call local f
exit
f:
mov %r1, 2
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
-- result
0x2
