# two loops, two callbacks: 3 + 4
-- asm
mov %r1, 3
lddw %r2, func a
mov %r3, 0
mov %r4, 0
call loop
mov %r6, %r0
mov %r1, 4
lddw %r2, func b
mov %r3, 0
mov %r4, 0
call loop
add %r0, %r6
exit
a:
mov %r0, 0
exit
b:
mov %r0, 0
exit
-- result
0x7
