# five runs of an empty callback: r0 = 5
-- asm
mov %r1, 5
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
exit
-- result
0x5
