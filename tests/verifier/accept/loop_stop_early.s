# the callback stops at i == 6: seven iterations done
-- asm
mov %r1, 100
lddw %r2, func body
mov %r3, 0
mov %r4, 0
call loop
exit
body:
mov %r0, 0
jlt %r1, 6, +1
mov %r0, 1
exit
-- result
0x7
