# gotol forward (ctx is zero in the run: r0 = 1)
-- asm
ldxdw %r2, [%r1+32]
mov %r0, 1
jeq %r2, 7, +1
ja32 +1
mov %r0, 2
exit
-- result
0x1
