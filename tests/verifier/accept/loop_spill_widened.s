# the callback overwrites a caller slot: the caller sees 'some number'
-- asm
stdw [%r10-8], 1
mov %r1, 3
lddw %r2, func body
mov %r3, %r10
add %r3, -8
mov %r4, 0
call loop
ldxdw %r0, [%r10-8]
exit
body:
stdw [%r2+0], 7
mov %r0, 0
exit
-- result
0x7
