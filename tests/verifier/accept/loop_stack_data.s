# the callback sums i into the caller's stack
-- asm
stdw [%r10-8], 0
mov %r1, 10
lddw %r2, func body
mov %r3, %r10
add %r3, -8
mov %r4, 0
call loop
ldxdw %r0, [%r10-8]
exit
body:
ldxdw %r3, [%r2+0]
add %r3, %r1
stxdw [%r2+0], %r3
mov %r0, 0
exit
-- result
0x2d
