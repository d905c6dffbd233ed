# three nested loops: seven frames
-- asm
mov %r1, 2
lddw %r2, func c0
mov %r3, 0
mov %r4, 0
call loop
exit
c0:
mov %r1, 2
lddw %r2, func c1
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c1:
mov %r1, 2
lddw %r2, func c2
mov %r3, 0
mov %r4, 0
call loop
mov %r0, 0
exit
c2:
mov %r0, 0
exit
-- result
0x2
