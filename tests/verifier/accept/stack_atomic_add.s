# atomics on initialised stack
-- asm
stdw [%r10-8], 40
mov %r1, 2
lock add [%r10-8], %r1
ldxdw %r0, [%r10-8]
exit
-- result
0x2a
