# cmpxchg on the stack
-- asm
stdw [%r10-8], 5
mov %r0, 5
mov %r1, 9
lock cmpxchg [%r10-8], %r1
ldxdw %r0, [%r10-8]
exit
-- result
0x9
